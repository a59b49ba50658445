"""The one formula-neutralising helper every CSV and XLSX export writes through."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from extraction import exports as extraction_exports
from reviewapp import spreadsheet


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("Naltrexone = good", "Naltrexone = good"),
        ("", ""),
    ],
)
def test_it_neutralises_text_a_spreadsheet_would_run(text, expected):
    assert spreadsheet.neutralise(text) == expected


def test_it_keeps_numbers_and_writes_dates_as_iso_text():
    assert (
        spreadsheet.cell(-3) == -3
        and spreadsheet.cell(2.5) == 2.5
        and spreadsheet.cell(True) is True
    )
    assert spreadsheet.cell(None) == ""
    assert spreadsheet.cell(date(2024, 5, 1)) == "2024-05-01"
    assert spreadsheet.cell(datetime(2024, 5, 1, 12, 0, tzinfo=UTC)) == "2024-05-01T12:00:00+00:00"


def test_the_csv_chunks_read_back_as_the_rows():
    rows = [["id", "title"], *([i, f'=T{i}, "quoted"\nline'] for i in range(1200))]
    chunks = list(spreadsheet.csv_chunks(rows, chunk_rows=500))
    assert len(chunks) == 3
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(text[1:])))
    assert read[0] == ["id", "title"] and len(read) == 1201
    assert read[5] == ["4", '\'=T4, "quoted"\nline']


def test_the_xlsx_file_has_a_bold_header_text_cells_and_no_formulas():
    file = spreadsheet.xlsx_file([["id", "title"], [1, "=1+1"], [2, "ok\x07"]], title="Records")
    sheet = load_workbook(file).active
    assert sheet.title == "Records" and sheet["A1"].font.bold
    assert [c.value for c in sheet[2]] == [1, "'=1+1"] and sheet["B2"].data_type == "s"
    assert sheet["B3"].value == "ok"  # control characters XLSX cannot hold are dropped
    file.close()


def test_the_extraction_exports_use_the_same_helper():
    assert extraction_exports.neutralise is spreadsheet.neutralise
