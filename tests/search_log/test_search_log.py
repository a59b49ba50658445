"""Search rounds and the PRISMA-S log through the real stack: service, pages, REST."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.models import ImportBatch, SearchLogEntry, SearchRound
from screening.selectors.search_log import log_entries
from screening.services import imports as import_services
from screening.services import search_log as services
from tests.imports_dedupe.fixtures import RIS_THREE

# Two readable records and one that holds nothing but a type and a year: rejected.
RIS_WITH_EMPTY = b"""TY  - JOUR
TI  - Naltrexone and pain: a cohort
PY  - 2019
ER  - 

TY  - JOUR
PY  - 2020
ER  - 

TY  - JOUR
TI  - Opioid antagonists for headache
PY  - 2021
ER  - 
"""  # noqa: W291


def _upload(world, content, *, name="export.ris", source="Embase", **kwargs):
    return import_services.create_import(
        review=world.review,
        upload=SimpleUploadedFile(name, content),
        source_name=source,
        uploaded_by=world.lead,
        **kwargs,
    )


def test_an_import_joins_the_entry_of_its_source_in_the_initial_round(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _upload(world, RIS_THREE, search_date=date(2024, 3, 1), search_query="ldn AND pain")
        second = _upload(world, RIS_WITH_EMPTY, name="part2.ris", source="embase")
        other = _upload(world, RIS_THREE, name="pubmed.ris", source="PubMed", allow_same_file=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.search_round.number == 1
    assert first.log_entry_id == second.log_entry_id != other.log_entry_id
    entry = first.log_entry
    assert (entry.source_name, entry.searched_on, entry.search_string) == (
        "Embase",
        date(2024, 3, 1),
        "ldn AND pain",
    )
    facts = {f["source_name"]: f for f in log_entries(review=world.review)}
    assert facts["Embase"]["imported"] == 5
    assert facts["Embase"]["rejected"] == 1
    assert facts["Embase"]["rejected_lines"][0]["file"] == "part2.ris"
    assert facts["Embase"]["difference"] is None  # nothing reported yet: nothing to compare


def test_a_reported_count_that_differs_from_the_import_is_shown_with_the_rejected_lines(
    world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(world, RIS_WITH_EMPTY)
    services.update_entry(entry=SearchLogEntry.objects.get(pk=batch.log_entry_id), reported_count=3)
    [facts] = log_entries(review=world.review)
    assert (facts["reported_count"], facts["imported"], facts["difference"]) == (3, 2, -1)
    page = client_for(world.viewer).get(reverse("search_log", args=[world.review.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="search-log-mismatch"' in html
    assert (
        "The source reported 3 records; 2 were imported (1 fewer; 1 line of the export was rejected)"
        in html
    )
    assert "export.ris line 6" in html
    # A viewer reads the log and cannot edit it.
    assert reverse("search_log_add", args=[world.review.pk]) not in html


def test_an_import_can_name_its_entry_or_its_round(world, django_capture_on_commit_callbacks):
    update = services.add_round(review=world.review, searched_on=date(2025, 3, 1))
    assert update.number == 2 and update.label == "Update 1"
    entry = services.create_entry(
        review=world.review,
        round_=SearchRound.objects.get(review=world.review, number=1),
        source_name="CENTRAL",
        platform="Cochrane Library",
        search_string="#1 naltrexone\n#2 pain\n#3 #1 AND #2",
    )
    with django_capture_on_commit_callbacks(execute=True):
        named = _upload(world, RIS_THREE, source="", log_entry=entry)
        latest = _upload(world, RIS_THREE, name="b.ris", allow_same_file=True)
    assert (named.search_round.number, named.log_entry_id, named.source_name) == (
        1,
        entry.pk,
        "CENTRAL",
    )
    assert named.search_query == entry.search_string
    assert latest.search_round_id == update.pk  # no round named: the latest
    with pytest.raises(ValidationError):
        _upload(world, RIS_THREE, name="c.ris", log_entry=entry, search_round=update)
    other = services.create_entry(review=world.other_review, source_name="X")
    with pytest.raises(ValidationError):
        _upload(world, RIS_THREE, name="d.ris", log_entry=other)


def test_rounds_and_entries_refuse_what_would_lose_the_record(
    world, django_capture_on_commit_callbacks
):
    initial = services.initial_round(world.review)
    update = services.add_round(review=world.review)
    third = services.add_round(review=world.review)
    with pytest.raises(ValidationError):
        services.delete_round(round_=initial)
    with pytest.raises(ValidationError):
        services.delete_round(round_=update)  # not the last
    services.delete_round(round_=third)
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(world, RIS_THREE)
    entry = batch.log_entry
    with pytest.raises(ValidationError):
        services.delete_entry(entry=entry)
    with pytest.raises(ValidationError):
        services.update_entry(entry=entry, round_=initial)  # its records were found in round 2
    with pytest.raises(ValidationError):
        services.delete_round(round_=update)
    with pytest.raises(ValidationError):
        services.create_entry(review=world.review, source_name="  ")
    with pytest.raises(ValidationError):
        services.create_entry(review=world.review, source_name="X", source_kind="nonsense")
    empty = services.create_entry(review=world.review, source_name="Scopus")
    services.update_entry(entry=empty, round_=initial, platform="Elsevier")
    empty.refresh_from_db()
    assert (empty.round_id, empty.platform) == (initial.pk, "Elsevier")
    services.delete_entry(entry=empty)
    assert not SearchLogEntry.objects.filter(pk=empty.pk).exists()


def test_the_lead_logs_edits_and_deletes_from_the_page(world, client_for):
    client = client_for(world.lead)
    page = reverse("search_log", args=[world.review.pk])
    assert client.get(page).status_code == 200  # the initial round exists from here on
    initial = SearchRound.objects.get(review=world.review, number=1)
    strategy = "1. naltrexone.mp.\n2. pain.mp.\n3. 1 and 2"
    response = client.post(
        reverse("search_log_add", args=[world.review.pk]),
        {
            "round": initial.pk,
            "source_name": "MEDLINE",
            "source_kind": "database",
            "platform": "Ovid",
            "searched_on": "2024-03-01",
            "search_string": strategy,
            "limits": "humans",
            "reported_count": "42",
        },
    )
    assert response.status_code == 302
    entry = SearchLogEntry.objects.get(review=world.review)
    assert (entry.platform, entry.reported_count, entry.search_string) == ("Ovid", 42, strategy)
    bad = client.post(reverse("search_log_add", args=[world.review.pk]), {"round": initial.pk})
    assert bad.status_code == 400
    edit = reverse("search_log_edit", args=[world.review.pk, entry.pk])
    assert client.get(edit).status_code == 200
    client.post(
        edit,
        {
            "round": initial.pk,
            "source_name": "MEDLINE",
            "source_kind": "database",
            "note": "re-run",
        },
    )
    entry.refresh_from_db()
    assert entry.note == "re-run"
    assert (
        client.post(
            reverse("search_round_add", args=[world.review.pk]), {"searched_on": "2025-01-02"}
        ).status_code
        == 302
    )
    assert SearchRound.objects.filter(review=world.review).count() == 2
    client.post(reverse("search_log_delete", args=[world.review.pk, entry.pk]))
    assert not SearchLogEntry.objects.filter(pk=entry.pk).exists()
    # Another review's entry is a 404 here.
    foreign = services.create_entry(review=world.other_review, source_name="X")
    assert (
        client.get(reverse("search_log_edit", args=[world.review.pk, foreign.pk])).status_code
        == 404
    )


def test_the_page_exports_csv_json_and_the_appendix(
    world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(world, RIS_THREE, source="=cmd|' /C calc'!A0", search_query="line 1\nline 2")
    client = client_for(world.viewer)
    csv_response = client.get(reverse("search_log_csv", args=[world.review.pk]))
    body = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert "'=cmd" in body and '"line 1\nline 2"' in body.replace("\r\n", "\n")
    assert "attachment" in csv_response["Content-Disposition"]
    document = json.loads(client.get(reverse("search_log_json", args=[world.review.pk])).content)
    assert document["entries"][0]["imported"] == 3
    markdown = client.get(reverse("search_log_md", args=[world.review.pk])).content.decode()
    assert "```text\nline 1\nline 2\n```" in markdown
    page = client.get(reverse("search_log_html", args=[world.review.pk]))
    assert (
        page["Content-Type"].startswith("text/html") and "attachment" in page["Content-Disposition"]
    )
    assert "<pre><code>line 1\nline 2</code></pre>" in page.content.decode()


def test_the_api_lists_creates_patches_and_exports(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.lead)
    base = f"/api/reviews/{world.review.pk}"
    created = api.post(
        f"{base}/search-log/",
        {
            "source_name": "Web of Science",
            "platform": "Clarivate",
            "search_string": "TS=(naltrexone)\nAND TS=(pain)",
            "reported_count": 7,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["round"] == 1 and created.json()["imported"] == 0
    entry_id = created.json()["id"]
    rounds = api.post(f"{base}/rounds/", {"searched_on": "2025-02-01"}, format="json")
    assert rounds.status_code == 201 and rounds.json()["number"] == 2
    assert (
        api.post(f"{base}/search-log/", {"source_name": "X", "round": 9}, format="json").status_code
        == 400
    )
    moved = api.patch(
        f"{base}/search-log/{entry_id}/", {"round": 2, "limits": "2024-"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["round"] == 2
    assert api.get(f"{base}/search-log/?round=1").json() == []
    assert len(api.get(f"{base}/rounds/").json()) == 2
    md = api.get(f"{base}/search-log/export/?format=md")
    assert md.status_code == 200 and "TS=(naltrexone)\nAND TS=(pain)" in md.content.decode()
    html = api.get(f"{base}/search-log/export/?format=html")
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert "<pre><code>TS=(naltrexone)\nAND TS=(pain)</code></pre>" in html.content.decode()
    csv = api.get(f"{base}/search-log/export/?format=csv")
    assert csv.status_code == 200 and b"Web of Science" in b"".join(csv.streaming_content)
    assert api.get(f"{base}/search-log/export/").json()["format"] == "reviewapp.search-log"
    viewer = APIClient()
    viewer.force_authenticate(world.viewer)
    assert (
        viewer.patch(f"{base}/search-log/{entry_id}/", {"note": "x"}, format="json").status_code
        == 403
    )
    assert viewer.get(f"{base}/search-log/{entry_id}/").json()["limits"] == "2024-"
    assert api.delete(f"{base}/search-log/{entry_id}/").status_code == 204
    assert not ImportBatch.objects.exists()


def test_importrecords_takes_a_round(world, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "embase.ris"
    path.write_bytes(RIS_THREE)
    call_command("importrecords", world.review.pk, str(path), "--source", "Embase", "--round", "1")
    call_command(
        "importrecords",
        world.review.pk,
        str(path),
        "--source",
        "Embase",
        "--round",
        "2",
        "--allow-same-file",
    )
    rounds = list(
        ImportBatch.objects.filter(review=world.review)
        .order_by("pk")
        .values_list("search_round__number", flat=True)
    )
    assert rounds == [1, 2]
    assert SearchLogEntry.objects.filter(review=world.review).count() == 2
    with pytest.raises(CommandError, match="rounds 1 to 2"):
        call_command("importrecords", world.review.pk, str(path), "--source", "E", "--round", "5")


def test_the_import_api_attaches_to_a_round_or_an_entry(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.lead)
    base = f"/api/reviews/{world.review.pk}/imports/"
    services.add_round(review=world.review)
    entry = services.create_entry(
        review=world.review, round_=services.initial_round(world.review), source_name="PsycINFO"
    )
    by_round = api.post(
        base,
        {"file": SimpleUploadedFile("a.ris", RIS_THREE), "source_name": "Embase", "round": 1},
        format="multipart",
    )
    assert by_round.status_code == 202, by_round.content
    assert by_round.json()["round"] == 1
    by_entry = api.post(
        base,
        {
            "file": SimpleUploadedFile("b.ris", RIS_THREE),
            "source_name": "PsycINFO",
            "log_entry": entry.pk,
            "allow_same_file": True,
        },
        format="multipart",
    )
    assert by_entry.status_code == 202 and by_entry.json()["log_entry"] == entry.pk
    unknown = api.post(
        base,
        {"file": SimpleUploadedFile("c.ris", RIS_THREE), "source_name": "X", "round": 7},
        format="multipart",
    )
    assert unknown.status_code == 400
    foreign = services.create_entry(review=world.other_review, source_name="X")
    assert (
        api.post(
            base,
            {
                "file": SimpleUploadedFile("d.ris", RIS_THREE),
                "source_name": "X",
                "log_entry": foreign.pk,
            },
            format="multipart",
        ).status_code
        == 400
    )
