"""The index on PostgreSQL: text search vectors in Portuguese, English and Spanish, unaccented."""

import operator
from collections.abc import Iterable
from datetime import datetime
from functools import reduce

from django.contrib.postgres.search import SearchQuery
from django.db import connections
from django.db.models import Func, Q, QuerySet, Value

from search.documents import TicketText
from search.models import TicketSearchDocument

# 'simple' keeps every word as written (names, e-mail addresses, codes); the three stemmed
# configurations let "relatórios" find "relatório", "running" find "runs", "problemas"
# find "problema". A query matches when it matches in any of them.
CONFIGS = ("simple", "portuguese", "english", "spanish")


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
    ("quoted phrases", `or`, `-word`), so no input is a syntax error.
    """
    unaccented = Func(Value(text), function="unaccent")
    query = reduce(
        operator.or_,
        (SearchQuery(unaccented, config=config, search_type="websearch") for config in CONFIGS),
    )
    if staff:
        # Either index answers: the full text where a ticket has notes, else the public one.
        condition = Q(vector_with_notes=query) | Q(vector_with_notes__isnull=True, vector=query)
    else:
        condition = Q(vector=query)
    documents = TicketSearchDocument.objects.using(tickets.db).filter(condition)
    return tickets.filter(pk__in=documents.values("ticket_id"))
