"""Full-text reports: the PDF of a record sought for retrieval, or why it was not retrieved."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from screening.models.imports import Record


def fulltext_upload_path(fulltext: FullText, filename: str) -> str:
    # Content-addressed under the review: never guessable from the record, never served
    # by URL (MEDIA_URL maps nothing); only the member-checked view reads it.
    return f"fulltext/review-{fulltext.record.review_id}/{fulltext.record_id}-{fulltext.sha256[:24]}.pdf"


class FullText(models.Model):
    """A record's full-text report. Exactly one of `file` and `not_retrieved_reason` is set."""

    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="fulltext")
    file = models.FileField(upload_to=fulltext_upload_path, max_length=255, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    not_retrieved_reason = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(file="") & models.Q(not_retrieved_reason=""))
                | (models.Q(file="") & ~models.Q(not_retrieved_reason="")),
                name="fulltext_file_xor_not_retrieved",
            )
        ]

    def __str__(self) -> str:
        return self.filename or f"not retrieved: {self.not_retrieved_reason}"

    @property
    def retrieved(self) -> bool:
        return bool(self.file)
