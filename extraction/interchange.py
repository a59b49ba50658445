"""The evidence table in the layouts R's review packages read unchanged.

- `robvis_rows`: risk of bias as robvis's summary table (McGuinness & Higgins, robvis,
  CRAN; vignette "Introduction to robvis" and `?data_rob2`): first column `Study`, one
  column per domain, then `Overall`, then `Weight`. RoB 2 is `Study, D1..D5, Overall,
  Weight` with the judgements "Low", "Some concerns", "High" (`tool = "ROB2"`); the
  lead-defined domain tool has its domains' names as columns and "Low", "Unclear",
  "High" (robvis's ROB1/"Generic" layout). A judgement not given is "No information".
  The weight is the study's sample size when every study has one, else 1 for all.
- `long_rows`: the evidence table in long format, one row per study and item.
- `meta_rows`: one row per study and outcome with meta's and metafor's column names
  (`studlab, n.e, mean.e, sd.e, n.c, mean.c, sd.c, event.e, event.c`) from the fields
  of the form's "outcome data" blocks (`form_schema.META_ROLES`).

Rows come out as plain values; `csv_for_r` writes them through `reviewapp.spreadsheet`
(text a spreadsheet would run as a formula is neutralised) without the byte-order mark
Excel wants, which R's `read.csv` would glue onto the first column's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from extraction import instruments
from extraction.domain.form_schema import META_ROLES
from extraction.figures import WEIGHT_FIELD
from extraction.selectors import EvidenceTable
from reviewapp.spreadsheet import csv_chunks

NO_INFORMATION = "No information"
META_COLUMNS = ("studlab", *META_ROLES)
ROB_TOOLS = ("rob2", "rob-domain")

Row = Sequence[Any]


def _weights(table: EvidenceTable) -> list[float | int]:
    values = [row.cells.get(WEIGHT_FIELD) for row in table.rows]
    if values and all(
        isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in values
    ):
        return values  # type: ignore[return-value]
    return [1] * len(values)


def _domain_overall(ratings: list[str | None]) -> str:
    """The study's overall risk for the domain tool (it rates domains only): high if
    any domain is high, else unclear if any is unclear, else low once all are rated
    (Cochrane Handbook v5.1 table 8.7.a, "across domains")."""
    if "high" in ratings:
        return "High"
    if "unclear" in ratings:
        return "Unclear"
    if ratings and all(r == "low" for r in ratings):
        return "Low"
    return NO_INFORMATION


def robvis_rows(table: EvidenceTable, *, tool: str) -> Iterator[Row]:
    """robvis's summary table for `tool` ("rob2" or "rob-domain"), every included
    study with at least one judgement of that tool."""
    if tool not in ROB_TOOLS:
        raise ValueError(f"tool is one of {', '.join(ROB_TOOLS)}")
    items = instruments.items(tool, table.ctx)
    if tool == "rob2":
        domains = [i for i in items if i.key != "overall"]
        yield ["Study", *(f"D{n}" for n in range(1, len(domains) + 1)), "Overall", "Weight"]
        labels = instruments.JUDGEMENT_LABELS
    else:
        domains = list(items)
        yield ["Study", *(i.label for i in domains), "Overall", "Weight"]
        labels = instruments.RATING_LABELS
    for row, weight in zip(table.rows, _weights(table), strict=True):
        values = [row.cells.get(f"{tool}/{i.key}") for i in domains]
        overall = row.cells.get(f"{tool}/overall") if tool == "rob2" else None
        if not any(v in labels for v in values) and overall not in labels:
            continue
        cells = [labels.get(v, NO_INFORMATION) if v else NO_INFORMATION for v in values]
        if tool == "rob2":
            final = labels.get(overall, NO_INFORMATION) if overall else NO_INFORMATION
        else:
            final = _domain_overall(values)
        yield [row.study.label, *cells, final, weight]


def long_rows(table: EvidenceTable) -> Iterator[Row]:
    """One row per study and item: `study_id, study, instrument, section, item, label,
    value, source` (the value as shown in the evidence table; source says whether it
    is a consensus, an agreed, a single extractor's value or pending)."""
    yield ["study_id", "study", "instrument", "section", "item", "label", "value", "source"]
    for row in table.rows:
        for column in table.columns:
            if column.instrument == "study":
                continue
            value = row.cells.get(column.key)
            if value is None or value == []:
                continue
            number = (
                value
                if column.instrument == "extraction"
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                else None
            )
            yield [
                row.study.pk,
                row.study.label,
                column.instrument,
                column.group,
                column.key.split("/", 1)[-1],
                column.label,
                number if number is not None else table.text(row, column),
                row.sources.get(column.key, ""),
            ]


def outcomes(table: EvidenceTable) -> list[tuple[str, str, dict[str, str]]]:
    """(section key, outcome name, {meta column: field key}) per outcome data block."""
    definition = table.ctx.definition
    if definition is None:
        return []
    return [
        (section.key, section.title, {f.meta_role: f.key for f in section.fields if f.meta_role})
        for section in definition.outcome_sections()
    ]


def _meta_value(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None  # empty, "NR" or text: NA in R
    return value


def meta_rows(table: EvidenceTable, *, outcome: str | None = None) -> Iterator[Row]:
    """One row per study and outcome: `outcome, studlab, n.e, mean.e, sd.e, n.c,
    mean.c, sd.c, event.e, event.c` (empty cells are NA in R), for every outcome data block
    or only `outcome` (a section key). Studies with no number for an outcome are left
    out of it. Read with `read.csv(..., check.names = FALSE)` and pass the columns to
    `meta::metacont(n.e, mean.e, sd.e, n.c, mean.c, sd.c, studlab = studlab)`,
    `meta::metabin(event.e, n.e, event.c, n.c, ...)` or `metafor::escalc()`."""
    yield ["outcome", *META_COLUMNS]
    for key, title, roles in outcomes(table):
        if outcome is not None and key != outcome:
            continue
        for row in table.rows:
            values = [
                _meta_value(row.cells.get(f"extraction/{roles[r]}")) if r in roles else None
                for r in META_ROLES
            ]
            if all(v is None for v in values):
                continue
            yield [title, row.study.label, *values]


def csv_for_r(rows: Iterable[Row]) -> bytes:
    """UTF-8 CSV with no byte-order mark, cells formula-safe."""
    return b"".join(csv_chunks(rows)).decode("utf-8").removeprefix("\ufeff").encode("utf-8")
