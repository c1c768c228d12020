"""Reports for analysts: the same figures as the admin's Reports section, as JSON or CSV.

`?format=csv` (or `Accept: text/csv`) gives the very file the admin's "Download CSV" gives,
built by the same presenter, so a spreadsheet made from either reads the same.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from helpdesk.api_errors import ERROR_DESCRIPTIONS, ERROR_EXAMPLES, ErrorSerializer
from reports import presenters, selectors
from reports.api.renderers import CSVRenderer, FormatAsQueryParameter
from reports.api.serializers import (
    BacklogReportSerializer,
    ComplianceReportSerializer,
    ReportQuerySerializer,
)

ROW_EXAMPLE = {
    "key": "2026-11",
    "label": "2026-11",
    "tickets": 40,
    "first_response_met": 36,
    "first_response_breached": 2,
    "first_response_open": 2,
    "first_response_compliance": 94.7,
    "first_response_median_hours": 0.75,
    "first_response_p90_hours": 2.6,
    "resolution_met": 30,
    "resolution_breached": 3,
    "resolution_open": 7,
    "resolution_compliance": 90.9,
    "resolution_median_hours": 5.5,
    "resolution_p90_hours": 31.2,
    "waiting_hours": 12.25,
    "ratings": 18,
    "rating_average": 4.33,
    "ratings_low": 1,
}
# 400, 401, 429 are documented for every operation (helpdesk.api_errors.AutoSchema); a GET
# gets no 403 there, but these refuse customers. Errors are JSON even when CSV was asked for.
ERRORS = {
    (403, "application/json"): OpenApiResponse(
        ErrorSerializer,
        description=ERROR_DESCRIPTIONS["403"],
        examples=[ERROR_EXAMPLES["403"]],
    ),
}


CSV_DESCRIPTION = _(
    "The report. With format=csv or Accept: text/csv, the admin's CSV file of it instead "
    "(UTF-8 with a byte-order mark, as an attachment named after the period); cells that "
    "start with =, +, - or @ get a leading apostrophe so spreadsheets never run them."
)
COMPLIANCE_CSV_EXAMPLE = (
    "\ufeffGrouping,Key,Group,Tickets,First response: met,First response: breached,"
    "First response: open,First response: % met,First response: median (h),"
    "First response: 90th percentile (h),Resolution: met,Resolution: breached,"
    "Resolution: open,Resolution: % met,Resolution: median (h),"
    "Resolution: 90th percentile (h),Waiting on the customer (h)\r\n"
    "month,2026-11,2026-11,40,36,2,2,94.7,0.75,2.6,30,3,7,90.9,5.5,31.2,12.25\r\n"
    "organization,7,Acme,40,36,2,2,94.7,0.75,2.6,30,3,7,90.9,5.5,31.2,12.25\r\n"
)
BACKLOG_CSV_EXAMPLE = (
    "\ufeffKey,Level,Open,Under 1 day,1-3 days,3-7 days,7-30 days,Over 30 days,Overdue,"
    "Breaching in 4 h,Breaching in 24 h\r\n"
    "alta,Alta,5,2,2,1,0,0,1,1,3\r\n"
)


def csv_response(example: str) -> OpenApiResponse:
    return OpenApiResponse(
        OpenApiTypes.STR,
        description=CSV_DESCRIPTION,
        examples=[OpenApiExample("CSV file", value=example)],
    )


class IsAnalyst(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class ReportView(APIView):
    permission_classes = [IsAnalyst]
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
    content_negotiation_class = FormatAsQueryParameter

    def period(self, request) -> selectors.Period:
        query = ReportQuerySerializer(
            data=request.query_params,
            context={"default": selectors.Period.default(today=timezone.localdate())},
        )
        query.is_valid(raise_exception=True)
        return selectors.Period(**query.validated_data)

    def wants_csv(self, request) -> bool:
        return isinstance(request.accepted_renderer, CSVRenderer)

    def csv(self, rows: list[list[str]], filename: str) -> Response:
        return Response(rows, headers={"Content-Disposition": presenters.csv_attachment(filename)})


class ComplianceReportView(ReportView):
    """SLA compliance by month, level, organization and analyst."""

    @extend_schema(
        parameters=[ReportQuerySerializer],
        responses={
            (200, "application/json"): OpenApiResponse(
                ComplianceReportSerializer, description=CSV_DESCRIPTION
            ),
            (200, "text/csv"): csv_response(COMPLIANCE_CSV_EXAMPLE),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "November 2026",
                value={
                    "date_from": "2026-11-01",
                    "date_to": "2026-11-30",
                    "generated_at": "2026-11-30T21:00:00-03:00",
                    "groups": {
                        "month": [ROW_EXAMPLE],
                        "level": [{**ROW_EXAMPLE, "key": "2", "label": "Alta"}],
                        "organization": [{**ROW_EXAMPLE, "key": "7", "label": "Acme"}],
                        "analyst": [{**ROW_EXAMPLE, "key": "3", "label": "Ana Souza"}],
                    },
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    def get(self, request):
        report = selectors.compliance_report(period=self.period(request), now=timezone.now())
        if self.wants_csv(request):
            return self.csv(
                presenters.compliance_csv_rows(report), presenters.compliance_csv_filename(report)
            )
        return Response(ComplianceReportSerializer(report).data)


class BacklogReportView(ReportView):
    """Open tickets by level and age, and the clocks breaching in the next 24 hours."""

    @extend_schema(
        parameters=[ReportQuerySerializer],
        responses={
            (200, "application/json"): OpenApiResponse(
                BacklogReportSerializer, description=CSV_DESCRIPTION
            ),
            (200, "text/csv"): csv_response(BACKLOG_CSV_EXAMPLE),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "A quiet morning",
                value={
                    "date_from": "2026-06-01",
                    "date_to": "2026-11-25",
                    "generated_at": "2026-11-25T10:00:00-03:00",
                    "levels": [
                        {
                            "key": "alta",
                            "label": "Alta",
                            "total": 5,
                            "age_under_1d": 2,
                            "age_1_3d": 2,
                            "age_3_7d": 1,
                            "age_7_30d": 0,
                            "age_over_30d": 0,
                            "overdue": 1,
                            "next_4h": 1,
                            "next_24h": 3,
                        }
                    ],
                    "breaching": [
                        {
                            "reference": "HD-2026-000123",
                            "organization": "Acme",
                            "level": "alta",
                            "metric": "resolution",
                            "due_at": "2026-11-25T13:00:00-03:00",
                            "assignee": "ana",
                        }
                    ],
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    def get(self, request):
        report = selectors.backlog_report(period=self.period(request), now=timezone.now())
        if self.wants_csv(request):
            return self.csv(
                presenters.backlog_csv_rows(report), presenters.backlog_csv_filename(report)
            )
        return Response(BacklogReportSerializer(report).data)
