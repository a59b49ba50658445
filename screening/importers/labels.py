"""Screening decisions carried by a labelled export, read from a record's original tags.

Every importer keeps each record's original tags or columns in `raw` ({tag: [values]}),
so decisions are read here, whatever the file's format, without touching the importers:

- ASReview (asreview.readthedocs.io, "Data format"): a label column `included` or
  `label_included` (also `included_label`, `included_final`, `included_flag`,
  `asreview_label`, and a bare `label`) holding 1 / 0 / empty; in RIS, a note
  `N1  - ASReview_relevant`, `ASReview_irrelevant` or `ASReview_not_seen` (the words
  may sit inside a longer note), or the old `LI` tag with 1 / 0.
- Rayyan: its notes (`N1` in RIS, `notes` in CSV, `note` in BibTeX…) hold
  `RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Excluded"}` and
  `RAYYAN-EXCLUSION-REASONS: wrong population,wrong outcome`. One decision when every
  reviewer named agrees (Included / Excluded); mixed or "Maybe" is no decision.
- Covidence exports one list per stage ("Irrelevant", "Included"…) with no decision
  in the file: the import form's "every record is excluded / included" covers them.

`decision_of(raw)` answers an `ImportedDecision` or None; the services decide what a
decision becomes (`screening.services.imported_decisions`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

INCLUDE, EXCLUDE = "include", "exclude"

ASREVIEW_COLUMNS = (
    "included",
    "label_included",
    "included_label",
    "included_final",
    "included_flag",
    "asreview_label",
    "label",
)
_TRUE = {"1", "1.0", "yes", "y", "true", "included", "include", "relevant"}
_FALSE = {"0", "0.0", "no", "n", "false", "excluded", "exclude", "irrelevant"}
_ASREVIEW_NOTE = re.compile(r"ASReview_(relevant|irrelevant|not_seen)\b", re.IGNORECASE)
_RAYYAN_INCLUSION = re.compile(r"RAYYAN-INCLUSION:\s*\{([^}]*)\}", re.IGNORECASE)
_RAYYAN_PAIR = re.compile(r"\"([^\"]*)\"\s*=>\s*\"([^\"]*)\"")
_RAYYAN_REASONS = re.compile(r"RAYYAN-EXCLUSION-REASONS:\s*([^|}\n]*)", re.IGNORECASE)


@dataclass(frozen=True)
class ImportedDecision:
    decision: str  # include | exclude
    origin: str  # ASReview | Rayyan
    detail: str = ""  # what the file said, for the history
    reasons: tuple[str, ...] = ()  # exclusion reasons the file named


def _values(raw: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    return [(str(tag), str(value)) for tag, values in raw.items() for value in values or ()]


def _asreview_column(raw: Mapping[str, Sequence[str]]) -> ImportedDecision | None:
    by_name = {str(tag).strip().casefold(): values for tag, values in raw.items()}
    for column in ASREVIEW_COLUMNS:
        values = by_name.get(column)
        if values is None:
            continue
        text = next((str(v).strip().casefold() for v in values if str(v).strip()), "")
        if text in _TRUE:
            return ImportedDecision(INCLUDE, "ASReview", f"{column} = {text}")
        if text in _FALSE:
            return ImportedDecision(EXCLUDE, "ASReview", f"{column} = {text}")
        return None  # the label column is there and says "not labelled"
    return None


def _asreview_ris(raw: Mapping[str, Sequence[str]]) -> ImportedDecision | None:
    for tag, value in _values(raw):
        if tag == "LI" and value.strip() in ("0", "1"):
            decision = INCLUDE if value.strip() == "1" else EXCLUDE
            return ImportedDecision(decision, "ASReview", f"LI = {value.strip()}")
    found = [m.group(1).casefold() for _, v in _values(raw) for m in _ASREVIEW_NOTE.finditer(v)]
    if "relevant" in found and "irrelevant" not in found:
        return ImportedDecision(INCLUDE, "ASReview", "ASReview_relevant")
    if "irrelevant" in found and "relevant" not in found:
        return ImportedDecision(EXCLUDE, "ASReview", "ASReview_irrelevant")
    return None


def _rayyan(raw: Mapping[str, Sequence[str]]) -> ImportedDecision | None:
    for _, value in _values(raw):
        match = _RAYYAN_INCLUSION.search(value)
        if match is None:
            continue
        pairs = _RAYYAN_PAIR.findall(match.group(1))
        verdicts = {v.strip().casefold() for _, v in pairs}
        detail = "RAYYAN-INCLUSION: " + ", ".join(f"{n}: {v}" for n, v in pairs)
        reasons_match = _RAYYAN_REASONS.search(value)
        reasons = tuple(
            r.strip() for r in (reasons_match.group(1) if reasons_match else "").split(",")
        )
        reasons = tuple(r for r in reasons if r)
        if verdicts == {"included"}:
            return ImportedDecision(INCLUDE, "Rayyan", detail)
        if verdicts == {"excluded"}:
            return ImportedDecision(EXCLUDE, "Rayyan", detail, reasons)
        return None
    return None


def decision_of(raw: Mapping[str, Sequence[str]] | None) -> ImportedDecision | None:
    """The screening decision a labelled export gives this record, or None."""
    if not raw:
        return None
    # ASReview's label first: a file reviewapp exported for ASReview keeps a record's
    # Rayyan notes, and its ASReview label is the later word.
    return _asreview_column(raw) or _asreview_ris(raw) or _rayyan(raw)
