"""What the demo review contains beyond its team, added idempotently: the seed review's
search results imported and deduplicated, votes with a conflict for the lead, full texts,
and an extraction with a difference to resolve."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from screening.demo_data import SEED_QUERY, SEED_SOURCES, seed_ris


def load_demo_content(*, review, users, stdout) -> None:
    from screening.models import ImportBatch
    from screening.services.dedupe import dedupe_review
    from screening.services.imports import create_import, execute_import

    if not ImportBatch.objects.filter(review=review).exists():
        for name, new, copies in SEED_SOURCES:
            batch = create_import(
                review=review,
                upload=SimpleUploadedFile(
                    f"{name.lower().replace(' ', '-')}.ris", seed_ris(new, copies)
                ),
                source_name=name,
                search_date=date(2020, 7, 17),
                search_query=SEED_QUERY,
                uploaded_by=users["lead"],
                enqueue=False,
            )
            execute_import(batch_id=batch.pk)  # at once, here
        dedupe_review(review_id=review.pk)
    from extraction.demo import add_demo_extraction
    from screening.demo import add_demo_screening

    add_demo_screening(review=review, users=users)
    add_demo_extraction(review=review, users=users)
    from screening.demo_rounds import add_demo_update_round

    add_demo_update_round(review=review, users=users)
    stdout.write(
        f"Demo review: {review.records.count()} records imported, duplicates removed, votes cast."
    )
