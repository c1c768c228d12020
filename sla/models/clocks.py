"""The SLA clocks of each ticket, the policy snapshot they count on, and their events."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sla.models.policies import ClockKind, SLAPolicy


class PolicySnapshot(models.Model):
    """The rules of a policy (calendar and targets) as they stood at one moment.

    Content-addressed: tickets reported under the same rules share one row, and later edits
    of the policy or its calendar make a new snapshot instead of moving existing deadlines.
    """

    policy = models.ForeignKey(
        SLAPolicy,
        on_delete=models.SET_NULL,
        null=True,
        related_name="snapshots",
        verbose_name=_("policy"),
    )
    content = models.JSONField(_("content"))
    content_hash = models.CharField(_("content hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("policy snapshot")
        verbose_name_plural = _("policy snapshots")

    def __str__(self) -> str:
        return f"{self.content['policy']['slug']} @ {self.content_hash[:10]}"


class PolicyVersion(models.Model):
    """From when a policy's rules (a snapshot) were in force: a ticket counts on the rules in
    force when its customer communicated, even when it is entered later."""

    policy = models.ForeignKey(
        SLAPolicy, on_delete=models.CASCADE, related_name="versions", verbose_name=_("policy")
    )
    snapshot = models.ForeignKey(
        PolicySnapshot, on_delete=models.PROTECT, related_name="+", verbose_name=_("rules")
    )
    in_force_from = models.DateTimeField(_("in force from"))

    class Meta:
        ordering = ["policy", "-in_force_from", "-pk"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        indexes = [
            models.Index(fields=["policy", "in_force_from"], name="sla_policy_version_from"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} ({self.in_force_from:%Y-%m-%d %H:%M})"


class ClockMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("first response")
    RESOLUTION = "resolution", _("resolution")


class ClockState(models.TextChoices):
    RUNNING = "running", _("running")
    PAUSED = "paused", _("paused")
    MET = "met", _("met")
    BREACHED = "breached", _("breached")


class SLAClockQuerySet(models.QuerySet):
    def running(self):
        return self.filter(state=ClockState.RUNNING)

    def to_warn_before(self, instant):
        """Running clocks past their warning instant and not yet warned (the (state, warn_at)
        index)."""
        return self.running().filter(warn_at__lte=instant, warned_at__isnull=True)

    def due_before(self, instant):
        """Running clocks that run out before `instant`: one range scan of (state, due_at)."""
        return self.running().filter(due_at__lt=instant)


class SLAClock(models.Model):
    """One deadline of a ticket (first response or resolution) and where it stands."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="clocks",
        verbose_name=_("ticket"),
    )
    metric = models.CharField(_("metric"), max_length=20, choices=ClockMetric.choices)
    clock = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    budget = models.DurationField(_("target"))
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    breached_at = models.DateTimeField(
        _("breached at"),
        null=True,
        blank=True,
        help_text=_(
            "When the clock ran out. A fact: no later priority change, policy re-apply, pause "
            "or resolution clears it."
        ),
    )
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_total = models.DurationField(_("total paused time"), default=timedelta(0))
    remaining_at_pause = models.DurationField(_("remaining when paused"), null=True, blank=True)
    # Kept so reports aggregate a column (medians, percentiles) instead of calling the engine.
    time_used = models.DurationField(
        _("time used when met"),
        null=True,
        blank=True,
        help_text=_("Time counted from start to goal, pauses left out, in the clock's terms."),
    )

    # The warning instant (a share of the budget used) is kept indexed like the due instant, so
    # the sweep finds what to warn about in one range scan, never calling the engine per clock.
    warn_percent = models.PositiveSmallIntegerField(_("warn at (%)"), default=75)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)

    objects = SLAClockQuerySet.as_manager()

    class Meta:
        ordering = ["ticket", "metric"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="sla_clock_one_per_metric"),
            models.CheckConstraint(
                condition=Q(state="paused", due_at__isnull=True, paused_since__isnull=False)
                | (~Q(state="paused") & Q(due_at__isnull=False)),
                name="sla_clock_paused_has_no_due",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="sla_clock_state_due"),
            models.Index(fields=["state", "warn_at"], name="sla_clock_state_warn"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_metric_display()} ({self.get_state_display()})"


class ClockEventKind(models.TextChoices):
    STARTED = "started", _("started")
    PAUSED = "paused", _("paused")
    RESUMED = "resumed", _("resumed")
    MET = "met", _("met")
    REOPENED = "reopened", _("reopened")
    WARNED = "warned", _("warned")
    BREACHED = "breached", _("breached")
    RECALCULATED = "recalculated", _("recalculated")


class SLAClockEvent(models.Model):
    """Every change of a clock, so its deadline can be explained and replayed."""

    sla_clock = models.ForeignKey(
        SLAClock, on_delete=models.CASCADE, related_name="events", verbose_name=_("clock")
    )
    kind = models.CharField(_("event"), max_length=20, choices=ClockEventKind.choices)
    at = models.DateTimeField(_("at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    budget = models.DurationField(_("target"), null=True, blank=True)
    clock = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices, blank=True)
    due_at = models.DateTimeField(_("due at after the event"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        ordering = ["sla_clock", "recorded_at", "id"]
        verbose_name = _("clock event")
        verbose_name_plural = _("clock events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"


class RulesRevision(models.Model):
    """One row whose token the database changes whenever an SLA rule changes (a policy, its
    calendar, hours, closures, extra days, targets, the levels, a version in force), by
    triggers (`sla/rules_revision.py`), whatever writes the change.

    A process keeps the policies it loaded, with their rules, while the token is the one it
    read them under: opening a ticket then reads the token instead of the policy and its
    rules (six queries). The token is random, never a counter: a transaction that changed
    the rules and rolled back leaves no number that a later change could reuse.
    """

    token = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("SLA rules revision")
        verbose_name_plural = _("SLA rules revisions")

    def __str__(self) -> str:
        return self.token
