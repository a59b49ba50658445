"""Tags: labels the lead defines for a review ("RCT", "pediatric", "check with
statistician") that any screener puts on records.

A team tag is one label on the record that everyone sees. A tag marked "private to each
screener" is each screener's own: everyone tags on their own, and another screener's
private tag is blinded like a vote (screening.visibility.tag_visible). So one row per
(record, tag, screener) for both kinds; for a team tag the record "has" the tag when
any row exists, and removing it removes every row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from reviewapp.models import Review
from screening.models.imports import Record

COLOURS = (
    ("blue", "Blue"),
    ("green", "Green"),
    ("red", "Red"),
    ("orange", "Orange"),
    ("purple", "Purple"),
    ("teal", "Teal"),
    ("grey", "Grey"),
)

# Keys the screening page already uses (i m e n u t ? and the reason digits) are refused.
RESERVED_KEYS = frozenset("imenut?0123456789")


class Tag(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=60)
    colour = models.CharField(max_length=10, choices=COLOURS, default="blue")
    key = models.CharField(
        "keyboard key",
        max_length=1,
        blank=True,
        validators=[RegexValidator(r"^[a-z]$", "One lower-case letter, or nothing.")],
        help_text="On the screening page, press t then this key.",
    )
    description = models.CharField(max_length=500, blank=True)
    private = models.BooleanField(
        "private to each screener",
        default=False,
        help_text="Each screener tags on their own; others see it only once the record is "
        "settled, like a vote.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "name"], name="one_tag_name_per_review"),
            models.UniqueConstraint(
                fields=["review", "key"], condition=~Q(key=""), name="one_tag_key_per_review"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RecordTag(models.Model):
    """One screener's application of a tag to a record."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="record_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="record_tags")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "tag", "added_by"], name="one_record_tag_per_screener"
            ),
        ]
        indexes = [models.Index(fields=["tag", "record"], name="recordtag_tag_record")]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.record_id} by {self.added_by_id}"
