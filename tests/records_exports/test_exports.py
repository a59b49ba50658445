"""Table exports from the browser and the API: contents against the database, roles and
blinding, formula neutralisation in CSV and XLSX, RIS that re-imports, and streaming."""

from __future__ import annotations

import csv
import io
import re

from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from screening.importers import ParsedRecord, iter_records
from screening.models import Record, RecordState, Resolution, ScreeningSettings, Vote
from screening.services.settings import screening_settings_for
from tests.factories import make_batch, make_record


def download(client, world, table: str, query: str = "", *, api: bool = False):
    name = f"api:export_{table}" if api else f"export_{table}"
    return client.get(reverse(name, args=[world.review.pk]) + (f"?{query}" if query else ""))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[list]:
    assert isinstance(response, FileResponse)
    sheet = load_workbook(io.BytesIO(body(response))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_it_exports_every_record_with_states_votes_and_reasons(client_for, world, screened):
    response = download(client_for(world.lead), world, "records", "format=csv")
    assert isinstance(response, StreamingHttpResponse)
    today = timezone.localdate().strftime("%Y%m%d")
    assert (
        f'filename="review-{world.review.pk}-records-{today}.csv"'
        in response["Content-Disposition"]
    )
    rows = {int(r["record_id"]): r for r in csv_rows(response)}
    assert set(rows) == set(Record.objects.filter(review=world.review).values_list("pk", flat=True))
    for pk, state in Record.objects.filter(review=world.review).values_list("pk", "state"):
        assert rows[pk]["state"] == state
    conflict = rows[screened.conflict.pk]
    assert (conflict["ta_status"], conflict["ta_votes"]) == (
        "conflict",
        "rita: include; rafael: exclude",
    )
    assert conflict["ta_vote_reasons"] == f"rafael: {screened.ta_reason.label}"
    assert conflict["ta_notes"] == "rita: looks relevant | rafael: rafael's secret"
    excluded = rows[screened.ft_excluded.pk]
    assert (excluded["ft_status"], excluded["ft_decision"], excluded["ft_reason"]) == (
        "settled",
        "exclude",
        screened.ft_reason.label,
    )
    assert rows[screened.resolved.pk]["ta_settled_by"] == "resolution"
    assert rows[screened.conflict.pk]["authors"] == "Younger J; Mackey S"
    assert rows[screened.included.pk]["source"] == "Embase"


def test_the_records_export_takes_the_lists_filters(client_for, world, screened):
    rows = csv_rows(
        download(client_for(world.viewer), world, "records", "state=duplicate&source=PubMed")
    )
    assert [int(r["record_id"]) for r in rows] == [screened.duplicate.pk]
    assert download(client_for(world.viewer), world, "records", "state=bogus").status_code == 400


def test_it_blinds_a_reviewers_export_and_gives_viewers_no_votes(client_for, world, screened):
    rows = {
        int(r["record_id"]): r
        for r in csv_rows(download(client_for(world.reviewer), world, "records"))
    }
    conflict = rows[screened.conflict.pk]
    assert (conflict["ta_status"], conflict["ta_votes"]) == ("unsettled", "rita: include")
    assert "secret" not in conflict["ta_notes"]
    assert rows[screened.open.pk]["ta_votes"] == ""  # rafael's vote alone, unsettled
    assert rows[screened.ta_excluded.pk]["ta_votes"] == "rita: exclude; rafael: exclude"
    viewer = csv_rows(download(client_for(world.viewer), world, "records"))
    assert not any(key.endswith(("_votes", "_notes")) for key in viewer[0])
    assert {r["ta_status"] for r in viewer} <= {"", "settled", "unsettled"}


def _unblind(world):
    screening_settings_for(world.review)
    ScreeningSettings.objects.filter(review=world.review).update(blind=False)


def test_it_exports_votes_in_long_form(client_for, world, screened):
    # Under blinding the lead, who may screen too, does not get the votes of records
    # still waiting for votes (issue 11); every other vote is there.
    blinded = csv_rows(download(client_for(world.lead), world, "votes"))
    waiting = set(
        Vote.objects.filter(record__review=world.review)
        .exclude(record__outcomes__status__in=["settled", "conflict"])
        .values_list("pk", flat=True)
    )
    assert (
        waiting
        and {int(r["vote_id"]) for r in blinded}
        == set(Vote.objects.filter(record__review=world.review).values_list("pk", flat=True))
        - waiting
    )
    _unblind(world)
    rows = csv_rows(download(client_for(world.lead), world, "votes"))
    assert {int(r["vote_id"]) for r in rows} == set(
        Vote.objects.filter(record__review=world.review).values_list("pk", flat=True)
    )
    assert list(rows[0]) == [
        "vote_id",
        "record_id",
        "record_key",
        "title",
        "stage",
        "reviewer",
        "verdict",
        "reason",
        "note",
        "created",
        "updated",
    ]
    secret = next(r for r in rows if r["note"] == "rafael's secret")
    assert (secret["reviewer"], secret["verdict"], secret["stage"]) == ("rafael", "exclude", "ta")
    assert secret["reason"] == screened.ta_reason.label and secret["created"][:4].isdigit()
    # A blinded reviewer: own votes, and others' only where the stage is settled.
    ScreeningSettings.objects.filter(review=world.review).update(blind=True)
    mine = csv_rows(download(client_for(world.reviewer), world, "votes"))
    assert all(
        r["reviewer"] == "rita"
        or int(r["record_id"])
        in {
            screened.ta_excluded.pk,
            screened.ft_excluded.pk,
            screened.included.pk,
            screened.resolved.pk,
        }
        for r in mine
    )
    assert "rafael's secret" not in {r["note"] for r in mine}
    assert download(client_for(world.viewer), world, "votes").status_code == 403


def test_it_exports_resolutions_with_the_votes_they_settled_and_open_conflicts(
    client_for, world, screened
):
    rows = csv_rows(download(client_for(world.lead), world, "conflicts"))
    resolution = Resolution.objects.get(record=screened.resolved)
    assert len(rows) == Resolution.objects.filter(record__review=world.review).count() + 1
    resolved = next(r for r in rows if r["kind"] == "resolution")
    assert int(resolved["record_id"]) == resolution.record_id
    assert (resolved["decision"], resolved["lead_note"], resolved["decided_by"]) == (
        "include",
        "lead says go",
        "liam",
    )
    assert resolved["votes"] == "rita: exclude; rafael: maybe"
    still_open = next(r for r in rows if r["kind"] == "open conflict")
    assert int(still_open["record_id"]) == screened.conflict.pk
    assert still_open["votes"] == "rita: include; rafael: exclude"
    assert download(client_for(world.reviewer), world, "conflicts").status_code == 403


def test_it_exports_the_included_records_as_csv_and_xlsx(client_for, world, screened):
    client = client_for(world.viewer)
    rows = csv_rows(download(client, world, "included", "format=csv"))
    assert [int(r["record_id"]) for r in rows] == list(
        Record.objects.filter(review=world.review, state=RecordState.INCLUDED).values_list(
            "pk", flat=True
        )
    )
    assert rows[0]["doi"] == "10.1000/crps.2" and rows[0]["journal"] == "Pain Med"
    sheet = xlsx_rows(download(client, world, "included", "format=xlsx"))
    assert sheet[1][2] == "LDN for complex regional pain syndrome"


def test_it_neutralises_formulas_in_csv(client_for, world, screened):
    _unblind(world)  # the lead sees every note, waiting records' too
    rows = {
        int(r["record_id"]): r for r in csv_rows(download(client_for(world.lead), world, "records"))
    }
    formula = rows[screened.formula.pk]
    assert formula["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert formula["authors"] == "'@Bob"
    votes = csv_rows(download(client_for(world.lead), world, "votes"))
    assert "'+cmd|' /C calc'!A0" in {r["note"] for r in votes}
    assert not any(value.startswith(("=", "+", "-", "@")) for r in votes for value in r.values())


def test_it_neutralises_formulas_in_xlsx_and_keeps_numbers(client_for, world, screened):
    response = download(client_for(world.lead), world, "records", "format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert re.search(
        rf"review-{world.review.pk}-records-\d{{8}}\.xlsx", response["Content-Disposition"]
    )
    sheet = load_workbook(
        io.BytesIO(body(download(client_for(world.lead), world, "records", "format=xlsx")))
    ).active
    header = [cell.value for cell in sheet[1]]
    title_column = header.index("title")
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == screened.formula.pk)
    assert row[title_column].value == '\'=HYPERLINK("http://evil.example","click")'
    assert row[title_column].data_type == "s"
    assert isinstance(row[0].value, int) and row[header.index("year")].value == 2021
    for line in sheet.iter_rows():
        for cell in line:
            assert cell.data_type != "f"


def test_the_included_ris_reimports_with_the_same_titles_and_dois(client_for, world, screened):
    ris_batch = make_batch(world.review, source_name="Embase")  # detected_format "ris"
    medline_batch = make_batch(world.review, source_name="PubMed")
    medline_batch.detected_format = "medline"
    medline_batch.save()
    original = make_record(
        ris_batch,
        title="Naltrexone RIS original",
        doi="10.1000/ris.3",
        state=RecordState.INCLUDED,
        raw={
            "TY": ["JOUR"],
            "T1": ["Naltrexone RIS original"],
            "A1": ["Doe, Jane"],
            "M3": ["10.1000/ris.3"],
            "N1": ["Embase accession 123"],
            "ER": [""],
        },
    )
    make_record(
        medline_batch,
        title="From MEDLINE",
        doi="10.1000/med.4",
        pmid="31234567",
        authors=["Roe R"],
        year=2019,
        pages="221-226",
        keywords=["pain"],
        state=RecordState.INCLUDED,
    )
    response = download(client_for(world.viewer), world, "included", "format=ris")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    data = body(response)
    parsed = [item for item in iter_records(data) if isinstance(item, ParsedRecord)]
    expected = Record.objects.filter(review=world.review, state=RecordState.INCLUDED).order_by("pk")
    assert [(p.title, p.doi) for p in parsed] == [(r.title, r.doi) for r in expected]
    assert parsed[-1].pmid == "31234567" and parsed[-1].pages == "221-226"
    # The RIS record keeps its original tags.
    text = data.decode("utf-8")
    assert "N1  - Embase accession 123" in text and "T1  - Naltrexone RIS original" in text
    assert original.title in text
    assert download(client_for(world.viewer), world, "records", "format=ris").status_code == 400


def test_the_api_exports_each_table_in_its_formats(client_for, world, screened):
    client = client_for(world.lead)
    rows = csv_rows(download(client, world, "records", "format=csv&state=included", api=True))
    assert [int(r["record_id"]) for r in rows] == [screened.included.pk]
    assert xlsx_rows(download(client, world, "votes", "format=xlsx", api=True))[0][0] == "vote_id"
    ris = body(download(client, world, "included", "format=ris", api=True)).decode()
    assert ris.count("ER  - ") == 1 and "LDN for complex regional pain syndrome" in ris
    assert len(csv_rows(download(client, world, "conflicts", api=True))) == 2
    assert download(client, world, "records", "format=ris", api=True).status_code == 404
    assert download(client, world, "records", "state=bogus", api=True).status_code == 400
    assert download(client_for(world.viewer), world, "votes", api=True).status_code == 403
    assert download(client_for(world.outsider), world, "records", api=True).status_code == 404


def test_the_exports_page_offers_each_role_its_tables(client_for, world):
    url = reverse("exports", args=[world.review.pk])
    viewer = client_for(world.viewer).get(url).content.decode()
    assert 'data-testid="export-records"' in viewer and 'data-testid="export-included"' in viewer
    assert (
        'data-testid="export-votes"' not in viewer
        and 'data-testid="export-conflicts"' not in viewer
    )
    lead = client_for(world.lead).get(url).content.decode()
    for table in ("records", "votes", "conflicts", "included"):
        assert f'data-testid="export-{table}"' in lead
    assert f"/reviews/{world.review.pk}/exports/included/?format=ris" in lead


def test_it_streams_thousands_of_records_in_a_few_queries(
    client_for, world, django_assert_max_num_queries
):
    batch = make_batch(world.review, source_name="Scopus")
    Record.objects.bulk_create(
        Record(review=world.review, batch=batch, position=i, title=f"=Bulk {i}", authors=["A B"])
        for i in range(3000)
    )
    ids = list(Record.objects.filter(batch=batch).values_list("pk", flat=True))
    Vote.objects.bulk_create(
        Vote(record_id=pk, review=world.review, stage="ta", reviewer=reviewer, verdict="include")
        for pk in ids[:1500]
        for reviewer in (world.reviewer, world.reviewer2)
    )
    _unblind(world)  # votes without outcomes: shown to the lead only with blinding off
    client = client_for(world.lead)
    response = download(client, world, "records")
    assert isinstance(response, StreamingHttpResponse)
    with django_assert_max_num_queries(6):  # records, outcomes, votes: fixed whatever the size
        lines = body(response).decode("utf-8").splitlines()
    assert len(lines) == 3001
    assert "'=Bulk 0" in lines[1] and "rita: include; rafael: include" in lines[1]
    votes = download(client, world, "votes")
    with django_assert_max_num_queries(3):
        assert len(body(votes).decode("utf-8").splitlines()) == 3001
