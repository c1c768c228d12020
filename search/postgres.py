"""The index on PostgreSQL: text search vectors in Portuguese, English and Spanish, unaccented."""

import operator
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from functools import reduce

from django.contrib.postgres.search import SearchQuery
from django.db import connections, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.lookups import In

from search.documents import TicketText
from search.models import TicketSearchDocument

# 'simple' keeps every word as written (names, e-mail addresses, codes); the three stemmed
# configurations let "relatórios" find "relatório", "running" find "runs", "problemas"
# find "problema". A query matches when it matches in any of them.
CONFIGS = ("simple", "portuguese", "english", "spanish")
# Up to this many matches, the tickets are looked up by id; beyond, the caller's ordering
# is walked (see tickets_matching).
LOOKUP_LIMIT = 5000
# Letters unaccent folds that Unicode does not decompose.
_FOLDED = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ł": "l"}
    | {"Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH"}
)


def _vector_sql(text: str) -> str:
    return " || ".join(f"to_tsvector('{config}', {text})" for config in CONFIGS)


def documents_write(texts: list[TicketText], *, now: datetime, using: str) -> None:
    """Insert or replace the documents, one statement for the whole batch."""
    if not texts:
        return
    table = TicketSearchDocument._meta.db_table
    sql = f"""
        INSERT INTO {table} (ticket_id, vector, vector_with_notes, digest, indexed_at)
        SELECT d.id,
               {_vector_sql("u.public")},
               CASE WHEN d.notes <> '' THEN {_vector_sql("u.public || ' ' || u.notes")} END,
               d.digest,
               %s
        FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[])
             AS d(id, public, notes, digest)
        CROSS JOIN LATERAL (SELECT unaccent(d.public) AS public, unaccent(d.notes) AS notes) AS u
        ON CONFLICT (ticket_id) DO UPDATE SET
            vector = EXCLUDED.vector,
            vector_with_notes = EXCLUDED.vector_with_notes,
            digest = EXCLUDED.digest,
            indexed_at = EXCLUDED.indexed_at
    """
    with connections[using].cursor() as cursor:
        cursor.execute(
            sql,
            [
                now,
                [text.ticket_id for text in texts],
                [text.public for text in texts],
                [text.notes for text in texts],
                [text.digest for text in texts],
            ],
        )


def documents_remove(ticket_ids: Iterable[int], *, using: str) -> None:
    TicketSearchDocument.objects.using(using).filter(ticket_id__in=list(ticket_ids)).delete()


def documents_remove_orphans(*, using: str) -> None:
    """Nothing to do: a document goes with its ticket (a foreign key)."""


def tickets_matching(tickets: QuerySet, text: str, *, staff: bool) -> QuerySet:
    """Narrow `tickets` to those whose document matches a web-search style query.

    The query is unaccented like the documents and read as `websearch_to_tsquery` reads it
    ("quoted phrases", `or`, `-word`), so no input is a syntax error. It reaches the
    database as constants, so the planner folds it once and estimates from the index's
    statistics whether to walk the caller's ordering (a common word) or look the words up
    (a rare one); `unaccent()` in the query would hide both and cost a call per row.
    One query runs here, to count the matches up to LOOKUP_LIMIT.
    """
    query = reduce(
        operator.or_,
        (SearchQuery(unaccent(text), config=config, search_type="websearch") for config in CONFIGS),
    )
    if staff:
        # Either index answers: the full text where a ticket has notes, else the public one.
        condition = Q(vector_with_notes=query) | Q(vector_with_notes__isnull=True, vector=query)
    else:
        condition = Q(vector=query)
    documents = TicketSearchDocument.objects.using(tickets.db).filter(condition).order_by()
    # Which plan is fast depends on how many tickets match, and the planner's guess is poor
    # for words outside its statistics: a rare word it takes for a common one walks the
    # whole ordering looking for 50 matches (seconds at 100,000 tickets). So ask: a few
    # thousand matches at most are looked up by id; more, and walking the caller's (indexed)
    # ordering finds 50 of them within a few hundred rows.
    few = _matches_by_index(documents, LOOKUP_LIMIT)
    if len(few) < LOOKUP_LIMIT:
        return tickets.filter(MatchedIds(F("pk"), few))
    return tickets.filter(MatchedDocuments(F("pk"), documents.values("ticket_id")))


class MatchedIds(In):
    """`id IN (…)`: the tickets found by the index, few enough to be named; counted by
    their number when nothing else narrows the tickets (`helpdesk.db.rows_count`)."""

    def count_alone(self, using: str, limit: int | None = None) -> int:
        return len(self.rhs) if limit is None else min(len(self.rhs), limit + 1)


class MatchedDocuments(In):
    """`id IN (SELECT ticket_id FROM documents WHERE …)`: many matches.

    Counted alone (an analyst's search, `helpdesk.db.rows_count`) in the documents, through
    their GIN indexes: joined to the tickets, the planner reads every document instead
    (600 ms at a million tickets). The documents' rows still have to be visited to count
    them, about 100 ms for 50,000 matches there, so the lists count a search up to a cap
    (`helpdesk.db.CappedCountPaginator`).
    """

    def __init__(self, lhs, documents: QuerySet) -> None:
        super().__init__(lhs, documents)
        self.documents = documents

    def count_alone(self, using: str, limit: int | None = None) -> int:
        documents = self.documents.using(using).order_by()
        if limit is not None:
            documents = documents[: limit + 1]
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            counted = documents.count()
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
        return counted


def _matches_by_index(documents: QuerySet, limit: int) -> list[int]:
    """Up to `limit` matching ticket ids, found through the GIN indexes.

    The planner estimates a word's matches by adding up its lexemes in the four
    configurations ('navegador' | 'naveg' | 'navegador' | 'naveg': a fifth of the table for
    a word in one document of twenty) and, with a LIMIT, expects a sequential scan to stop
    early; it reads and matches every document instead (200 ms at 100,000 tickets, where the
    index finds them in a few). So sequential scans are off for this one statement.
    """
    connection = connections[documents.db]
    with transaction.atomic(using=documents.db), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        ids = list(documents.values_list("ticket_id", flat=True)[:limit])
        cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
    return ids


def unaccent(text: str) -> str:
    """The query without accents, as the `unaccent` extension leaves the documents.

    Done here rather than in SQL: unaccent() is only STABLE, so PostgreSQL would neither
    fold it at planning time nor estimate the query's selectivity from it.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDED))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", stripped)
