"""Reads for the deduplication pages: pairs side by side with their differences."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db.models import Count, Prefetch

from reviewapp.models import Review
from screening.dedupe.normalise import normalise_title, notice_kind
from screening.identifiers import normalise_doi, normalise_pages
from screening.models import (
    CITATION_FIELDS,
    CandidatePair,
    DedupeEvent,
    DuplicateGroup,
    PairStatus,
    Record,
)

COMPARED_FIELDS = [*CITATION_FIELDS, "publication_type"]


@dataclass(frozen=True)
class FieldComparison:
    name: str
    a: list[tuple[str, bool]]  # segments (text, differs)
    b: list[tuple[str, bool]]
    same: bool


def _text(record: Record, name: str) -> str:
    value = getattr(record, name)
    if name == "authors":
        return "; ".join(value)
    return "" if value is None else str(value)


def _same(name: str, a: str, b: str) -> bool:
    if name == "title":
        # "Erratum: <title>" normalises to the article's title; the notice still differs.
        return normalise_title(a) == normalise_title(b) and notice_kind(a) == notice_kind(b)
    if name == "doi":
        return normalise_doi(a) == normalise_doi(b)
    if name == "pages":
        return normalise_pages(a) == normalise_pages(b)
    return a.strip().lower() == b.strip().lower()


def _word_diff(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Split both texts into runs of words, marking the runs that differ."""
    wa, wb = a.split(), b.split()
    out_a, out_b = [], []
    matcher = difflib.SequenceMatcher(
        a=[w.lower() for w in wa], b=[w.lower() for w in wb], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            out_a.append((" ".join(wa[i1:i2]), op != "equal"))
        if j2 > j1:
            out_b.append((" ".join(wb[j1:j2]), op != "equal"))
    return out_a, out_b


def compare_records(a: Record, b: Record) -> list[FieldComparison]:
    rows = []
    for name in COMPARED_FIELDS:
        ta, tb = _text(a, name), _text(b, name)
        if not ta and not tb:
            continue
        same = _same(name, ta, tb)
        if same or name not in ("title", "authors", "journal"):
            seg_a, seg_b = [(ta, not same)], [(tb, not same)]
        else:
            seg_a, seg_b = _word_diff(ta, tb)
        rows.append(FieldComparison(name, seg_a, seg_b, same))
    return rows


def pending_pairs(*, review: Review):
    return (
        CandidatePair.objects.filter(review=review, status=PairStatus.PENDING)
        .select_related("record_a__batch", "record_b__batch")
        .order_by("-score", "pk")
    )


def groups_with_records(*, review: Review):
    return (
        DuplicateGroup.objects.filter(review=review)
        .annotate(size=Count("records"))
        .prefetch_related(
            Prefetch("records", queryset=Record.objects.select_related("batch").order_by("pk"))
        )
        .order_by("-pk")
    )


def dedupe_history(*, review: Review, limit: int = 200):
    return DedupeEvent.objects.filter(review=review).select_related("actor")[:limit]


def duplicate_rows(*, review: Review) -> list[tuple[str, str, str]]:
    """(record_key, group, status) for each record in a group or a pending pair:
    groups are "g<id>" with status merged, pending pairs "p<id>" with status pending."""
    rows = []
    for group in groups_with_records(review=review):
        for record in group.records.all():
            rows.append((record.record_key or f"record-{record.pk}", f"g{group.pk}", "merged"))
    for pair in pending_pairs(review=review):
        for record in (pair.record_a, pair.record_b):
            rows.append((record.record_key or f"record-{record.pk}", f"p{pair.pk}", "pending"))
    return rows
