"""Template tags for other apps' pages: the feature requests a ticket asked for."""

from django import template

from feature_requests import selectors

register = template.Library()


@register.inclusion_tag("feature_requests/_ticket_links.html", takes_context=True)
def linked_feature_requests(context, ticket, admin: bool = False):
    """The requests linked to a ticket, with their status, that the viewer may see."""
    user = context["request"].user
    return {"linked": list(selectors.feature_requests_linked_to(ticket, user)), "admin": admin}
