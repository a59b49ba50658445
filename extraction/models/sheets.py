"""What each assessor entered, and what the team agreed.

A Sheet is one assessor's values for one study and one instrument (the extraction form,
RoB 2 or the domain-based risk-of-bias tool); it also records that the assessor holds
one of the study's one or two slots. `values` is the current state; SheetEvent is the
append-only history of every change, so nothing anyone entered is ever lost, even when
the form changes or a value is overwritten. Consensus holds the values agreed for a
study where the two assessors differed, with the same kind of history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from extraction.models.studies import Study


class Instrument(models.TextChoices):
    EXTRACTION = "extraction", "Data extraction"
    ROB2 = "rob2", "RoB 2"
    DOMAIN = "rob-domain", "Risk of bias (domains)"


class SheetQuerySet(models.QuerySet):
    def of(self, instrument: str) -> SheetQuerySet:
        return self.filter(instrument=instrument)


class Sheet(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sheets")
    instrument = models.CharField(max_length=12, choices=Instrument.choices)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="extraction_sheets"
    )
    slot = models.PositiveSmallIntegerField(help_text="1 or 2: which of the study's assessors.")
    values = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the assessor marked the sheet done."
    )
    form_version = models.ForeignKey(
        "extraction.FormVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SheetQuerySet.as_manager()

    class Meta:
        ordering = ["study", "instrument", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "instrument", "assessor"], name="one_sheet_per_assessor"
            ),
            models.UniqueConstraint(
                fields=["study", "instrument", "slot"], name="one_sheet_per_slot"
            ),
            models.CheckConstraint(condition=Q(slot__in=[1, 2]), name="sheet_slot_1_or_2"),
            models.CheckConstraint(
                condition=Q(instrument__in=Instrument.values), name="sheet_instrument_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} of study {self.study_id} by {self.assessor_id}"

    @property
    def is_done(self) -> bool:
        return self.submitted_at is not None


class EventAction(models.TextChoices):
    SET = "set", "Value set"
    CLEAR = "clear", "Value cleared"
    SUBMIT = "submit", "Marked done"
    REOPEN = "reopen", "Reopened"
    ASSIGN = "assign", "Assigned"


class SheetEvent(models.Model):
    """Append-only: one row per change of a sheet. Never updated or deleted by the app."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=8, choices=EventAction.choices)
    key = models.CharField(max_length=80, blank=True)
    value = models.JSONField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    form_version = models.ForeignKey(
        "extraction.FormVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sheet", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.key} on sheet {self.sheet_id}"


class Consensus(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="consensus")
    instrument = models.CharField(max_length=12, choices=Instrument.choices)
    values = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "consensus"
        constraints = [
            models.UniqueConstraint(
                fields=["study", "instrument"], name="one_consensus_per_instrument"
            ),
            models.CheckConstraint(
                condition=Q(instrument__in=Instrument.values), name="consensus_instrument_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} consensus of study {self.study_id}"


class ConsensusEvent(models.Model):
    """Append-only: each final value recorded, by whom, taken from which assessor."""

    consensus = models.ForeignKey(Consensus, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=80)
    value = models.JSONField(null=True, blank=True)
    source = models.CharField(
        max_length=8, help_text="a or b (an assessor's value taken), or edited."
    )
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consensus", "at", "pk"]

    def __str__(self) -> str:
        return f"consensus {self.key} for {self.consensus_id}"
