"""Every CSV and XLSX export, from the pages and the API, over a review whose every
free-text field holds an OWASP CSV-injection payload: no cell a spreadsheet would run.

The oracle is written here, not imported: a text cell is dangerous when, after what a
spreadsheet skips (whitespace, control and format characters), it starts with a formula
sign, or when it starts with a tab, CR or LF; a safe cell then starts with an apostrophe.
XLSX cells must never be formulas (data_type "f")."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from extraction.models import Consensus, Study
from extraction.services.forms import update_settings, use_seed_template
from extraction.services.studies import ensure_studies
from reviewapp import spreadsheet
from screening.models import ExclusionReason, Record, RecordState, Stage
from screening.services.conflicts import decide_as_lead
from screening.services.votes import cast_vote
from tests.factories import make_batch, make_record
from tests.screening.factories import attach_pdf
from tests.security.csv_injection_payloads import PAYLOADS

SIGNS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\u2212")


def _visible(text: str) -> str:
    skipped = ("Cc", "Cf", "Zs", "Zl", "Zp")
    i = 0
    while i < len(text) and (text[i].isspace() or unicodedata.category(text[i]) in skipped):
        i += 1
    return text[i:]


def dangerous(text: str) -> bool:
    return bool(text) and (text[0] in "\t\r\n" or _visible(text).startswith(SIGNS))


def assert_safe(cells, where: str) -> None:
    for value in cells:
        if isinstance(value, str) and not value.startswith("'"):
            assert not dangerous(value), f"{where}: {value!r} would run as a formula"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutralise_defuses_every_payload(payload):
    assert spreadsheet.neutralise(payload).startswith("'")
    assert spreadsheet.neutralise(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Naltrexone = good", "LDN 4.5 mg", "", "a-b", " plain"])
def test_neutralise_leaves_ordinary_text(text):
    assert spreadsheet.neutralise(text) == text


@pytest.fixture
def hostile_review(world):
    """Every free-text field of a screened, resolved, included and extracted review holds
    a payload: titles, authors, journals, keys, abstracts, keywords, source names, vote
    notes, reason labels, lead notes, study labels and extracted values."""
    review, rita, rafael, lead = world.review, world.reviewer, world.reviewer2, world.lead
    batch = make_batch(review, source_name=PAYLOADS[0])
    records = []
    for i, payload in enumerate(PAYLOADS):
        ta_reason = ExclusionReason.objects.create(
            review=review, stage=Stage.TITLE_ABSTRACT, label=f"{payload} ta{i}", order=50 + i
        )
        record = make_record(
            batch,
            title=payload,
            authors=[payload, "Smith J"],
            journal=payload,
            record_key=payload,
            abstract=payload,
            keywords=[payload],
            urls=[payload],
            pages=payload[:20],
            year=2020,
        )
        cast_vote(record=record, stage="ta", reviewer=rita, verdict="include", note=payload)
        cast_vote(
            record=record, stage="ta", reviewer=rafael, verdict="exclude", reason=ta_reason,
            note=payload,
        )  # fmt: skip
        if i == 0:
            records.append(record)  # stays an open conflict
            continue
        decide_as_lead(record=record, stage="ta", lead=lead, verdict="include", note=payload)
        Record.objects.filter(pk=record.pk).update(state=RecordState.FT)  # full text found
        attach_pdf(record)
        cast_vote(record=record, stage="ft", reviewer=rita, verdict="include", note=payload)
        cast_vote(record=record, stage="ft", reviewer=rafael, verdict="include", note=payload)
        records.append(record)
    ft_reason = ExclusionReason.objects.create(
        review=review, stage=Stage.FULL_TEXT, label=PAYLOADS[3], order=99
    )
    excluded = make_record(batch, title=PAYLOADS[5], state=RecordState.FT, year=2021)
    attach_pdf(excluded)
    for reviewer in (rita, rafael):
        cast_vote(
            record=excluded, stage="ft", reviewer=reviewer, verdict="exclude", reason=ft_reason
        )
    assert (
        Record.objects.filter(review=review, state=RecordState.INCLUDED).count()
        == len(PAYLOADS) - 1
    )

    use_seed_template(review=review, by=lead)
    update_settings(review=review, assessors_per_study=1, rob2_effect="assignment")
    ensure_studies(review=review)
    for i, record in enumerate(records[1:], start=1):
        study = Study.objects.get(reports__record=record)
        payload = PAYLOADS[i]
        study.label = payload
        study.save()
        Consensus.objects.create(
            study=study,
            instrument="extraction",
            values={
                "authors": payload,
                "title": payload,
                "dose": payload,
                "adverse_events": payload,
            },
        )
    return world


def _endpoints(review_id: int):
    for table, formats in (
        ("records", ("csv", "xlsx")),
        ("votes", ("csv", "xlsx")),
        ("conflicts", ("csv", "xlsx")),
        ("included", ("csv", "xlsx")),
    ):
        for fmt in formats:
            yield (
                f"{table} page {fmt}",
                reverse(f"export_{table}", args=[review_id]) + f"?format={fmt}",
                fmt,
            )
            yield (
                f"{table} API {fmt}",
                reverse(f"api:export_{table}", args=[review_id]) + f"?format={fmt}",
                fmt,
            )
    for fmt in ("csv", "xlsx"):
        yield f"evidence page {fmt}", f"/reviews/{review_id}/evidence/export/?format={fmt}", fmt
        yield (
            f"evidence API {fmt}",
            reverse("api:evidence_table", args=[review_id]) + f"?format={fmt}",
            fmt,
        )
    yield "PRISMA page csv", reverse("prisma_download", args=[review_id, "csv"]), "csv"
    yield "PRISMA API csv", reverse("api:prisma", args=[review_id]) + "?format=csv", "csv"


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_every_csv_and_xlsx_export_is_formula_safe(client_for, hostile_review):
    world = hostile_review
    client = client_for(world.lead)
    seen_titles = set()
    checked = 0
    for where, url, fmt in _endpoints(world.review.pk):
        response = client.get(url)
        assert response.status_code == 200, (where, response.status_code)
        data = _content(response)
        if fmt == "csv":
            text = data.decode("utf-8").lstrip("\ufeff")
            rows = list(csv.reader(io.StringIO(text)))
            assert len(rows) > 1, where
            for row in rows:
                assert_safe(row, where)
                seen_titles.update(row)
        else:
            sheet = load_workbook(io.BytesIO(data)).active
            rows = list(sheet.iter_rows())
            assert len(rows) > 1, where
            for row in rows:
                for cell in row:
                    assert cell.data_type != "f", f"{where}: {cell.coordinate} is a formula"
                assert_safe([c.value for c in row], where)
        checked += 1
    assert checked == 22
    # The payloads were exported (behind their apostrophe), not dropped.
    for payload in PAYLOADS:
        assert "'" + payload in seen_titles, payload


def test_csv_text_cells_are_quoted_and_numbers_bare(client_for, hostile_review):
    world = hostile_review
    response = client_for(world.lead).get(
        reverse("export_votes", args=[world.review.pk]) + "?format=csv"
    )
    lines = _content(response).decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[0].startswith('"vote_id","record_id",')
    assert lines[1].split(",")[0].isdigit() and lines[1].split(",")[2].startswith('"')
