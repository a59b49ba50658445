"""The ASReview labelled data set (labels by state, who may export, formula safety,
?labels=final) and the RevMan study list (RIS by study with study ids)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from extraction.models import StudyReport
from screening.importers import iter_records
from screening.models import RecordState
from tests.extraction.factories import make_study
from tests.factories import make_batch, make_record

pytestmark = pytest.mark.django_db


def _get(client, world, table, query):
    response = client.get(reverse(f"export_{table}", args=[world.review.pk]) + f"?{query}")
    assert response.status_code == 200, response
    return b"".join(response.streaming_content).decode("utf-8")


def _labels(client, world, query="format=csv"):
    text = _get(client, world, "asreview", query).removeprefix("\ufeff")
    return {r["record_id"]: r for r in csv.DictReader(io.StringIO(text))}


@pytest.fixture
def states_world(world):
    batch = make_batch(world.review)
    world.records = {
        state: make_record(batch, title=f"=HYPERLINK({state})", state=state)
        for state in RecordState.values
    }
    return world


def test_labels_follow_the_title_abstract_decision(client_for, states_world):
    world = states_world
    rows = _labels(client_for(world.viewer), world)
    label = {state: rows.get(str(r.pk), {}).get("included") for state, r in world.records.items()}
    assert label == {
        "duplicate": None,  # not in the file
        "removed_other": None,
        "automation": "",
        "ta": "",
        "ta_excluded": "0",
        "ft_retrieval": "1",
        "ft_not_retrieved": "1",
        "ft": "1",
        "ft_excluded": "1",
        "included": "1",
    }
    first = next(iter(rows.values()))
    assert list(first)[:5] == ["record_id", "title", "abstract", "authors", "doi"]
    assert list(first)[-1] == "included"
    assert first["title"].startswith("'=HYPERLINK(")  # formula-safe


def test_final_labels_on_request(client_for, states_world):
    world = states_world
    rows = _labels(client_for(world.viewer), world, "format=csv&labels=final")
    label = {state: rows.get(str(r.pk), {}).get("included") for state, r in world.records.items()}
    assert label["included"] == "1"
    assert label["ft_excluded"] == "0" and label["ft_not_retrieved"] == "0"
    assert label["ta_excluded"] == "0" and label["ft"] == "" and label["ta"] == ""


def test_asreview_ris_has_one_note_per_record(client_for, states_world):
    world = states_world
    text = _get(client_for(world.viewer), world, "asreview", "format=ris")
    notes = {
        r.title: [n for n in r.raw.get("N1", []) if n.startswith("ASReview_")]
        for r in iter_records(text.encode())
    }
    assert notes["=HYPERLINK(ta_excluded)"] == ["ASReview_irrelevant"]
    assert notes["=HYPERLINK(included)"] == ["ASReview_relevant"]
    assert notes["=HYPERLINK(ta)"] == ["ASReview_not_seen"]
    assert len(notes) == 8


def test_outsiders_get_nothing(client_for, states_world):
    world = states_world
    for table in ("asreview", "revman"):
        url = reverse(f"export_{table}", args=[world.review.pk]) + "?format=ris"
        assert client_for(world.outsider).get(url).status_code == 404


def test_revman_lists_reports_by_study_with_their_ids(client_for, world):
    a = make_study(world.review, title="Trial A main", authors=["Zed, A"], year=2018)
    a.label = "Zed 2018"
    a.save()
    follow_up = make_study(world.review, title="Trial A follow-up", authors=["Zed, A"], year=2020)
    # Link the follow-up report to study A (a trial and its follow-up).
    StudyReport.objects.filter(study=follow_up).update(study=a)
    b = make_study(world.review, title="Trial B", authors=["Able, B"], year=2019)
    b.label = "Able 2019"
    b.save()
    # An included record with no study link yet is named by first author and year.
    batch = make_batch(world.review)
    lone = make_record(
        batch, title="Lone report", authors=["Quinn, Q"], year=2021, state=RecordState.INCLUDED
    )
    StudyReport.objects.filter(record=lone).delete()
    text = _get(client_for(world.viewer), world, "revman", "format=ris")
    entries = list(iter_records(text.encode()))
    got = [(e.title, e.raw["ID"][0], e.raw["LB"][0]) for e in entries]
    assert got[:3] == [
        ("Trial B", "Able 2019", "Able 2019"),
        ("Trial A main", "Zed 2018", "Zed 2018"),
        ("Trial A follow-up", "Zed 2018", "Zed 2018"),
    ]
    assert [g for g in got if g[0] == "Lone report"] == [
        ("Lone report", "Quinn 2021", "Quinn 2021")
    ]
    assert all(f"Study ID: {e.raw['ID'][0]}" in e.raw["N1"] for e in entries)


def test_the_exports_page_lists_both(client_for, world):
    page = client_for(world.viewer).get(reverse("exports", args=[world.review.pk])).content
    assert b'data-testid="export-asreview"' in page and b'data-testid="export-revman"' in page


def test_labels_an_imported_file_carried_are_replaced(client_for, world):
    batch = make_batch(world.review)
    make_record(
        batch,
        title="Relabelled",
        state=RecordState.TA_EXCLUDED,
        raw={
            "TY": ["JOUR"],
            "TI": ["Relabelled"],
            "LI": ["1"],
            "N1": ["Additional notes 1. ASReview_relevant. Additional notes 2.", "ASReview_prior"],
        },
    )
    text = _get(client_for(world.viewer), world, "asreview", "format=ris")
    (record,) = iter_records(text.encode())
    assert "LI" not in record.raw
    assert record.raw["N1"] == [
        "Additional notes 1.  Additional notes 2",
        "ASReview_irrelevant",
    ]
