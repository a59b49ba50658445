"""Uploaded exports and the records they hold."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviewapp.models import Review


class SourceKind(models.TextChoices):
    """Where the records came from: the PRISMA 2020 identification boxes."""

    DATABASE = "database", "Database"
    REGISTER = "register", "Register"
    WEBSITE = "website", "Website (other methods)"
    ORGANISATION = "organisation", "Organisation (other methods)"
    CITATION = "citation", "Citation searching (other methods)"

    @property
    def is_other_method(self) -> bool:
        return self in (SourceKind.WEBSITE, SourceKind.ORGANISATION, SourceKind.CITATION)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"


def import_upload_path(batch: ImportBatch, filename: str) -> str:
    return f"imports/review-{batch.review_id}/{batch.sha256[:16]}-{filename[-80:]}"


class ImportBatchQuerySet(models.QuerySet):
    def for_review(self, review) -> ImportBatchQuerySet:
        return self.filter(review=review)


class KeepDecisions(models.TextChoices):
    """What an import does with screening decisions made elsewhere (moving in from
    ASReview, Rayyan or Covidence): `screening.services.imported_decisions`."""

    NONE = "", "Ignore any decisions in the file"
    FROM_FILE = "file", "Keep the decisions in the file (ASReview, Rayyan labels)"
    VOTES_FROM_FILE = "votes", "Keep them as votes of an 'imported' reviewer"
    ALL_INCLUDED = "include", "Every record passed title/abstract (e.g. a Covidence list)"
    ALL_EXCLUDED = "exclude", "Every record was excluded at title/abstract"


class ImportBatch(models.Model):
    """One uploaded export file and what became of it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="imports")
    source_name = models.CharField("database or register", max_length=120)
    source_kind = models.CharField(
        max_length=16, choices=SourceKind.choices, default=SourceKind.DATABASE
    )
    search_date = models.DateField(null=True, blank=True)
    search_query = models.TextField(blank=True)
    # The search round and PRISMA-S log entry this export belongs to (set by create_import).
    search_round = models.ForeignKey(
        "screening.SearchRound",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="imports",
    )
    log_entry = models.ForeignKey(
        "screening.SearchLogEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    file = models.FileField(upload_to=import_upload_path, max_length=255)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    requested_format = models.CharField(max_length=20, blank=True)
    detected_format = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    records_read = models.PositiveIntegerField(default=0)
    records_imported = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(
        default=list, blank=True, help_text="[{line, reason}] per rejected record"
    )
    error = models.TextField(blank=True)
    duplicates_found = models.PositiveIntegerField(null=True, blank=True)
    # Whether the matcher has compared this import's records with the rest of the review.
    # Kept per import, not per record: an import's records become visible together (one
    # transaction) and are compared in the same run, and marking 100,000 record rows
    # would rewrite every row and every one of its indexes (as costly as the import).
    deduplicated = models.BooleanField(default=False)
    # When the search documents of this import's records were written (PostgreSQL:
    # screening.services.search_index, a job after the import). Until then the search
    # computes them for these records as it goes: complete, only slower.
    search_indexed_at = models.DateTimeField(null=True, blank=True)
    keep_decisions = models.CharField(
        max_length=8, choices=KeepDecisions.choices, blank=True, default=KeepDecisions.NONE
    )
    decisions_kept = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.source_name})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def rejected_count(self) -> int:
        """Records rejected (`rejected` lists the first ones with their lines)."""
        return max(self.records_read - self.records_imported, len(self.rejected))

    @property
    def summary(self) -> dict:
        return {
            "id": self.pk,
            "status": self.status,
            "format": self.detected_format,
            "records_read": self.records_read,
            "imported": self.records_imported,
            "rejected": self.rejected,
            "duplicates": self.duplicates_found,
            "error": self.error,
        }


