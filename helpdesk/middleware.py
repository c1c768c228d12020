"""Requests no page can honour, refused at the edge with a clear 400."""

import contextlib

from django.http import HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from helpdesk.api_errors import error_json, is_api

NUL = "\x00"


class RefuseNulCharactersMiddleware:
    """A NUL character in the address, the query or a form field is a 400.

    No text of ours holds one, and PostgreSQL refuses it in any query or row: left to reach
    the database it would be a server error, on PostgreSQL only. (JSON bodies of the API are
    checked by the serializers' own fields.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request):
            detail = _("The request holds a NUL character, which no text here may contain.")
            if is_api(request):
                return error_json(detail, 400)
            return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _holds_nul(request) -> bool:
    if NUL in request.path_info:
        return True
    querydicts = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        # a broken body is left to the view (its form sees no fields)
        with contextlib.suppress(MultiPartParserError):
            querydicts.append(request.POST)
    return any(
        NUL in key or any(NUL in value for value in values)
        for querydict in querydicts
        for key, values in querydict.lists()
    )
