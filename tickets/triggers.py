"""What a ticket's clocks say, kept on the ticket by the database: `breached_at` (the first
breach among its clocks), `next_due_at` (the earliest deadline of a clock not met) and
`at_risk_from` (the earliest warning instant of a clock running).

The lists' "breached" filter asked the clocks for every ticket that ever breached: at a
million tickets that set is a few hundred thousand clocks, gathered and sorted on every page
and again for its count. Kept on the ticket, with an index, it is a range of one index; and
a clock running late shows as a `next_due_at` already past, which the lists order by.
The services set `next_due_at` too (the ticket in hand has it); the triggers make it a fact
of the clocks whatever writes them (a data fix, an import).

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
# Clock columns the ticket's derived columns are computed from.
CLOCK_COLUMNS = ("breached_at", "due_at", "met_at", "state", "warn_at", "ticket_id")
# The ticket's columns the triggers keep.
DERIVED_COLUMNS = ("breached_at", "next_due_at", "at_risk_from")


def _tables() -> tuple[str, str]:
    from sla.models import SLAClock
    from tickets.models import Ticket

    return Ticket._meta.db_table, SLAClock._meta.db_table


def _first_breach(clocks: str, ticket_id: str) -> str:
    return f"(SELECT MIN(breached_at) FROM {clocks} WHERE ticket_id = {ticket_id})"


def _next_due(clocks: str, ticket_id: str) -> str:
    """`sla.services.next_due`: the earliest deadline of a clock not met (a waiting or
    stopped clock has none)."""
    return f"(SELECT MIN(due_at) FROM {clocks} WHERE ticket_id = {ticket_id} AND met_at IS NULL)"


def _at_risk_from(clocks: str, ticket_id: str) -> str:
    """When the ticket is at risk: the earliest warning instant of a clock counting (the
    lists' "at risk" is this instant passed, the next deadline still ahead, never breached).

    The clock's state is tested inside MIN, not in WHERE: with `state = 'running'` in
    WHERE, SQLite at a million tickets walked the (state, warn_at) index for the minimum,
    through every running clock of the desk, for each ticket (a backfill of 50,000 tickets
    ran for minutes; every clock change fires this). Only the ticket's own clocks are read."""
    return (
        f"(SELECT MIN(CASE WHEN state = 'running' AND met_at IS NULL THEN warn_at END) "
        f"FROM {clocks} WHERE ticket_id = {ticket_id})"
    )


def _derived(clocks: str, ticket_id: str) -> dict[str, str]:
    return {
        "breached_at": _first_breach(clocks, ticket_id),
        "next_due_at": _next_due(clocks, ticket_id),
        "at_risk_from": _at_risk_from(clocks, ticket_id),
    }


def _assignments(clocks: str, ticket_id: str, columns=DERIVED_COLUMNS) -> str:
    derived = _derived(clocks, ticket_id)
    return ", ".join(f"{column} = {derived[column]}" for column in columns)


def _differs(clocks: str, distinct: str) -> str:
    """The ticket row's derived columns differ from its clocks' (in a ticket trigger)."""
    return " OR ".join(
        f"NEW.{column} {distinct} {value}" for column, value in _derived(clocks, "NEW.id").items()
    )


def _changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in CLOCK_COLUMNS)


def _sqlite(tickets: str, clocks: str) -> list[str]:
    def recompute(ticket_ids: str) -> str:
        set_clause = _assignments(clocks, f"{tickets}.id")
        return f"UPDATE {tickets} SET {set_clause} WHERE id IN ({ticket_ids});"

    return [
        f"CREATE TRIGGER tickets_breach_new AFTER INSERT ON {clocks} "
        f"BEGIN {recompute('NEW.ticket_id')} END",
        f"CREATE TRIGGER tickets_breach_moved AFTER UPDATE OF {', '.join(CLOCK_COLUMNS)} "
        f"ON {clocks} WHEN {_changed('IS NOT')} "
        f"BEGIN {recompute('OLD.ticket_id, NEW.ticket_id')} END",
        f"CREATE TRIGGER tickets_breach_gone AFTER DELETE ON {clocks} "
        f"BEGIN {recompute('OLD.ticket_id')} END",
        # A ticket saved whole writes the values it read: put the clocks' back.
        f"CREATE TRIGGER tickets_breach_kept AFTER UPDATE OF {', '.join(DERIVED_COLUMNS)} "
        f"ON {tickets} WHEN {_differs(clocks, 'IS NOT')} BEGIN {recompute('NEW.id')} END",
    ]


def _postgresql(tickets: str, clocks: str) -> list[str]:
    def recompute(ticket_id: str) -> str:
        set_clause = _assignments(clocks, f"{tickets}.id")
        return f"UPDATE {tickets} SET {set_clause} WHERE id = {ticket_id};"

    return [
        "CREATE OR REPLACE FUNCTION tickets_breach_from_clocks() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {recompute('OLD.ticket_id')} END IF; "
        "IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' "
        f"AND NEW.ticket_id IS DISTINCT FROM OLD.ticket_id) THEN {recompute('NEW.ticket_id')} "
        "END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
        "CREATE OR REPLACE FUNCTION tickets_breach_kept() RETURNS trigger AS $$ BEGIN "
        + "".join(
            f"NEW.{column} := {value}; " for column, value in _derived(clocks, "NEW.id").items()
        )
        + "RETURN NEW; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER tickets_breach_new AFTER INSERT ON {clocks} FOR EACH ROW "
        "EXECUTE FUNCTION tickets_breach_from_clocks()",
        f"CREATE TRIGGER tickets_breach_moved AFTER UPDATE OF {', '.join(CLOCK_COLUMNS)} "
        f"ON {clocks} FOR EACH ROW WHEN ({_changed('IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION tickets_breach_from_clocks()",
        f"CREATE TRIGGER tickets_breach_gone AFTER DELETE ON {clocks} FOR EACH ROW "
        "EXECUTE FUNCTION tickets_breach_from_clocks()",
        f"CREATE TRIGGER tickets_breach_kept BEFORE UPDATE OF {', '.join(DERIVED_COLUMNS)} "
        f"ON {tickets} FOR EACH ROW EXECUTE FUNCTION tickets_breach_kept()",
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


def breaches_backfill(
    connection=default_connection, columns=DERIVED_COLUMNS, *, batch: int | None = None
) -> None:
    """Every ticket's first breach, next deadline and risk instant, from its clocks, in one
    statement (a migration names the columns that exist at its point in history), or one
    per `batch` ticket ids: outside a transaction each batch commits, so a bulk import of a
    million tickets does not hold every changed page in SQLite's cache at once (it then
    spent half an hour recycling a full cache of changed pages)."""
    tickets, clocks = _tables()
    update = f"UPDATE {tickets} SET {_assignments(clocks, f'{tickets}.id', columns)}"
    with connection.cursor() as cursor:
        if batch is None:
            cursor.execute(update)
            return
        cursor.execute(f"SELECT min(id), max(id) FROM {tickets}")
        first, last = cursor.fetchone()
        for start in range(first or 0, (last or -1) + 1, batch):
            cursor.execute(f"{update} WHERE id >= %s AND id < %s", [start, start + batch])


def triggers_after_migrate(sender, *, using, **kwargs) -> None:
    """post_migrate receiver (sent for the tickets app after every migration has run)."""
    from django.db import connections

    connection = connections[using]
    tables = connection.introspection.table_names()
    if all(table in tables for table in _tables()):
        triggers_install(connection)
