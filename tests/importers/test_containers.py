"""Excel workbooks read like CSV, ZIPs of exports read all or nothing within bounds, and the
files reviewapp does not read refused from their first bytes with what to do instead."""

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from screening.importers import (
    ImportFileError,
    MalformedFile,
    ParsedRecord,
    Rejection,
    UnsupportedFile,
    containers,
    count_records,
    detect_format,
    iter_records,
    open_container,
)

FIXTURES = Path(__file__).parent / "fixtures"


def workbook(rows, *, sheets=1) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    for index in range(1, sheets):
        book.create_sheet(f"Other {index}").append(["title"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def archive(files: dict[str, bytes | str], *, method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zipped:
        for name, content in files.items():
            zipped.writestr(name, content)
    return buffer.getvalue()


def test_an_excel_workbook_reads_like_the_same_csv():
    rows = [
        ["Title", "Authors", "Publication Year", "DOI", "Abstract", "label_included"],
        ["First trial", "Smith, J; Doe, A", 2019, "https://doi.org/10.1000/XL.1", "two\nlines", 1],
        [None, None, None, None, None, None],
        ["Second trial", "Roe, B", 2020.0, None, "=1+1", 0],
    ]
    first, second = iter_records(workbook(rows))  # the empty row is skipped, as in CSV
    assert isinstance(first, ParsedRecord) and isinstance(second, ParsedRecord)
    assert first.line == 2 and second.line == 4  # the rows' numbers in Excel
    assert first.title == "First trial"
    assert first.authors == ["Smith, J", "Doe, A"]
    assert (first.year, first.doi, first.abstract) == (2019, "10.1000/xl.1", "two lines")
    assert first.raw["label_included"] == ["1"] and first.raw["Abstract"] == ["two\nlines"]
    assert second.year == 2020 and second.raw["label_included"] == ["0"]
    assert second.abstract == ""  # a formula is never evaluated (no cached value here)
    table = "Title,Authors,Publication Year,DOI,Abstract,label_included\n"
    table += 'First trial,"Smith, J; Doe, A",2019,https://doi.org/10.1000/XL.1,"two\nlines",1\n'
    (from_csv,) = iter_records(table.encode())
    assert from_csv == first


def test_a_workbook_reads_only_its_first_sheet_and_is_counted_like_csv():
    data = workbook([["title"], ["a"], ["b"], ["c"]], sheets=2)
    kind, rows = open_container(lambda: io.BytesIO(data))
    assert kind == "xlsx"
    assert count_records(rows, fmt=kind, limit=100) == 3
    assert [r.title for r in iter_records(data)] == ["a", "b", "c"]


def test_a_workbook_without_a_bibliographic_column_gets_no_records():
    with pytest.raises(MalformedFile, match="No records"):
        list(iter_records(workbook([["name", "colour"]])))


def test_a_zip_of_exports_imports_every_member_in_order():
    data = archive(
        {
            "embase/ovid.txt": (FIXTURES / "ovid_quirks.txt").read_bytes(),
            "pubmed.nbib": (FIXTURES / "sample.nbib").read_bytes(),
            "scopus.ris": (FIXTURES / "sample.ris").read_bytes().decode().encode("utf-16"),
            "__MACOSX/._pubmed.nbib": b"\x00\x05junk",
            ".DS_Store": b"junk",
        }
    )
    kind, exports = open_container(lambda: io.BytesIO(data))
    assert kind == "zip"
    assert [(m.name, m.fmt) for m in exports.members] == [
        ("embase/ovid.txt", "ovid"),
        ("pubmed.nbib", "medline"),
        ("scopus.ris", "ris"),
    ]
    items = list(iter_records(data))
    assert len(items) == 5 + 2 + 2 == count_records(exports, fmt="zip", limit=100)
    assert [type(i).__name__ for i in items].count("Rejection") == 1
    (rejection,) = [i for i in items if isinstance(i, Rejection)]
    assert rejection.reason.startswith("embase/ovid.txt: ")
    assert items[-1].title == "Second record" or items[-1].doi == "10.1000/xyz"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.ris": "TY  - JOUR\nTI  - x\nER  - \n", "notes.txt": "We searched"}, "notes.txt"),
        (
            {"a.ris": "TY  - JOUR\nTI  - x\nER  - \n", "b.csv": "title,abstract\n"},
            "“b.csv” in this ZIP: No records",
        ),
        ({"../up.ris": "TY  - JOUR\nTI  - x\nER  - \n"}, "outside itself"),
        ({"/abs.ris": "TY  - JOUR\nTI  - x\nER  - \n"}, "outside itself"),
        ({"inner.zip": archive({"a.ris": "TY  - JOUR\nTI  - x\n"})}, "archives inside archives"),
        ({f"f{i}.ris": "TY  - JOUR\nTI  - x\n" for i in range(60)}, "the limit is 50"),
        ({"bomb.ris": "TY  - JOUR\n" + "A" * 30_000_000}, "zip bomb"),
        ({"folder/": ""}, "no files"),
    ],
    ids=["not-export", "no-records", "dotdot", "absolute", "nested", "members", "bomb", "empty"],
)
def test_a_zip_is_refused_whole_with_the_member_named(files, message):
    data = archive(files)
    with pytest.raises(ImportFileError, match=message):
        list(iter_records(data))


def test_an_encrypted_or_damaged_zip_is_refused():
    data = bytearray(archive({"a.ris": "TY  - JOUR\nTI  - x\n"}, method=zipfile.ZIP_STORED))
    data[6] |= 0x1  # the local header's "encrypted" flag
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1
    with pytest.raises(UnsupportedFile, match="password-protected"):
        list(iter_records(bytes(data)))
    with pytest.raises(MalformedFile, match="damaged"):
        list(iter_records(b"PK\x03\x04" + b"\x00" * 100))


def test_the_unzipped_size_is_bounded(monkeypatch):
    monkeypatch.setattr(containers, "MAX_UNZIPPED", 1000)
    data = archive({"a.ris": "TY  - JOUR\nTI  - x\nER  - \n" * 100})
    with pytest.raises(UnsupportedFile, match="unpacks to"):
        list(iter_records(data))


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}, "Word document"),
        ({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"}, "PowerPoint"),
        (
            {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"},
            "OpenDocument",
        ),
    ],
)
def test_office_documents_are_named(files, message):
    with pytest.raises(UnsupportedFile, match=message):
        list(iter_records(archive(files, method=zipfile.ZIP_STORED)))


def test_asking_for_a_container_format_for_a_text_file_is_refused():
    with pytest.raises(UnsupportedFile, match="not in the format asked for"):
        list(iter_records(b"TY  - JOUR\nTI  - x\nER  - \n", fmt="xlsx"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31234567\n29876543\n30000001\n", "list of PubMed ids.*MEDLINE \\(.nbib\\)"),
        ("PMID\n31234567\n", "list of PubMed ids"),
        ("31234567, 29876543, 30000001", "list of PubMed ids"),
        ("PMID: 31234567\nPMID: 29876543\n", "list of PubMed ids"),
        (
            "10.1000/abc.1\nhttps://doi.org/10.1093/ije/dyz001\ndoi:10.1136/bmj.l6890\n",
            "list of DOIs",
        ),
        ("DOI\n10.1000/abc.1\n", "list of DOIs"),
        ("31234567\n10.1000/abc.1\n", "PubMed ids and DOIs"),
        ("%PDF-1.4\n%\u00e2\u00e3", "PDF document"),
        (
            "<!DOCTYPE html>\n<html><head><title>Error 500 &ndash; Server</title></head>",
            'HTML page \\("Error 500 – Server"\\)',
        ),
        ("PK\x03\x04\x14\x00[Content_Types].xml_rels/.rels word/document.xml", "Word document"),
        ("\u00d0\u00cf\u0011\u00e0\u00a1\u00b1\u001a\u00e1\x00", "old Office file"),
    ],
)
def test_what_is_not_an_export_is_named_from_its_first_bytes(text, message):
    with pytest.raises(UnsupportedFile, match=message):
        detect_format(text)


@pytest.mark.parametrize(
    "text",
    [
        "title,doi\nA trial,10.1000/abc.1\n",
        "TY  - JOUR\nTI  - 12345\nER  - \n",
        "PMID- 31234567\nTI  - x\n",
    ],
)
def test_exports_holding_ids_are_not_taken_for_id_lists(text):
    assert detect_format(text) in {"csv", "ris", "medline"}


@pytest.mark.parametrize(
    "text",
    [
        "Database: Embase <1974 to 2026 November 30>\nSearch Strategy:\n----\n1     exp pain/ (1234)\n",
        "1     exp invented condition/ (1,234)\n2     pretend.ti,ab. (567)\n3     1 and 2 (89)\n",
    ],
)
def test_a_search_strategy_without_records_is_named(text):
    with pytest.raises(UnsupportedFile, match="search strategy or search history"):
        detect_format(text)


def test_a_workbook_cell_over_the_field_cap_rejects_its_row(tmp_path):
    from screening.importers import Budget, iter_text_records

    data = workbook([["title", "abstract"], ["fine", "short"], ["long", "w" * 5000]])
    kind, rows = open_container(lambda: io.BytesIO(data), max_line=2000)
    fine, long = iter_text_records(rows, fmt=kind, budget=Budget(max_field_chars=1000))
    assert isinstance(fine, ParsedRecord) and fine.title == "fine"
    assert long == Rejection(
        3, "the 'abstract' value is longer than 1,000 characters, the limit for one field"
    )


@pytest.mark.parametrize("cut", ["truncated", "flipped"])
def test_a_damaged_zip_is_refused_clearly(cut):
    data = bytearray(archive({"a.ris": "TY  - JOUR\nTI  - x\nER  - \n" * 2000}))
    if cut == "truncated":
        data = data[: len(data) // 2]
    else:
        for offset in range(60, 200):
            data[offset] ^= 0x5A  # inside the deflate stream
    with pytest.raises(MalformedFile, match="damaged|cannot be unpacked"):
        list(iter_records(bytes(data)))


def test_a_damaged_workbook_is_refused_clearly():
    data = archive({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<not a workbook"})
    with pytest.raises(MalformedFile, match="Excel"):
        list(iter_records(data))
