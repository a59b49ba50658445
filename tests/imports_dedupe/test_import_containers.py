"""Ovid exports, Excel workbooks and ZIPs of exports through the import service: stored,
parsed in the worker, inserted all or nothing; identifier lists refused with advice."""

import io
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from screening.models import ImportStatus, Record
from screening.services import imports as services
from tests.importers import ovid_fixtures

FIXTURES = Path(__file__).parents[1] / "importers" / "fixtures"


def _import(world, content: bytes, name: str, capture):
    with capture(execute=True):
        batch = services.create_import(
            review=world.review,
            upload=SimpleUploadedFile(name, content),
            source_name="Embase (Ovid)",
            uploaded_by=world.lead,
        )
    batch.refresh_from_db()
    return batch


def test_an_ovid_embase_export_imports_whole_with_its_fields(
    world, django_capture_on_commit_callbacks
):
    content = (FIXTURES / "ovid_embase.txt").read_bytes()
    batch = _import(world, content, "embase.txt", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE and batch.detected_format == "ovid"
    assert (batch.records_read, batch.records_imported, batch.rejected) == (300, 300, [])
    want = ovid_fixtures.expected("embase")[2]  # a conference abstract in a supplement
    record = Record.objects.get(record_key=want.record_key)
    assert (record.title, record.authors, record.year) == (want.title, want.authors, want.year)
    assert (record.journal, record.volume, record.issue, record.pages) == (
        want.journal,
        want.volume,
        want.issue,
        "",
    )
    assert (record.doi, record.pmid, record.publication_type) == (
        want.doi,
        want.pmid,
        "Journal: Conference Abstract",
    )
    assert record.keywords == want.keywords and record.raw["DB"] == ["Embase"]


def test_an_excel_workbook_imports_like_csv(world, django_capture_on_commit_callbacks):
    book = Workbook()
    book.active.append(["Title", "Abstract", "Authors", "Year", "DOI"])
    book.active.append(["Workbook trial", "Text", "Smith, J; Doe, A", 2021, "10.1000/wb.1"])
    book.active.append(["Second workbook trial", None, "Roe, B", 2022, None])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = _import(world, buffer.getvalue(), "export.xlsx", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE and batch.detected_format == "xlsx"
    assert batch.records_imported == 2
    record = Record.objects.get(doi="10.1000/wb.1")
    assert (record.title, record.authors, record.year, record.line) == (
        "Workbook trial",
        ["Smith, J", "Doe, A"],
        2021,
        2,
    )


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_of_exports_imports_every_member(world, django_capture_on_commit_callbacks):
    content = _zip(
        {
            "medline.txt": (FIXTURES / "ovid_medline.txt").read_bytes(),
            "psycinfo.txt": (FIXTURES / "ovid_psycinfo.txt").read_bytes(),
            "pubmed.nbib": (FIXTURES / "sample.nbib").read_bytes(),
        }
    )
    batch = _import(world, content, "searches.zip", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE and batch.detected_format == "zip"
    assert batch.records_imported == Record.objects.count() == 260 + 220 + 2


def test_a_zip_with_one_bad_member_imports_nothing(world, django_capture_on_commit_callbacks):
    content = _zip(
        {
            "embase.txt": (FIXTURES / "ovid_embase.txt").read_bytes(),
            "strategy.txt": b"1. exp pain/\n2. naltrexone.mp.\n3. 1 and 2\n",
        }
    )
    batch = _import(world, content, "searches.zip", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED
    assert batch.error.startswith("“strategy.txt” in this ZIP: This looks like plain text")
    assert not Record.objects.exists()


def test_a_list_of_pmids_is_refused_with_advice(world, django_capture_on_commit_callbacks):
    batch = _import(world, b"31234567\n29876543\n", "pmids.txt", django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED
    assert "list of PubMed ids" in batch.error and "MEDLINE (.nbib)" in batch.error
    assert not Record.objects.exists()
