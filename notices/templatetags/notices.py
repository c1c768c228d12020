"""The bell in the back office's header: unread count and newest notices, read once a page."""

from django import template
from django.urls import reverse

from notices import selectors

register = template.Library()


@register.inclusion_tag("admin/notices/_bell.html", takes_context=True)
def notices_bell(context):
    """Draw the bell; its one query is made once per request however often it is drawn."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_staff:
        return {"show": False}
    bell = getattr(request, "_notices_bell", None)
    if bell is None:
        bell = request._notices_bell = selectors.bell(user)
    return {
        "show": True,
        "bell": bell,
        "list_url": reverse("admin:notices_notice_changelist"),
        "read_all_url": reverse("admin:notices_notice_read_all"),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
