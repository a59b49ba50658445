"""Writes for a review's screening settings and exclusion reasons."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from reviewapp.models import Review
from screening.highlight import MAX_TERM_LENGTH, MAX_TERMS
from screening.models import (
    SETTINGS_FIELDS,
    ExclusionReason,
    Resolution,
    ScreeningSettings,
    Stage,
    StageOutcome,
    Vote,
)
from screening.services.journey import flow_changed

# The seed review's reasons (DOMAIN.md), in the words reviewers use.
DEFAULT_REASONS = {
    Stage.TITLE_ABSTRACT: [
        "Conference abstract",
        "Not related to the drug/intervention",
        "No English translation",
        "Not related to the condition/outcome",
        "Review article",
        "Duplicate",
    ],
    Stage.FULL_TEXT: [
        "Animal model",
        "In vitro",
        "Wrong population (e.g. acute pain only)",
        "Outcome not assessed",
        "Wrong study design",
        "Wrong intervention",
        "Full text not in English",
        "Duplicate",
    ],
}


@transaction.atomic
def setup_new_review(*, review: Review) -> ScreeningSettings:
    """Give a review default screening settings and the default exclusion reasons (idempotent)."""
    screening_settings, created = ScreeningSettings.objects.get_or_create(review=review)
    if created and not ExclusionReason.objects.filter(review=review).exists():
        ExclusionReason.objects.bulk_create(
            ExclusionReason(review=review, stage=stage, label=label, order=position)
            for stage, labels in DEFAULT_REASONS.items()
            for position, label in enumerate(labels, start=1)
        )
    return screening_settings


def screening_settings_for(review: Review) -> ScreeningSettings:
    """The review's settings, created with defaults the first time (reviews made before screening existed)."""
    try:
        return review.screening_settings
    except ScreeningSettings.DoesNotExist:
        return setup_new_review(review=review)


def clean_terms(terms) -> list[str]:
    """Highlight terms from a list or from text with one term per line or comma.

    Refused with a clear message: a term longer than `MAX_TERM_LENGTH` characters, more
    than `MAX_TERMS` terms (the highlighter's budget, see `screening.highlight`)."""
    if isinstance(terms, str):
        terms = terms.replace(",", "\n").splitlines()
    cleaned: list[str] = []
    seen: set[str] = set()
    for term in terms:
        term = " ".join(str(term).split())
        if len(term) > MAX_TERM_LENGTH:
            raise ValidationError(
                f"A highlight term can be at most {MAX_TERM_LENGTH} characters "
                f"(“{term[:30]}…” has {len(term)})."
            )
        if term and term.lower() not in seen:
            seen.add(term.lower())
            cleaned.append(term)
    if len(cleaned) > MAX_TERMS:
        raise ValidationError(
            f"At most {MAX_TERMS} highlight terms per colour ({len(cleaned)} given)."
        )
    return cleaned


@transaction.atomic
def update_settings(*, review: Review, by, **fields) -> ScreeningSettings:
    """Change screening settings. Lowering the votes needed settles records that now have enough."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    current = ScreeningSettings.objects.select_for_update().get(
        pk=screening_settings_for(review).pk
    )
    before = {stage: current.votes_needed(stage) for stage in Stage}
    for name in ("highlight_include", "highlight_exclude"):
        if name in fields:
            fields[name] = clean_terms(fields[name])
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean(exclude=["review"])
    current.save()
    review.screening_settings = current  # callers holding this review see the new values
    from screening.services.votes import reevaluate

    for stage in Stage:
        if current.votes_needed(stage) != before[stage]:
            # Records already holding the (new) number of votes are decided now.
            open_ids = StageOutcome.objects.filter(
                review=review, stage=stage, status="open", votes__gte=current.votes_needed(stage)
            ).values_list("record_id", flat=True)
            for record_id in list(open_ids):
                reevaluate(record_id=record_id, stage=stage)
    return current


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError("A reason needs a label.")
    if len(label) > 200:
        raise ValidationError("Keep a reason under 200 characters.")
    return label


@transaction.atomic
def add_reason(*, review: Review, stage: str, label: str) -> ExclusionReason:
    stage = Stage(stage)
    label = _clean_label(label)
    if ExclusionReason.objects.filter(review=review, stage=stage, label__iexact=label).exists():
        raise ValidationError(f"“{label}” is already a reason at this stage.")
    last = ExclusionReason.objects.for_stage(review, stage).aggregate(m=Max("order"))["m"] or 0
    return ExclusionReason.objects.create(review=review, stage=stage, label=label, order=last + 1)


@transaction.atomic
def update_reason(
    *,
    reason: ExclusionReason,
    label: str | None = None,
    retired: bool | None = None,
    order: int | None = None,
) -> ExclusionReason:
    """Rename, retire/restore or move a reason. Moving renumbers the stage's reasons 1..n."""
    renamed = label is not None and _clean_label(label) != reason.label
    if label is not None:
        reason.label = _clean_label(label)
    if retired is not None:
        reason.retired = bool(retired)
    try:
        with transaction.atomic():
            reason.save()
    except IntegrityError:
        raise ValidationError(f"“{reason.label}” is already a reason at this stage.") from None
    if order is not None:
        siblings = [
            r
            for r in ExclusionReason.objects.for_stage(reason.review, reason.stage)
            if r.pk != reason.pk
        ]
        position = max(1, min(int(order), len(siblings) + 1))
        siblings.insert(position - 1, reason)
        for index, sibling in enumerate(siblings, start=1):
            if sibling.order != index:
                sibling.order = index
                sibling.save(update_fields=["order"])
        reason.order = position
    if renamed or order is not None:
        flow_changed(reason.review_id)  # the diagram names full-text reasons, in order
    return reason


def reason_in_use(reason: ExclusionReason) -> bool:
    return (
        Vote.objects.filter(reason=reason).exists()
        or StageOutcome.objects.filter(reason=reason).exists()
        or Resolution.objects.filter(reason=reason).exists()
    )


@transaction.atomic
def delete_reason(*, reason: ExclusionReason) -> None:
    """Delete an unused reason. A reason any vote or decision uses is retired instead."""
    if reason_in_use(reason):
        raise ValidationError(
            f"“{reason.label}” is in use; retire it instead so past decisions keep it."
        )
    reason.delete()
