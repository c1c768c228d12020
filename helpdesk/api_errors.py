"""Errors under /api/ answer in the API's JSON shape, even when Django, not DRF, answers.

DRF's exception handler (helpdesk.api) covers errors raised inside API views; these handlers
cover the rest: an address that matches no route (`/api/nope/`, `/api/tickets/HD-xx/`) and
an exception no view caught. Everywhere else Django's HTML pages stay.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

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


def server_error(request):
    if is_api(request):
        return error_json(_("Something went wrong on our side; please try again later."), 500)
    return defaults.server_error(request)