class RecordState(models.TextChoices):
    """Where a record stands in the PRISMA 2020 flow. Exactly one state per record, so
    every PRISMA box is a count of one state (or a sum of a few) and they always add up."""

    DUPLICATE = "duplicate", "Removed: duplicate"
    AUTOMATION = "automation", "Removed: marked ineligible by automation tool"
    REMOVED_OTHER = "removed_other", "Removed: other reasons"
    TA = "ta", "Awaiting title/abstract screening"
    TA_EXCLUDED = "ta_excluded", "Excluded at title/abstract"
    FT_RETRIEVAL = "ft_retrieval", "Sought: awaiting retrieval"
    FT_NOT_RETRIEVED = "ft_not_retrieved", "Not retrieved"
    FT = "ft", "Awaiting full-text assessment"
    FT_EXCLUDED = "ft_excluded", "Excluded at full text"
    INCLUDED = "included", "Included"


class RecordQuerySet(models.QuerySet):
    def for_review(self, review) -> RecordQuerySet:
        return self.filter(review=review)

    def unique(self) -> RecordQuerySet:
        """Records that are not removed as duplicates (primaries and singletons)."""
        return self.exclude(state=RecordState.DUPLICATE)

    def awaiting_dedupe(self) -> RecordQuerySet:
        """Records not yet compared with the rest of their review (their import's flag)."""
        return self.filter(batch__deduplicated=False)


# A record's citation: the fields every list, comparison and table of records shows, in
# this order (title/abstract text, identifiers beyond DOI and PMID, and the raw tags are
# separate). Serializers, exports and the duplicate comparison all use this one list.
CITATION_FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid")


class Record(models.Model):
    """One bibliographic record from an import, in the common shape, plus every original tag."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="records")
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    # Position in the file: with the batch, the key that makes a retried import idempotent.
    position = models.PositiveIntegerField()
    line = models.PositiveIntegerField(default=0)
    record_key = models.CharField(max_length=255, blank=True)
    title = models.TextField(blank=True)
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    journal = models.CharField(max_length=500, blank=True)
    volume = models.CharField(max_length=64, blank=True)
    issue = models.CharField(max_length=64, blank=True)
    pages = models.CharField(max_length=64, blank=True)
    doi = models.CharField(max_length=255, blank=True, db_index=True)
    pmid = models.CharField(max_length=32, blank=True, db_index=True)
    issn = models.CharField(max_length=64, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=64, blank=True)
    publication_type = models.CharField(max_length=255, blank=True)
    urls = models.JSONField(default=list, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    state = models.CharField(max_length=20, choices=RecordState.choices, default=RecordState.TA)
    # A stable pseudo-random order for queues, fixed at import.
    shuffle_key = models.PositiveIntegerField(default=0)
    # Deduplication: the group this record belongs to (primary and duplicates alike);
    # whether it was compared with the rest of the review is its import's `deduplicated`.
    duplicate_group = models.ForeignKey(
        "screening.DuplicateGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
    )
    # The state a record had when it was merged away, restored if the merge is undone.
    state_before_merge = models.CharField(max_length=20, choices=RecordState.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # What the records list sorts by, stored so a sort reads an index instead of counting
    # per request; kept exact by screening.services.record_stats wherever votes and the
    # history are written (never set them elsewhere). `vote_count`: the record's votes at
    # every stage; `activity_at`: its latest history event that every member may see.
    vote_count = models.PositiveIntegerField(default=0)
    activity_at = models.DateTimeField(null=True, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "position"], name="one_record_per_file_position"
            ),
            models.CheckConstraint(
                condition=Q(state__in=RecordState.values), name="record_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["review", "state"], name="record_review_state"),
            # PRISMA counts a review's records per import and state, and joins its excluded
            # reports, from this index alone (the rows, with their abstracts, are 2 kB
            # each: 200 MB at 100,000 records).
            models.Index(
                fields=["review", "state", "batch", "id"], name="record_review_state_batch"
            ),
            # The screening queue walks a review's unscreened records in stable random order.
            models.Index(
                fields=["review", "state", "shuffle_key", "id"], name="record_queue_order"
            ),
        ]

    def __str__(self) -> str:
        return (self.title or self.record_key or f"record {self.pk}")[:80]

    @property
    def first_author(self) -> str:
        return self.authors[0] if self.authors else ""
