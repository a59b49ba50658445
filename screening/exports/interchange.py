"""Screening files other tools read: ASReview's labelled data set and RevMan's study list.

- ASReview (asreview.readthedocs.io, "Data format"): a CSV with `record_id, title,
  abstract, authors, doi, ...` and a label column `included` (1 relevant, 0 irrelevant,
  empty not yet labelled), or RIS whose notes carry `N1  - ASReview_relevant`,
  `ASReview_irrelevant` or `ASReview_not_seen`. The label is the title/abstract
  decision: 1 once a record passed title/abstract (whatever happened at full text),
  0 once it was excluded there, empty while it waits or when the stopping rule set it
  aside. Duplicates and records removed before screening are not in the file, so the
  file is the set PRISMA counts as screened. `?labels=final` labels the final
  decision instead (1 included, 0 excluded at either stage or not retrieved).
- RevMan (Cochrane): RIS of the included reports ordered by study, each with the
  study's id (its label, e.g. "Smith 2019") in `ID`, `LB` and a note, so reports of
  one study arrive together under one name.

Labels come from the record's state, which changes only when a stage is settled, so
the file reveals no vote of a record still being screened (screening/visibility.py:
every member may see states and settled decisions). Text cells go through
`reviewapp.spreadsheet` like every CSV.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db.models import F, OuterRef, Subquery

from screening.exports.ris import EOL, _line, _mapped, _original
from screening.models import CITATION_FIELDS, Record, RecordState

CHUNK = 2000
_ASREVIEW_WORD = re.compile(r"\bASReview_(relevant|irrelevant|not_seen|prior)\b\.?", re.IGNORECASE)
PASSED_TA = (
    RecordState.FT_RETRIEVAL,
    RecordState.FT_NOT_RETRIEVED,
    RecordState.FT,
    RecordState.FT_EXCLUDED,
    RecordState.INCLUDED,
)
# Records PRISMA counts as screened (or still to screen): all but removed ones.
SCREENED = (RecordState.TA, RecordState.TA_EXCLUDED, RecordState.AUTOMATION, *PASSED_TA)
FINAL_EXCLUDED = (RecordState.TA_EXCLUDED, RecordState.FT_EXCLUDED, RecordState.FT_NOT_RETRIEVED)
ASREVIEW_NOTES = {1: "ASReview_relevant", 0: "ASReview_irrelevant", None: "ASReview_not_seen"}
FIELDS = (
    "pk",
    "record_key",
    *CITATION_FIELDS,
    "abstract",
    "issn",
    "language",
    "publication_type",
    "keywords",
    "urls",
    "raw",
    "batch__detected_format",
    "batch__source_name",
    "state",
)
# ASReview's usual column order first (record_id, title, abstract, authors, doi), then
# the other citation fields, then the label.
_FIRST = ("title", "abstract", "authors", "doi")
_CITATION_REST = tuple(f for f in CITATION_FIELDS if f not in _FIRST)
ASREVIEW_HEADER = [
    "record_id",
    *_FIRST,
    *_CITATION_REST,
    "keywords",
    "url",
    "source",
    "included",
]


def label_of(state: str, *, final: bool = False) -> int | None:
    """1, 0 or None (not labelled) for a record in `state`."""
    if final:
        if state == RecordState.INCLUDED:
            return 1
        return 0 if state in FINAL_EXCLUDED else None
    if state in PASSED_TA:
        return 1
    return 0 if state == RecordState.TA_EXCLUDED else None


def _records(review) -> Iterator[dict]:
    return (
        Record.objects.filter(review=review, state__in=SCREENED)
        .order_by("pk")
        .values(*FIELDS)
        .iterator(chunk_size=CHUNK)
    )


def asreview_rows(context) -> Iterator[list[Any]]:
    """The labelled data set as table rows (header first)."""
    final = getattr(context, "labels", "") == "final"
    yield ASREVIEW_HEADER
    for r in _records(context.review):
        yield [
            r["pk"],
            *("; ".join(r[f] or []) if f == "authors" else r[f] for f in _FIRST),
            *(r[f] for f in _CITATION_REST),
            "; ".join(r["keywords"] or []),
            (r["urls"] or [""])[0],
            r["batch__source_name"],
            label_of(r["state"], final=final),
        ]


def _without_asreview_notes(record: dict) -> dict:
    """The record with any ASReview label an imported file carried (notes, the old LI
    tag) taken out, so the exported label is the only one."""
    raw = dict(record["raw"] or {})
    raw.pop("LI", None)  # ASReview's old label tag
    if "N1" in raw:
        notes = (_ASREVIEW_WORD.sub("", str(v)).strip(" .;") for v in raw["N1"])
        raw["N1"] = [n for n in notes if n]
    return {**record, "raw": raw}


def _entry(record: dict, extra: list[str]) -> str:
    from_ris = record["batch__detected_format"] == "ris" and record["raw"]
    lines = _original(record) if from_ris else _mapped(record)
    return "".join(lines + extra) + f"ER  - {EOL}{EOL}"


def asreview_ris(context) -> Iterator[str]:
    """One RIS entry per screened record, its label as an ASReview note."""
    final = getattr(context, "labels", "") == "final"
    for record in _records(context.review):
        label = label_of(record["state"], final=final)
        yield _entry(_without_asreview_notes(record), [_line("N1", ASREVIEW_NOTES[label])])


def study_id_of(record: dict) -> str:
    """A report with no study link is named as RevMan names studies: first author's
    family name and year."""
    author = (record["authors"] or [""])[0].split(",")[0].strip()
    return " ".join(p for p in (author, str(record["year"] or "")) if p) or f"Record {record['pk']}"


def revman_ris(context) -> Iterator[str]:
    """The included reports grouped by study (study label order), each carrying its
    study id."""
    from extraction.models import StudyReport  # the study links live in extraction

    link = StudyReport.objects.filter(record=OuterRef("pk")).order_by("pk")
    records = (
        Record.objects.filter(review=context.review, state=RecordState.INCLUDED)
        .annotate(
            study_label=Subquery(link.values("study__label")[:1]),
            study_pk=Subquery(link.values("study_id")[:1]),
        )
        .order_by(F("study_label").asc(nulls_last=True), "study_pk", "pk")
        .values(*FIELDS, "study_label")
        .iterator(chunk_size=CHUNK)
    )
    for record in records:
        study = (record["study_label"] or "").strip() or study_id_of(record)
        extra = [_line("LB", study), _line("N1", f"Study ID: {study}")]
        body = dict(record)
        raw = dict(body["raw"] or {})
        for tag in ("ID", "LB"):
            raw.pop(tag, None)
        body["raw"] = raw
        if body["batch__detected_format"] != "ris" or not raw:
            body["record_key"] = ""  # _mapped writes ID from the key; the study id wins
        yield _entry(body, [_line("ID", study), *extra])
