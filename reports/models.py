"""The reports' own tables: daily rollups of the SLA clocks and the marks that say which days
need recounting. The figures themselves are computed in reports/rollups.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """The admin's "Reports" entry; the reports themselves are computed from tickets and clocks."""

    class Meta:
        managed = False
        default_permissions = ()
        ordering = ["pk"]
        verbose_name = _("report")
        verbose_name_plural = _("SLA reports")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class DayRollup(models.Model):
    """The clocks of the tickets reported on one day (desk's zone) in one group of a grouping.

    One row per (day, grouping, group): the report groups by level, organization and analyst
    separately, never crossed, so a day holds a few hundred rows however many tickets it has
    (a crossed key would hold about one row per ticket). Months are sums of the level rows.
    Durations are kept whole (sorted microseconds, 8 bytes each) so medians and p90 stay exact.
    """

    class Grouping(models.TextChoices):
        LEVEL = "level", _("level")
        ORGANIZATION = "organization", _("organization")
        ANALYST = "analyst", _("analyst")

    day = models.DateField(_("day reported"))
    grouping = models.CharField(_("grouping"), max_length=12, choices=Grouping.choices)
    # The level, organization or analyst id; 0 for tickets with no analyst.
    group = models.BigIntegerField(_("group"))
    clocks = models.PositiveIntegerField(_("clocks"), default=0)
    tickets = models.PositiveIntegerField(_("tickets"), default=0)
    first_response_met = models.PositiveIntegerField(default=0)
    first_response_breached = models.PositiveIntegerField(default=0)
    first_response_paused = models.PositiveIntegerField(default=0)
    # Due instants (µs since the epoch, sorted) of running clocks not breached yet: breached
    # or open depends on when the report is read.
    first_response_running_due = models.BinaryField(default=b"")
    first_response_used = models.BinaryField(default=b"")
    resolution_met = models.PositiveIntegerField(default=0)
    resolution_breached = models.PositiveIntegerField(default=0)
    resolution_paused = models.PositiveIntegerField(default=0)
    resolution_running_due = models.BinaryField(default=b"")
    resolution_used = models.BinaryField(default=b"")
    waiting = models.BigIntegerField(_("waiting (µs)"), default=0)
    # Tickets waiting on the customer now: how many, and the sum of their pauses' starts in µs
    # after the day's start (the open pauses count up to when the report is read).
    waiting_now = models.PositiveIntegerField(default=0)
    waiting_now_since = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["day", "grouping", "group"]
        verbose_name = _("day of SLA figures")
        verbose_name_plural = _("days of SLA figures")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "grouping", "group"], name="reports_day_rollup_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.grouping} {self.group}"


class StaleRollup(models.Model):
    """A ticket's clocks or grouping changed: the day it was reported needs recounting.

    Written by database triggers (reports/triggers.py), so every path marks it: the ORM,
    bulk_update, update(), raw SQL. Holds the report instant; the day in the desk's zone is
    worked out when the marks are folded in.
    """

    reported_at = models.DateTimeField(_("reported at"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("day to recount")
        verbose_name_plural = _("days to recount")

    def __str__(self) -> str:
        return f"{self.reported_at:%Y-%m-%d %H:%M}"
