"""API shapes of tickets: separate input and output serializers, explicit fields."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sla import selectors as sla_selectors
from sla.models import PriorityLevel, SLAClock
from tickets.models import Integration, Organization, Ticket


class NamedRelatedField(serializers.SlugRelatedField):
    """A related object named by its code, slug or username.

    A NUL character can name nothing; PostgreSQL refuses it in a query (a 500), so it is
    refused here as a name that does not exist.
    """

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class ClockSerializer(serializers.ModelSerializer):
    budget_seconds = serializers.SerializerMethodField()
    paused_seconds = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField(
        help_text=(
            "on_track, at_risk (past the level's warning threshold), breached (once breached, "
            "always), paused, met; on a closed or cancelled ticket: met, breached or "
            "not_applicable."
        )
    )

    class Meta:
        model = SLAClock
        fields = [
            "metric",
            "clock",
            "budget_seconds",
            "due_at",
            "state",
            "verdict",
            "met_at",
            "breached_at",
            "paused_seconds",
        ]

    def get_budget_seconds(self, clock) -> int:
        return int(clock.budget.total_seconds())

    def get_paused_seconds(self, clock) -> int:
        return int(clock.paused_total.total_seconds())

    def get_verdict(self, clock) -> str:
        now = self.context.setdefault("now", timezone.now())
        return sla_selectors.clock_verdict(clock, now, finished=not clock.ticket.is_open)


class TicketSerializer(serializers.ModelSerializer):
    priority = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requester = serializers.SlugRelatedField(slug_field="username", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    integration = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    clocks = ClockSerializer(many=True, read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "reference",
            "subject",
            "description",
            "category",
            "affected_service",
            "scope",
            "priority",
            "status",
            "channel",
            "sender_verified",
            "organization",
            "requester",
            "assignee",
            "integration",
            "integration_24x7",
            "integration_24x7_detail",
            "reported_at",
            "next_due_at",
            "clocks",
            "origin",
            "waiting_reason",
            "resolved_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TicketListSerializer(TicketSerializer):
    """A ticket in a list: everything but its description (the detail has it), so a page of
    tickets stays a few kilobytes whatever customers wrote."""

    class Meta(TicketSerializer.Meta):
        fields = [name for name in TicketSerializer.Meta.fields if name != "description"]
        read_only_fields = fields


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    priority = NamedRelatedField(slug_field="code", queryset=PriorityLevel.objects.all())
    category = serializers.ChoiceField(choices=Ticket.Category.choices, default="other")
    affected_service = serializers.CharField(max_length=100, required=False, default="")
    scope = serializers.ChoiceField(choices=Ticket.Scope.choices, default="one")
    integration = serializers.PrimaryKeyRelatedField(
        queryset=Integration.objects.all(), required=False, allow_null=True
    )
    organization = NamedRelatedField(
        slug_field="slug",
        queryset=Organization.objects.all(),
        required=False,
        help_text=_("Analysts only: the customer organization."),
    )
    requester = NamedRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(membership__isnull=False),
        required=False,
        help_text=_("Analysts only: the customer who reported it."),
    )

    def validate(self, data):
        user = self.context["request"].user
        if user.is_staff:
            if not data.get("organization") or not data.get("requester"):
                raise serializers.ValidationError(
                    _("Analysts give the organization and the requester.")
                )
            if data["requester"].membership.organization_id != data["organization"].pk:
                raise serializers.ValidationError(
                    {"requester": _("The requester must be a member of the organization.")}
                )
        else:
            data["organization"] = user.membership.organization
            data["requester"] = user
        integration = data.get("integration")
        if integration is not None and integration.organization_id != data["organization"].pk:
            raise serializers.ValidationError(
                {"integration": _("The integration must belong to the ticket's organization.")}
            )
        return data


class TicketUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["subject", "description", "category", "affected_service", "scope"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ticket.Status.choices)
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    origin = serializers.ChoiceField(choices=Ticket.Origin.choices, required=False)
    evidence_note = serializers.CharField(max_length=5000, required=False, default="")


class AssignSerializer(serializers.Serializer):
    analyst = NamedRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True),
    )
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class PrioritySerializer(serializers.Serializer):
    priority = NamedRelatedField(slug_field="code", queryset=PriorityLevel.objects.all())
    reason = serializers.CharField(max_length=300)


class PriorityLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriorityLevel
        fields = ["number", "code", "name", "impact", "description", "integration_24x7_eligible"]
