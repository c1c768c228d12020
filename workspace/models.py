"""The analysts' workspace: the queues home, teams, saved views, and which tickets wait for us."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.db import TimeStampedModel


class Queue(models.Model):
    """The admin's "Queues" entry: the views are computed from tickets, nothing is stored."""

    class Meta:
        managed = False
        default_permissions = ()
        ordering = ["pk"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class Team(TimeStampedModel):
    """Analysts who work together; "my team's tickets" are the open tickets of its members.

    The roles (Agents, Team leads, SLA admins) say what someone may do, not whom they work
    with, and a ticket has no team of its own: a team is a named set of analysts, kept by
    team leads, and a ticket belongs to the teams of its assignee.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="workspace_teams",
        verbose_name=_("members"),
        limit_choices_to={"is_staff": True},
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class SavedView(TimeStampedModel):
    """A list of tickets an analyst saved: filters with several values each, and an order.

    `filters` holds what `workspace.forms.SavedViewForm` validated (ids, codes and ISO
    dates; see `workspace.selectors.saved_view_tickets`). A shared view is listed for every
    analyst; only its owner or someone who manages shared views edits it.
    """

    class Order(models.TextChoices):
        NEXT_DUE = "next_due", _("next deadline first")
        NEWEST = "newest", _("newest reported first")
        OLDEST = "oldest", _("oldest reported first")

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    shared = models.BooleanField(
        _("shared"), default=False, help_text=_("Listed in every analyst's queues.")
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    order = models.CharField(
        _("order"), max_length=20, choices=Order.choices, default=Order.NEXT_DUE
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Views are listed by position, then by name.")
    )

    class Meta:
        ordering = ["position", "name", "pk"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        permissions = [("manage_shared_savedview", _("Can edit every shared view"))]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_unique_name"),
        ]
        indexes = [models.Index(fields=["shared", "position"], name="saved_view_shared")]

    def __str__(self) -> str:
        return self.name


class AwaitingReply(models.Model):
    """Whether the customer's last word on a ticket still waits for our public reply.

    Kept as messages are written (`workspace.services.awaiting_reply_note`) so the
    "customer answered" view is one indexed lookup, never a scan of every ticket's
    messages. `customer_answered_at` is the first customer message since our last reply;
    empty when we answered last.
    """

    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="awaiting_reply",
        verbose_name=_("ticket"),
    )
    customer_answered_at = models.DateTimeField(_("customer answered at"), null=True, blank=True)

    class Meta:
        ordering = ["ticket"]
        verbose_name = _("ticket awaiting our reply")
        verbose_name_plural = _("tickets awaiting our reply")
        indexes = [
            models.Index(fields=["customer_answered_at"], name="awaiting_reply_answered"),
        ]

    def __str__(self) -> str:
        return str(self.ticket_id)


# A ticket's page says it is open every 12 s; past 40 s without news, it was closed (or its
# laptop slept).
PRESENCE_POLL_SECONDS = 12
PRESENCE_TTL = timedelta(seconds=40)


class TicketPresence(models.Model):
    """An analyst has a ticket's page open (and may be typing a reply), as of `seen_at`.

    Each open page says so every few seconds (`workspace.services.presence_note`); a row
    older than `PRESENCE_TTL` means the page was closed. Kept in the database rather than the
    cache: the cache is per process, and presence must be seen across every server worker.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("ticket"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("analyst"),
    )
    typing = models.BooleanField(_("typing a reply"), default=False)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        ordering = ["ticket", "seen_at"]
        verbose_name = _("analyst on a ticket")
        verbose_name_plural = _("analysts on tickets")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="presence_one_per_ticket"),
        ]
        indexes = [models.Index(fields=["seen_at"], name="presence_seen")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.ticket_id}"
