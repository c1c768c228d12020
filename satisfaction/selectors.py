"""Reads of the requester's answers, scoped to who may see them."""

from __future__ import annotations

from django.db.models import Avg, Count, Q, QuerySet

from satisfaction.models import Rating, Survey


def survey_to_rate(ticket, user) -> Survey | None:
    """The survey the portal asks `user` to rate on this ticket: the latest resolution's, if
    they are its requester and have not rated it yet."""
    if not user.is_authenticated:
        return None
    return (
        Survey.objects.filter(ticket=ticket, requester=user, rating__isnull=True)
        .order_by("-resolved_at")
        .first()
    )


def ratings_of(ticket) -> list[Rating]:
    """A ticket's ratings, newest first (the history: one per resolution)."""
    return list(Rating.objects.filter(ticket=ticket).select_related("rated_by"))


def ratings_summary(ratings: QuerySet[Rating]) -> dict:
    """How many, the average, and how many were low (1-2), in one query."""
    return ratings.aggregate(
        ratings=Count("id"),
        average=Avg("score"),
        low=Count("id", filter=Q(score__lte=2)),
    )
