"""Studies and their reports: created lazily, linked and unlinked by the lead."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from extraction.models import Study, StudyReport
from reviewapp.models import Review
from screening.models import Record, RecordState
from screening.services.journey import flow_changed


def _surname(author: str) -> str:
    author = " ".join(author.split())
    if "," in author:  # "Smith, John"
        return author.split(",", 1)[0].strip()
    parts = author.split()
    if len(parts) > 1 and re.fullmatch(r"(?:[A-Z]\.?){1,3}", parts[-1]):  # "Smith JA"
        return parts[0]
    return parts[-1] if parts else ""  # "John Smith"


def study_label(record: Record) -> str:
    """ "Smith 2019" from the first author and year, else the start of the title."""
    surname = _surname(record.authors[0]) if record.authors else ""
    if surname:
        return f"{surname} {record.year}" if record.year else surname
    title = " ".join((record.title or "").split())
    if title:
        return title if len(title) <= 40 else title[:39].rstrip() + "…"
    return f"Record {record.pk}"


@transaction.atomic
def ensure_studies(*, review: Review) -> int:
    """Give every included report without a study a study of its own; returns how many
    were made. Idempotent, and safe when two requests run it at once: the review row is
    locked, and the one-study-per-report constraint backs it up."""
    Review.objects.select_for_update().filter(pk=review.pk).first()
    unlinked = list(
        Record.objects.for_review(review)
        .filter(state=RecordState.INCLUDED, study_links__isnull=True)
        .order_by("pk")
    )
    if not unlinked:
        return 0
    studies = Study.objects.bulk_create(
        [Study(review=review, label=study_label(record)) for record in unlinked]
    )
    if any(s.pk is None for s in studies):  # a backend that does not return ids
        studies = list(Study.objects.filter(review=review).order_by("-pk")[: len(unlinked)])[::-1]
    StudyReport.objects.bulk_create(
        [StudyReport(study=s, record=r) for s, r in zip(studies, unlinked, strict=True)]
    )
    flow_changed(review.pk)  # PRISMA counts studies
    return len(unlinked)


def _has_assessments(study: Study) -> bool:
    return study.sheets.exclude(values={}).exists() or study.consensus.exclude(values={}).exists()


@transaction.atomic
def link_studies(*, review: Review, target: Study, others: list[Study], by) -> Study:
    """Make the reports of `others` reports of `target` (a trial and its follow-up).

    A study that already has extraction or risk-of-bias values is not absorbed, since
    its values would have nowhere to go: link reports before extracting them.
    """
    if target.review_id != review.pk or any(o.review_id != review.pk for o in others):
        raise ValidationError("Studies of another review cannot be linked.")
    others = [o for o in others if o.pk != target.pk]
    if not others:
        raise ValidationError("Choose at least one other study to link into this one.")
    busy = [o.label for o in others if _has_assessments(o)]
    if busy:
        raise ValidationError(
            f"{', '.join(busy)} already has extraction or risk-of-bias values; "
            "link reports before extracting them, so no one's work is set aside."
        )
    StudyReport.objects.filter(study__in=others).update(study=target, linked_by=by)
    # Empty sheets (slots claimed, nothing entered) go with the study they belonged to.
    Study.objects.filter(pk__in=[o.pk for o in others]).delete()
    flow_changed(review.pk)  # fewer studies in the PRISMA diagram
    return target


@transaction.atomic
def unlink_report(*, review: Review, study: Study, record_id: int, by) -> Study:
    """Give one report of a multi-report study a study of its own again; returns it."""
    if study.review_id != review.pk:
        raise ValidationError("No such study in this review.")
    link = (
        StudyReport.objects.select_related("record")
        .filter(study=study, record_id=record_id)
        .first()
    )
    if link is None:
        raise ValidationError("That report is not part of this study.")
    if study.reports.count() < 2:
        raise ValidationError("A study keeps at least one report.")
    new_study = Study.objects.create(review=review, label=study_label(link.record))
    link.study = new_study
    link.linked_by = by
    link.save(update_fields=["study", "linked_by"])
    flow_changed(review.pk)  # one more study in the PRISMA diagram
    return new_study


@transaction.atomic
def rename_study(*, study: Study, label: str) -> Study:
    label = " ".join(label.split())
    if not label:
        raise ValidationError("A study needs a label.")
    if len(label) > 120:
        raise ValidationError("Keep the label under 120 characters.")
    study.label = label
    study.save(update_fields=["label"])
    return study
