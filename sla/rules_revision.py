"""The SLA rules' revision token, changed by the database itself on every change to a rule.

`sla.selectors.policy_with_rules` keeps the policies a process loaded while the token it
read them under is current. Triggers rather than signals: a rule changed by a data fix, a
bulk update or another process must not leave a stale policy in a worker's memory, where it
would give tickets wrong deadlines. PostgreSQL runs one statement-level trigger per change;
SQLite (row triggers only) rewrites the one row per changed row, and rules change rarely.
Installed after every migrate (on SQLite, Django rebuilds an altered table and drops its
triggers).
"""

import secrets

from django.db import connection as default_connection

FUNCTION = "sla_rules_changed"
TOKEN_TABLE = "sla_rulesrevision"
EVENTS = ("INSERT", "UPDATE", "DELETE")


def watched_tables() -> list[str]:
    """Every table a policy's rules, as `sla.selectors.policy_with_rules` loads them and
    `sla.services.snapshot_content` reads them, are in; and the versions in force."""
    from sla.models import (
        BusinessCalendar,
        CalendarClosure,
        ExtraWorkingDay,
        PolicyVersion,
        PriorityLevel,
        PriorityTarget,
        SLAPolicy,
        WorkingPeriod,
    )

    models = (
        SLAPolicy,
        BusinessCalendar,
        WorkingPeriod,
        CalendarClosure,
        ExtraWorkingDay,
        PriorityTarget,
        PriorityLevel,
        PolicyVersion,
    )
    return [model._meta.db_table for model in models]


def _sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_rules_{event.lower()} AFTER {event} ON {table} "
        f"BEGIN UPDATE {TOKEN_TABLE} SET token = lower(hex(randomblob(16))); END"
        for event in EVENTS
    ]


def _postgresql(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    ]


def _drops(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_rules_changed ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {table}_rules_{event.lower()}" for event in EVENTS]


def triggers_install(connection=default_connection) -> None:
    """Put the triggers in place (again), and the token's row if it is missing: idempotent."""
    statements = []
    if connection.vendor == "postgresql":
        statements.append(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN UPDATE {TOKEN_TABLE} SET token = md5(random()::text || "
            f"clock_timestamp()::text); RETURN NULL; END $$"
        )
    elif connection.vendor != "sqlite":
        raise NotImplementedError(f"no rules triggers for {connection.vendor}")
    build = _postgresql if connection.vendor == "postgresql" else _sqlite
    for table in watched_tables():
        statements += [*_drops(connection.vendor, table), *build(table)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TOKEN_TABLE}")
        if not cursor.fetchone()[0]:
            # random like every later token: a flushed and refilled database must not
            # come back to a token a process has cached rules under
            cursor.execute(
                f"INSERT INTO {TOKEN_TABLE} (id, token) VALUES (1, %s)", [secrets.token_hex(16)]
            )
        for sql in statements:
            cursor.execute(sql)


def triggers_after_migrate(sender, *, using, **kwargs) -> None:
    """post_migrate receiver (sent for the sla app after every migration has run)."""
    from django.db import connections

    connection = connections[using]
    tables = connection.introspection.table_names()
    if all(table in tables for table in [TOKEN_TABLE, *watched_tables()]):
        triggers_install(connection)
