"""The records list's stored sort figures (screening.services.record_stats): each record's
number of votes and the time of its latest history event that every member may see,
filled from the votes and the history; and, on PostgreSQL, the indexes that serve the two
sorts (a backward scan serves the descending vote sort; the model does not know them,
like 0017's). screening.selectors.record_order reads the activity indexes for the records
a member has no event of their own on."""

from django.db import migrations, models
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Subquery

# As screening.visibility.PUBLIC_HISTORY_ACTIONS when this migration was written.
PUBLIC_ACTIONS = ("move", "resolve", "overrule", "import")
INDEXES = {
    "record_sort_votes": '(review_id, vote_count, "id")',
    "record_sort_activity_asc": '(review_id, activity_at, "id")',
    "record_sort_activity_desc": '(review_id, activity_at DESC NULLS LAST, "id" DESC)',
}


def backfill(apps, schema_editor):
    Record = apps.get_model("screening", "Record")
    Vote = apps.get_model("screening", "Vote")
    VoteEvent = apps.get_model("screening", "VoteEvent")
    votes = Vote.objects.filter(record=OuterRef("pk")).order_by()
    counts = votes.values("record").annotate(n=Count("pk")).values("n")
    Record.objects.filter(Exists(votes)).update(
        vote_count=Subquery(counts, output_field=IntegerField())
    )
    public = VoteEvent.objects.filter(record=OuterRef("pk"), action__in=PUBLIC_ACTIONS).order_by()
    latest = public.values("record").annotate(at=Max("at")).values("at")
    Record.objects.filter(Exists(public)).update(activity_at=Subquery(latest))


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON screening_record {columns}")
    # Statistics for the new columns, or the planner takes every vote count for 0.
    schema_editor.execute("ANALYZE screening_record")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("screening", "0020_page_indexes")]

    operations = [
        migrations.AddField(
            model_name="record",
            name="activity_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="record",
            name="vote_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
