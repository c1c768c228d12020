"""SLA policies: priority levels, per-level targets, and customer support contracts."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from helpdesk.db import TimeStampedModel
from sla.models.calendars import BusinessCalendar


def default_language_text(row, field: str) -> str:
    """A translated field's pt-BR text (what the snapshots keep: one hash whatever the
    reader's language)."""
    from modeltranslation.settings import DEFAULT_LANGUAGE

    with translation.override(DEFAULT_LANGUAGE):
        return getattr(row, field)


def _save_in_default_language(model, *args, **kwargs) -> None:
    """Save with pt-BR active: modeltranslation writes the active language's text into the
    original column (`name`) beside `name_pt_br`, `name_en`, `name_es`; in pt-BR it always
    holds the same text, which lookups through other models (`ticket__priority__name`, the
    reports' labels) read. Storage only: no business work."""
    from modeltranslation.settings import DEFAULT_LANGUAGE

    with translation.override(DEFAULT_LANGUAGE):
        model.save(*args, **kwargs)


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
    warning_percent = models.PositiveSmallIntegerField(
        _("warn at (% of the budget used)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("The assignee is warned when a clock has used this share of its target."),
    )

    # history: registered in sla/translation.py, after the translated columns exist

    class Meta:
        ordering = ["number"]
        verbose_name = _("priority level")
        verbose_name_plural = _("priority levels")

    def __str__(self) -> str:
        return f"{self.number} - {self.name}"

    def save(self, *args, **kwargs):
        _save_in_default_language(super(), *args, **kwargs)


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
    reopen_window = models.DurationField(
        _("reopen window"),
        default=timedelta(days=7),
        help_text=_("How long after resolution the customer may reopen a ticket."),
    )
    waiting_reminder_after = models.DurationField(
        _("remind a waiting customer after"),
        default=timedelta(days=2),
        help_text=_("A ticket waiting on the customer this long sends them a reminder."),
    )

    objects = SLAPolicyQuerySet.as_manager()
    # history: registered in sla/translation.py, after the translated columns exist

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        permissions = [("reapply_slapolicy", _("Can re-apply a policy to open tickets"))]
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

    def save(self, *args, **kwargs):
        _save_in_default_language(super(), *args, **kwargs)


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


class SupportContractQuerySet(models.QuerySet):
    def in_force(self, on: date):
        """Contracts valid on a day (open-ended ones included)."""
        return self.filter(valid_from__lte=on).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )


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
    objects = SupportContractQuerySet.as_manager()

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
