"""Reads of the in-app notices, always of one recipient's own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Window

from notices.models import Notice

BELL_SIZE = 6  # the dropdown's newest unread notices; the list page has them all


@dataclass(frozen=True)
class Bell:
    unread: int
    recent: list[Notice]


def notices_of(user) -> QuerySet[Notice]:
    """The user's notices, newest first, with what a row shows."""
    return (
        Notice.objects.filter(recipient=user)
        .select_related("ticket", "actor")
        .order_by("-created_at", "-id")
    )


def bell(user) -> Bell:
    """The unread count and the newest unread notices, in one query.

    The count rides on the rows as a window over all the user's unread notices (computed
    before the LIMIT), so the header of every back-office page costs a single query.
    """
    if not (user.is_authenticated and user.is_staff):
        return Bell(0, [])
    recent = list(
        notices_of(user)
        .filter(read_at__isnull=True)
        .annotate(unread_count=Window(Count("id")))[:BELL_SIZE]
    )
    return Bell(recent[0].unread_count if recent else 0, recent)
