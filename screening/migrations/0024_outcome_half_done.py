"""The queue's records waiting for another vote come from a small index in its own order.

Finding them read every open outcome of the review and its record (8,500 of each in a
100,000-record review half-way through), to sort them by the record's `shuffle_key`.
The outcome now carries that key (a record's never changes) and a partial index holds
only the open outcomes with votes, in the queue's order (their vote counts included):
the queue reads the first few, and "left for you" counts the reviewer's among them from
the index alone.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    Record = apps.get_model("screening", "Record")
    StageOutcome = apps.get_model("screening", "StageOutcome")
    key = Record.objects.filter(pk=OuterRef("record_id")).values("shuffle_key")[:1]
    StageOutcome.objects.update(shuffle_key=Subquery(key))


class Migration(migrations.Migration):
    dependencies = [
        ("reviewapp", "0001_initial"),
        ("screening", "0023_record_search_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="stageoutcome",
            name="shuffle_key",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="stageoutcome",
            index=models.Index(
                condition=models.Q(("status", "open"), ("votes__gte", 1)),
                fields=["review", "stage", "shuffle_key", "record"],
                include=["votes"],
                name="outcome_half_done",
            ),
        ),
    ]
