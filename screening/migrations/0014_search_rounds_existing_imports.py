"""Existing imports belong to each review's initial search round, each under a search
log entry for its source (name and method), started from what the import recorded."""

from django.db import migrations


def forwards(apps, schema_editor):
    ImportBatch = apps.get_model("screening", "ImportBatch")
    SearchRound = apps.get_model("screening", "SearchRound")
    SearchLogEntry = apps.get_model("screening", "SearchLogEntry")
    entries = {}
    rounds = {}
    for batch in ImportBatch.objects.filter(search_round__isnull=True).order_by("pk").iterator():
        round_ = rounds.get(batch.review_id)
        if round_ is None:
            round_, _ = SearchRound.objects.get_or_create(review_id=batch.review_id, number=1)
            rounds[batch.review_id] = round_
        key = (batch.review_id, batch.source_name.strip().lower(), batch.source_kind)
        entry = entries.get(key)
        if entry is None:
            entry = SearchLogEntry.objects.create(
                review_id=batch.review_id,
                round=round_,
                source_name=batch.source_name,
                source_kind=batch.source_kind,
                searched_on=batch.search_date,
                search_string=batch.search_query,
            )
            entries[key] = entry
        batch.search_round = round_
        batch.log_entry = entry
        batch.save(update_fields=["search_round", "log_entry"])


def backwards(apps, schema_editor):
    ImportBatch = apps.get_model("screening", "ImportBatch")
    ImportBatch.objects.update(search_round=None, log_entry=None)


class Migration(migrations.Migration):
    dependencies = [("screening", "0013_search_rounds_log")]
    operations = [migrations.RunPython(forwards, backwards)]
