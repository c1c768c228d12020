"""The index on PostgreSQL: text search vectors in Portuguese, English and Spanish, unaccented."""

import operator
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from functools import reduce

from django.contrib.postgres.search import SearchQuery
from django.db import connections, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.db.models.lookups import In

from helpdesk.db import SearchCountPaginator
from search.documents import TicketText
from search.models import TicketSearchDocument

# 'simple' keeps every word as written (names, e-mail addresses, codes); the three stemmed
# configurations let "relatórios" find "relatório", "running" find "runs", "problemas"
# find "problema". A query matches when it matches in any of them.
CONFIGS = ("simple", "portuguese", "english", "spanish")
# Up to this many matches, the tickets are looked up by id; beyond, the caller's ordering
# is walked (see tickets_matching).
LOOKUP_LIMIT = 5000
# What an analyst's search reads: GIN-indexed as such by search/migrations/0004.
STAFF_WORDS = Coalesce("vector_with_notes", "vector")
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
        INSERT INTO {table}
            (ticket_id, organization_id, vector, vector_with_notes, digest, indexed_at)
        SELECT d.id,
               d.organization_id,
               {_vector_sql("u.public")},
               CASE WHEN d.notes <> '' THEN {_vector_sql("u.public || ' ' || u.notes")} END,
               d.digest,
               %s
        FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[])
             AS d(id, organization_id, public, notes, digest)
        CROSS JOIN LATERAL (SELECT unaccent(d.public) AS public, unaccent(d.notes) AS notes) AS u
        ON CONFLICT (ticket_id) DO UPDATE SET
            organization_id = EXCLUDED.organization_id,
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
                [text.organization_id for text in texts],
                [text.public for text in texts],
                [text.notes for text in texts],
                [text.digest for text in texts],
            ],
        )


def documents_remove(ticket_ids: Iterable[int], *, using: str) -> None:
    TicketSearchDocument.objects.using(using).filter(ticket_id__in=list(ticket_ids)).delete()


def documents_remove_orphans(*, using: str) -> None:
    """Nothing to do: a document goes with its ticket (a foreign key)."""


def tickets_matching(
    tickets: QuerySet, text: str, *, staff: bool, organization_id: int | None = None
) -> QuerySet:
    """Narrow `tickets` to those whose document matches a web-search style query.

    The query is unaccented like the documents and read as `websearch_to_tsquery` reads it
    ("quoted phrases", `or`, `-word`), so no input is a syntax error. It reaches the
    database as constants, so the planner folds it once and estimates from the index's
    statistics whether to walk the caller's ordering (a common word) or look the words up
    (a rare one); `unaccent()` in the query would hide both and cost a call per row.
    One query runs here, to count the matches up to LOOKUP_LIMIT. With `organization_id`
    (tickets all of one organization) the matches are narrowed to it in the documents (an
    index on it combined with the GIN index's), so a customer's search of a common word
    finds the organization's few hundred matches instead of the desk's tens of thousands.
    """
    query = reduce(
        operator.or_,
        (SearchQuery(unaccent(text), config=config, search_type="websearch") for config in CONFIGS),
    )
    documents = TicketSearchDocument.objects.using(tickets.db).order_by()
    if staff:
        # The full text where a ticket has notes, else the public one: one GIN index on the
        # expression (search/migrations/0004), read without rechecking a row.
        documents = documents.alias(words=STAFF_WORDS).filter(words=query)
    else:
        documents = documents.filter(vector=query)
    if organization_id is not None:
        documents = documents.filter(organization_id=organization_id)
    # Which plan is fast depends on how many tickets match, and the planner's guess is poor
    # for words outside its statistics: a rare word it takes for a common one walks the
    # whole ordering looking for 50 matches (seconds at 100,000 tickets). So ask: a few
    # thousand matches at most are looked up by id; more, and walking the caller's (indexed)
    # ordering finds 50 of them within a few hundred rows.
    found, few = _matches_by_index(
        documents, count_up_to=_counted_matches(), ids_up_to=LOOKUP_LIMIT
    )
    if found < LOOKUP_LIMIT:
        return tickets.filter(MatchedIds(F("pk"), few))
    return tickets.filter(MatchedDocuments(F("pk"), documents.values("ticket_id"), found=found))


def _counted_matches() -> int:
    """How many matches the first query counts: one more than the lists' cap on a search's
    count, so that their count needs no second visit of the documents (and at least as
    many as it may name)."""
    return max(SearchCountPaginator.count_cap + 1, LOOKUP_LIMIT)


class MatchedIds(In):
    """`id IN (…)`: the tickets found by the index, few enough to be named; counted by
    their number when nothing else narrows the tickets (`helpdesk.db.rows_count`)."""

    def count_alone(self, using: str, limit: int | None = None) -> int:
        return len(self.rhs) if limit is None else min(len(self.rhs), limit + 1)


class MatchedDocuments(In):
    """`id IN (SELECT ticket_id FROM documents WHERE …)`: many matches.

    Counted alone (an analyst's search, `helpdesk.db.rows_count`) by the first query, which
    counted them up to the lists' cap: joined to the tickets, the planner reads every
    document instead (600 ms at a million tickets). An exact count beyond the cap visits
    each matching document (100 ms for 50,000 there), which is why the lists cap it.
    """

    def __init__(self, lhs, documents: QuerySet, *, found: int) -> None:
        super().__init__(lhs, documents)
        self.documents, self.found = documents, found

    def count_alone(self, using: str, limit: int | None = None) -> int:
        if self.found < _counted_matches():  # all of them were counted
            return self.found if limit is None else min(self.found, limit + 1)
        if limit is not None and self.found > limit:
            return limit + 1
        counted, _ids = _matches_by_index(self.documents.using(using), count_up_to=None)
        return counted


def _matches_by_index(
    documents: QuerySet, *, count_up_to: int | None, ids_up_to: int = 0
) -> tuple[int, list[int]]:
    """How many documents match (up to `count_up_to`, all if None), and the first
    `ids_up_to` of their tickets' ids: one query through the GIN indexes.

    The planner estimates a word's matches by adding up its lexemes in the four
    configurations ('navegador' | 'naveg' | 'navegador' | 'naveg': a fifth of the table for
    a word in one document of twenty) and, with a LIMIT, expects a sequential scan to stop
    early; it reads and matches every document instead (200 ms at 100,000 tickets, where the
    index finds them in a few). So sequential scans are off for this one statement.
    """
    matches = documents.values_list("ticket_id", flat=True)
    if count_up_to is not None:
        matches = matches[:count_up_to]
    connection = connections[documents.db]
    sql, params = matches.query.get_compiler(connection=connection).as_sql()
    with transaction.atomic(using=documents.db), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"SELECT count(*), (array_agg(ticket_id))[1:%s] FROM ({sql}) AS matches",
            [ids_up_to, *params],
        )
        counted, ids = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
    return counted, ids or []


def unaccent(text: str) -> str:
    """The query without accents, as the `unaccent` extension leaves the documents.

    Done here rather than in SQL: unaccent() is only STABLE, so PostgreSQL would neither
    fold it at planning time nor estimate the query's selectivity from it.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDED))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", stripped)
