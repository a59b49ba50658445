"""Studies and their reports.

PRISMA 2020 counts "studies included" and "reports of included studies" separately: a
trial and its follow-up, or a conference abstract and the article, are two reports of
one study. Each included record (a report) belongs to exactly one study; the evidence
table has one row per study.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef

from reviewapp.models import Review
from screening.models import Record, RecordState


class StudyQuerySet(models.QuerySet):
    def for_review(self, review) -> StudyQuerySet:
        return self.filter(review=review)

    def included(self) -> StudyQuerySet:
        """Studies with at least one report that is currently included."""
        included_report = StudyReport.objects.filter(
            study=OuterRef("pk"), record__state=RecordState.INCLUDED
        )
        return self.filter(Exists(included_report))


class Study(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="studies")
    label = models.CharField(
        max_length=120, help_text="How tables and figures name it, e.g. Smith 2019."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StudyQuerySet.as_manager()

    class Meta:
        ordering = ["label", "pk"]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.label


class StudyReport(models.Model):
    """An included record, as one report of a study."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="reports")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="study_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study", "record"]
        constraints = [
            models.UniqueConstraint(fields=["record"], name="one_study_per_report"),
        ]

    def __str__(self) -> str:
        return f"record {self.record_id} in study {self.study_id}"
