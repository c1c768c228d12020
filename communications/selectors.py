"""Reads of the written record, scoped to what an actor may see."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from communications.models import Agreement, Attachment, Message
from sla.models import ClockEventKind
from tickets.selectors import clock_events_of, tickets_visible_to


def attachments_visible_to(user) -> QuerySet[Attachment]:
    """Attachments of tickets the user sees; internal notes' files only for analysts."""
    attachments = Attachment.objects.filter(ticket__in=tickets_visible_to(user))
    if not (user.is_authenticated and user.is_staff):
        attachments = attachments.exclude(message__direction=Message.Direction.INTERNAL)
    return attachments


def messages_visible_to(user, ticket) -> QuerySet[Message]:
    messages = Message.objects.filter(ticket__in=tickets_visible_to(user), ticket=ticket)
    if not (user.is_authenticated and user.is_staff):
        messages = messages.exclude(direction=Message.Direction.INTERNAL)
    return messages.select_related("author").prefetch_related("attachments")


def agreements_visible_to(user) -> QuerySet[Agreement]:
    return Agreement.objects.filter(ticket__in=tickets_visible_to(user)).select_related(
        "vendor_party", "supersedes", "superseded_by"
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # message, note, call, agreement, change, clock
    title: str
    text: str = ""
    attachments: tuple = ()
    # A received e-mail shown without its quoted replies and signature: the whole text as
    # received, for the page to fold behind "show quoted text" (empty when nothing was cut).
    original: str = ""
    message_id: int | None = None


def ticket_timeline(ticket, *, include_internal: bool) -> list[TimelineEntry]:
    """The whole conversation in order: messages, notes, calls, agreements, changes, clocks."""
    entries: list[TimelineEntry] = []
    messages = ticket.messages.select_related("author").prefetch_related("attachments")
    for message in messages:
        if message.is_internal and not include_internal:
            continue
        who = message.author or message.author_email or _("unknown sender")
        entries.append(
            TimelineEntry(
                message.created_at,
                "note" if message.is_internal else "message",
                f"{message.get_direction_display()} · {who} · {message.get_channel_display()}",
                message.display_text,
                tuple(message.attachments.all()),
                original=message.body if message.display_text != message.body else "",
                message_id=message.pk,
            )
        )
    for call in ticket.calls.select_related("recorded_by"):
        minutes = int(call.duration.total_seconds() // 60)
        entries.append(
            TimelineEntry(
                call.started_at,
                "call",
                f"{call.get_kind_display()} · {minutes} min · {call.participants}",
                call.summary,
            )
        )
    for agreement in ticket.agreements.select_related("vendor_party", "superseded_by"):
        state = _("superseded") if hasattr(agreement, "superseded_by") else _("in force")
        entries.append(
            TimelineEntry(
                agreement.created_at,
                "agreement",
                f"{agreement.get_kind_display()} v{agreement.version} ({state}) · "
                f"{agreement.vendor_party} / {agreement.customer_party}",
                agreement.text,
            )
        )
    if include_internal:
        entries += _changes(ticket) + _clock_events(ticket)
    else:
        entries += _reopenings(ticket)
    return sorted(entries, key=lambda entry: entry.at)


def _changes(ticket) -> list[TimelineEntry]:
    """Each history record of the ticket, saying what moved: status, priority, assignee."""
    records = list(
        ticket.history.select_related("history_user", "priority", "assignee").order_by(
            "history_date", "history_id"
        )
    )
    entries = []
    previous = None
    for record in records:
        moved = _what_moved(previous, record) if previous is not None else []
        summary = " · ".join(moved) if moved else record.get_status_display()
        who = record.history_user or ""
        entries.append(
            TimelineEntry(
                record.history_date,
                "change",
                f"{summary} · {who}" if who else summary,
                record.history_change_reason or "",
            )
        )
        previous = record
    return entries


def _what_moved(before, after) -> list[str]:
    moved = []
    if before.status != after.status:
        moved.append(
            _("status: %(before)s → %(after)s")
            % {"before": before.get_status_display(), "after": after.get_status_display()}
        )
    if before.priority_id != after.priority_id:
        moved.append(
            _("priority: %(before)s → %(after)s")
            % {"before": before.priority or "—", "after": after.priority or "—"}
        )
    if before.assignee_id != after.assignee_id:
        moved.append(
            _("assignee: %(before)s → %(after)s")
            % {"before": before.assignee or "—", "after": after.assignee or "—"}
        )
    return moved


def _reopenings(ticket) -> list[TimelineEntry]:
    """Why the ticket was reopened, for the customer's timeline (other clock events stay
    internal)."""
    return [
        TimelineEntry(
            event.recorded_at,
            "reopened",
            _("Reopened by %(who)s")
            % {"who": event.actor.get_full_name() or event.actor.get_username()}
            if event.actor
            else _("Reopened"),
            event.reason,
        )
        for event in clock_events_of(ticket)
        if event.kind == ClockEventKind.REOPENED
    ]


def _clock_events(ticket) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            event.recorded_at,
            "clock",
            f"{event.sla_clock.get_metric_display()}: {event.get_kind_display()}",
            event.reason,
        )
        for event in clock_events_of(ticket)
    ]
