"""Dual extraction: autosave, blinding (pages and API), done, consensus, history."""

import pytest

from extraction.models import Consensus, ConsensusEvent, EventAction, Instrument, Sheet, SheetEvent
from extraction.selectors import evidence_table
from extraction.services.forms import use_seed_template
from tests.extraction.factories import make_study

HTMX = {"HTTP_HX_REQUEST": "true"}
COMPLETE = {
    "authors": "Younger J",
    "publication_date": "2013-02",
    "title": "LDN for fibromyalgia",
    "study_type": "prospective_study",
    "sample_size": "31",
    "mean_age": "45",
}


@pytest.fixture
def study(world):
    use_seed_template(review=world.review, by=world.lead)
    return make_study(world.review, title="Low-dose naltrexone for fibromyalgia")


def _sheet_url(world, study, instrument="extraction"):
    return f"/reviews/{world.review.pk}/studies/{study.pk}/{instrument}/"


def _fill(client_for, world, study, user, values, *, done=True):
    client = client_for(user)
    response = client.post(_sheet_url(world, study), values, **HTMX)
    assert response.status_code == 200, response.content
    if done:
        client.post(_sheet_url(world, study) + "done/", {"action": "done"})
    return response


def test_autosave_claims_a_slot_and_is_idempotent(client_for, world, study):
    response = _fill(
        client_for, world, study, world.reviewer, {"sample_size": "31 participants"}, done=False
    )
    assert b'id="sheet-status"' in response.content and b"Saved" in response.content
    sheet = Sheet.objects.get(study=study, assessor=world.reviewer)
    assert sheet.slot == 1 and sheet.values == {"sample_size": 31}
    events = SheetEvent.objects.filter(sheet=sheet, action=EventAction.SET).count()
    again = _fill(client_for, world, study, world.reviewer, {"sample_size": "31"}, done=False)
    assert b"Up to date" in again.content
    assert SheetEvent.objects.filter(sheet=sheet, action=EventAction.SET).count() == events


def test_a_bad_value_is_reported_and_the_rest_saved(client_for, world, study):
    response = _fill(
        client_for,
        world,
        study,
        world.reviewer,
        {"sample_size": "3,5", "dose": "4.5 mg"},
        done=False,
    )
    assert b"decimal separator" in response.content
    assert b'id="err-sample_size"' in response.content
    sheet = Sheet.objects.get(study=study, assessor=world.reviewer)
    assert sheet.values == {"dose": "4.5 mg"}


def test_a_viewer_cannot_extract(client_for, world, study):
    response = client_for(world.viewer).post(_sheet_url(world, study), {"dose": "1"})
    assert response.status_code == 403
    assert not Sheet.objects.exists()


def test_the_second_extractor_is_blind_until_both_are_done(client_for, world, study):
    _fill(client_for, world, study, world.reviewer, {**COMPLETE, "dose": "SECRET-DOSE-A"})
    assert Sheet.objects.get(assessor=world.reviewer).is_done
    # The second extractor sees an empty form and a blinded comparison.
    client = client_for(world.reviewer2)
    page = client.get(_sheet_url(world, study))
    assert b"SECRET-DOSE-A" not in page.content
    compare = client.get(_sheet_url(world, study) + "compare/")
    assert b"SECRET-DOSE-A" not in compare.content and b"Blind until" in compare.content
    api = client.get(f"/api/reviews/{world.review.pk}/studies/{study.pk}/extraction/sheets/").json()
    assert api == [
        {
            "slot": 1,
            "assessor": "rita",
            "done": True,
            "hidden": True,
            "values": None,
            "proposed": None,
        }
    ]
    assert b"SECRET-DOSE-A" not in client.get(f"/reviews/{world.review.pk}/evidence/").content
    _fill(client_for, world, study, world.reviewer2, {**COMPLETE, "dose": "4.5 mg/day"})
    compare = client_for(world.reviewer2).get(_sheet_url(world, study) + "compare/")
    assert b"SECRET-DOSE-A" in compare.content and b"4.5 mg/day" in compare.content
    assert compare.content.count(b'data-differs="1"') == 1


def test_a_third_reviewer_finds_the_slots_taken(client_for, world, study):
    from tests.conftest import make_user

    third = make_user("tess")
    world.review.memberships.create(user=third, role="reviewer")
    _fill(client_for, world, study, world.reviewer, {"dose": "a"}, done=False)
    _fill(client_for, world, study, world.reviewer2, {"dose": "b"}, done=False)
    page = client_for(third).get(_sheet_url(world, study))
    assert b"already has its 2 extractors" in page.content
    response = client_for(third).post(_sheet_url(world, study), {"dose": "c"})
    assert response.status_code == 302
    assert not Sheet.objects.filter(assessor=third).exists()


def test_done_needs_the_required_fields(client_for, world, study):
    _fill(client_for, world, study, world.reviewer, {"dose": "4.5"}, done=True)
    assert not Sheet.objects.get(assessor=world.reviewer).is_done
    _fill(client_for, world, study, world.reviewer, COMPLETE, done=True)
    assert Sheet.objects.get(assessor=world.reviewer).is_done
    # Done sheets are not edited until reopened.
    client = client_for(world.reviewer)
    client.post(_sheet_url(world, study), {"dose": "changed"})
    assert "dose" not in Sheet.objects.get(assessor=world.reviewer).values
    client.post(_sheet_url(world, study) + "done/", {"action": "reopen"})
    client.post(_sheet_url(world, study), {**COMPLETE, "dose": "changed"})
    assert Sheet.objects.get(assessor=world.reviewer).values["dose"] == "changed"


