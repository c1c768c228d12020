"""Forms of the portal board and the back office: they validate, services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from feature_requests.models import FeatureRequest
from tickets.models import Ticket

Status = FeatureRequest.Status


class BoardFilterForm(forms.Form):
    SORT_CHOICES = [
        ("votes", _("most votes")),
        ("newest", _("newest")),
        ("updated", _("recently updated")),
    ]

    q = forms.CharField(label=_("search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("any")), *Status.choices]
    )
    product_area = forms.ChoiceField(
        label=_("product area"),
        required=False,
        choices=[("", _("any")), *FeatureRequest.ProductArea.choices],
    )
    sort = forms.ChoiceField(label=_("sort by"), required=False, choices=SORT_CHOICES)


class FeatureRequestForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you need, and what it would let you do."),
    )
    product_area = forms.ChoiceField(
        label=_("product area"), choices=FeatureRequest.ProductArea.choices
    )
    is_private = forms.BooleanField(
        label=_("only my organization may see it"),
        required=False,
        help_text=_("Others cannot vote on a private request."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("comment"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("new status"),
        choices=[(value, label) for value, label in Status.choices if value != Status.MERGED],
    )
    reason = forms.CharField(
        label=_("public reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Subscribers read it on the request's page and in the e-mail."),
    )


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(
        label=_("merge into"),
        queryset=FeatureRequest.objects.exclude(status=Status.MERGED).order_by("-pk"),
        help_text=_("The request that stays: votes and subscribers move to it."),
    )
    reason = forms.CharField(label=_("public reason"), max_length=2000, required=False)


class LinkTicketForm(forms.Form):
    reference = forms.CharField(label=_("ticket reference"), max_length=20)

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        ticket = Ticket.objects.filter(reference=reference).first()
        if ticket is None:
            raise forms.ValidationError(_("No ticket has this reference."))
        self.cleaned_data["ticket"] = ticket
        return reference
