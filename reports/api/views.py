"""Reports for analysts: the same figures as the admin's Reports section, as JSON."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api_errors import ERROR_DESCRIPTIONS, ERROR_EXAMPLES, ErrorSerializer
from reports import selectors
from reports.api.serializers import (
    BacklogReportSerializer,
    ComplianceReportSerializer,
    PeriodQuerySerializer,
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
}
# 400, 401, 429 are documented for every operation (helpdesk.api_errors.AutoSchema); a GET
# gets no 403 there, but these refuse customers.
ERRORS = {
    403: OpenApiResponse(
        ErrorSerializer,
        description=ERROR_DESCRIPTIONS["403"],
        examples=[ERROR_EXAMPLES["403"]],
    ),
}


class IsAnalyst(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class ReportView(APIView):
    permission_classes = [IsAnalyst]

    def period(self, request) -> selectors.Period:
        query = PeriodQuerySerializer(
            data=request.query_params,
            context={"default": selectors.Period.default(today=timezone.localdate())},
        )
        query.is_valid(raise_exception=True)
        return selectors.Period(**query.validated_data)


class ComplianceReportView(ReportView):
    """SLA compliance by month, level, organization and analyst."""

    @extend_schema(
        parameters=[PeriodQuerySerializer],
        responses={200: ComplianceReportSerializer, **ERRORS},
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
        return Response(ComplianceReportSerializer(report).data)


class BacklogReportView(ReportView):
    """Open tickets by level and age, and the clocks breaching in the next 24 hours."""

    @extend_schema(
        parameters=[PeriodQuerySerializer],
        responses={200: BacklogReportSerializer, **ERRORS},
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
        return Response(BacklogReportSerializer(report).data)
