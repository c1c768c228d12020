"""Database triggers (and one index) that mark a ticket's report day for recounting whenever
what the compliance report reads changes: a clock's state, deadline, breach, goal, time used
or pauses; a ticket's report instant, status, level, organization or analyst.

Triggers rather than signals or calls in the services: the SLA sweep and the policy re-apply
write clocks with bulk_update, merges and deadline refreshes with update(), and an import may
use raw SQL; none of these send signals, and a forgotten call would leave a report quietly
wrong. They are (re)installed after every migrate, not by a migration: on SQLite, Django alters
a table by copying it into a new one, which drops the old table's triggers.
"""

from __future__ import annotations

from django.db import connection as default_connection

TICKET_COLUMNS = ("reported_at", "status", "priority_id", "organization_id", "assignee_id")
CLOCK_COLUMNS = (
    "ticket_id",
    "metric",
    "state",
    "due_at",
    "met_at",
    "breached_at",
    "time_used",
    "paused_total",
    "paused_since",
)
NAMES = ("reports_stale_ticket", "reports_stale_ticket_gone", "reports_stale_clock")
STALE = "reports_stalerollup"


def _tables() -> tuple[str, str]:
    from sla.models import SLAClock
    from tickets.models import Ticket

    return Ticket._meta.db_table, SLAClock._meta.db_table


def _changed(columns, distinct: str) -> str:
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in columns)


def _sqlite(tickets: str, clocks: str) -> list[str]:
    mark_ticket = f"INSERT INTO {STALE} (reported_at) SELECT reported_at FROM {tickets} WHERE id"
    return [
        f"CREATE TRIGGER reports_stale_ticket AFTER UPDATE OF {', '.join(TICKET_COLUMNS)} "
        f"ON {tickets} WHEN {_changed(TICKET_COLUMNS, 'IS NOT')} BEGIN "
        f"INSERT INTO {STALE} (reported_at) VALUES (OLD.reported_at); "
        f"INSERT INTO {STALE} (reported_at) SELECT NEW.reported_at "
        "WHERE NEW.reported_at IS NOT OLD.reported_at; END",
        f"CREATE TRIGGER reports_stale_ticket_gone AFTER DELETE ON {tickets} BEGIN "
        f"INSERT INTO {STALE} (reported_at) VALUES (OLD.reported_at); END",
        f"CREATE TRIGGER reports_stale_clock_new AFTER INSERT ON {clocks} BEGIN "
        f"{mark_ticket} = NEW.ticket_id; END",
        f"CREATE TRIGGER reports_stale_clock AFTER UPDATE OF {', '.join(CLOCK_COLUMNS)} "
        f"ON {clocks} WHEN {_changed(CLOCK_COLUMNS, 'IS NOT')} BEGIN "
        f"{mark_ticket} IN (OLD.ticket_id, NEW.ticket_id); END",
        f"CREATE TRIGGER reports_stale_clock_gone AFTER DELETE ON {clocks} BEGIN "
        f"{mark_ticket} = OLD.ticket_id; END",
    ]


def _postgresql(tickets: str, clocks: str) -> list[str]:
    return [
        "CREATE OR REPLACE FUNCTION reports_stale_ticket() RETURNS trigger AS $$ BEGIN "
        f"INSERT INTO {STALE} (reported_at) VALUES (OLD.reported_at); "
        "IF TG_OP = 'UPDATE' AND NEW.reported_at IS DISTINCT FROM OLD.reported_at THEN "
        f"INSERT INTO {STALE} (reported_at) VALUES (NEW.reported_at); END IF; "
        "RETURN NULL; END $$ LANGUAGE plpgsql",
        "CREATE OR REPLACE FUNCTION reports_stale_clock() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        f"INSERT INTO {STALE} (reported_at) SELECT reported_at FROM {tickets} "
        "WHERE id = NEW.ticket_id; "
        "ELSIF TG_OP = 'DELETE' THEN "
        f"INSERT INTO {STALE} (reported_at) SELECT reported_at FROM {tickets} "
        "WHERE id = OLD.ticket_id; "
        f"ELSE INSERT INTO {STALE} (reported_at) SELECT reported_at FROM {tickets} "
        "WHERE id IN (OLD.ticket_id, NEW.ticket_id); END IF; "
        "RETURN NULL; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER reports_stale_ticket AFTER UPDATE OF {', '.join(TICKET_COLUMNS)} "
        f"ON {tickets} FOR EACH ROW WHEN ({_changed(TICKET_COLUMNS, 'IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION reports_stale_ticket()",
        f"CREATE TRIGGER reports_stale_ticket_gone AFTER DELETE ON {tickets} "
        "FOR EACH ROW EXECUTE FUNCTION reports_stale_ticket()",
        f"CREATE TRIGGER reports_stale_clock_new AFTER INSERT ON {clocks} "
        "FOR EACH ROW EXECUTE FUNCTION reports_stale_clock()",
        f"CREATE TRIGGER reports_stale_clock AFTER UPDATE OF {', '.join(CLOCK_COLUMNS)} "
        f"ON {clocks} FOR EACH ROW WHEN ({_changed(CLOCK_COLUMNS, 'IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION reports_stale_clock()",
        f"CREATE TRIGGER reports_stale_clock_gone AFTER DELETE ON {clocks} "
        "FOR EACH ROW EXECUTE FUNCTION reports_stale_clock()",
    ]


def _drops(vendor: str, tickets: str, clocks: str) -> list[str]:
    on = {
        "reports_stale_ticket": tickets,
        "reports_stale_ticket_gone": tickets,
        "reports_stale_clock_new": clocks,
        "reports_stale_clock": clocks,
        "reports_stale_clock_gone": clocks,
    }
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
        raise NotImplementedError(f"no report triggers for {connection.vendor}")
    # Recounting a day reads its tickets by report instant, through Ticket's own index
    # (ticket_reported); this one stood in for it before it was declared there.
    index = "DROP INDEX IF EXISTS reports_ticket_reported_at"
    with connection.cursor() as cursor:
        for sql in [*_drops(connection.vendor, tickets, clocks), *statements, index]:
            cursor.execute(sql)


def triggers_remove(connection=default_connection) -> None:
    """Take the triggers off, for a bulk load followed by `reports_rebuild_rollups` (which
    counts every day from the clocks, marked or not); `triggers_install` puts them back."""
    tickets, clocks = _tables()
    with connection.cursor() as cursor:
        for sql in _drops(connection.vendor, tickets, clocks):
            cursor.execute(sql)


def triggers_after_migrate(sender, *, using, plan=None, **kwargs) -> None:
    """post_migrate receiver: install once the tables exist (not when migrating backwards)."""
    from django.db import connections

    connection = connections[using]
    tables = connection.introspection.table_names()
    if STALE in tables and all(table in tables for table in _tables()):
        triggers_install(connection)
