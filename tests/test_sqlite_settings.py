"""The database settings: the embedded default's SQLite, checked on a real database file,
and PostgreSQL's session options."""

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the SQLite options apply to the embedded default only",
)
def test_a_file_database_runs_in_wal_with_a_busy_timeout_and_immediate_writes(
    tmp_path, django_db_blocker
):
    options = {**settings.DATABASES["default"], "NAME": str(tmp_path / "desk.sqlite3")}
    wrapper = DatabaseWrapper(options, alias="sqlite-settings-check")
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
                assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 20_000
                assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
                assert cursor.execute("PRAGMA mmap_size").fetchone()[0] == 2**30
                assert cursor.execute("PRAGMA cache_size").fetchone()[0] == -32768
            assert wrapper.transaction_mode == "IMMEDIATE"
        finally:
            wrapper.close()


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="PostgreSQL's session settings",
)
@pytest.mark.django_db
def test_postgresql_sessions_run_without_the_jit():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
