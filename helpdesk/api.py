"""API-wide plumbing: one stable JSON shape for every error."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.db import IdsFirstPaginator


class Pagination(PageNumberPagination):
    """Pages read ids first (helpdesk.db.rows_by_ids_first): an index serves the order."""

    django_paginator_class = IdsFirstPaginator
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


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
