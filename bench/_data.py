"""Loaders for the labelled sets in ../shared/data, shared by the bench scripts.

The data are read in place; nothing is copied into the repository.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from screening.dedupe import DedupeRecord  # noqa: E402
from screening.dedupe.normalise import split_authors  # noqa: E402

SHARED_DATA = Path(os.environ.get("REVIEWAPP_SHARED_DATA", REPO.parent / "shared" / "data"))
DEDUPE = SHARED_DATA / "dedupe"


@dataclass(frozen=True)
class LabelledSet:
    name: str
    records: list[DedupeRecord]
    clusters: list[frozenset[str]]  # true duplicate clusters of size >= 2
    rows: list[dict]  # the rows as read (for running another tool on the same data)


def _year(value: str) -> int | None:
    value = (value or "").strip()[:4]
    return int(value) if value.isdigit() else None


def _clean(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value.lower() in {"none", "nan", "null"} else value


def record_from_bib(row: dict) -> DedupeRecord:
    """A DedupeRecord from one BibTeX-like row (the labelled sets' column names)."""
    return DedupeRecord(
        id=row.get("ID") or row.get("record_id"),
        title=_clean(row.get("title")),
        authors=split_authors(_clean(row.get("author"))),
        year=_year(_clean(row.get("year"))),
        journal=_clean(row.get("journal")) or _clean(row.get("booktitle")),
        volume=_clean(row.get("volume")),
        issue=_clean(row.get("number")),
        pages=_clean(row.get("pages")),
        doi=_clean(row.get("doi")),
        abstract=_clean(row.get("abstract")),
        publication_type=_clean(row.get("ENTRYTYPE")),
        isbn=_clean(row.get("isbn")),
    )


def _clusters(path: Path) -> list[frozenset[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [frozenset(row["merged_ids"].split(";")) for row in csv.DictReader(handle)]


def load_set(name: str) -> LabelledSet:
    folder = DEDUPE / name
    if name == "diabetes_asysd":
        # Latin-1 with CR inside fields; record_id N is id_000000N in clusters.csv.
        text = (folder / "labelled_test_set.csv").read_bytes().decode("latin-1")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        for row in rows:
            row["ID"] = f"id_{int(row['record_id']):07d}"
            row.setdefault("ENTRYTYPE", "article")
    else:
        with (folder / "records.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    records = [record_from_bib(r) for r in rows]
    return LabelledSet(name, records, _clusters(folder / "clusters.csv"), rows)


SET_NAMES = ("cytology_screening", "haematology", "respiratory", "diabetes_asysd")


def load_pair_cases() -> list[dict]:
    with (DEDUPE / "pair_cases" / "test_cases.json").open(encoding="utf-8") as handle:
        return json.load(handle)["cases"]
