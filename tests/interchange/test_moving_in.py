"""Moving in with decisions: ASReview and Rayyan labelled exports import with their
title/abstract decisions, through the journey, with their origin in the history; the
PRISMA diagram adds up; the ranking trains on them; and they round-trip through the
ASReview export with the same labels."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.importers import iter_records
from screening.importers.labels import decision_of
from screening.models import (
    ExclusionReason,
    ImportBatch,
    ImportStatus,
    Record,
    RecordState,
    SettledBy,
    Stage,
    StageOutcome,
    VoteAction,
    VoteEvent,
)
from screening.selectors.prisma import review_flow
from screening.selectors.ranking import settled_labels
from screening.services.imports import create_import
from tests.shared_data import SHARED_DATA

pytestmark = pytest.mark.django_db


def _import(world, name, content: bytes, keep="file", source="ASReview", capture=None):
    with capture(execute=True):
        batch = create_import(
            review=world.review,
            upload=SimpleUploadedFile(name, content),
            source_name=source,
            uploaded_by=world.lead,
            keep_decisions=keep,
        )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE, batch.error
    return batch


def _body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _asreview_csv(client, world, query="format=csv") -> list[dict]:
    url = reverse("export_asreview", args=[world.review.pk]) + f"?{query}"
    text = _body(client.get(url)).decode("utf-8").removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


ASREVIEW_CSV = (
    b"record_id,title,abstract,authors,doi,included\n"
    b"1,Naltrexone for pain,An RCT.,Smith J,10.1/a,1\n"
    b"2,Knee surgery outcomes,A cohort.,Doe A,10.1/b,0\n"
    b"3,Ketamine infusions,A series.,Roe B,10.1/c,\n"
    b"4,Low-dose naltrexone in CRPS,A case.,Poe C,10.1/d,1\n"
)


def _rayyan_ris() -> bytes:
    def entry(title, doi, notes):
        return (
            f"TY  - JOUR\nTI  - {title}\nAU  - Author, A\nPY  - 2019\nDO  - {doi}\n"
            f"N1  - {notes}\nER  - \n\n"
        )

    return (
        entry(
            "Naltrexone and fibromyalgia",
            "10.2/a",
            'RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Included"}',
        )
        + entry(
            "Hip replacement registry",
            "10.2/b",
            'RAYYAN-INCLUSION: {"Alice"=>"Excluded"} | RAYYAN-EXCLUSION-REASONS: wrong population',
        )
        + entry(
            "Opioid tapering",
            "10.2/c",
            'RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Excluded"}',
        )
        + entry("Unscreened record", "10.2/d", "A plain note")
    ).encode()


def test_the_label_reader_knows_each_tools_words():
    assert decision_of({"included": ["1"]}).decision == "include"
    assert decision_of({"label_included": ["0"]}).decision == "exclude"
    assert decision_of({"included": [""]}) is None
    assert decision_of({"N1": ["Notes. ASReview_relevant."]}).decision == "include"
    assert decision_of({"N1": ["ASReview_irrelevant"]}).decision == "exclude"
    assert decision_of({"N1": ["ASReview_not_seen"]}) is None
    rayyan = decision_of(
        {"notes": ['RAYYAN-INCLUSION: {"A"=>"Excluded"} | RAYYAN-EXCLUSION-REASONS: x,y']}
    )
    assert (rayyan.decision, rayyan.origin, rayyan.reasons) == ("exclude", "Rayyan", ("x", "y"))
    assert decision_of({"N1": ['RAYYAN-INCLUSION: {"A"=>"Maybe"}']}) is None
    assert decision_of({"TI": ["Included in the analysis"]}) is None


def test_asreview_csv_round_trips_with_its_labels(
    client_for, world, django_capture_on_commit_callbacks
):
    batch = _import(
        world, "asreview_export.csv", ASREVIEW_CSV, capture=django_capture_on_commit_callbacks
    )
    assert batch.decisions_kept == 3
    states = dict(Record.objects.filter(batch=batch).values_list("title", "state"))
    assert states == {
        "Naltrexone for pain": RecordState.FT_RETRIEVAL,
        "Knee surgery outcomes": RecordState.TA_EXCLUDED,
        "Ketamine infusions": RecordState.TA,
        "Low-dose naltrexone in CRPS": RecordState.FT_RETRIEVAL,
    }
    # Settled "by import", moved by the journey, and the origin kept in the history.
    outcomes = StageOutcome.objects.filter(record__batch=batch, stage=Stage.TITLE_ABSTRACT)
    assert {o.settled_by for o in outcomes} == {SettledBy.IMPORT}
    knee = Record.objects.get(title="Knee surgery outcomes")
    events = VoteEvent.objects.filter(record=knee).order_by("pk")
    assert [e.action for e in events] == [VoteAction.MOVE, VoteAction.IMPORT]
    assert events[0].after == {"state": "ta_excluded", "event": "ta_exclude"}
    assert events[1].after["origin"] == "ASReview"
    assert events[1].after["said"] == "included = 0"
    assert events[1].after["file"] == "asreview_export.csv"
    page = client_for(world.lead).get(reverse("record_detail", args=[world.review.pk, knee.pk]))
    assert "imported from ASReview: included = 0; asreview_export.csv" in page.content.decode()
    # The ranking trains on them.
    labels = settled_labels(review=world.review)
    assert labels[knee.pk] == 0
    assert labels[Record.objects.get(title="Naltrexone for pain").pk] == 1
    # PRISMA adds up.
    flow, violations = review_flow(review=world.review)
    assert violations == []
    assert flow.records_screened == 4
    # Export: the same labels (viewers may export them too).
    exported = {r["title"]: r["included"] for r in _asreview_csv(client_for(world.viewer), world)}
    assert exported == {
        "Naltrexone for pain": "1",
        "Knee surgery outcomes": "0",
        "Ketamine infusions": "",
        "Low-dose naltrexone in CRPS": "1",
    }


def test_rayyan_ris_round_trips_through_asreview_ris(
    client_for, world, django_capture_on_commit_callbacks
):
    ExclusionReason.objects.create(
        review=world.review, stage=Stage.TITLE_ABSTRACT, label="Wrong population"
    )
    batch = _import(
        world,
        "rayyan.ris",
        _rayyan_ris(),
        source="Rayyan",
        capture=django_capture_on_commit_callbacks,
    )
    assert batch.decisions_kept == 2
    hip = Record.objects.get(title="Hip replacement registry")
    assert hip.state == RecordState.TA_EXCLUDED
    outcome = StageOutcome.objects.get(record=hip, stage=Stage.TITLE_ABSTRACT)
    assert outcome.reason.label == "Wrong population"
    event = VoteEvent.objects.get(record=hip, action=VoteAction.IMPORT)
    assert event.after["origin"] == "Rayyan" and event.after["reasons"] == ["wrong population"]
    assert Record.objects.get(title="Opioid tapering").state == RecordState.TA  # a conflict
    url = reverse("export_asreview", args=[world.review.pk]) + "?format=ris"
    ris = _body(client_for(world.viewer).get(url)).decode("utf-8")
    parsed = list(iter_records(ris.encode()))
    labels = {}
    for record in parsed:
        notes = [n for n in record.raw.get("N1", []) if n.startswith("ASReview_")]
        assert len(notes) == 1, record.raw
        labels[record.title] = notes[0]
    assert labels == {
        "Naltrexone and fibromyalgia": "ASReview_relevant",
        "Hip replacement registry": "ASReview_irrelevant",
        "Opioid tapering": "ASReview_not_seen",
        "Unscreened record": "ASReview_not_seen",
    }
    # ... and that RIS imports into a second review with the same decisions.
    from reviewapp.services import create_review

    other = create_review(owner=world.lead, title="Continued elsewhere")
    with django_capture_on_commit_callbacks(execute=True):
        again = create_import(
            review=other,
            upload=SimpleUploadedFile("from-reviewapp.ris", ris.encode()),
            source_name="reviewapp",
            uploaded_by=world.lead,
            keep_decisions="file",
        )
    again.refresh_from_db()
    assert again.decisions_kept == 2
    states = dict(Record.objects.filter(review=other).values_list("title", "state"))
    assert states["Naltrexone and fibromyalgia"] == RecordState.FT_RETRIEVAL
    assert states["Hip replacement registry"] == RecordState.TA_EXCLUDED
    assert states["Opioid tapering"] == RecordState.TA


def test_a_covidence_stage_list_is_settled_whole(world, django_capture_on_commit_callbacks):
    content = (
        b"Title,Authors,Abstract,Published Year,DOI,Covidence #\n"
        b"Irrelevant one,Smith J,Text,2019,10.3/a,#12\n"
        b"Irrelevant two,Doe A,Text,2020,10.3/b,#13\n"
    )
    batch = _import(
        world,
        "covidence_irrelevant.csv",
        content,
        keep="exclude",
        source="Covidence",
        capture=django_capture_on_commit_callbacks,
    )
    assert batch.decisions_kept == 2
    assert set(Record.objects.filter(batch=batch).values_list("state", flat=True)) == {
        RecordState.TA_EXCLUDED
    }
    event = VoteEvent.objects.filter(action=VoteAction.IMPORT).first()
    assert event.after["origin"] == "Covidence"


def test_without_the_choice_decisions_are_ignored(world, django_capture_on_commit_callbacks):
    batch = _import(
        world, "asreview.csv", ASREVIEW_CSV, keep="", capture=django_capture_on_commit_callbacks
    )
    assert batch.decisions_kept == 0
    assert set(Record.objects.filter(batch=batch).values_list("state", flat=True)) == {
        RecordState.TA
    }


def test_the_import_form_offers_the_choice(client_for, world, django_capture_on_commit_callbacks):
    client = client_for(world.lead)
    page = client.get(f"/reviews/{world.review.pk}/imports/").content.decode()
    assert 'name="keep_decisions"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/reviews/{world.review.pk}/imports/new/",
            {
                "files": SimpleUploadedFile("labelled.csv", ASREVIEW_CSV),
                "source_name": "ASReview",
                "source_kind": "database",
                "keep_decisions": "file",
            },
        )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.decisions_kept == 3
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="decisions-kept"' in detail


def test_the_api_takes_the_choice(world, django_capture_on_commit_callbacks):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.lead).key}")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/reviews/{world.review.pk}/imports/",
            {
                "file": SimpleUploadedFile("labelled.csv", ASREVIEW_CSV),
                "source_name": "ASReview",
                "keep_decisions": "file",
            },
            format="multipart",
        )
    assert response.status_code == 202, response.content
    batch_id = response.json()["id"]
    detail = api.get(f"/api/reviews/{world.review.pk}/imports/{batch_id}/").json()
    assert (detail["keep_decisions"], detail["decisions_kept"]) == ("file", 3)


@pytest.mark.realdata
def test_asreviews_own_labelled_files_keep_their_labels(world, django_capture_on_commit_callbacks):
    ris = SHARED_DATA / "formats/asreview_demo_data/baseline_tag-notes_labels.ris"
    table = SHARED_DATA / "formats/asreview_demo_data/generic_labels.csv"
    if not (ris.is_file() and table.is_file()):
        pytest.skip("shared data missing")
    batch = _import(
        world, "labels.ris", ris.read_bytes(), capture=django_capture_on_commit_callbacks
    )
    # Every record whose notes say relevant/irrelevant (and not both) is settled.
    expected = sum(1 for r in Record.objects.filter(batch=batch) if decision_of(r.raw) is not None)
    assert expected > 0 and batch.decisions_kept == expected
    batch2 = _import(
        world,
        "generic_labels.csv",
        table.read_bytes(),
        capture=django_capture_on_commit_callbacks,
    )
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert batch2.decisions_kept == sum(1 for r in rows if r["label_included"] in ("0", "1"))


def test_decisions_as_votes_of_an_imported_reviewer(
    client_for, world, django_capture_on_commit_callbacks
):
    from screening.models import Vote
    from screening.services.settings import screening_settings_for
    from screening.services.votes import cast_vote

    assert screening_settings_for(world.review).votes_needed(Stage.TITLE_ABSTRACT) == 2
    batch = _import(
        world,
        "asreview.csv",
        ASREVIEW_CSV,
        keep="votes",
        capture=django_capture_on_commit_callbacks,
    )
    assert batch.decisions_kept == 3
    votes = Vote.objects.filter(record__batch=batch).select_related("reviewer", "record")
    assert {(v.record.title, v.verdict) for v in votes} == {
        ("Naltrexone for pain", "include"),
        ("Knee surgery outcomes", "exclude"),
        ("Low-dose naltrexone in CRPS", "include"),
    }
    imported = votes[0].reviewer
    assert imported.username == f"imported (review {world.review.pk})"
    assert not imported.is_active and not imported.has_usable_password()
    assert world.review.memberships.filter(user=imported, role="reviewer").exists()
    assert votes.get(record__title="Knee surgery outcomes").note == (
        "Imported from ASReview: included = 0 (asreview.csv)"
    )
    # One vote of two: still at title/abstract until the team's own vote.
    knee = Record.objects.get(title="Knee surgery outcomes")
    assert knee.state == RecordState.TA
    cast_vote(record=knee, stage=Stage.TITLE_ABSTRACT, reviewer=world.reviewer, verdict="exclude")
    knee.refresh_from_db()
    assert knee.state == RecordState.TA_EXCLUDED
    flow, violations = review_flow(review=world.review)
    assert violations == []
