"""Whether an import's records were deduplicated is kept on the import, not on each record:
marking every record of a 100,000-record import rewrote each row and all of its indexes
(the full-text document's among them) — as costly as the import itself. An import whose
records were all compared is deduplicated; one with any record left is not (the next run
compares its records again), and so is one not imported yet."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    ImportBatch = apps.get_model("screening", "ImportBatch")
    ImportBatch.objects.filter(status="done").exclude(records__dedupe_checked=False).update(
        deduplicated=True
    )


def backwards(apps, schema_editor):
    Record = apps.get_model("screening", "Record")
    Record.objects.filter(batch__deduplicated=True).update(dedupe_checked=True)


class Migration(migrations.Migration):
    dependencies = [("screening", "0021_record_list_figures")]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="deduplicated",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveIndex(model_name="record", name="record_review_dedupe"),
        migrations.RemoveField(model_name="record", name="dedupe_checked"),
    ]
