"""The saved view's form (each filter validated at the edge, stored as plain values) and the
ticket page's reply box."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from communications.forms import MessageForm
from sla.models import PriorityLevel
from tickets.models import Organization, Ticket
from workspace.models import SavedView
from workspace.services import Response

SLA_STATE_CHOICES = [
    ("breached", _("breached")),
    ("at_risk", _("at risk")),
    ("running", _("running")),
    ("paused", _("paused")),
    ("met", _("all met")),
]
ASSIGNED_TO_WHOEVER_LOOKS = [
    ("me", _("the analyst looking at the view")),
    ("unassigned", _("unassigned")),
]
_DATE_RANGES = (("reported_from", "reported_to"), ("due_from", "due_to"))


def _analysts():
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")


class SavedViewForm(forms.ModelForm):
    """Name, sharing and order of a view, and its filters: several values each, combined."""

    statuses = forms.MultipleChoiceField(
        label=_("statuses"),
        choices=Ticket.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every open status (not resolved, closed or cancelled)."),
    )
    levels = forms.ModelMultipleChoiceField(
        label=_("priority levels"),
        queryset=PriorityLevel.objects.order_by("number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("organizations"), queryset=Organization.objects.all(), required=False
    )
    assigned = forms.MultipleChoiceField(
        label=_("assignee"),
        choices=ASSIGNED_TO_WHOEVER_LOOKS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    analysts = forms.ModelMultipleChoiceField(
        label=_("assigned to these analysts"),
        queryset=_analysts(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=Ticket.Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sla_states = forms.MultipleChoiceField(
        label=_("SLA state"),
        choices=SLA_STATE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reported_from = forms.DateField(label=_("reported from"), required=False)
    reported_to = forms.DateField(label=_("reported until"), required=False)
    due_from = forms.DateField(label=_("next deadline from"), required=False)
    due_to = forms.DateField(label=_("next deadline until"), required=False)

    # Whose view a new one is (the admin sets it to whoever adds it): names are unique per owner.
    owner = None

    class Meta:
        model = SavedView
        fields = ["name", "shared", "order", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analysts"].queryset = _analysts()
        # Thousands of organizations: typed and looked up, as the ticket form does.
        organizations = self.fields["organizations"]
        organizations.widget = AutocompleteSelectMultiple(
            Ticket._meta.get_field("organization"), admin.site
        )
        organizations.widget.choices = organizations.choices
        stored = self.instance.filters if isinstance(self.instance.filters, dict) else {}
        for name in ("statuses", "levels", "organizations", "channels", "sla_states"):
            self.initial.setdefault(name, stored.get(name, []))
        assignees = stored.get("assignees", [])
        self.initial.setdefault(
            "assigned", [a for a in assignees if a in dict(ASSIGNED_TO_WHOEVER_LOOKS)]
        )
        self.initial.setdefault("analysts", [a for a in assignees if isinstance(a, int)])
        for start, end in _DATE_RANGES:
            self.initial.setdefault(start, stored.get(start))
            self.initial.setdefault(end, stored.get(end))

    def clean(self):
        data = super().clean()
        owner_id = self.instance.owner_id or getattr(self.owner, "pk", None)
        name = data.get("name")
        if (
            name
            and owner_id
            and SavedView.objects.filter(owner_id=owner_id, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("name", _("You already have a view with this name."))
        for start, end in _DATE_RANGES:
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, _("The end of the range comes before its start."))
        return data

    def filters(self) -> dict:
        """The validated filters as stored in `SavedView.filters` (empty ones left out)."""
        data = self.cleaned_data
        stored = {
            "statuses": list(data.get("statuses") or []),
            "levels": [level.pk for level in data.get("levels") or []],
            "organizations": [org.pk for org in data.get("organizations") or []],
            "assignees": list(data.get("assigned") or [])
            + [user.pk for user in data.get("analysts") or []],
            "channels": list(data.get("channels") or []),
            "sla_states": list(data.get("sla_states") or []),
        }
        for start, end in _DATE_RANGES:
            for name in (start, end):
                if data.get(name):
                    stored[name] = data[name].isoformat()
        return {key: value for key, value in stored.items() if value}

    def save(self, commit=True):
        self.instance.filters = self.filters()
        return super().save(commit)


class ResponseForm(MessageForm):
    """The ticket page's reply box: the text, what to do with it (the button pressed), and
    what the page had seen when it was typed."""

    response = forms.ChoiceField(choices=Response.choices, initial=Response.REPLY)
    reason = forms.CharField(
        label=_("what the customer needs to provide"),
        required=False,
        max_length=300,
        help_text=_("Required to set the ticket waiting on the customer."),
    )
    assign_to_me = forms.BooleanField(label=_("assign to me"), required=False, initial=True)
    # The newest message on the page when it was loaded: a reply sent after a newer one
    # arrived is held back once, to be read first (see TicketAdmin.respond_view).
    seen_message = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
