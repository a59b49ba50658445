"""Export a PRISMA 2020 flow as the PRISMA2020 R package's CSV template, or as JSON.

CSV
---
Rows, columns, node names and box texts are those of the package's
``inst/extdata/PRISMA.csv`` (header ``data,node,box,description,boxtext,tooltips,url,n``),
so the file loads in ``PRISMA2020::PRISMA_data(read.csv(...))`` and in the Shiny app,
which both look rows up by the ``data`` column. Breakdown rows use the package's
``"Name, n; Name, n"`` convention (``database_specific_results``,
``register_specific_results``, ``dbr_excluded``, ``other_excluded``); the package
splits on ``;`` and takes the reason up to the first ``,``, so those characters in
names are replaced by `` / ``. The template has three rows for other methods
(websites, organisations, citation searching): known sources go to their row, other
sources fill the free rows with their own name as ``boxtext``, and beyond three
rows the extras are summed into the last of those (names joined by `` / ``). The
``duplicates`` row's ``boxtext`` of a review with update search rounds gives its two
lines (within a round, found again from an earlier round), since the template has no
row for them. The ``url`` column holds the caller's URL for the row's node (title rows use
``prevstud``, ``newstud``, ``othstud``, ``identification``, ``screening``,
``included``) or ``NA``. The live "awaiting"
counts have no row in the template and are left out (the package matches rows by
substring, so extra rows such as ``records_awaiting_screening`` would break
``screening``); use JSON to keep them.

JSON
----
``{"schema": "reviewapp.prisma-flow", "version": 1, "complete": bool, "awaiting": int,
"arms": {"other_methods": bool, "previous_version": bool, "search_rounds": bool},
"violations": [str],
"nodes": {node: {"label": str, "n": int, "url": str | null,
"items": [{"name": str, "n": int, "node": str, "url": str | null}]}}}``.
``nodes`` lists every box in diagram order under the package's node names plus
``records_identified``, the ``*_awaiting_*`` boxes, ``dbr_included_reports`` /
``other_included_reports`` and, for a review with update search rounds
(``arms.search_rounds``), the two lines of the duplicates box:
``duplicates_within_round`` and ``duplicates_found_again``; only breakdown boxes (``database_results``,
``register_results``, ``other_results``, ``dbr_excluded``, ``other_excluded``) have
``items``. Other-methods nodes appear only when that arm exists; ``previous_*`` and
``total_*`` always do. Keys are never renamed within a version.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping

from reviewapp.spreadsheet import neutralise
from screening.prisma.counts import LABELS, NamedCount, PrismaFlow, check_invariants
from screening.prisma.layout import node_url

CSV_HEADER = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")

_REASONS_HINT = (
    "[separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]"
)

# The package template's rows, in its order: data, node, box, description, boxtext, tooltips.
TEMPLATE_ROWS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("NA", "node4", "prevstud", "Grey title box; Previous studies", "Previous studies",
     "Grey title box; Previous studies"),
    ("previous_studies", "node5", "box1", "Studies included in previous version of review",
     "Studies included in previous version of review",
     "Studies included in previous version of review"),
    ("previous_reports", "NA", "box1", "Reports of studies included in previous version of review",
     "Reports of studies included in previous version of review", "NA"),
    ("NA", "node6", "newstud",
     "Yellow title box; Identification of new studies via databases and registers",
     "Identification of new studies via databases and registers",
     "Yellow title box; Identification of new studies via databases and registers"),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases",
     "Records identified from: Databases and Registers"),
    ("database_specific_results", "NA", "box2", "Records identified from: specific databases",
     "Specific Databases", "NA"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers", "NA"),
    ("register_specific_results", "NA", "box2", "Records identified from: specific registers",
     "Specific Registers", "NA"),
    ("NA", "node16", "othstud", "Grey title box; Identification of new studies via other methods",
     "Identification of new studies via other methods",
     "Grey title box; Identification of new studies via other methods"),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites",
     "Records identified from: Websites, Organisations and Citation Searching"),
    ("organisation_results", "", "box11", "Records identified from: Organisations",
     "Organisations", "NA"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching",
     "Citation searching", "NA"),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records", "Duplicate records"),
    ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools",
     "Records marked as ineligible by automation tools", "NA"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons",
     "Records removed for other reasons", "NA"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)",
     "Records screened", "Records screened (databases and registers)"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)",
     "Records excluded", "Records excluded (databases and registers)"),
    ("dbr_sought_reports", "node11", "box6",
     "Reports sought for retrieval (databases and registers)", "Reports sought for retrieval",
     "Reports sought for retrieval (databases and registers)"),
    ("dbr_notretrieved_reports", "node12", "box7",
     "Reports not retrieved (databases and registers)", "Reports not retrieved",
     "Reports not retrieved (databases and registers)"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)",
     "Reports sought for retrieval", "Reports sought for retrieval (other)"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)",
     "Reports not retrieved", "Reports not retrieved (other)"),
    ("dbr_assessed", "node13", "box8",
     "Reports assessed for eligibility (databases and registers)",
     "Reports assessed for eligibility",
     "Reports assessed for eligibility (databases and registers)"),
    ("dbr_excluded", "node14", "box9",
     f"Reports excluded (databases and registers): {_REASONS_HINT}", "Reports excluded",
     "Reports excluded (databases and registers)"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)",
     "Reports assessed for eligibility", "Reports assessed for eligibility (other)"),
    ("other_excluded", "node21", "box15", f"Reports excluded (other): {_REASONS_HINT}",
     "Reports excluded", "Reports excluded (other)"),
    ("new_studies", "node15", "box10", "New studies included in review",
     "New studies included in review", "New studies included in review"),
    ("new_reports", "NA", "box10", "Reports of new included studies",
     "Reports of new included studies", "NA"),
    ("total_studies", "node22", "box16", "Total studies included in review",
     "Total studies included in review", "Total studies included in review"),
    ("total_reports", "NA", "box16", "Reports of total included studies",
     "Reports of total included studies", "NA"),
    ("identification", "node1", "identification", "Blue identification box", "Identification",
     "Blue identification box"),
    ("screening", "node2", "screening", "Blue screening box", "Screening", "Blue screening box"),
    ("included", "node3", "included", "Blue included box", "Included", "Blue included box"),
)  # fmt: skip

_OTHER_ROWS = ("website_results", "organisation_results", "citations_results")
_OTHER_ROW_PATTERNS = (
    ("website_results", re.compile(r"web", re.IGNORECASE)),
    ("organisation_results", re.compile(r"organi[sz]ation", re.IGNORECASE)),
    ("citations_results", re.compile(r"citation|reference|snowball", re.IGNORECASE)),
)


def export_csv(flow: PrismaFlow, urls: Mapping[str, str] | None = None) -> str:
    """Return the flow as the PRISMA2020 R package's template CSV (see module docstring)."""
    urls = urls or {}
    values = _csv_values(flow)
    other_rows = _other_rows(flow.other_specific_results)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for data, node, box, description, boxtext, tooltips in TEMPLATE_ROWS:
        key = box if data == "NA" else data
        if data in other_rows:
            label, n = other_rows[data]
            boxtext = neutralise(label)
            values[data] = str(n)
        if data == "duplicates" and flow.has_round_duplicates:
            boxtext = _round_duplicates_text(flow)
        url = node_url(urls, key) or "NA"
        n_value = values.get(data, "0")
        writer.writerow((data, node, box, description, boxtext, tooltips, neutralise(url), n_value))
    return buffer.getvalue()


