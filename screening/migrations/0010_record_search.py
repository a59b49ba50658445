"""Records search on PostgreSQL: a GIN index on the full-text document of each record
(title, abstract, journal, authors, keywords; English stemming), and a trigram index
on DOIs for fragments when the pg_trgm extension can be created. Nothing on SQLite.

The document must stay identical to screening.selectors.search.DOCUMENT_SQL (a test
checks it), or PostgreSQL will not use the index.
"""

from django.db import migrations, transaction

DOCUMENT = (
    "to_tsvector('english'::regconfig, "
    "COALESCE(\"screening_record\".\"title\"::text, '') || ' ' || "
    "COALESCE(\"screening_record\".\"abstract\"::text, '') || ' ' || "
    "COALESCE(\"screening_record\".\"journal\"::text, '') || ' ' || "
    "COALESCE(\"screening_record\".\"authors\"::text, '') || ' ' || "
    "COALESCE(\"screening_record\".\"keywords\"::text, ''))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS record_search_document ON screening_record USING GIN ({DOCUMENT})"
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
    schema_editor.execute("DROP INDEX IF EXISTS record_doi_trgm")


class Migration(migrations.Migration):
    dependencies = [("screening", "0009_tags")]
    operations = [migrations.RunPython(forwards, backwards)]
