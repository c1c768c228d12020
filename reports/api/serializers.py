from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reports.forms import check_period


class PeriodQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(
        required=False, help_text=_("First day of reports (default: 5 months ago, day 1).")
    )
    date_to = serializers.DateField(required=False, help_text=_("Last day (default: today)."))

    def validate(self, attrs):
        default = self.context["default"]
        date_from = attrs.get("date_from") or default.date_from
        date_to = attrs.get("date_to") or max(default.date_to, date_from)
        errors = check_period(date_from, date_to)
        if errors:
            raise serializers.ValidationError({name: [message] for name, message in errors.items()})
        return {"date_from": date_from, "date_to": date_to}


class ReportQuerySerializer(PeriodQuerySerializer):
    # Read by DRF's content negotiation (URL_FORMAT_OVERRIDE); declared here so that it is
    # documented and an unknown value is a 400 like any other bad filter value.
    format = serializers.ChoiceField(
        choices=["json", "csv"],
        required=False,
        allow_blank=True,
        help_text=_(
            "csv: the table as a CSV file, as the admin's download (same as Accept: text/csv)."
        ),
    )


def _hours(help_text):
    return serializers.FloatField(allow_null=True, help_text=help_text)


class ComplianceRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("Month (YYYY-MM) or the id of the level, etc."))
    label = serializers.CharField()
    tickets = serializers.IntegerField()
    first_response_met = serializers.IntegerField()
    first_response_breached = serializers.IntegerField()
    first_response_open = serializers.IntegerField()
    first_response_compliance = serializers.FloatField(
        allow_null=True, help_text=_("% of met among met and breached clocks.")
    )
    first_response_median_hours = _hours(_("Median time used, in the clock's hours."))
    first_response_p90_hours = _hours(_("90th percentile of the time used."))
    resolution_met = serializers.IntegerField()
    resolution_breached = serializers.IntegerField()
    resolution_open = serializers.IntegerField()
    resolution_compliance = serializers.FloatField(allow_null=True)
    resolution_median_hours = _hours(_("Median time used, in the clock's hours."))
    resolution_p90_hours = _hours(_("90th percentile of the time used."))
    waiting_hours = serializers.FloatField(
        allow_null=True, help_text=_("Time spent waiting on the customer.")
    )
    ratings = serializers.IntegerField(
        help_text=_("Satisfaction ratings given on these tickets (1-5, one per resolution).")
    )
    rating_average = serializers.FloatField(allow_null=True)
    ratings_low = serializers.IntegerField(help_text=_("Ratings of 1 or 2."))


class ComplianceGroupsSerializer(serializers.Serializer):
    month = ComplianceRowSerializer(many=True)
    level = ComplianceRowSerializer(many=True)
    organization = ComplianceRowSerializer(many=True)
    analyst = ComplianceRowSerializer(many=True)


class ComplianceReportSerializer(serializers.Serializer):
    date_from = serializers.DateField(source="period.date_from")
    date_to = serializers.DateField(source="period.date_to")
    generated_at = serializers.DateTimeField()
    groups = ComplianceGroupsSerializer()


class BacklogLevelSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    total = serializers.IntegerField()
    age_under_1d = serializers.IntegerField()
    age_1_3d = serializers.IntegerField()
    age_3_7d = serializers.IntegerField()
    age_7_30d = serializers.IntegerField()
    age_over_30d = serializers.IntegerField()
    overdue = serializers.IntegerField()
    next_4h = serializers.IntegerField()
    next_24h = serializers.IntegerField()


class BreachingClockSerializer(serializers.Serializer):
    reference = serializers.CharField(source="ticket.reference")
    organization = serializers.CharField(source="ticket.organization.name")
    level = serializers.CharField(source="ticket.priority.code")
    metric = serializers.CharField()
    due_at = serializers.DateTimeField()
    assignee = serializers.CharField(source="ticket.assignee.username", allow_null=True)


class BacklogReportSerializer(serializers.Serializer):
    date_from = serializers.DateField(source="period.date_from")
    date_to = serializers.DateField(source="period.date_to")
    generated_at = serializers.DateTimeField()
    levels = BacklogLevelSerializer(many=True)
    breaching = BreachingClockSerializer(many=True)
