"""Ticket.breached_at: the first breach among a ticket's clocks, kept by the database.

The lists' "breached" filter asked the clocks for every ticket that ever breached: at a
million tickets that set is a few hundred thousand clocks, gathered and sorted on every page
and again for its count. Kept on the ticket, with an index, it is a range of one index.

Triggers rather than calls in the services: a breach is recorded in seven places (a clock
met late, paused late, started late, recalculated, restarted, swept, re-applied), some by
bulk_update, none with a signal, and a forgotten one would hide a breach from the list.
The clocks' triggers recompute the ticket's value from its clocks; the ticket's own trigger
puts it back when a whole-row save writes a value read before the breach. Installed after
every migrate (on SQLite, Django rebuilds an altered table and drops its triggers).
"""

from __future__ import annotations

from django.db import connection as default_connection

NAMES_ON_CLOCKS = ("tickets_breach_new", "tickets_breach_moved", "tickets_breach_gone")
NAME_ON_TICKETS = "tickets_breach_kept"


def _tables() -> tuple[str, str]:
    from sla.models import SLAClock
    from tickets.models import Ticket

    return Ticket._meta.db_table, SLAClock._meta.db_table


def _first_breach(clocks: str, ticket_id: str) -> str:
    return f"(SELECT MIN(breached_at) FROM {clocks} WHERE ticket_id = {ticket_id})"


def _sqlite(tickets: str, clocks: str) -> list[str]:
    def recompute(ticket_ids: str) -> str:
        first = _first_breach(clocks, f"{tickets}.id")
        return f"UPDATE {tickets} SET breached_at = {first} WHERE id IN ({ticket_ids});"

    return [
        f"CREATE TRIGGER tickets_breach_new AFTER INSERT ON {clocks} "
        f"WHEN NEW.breached_at IS NOT NULL BEGIN {recompute('NEW.ticket_id')} END",
        f"CREATE TRIGGER tickets_breach_moved AFTER UPDATE OF breached_at, ticket_id "
        f"ON {clocks} WHEN OLD.breached_at IS NOT NEW.breached_at "
        "OR OLD.ticket_id IS NOT NEW.ticket_id "
        f"BEGIN {recompute('OLD.ticket_id, NEW.ticket_id')} END",
        f"CREATE TRIGGER tickets_breach_gone AFTER DELETE ON {clocks} "
        f"WHEN OLD.breached_at IS NOT NULL BEGIN {recompute('OLD.ticket_id')} END",
        # A ticket saved whole writes the breached_at it read: put the clocks' back.
        f"CREATE TRIGGER tickets_breach_kept AFTER UPDATE OF breached_at ON {tickets} "
        f"WHEN NEW.breached_at IS NOT {_first_breach(clocks, 'NEW.id')} "
        f"BEGIN {recompute('NEW.id')} END",
    ]


def _postgresql(tickets: str, clocks: str) -> list[str]:
    def recompute(ticket_id: str) -> str:
        first = _first_breach(clocks, f"{tickets}.id")
        return f"UPDATE {tickets} SET breached_at = {first} WHERE id = {ticket_id};"

    return [
        "CREATE OR REPLACE FUNCTION tickets_breach_from_clocks() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {recompute('OLD.ticket_id')} END IF; "
        "IF TG_OP IN ('UPDATE', 'INSERT') AND (TG_OP = 'INSERT' "
        f"OR NEW.ticket_id IS DISTINCT FROM OLD.ticket_id) THEN {recompute('NEW.ticket_id')} "
        "END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
        "CREATE OR REPLACE FUNCTION tickets_breach_kept() RETURNS trigger AS $$ BEGIN "
        f"NEW.breached_at := {_first_breach(clocks, 'NEW.id')}; RETURN NEW; END "
        "$$ LANGUAGE plpgsql",
        f"CREATE TRIGGER tickets_breach_new AFTER INSERT ON {clocks} FOR EACH ROW "
        "WHEN (NEW.breached_at IS NOT NULL) EXECUTE FUNCTION tickets_breach_from_clocks()",
        f"CREATE TRIGGER tickets_breach_moved AFTER UPDATE OF breached_at, ticket_id "
        f"ON {clocks} FOR EACH ROW WHEN (OLD.breached_at IS DISTINCT FROM NEW.breached_at "
        "OR OLD.ticket_id IS DISTINCT FROM NEW.ticket_id) "
        "EXECUTE FUNCTION tickets_breach_from_clocks()",
        f"CREATE TRIGGER tickets_breach_gone AFTER DELETE ON {clocks} FOR EACH ROW "
        "WHEN (OLD.breached_at IS NOT NULL) EXECUTE FUNCTION tickets_breach_from_clocks()",
        f"CREATE TRIGGER tickets_breach_kept BEFORE UPDATE OF breached_at ON {tickets} "
        "FOR EACH ROW EXECUTE FUNCTION tickets_breach_kept()",
    ]


def _drops(vendor: str, tickets: str, clocks: str) -> list[str]:
    on = dict.fromkeys(NAMES_ON_CLOCKS, clocks) | {NAME_ON_TICKETS: tickets}
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in on.items()]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in on]


def triggers_install(connection=default_connection) -> None:
    """Put the triggers in place (again): idempotent, run after every migrate."""
    tickets, clocks = _tables()
    if connection.vendor == "postgresql":
        statements = _postgresql(tickets, clocks)
    elif connection.vendor == "sqlite":
        statements = _sqlite(tickets, clocks)
    else:
        raise NotImplementedError(f"no breach triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        for sql in [*_drops(connection.vendor, tickets, clocks), *statements]:
            cursor.execute(sql)


def triggers_remove(connection=default_connection) -> None:
    """Take the triggers off for a bulk load; `breaches_backfill` then `triggers_install`."""
    tickets, clocks = _tables()
    with connection.cursor() as cursor:
        for sql in _drops(connection.vendor, tickets, clocks):
            cursor.execute(sql)


def breaches_backfill(connection=default_connection) -> None:
    """Every ticket's first breach, from its clocks, in one statement."""
    tickets, clocks = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {tickets} SET breached_at = {_first_breach(clocks, f'{tickets}.id')}"
        )


def triggers_after_migrate(sender, *, using, **kwargs) -> None:
    """post_migrate receiver (sent for the tickets app after every migration has run)."""
    from django.db import connections

    connection = connections[using]
    tables = connection.introspection.table_names()
    if all(table in tables for table in _tables()):
        triggers_install(connection)
