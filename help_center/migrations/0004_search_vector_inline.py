"""PostgreSQL: the search vectors kept in the translations' rows (STORAGE MAIN).

A vector of a few hundred words is about a kilobyte, and with the bodies beside it the row
passed PostgreSQL's two-kilobyte threshold, so the vector went to the TOAST table: a search
matching most articles (a common word) fetched every vector from there to test and rank it,
three times the time of reading it in the row. MAIN keeps the vector in the row (compressed
if need be) and sends the bodies out first. Existing vectors are written again so the new
storage applies to them. Nothing to do on SQLite (its index is the FTS5 table).
"""

from django.db import migrations

TABLE = "help_center_articletranslation"
CONFIGS = {"pt-br": "portuguese", "en": "english", "es": "spanish"}


def storage_main(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE MAIN")
    for language, name in CONFIGS.items():
        config = f"help_center_{name}"
        schema_editor.execute(
            f"UPDATE {TABLE} SET search_vector = "
            f"setweight(to_tsvector('{config}', title), 'A') || "
            f"setweight(to_tsvector('{config}', summary), 'B') || "
            f"setweight(to_tsvector('{config}', body_text), 'C') "
            "WHERE language = %s",
            [language],
        )


def storage_extended(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("help_center", "0003_roles")]

    operations = [migrations.RunPython(storage_main, storage_extended, elidable=False)]