def test_the_lead_records_consensus_and_nothing_is_lost(client_for, world, study):
    _fill(client_for, world, study, world.reviewer, {**COMPLETE, "mean_age": "45"})
    _fill(client_for, world, study, world.reviewer2, {**COMPLETE, "mean_age": "44"})
    lead = client_for(world.lead)
    response = lead.post(
        _sheet_url(world, study) + "consensus/", {"key": "mean_age", "source": "b"}
    )
    assert response.status_code == 302
    consensus = Consensus.objects.get(study=study, instrument=Instrument.EXTRACTION)
    assert consensus.values == {"mean_age": 44.0}
    lead.post(
        _sheet_url(world, study) + "consensus/",
        {"key": "mean_age", "source": "edited", "value": "44.5"},
    )
    consensus.refresh_from_db()
    assert consensus.values == {"mean_age": 44.5}
    assert list(ConsensusEvent.objects.values_list("source", flat=True)) == ["b", "edited"]
    # Both extractors' values are untouched.
    assert Sheet.objects.get(assessor=world.reviewer).values["mean_age"] == 45
    assert Sheet.objects.get(assessor=world.reviewer2).values["mean_age"] == 44
    table = evidence_table(review=world.review)
    row = table.rows[0]
    assert row.cells["extraction/mean_age"] == 44.5
    assert row.sources["extraction/mean_age"] == "consensus"
    assert (
        row.cells["extraction/sample_size"] == 31
        and row.sources["extraction/sample_size"] == "agreed"
    )


def test_extractors_record_consensus_only_once_both_are_done(client_for, world, study):
    _fill(client_for, world, study, world.reviewer, {**COMPLETE, "mean_age": "45"})
    _fill(client_for, world, study, world.reviewer2, {**COMPLETE, "mean_age": "44"}, done=False)
    url = _sheet_url(world, study) + "consensus/"
    response = client_for(world.reviewer).post(url, {"key": "mean_age", "source": "a"})
    assert response.status_code == 403
    assert not Consensus.objects.exists()
    client_for(world.reviewer2).post(_sheet_url(world, study) + "done/", {"action": "done"})
    client_for(world.reviewer).post(url, {"key": "mean_age", "source": "a"})
    assert Consensus.objects.get().values == {"mean_age": 45}


def test_the_api_saves_my_values_all_or_nothing_and_blinds(client_for, world, study):
    mine = f"/api/reviews/{world.review.pk}/studies/{study.pk}/extraction/mine/"
    client = client_for(world.reviewer)
    bad = client.put(
        mine, {"values": {"sample_size": "many", "dose": "x"}}, content_type="application/json"
    )
    assert bad.status_code == 400 and "sample_size" in bad.json()
    assert not Sheet.objects.filter(values__has_key="dose").exists()
    ok = client.put(mine, {"values": COMPLETE, "done": True}, content_type="application/json")
    assert (
        ok.status_code == 200
        and ok.json()["done"] is True
        and ok.json()["values"]["sample_size"] == 31
    )
    other = client_for(world.reviewer2)
    assert other.get(mine).json()["values"] == {}
    consensus = f"/api/reviews/{world.review.pk}/studies/{study.pk}/extraction/consensus/"
    assert (
        other.put(
            consensus, {"key": "dose", "source": "a"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client_for(world.viewer).get(consensus).json()["values"] == {}
    lead = client_for(world.lead)
    sheets = lead.get(
        f"/api/reviews/{world.review.pk}/studies/{study.pk}/extraction/sheets/"
    ).json()
    assert sheets[0]["hidden"] is False and sheets[0]["values"]["authors"] == "Younger J"
    put = lead.put(
        consensus,
        {"key": "dose", "source": "edited", "value": "4.5 mg"},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["values"] == {"dose": "4.5 mg"}


def test_single_extraction_uses_the_one_extractors_values(client_for, world, study):
    client_for(world.lead).post(
        f"/reviews/{world.review.pk}/extraction/settings/",
        {
            "assessors_per_study": 1,
            "rob2_effect": "assignment",
            "domains": "selection | Selection bias",
        },
    )
    _fill(client_for, world, study, world.reviewer, {**COMPLETE}, done=False)
    page = client_for(world.reviewer2).get(_sheet_url(world, study))
    assert b"already has its 1 extractor" in page.content
    row = evidence_table(review=world.review).rows[0]
    assert (
        row.cells["extraction/sample_size"] == 31
        and row.sources["extraction/sample_size"] == "single"
    )


def test_the_lead_assigns_extractors(client_for, world, study):
    url = f"/reviews/{world.review.pk}/extraction/studies/{study.pk}/extraction/assign/"
    client_for(world.lead).post(url, {"slot": 2, "user": world.reviewer2.pk})
    sheet = Sheet.objects.get(study=study)
    assert sheet.slot == 2 and sheet.assessor == world.reviewer2
    _fill(client_for, world, study, world.reviewer2, {"dose": "x"}, done=False)
    client_for(world.lead).post(url, {"slot": 2, "user": world.reviewer.pk})
    assert Sheet.objects.get(study=study).assessor == world.reviewer2  # work is not taken away
