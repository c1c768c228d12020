"""Forms of the automation back office: macros, triage rules, choosing a macro to apply."""

from django import forms
from django.utils.translation import gettext_lazy as _

from automation import selectors
from automation.models import Macro, TriageRule
from automation.placeholders import placeholders_help
from tickets.models import Ticket

_PLACEHOLDERS_HELP = _("Placeholders: %(names)s.")


class MacroForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = [
            "name",
            "visibility",
            "is_active",
            "reply_pt_br",
            "reply_en",
            "reply_es",
            "note",
            "priority",
            "assignee",
            "assign_to_applier",
            "status",
            "status_reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = placeholders_help()
        for name in ("reply_pt_br", "reply_en", "reply_es", "note"):
            if name in self.fields:
                self.fields[name].help_text = _PLACEHOLDERS_HELP % {"names": names}
        if "reply_pt_br" in self.fields:
            self.fields["reply_pt_br"].help_text = "{} {}".format(
                _("Used when the customer's language has no text."),
                self.fields["reply_pt_br"].help_text,
            )


class TriageRuleForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=Ticket.Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Through which channels (none chosen: any)."),
    )

    class Meta:
        model = TriageRule
        fields = [
            "name",
            "position",
            "is_active",
            "when",
            "channels",
            "words",
            "sender_domains",
            "organizations",
            "integration",
            "levels",
            "set_level",
            "set_assignee",
            "set_team",
            "note",
            "macro",
            "stop_processing",
        ]
        widgets = {"levels": forms.CheckboxSelectMultiple}


class MacroChoiceForm(forms.Form):
    """The macro an analyst picks to apply (theirs or a shared one)."""

    macro = forms.ModelChoiceField(
        queryset=Macro.objects.none(), label=_("macro"), empty_label=_("— choose a macro —")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["macro"].queryset = selectors.macros_usable_by(user).order_by("name", "pk")
