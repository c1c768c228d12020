"""Writes of the in-app notices: recorded once each, in bulk; read by their recipient only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from notices.models import Notice


@dataclass(frozen=True)
class NoticeDraft:
    """One notice to record; `key` makes it once-only (the event's e-mail key, when it has one)."""

    key: str
    recipient_id: int
    kind: str
    ticket_id: int
    text: str = ""
    actor_id: int | None = None


def notices_record(drafts, *, now: datetime) -> int:
    """Record the notices of one event in one INSERT; a key already on record is skipped (the
    event was told before). Returns how many drafts were given a row, counting skipped ones
    on databases that cannot say (this is for logs, not for decisions)."""
    rows = [
        Notice(
            key=draft.key[:200],
            recipient_id=draft.recipient_id,
            kind=draft.kind,
            ticket_id=draft.ticket_id,
            actor_id=draft.actor_id,
            text=draft.text[:300],
            created_at=now,
        )
        for draft in drafts
    ]
    if not rows:
        return 0
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def notice_read(*, notice: Notice, now: datetime) -> Notice:
    """Mark one notice read (a second time keeps the first instant)."""
    Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=now)
    notice.refresh_from_db(fields=["read_at"])
    return notice


def notices_read(*, user, now: datetime, ids=None) -> int:
    """Mark the user's unread notices read (all of them, or those of `ids`); returns how many.

    Only the user's own: ids of someone else's notices are ignored, never an error that would
    tell they exist."""
    unread = Notice.objects.unread().filter(recipient=user)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=now)
