from django import forms
from django.utils.translation import gettext_lazy as _

SCORES = [(score, str(score)) for score in range(1, 6)]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How did we do? (1: very bad, 5: very good)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong? (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
