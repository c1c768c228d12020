"""Who answers the 24x7 phone when, and how each analyst wants to be told outside work."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from helpdesk.db import TimeStampedModel


class OnCallShiftQuerySet(models.QuerySet):
    def covering(self, instant):
        """Shifts running at `instant` (a shift owns its start, not its end)."""
        return self.filter(starts_at__lte=instant, ends_at__gt=instant)


class OnCallShift(TimeStampedModel):
    """A time window in which an analyst answers the dedicated on-call phones.

    Shifts may overlap (a second analyst as backup); every analyst on call is told at once
    of new covered tickets and of their breaches, whatever the hour.
    """

    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="on_call_shifts",
        limit_choices_to={"is_staff": True, "is_active": True},
        verbose_name=_("analyst"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = OnCallShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "analyst_id"]
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call rota")
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="oncall_shift_window")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="oncall_shift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.analyst} {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.analyst_id and not self.analyst.is_staff:
            raise ValidationError({"analyst": _("Only analysts (staff users) can be on call.")})


class NotificationPreference(models.Model):
    """What an analyst wants done with desk notices that arrive outside their working hours.

    Working hours are a business calendar (theirs, or the default policy's). Being on call
    overrides the choice: an analyst on call is always told at once.
    """

    class OutsideHours(models.TextChoices):
        HOLD = "hold", _("hold them until my next working hour")
        SEND = "send", _("e-mail me at once")
        SKIP = "skip", _("do not e-mail me (I read them in the back office)")

    class Channel(models.TextChoices):
        """How an analyst is told of one kind of notice about their tickets."""

        EMAIL = "email", _("by e-mail and in the bell")
        BELL = "bell", _("in the bell only")
        OFF = "off", _("not at all")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        limit_choices_to={"is_staff": True},
        verbose_name=_("analyst"),
    )
    working_calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("working hours"),
        help_text=_("The calendar of their working hours (empty: the default policy's)."),
    )
    outside_hours = models.CharField(
        _("notices outside working hours"),
        max_length=4,
        choices=OutsideHours.choices,
        default=OutsideHours.HOLD,
    )
    # The notices about an analyst's own tickets (communications.notifications): e-mail
    # (when, by `outside_hours`) and the back office's bell, the bell alone, or nothing.
    on_customer_answer = models.CharField(
        _("when a customer answers a ticket of mine"),
        max_length=5,
        choices=Channel.choices,
        default=Channel.EMAIL,
    )
    on_mention = models.CharField(
        _("when a colleague mentions me in a note"),
        max_length=5,
        choices=Channel.choices,
        default=Channel.EMAIL,
    )
    on_at_risk = models.CharField(
        _("when a ticket of mine is at risk"),
        max_length=5,
        choices=Channel.choices,
        default=Channel.EMAIL,
    )
    # Team leads only: a customer's rating of 1 or 2 on any ticket (satisfaction).
    on_low_rating = models.CharField(
        _("when a customer gives a low rating (team leads)"),
        max_length=5,
        choices=Channel.choices,
        default=Channel.EMAIL,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        if self.user_id and not self.user.is_staff:
            raise ValidationError({"user": _("Preferences here are for analysts (staff users).")})
