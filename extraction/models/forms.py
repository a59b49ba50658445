"""A review's extraction settings and its extraction form, kept version by version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from extraction.domain.domain_tool import default_tool, tool_to_dict
from extraction.domain.rob2_questions import Effect
from reviewapp.models import Review


def _default_domain_tool() -> dict:
    return tool_to_dict(default_tool())


class ExtractionSettings(models.Model):
    """How a review extracts: one or two independent assessors per study (for the form
    and for each risk-of-bias tool alike), the domains of the simple risk-of-bias tool,
    and the effect of interest RoB 2 assesses."""

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, related_name="extraction_settings"
    )
    assessors_per_study = models.PositiveSmallIntegerField(
        "extractors per study",
        default=2,
        choices=[(1, "One (single extraction)"), (2, "Two (dual, independent, with consensus)")],
    )
    domain_tool = models.JSONField(default=_default_domain_tool)
    rob2_effect = models.CharField(
        "RoB 2 effect of interest",
        max_length=12,
        default=Effect.ASSIGNMENT.value,
        choices=[
            (Effect.ASSIGNMENT.value, "Effect of assignment to intervention (intention-to-treat)"),
            (Effect.ADHERENCE.value, "Effect of adhering to intervention (per-protocol)"),
        ],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "extraction settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(assessors_per_study__in=[1, 2]), name="assessors_per_study_1_or_2"
            ),
        ]

    def __str__(self) -> str:
        return f"extraction settings of review {self.review_id}"


class FormVersionQuerySet(models.QuerySet):
    def for_review(self, review) -> FormVersionQuerySet:
        return self.filter(review=review)


class FormVersion(models.Model):
    """One version of a review's extraction form: the definition as validated JSON
    (`extraction.domain.forms.definition_to_dict`). Never updated: each change of the
    form adds a version, so every version a value was entered against stays readable."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="form_versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FormVersionQuerySet.as_manager()

    class Meta:
        ordering = ["review", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="one_form_version_number"),
        ]

    def __str__(self) -> str:
        return f"form v{self.number} of review {self.review_id}"
