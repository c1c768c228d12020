"""The index on SQLite: an FTS5 table, accent- and case-insensitive, rowid = ticket id."""

import re
from collections.abc import Iterable
from datetime import datetime

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from search.documents import TicketText
from search.models import TicketSearchDocument

TABLE = "search_ticket_fts"
CREATE_TABLE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
    "customer_text, notes_text, "
    "tokenize='unicode61 remove_diacritics 2', "
    # prefix indexes: a short last word ("rel") is a prefix query on every keystroke
    "prefix='2 3')"
)
DROP_TABLE = f"DROP TABLE IF EXISTS {TABLE}"

# A chunk of the query worth searching for: one with a letter or digit (what unicode61 keeps).
_WORDY = re.compile(r"[^\W_]")


def documents_write(texts: list[TicketText], *, now: datetime, using: str) -> None:
    """Replace the documents' rows in the FTS5 table and their bookkeeping rows."""
    if not texts:
        return
    TicketSearchDocument.objects.using(using).bulk_create(
        [
            TicketSearchDocument(ticket_id=text.ticket_id, digest=text.digest, indexed_at=now)
            for text in texts
        ],
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=["digest", "indexed_at"],
    )
    with connections[using].cursor() as cursor:
        # FTS5 honours OR REPLACE on the rowid: the old row's terms go, one statement
        cursor.executemany(
            f"INSERT OR REPLACE INTO {TABLE} (rowid, customer_text, notes_text) "
            "VALUES (%s, %s, %s)",
            [(text.ticket_id, text.public, text.notes) for text in texts],
        )


def documents_remove(ticket_ids: Iterable[int], *, using: str) -> None:
    ids = list(ticket_ids)
    TicketSearchDocument.objects.using(using).filter(ticket_id__in=ids).delete()
    with connections[using].cursor() as cursor:
        cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(pk,) for pk in ids])


def documents_remove_orphans(*, using: str) -> None:
    """Rows of tickets deleted without our signal (raw SQL, a restored backup)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE rowid NOT IN (SELECT ticket_id FROM "
            f"{TicketSearchDocument._meta.db_table})"
        )


def match_expression(text: str, *, staff: bool) -> str | None:
    """An FTS5 query built from user text, where no character is FTS5 syntax.

    Each whitespace-separated chunk becomes a quoted FTS5 string (a phrase of the words the
    tokenizer finds in it: "ana@acme.com" is the phrase ana acme com), all of them required;
    the last one matches as a prefix, for search as you type. Customers search only the
    customer-visible column. None when nothing searchable remains.
    """
    chunks = [chunk for chunk in text.split() if _WORDY.search(chunk)]
    if not chunks:
        return None
    phrases = ['"' + chunk.replace('"', '""') + '"' for chunk in chunks]
    phrases[-1] += "*"
    expression = " ".join(phrases)
    return expression if staff else f"{{customer_text}} : ({expression})"


def tickets_matching(tickets: QuerySet, text: str, *, staff: bool) -> QuerySet:
    """Narrow `tickets` to those whose FTS5 row matches the words of `text`."""
    expression = match_expression(text, staff=staff)
    if expression is None:
        return tickets.none()
    return tickets.filter(
        pk__in=RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", (expression,))
    )
