"""The records search's full-text documents move out of the records table into their own,
`screening_recordsearch` (PostgreSQL; the table exists but stays empty on SQLite).

As a stored generated column (0010_record_search) the document was computed, and its GIN
index entries written, inside every import's INSERT: 0.34 of PostgreSQL's 0.49 ms per
imported record. A job now writes them after the import commits
(`screening.services.search_index`); until it has, the search computes the documents
of that import's records (`ImportBatch.search_indexed_at` unset) as it goes.

Existing documents are copied as stored (not computed again) and every finished import
is marked indexed, under a lock that waits for running imports, so an upgraded install
finds what it found before. A trigger rewrites a record's document if its text ever
changes (no page changes it today; the trigger keeps the table right if one does)."""

import django.db.models.deletion
from django.db import migrations, models

import screening.models.search_index

COLUMNS = ("title", "abstract", "journal", "authors", "keywords")


def document(table: str) -> str:
    """A record's document over `table`'s columns; equal to the search's own
    (`screening.selectors.search.document_expression`, checked by a test)."""
    return (
        "to_tsvector('english'::regconfig, "
        + " || ' ' || ".join(f"COALESCE(\"{table}\".\"{c}\"::text, '')" for c in COLUMNS)
        + ")"
    )


TRIGGER = f"""
CREATE OR REPLACE FUNCTION screening_record_search_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO screening_recordsearch (record_id, document)
    SELECT "r"."id", {document("r")} FROM screening_record AS "r" WHERE "r"."id" = NEW.id
    ON CONFLICT (record_id) DO UPDATE SET document = EXCLUDED.document;
    RETURN NULL;
END $$;
CREATE TRIGGER record_search_refresh
AFTER UPDATE OF {", ".join(COLUMNS)} ON screening_record FOR EACH ROW
WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COLUMNS)})
EXECUTE FUNCTION screening_record_search_refresh();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    # Running imports finish first; new ones wait until this migration commits.
    run("LOCK TABLE screening_record IN SHARE MODE")
    has_column = (
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'screening_record' "
        "AND column_name = 'search_document' AND table_schema = current_schema()"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(has_column)
        stored = cursor.fetchone() is not None
    source = '"search_document"' if stored else document("screening_record")
    run(
        "INSERT INTO screening_recordsearch (record_id, document) "
        f"SELECT id, {source} FROM screening_record"
    )
    run("UPDATE screening_importbatch SET search_indexed_at = now() WHERE status = 'done'")
    # Built after the rows are in: one sort instead of 100,000s of insertions.
    run(
        "CREATE INDEX IF NOT EXISTS recordsearch_document ON screening_recordsearch "
        "USING GIN (document)"
    )
    run("DROP INDEX IF EXISTS record_search_document")
    run("ALTER TABLE screening_record DROP COLUMN IF EXISTS search_document")
    run(TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run("DROP TRIGGER IF EXISTS record_search_refresh ON screening_record")
    run("DROP FUNCTION IF EXISTS screening_record_search_refresh()")
    run(
        "ALTER TABLE screening_record ADD COLUMN IF NOT EXISTS search_document tsvector "
        f"GENERATED ALWAYS AS ({document('screening_record')}) STORED"
    )
    run(
        "CREATE INDEX IF NOT EXISTS record_search_document ON screening_record "
        "USING GIN (search_document)"
    )
    run("DROP INDEX IF EXISTS recordsearch_document")


class Migration(migrations.Migration):
    dependencies = [("screening", "0022_import_deduplicated")]

    operations = [
        migrations.CreateModel(
            name="RecordSearch",
            fields=[
                (
                    "record",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="screening.record",
                    ),
                ),
                ("document", screening.models.search_index.DocumentField()),
            ],
        ),
        migrations.AddField(
            model_name="importbatch",
            name="search_indexed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
