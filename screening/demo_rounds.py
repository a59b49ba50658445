"""The demo's update round: the seed review's searches re-run a year later. Some records
are found again (linked to their earlier copies, not screened again), a few are new, and
one of the new ones is screened through to inclusion. Idempotent."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from screening.demo_data import SEED_QUERY, seed_ris

PLATFORMS = {
    "PubMed": "PubMed (NCBI)",
    "Embase": "Embase.com (Elsevier)",
    "Web of Science": "Web of Science Core Collection (Clarivate)",
}


def add_demo_update_round(*, review, users) -> None:
    from screening.demo import DEMO_PDF, _user
    from screening.models import Record, RecordState, SearchLogEntry, SearchRound, Stage
    from screening.services import search_log
    from screening.services.dedupe import dedupe_review
    from screening.services.fulltext import upload_fulltext
    from screening.services.imports import create_import, execute_import
    from screening.services.votes import cast_vote

    lead, first, second = (_user(users, n) for n in ("lead", "reviewer1", "reviewer2"))
    # The initial searches' log: platforms and the counts the databases reported.
    for entry in SearchLogEntry.objects.filter(review=review, round__number=1, platform=""):
        if entry.source_name in PLATFORMS:
            imported = sum(b.records_imported for b in entry.imports.all())
            search_log.update_entry(
                entry=entry, platform=PLATFORMS[entry.source_name], reported_count=imported
            )
    if SearchRound.objects.filter(review=review, number__gt=1).exists() or lead is None:
        return
    update = search_log.add_round(
        review=review, searched_on=date(2021, 7, 19), note="One-year update"
    )
    entry = search_log.create_entry(
        review=review,
        round_=update,
        source_name="PubMed",
        platform=PLATFORMS["PubMed"],
        searched_on=date(2021, 7, 19),
        search_string=SEED_QUERY,
        limits="2020/07/17 to 2021/07/19 (date of publication)",
        reported_count=48,
    )
    batch = create_import(
        review=review,
        upload=SimpleUploadedFile("pubmed-2021.ris", seed_ris(range(268, 276), range(0, 40))),
        source_name="PubMed",
        uploaded_by=lead,
        log_entry=entry,
        enqueue=False,
    )
    execute_import(batch_id=batch.pk)
    dedupe_review(review_id=review.pk)
    if first is None or second is None:
        return
    newcomer = (
        Record.objects.filter(review=review, batch=batch, state=RecordState.TA)
        .order_by("pk")
        .first()
    )
    if newcomer is None:
        return
    for reviewer in (first, second):
        cast_vote(record=newcomer, stage=Stage.TITLE_ABSTRACT, reviewer=reviewer, verdict="include")
    newcomer.refresh_from_db()
    upload_fulltext(
        record=newcomer, upload=SimpleUploadedFile("update-paper.pdf", DEMO_PDF), uploaded_by=lead
    )
    for reviewer in (first, second):
        cast_vote(record=newcomer, stage=Stage.FULL_TEXT, reviewer=reviewer, verdict="include")
