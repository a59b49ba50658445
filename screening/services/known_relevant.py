"""The lead's "known relevant" papers: paste titles, DOIs or PMIDs, match them to records.

Each non-empty pasted line is read as a DOI (anything `identifiers.normalise_doi` finds),
a PMID (digits, optionally after "PMID"), or else a title (compared by its words:
`dedupe.normalise.normalise_title`, so case, accents and punctuation do not matter).
A line is matched to a record of the review that is not a removed duplicate; lines that
match nothing are kept and tried again at the next paste (the paper may be imported
later). Pasting the same paper twice keeps one entry.

Matched records are review-level prior knowledge: `cold_start.review_query` hands them
to every screener's cold-start ranking (similarity to those records, fading as includes
arrive). They are never labels: no model is fitted on them, and no decision is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from reviewapp.models import Review
from screening.dedupe.normalise import normalise_title
from screening.identifiers import normalise_doi
from screening.models import KnownKind, KnownRelevant, Record, RecordState

MAX_LINES = 500
_PMID = re.compile(r"(?:pmid\s*:?\s*)?(\d{1,9})\.?", re.IGNORECASE)
# A title needs a few words to be told apart from another record's.
_MIN_TITLE_WORDS = 3


@dataclass(frozen=True)
class PasteResult:
    """What one paste did: the entries it touched (new or already there), matched or not."""

    matched: list[KnownRelevant]
    unmatched: list[KnownRelevant]
    ignored: list[str]  # lines too short to be a title and neither a DOI nor a PMID


def read_line(line: str) -> tuple[str, str] | None:
    """(kind, key) of a pasted line, or None when it names no paper."""
    text = line.strip()
    if not text:
        return None
    doi = normalise_doi(text)
    if doi:
        return KnownKind.DOI, doi
    pmid = _PMID.fullmatch(text)
    if pmid:
        return KnownKind.PMID, str(int(pmid.group(1)))
    words = normalise_title(text)
    if len(words.split()) < _MIN_TITLE_WORDS:
        return None
    return KnownKind.TITLE, words[:1000]


def _candidates(review: Review):
    return Record.objects.filter(review=review).exclude(state=RecordState.DUPLICATE)


def _match(review: Review, entries: list[KnownRelevant]) -> None:
    """Set ``record`` on every entry that names a record of the review (first by id)."""
    records = _candidates(review)
    by_kind: dict[str, list[KnownRelevant]] = {kind: [] for kind in KnownKind.values}
    for entry in entries:
        by_kind[entry.kind].append(entry)
    if by_kind[KnownKind.DOI]:
        keys = {e.key for e in by_kind[KnownKind.DOI]}
        found: dict[str, int] = {}
        for pk, doi in records.filter(doi__in=keys).order_by("pk").values_list("pk", "doi"):
            found.setdefault(doi, pk)
        for entry in by_kind[KnownKind.DOI]:
            entry.record_id = found.get(entry.key)
    if by_kind[KnownKind.PMID]:
        keys = {e.key for e in by_kind[KnownKind.PMID]}
        found = {}
        for pk, pmid in records.filter(pmid__in=keys).order_by("pk").values_list("pk", "pmid"):
            found.setdefault(pmid, pk)
        for entry in by_kind[KnownKind.PMID]:
            entry.record_id = found.get(entry.key)
    if by_kind[KnownKind.TITLE]:
        # Narrow in SQL by each title's longest word, then compare the normalised words.
        narrow = Q()
        for entry in by_kind[KnownKind.TITLE]:
            narrow |= Q(title__icontains=max(entry.key.split(), key=len))
        found = {}
        for pk, title in records.filter(narrow).order_by("pk").values_list("pk", "title"):
            found.setdefault(normalise_title(title), pk)
        for entry in by_kind[KnownKind.TITLE]:
            entry.record_id = found.get(entry.key)


@transaction.atomic
def paste_known_relevant(*, review: Review, by, text: str) -> PasteResult:
    """Add the papers named on each line of ``text`` and match them (and earlier misses)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise ValidationError("Paste at least one title, DOI or PMID, one per line.")
    if len(lines) > MAX_LINES:
        raise ValidationError(f"Paste at most {MAX_LINES} lines at a time.")
    existing = {(e.kind, e.key): e for e in KnownRelevant.objects.filter(review=review)}
    touched: dict[tuple[str, str], KnownRelevant] = {}
    ignored: list[str] = []
    for line in lines:
        read = read_line(line)
        if read is None:
            ignored.append(line[:1000])
            continue
        entry = existing.get(read) or touched.get(read)
        if entry is None:
            entry = KnownRelevant(
                review=review, line=line[:1000], kind=read[0], key=read[1], added_by=by
            )
        touched[read] = entry
    unmatched_before = [e for e in existing.values() if e.record_id is None]
    _match(review, [*touched.values(), *unmatched_before])
    for entry in {id(e): e for e in [*touched.values(), *unmatched_before]}.values():
        entry.save()
    entries = list(touched.values())
    _request_retrain(review)
    return PasteResult(
        matched=[e for e in entries if e.record_id is not None],
        unmatched=[e for e in entries if e.record_id is None],
        ignored=ignored,
    )


@transaction.atomic
def remove_known_relevant(*, entry: KnownRelevant) -> None:
    """Forget one pasted paper; the cold start stops using it at the next retrain."""
    review = entry.review
    entry.delete()
    _request_retrain(review)


def _request_retrain(review: Review) -> None:
    # The cold start reads the known records at the next retrain; the models' fingerprints
    # include them, so the retrain rewrites every waiting screener's order.
    from screening.services.ranking import schedule_retrain

    schedule_retrain(review.pk)


def known_relevant_ids(review: Review) -> tuple[int, ...]:
    """Records the lead's pasted papers matched, in id order (the cold start's input)."""
    return tuple(
        KnownRelevant.objects.filter(review=review, record__isnull=False)
        .exclude(record__state=RecordState.DUPLICATE)
        .order_by("record_id")
        .values_list("record_id", flat=True)
        .distinct()
    )