def _round_duplicates_text(flow: PrismaFlow) -> str:
    # The template has one duplicates row and the package draws its boxtext before the
    # number, so a review with update rounds gives the two lines there.
    return (
        f"Duplicate records (within a search round, n = {flow.duplicates_within_round}; "
        f"found again from an earlier round, n = {flow.duplicates_found_again})"
    )


def _csv_values(flow: PrismaFlow) -> dict[str, str]:
    """Values of the ``n`` column for every data row, as the package reads them."""
    plain = (
        "previous_studies", "previous_reports", "database_results", "register_results",
        "duplicates", "excluded_automatic", "excluded_other", "records_screened",
        "records_excluded", "dbr_sought_reports", "dbr_notretrieved_reports",
        "other_sought_reports", "other_notretrieved_reports", "dbr_assessed", "other_assessed",
        "new_studies", "new_reports", "total_studies", "total_reports",
    )  # fmt: skip
    values = {name: str(getattr(flow, name)) for name in plain}
    values["database_specific_results"] = _reasons_cell(flow.database_specific_results)
    values["register_specific_results"] = _reasons_cell(flow.register_specific_results)
    values["dbr_excluded"] = _reasons_cell(flow.dbr_excluded_reasons)
    values["other_excluded"] = _reasons_cell(flow.other_excluded_reasons)
    for row in _OTHER_ROWS:
        values[row] = "0"
    return values


