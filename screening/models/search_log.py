"""Search rounds and the PRISMA-S search log.

A review has an initial search (round 1) and any number of update rounds. Each round
holds one log entry per source searched (PRISMA-S: the database, register, website or
other method; the platform; the date; the full strategy, verbatim; limits; the count the
source reported) and the imports that entry produced.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from reviewapp.models import Review
from screening.models.imports import SourceKind


class SearchRound(models.Model):
    """One search of the review: number 1 is the initial search, 2… the updates."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="search_rounds")
    number = models.PositiveSmallIntegerField()
    searched_on = models.DateField("date of the round", null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="one_round_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="round_number_positive"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_initial(self) -> bool:
        return self.number == 1

    @property
    def label(self) -> str:
        return "Initial search" if self.is_initial else f"Update {self.number - 1}"


class SearchLogEntry(models.Model):
    """One source searched in one round, as PRISMA-S asks it to be reported."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="search_log")
    round = models.ForeignKey(SearchRound, on_delete=models.CASCADE, related_name="entries")
    source_name = models.CharField("database, register or website", max_length=120)
    source_kind = models.CharField(
        "method", max_length=16, choices=SourceKind.choices, default=SourceKind.DATABASE
    )
    platform = models.CharField(
        "platform or interface", max_length=120, blank=True, help_text="e.g. Ovid, EBSCOhost"
    )
    searched_on = models.DateField("date searched", null=True, blank=True)
    search_string = models.TextField("search strategy", blank=True)
    limits = models.TextField("limits and filters", blank=True)
    reported_count = models.PositiveIntegerField(
        "records the source reported", null=True, blank=True
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round__number", "source_name", "pk"]
        verbose_name = "search log entry"
        verbose_name_plural = "search log entries"

    def __str__(self) -> str:
        return f"{self.source_name} ({self.round})"
