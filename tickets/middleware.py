"""Show every instant of the portal in the customer's own time zone."""

from django.utils import timezone

from tickets.timezones import customer_zone


class CustomerTimeZoneMiddleware:
    """Activate the zone a customer chose for the pages they see.

    Sets ``request.customer_zone`` (None when they chose none: the ticket's calendar zone is
    used then). The REST API is left alone: it answers in one zone whatever the caller.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.customer_zone = None
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _is_api_view(view_func):
            return None
        zone = customer_zone(request.user)
        if zone is not None:
            timezone.activate(zone)
            request.customer_zone = zone
        return None


def _is_api_view(view_func) -> bool:
    from rest_framework.views import APIView

    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)
