"""Business calendars: weekly working periods, holidays, closures and extra working days."""

from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from helpdesk.db import TimeStampedModel
from sla import business_time

MIDNIGHT = time(0)


def validate_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("“%(zone)s” is not a known time zone."), params={"zone": value}
        ) from None


def _ends_before_start(start: time | None, end: time | None) -> bool:
    """Whether a period is empty or reversed (an end of 00:00 is midnight, after any start)."""
    return start is not None and end is not None and end != MIDNIGHT and end <= start


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BusinessCalendar(TimeStampedModel):
    """When the support desk works: weekly periods, holidays, closures and extra days."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="America/Sao_Paulo", validators=[validate_timezone]
    )
    holiday_country = models.CharField(
        _("holiday country"),
        max_length=2,
        blank=True,
        default="BR",
        help_text=_("ISO 3166 code whose public holidays close the desk; empty for none."),
    )
    holiday_subdivision = models.CharField(
        _("holiday subdivision"),
        max_length=10,
        blank=True,
        help_text=_("Optional state or region, e.g. SP, whose holidays also close the desk."),
    )
    holiday_categories = models.CharField(
        _("holiday categories"),
        max_length=100,
        default="public",
        help_text=_("Comma-separated categories of the holidays library, e.g. public,optional."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    @property
    def category_list(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.holiday_categories.split(",") if c.strip())

    def clean(self) -> None:
        if not self.holiday_country:
            return
        supported = holidays_lib.list_supported_countries()
        if self.holiday_country not in supported:
            raise ValidationError(
                {"holiday_country": _("The holidays library does not know this country.")}
            )
        if (
            self.holiday_subdivision
            and self.holiday_subdivision not in supported[self.holiday_country]
        ):
            raise ValidationError(
                {
                    "holiday_subdivision": _("Unknown subdivision; use one of: %(codes)s.")
                    % {"codes": ", ".join(supported[self.holiday_country])}
                }
            )
        try:
            holidays_lib.country_holidays(
                self.holiday_country, years=date.today().year, categories=self.category_list
            )
        except ValueError as error:
            raise ValidationError(
                {"holiday_categories": _("Holidays: %(error)s") % {"error": error}}
            ) from None


class WorkingPeriod(models.Model):
    """One working period of a weekday, in the calendar's local time (end 00:00 = midnight)."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="working_periods",
        verbose_name=_("calendar"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"), help_text=_("00:00 means midnight at the end of the day."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")) | Q(end=MIDNIGHT),
                name="working_period_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["calendar", "weekday", "start"], name="working_period_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def as_period(self) -> business_time.Period:
        return business_time.Period.from_times(self.start, self.end)

    def clean(self) -> None:
        if _ends_before_start(self.start, self.end):
            raise ValidationError({"end": _("A period must end after it starts.")})


class CalendarClosure(models.Model):
    """A date on which the desk is closed, beyond the holidays of the holiday source."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name=_("calendar"),
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="closure_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}".strip()


class ExtraWorkingDay(models.Model):
    """A date worked although the week or a holiday would close it (e.g. a Saturday)."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="extra_working_days",
        verbose_name=_("calendar"),
    )
    date = models.DateField(_("date"))
    start = models.TimeField(_("start"), default=time(9))
    end = models.TimeField(_("end"), default=time(18))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["calendar", "date", "start"]
        verbose_name = _("extra working day")
        verbose_name_plural = _("extra working days")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")) | Q(end=MIDNIGHT),
                name="extra_working_day_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["calendar", "date", "start"], name="extra_working_day_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.start:%H:%M}-{self.end:%H:%M}"

    def as_period(self) -> business_time.Period:
        return business_time.Period.from_times(self.start, self.end)

    def clean(self) -> None:
        if _ends_before_start(self.start, self.end):
            raise ValidationError({"end": _("A period must end after it starts.")})
