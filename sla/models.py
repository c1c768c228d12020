"""Business calendars, SLA policies, priority levels and their targets, support contracts."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
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


class PriorityLevel(TimeStampedModel):
    """A level of the policy (1 = most urgent), with the text customers read to choose it."""

    number = models.PositiveSmallIntegerField(
        _("level"), unique=True, validators=[MinValueValidator(1)]
    )
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description shown to customers"))
    impact = models.CharField(
        _("who it affects"), max_length=200, blank=True, help_text=_("e.g. affects all customers")
    )
    integration_24x7_eligible = models.BooleanField(
        _("covered by 24x7 integration support"),
        default=False,
        help_text=_("Incidents of this level about a vendor-built integration may be covered."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("priority level")
        verbose_name_plural = _("priority levels")

    def __str__(self) -> str:
        return f"{self.number} - {self.name}"


class SLAPolicyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class SLAPolicy(TimeStampedModel):
    """A set of targets per priority level, counted on one business calendar."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("calendar"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Applies to customers without a contract.")
    )
    description = models.TextField(_("description"), blank=True)

    objects = SLAPolicyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="sla_policy_single_default",
                violation_error_message=_("There is already a default policy."),
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(is_active=True),
                name="sla_policy_default_is_active",
                violation_error_message=_("The default policy must be active."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DurationUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    BUSINESS_DAYS = "business_days", _("business days")


class ClockKind(models.TextChoices):
    BUSINESS = "business", _("business hours")
    AROUND_THE_CLOCK = "around_the_clock", _("around the clock")
    INTEGRATION_24X7 = "integration_24x7", _("24x7 integration (off hours count half)")


class PriorityTarget(models.Model):
    """First-response and resolution targets of one level in one policy."""

    policy = models.ForeignKey(
        SLAPolicy, on_delete=models.CASCADE, related_name="targets", verbose_name=_("policy")
    )
    level = models.ForeignKey(
        PriorityLevel,
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name=_("priority level"),
    )
    first_response_amount = models.PositiveIntegerField(
        _("first response"), validators=[MinValueValidator(1)]
    )
    first_response_unit = models.CharField(
        _("unit"), max_length=20, choices=DurationUnit.choices, default=DurationUnit.HOURS
    )
    first_response_clock = models.CharField(
        _("clock"), max_length=20, choices=ClockKind.choices, default=ClockKind.BUSINESS
    )
    resolution_amount = models.PositiveIntegerField(
        _("resolution"), validators=[MinValueValidator(1)]
    )
    resolution_unit = models.CharField(
        _("unit"), max_length=20, choices=DurationUnit.choices, default=DurationUnit.HOURS
    )
    resolution_clock = models.CharField(
        _("clock"), max_length=20, choices=ClockKind.choices, default=ClockKind.BUSINESS
    )
    integration_resolution_amount = models.PositiveIntegerField(
        _("resolution with 24x7 integration support"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty when 24x7 support does not change the resolution target."),
    )
    integration_resolution_unit = models.CharField(
        _("unit"), max_length=20, choices=DurationUnit.choices, default=DurationUnit.HOURS
    )
    integration_resolution_clock = models.CharField(
        _("clock"), max_length=20, choices=ClockKind.choices, default=ClockKind.INTEGRATION_24X7
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["policy", "level__number"]
        verbose_name = _("priority target")
        verbose_name_plural = _("priority targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "level"], name="priority_target_unique"),
            models.CheckConstraint(
                condition=Q(first_response_amount__gt=0) & Q(resolution_amount__gt=0),
                name="priority_target_positive",
            ),
            models.CheckConstraint(
                condition=Q(integration_resolution_amount__isnull=True)
                | Q(integration_resolution_amount__gt=0),
                name="priority_target_integration_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} / {self.level}"

    def clean(self) -> None:
        errors = {}
        pairs = [
            ("first_response", self.first_response_unit, self.first_response_clock),
            ("resolution", self.resolution_unit, self.resolution_clock),
        ]
        if self.integration_resolution_amount:
            pairs.append(
                (
                    "integration_resolution",
                    self.integration_resolution_unit,
                    self.integration_resolution_clock,
                )
            )
        for prefix, unit, clock in pairs:
            if unit == DurationUnit.BUSINESS_DAYS and clock == ClockKind.AROUND_THE_CLOCK:
                errors[f"{prefix}_unit"] = _(
                    "Business days are counted in business hours: choose hours for a clock "
                    "that runs around the clock."
                )
        if errors:
            raise ValidationError(errors)


def target_duration(amount: int, unit: str, business_day: timedelta) -> timedelta:
    """Turn an amount and unit into a budget; a business day is the calendar's longest day."""
    if unit == DurationUnit.MINUTES:
        return timedelta(minutes=amount)
    if unit == DurationUnit.HOURS:
        return timedelta(hours=amount)
    return amount * business_day


class SupportContract(TimeStampedModel):
    """The agreement of one customer organization: its policy and 24x7 integration option."""

    organization = models.ForeignKey(
        "tickets.Organization",
        on_delete=models.CASCADE,
        related_name="support_contracts",
        verbose_name=_("organization"),
    )
    policy = models.ForeignKey(
        SLAPolicy, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("policy")
    )
    integration_24x7 = models.BooleanField(_("24x7 integration support"), default=False)
    on_call_phone = models.CharField(
        _("dedicated on-call phone"),
        max_length=40,
        blank=True,
        help_text=_("Given to the customer when 24x7 integration support is contracted."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organization", "-valid_from"]
        verbose_name = _("support contract")
        verbose_name_plural = _("support contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="support_contract_valid_range",
                violation_error_message=_("A contract cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} - {self.policy} ({self.valid_from:%Y-%m-%d})"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def clean(self) -> None:
        if self.integration_24x7 and not self.on_call_phone.strip():
            raise ValidationError(
                {"on_call_phone": _("24x7 integration support needs a dedicated on-call phone.")}
            )
        if self.organization_id is None or self.valid_from is None:
            return
        others = SupportContract.objects.filter(organization_id=self.organization_id).exclude(
            pk=self.pk
        )
        overlapping = others.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=self.valid_from)
        )
        if self.valid_until is not None:
            overlapping = overlapping.filter(valid_from__lte=self.valid_until)
        if overlapping.exists():
            raise ValidationError(
                _("This organization already has a contract in force in that period.")
            )
