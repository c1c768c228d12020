"""Back-office forms of the written record (the ticket page's reply, note, call, agreement)."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communications.models import Agreement, Call
from helpdesk.forms import MultipleFileField


class MessageForm(forms.Form):
    body = forms.CharField(label=_("message"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("attachments"), required=False)


class CallForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Call.Kind.choices)
    started_at = forms.DateTimeField(label=_("date and time"), initial=timezone.now)
    duration_minutes = forms.IntegerField(label=_("duration (minutes)"), min_value=1)
    participants = forms.CharField(label=_("participants"), max_length=500)
    summary = forms.CharField(
        label=_("written summary"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was said and decided: a call is recorded only in writing."),
    )

    def clean_started_at(self):
        started_at = self.cleaned_data["started_at"]
        if started_at > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("A call cannot be recorded before it happens."))
        return started_at


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Agreement.Kind.choices)
    text = forms.CharField(label=_("what was agreed"), widget=forms.Textarea(attrs={"rows": 3}))
    customer_party = forms.CharField(label=_("agreed by (customer)"), max_length=200)
    agreed_date = forms.DateTimeField(label=_("date agreed"), required=False)
    supersedes = forms.ModelChoiceField(
        label=_("corrects"),
        queryset=Agreement.objects.none(),
        required=False,
        help_text=_("Choose the version this one corrects; both stay on the record."),
    )

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        if ticket is not None:
            self.fields["supersedes"].queryset = Agreement.objects.current().filter(ticket=ticket)
