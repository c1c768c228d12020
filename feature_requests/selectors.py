"""Reads of feature requests, scoped to what an actor may see.

Analysts see every request. A customer sees the public requests an analyst has reviewed,
plus every request of their own organization (private ones, and those still waiting for
moderation). Anyone else sees nothing.
"""

import re

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)

from feature_requests.models import Comment, FeatureRequest, Notice, Subscription, Vote
from search.postgres import unaccent

Status = FeatureRequest.Status
SORTS = {
    "votes": ["-vote_count", "-created_at"],
    "newest": ["-created_at"],
    "updated": ["-updated_at"],
}


def _base() -> QuerySet[FeatureRequest]:
    return FeatureRequest.objects.select_related("author", "organization", "merged_into")


def feature_requests_visible_to(user) -> QuerySet[FeatureRequest]:
    """The requests a user may see, with whether they voted for and follow each."""
    requests = _base()
    if not user.is_authenticated:
        return requests.none()
    requests = requests.annotate(
        has_voted=Exists(Vote.objects.filter(feature_request=OuterRef("pk"), user=user)),
        is_subscribed=Exists(
            Subscription.objects.filter(feature_request=OuterRef("pk"), user=user)
        ),
    )
    if user.is_staff:
        return requests
    membership = getattr(user, "membership", None)
    public = Q(is_private=False) & ~Q(status=Status.SUBMITTED)
    if membership is None:
        return requests.filter(public)
    return requests.filter(public | Q(organization_id=membership.organization_id))


def board(
    user,
    *,
    sort: str = "votes",
    status: str = "",
    product_area: str = "",
    q: str = "",
) -> QuerySet[FeatureRequest]:
    """The portal's board: merged duplicates left out unless asked for."""
    requests = feature_requests_visible_to(user)
    # Merged duplicates are left out unless asked for.
    requests = requests.filter(status=status) if status else requests.exclude(status=Status.MERGED)
    if product_area:
        requests = requests.filter(product_area=product_area)
    if q:
        requests = search(requests, q)
    return requests.order_by(*SORTS.get(sort, SORTS["votes"]), "-pk")


def search(requests: QuerySet[FeatureRequest], text: str) -> QuerySet[FeatureRequest]:
    """Requests matching every word of `text` in their title or description; case and
    accents never matter ("relatorio" finds "Relatório"), as in `similar_requests`.

    PostgreSQL: full-text search ("quoted phrases", `or`, `-word`) over the folded columns.
    SQLite: each folded word within the folded title or description.
    """
    folded = fold(text)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector(Folded("title"), weight="A", config="simple") + SearchVector(
            Folded("description"), weight="B", config="simple"
        )
        return requests.annotate(search=vector).filter(
            search=SearchQuery(folded, search_type="websearch", config="simple")
        )
    condition = Q()
    for word in folded.split()[:10]:
        condition &= Q(folded_title__contains=word) | Q(folded_description__contains=word)
    return requests.annotate(
        folded_title=Folded("title"), folded_description=Folded("description")
    ).filter(condition)


WORD_RE = re.compile(r"\w{3,}", re.UNICODE)


def fold(text: str | None) -> str:
    """Lower case without accents: "Relatório" and "RELATORIO" both read "relatorio"."""
    return unaccent(text or "").lower()


class Folded(Func):
    """A column in lower case without accents, in SQL (the database's side of `fold`).

    PostgreSQL: the unaccent extension the search app installs. SQLite: `fold` itself,
    registered on each connection (see FeatureRequestsConfig.ready); SQLite's own lower()
    knows only ASCII.
    """

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function=SQLITE_FOLD, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"lower(unaccent({sql}))", params


