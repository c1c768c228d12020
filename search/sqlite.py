"""The index on SQLite: an FTS5 table, accent- and case-insensitive, rowid = ticket id."""

import re
from collections.abc import Iterable
from datetime import datetime

from django.db import connections
from django.db.models import F, Lookup, QuerySet
from django.db.models.lookups import In

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
# Above this many matching tickets, a page of them is found by walking the list's order
# index (a match is then met every few hundred rows at most); below, by looking the matches
# up and sorting them.
COMMON_MATCHES = 2_000


def documents_write(texts: list[TicketText], *, now: datetime, using: str) -> None:
    """Replace the documents' rows in the FTS5 table and their bookkeeping rows."""
    if not texts:
        return
    TicketSearchDocument.objects.using(using).bulk_create(
        [
            TicketSearchDocument(
                ticket_id=text.ticket_id,
                organization_id=text.organization_id,
                digest=text.digest,
                indexed_at=now,
            )
            for text in texts
        ],
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=["organization", "digest", "indexed_at"],
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


def tickets_matching(
    tickets: QuerySet, text: str, *, staff: bool, organization_id: int | None = None
) -> QuerySet:
    """Narrow `tickets` to those whose FTS5 row matches the words of `text`.

    How many tickets match is probed first (one query, counting up to COMMON_MATCHES): it
    decides how a page of them is read (`MatchedTickets`). `organization_id` is not needed
    here: a customer's tickets are read through their organization's index and checked
    against the matches already.
    """
    expression = match_expression(text, staff=staff)
    if expression is None:
        return tickets.none()
    with connections[tickets.db].cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s)",
            (expression, COMMON_MATCHES + 1),
        )
        (matches,) = cursor.fetchone()
    if not matches:
        return tickets.none()
    return tickets.filter(
        MatchedTickets(expression, common=matches > COMMON_MATCHES, scoped=not staff)
    )


class MatchedTickets(Lookup):
    """The ticket is among the FTS5 matches: `id IN (SELECT rowid … MATCH …)`, written for
    the query it ends up in.

    Few matches: SQLite looks each one up by id and sorts them (cheap). Many (a common word
    at a million tickets: 50,000 matches, 300 ms to look up and sort): a page, an ordered and
    sliced query, is better read by walking the order's index and keeping the rows whose id
    is among the matches, stopping at the page's end; writing `+id` stops SQLite from
    looking the matches up by id instead. A count (unordered) still looks them up: the
    walk would read the whole index to count, unless the tickets are a customer's (`scoped`):
    their organization's index is then the way in. A lookup (not a boolean expression, which
    Django would compare with `= true`, hiding the id from SQLite's planner).
    """

    lookup_name = "fts5_matches"
    prepare_rhs = False

    def __init__(self, expression: str, *, common: bool, scoped: bool = False) -> None:
        super().__init__(F("pk"), expression)
        self.common, self.scoped = common, scoped

    def as_sql(self, compiler, connection):
        column, params = self.process_lhs(compiler, connection)
        query = compiler.query
        ordered = bool(query.order_by) or bool(query.default_ordering and query.get_meta().ordering)
        walk = self.common and query.is_sliced and ordered
        sql = f"{column} IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s)"
        # A page's rows read after its ids (helpdesk.db.rows_by_ids_first): the ids are the
        # way in, the matches only a check (else SQLite looks up every match to find 25).
        # A customer's tickets are one organization's (an index): with many matches, they
        # are read there and checked against the matches, for a count too.
        if walk or (self.common and (self.scoped or _ids_listed(query))):
            sql = "+" + sql
        return sql, (*params, self.rhs)

    def count_alone(self, using: str, limit: int | None = None) -> int:
        """The matching tickets counted in the index (`helpdesk.db.rows_count`, when the
        tickets are narrowed by nothing else): 'navegador' at a million tickets, 53,000
        matches, 14 ms, where checking each against the tickets took 76. The index has a
        row per ticket (removed with it; `search_reindex` drops rows a raw delete left)."""
        matches = f"SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s"
        params: tuple = (self.rhs,)
        if limit is not None:
            matches, params = f"{matches} LIMIT %s", (self.rhs, limit + 1)
        with connections[using].cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({matches})", params)
            return cursor.fetchone()[0]


def _ids_listed(query) -> bool:
    """The query already names its rows by id (`pk__in=[…]`, values rather than a query)."""
    pk = query.get_meta().pk
    return any(
        isinstance(child, In)
        and getattr(child.lhs, "target", None) == pk
        and not hasattr(child.rhs, "query")
        and not hasattr(child.rhs, "as_sql")
        for child in query.where.children
    )
