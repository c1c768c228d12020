from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.selectors import Period

# Reports cover what the desk may have recorded: far-off years are a mistake, not a query.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
LONGEST_SPAN_DAYS = 3660


def check_period(date_from: date, date_to: date) -> dict[str, str]:
    """Errors of a date range, by field (empty when it is usable)."""
    errors = {}
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if not EARLIEST <= value <= LATEST:
            errors[name] = _("Choose a date between %(earliest)s and %(latest)s.") % {
                "earliest": EARLIEST.isoformat(),
                "latest": LATEST.isoformat(),
            }
    if not errors and date_from > date_to:
        errors["date_to"] = _("The end date must not be before the start date.")
    elif not errors and (date_to - date_from).days > LONGEST_SPAN_DAYS:
        errors["date_to"] = _("Choose a range of at most ten years.")
    return errors


class PeriodForm(forms.Form):
    """Tickets reported from one date to another (both included); empty: the last 6 months."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.default = Period.default(today=today)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        date_from = data.get("date_from") or self.default.date_from
        date_to = data.get("date_to") or max(self.default.date_to, date_from)
        for name, message in check_period(date_from, date_to).items():
            self.add_error(name, message)
        data["period"] = Period(date_from, date_to)
        return data