SQLITE_FOLD = "helpdesk_fold"


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    """Give SQLite connections the `fold` function (connection_created's receiver)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FOLD, 1, fold, deterministic=True)


def similar_requests(user, text: str, *, limit: int = 5) -> list[FeatureRequest]:
    """Existing requests that look like a title being typed, best first, to vote on instead.

    Case and accents never matter ("relatorio" finds "Relatório"). PostgreSQL ranks by
    full-text similarity of any of the words (by their prefixes); elsewhere, requests whose
    title shares a word with the text, by votes.
    """
    words = WORD_RE.findall(fold(text))[:12]
    if not words:
        return []
    requests = feature_requests_visible_to(user).exclude(status=Status.MERGED)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(Folded("title"), weight="A", config="simple") + SearchVector(
            Folded("description"), weight="D", config="simple"
        )
        # Prefixes of the words: "exportar" finds "exportação" too (no stemming per language).
        prefixes = " | ".join(f"{word[:6]}:*" for word in words)
        query = SearchQuery(prefixes, search_type="raw", config="simple")
        ranked = (
            requests.annotate(rank=SearchRank(vector, query))
            .filter(rank__gt=0.01)
            .order_by("-rank", "-vote_count")
        )
        return list(ranked[:limit])
    condition = Q()
    for word in words:
        condition |= Q(folded_title__contains=word)
    matches = list(
        requests.annotate(folded_title=Folded("title"))
        .filter(condition)
        .order_by("-vote_count", "-pk")[: limit * 4]
    )
    # Most shared words first, then votes.
    matches.sort(key=lambda fr: -sum(word in fold(fr.title) for word in words))
    return matches[:limit]


def status_history(feature_request: FeatureRequest) -> list[dict]:
    """Each change of status, oldest first: when, to what, and the public reason."""
    changes = []
    previous = None
    records = feature_request.history.order_by("history_id").values(
        "history_date", "status", "status_reason"
    )
    for record in records:
        if record["status"] != previous:
            changes.append(
                {
                    "at": record["history_date"],
                    "status": record["status"],
                    "label": Status(record["status"]).label,
                    "reason": record["status_reason"],
                }
            )
            previous = record["status"]
    return changes


def comments_of(feature_request: FeatureRequest) -> QuerySet[Comment]:
    return feature_request.comments.select_related("author").order_by("created_at", "id")


def notices_of(user) -> QuerySet[Notice]:
    """The user's in-portal notices, newest first."""
    if not user.is_authenticated:
        return Notice.objects.none()
    return Notice.objects.filter(recipient=user).select_related("feature_request")


def unread_notice_count(user) -> int:
    return notices_of(user).filter(read_at__isnull=True).count()


def feature_requests_linked_to(ticket, user=None) -> QuerySet[FeatureRequest]:
    """The requests a ticket asked for (for the ticket page: their status).

    Given a viewer: nothing unless they may see the ticket; then every linked request, in
    whatever status (one not yet moderated too: the ticket asked for it), except those
    private to an organization other than the viewer's.
    """
    linked = FeatureRequest.objects.filter(ticket_links__ticket=ticket)
    if user is not None:
        from tickets.selectors import tickets_visible_to

        if not tickets_visible_to(user).filter(pk=ticket.pk).exists():
            return linked.none()
        if user.is_staff:
            linked = linked.annotate(portal_visible=Value(True))
        else:
            membership = getattr(user, "membership", None)
            own = Q(organization_id=membership.organization_id) if membership else Q(pk=None)
            # Its page opens only once moderated; until then the ticket page shows its status.
            reviewed = Q(is_private=False) & ~Q(status=Status.SUBMITTED)
            linked = linked.filter(Q(is_private=False) | own).annotate(
                portal_visible=ExpressionWrapper(reviewed | own, output_field=BooleanField())
            )
    return linked.order_by("pk")


def voters_of(feature_request: FeatureRequest) -> QuerySet[Vote]:
    return feature_request.votes.select_related("user").order_by("created_at")


def subscribers_of(feature_request: FeatureRequest) -> QuerySet[Subscription]:
    return feature_request.subscriptions.select_related("user").order_by("created_at")
