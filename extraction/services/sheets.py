"""Assessors' sheets and consensus: who holds a study's slots, autosave, done, reopen,
and the final values. Every change is appended to a history table; nothing is deleted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from extraction import instruments
from extraction.domain.form_values import FieldError
from extraction.instruments import Context
from extraction.models import (
    Consensus,
    ConsensusEvent,
    EventAction,
    Instrument,
    Sheet,
    SheetEvent,
    Study,
)
from extraction.selectors import sheet_access
from extraction.services.forms import settings_for
from reviewapp.models import Membership, Role


@dataclass
class SaveResult:
    sheet: Sheet
    changed: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def _lock(study: Study) -> Study:
    # Serialises slot claims and saves on one study (PostgreSQL; SQLite locks anyway).
    return Study.objects.select_for_update().get(pk=study.pk)


def _check_instrument(instrument: str) -> None:
    if instrument not in Instrument.values:
        raise ValidationError(f"Unknown instrument {instrument!r}.")


@transaction.atomic
def claim_sheet(*, study: Study, instrument: str, membership: Membership) -> Sheet:
    """The member's sheet for this study, taking a free slot if they have none.

    Reviewers and above may extract. Raises ValidationError when every slot is taken.
    """
    _check_instrument(instrument)
    if not membership.can(Role.REVIEWER):
        raise PermissionDenied("Extracting needs the reviewer role.")
    study = _lock(study)
    existing = Sheet.objects.filter(
        study=study, instrument=instrument, assessor_id=membership.user_id
    ).first()
    if existing is not None:
        return existing
    required = settings_for(review=study.review).assessors_per_study
    taken = set(
        Sheet.objects.filter(study=study, instrument=instrument).values_list("slot", flat=True)
    )
    free = next((n for n in range(1, required + 1) if n not in taken), None)
    if free is None:
        raise ValidationError(
            f"{study.label} already has its {required} "
            f"{'extractor' if required == 1 else 'extractors'} for this."
        )
    sheet = Sheet.objects.create(
        study=study, instrument=instrument, assessor_id=membership.user_id, slot=free
    )
    SheetEvent.objects.create(sheet=sheet, action=EventAction.ASSIGN, actor_id=membership.user_id)
    return sheet


@transaction.atomic
def assign_assessor(
    *, study: Study, instrument: str, slot: int, membership: Membership | None, by
) -> Sheet | None:
    """The lead puts `membership` in `slot` (or empties it with None).

    A slot whose sheet already holds values is not taken from its assessor: their work
    would be set aside. Returns the slot's sheet.
    """
    _check_instrument(instrument)
    study = _lock(study)
    required = settings_for(review=study.review).assessors_per_study
    if slot not in range(1, required + 1):
        raise ValidationError(f"This review has {required} extractor slot(s) per study.")
    current = Sheet.objects.filter(study=study, instrument=instrument, slot=slot).first()
    if membership is not None and membership.review_id != study.review_id:
        raise ValidationError("Not a member of this review.")
    if membership is not None and not membership.can(Role.REVIEWER):
        raise ValidationError("Extractors need the reviewer role or above.")
    if current is not None:
        if membership is not None and current.assessor_id == membership.user_id:
            return current
        if current.values or current.events.exclude(action=EventAction.ASSIGN).exists():
            raise ValidationError(
                f"{current.assessor} has already entered values in this slot; "
                "they keep it so their work is not lost."
            )
        current.delete()
    if membership is None:
        return None
    if Sheet.objects.filter(
        study=study, instrument=instrument, assessor_id=membership.user_id
    ).exists():
        raise ValidationError(f"{membership.user} already holds the other slot.")
    try:
        with transaction.atomic():
            sheet = Sheet.objects.create(
                study=study, instrument=instrument, assessor_id=membership.user_id, slot=slot
            )
    except IntegrityError:
        raise ValidationError("That slot was just taken; reload the page.") from None
    SheetEvent.objects.create(sheet=sheet, action=EventAction.ASSIGN, actor=by)
    return sheet


@transaction.atomic
def save_values(
    *,
    study: Study,
    instrument: str,
    membership: Membership,
    raw: dict[str, Any],
    ctx: Context,
    form_version=None,
    strict: bool = False,
) -> SaveResult:
    """Autosave: apply `raw` to the member's sheet (claiming a slot if needed).

    Idempotent: saving the same values again changes nothing and appends no history.
    Fields with an error keep their previous value and the rest are saved, unless
    `strict` (the API), when any error saves nothing. A sheet marked
    done is reopened by `reopen_sheet` first, so what was compared stays put.
    """
    sheet = claim_sheet(study=study, instrument=instrument, membership=membership)
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.is_done:
        raise ValidationError("This sheet is marked done; reopen it to change values.")
    if instrument == Instrument.EXTRACTION and ctx.definition is None:
        raise ValidationError("The review has no extraction form yet.")
    update = instruments.apply_update(instrument, ctx, sheet.values, raw)
    if strict and update.errors:
        raise ValidationError({key: [message] for key, message in update.errors.items()})
    changed = sorted(
        k
        for k in set(sheet.values) | set(update.values)
        if sheet.values.get(k) != update.values.get(k)
    )
    if changed:
        SheetEvent.objects.bulk_create(
            [
                SheetEvent(
                    sheet=sheet,
                    action=EventAction.SET if key in update.values else EventAction.CLEAR,
                    key=key,
                    value=update.values.get(key),
                    actor_id=membership.user_id,
                    form_version=form_version,
                )
                for key in changed
            ]
        )
        sheet.values = update.values
        sheet.form_version = form_version or sheet.form_version
        sheet.save(update_fields=["values", "form_version", "updated_at"])
    return SaveResult(sheet, changed, update.errors)


@transaction.atomic
def submit_sheet(*, sheet: Sheet, ctx: Context, by) -> Sheet:
    """Mark a sheet done; refused while required items are missing."""
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.is_done:
        return sheet
    problems = instruments.missing(sheet.instrument, ctx, sheet.values)
    if problems:
        raise ValidationError({key or "__all__": [message] for key, message in problems.items()})
    sheet.submitted_at = timezone.now()
    sheet.save(update_fields=["submitted_at", "updated_at"])
    SheetEvent.objects.create(sheet=sheet, action=EventAction.SUBMIT, actor=by)
    return sheet


@transaction.atomic
def reopen_sheet(*, sheet: Sheet, by) -> Sheet:
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if not sheet.is_done:
        return sheet
    sheet.submitted_at = None
    sheet.save(update_fields=["submitted_at", "updated_at"])
    SheetEvent.objects.create(sheet=sheet, action=EventAction.REOPEN, actor=by)
    return sheet


@transaction.atomic
def record_consensus(
    *,
    study: Study,
    instrument: str,
    membership: Membership,
    key: str,
    source: str,
    ctx: Context,
    value: Any = None,
    note: str = "",
) -> Consensus:
    """Record the final value of one item: "a" or "b" takes that assessor's value,
    "edited" takes `value` (cleaned as the field would clean it), "clear" removes it.

    Who may: a lead, or the study's assessors together once both are done (the
    blinding rules of `sheet_access`). Idempotent; every change is kept in history.
    """
    _check_instrument(instrument)
    study = _lock(study)
    required = settings_for(review=study.review).assessors_per_study
    access = sheet_access(
        study=study, instrument=instrument, membership=membership, required=required
    )
    if not access.can_record_consensus:
        raise PermissionDenied(
            "The final value is recorded by a lead, or by the study's extractors once both are done."
        )
    if key not in {i.key for i in instruments.items(instrument, ctx)}:
        raise ValidationError({"key": ["Not an item of this form or tool."]})
    if source in ("a", "b"):
        sheet = next((s for s in access.sheets if s.slot == (1 if source == "a" else 2)), None)
        if sheet is None:
            raise ValidationError({"source": ["That extractor has no values yet."]})
        final = instruments.outcomes(instrument, ctx, sheet.values).get(key)
    elif source == "edited":
        try:
            final = instruments.clean_outcome(instrument, ctx, key, value)
        except FieldError as exc:
            raise ValidationError({"value": [str(exc)]}) from None
    elif source == "clear":
        final = None
    else:
        raise ValidationError({"source": ["Choose a, b, edited or clear."]})
    consensus, _ = Consensus.objects.get_or_create(study=study, instrument=instrument)
    values = dict(consensus.values)
    if final is None:
        changed = values.pop(key, None) is not None
    else:
        changed = values.get(key) != final
        values[key] = final
    if changed:
        consensus.values = values
        consensus.save(update_fields=["values", "updated_at"])
        ConsensusEvent.objects.create(
            consensus=consensus,
            key=key,
            value=final,
            source=source,
            note=note.strip(),
            actor_id=membership.user_id,
        )
    return consensus
