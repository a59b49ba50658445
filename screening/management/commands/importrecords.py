"""Import export files into a review from a shell, through the same services as the page."""

import json
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from reviewapp.http import refusal_text
from reviewapp.models import Review
from screening.importers import FORMATS
from screening.models import CandidatePair, ImportBatch, PairStatus, Record, RecordState, SourceKind
from screening.services.dedupe import dedupe_review
from screening.services.imports import create_import, execute_import


class Command(BaseCommand):
    help = (
        "Import FILE(s) into REVIEW_ID and print one JSON summary: imported, rejected [{line, reason}], "
        "duplicates (found by the deduplication that follows)."
    )

    def add_arguments(self, parser):
        parser.add_argument("review_id", type=int)
        parser.add_argument("files", nargs="+")
        parser.add_argument("--source", required=True, help="database or register, e.g. PubMed")
        parser.add_argument("--source-kind", choices=SourceKind.values, default=SourceKind.DATABASE)
        parser.add_argument("--format", choices=sorted(FORMATS), default="")
        parser.add_argument("--search-query", default="")
        parser.add_argument("--allow-same-file", action="store_true")
        parser.add_argument(
            "--round",
            type=int,
            default=None,
            help="search round number (1 = initial search); the next number starts a new "
            "update round; default the latest round",
        )

    def handle(
        self,
        *args,
        review_id,
        files,
        source,
        source_kind,
        format,
        search_query,
        allow_same_file,
        round=None,
        **options,
    ):
        review = Review.objects.filter(pk=review_id).first()
        if review is None:
            raise CommandError(f"no review with id {review_id}")
        search_round = _round(review, round)
        owner = review.memberships.filter(role="owner").select_related("user").first()
        summary = {
            "imports": [],
            "imported": 0,
            "rejected": [],
            "duplicates": 0,
            "possible_duplicates": 0,
            "errors": [],
        }
        batch_ids = []
        records = Record.objects.filter(review=review)
        duplicates_before = records.filter(state=RecordState.DUPLICATE).count()
        last_pair = CandidatePair.objects.filter(review=review).aggregate(m=Max("pk"))["m"] or 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"no such file: {name}")
            upload = SimpleUploadedFile(path.name, path.read_bytes())
            try:
                batch = create_import(
                    review=review,
                    upload=upload,
                    uploaded_by=owner.user if owner else None,
                    source_name=source,
                    source_kind=source_kind,
                    search_query=search_query,
                    fmt=format,
                    allow_same_file=allow_same_file,
                    search_round=search_round,
                    enqueue=False,
                )
            except ValidationError as exc:
                summary["errors"].append({"file": name, "error": refusal_text(exc)})
                continue
            # The command runs its imports itself, one after another.
            execute_import(batch_id=batch.pk)
            batch_ids.append(batch.pk)
        _wait(
            lambda: (
                not ImportBatch.objects.filter(
                    pk__in=batch_ids, status__in=["queued", "running"]
                ).exists()
            )
        )
        dedupe_review(review_id=review.pk)  # waits for (or does) the run that each import queued
        _wait(lambda: not records.awaiting_dedupe().exists())
        for batch in ImportBatch.objects.filter(pk__in=batch_ids).order_by("pk"):
            summary["imports"].append(batch.summary | {"file": batch.filename})
            summary["imported"] += batch.records_imported
            summary["rejected"] += [dict(r, file=batch.filename) for r in batch.rejected]
            if batch.error:
                summary["errors"].append({"file": batch.filename, "error": batch.error})
        summary["duplicates"] = (
            records.filter(state=RecordState.DUPLICATE).count() - duplicates_before
        )
        summary["possible_duplicates"] = CandidatePair.objects.filter(
            review=review, pk__gt=last_pair, status=PairStatus.PENDING
        ).count()
        if search_round is not None:
            from screening.selectors.search_log import EMPTY_COUNTS, round_counts

            counts = round_counts(review=review).get(search_round.number, EMPTY_COUNTS)
            summary["round"] = search_round.number
            summary["found_again"] = counts["found_again"]
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if summary["errors"] and not summary["imported"]:
            raise CommandError("nothing was imported")


def _round(review, number):
    """Round `number` of the review; the next number after the last starts an update round."""
    from screening.models import SearchRound
    from screening.services.search_log import add_round, initial_round, latest_round

    if number is None:
        return None
    if number == 1:
        return initial_round(review)
    existing = SearchRound.objects.filter(review=review, number=number).first()
    if existing:
        return existing
    last = latest_round(review).number
    if number == last + 1:
        return add_round(review=review)
    raise CommandError(
        f"review {review.pk} has rounds 1 to {last}; --round {last + 1} starts a new one"
    )


def _wait(done, timeout: float = 600) -> None:
    """Wait for workers (when there is a broker) to finish what the command queued."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise CommandError("timed out waiting for the workers")
        time.sleep(0.5)
