"""API-wide plumbing: one stable JSON shape for every error."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.db import IdsFirstPaginator, SearchCountPaginator


class Pagination(PageNumberPagination):
    """Pages read ids first (helpdesk.db.rows_by_ids_first): an index serves the order.

    A list's `count` is exact, except for a search (`?search=`): one that matches more than
    1,000 rows says `"count": 1000, "count_capped": true` (at least that many), and pages
    through those. Counting every match of a common word costs more than the page (100 ms
    for 50,000 matches at a million tickets on PostgreSQL), and no one reads that far.
    """

    django_paginator_class = IdsFirstPaginator
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        searched = bool(request.query_params.get("search", "").strip())
        self.django_paginator_class = SearchCountPaginator if searched else IdsFirstPaginator
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        paginator = self.page.paginator
        capped = getattr(paginator, "count_capped", False)
        response.data = {
            "count": paginator.count_cap if capped else paginator.count,
            "count_capped": capped,
            **{key: value for key, value in response.data.items() if key != "count"},
        }
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "example": False,
            "description": "True when a search matched more rows than `count` (1,000), "
            "which is then a lower bound.",
        }
        schema["required"] = [*schema.get("required", []), "count_capped"]
        return schema


def exception_handler(exc, context):
    """Wrap DRF's errors as {"detail": message, "errors": {field: [messages]}}."""
    if isinstance(exc, Http404):
        # get_object_or_404's "No Ticket matches the given query." is English only.
        exc = NotFound(_("Not found: no such object, or not one you may see."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"detail": str(data["detail"]), "errors": {}}
    else:
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        first = next(iter(errors.values()), "")
        message = first[0] if isinstance(first, list) and first else str(first)
        response.data = {"detail": str(message), "errors": errors}
    return response
