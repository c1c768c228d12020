"""The reports' CSV files, as a renderer: `?format=csv` or `Accept: text/csv` picks it."""

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer

from reports import presenters


class CSVRenderer(BaseRenderer):
    """Rows of cells as the admin's CSV file; an error stays in the API's JSON shape.

    Content negotiation happens before authentication, permissions, throttling and the
    filters' validation, so a request for CSV that then fails (401, 403, 429, a bad date's
    400) still has this renderer. Its body is `{"detail", "errors"}`, not rows: it is sent
    as JSON, which is what every client of the API already reads for an error.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and (response.exception or response.status_code >= 400):
            response["Content-Type"] = JSONRenderer.media_type
            return JSONRenderer().render(data, JSONRenderer.media_type, renderer_context)
        return presenters.csv_text(data)


class FormatAsQueryParameter(DefaultContentNegotiation):
    """`?format=` is a documented query parameter here, so an unknown value is the query
    serializer's 400 naming the field, like a bad date, rather than DRF's bare 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            return renderers[0], renderers[0].media_type
