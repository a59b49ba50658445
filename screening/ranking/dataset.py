"""Load a labelled screening set (CSV) for simulation.

Column names follow ASReview's conventions so the public benchmark sets load
as they are: title, abstract and keywords are found by name, the label column
by ASReview's list of label names (``label_included``, ``included``, ``label``…),
and files that are not UTF-8 (FASTREAD's Kitchenham set is cp1252) are read
with a cp1252 fallback. Records are ranked on title + abstract (``record_text``);
keywords are kept apart, split as the app's importers split them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from screening.importers.records import split_list
from screening.ranking.model import RecordId, record_text

TITLE_COLUMNS = ("title", "primary_title", "document title", "ti", "article title")
ABSTRACT_COLUMNS = ("abstract", "abstract note", "notes_abstract", "ab")
KEYWORD_COLUMNS = ("keywords", "author keywords", "mesh_terms", "kw")
# ASReview's order of preference; "label_abstract_screening" is deliberately absent
# because the Cohen sets' final decision is "label_included".
LABEL_COLUMNS = (
    "final_included",
    "label",
    "label_included",
    "included_label",
    "included_final",
    "included",
    "included_flag",
    "include",
)
ID_COLUMNS = ("record_id", "id")
_TRUE = {"1", "yes", "y", "true", "include", "included"}
_FALSE = {"0", "no", "n", "false", "exclude", "excluded"}


@dataclass(frozen=True)
class LabelledSet:
    """A labelled set: the ranked text per record (title + abstract) and 0/1 labels.

    ``keywords`` holds each record's keywords (empty when the file has none or
    they were not asked for); the model does not rank on them. Rows whose label
    is blank or unreadable are left out and counted in ``n_skipped``.
    """

    name: str
    texts: dict[RecordId, str]
    labels: dict[RecordId, int]
    n_skipped: int
    label_column: str
    keywords: dict[RecordId, tuple[str, ...]] = field(default_factory=dict)

    @property
    def n_relevant(self) -> int:
        """Number of records labelled relevant."""
        return sum(self.labels.values())


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined (e.g. a stray 0x81); replace them.
        return raw.decode("cp1252", errors="replace")


def _pick(columns: dict[str, str], candidates: tuple[str, ...]) -> str | None:
    for name in candidates:
        if name in columns:
            return columns[name]
    return None


def load_labelled_csv(
    path: str | Path, *, use_keywords: bool = True, label_column: str | None = None
) -> LabelledSet:
    """Read a labelled CSV into a ``LabelledSet``.

    ``label_column`` names the label column (any case); by default it is found by name.
    ``use_keywords`` fills ``LabelledSet.keywords`` from a keyword column; the
    texts are title + abstract either way. Raises ``ValueError`` when no label
    column or no title/abstract column is found.
    """
    path = Path(path)
    reader = csv.DictReader(io.StringIO(_decode(path.read_bytes()), newline=""))
    columns = {name.strip().lower(): name for name in reader.fieldnames or () if name}
    if label_column is not None:
        wanted = label_column.strip().lower()
        if wanted not in columns:
            raise ValueError(f"{path.name}: no column {label_column!r}")
        label_column = columns[wanted]
    else:
        label_column = _pick(columns, LABEL_COLUMNS)
    if label_column is None:
        raise ValueError(f"{path.name}: no label column (looked for {', '.join(LABEL_COLUMNS)})")
    title_column = _pick(columns, TITLE_COLUMNS)
    abstract_column = _pick(columns, ABSTRACT_COLUMNS)
    if title_column is None and abstract_column is None:
        raise ValueError(f"{path.name}: no title or abstract column")
    keyword_column = _pick(columns, KEYWORD_COLUMNS) if use_keywords else None
    id_column = _pick(columns, ID_COLUMNS)

    texts: dict[RecordId, str] = {}
    labels: dict[RecordId, int] = {}
    keywords: dict[RecordId, tuple[str, ...]] = {}
    skipped = 0
    for number, row in enumerate(reader, start=1):
        raw_label = (row.get(label_column) or "").strip().lower()
        if raw_label in _TRUE:
            label = 1
        elif raw_label in _FALSE:
            label = 0
        else:
            skipped += 1
            continue
        record_id: RecordId = (row.get(id_column) or "").strip() if id_column else ""
        if not record_id or record_id in labels:
            record_id = f"row-{number}"
        texts[record_id] = record_text(
            row.get(title_column, "") if title_column else "",
            row.get(abstract_column, "") if abstract_column else "",
        )
        labels[record_id] = label
        if keyword_column:
            keywords[record_id] = tuple(split_list(row.get(keyword_column) or ""))
    return LabelledSet(
        name=path.stem,
        texts=texts,
        labels=labels,
        n_skipped=skipped,
        label_column=label_column,
        keywords=keywords,
    )