def _package_name(name: str) -> str:
    # The package splits items on ";" and a name from its number on the first ",".
    return re.sub(r"\s*[,;]\s*", " / ", " ".join(name.split())) or "Unnamed"


def _reasons_cell(items: tuple[NamedCount, ...]) -> str:
    if not items:
        return "0"
    return neutralise("; ".join(f"{_package_name(item.name)}, {item.n}" for item in items))


def _other_rows(sources: tuple[NamedCount, ...]) -> dict[str, tuple[str, int]]:
    """Assign other-methods sources to the template's three rows (see module docstring)."""
    assigned: dict[str, list[NamedCount]] = {}
    unplaced: list[NamedCount] = []
    for source in sources:
        row = next(
            (
                r
                for r, pattern in _OTHER_ROW_PATTERNS
                if pattern.search(source.name) and r not in assigned
            ),
            None,
        )
        if row is None:
            unplaced.append(source)
        else:
            assigned[row] = [source]
    free = [row for row in _OTHER_ROWS if row not in assigned]
    overflow_row = _OTHER_ROWS[-1]
    for source in unplaced:
        if free:
            overflow_row = free.pop(0)
            assigned[overflow_row] = [source]
        else:
            # Beyond three sources, extras join the last free-text row with its name.
            assigned[overflow_row].append(source)
    result = {}
    for row, items in assigned.items():
        label = " / ".join(_package_name(item.name) for item in items)
        result[row] = (label, sum(item.n for item in items))
    return result


def flow_to_dict(flow: PrismaFlow, urls: Mapping[str, str] | None = None) -> dict:
    """The JSON structure documented in the module docstring, as plain Python data."""
    urls = urls or {}
    nodes: dict[str, dict] = {}

    def add(name: str, items: tuple[NamedCount, ...] | None = None, item_node: str = "") -> None:
        entry: dict = {
            "label": LABELS.get(name, name),
            "n": getattr(flow, name),
            "url": node_url(urls, name),
        }
        if items is not None:
            entry["items"] = [
                {
                    "name": item.name,
                    "n": item.n,
                    "node": f"{item_node}:{item.name}",
                    "url": node_url(urls, f"{item_node}:{item.name}"),
                }
                for item in items
            ]
        nodes[name] = entry

    add("previous_studies")
    add("previous_reports")
    add("database_results", flow.database_specific_results, "database_specific_results")
    add("register_results", flow.register_specific_results, "register_specific_results")
    for name in (
        "records_identified", "duplicates",
        *(("duplicates_within_round", "duplicates_found_again") if flow.has_round_duplicates
          else ()),
        "excluded_automatic", "excluded_other", "records_screened", "records_excluded",
        "records_awaiting_screening",
        "dbr_sought_reports", "dbr_notretrieved_reports", "dbr_awaiting_retrieval", "dbr_assessed",
    ):  # fmt: skip
        add(name)
    add("dbr_excluded", flow.dbr_excluded_reasons, "dbr_excluded")
    add("dbr_awaiting_assessment")
    add("dbr_included_reports")
    if flow.has_other_methods:
        add("other_results", flow.other_specific_results, "other_specific_results")
        for name in (
            "other_sought_reports", "other_notretrieved_reports", "other_awaiting_retrieval",
            "other_assessed",
        ):  # fmt: skip
            add(name)
        add("other_excluded", flow.other_excluded_reasons, "other_excluded")
        add("other_awaiting_assessment")
        add("other_included_reports")
    for name in ("new_studies", "new_reports", "total_studies", "total_reports"):
        add(name)
    return {
        "schema": "reviewapp.prisma-flow",
        "version": 1,
        "complete": not flow.in_progress,
        "awaiting": flow.awaiting,
        "arms": {
            "other_methods": flow.has_other_methods,
            "previous_version": flow.has_previous_version,
            "search_rounds": flow.has_round_duplicates,
        },
        "violations": check_invariants(flow),
        "nodes": nodes,
    }


def export_json(flow: PrismaFlow, urls: Mapping[str, str] | None = None) -> str:
    """Return :func:`flow_to_dict` as indented UTF-8 JSON text with a stable key order."""
    return json.dumps(flow_to_dict(flow, urls), ensure_ascii=False, indent=2) + "\n"
