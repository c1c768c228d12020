"""Errors under /api/ answer in one JSON shape, {"detail": ..., "errors": {...}}.

DRF's exception handler (helpdesk.api) covers errors raised inside API views; the handlers
here cover the rest: an address that matches no route (`/api/nope/`, `/api/tickets/HD-xx/`)
and an exception no view caught. Everywhere else Django's HTML pages stay. The schema class
at the end documents the shape on every operation of the OpenAPI schema.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from drf_spectacular import openapi as spectacular
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_json(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": {}}, status=status)


def bad_request(request, exception):
    if is_api(request):
        return error_json(_("The request could not be understood."), 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api(request):
        return error_json(_("You do not have permission to perform this action."), 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api(request):
        return error_json(_("Nothing exists at this API address."), 404)
    return defaults.page_not_found(request, exception)


def csrf_failure(request, reason=""):
    """A form sent without its valid CSRF token (open too long, or the login changed in
    another tab): the portal's page, pointing back to the form, whose draft the browser kept."""
    if is_api(request):
        return error_json(_("The form's security token is missing or expired: reload it."), 403)
    referer = request.META.get("HTTP_REFERER", "")
    back = (
        referer
        if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
        else ""
    )
    return render(request, "403_csrf.html", {"back": back}, status=403)


def server_error(request):
    if is_api(request):
        return error_json(_("Something went wrong on our side; please try again later."), 500)
    return defaults.server_error(request)


# The same shape, documented on every operation of the OpenAPI schema.


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=gettext_lazy("What went wrong, for people to read."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("Messages per field; empty when the error is about no field."),
    )


ERROR_EXAMPLES = {
    "400": OpenApiExample(
        "Invalid input",
        value={
            "detail": "This field is required.",
            "errors": {"subject": ["This field is required."]},
        },
    ),
    "401": OpenApiExample(
        "Not signed in",
        value={"detail": "Authentication credentials were not provided.", "errors": {}},
    ),
    "403": OpenApiExample(
        "Not allowed",
        value={"detail": "You do not have permission to perform this action.", "errors": {}},
    ),
    "404": OpenApiExample(
        "Not found",
        value={"detail": "No Ticket matches the given query.", "errors": {}},
    ),
    "415": OpenApiExample(
        "Not a body we read",
        value={"detail": 'Unsupported media type "text/plain" in request.', "errors": {}},
    ),
    "429": OpenApiExample(
        "Too many requests",
        value={
            "detail": "Request was throttled. Expected available in 42 seconds.",
            "errors": {},
        },
    ),
}
ERROR_DESCRIPTIONS = {
    "400": gettext_lazy("Invalid input: `errors` says which field and why."),
    "401": gettext_lazy("Not signed in, or the token is invalid or revoked."),
    "403": gettext_lazy("Signed in, but not allowed to do this."),
    "404": gettext_lazy("No such object, or not one the user may see."),
    "415": gettext_lazy("The body's Content-Type is none of those this operation reads."),
    "429": gettext_lazy("Too many requests: wait `Retry-After` seconds."),
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": gettext_lazy("Seconds to wait before the next request."),
    }
}


class AutoSchema(spectacular.AutoSchema):
    """drf-spectacular's schema plus the error responses each operation can give."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for code in self.error_codes(operation):
            operation["responses"].setdefault(code, self.error_response(code))
        return operation

    def error_codes(self, operation) -> list[str]:
        parameters = operation.get("parameters", [])
        codes = []
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            codes.append("400")
        codes.append("401")  # also on open endpoints: a bad or revoked token is refused
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes.append("403")  # a role's limit, or a session request without its CSRF token
        if any(p["in"] == "path" for p in parameters) or self._paginated():
            codes.append("404")  # also a page number past the last page
        if "requestBody" in operation:
            codes.append("415")
        codes.append("429")
        return codes

    def _paginated(self) -> bool:
        return self._is_list_view() and self._get_paginator() is not None

    def error_response(self, code: str) -> dict:
        response = self._get_response_for_code(
            OpenApiResponse(
                ErrorSerializer,
                description=ERROR_DESCRIPTIONS[code],
                examples=[ERROR_EXAMPLES[code]],
            ),
            code,
            media_types=["application/json"],
        )
        if code == "429":
            response["headers"] = RETRY_AFTER
        return response
