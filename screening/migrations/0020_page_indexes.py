"""Indexes for the hot pages at 100,000 records (issue 14): PRISMA's counts per import
and state, and a reviewer's votes in one review (Vote.review, filled from its record)."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE screening_vote SET review_id = (
    SELECT r.review_id FROM screening_record r WHERE r.id = screening_vote.record_id
)
"""


class Migration(migrations.Migration):
    # PostgreSQL refuses to alter a table with the backfill's foreign-key checks still
    # pending in the same transaction: each step commits on its own.
    atomic = False

    dependencies = [
        ("reviewapp", "0001_initial"),
        ("screening", "0019_ranked_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="vote",
            name="review",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="reviewapp.review",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=False),
        migrations.AlterField(
            model_name="vote",
            name="review",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="reviewapp.review",
            ),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(
                fields=["review", "state", "batch", "id"], name="record_review_state_batch"
            ),
        ),
        migrations.AddIndex(
            model_name="vote",
            index=models.Index(
                fields=["review", "reviewer", "stage", "record"], name="vote_review_reviewer"
            ),
        ),
    ]
