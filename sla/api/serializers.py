from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sla import services


class DeadlinePreviewQuerySerializer(serializers.Serializer):
    priority = serializers.SlugField(max_length=30, help_text=_("Priority level code."))
    reported_at = serializers.CharField(
        max_length=64,
        help_text=_("ISO 8601 instant with its offset, e.g. 2026-11-27T17:00:00-03:00."),
    )
    integration_24x7 = serializers.BooleanField(
        default=False, help_text=_("The incident is covered by 24x7 integration support.")
    )
    policy = serializers.SlugField(
        max_length=50, required=False, help_text=_("Policy slug; the default policy if absent.")
    )

    def validate_reported_at(self, value: str):
        try:
            return services.parse_reported_at(value)
        except services.SLAError as error:
            raise serializers.ValidationError(str(error)) from None


class DeadlinePreviewSerializer(serializers.Serializer):
    policy = serializers.CharField()
    priority = serializers.CharField()
    reported_at = serializers.CharField()
    first_response_due = serializers.CharField()
    resolution_due = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    level = serializers.CharField(source="level.code")
    name = serializers.CharField(source="level.name")
    first_response_seconds = serializers.IntegerField()
    first_response_clock = serializers.CharField()
    resolution_seconds = serializers.IntegerField()
    resolution_clock = serializers.CharField()
    integration_24x7_resolution_seconds = serializers.IntegerField(allow_null=True)


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}:\d{2}$", "example": "09:00:00"})
class WallClockTimeField(serializers.TimeField):
    """A time of day in the calendar's zone, without offset.

    JSON Schema's ``time`` format demands an offset (RFC 3339), which a weekly period has not.
    """


class WorkingPeriodSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text=_("0 = Monday"))
    start = WallClockTimeField(help_text=_("Local time in the calendar's zone."))
    end = WallClockTimeField(help_text=_("Local time in the calendar's zone."))


class HolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField()


class ActivePolicySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    timezone = serializers.CharField()
    working_periods = WorkingPeriodSerializer(many=True)
    upcoming_holidays = HolidaySerializer(many=True)
    targets = TargetSerializer(many=True)
    integration_24x7 = serializers.BooleanField()
    on_call_phone = serializers.CharField(allow_blank=True)
