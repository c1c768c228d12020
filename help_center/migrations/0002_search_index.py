"""The search index, which differs by database: per-language configurations that unaccent
then stem, and a GIN index, on PostgreSQL; an FTS5 table of Snowball stems on SQLite."""

from django.db import migrations

LANGUAGES = ("portuguese", "english", "spanish")


def index_create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for language in LANGUAGES:
            config = f"help_center_{language}"
            schema_editor.execute(
                f"CREATE TEXT SEARCH CONFIGURATION {config} (COPY = pg_catalog.{language})"
            )
            # unaccent (search app's migration installs it) before the language's stemmer.
            schema_editor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {config} ALTER MAPPING FOR "
                f"hword, hword_part, word WITH unaccent, {language}_stem"
            )
        schema_editor.execute(
            "CREATE INDEX help_center_translation_search_gin ON "
            "help_center_articletranslation USING gin (search_vector)"
        )
    elif vendor == "sqlite":
        from help_center.search import FTS_CREATE

        schema_editor.execute(FTS_CREATE)


def index_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS help_center_translation_search_gin")
        for language in LANGUAGES:
            schema_editor.execute(
                f"DROP TEXT SEARCH CONFIGURATION IF EXISTS help_center_{language}"
            )
    elif vendor == "sqlite":
        from help_center.search import FTS_DROP

        schema_editor.execute(FTS_DROP)


class Migration(migrations.Migration):
    dependencies = [("help_center", "0001_initial"), ("search", "0001_initial")]

    operations = [migrations.RunPython(index_create, index_drop, elidable=False)]
