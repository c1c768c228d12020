"""Keeping the search documents current: once per ticket per transaction, after the commit."""

from collections.abc import Callable, Iterable
from types import ModuleType

from django.db import connections, transaction
from django.utils import timezone

from helpdesk.db import commit_callback_queued
from search import documents, postgres, sqlite
from search.models import TicketSearchDocument
from tickets.models import Ticket

BATCH = 1000


def backend(using: str = "default") -> ModuleType:
    """The index of the database in use: PostgreSQL's text search, or SQLite's FTS5."""
    return postgres if connections[using].vendor == "postgresql" else sqlite


def tickets_index(
    ticket_ids: Iterable[int],
    *,
    using: str = "default",
    force: bool = False,
    new: Iterable[int] = (),
):
    """Bring these tickets' documents up to date now; return how many were rewritten.

    A document whose text did not change is left alone (its digest says so) unless `force`,
    as after a change of the index's configuration. A ticket gone loses its document. The
    `new` tickets (created since) have no document to compare with: theirs is written
    without reading the digests.
    """
    new = set(new)
    index = backend(using)
    now = timezone.now()
    ids = sorted(set(ticket_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        texts = documents.texts_of(batch, using=using)
        gone = set(batch) - texts.keys()
        if gone:
            index.documents_remove(gone, using=using)
        changed = list(texts.values())
        known = [pk for pk in texts if pk not in new]
        if not force and known:
            current = dict(
                TicketSearchDocument.objects.using(using)
                .filter(ticket_id__in=known)
                .values_list("ticket_id", "digest")
            )
            changed = [
                text
                for text in changed
                if text.ticket_id in new or current.get(text.ticket_id) != text.digest
            ]
        index.documents_write(changed, now=now, using=using)
        written += len(changed)
    return written


def tickets_index_later(
    ticket_ids: Iterable[int], *, using: str = "default", created: bool = False
) -> None:
    """Index these tickets when the current transaction commits (now, outside one).

    However many saves touch a ticket in one transaction, it is indexed once, reading what
    was committed; a rolled-back transaction indexes nothing. `created`: the tickets were
    just inserted, so they have no document yet to compare with.
    """
    ticket_ids = set(ticket_ids)
    connection = connections[using]
    if not connection.in_atomic_block:
        tickets_index(ticket_ids, using=using, new=ticket_ids if created else ())
        return
    pending = _pending(connection)
    pending.ids.update(ticket_ids)
    if created:
        pending.new.update(ticket_ids)


class _Pending:
    """Tickets waiting for the commit of the transaction that changed them."""

    def __init__(self, using: str, ids: set[int], new: set[int]) -> None:
        self.using, self.ids, self.new, self.done = using, ids, new, False

    def __call__(self) -> None:
        self.done = True
        ids, self.ids, new, self.new = self.ids, set(), self.new, set()
        tickets_index(ids, using=self.using, new=new)


def _pending(connection) -> _Pending:
    """This transaction's pending set, with its on_commit callback registered once.

    A callback dropped with a rolled-back savepoint or transaction is registered again; the
    tickets it held are carried over (indexing a ticket that did not change costs a read).
    """
    pending: _Pending | None = getattr(connection, "_search_pending", None)
    if (
        pending is not None
        and not pending.done
        and commit_callback_queued(pending, using=connection.alias)
    ):
        return pending
    carried = pending is not None and not pending.done
    pending = _Pending(
        connection.alias,
        set(pending.ids) if carried else set(),
        set(pending.new) if carried else set(),
    )
    connection._search_pending = pending
    # robust: the change is committed already, and a failure to index it (logged) must not
    # turn its answer into an error; `search_reindex` catches the ticket up.
    transaction.on_commit(pending, using=connection.alias, robust=True)
    return pending


def tickets_reindex_all(
    *, using: str = "default", batch: int = 5000, progress: Callable[[int], None] | None = None
) -> int:
    """Rebuild every ticket's document, in batches of ticket ids (bulk imports, a changed
    configuration); return how many tickets were indexed."""
    index = backend(using)
    index.documents_remove_orphans(using=using)
    done, last = 0, 0
    while True:
        ids = list(
            Ticket.objects.using(using)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        with transaction.atomic(using=using):
            tickets_index(ids, using=using, force=True)
        done, last = done + len(ids), ids[-1]
        if progress is not None:
            progress(done)
