"""Papers the lead already knows are relevant, pasted as titles, DOIs or PMIDs.

Each pasted line is kept with what it matched (a record of the review, or nothing), so
the lead sees which lines found their paper. Matched records steer the cold start of
every screener's queue (similarity to them, fading as includes arrive;
`services.cold_start`). They are the lead's prior knowledge about the review, the same
for every screener: never a vote, never a training label, never a settled decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviewapp.models import Review
from screening.models.imports import Record


class KnownKind(models.TextChoices):
    DOI = "doi", "DOI"
    PMID = "pmid", "PMID"
    TITLE = "title", "Title"


class KnownRelevant(models.Model):
    """One pasted line: a paper the lead knows is relevant, and the record it matched."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="known_relevant")
    line = models.CharField(max_length=1000, help_text="The line as pasted.")
    kind = models.CharField(max_length=5, choices=KnownKind.choices)
    # The normalised DOI, PMID or title words: one entry per paper and review.
    key = models.CharField(max_length=1000)
    record = models.ForeignKey(
        Record, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "kind", "key"], name="known_relevant_once")
        ]

    def __str__(self) -> str:
        return self.line[:80]
