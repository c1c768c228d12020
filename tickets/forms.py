"""Forms of the back office: opening a ticket by hand, and each lifecycle action."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.forms import MultipleFileField
from sla.models import PriorityLevel
from tickets import services
from tickets.models import Integration, OrganizationMember, Ticket
from tickets.timezones import zone_names


def analysts():
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")


class TicketAddForm(forms.ModelForm):
    """An analyst opens a ticket for a customer (a phone call, an e-mail forwarded by hand)."""

    assignee = forms.ModelChoiceField(
        queryset=analysts(), required=False, label=_("assign to"), help_text=_("Optional.")
    )

    class Meta:
        model = Ticket
        fields = [
            "organization",
            "requester",
            "subject",
            "description",
            "category",
            "affected_service",
            "scope",
            "priority",
            "integration",
            "channel",
            "reported_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = analysts()
        self.fields["requester"].queryset = get_user_model().objects.filter(
            membership__isnull=False
        )
        self.fields["reported_at"].required = False
        self.fields["reported_at"].help_text = _(
            "When the customer communicated (empty: now). Every clock starts here."
        )

    def clean_reported_at(self):
        reported_at = self.cleaned_data.get("reported_at")
        if reported_at and reported_at > timezone.now():
            raise forms.ValidationError(_("The report cannot be in the future."))
        return reported_at

    def clean(self):
        cleaned = super().clean()
        organization = cleaned.get("organization")
        requester = cleaned.get("requester")
        integration: Integration | None = cleaned.get("integration")
        if organization and integration and integration.organization_id != organization.pk:
            self.add_error(
                "integration", _("The integration must belong to the ticket's organization.")
            )
        if organization and requester:
            membership = getattr(requester, "membership", None)
            if membership is None or membership.organization_id != organization.pk:
                self.add_error(
                    "requester", _("The requester must be a member of the organization.")
                )
        priority = cleaned.get("priority")
        if organization and priority and "reported_at" not in self.errors:
            try:
                services.ticket_rules_check(
                    organization=organization,
                    priority=priority,
                    reported_at=cleaned.get("reported_at") or timezone.now(),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class TicketEditForm(forms.ModelForm):
    """What an analyst may edit in place; status, priority and assignee have their own actions."""

    class Meta:
        model = Ticket
        fields = ["subject", "description", "category", "affected_service", "scope"]


class AssignForm(forms.Form):
    analyst = forms.ModelChoiceField(queryset=analysts(), label=_("analyst"))
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analyst"].queryset = analysts()


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("new status"), choices=Ticket.Status.choices)
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        max_length=300,
        help_text=_("Required when waiting on the customer or cancelling."),
    )
    origin = forms.ChoiceField(
        label=_("root-cause origin"), choices=[("", "—"), *Ticket.Origin.choices], required=False
    )
    evidence_note = forms.CharField(
        label=_("evidence (written note)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evidence_file = forms.FileField(label=_("evidence (file)"), required=False)


class PriorityForm(forms.Form):
    level = forms.ModelChoiceField(queryset=PriorityLevel.objects.all(), label=_("new priority"))
    reason = forms.CharField(label=_("reason"), max_length=300)


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("merge into (reference of the ticket that stays)"),
        max_length=20,
        help_text=_(
            "The selected tickets are cancelled as duplicates; their messages move there, and "
            "its clocks count from the earliest report."
        ),
    )

    def clean_into(self):
        reference = self.cleaned_data["into"].strip().upper()
        ticket = Ticket.objects.filter(reference=reference).first()
        if ticket is None:
            raise forms.ValidationError(_("No ticket has this reference."))
        return ticket


class PortalFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("any")), *Ticket.Status.choices]
    )
    priority = forms.ModelChoiceField(
        label=_("priority"), required=False, queryset=PriorityLevel.objects.all()
    )


class PortalTicketForm(forms.Form):
    """A customer's new ticket; the level is chosen with the policy's own descriptions."""

    subject = forms.CharField(label=_("subject"), max_length=200)
    description = forms.CharField(
        label=_("what happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you see, since when, and who is affected."),
    )
    priority = forms.ModelChoiceField(
        label=_("level"),
        queryset=PriorityLevel.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    category = forms.ChoiceField(label=_("category"), choices=Ticket.Category.choices)
    affected_service = forms.CharField(
        label=_("affected product or service"), required=False, max_length=100
    )
    scope = forms.ChoiceField(label=_("who is affected"), choices=Ticket.Scope.choices)
    integration = forms.ModelChoiceField(
        label=_("integration"), required=False, queryset=Integration.objects.none()
    )
    files = MultipleFileField(label=_("attachments"), required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["integration"].queryset = organization.integrations.all()

    def level_guide(self) -> list[dict]:
        """Each level with its meaning and the deadlines the organization's policy gives it.

        When the organization's contract includes 24x7 integration support, the levels it covers
        also carry the resolution target that applies to an integration built by the vendor.
        """
        from sla import selectors as sla_selectors
        from sla import services as sla_services

        contract = sla_selectors.contract_in_force(self.organization, timezone.localdate())
        policy = contract.policy if contract else sla_selectors.default_policy()
        if policy is None:
            return []
        policy = sla_selectors.policies_with_rules().get(pk=policy.pk)
        business_day = sla_selectors.business_time_for(policy.calendar).spec.longest_day
        has_24x7 = bool(contract and contract.integration_24x7)
        guide = []
        for target in policy.targets.all():
            first, resolution = sla_services.targets_for(
                target, integration_24x7=False, business_day=business_day
            )
            covered = has_24x7 and target.level.integration_24x7_eligible
            _first, covered_resolution = sla_services.targets_for(
                target, integration_24x7=covered, business_day=business_day
            )
            guide.append(
                {
                    "level": target.level,
                    "business_day": business_day,
                    "first_response": (first.duration, first.clock.code),
                    "resolution": (resolution.duration, resolution.clock.code),
                    "integration_24x7": covered,
                    "integration_24x7_resolution": (
                        (covered_resolution.duration, covered_resolution.clock.code)
                        if covered and covered_resolution != resolution
                        else None
                    ),
                }
            )
        return guide


class PortalPreferencesForm(forms.ModelForm):
    """What customers choose for themselves: their time zone, their e-mails' language."""

    class Meta:
        model = OrganizationMember
        fields = ["time_zone", "language"]

    def __init__(self, *args, calendar_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        default = _("The support calendar's zone (%(zone)s)") % {"zone": calendar_zone}
        self.fields["time_zone"].widget = forms.Select(
            choices=[("", default), *((name, name) for name in zone_names())],
            attrs={"aria-describedby": "time-zone-help"},
        )


class ColleagueChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class PortalShareForm(forms.Form):
    """Which colleagues of the organization may follow a ticket."""

    members = ColleagueChoiceField(
        label=_("colleagues who can follow this ticket"),
        required=False,
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            get_user_model()
            .objects.filter(membership__organization_id=ticket.organization_id, is_active=True)
            .exclude(pk=ticket.requester_id)
            .order_by("first_name", "username")
        )
