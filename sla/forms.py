"""Admin forms of the SLA domain: checks that span several rows of an inline."""

from collections import defaultdict
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from sla.business_time import BusinessTimeError, Period


class NonOverlappingPeriodsFormSet(BaseInlineFormSet):
    """Periods of the same day (weekday or date) must not overlap."""

    day_field = "weekday"

    def clean(self) -> None:
        super().clean()
        by_day: dict[object, list[Period]] = defaultdict(list)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("start") or not data.get("end"):
                continue
            try:
                by_day[data[self.day_field]].append(Period.from_times(data["start"], data["end"]))
            except BusinessTimeError:
                continue  # the row's own validation reports a reversed period
        for day, periods in by_day.items():
            periods.sort()
            for before, after in pairwise(periods):
                if after.start < before.end:
                    raise ValidationError(
                        _("Two periods of %(day)s overlap: merge them or move one.")
                        % {"day": self._day_label(day)}
                    )

    def _day_label(self, day) -> str:
        field = self.form.base_fields[self.day_field]
        choices = dict(getattr(field, "choices", ()))
        return str(choices.get(day, day))


class WeekdayPeriodsFormSet(NonOverlappingPeriodsFormSet):
    day_field = "weekday"


class ExtraDayPeriodsFormSet(NonOverlappingPeriodsFormSet):
    day_field = "date"
