"""Acceptance on the real exports of ../shared/data/formats, file by file (MANIFEST.tsv)."""

import csv

import pytest

from screening.importers import (
    ImportFileError,
    ParsedRecord,
    Rejection,
    decode,
    detect_format,
    iter_records,
)
from tests.shared_data import SHARED_DATA, requires_shared_data

FORMATS_DIR = SHARED_DATA / "formats"
FAMILY = {"csv-semicolon": "csv", "tsv": "csv"}

# The manifest leaves these counts blank: they are Rayyan's hand-written .enw spec fixtures, so
# the two independent counts disagreed. reviewapp reads them as EndNote tagged files:
# example1 has a real first record and a second "%0 Another type" record with only authors,
# %B and a link (no title, abstract or identifier), which is shown as a rejection.
# (imported, rejected)
DECIDED_HERE = {
    "rayyan_plugins_spec/example1.enw": (1, 1),
    "rayyan_plugins_spec/example2.enw": (1, 0),
    "rayyan_plugins_spec/example3.enw": (1, 0),
}

# Files whose "records" include entries with nothing to screen (parser test fixtures holding
# only a type, notes or a year): these, and only these, are rejected.
EMPTY_RECORDS = {
    "asreview_demo_data/baseline_reference_types.ris": 61,  # one empty record per RIS type
    "asreview_demo_data/baseline_tag-notes.ris": 11,  # notes only
    "asreview_demo_data/baseline_tag_and_field_definitions_lists.ris": 1,  # tag names as values
    "asreview_demo_data/duplicate_records.csv": 4,  # only "10.4"-style non-DOIs
    "rispy_tests/example_custom_list_tags.ris": 1,  # authors and SN only
    "rayyan_plugins_spec/example1.bib": 12,  # year/month-only entries
}


def manifest() -> list[dict[str, str]]:
    if not (FORMATS_DIR / "MANIFEST.tsv").is_file():
        return []
    with (FORMATS_DIR / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def count(data: bytes) -> tuple[int, int]:
    imported = rejected = 0
    for item in iter_records(data):
        if isinstance(item, Rejection):
            assert item.line >= 1 and item.reason
            rejected += 1
        else:
            assert isinstance(item, ParsedRecord) and item.line >= 1
            imported += 1
    return imported, rejected


@pytest.mark.realdata
@requires_shared_data
@pytest.mark.parametrize("row", manifest(), ids=lambda row: row["path"])
def test_it_imports_every_manifest_file(row):
    data = (FORMATS_DIR / row["path"]).read_bytes()
    if row["path"] in DECIDED_HERE:
        assert detect_format(decode(data)) == row["format"]
        assert count(data) == DECIDED_HERE[row["path"]]
    elif row["records"]:
        assert detect_format(decode(data)) == FAMILY.get(row["format"], row["format"])
        imported, rejected = count(data)
        assert imported + rejected == int(row["records"])
        assert rejected == EMPTY_RECORDS.get(row["path"], 0)
    else:
        with pytest.raises(ImportFileError) as error:
            count(data)
        assert len(str(error.value)) > 20
