"""Every upload has a budget: hostile files are refused or rejected per record, clearly,
quickly, with nothing left behind (the bench/hostile.py cases, scaled down)."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.importers import Budget, MalformedFile, ParsedRecord, Rejection, iter_records
from screening.models import ImportStatus, Record
from screening.services import imports as services


def _import(world, content: bytes, name: str, capture):
    with capture(execute=True):
        batch = services.create_import(
            review=world.review,
            upload=SimpleUploadedFile(name, content),
            source_name="Embase",
            uploaded_by=world.lead,
        )
    batch.refresh_from_db()
    return batch


def _ris(*titles: str) -> bytes:
    return "".join(f"TY  - JOUR\nTI  - {t}\nER  - \n\n" for t in titles).encode()


def test_a_field_over_the_cap_rejects_its_record_with_its_line(
    world, django_capture_on_commit_callbacks, settings
):
    settings.IMPORT_MAX_FIELD_CHARS = 5000
    content = _ris("Fine one", "x" * 300_000, "Fine two")
    batch = _import(world, content, "big.ris", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE
    assert (batch.records_read, batch.records_imported) == (3, 2)
    assert batch.rejected == [
        {
            "line": 5,
            "reason": "the 'TI' value is longer than 5,000 characters, the limit for one field",
        }
    ]
    assert sorted(Record.objects.values_list("title", flat=True)) == ["Fine one", "Fine two"]


def test_a_bibtex_entry_of_megabytes_is_rejected_before_parsing(
    world, django_capture_on_commit_callbacks
):
    huge = "a\\'e " * 400_000  # 2 MB of LaTeX: ~30 s to decode before
    content = (
        "@article{ok1, title={First}, year={2020}}\n"
        f"@article{{big, title={{Big}}, abstract={{{huge}}}}}\n"
        "@article{ok2, title={Second}, year={2021}}\n"
    ).encode()
    batch = _import(world, content, "big.bib", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE and batch.records_imported == 2
    assert batch.rejected == [
        {"line": 2, "reason": "the entry is 2,000,040 characters long; the limit is 1,000,000"}
    ]


def test_a_bibtex_field_over_the_field_cap_is_rejected(world):
    items = list(iter_records(b"@article{k, title={T}, abstract={" + b"w " * 150_000 + b"}}\n"))
    assert [type(i) for i in items] == [Rejection]
    assert "'abstract' value is longer than 200,000" in items[0].reason


def test_raw_keeps_a_bounded_number_of_columns(world, django_capture_on_commit_callbacks):
    header = ",".join(["title", "abstract", *(f"c{i}" for i in range(20_000))])
    row = ",".join(["A wide trial", "text", *("v" for _ in range(20_000))])
    batch = _import(
        world, f"{header}\n{row}\n".encode(), "wide.csv", django_capture_on_commit_callbacks
    )
    assert batch.status == ImportStatus.DONE
    raw = Record.objects.get().raw
    assert len(raw) == 301 and raw["reviewapp: columns not kept"] == ["19702"]
    assert raw["title"] == ["A wide trial"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (os.urandom(3_000_000), "binary file"),
        (b"Just some notes about the review\n" * 50_000, "plain text"),
    ],
)
def test_files_that_are_not_exports_are_refused_from_their_first_bytes(
    world, django_capture_on_commit_callbacks, content, message
):
    batch = _import(world, content, "notes.txt", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED and message in batch.error
    assert not Record.objects.exists()


def test_a_file_with_more_records_than_the_cap_fails_whole(
    world, django_capture_on_commit_callbacks, settings
):
    settings.IMPORT_MAX_RECORDS = 50
    batch = _import(
        world, _ris(*(f"T{i}" for i in range(60))), "many.ris", django_capture_on_commit_callbacks
    )
    assert batch.status == ImportStatus.FAILED
    assert "more than 50 records" in batch.error and "IMPORT_MAX_RECORDS" in batch.error
    assert not Record.objects.exists()


def test_an_import_past_its_time_limit_fails_whole(
    world, django_capture_on_commit_callbacks, settings
):
    settings.IMPORT_TIME_LIMIT = 0
    batch = _import(world, _ris("A", "B"), "slow.ris", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED and "longer than 0 seconds" in batch.error
    assert not Record.objects.exists()


def test_only_the_first_rejections_are_listed_and_the_rest_counted(
    world, django_capture_on_commit_callbacks
):
    empty = b"TY  - JOUR\nER  - \n\n" * 1500
    batch = _import(world, empty + _ris("Kept"), "empties.ris", django_capture_on_commit_callbacks)
    assert batch.records_imported == 1 and batch.rejected_count == 1500
    assert len(batch.rejected) == services.REJECTIONS_LISTED + 1
    assert batch.rejected[-1] == {"line": 0, "reason": "and 500 more records rejected"}


def test_wos_with_ef_inside_a_record_is_a_clear_error(world, django_capture_on_commit_callbacks):
    content = b"FN Clarivate\nVR 1.0\nPT J\nTI A title\nEF\n   continued\nER\n"
    batch = _import(world, content, "wos.txt", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED
    assert "EF line (end of file) inside the record of line 3" in batch.error


def test_endnote_xml_nested_50000_deep_is_a_clear_error(world, django_capture_on_commit_callbacks):
    content = b"<xml><records><record>" + b"<a>" * 50_000 + b"x" + b"</a>" * 50_000
    content += b"</record></records></xml>"
    batch = _import(world, content, "deep.xml", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED and "nested more than 100" in batch.error


def test_an_xml_record_over_the_record_cap_is_rejected_without_being_built(
    world, django_capture_on_commit_callbacks, settings
):
    settings.IMPORT_MAX_RECORD_CHARS = 50_000
    keywords = "".join(f"<keyword>k{i}</keyword>" for i in range(20_000))  # ~400 KB of tags
    content = (
        "<xml><records>\n<record><titles><title>First</title></titles></record>\n"
        f"<record><titles><title>Huge</title></titles><keywords>{keywords}</keywords></record>\n"
        "<record><titles><title>Last</title></titles></record>\n</records></xml>\n"
    ).encode()
    batch = _import(world, content, "huge.xml", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE and batch.records_imported == 2
    assert batch.rejected == [
        {
            "line": 3,
            "reason": "the record's XML is longer than 50,000 characters, the limit for one record",
        }
    ]
    assert sorted(Record.objects.values_list("title", flat=True)) == ["First", "Last"]


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE xml [<!ENTITY x "boom">]>',  # entity expansion (billion laughs)
        '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>',  # external entity
    ],
)
def test_xml_declaring_entities_is_refused(world, django_capture_on_commit_callbacks, doctype):
    content = (
        f'<?xml version="1.0"?>\n{doctype}\n'
        "<xml><records><record><titles><title>&x;</title></titles></record></records></xml>\n"
    ).encode()
    batch = _import(world, content, "entities.xml", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED
    assert "declares entities or external references" in batch.error
    assert not Record.objects.exists()


def test_xml_using_an_undeclared_entity_is_a_clear_error(world, django_capture_on_commit_callbacks):
    content = (
        b'<?xml version="1.0"?>\n<xml><records>\n'
        b"<record><titles><title>a &nbsp; b</title></titles></record></records></xml>\n"
    )
    batch = _import(world, content, "nbsp.xml", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED
    assert batch.error.startswith("Line 3: the XML is broken (undefined entity")


def test_the_budget_checks_records_from_any_parser():
    budget = Budget(max_field_chars=10, max_record_chars=15, max_columns=2)
    record = ParsedRecord(line=7, title="t", raw={"a": ["12345678"], "b": ["12345678"]})
    assert budget.check(record) == Rejection(7, "the record is 16 characters long; the limit is 15")
    wide = ParsedRecord(line=1, title="t", raw={"a": ["1"], "b": ["2"], "c": ["3"]})
    assert budget.check(wide).raw == {"a": ["1"], "b": ["2"], "reviewapp: columns not kept": ["1"]}


def test_the_parsers_still_take_whole_text_for_tests_and_commands():
    with pytest.raises(MalformedFile):
        list(iter_records(b"FN Clarivate\nVR 1.0\nPT J\nTI x\nEF\n"))


def test_a_csv_cell_over_the_field_cap_rejects_its_row(world, django_capture_on_commit_callbacks):
    content = f'title,abstract\nFirst,ok\nSecond,"{"w" * 250_000}"\nThird,ok\n'.encode()
    batch = _import(world, content, "cells.csv", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE and batch.records_imported == 2
    assert batch.rejected == [
        {
            "line": 3,
            "reason": "the 'abstract' value is longer than 200,000 characters, the limit for one field",
        }
    ]


def test_a_runaway_quote_fails_the_table_with_its_line(world, django_capture_on_commit_callbacks):
    content = b'title,abstract\nFirst,"never closed\n' + b"more text\n" * 120_000
    batch = _import(world, content, "quote.csv", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED and "never closed" in batch.error
    assert not Record.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b'title,abstract\n"@SUM(1+1) a formula-like title",text\n',
        b'title,abstract\nFirst,"multi\nTY  - JOUR\nline"\n',
        b"@SUM(1+1) notes,title,abstract\nx,A title,text\n",
    ],
)
def test_a_csv_is_read_as_a_csv_whatever_its_cells_hold(content):
    from screening.importers import decode, detect_format

    assert detect_format(decode(content)) == "csv"
    assert all(isinstance(item, ParsedRecord) for item in iter_records(content))


def test_a_csv_whose_first_cell_starts_with_sum_is_a_csv():
    from screening.importers import decode, detect_format

    content = b'title,abstract,year\n"@SUM(A1:A2) trial",text,2020\nSecond,text,2021\n'
    assert detect_format(decode(content)) == "csv"
    items = list(iter_records(content))
    assert [i.title for i in items] == ["@SUM(A1:A2) trial", "Second"]


def test_a_limit_reached_partway_through_a_large_file_fails_it_whole(
    world, django_capture_on_commit_callbacks, settings
):
    # Long titles, so that hundreds of kilobytes of rows were already written (on
    # PostgreSQL, streamed into the COPY) when the clock stops the import at record 256.
    settings.IMPORT_TIME_LIMIT = 0
    titles = [f"Record {i} " + "about a long subject " * 30 for i in range(600)]
    batch = _import(world, _ris(*titles), "long.ris", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED and "longer than 0 seconds" in batch.error
    assert batch.records_imported == 0
    assert not Record.objects.exists()
