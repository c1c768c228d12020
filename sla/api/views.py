from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from sla import services
from sla.api.serializers import (
    ActivePolicySerializer,
    DeadlinePreviewQuerySerializer,
    DeadlinePreviewSerializer,
)


class DeadlinePreviewView(APIView):
    """Deadlines a ticket would get if reported at a given instant."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[DeadlinePreviewQuerySerializer],
        responses={200: DeadlinePreviewSerializer},
        examples=[
            OpenApiExample(
                "Alta reported on a Friday afternoon",
                value={
                    "policy": "default",
                    "priority": "alta",
                    "reported_at": "2026-11-27T17:00:00-03:00",
                    "first_response_due": "2026-11-30T10:00:00-03:00",
                    "resolution_due": "2026-11-30T16:00:00-03:00",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        query = DeadlinePreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            deadlines = services.deadline_preview(
                priority=query.validated_data["priority"],
                reported_at=query.validated_data["reported_at"],
                integration_24x7=query.validated_data["integration_24x7"],
                policy_slug=query.validated_data.get("policy"),
                user=request.user,
            )
        except services.SLAError as error:
            raise serializers.ValidationError({"non_field_errors": [str(error)]}) from None
        return Response(DeadlinePreviewSerializer(deadlines.as_json()).data)


class ActivePolicyView(APIView):
    """The policy that applies to the user's organization, as the engine enforces it."""

    @extend_schema(
        responses={200: ActivePolicySerializer},
        examples=[
            OpenApiExample(
                "The default policy",
                value={
                    "slug": "default",
                    "name": "Política de suporte padrão",
                    "timezone": "America/Sao_Paulo",
                    "working_periods": [{"weekday": 0, "start": "09:00:00", "end": "18:00:00"}],
                    "upcoming_holidays": [{"date": "2026-12-25", "name": "Natal"}],
                    "targets": [
                        {
                            "level": "alta",
                            "name": "Alta",
                            "first_response_seconds": 7200,
                            "first_response_clock": "business",
                            "resolution_seconds": 28800,
                            "resolution_clock": "business",
                            "integration_24x7_resolution_seconds": 28800,
                        }
                    ],
                    "integration_24x7": False,
                    "on_call_phone": "",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        overview = services.policy_overview(user=request.user, today=timezone.localdate())
        if overview is None:
            raise NotFound(_("No SLA policy is configured."))
        return Response(ActivePolicySerializer(overview).data)
