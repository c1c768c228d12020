from django import template

from satisfaction import selectors

register = template.Library()


@register.inclusion_tag("satisfaction/_ask.html", takes_context=True)
def satisfaction_ask(context, ticket):
    """The portal's invitation to rate the latest resolution (its requester, once)."""
    return {"ticket": ticket, "survey": selectors.survey_to_rate(ticket, context["user"])}


@register.inclusion_tag("satisfaction/_panel.html")
def satisfaction_panel(ticket):
    """The back office's side box: the ticket's ratings, newest first."""
    return {"ratings": selectors.ratings_of(ticket)}
