"""Indexes for the records list at 100,000 records (PostgreSQL; nothing on SQLite, whose
reviews are small): one per sortable column and direction, matching the expressions of
screening.selectors.record_order (empty values last both ways), so that a sorted page
reads 50 rows of an index instead of sorting every matching record; the review's records
in id order; and GIN indexes on the title's and the authors' own documents for the
`ti:` and `au:` search prefixes. The model does not know them (like 0010's).
"""

from django.db import migrations

SORTS = {
    "year": '"year"',
    "title": "NULLIF(lower(\"title\"), ''::text)",
    "author": "NULLIF(lower((\"authors\" ->> 0)), ''::text)",
    "journal": "NULLIF(lower((\"journal\")::text), ''::text)",
}
FIELD_DOCUMENTS = {
    "title": "to_tsvector('english'::regconfig, COALESCE((\"title\")::text, ''::text))",
    "authors": "to_tsvector('english'::regconfig, COALESCE((\"authors\")::text, ''::text))",
}


def statements():
    yield 'CREATE INDEX IF NOT EXISTS record_review_id ON screening_record (review_id, "id")'
    for name, expression in SORTS.items():
        yield (
            f"CREATE INDEX IF NOT EXISTS record_sort_{name}_asc ON screening_record "
            f'(review_id, ({expression}) ASC NULLS LAST, "id" ASC)'
        )
        yield (
            f"CREATE INDEX IF NOT EXISTS record_sort_{name}_desc ON screening_record "
            f'(review_id, ({expression}) DESC NULLS LAST, "id" DESC)'
        )
    for name, document in FIELD_DOCUMENTS.items():
        yield (
            f"CREATE INDEX IF NOT EXISTS record_{name}_document ON screening_record "
            f"USING GIN (({document}))"
        )


def names():
    yield "record_review_id"
    for name in SORTS:
        yield f"record_sort_{name}_asc"
        yield f"record_sort_{name}_desc"
    for name in FIELD_DOCUMENTS:
        yield f"record_{name}_document"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in statements():
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in names():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("screening", "0016_known_relevant")]
    operations = [migrations.RunPython(forwards, backwards)]
