"""PostgreSQL: an analyst's search reads one GIN index, on COALESCE(vector_with_notes,
vector) (the full text where a ticket has notes, else the public one), instead of two
combined with OR and each matching row rechecked; the notes-only index goes."""

from django.db import migrations

STAFF = (
    "CREATE INDEX IF NOT EXISTS search_document_staff_gin ON search_ticketsearchdocument "
    "USING gin (COALESCE(vector_with_notes, vector))"
)
NOTES = (
    "CREATE INDEX IF NOT EXISTS search_document_notes_gin ON search_ticketsearchdocument "
    "USING gin (vector_with_notes)"
)


def staff_index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STAFF)
        schema_editor.execute("DROP INDEX IF EXISTS search_document_notes_gin")


def staff_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NOTES)
        schema_editor.execute("DROP INDEX IF EXISTS search_document_staff_gin")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_document_organization")]

    operations = [migrations.RunPython(staff_index_create, staff_index_drop, elidable=False)]
