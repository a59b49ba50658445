"""Records search on PostgreSQL: each record's full-text document (title, abstract,
journal, authors, keywords; English stemming) as a stored generated column
`search_document` with a GIN index, and a trigram index on DOIs for fragments when the
pg_trgm extension can be created. Nothing on SQLite (the model does not know the column:
PostgreSQL fills it on every insert and update, and only the search reads it).

A stored column, not an index on the expression: a search matching most records would
otherwise compute the document of every row again at each query.
"""

from django.db import migrations, transaction

DOCUMENT = (
    "to_tsvector('english'::regconfig, "
    "COALESCE(\"title\"::text, '') || ' ' || "
    "COALESCE(\"abstract\"::text, '') || ' ' || "
    "COALESCE(\"journal\"::text, '') || ' ' || "
    "COALESCE(\"authors\"::text, '') || ' ' || "
    "COALESCE(\"keywords\"::text, ''))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE screening_record ADD COLUMN IF NOT EXISTS search_document tsvector "
        f"GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS record_search_document ON screening_record "
        "USING GIN (search_document)"
    )
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS record_doi_trgm ON screening_record "
                "USING GIN (doi gin_trgm_ops)"
            )
    except Exception:  # noqa: BLE001 - no right to create the extension: fragments still work
        pass


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS record_search_document")
    schema_editor.execute("ALTER TABLE screening_record DROP COLUMN IF EXISTS search_document")
    schema_editor.execute("DROP INDEX IF EXISTS record_doi_trgm")


class Migration(migrations.Migration):
    dependencies = [("screening", "0009_tags")]
    operations = [migrations.RunPython(forwards, backwards)]
