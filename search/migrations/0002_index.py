"""The index itself, which differs by database: GIN indexes on PostgreSQL, FTS5 on SQLite."""

from django.db import migrations

GIN = [
    ("search_document_vector_gin", "vector"),
    ("search_document_notes_gin", "vector_with_notes"),
]


def index_create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, column in GIN:
            schema_editor.execute(
                f"CREATE INDEX {name} ON search_ticketsearchdocument USING gin ({column})"
            )
    elif vendor == "sqlite":
        from search.sqlite import CREATE_TABLE

        schema_editor.execute(CREATE_TABLE)


def index_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, _column in GIN:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    elif vendor == "sqlite":
        from search.sqlite import DROP_TABLE

        schema_editor.execute(DROP_TABLE)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(index_create, index_drop, elidable=False)]
