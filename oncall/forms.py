"""The one form an analyst fills while on the phone: who called, about what, for which ticket."""

from datetime import timedelta

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from oncall.services import Caller
from sla.models import PriorityLevel
from tickets.models import Integration, Organization, Ticket

# A call is written down while it happens or soon after; its time starts a ticket's clocks.
RECORDED_WITHIN = timedelta(days=30)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        name = user.get_full_name() or user.username
        return f"{name} <{user.email}> — {user.membership.organization}"


class IntegrationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, integration):
        return f"{integration.organization} — {integration} ({integration.get_built_by_display()})"


class CallForm(forms.Form):
    called_at = forms.SplitDateTimeField(
        label=_("Call started at"), widget=AdminSplitDateTime, initial=timezone.now
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=24 * 60, initial=5
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.order_by("name")
    )
    ticket_reference = forms.CharField(
        label=_("Existing ticket"),
        max_length=20,
        required=False,
        help_text=_("Its reference, e.g. HD-2026-000123, if the call is about an open ticket."),
    )
    caller = MemberChoiceField(
        label=_("Caller"),
        required=False,
        queryset=get_user_model()
        .objects.filter(membership__isnull=False, is_active=True)
        .select_related("membership__organization")
        .order_by("membership__organization__name", "first_name", "username"),
        help_text=_("A person of the organization; if not listed, fill in the next fields."),
    )
    caller_name = forms.CharField(label=_("New caller's name"), max_length=150, required=False)
    caller_email = forms.EmailField(label=_("New caller's e-mail"), required=False)
    caller_phone = forms.CharField(label=_("Number called from"), max_length=40, required=False)
    integration = IntegrationChoiceField(
        label=_("Integration"),
        required=False,
        queryset=Integration.objects.select_related("organization").order_by(
            "organization__name", "name"
        ),
    )
    level = forms.ModelChoiceField(
        label=_("Level"),
        required=False,
        queryset=PriorityLevel.objects.all(),
        help_text=_("Of a new ticket (a call about an existing ticket keeps its level)."),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        required=False,
        help_text=_("Of a new ticket (empty: the summary's first line)."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the caller reported and what was agreed, as the written record."),
    )
    assign_to_me = forms.BooleanField(
        label=_("Assign the ticket to me"), required=False, initial=True
    )

    def clean_ticket_reference(self):
        reference = self.cleaned_data["ticket_reference"].strip().upper()
        if not reference:
            return None
        ticket = Ticket.objects.select_related("organization").filter(reference=reference).first()
        if ticket is None:
            raise forms.ValidationError(_("No ticket has this reference."))
        return ticket

    def clean_called_at(self):
        called_at = self.cleaned_data["called_at"]
        now = timezone.now()
        if called_at > now:
            raise forms.ValidationError(_("The call cannot start in the future."))
        if called_at < now - RECORDED_WITHIN:
            raise forms.ValidationError(
                ngettext(
                    "Record calls of the last %(days)d day; older ones go on the ticket as notes.",
                    "Record calls of the last %(days)d days; older ones go on the ticket as notes.",
                    RECORDED_WITHIN.days,
                )
                % {"days": RECORDED_WITHIN.days}
            )
        return called_at

    def clean(self):
        data = super().clean()
        organization = data.get("organization")
        ticket = data.get("ticket_reference")
        if organization is None:
            return data
        if ticket is not None and ticket.organization_id != organization.pk:
            self.add_error("ticket_reference", _("This ticket belongs to another organization."))
        integration = data.get("integration")
        if integration is not None and integration.organization_id != organization.pk:
            self.add_error("integration", _("This integration belongs to another organization."))
        caller = data.get("caller")
        if caller is not None and caller.membership.organization_id != organization.pk:
            self.add_error("caller", _("This person belongs to another organization."))
        if ticket is None and "ticket_reference" not in self.errors:
            if data.get("level") is None:
                self.add_error("level", _("Choose the level of the new ticket."))
            if caller is None and not data.get("caller_email"):
                self.add_error(
                    "caller", _("Choose the caller, or give the new caller's name and e-mail.")
                )
        return data

    def call_caller(self) -> Caller:
        data = self.cleaned_data
        return Caller(
            member=data.get("caller"),
            name=data.get("caller_name", "").strip(),
            email=data.get("caller_email", "").strip(),
            phone=data.get("caller_phone", "").strip(),
        )

    def duration(self) -> timedelta:
        return timedelta(minutes=self.cleaned_data["duration_minutes"])
