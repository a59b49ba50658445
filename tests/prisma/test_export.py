"""CSV in the PRISMA2020 R package's template, and the JSON export."""

import csv
import io
import json
import re
from dataclasses import replace

from screening.prisma import build_flow, export_csv, export_json
from screening.prisma.counts import OtherMethodsInput
from tests.prisma.seed import SEED_INPUT, SEED_NUMBERS

HEADER = "data,node,box,description,boxtext,tooltips,url,n"
# The package template's `data` column, in order (inst/extdata/PRISMA.csv).
PACKAGE_DATA_COLUMN = [
    "NA", "previous_studies", "previous_reports", "NA", "database_results",
    "database_specific_results", "register_results", "register_specific_results", "NA",
    "website_results", "organisation_results", "citations_results", "duplicates",
    "excluded_automatic", "excluded_other", "records_screened", "records_excluded",
    "dbr_sought_reports", "dbr_notretrieved_reports", "other_sought_reports",
    "other_notretrieved_reports", "dbr_assessed", "dbr_excluded", "other_assessed",
    "other_excluded", "new_studies", "new_reports", "total_studies", "total_reports",
    "identification", "screening", "included",
]  # fmt: skip


def parse_reasons(cell: str) -> list[tuple[str, int]]:
    """Python port of PRISMA2020's PRISMA_parse_reasons_ (split on "; ", name before ",")."""
    pieces = re.split(r";( )?", cell)
    pieces = [p for p in pieces if p not in (None, " ")]
    out = []
    for piece in pieces:
        name = re.sub(r",.*$", "", piece)
        number = re.sub(r"[^0-9.]", "", re.sub(r"^.*?,([ 0-9,]*)$", r"\1", piece))
        out.append((name, int(number)))
    return out


def rows(text: str) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    return {(row["data"] if row["data"] != "NA" else row["box"]): row for row in reader}


def test_csv_has_the_package_header_rows_and_the_seed_numbers():
    text = export_csv(build_flow(SEED_INPUT), {"records_screened": "https://app/r?x=1,2"})
    assert text.splitlines()[0] == HEADER
    data_column = [row["data"] for row in csv.DictReader(io.StringIO(text))]
    assert data_column == PACKAGE_DATA_COLUMN
    table = rows(text)
    for node, n in SEED_NUMBERS.items():
        if node != "dbr_excluded":
            assert table[node]["n"] == str(n), node
    assert parse_reasons(table["database_specific_results"]["n"]) == [
        ("PubMed", 89),
        ("Embase", 95),
        ("Web of Science", 152),
    ]
    reasons = parse_reasons(table["dbr_excluded"]["n"])
    assert reasons == [
        ("Duplicate", 2),
        ("Animal model", 14),
        ("In vitro", 1),
        ("Acute pain only", 3),
        ("Effect on chronic pain not assessed", 2),
    ]
    assert sum(n for _, n in reasons) == 22
    assert table["records_screened"]["url"] == "https://app/r?x=1,2"
    assert table["records_excluded"]["url"] == "NA"
    assert table["records_screened"]["boxtext"] == "Records screened"


def test_csv_names_cannot_break_the_package_parser_or_a_spreadsheet():
    flow = build_flow(
        replace(
            SEED_INPUT,
            reports_excluded={"=HYPERLINK(1)": 2, "Wrong design; case report, letter": 20},
        )
    )
    table = rows(export_csv(flow))
    cell = table["dbr_excluded"]["n"]
    assert cell.startswith("'=")  # neutralised formula
    assert parse_reasons(cell) == [
        ("'=HYPERLINK(1)", 2),
        ("Wrong design / case report / letter", 20),
    ]


def test_csv_places_other_sources_in_the_package_rows():
    flow = build_flow(
        replace(
            SEED_INPUT,
            studies_included=31,
            other_methods=OtherMethodsInput(
                sources={"Citation searching": 7, "Websites": 2, "Trial authors": 1, "Experts": 1},
                reports_sought=3,
                reports_included=2,
                reports_excluded={"Wrong population": 1},
            ),
        )
    )
    table = rows(export_csv(flow))
    assert table["citations_results"]["n"] == "7"
    assert table["website_results"]["n"] == "2"
    assert table["organisation_results"]["n"] == "2"
    assert table["organisation_results"]["boxtext"] == "Trial authors / Experts"
    assert table["other_assessed"]["n"] == "3"
    assert parse_reasons(table["other_excluded"]["n"]) == [("Wrong population", 1)]


def test_json_is_stable_and_has_the_seed_numbers_and_links():
    flow = build_flow(SEED_INPUT)
    text = export_json(flow, {"dbr_excluded": "/ft/excluded"})
    assert text == export_json(flow, {"dbr_excluded": "/ft/excluded"})
    data = json.loads(text)
    assert (data["schema"], data["version"], data["complete"], data["violations"]) == (
        "reviewapp.prisma-flow",
        1,
        True,
        [],
    )
    for node, n in SEED_NUMBERS.items():
        assert data["nodes"][node]["n"] == n, node
    excluded = data["nodes"]["dbr_excluded"]
    assert excluded["url"] == "/ft/excluded"
    assert excluded["items"][1] == {
        "name": "Animal model",
        "n": 14,
        "node": "dbr_excluded:Animal model",
        "url": "/ft/excluded",
    }
    assert "other_results" not in data["nodes"]


def test_json_keeps_awaiting_counts_and_violations():
    flow = build_flow(replace(SEED_INPUT, records_excluded=200, records_awaiting_screening=10))
    data = json.loads(export_json(flow))
    assert data["complete"] is False and data["awaiting"] == 10
    assert data["nodes"]["records_awaiting_screening"]["n"] == 10
    assert len(data["violations"]) == 1  # 200 + 10 + 51 ≠ 268


def test_an_update_rounds_two_duplicate_lines_in_csv_and_json():
    from screening.prisma.counts import RoundDuplicatesInput

    flow = build_flow(
        replace(SEED_INPUT, round_duplicates=RoundDuplicatesInput(within_round=60, found_again=8))
    )
    urls = {"duplicates_found_again": "/r/?found_again=yes&round=2"}
    rows = {row["data"]: row for row in csv.DictReader(io.StringIO(export_csv(flow, urls)))}
    assert rows["duplicates"]["n"] == "68"
    assert rows["duplicates"]["boxtext"] == (
        "Duplicate records (within a search round, n = 60; found again from an earlier round, "
        "n = 8)"
    )
    assert "duplicates_found_again" not in rows  # the package's template rows only
    document = json.loads(export_json(flow, urls))
    assert document["arms"]["search_rounds"] is True
    nodes = document["nodes"]
    assert nodes["duplicates_within_round"]["n"] == 60
    assert nodes["duplicates_found_again"] == {
        "label": "Found again: copies of records from an earlier search round",
        "n": 8,
        "url": "/r/?found_again=yes&round=2",
    }
    order = list(nodes)
    assert order.index("duplicates") + 1 == order.index("duplicates_within_round")
    plain = json.loads(export_json(build_flow(SEED_INPUT)))
    assert "duplicates_found_again" not in plain["nodes"]
    assert plain["arms"]["search_rounds"] is False
