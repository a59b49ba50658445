"""Keep the ranked order's scores uncompressed out of line, as its ids already are.

A retrain rewrites both arrays whole; compressing 400 kB of float32 scores (which
hardly compress) cost the retrain's COMMIT CPU on every refit, and every read of a
record's score decompressed the whole array.
"""

from django.db import migrations


def _external_scores(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE screening_rankedorder ALTER COLUMN scores SET STORAGE EXTERNAL"
        )


class Migration(migrations.Migration):
    dependencies = [("screening", "0024_outcome_half_done")]

    operations = [migrations.RunPython(_external_scores, migrations.RunPython.noop)]
