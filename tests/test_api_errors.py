"""A service's refusal reaches an API client as 400 with its sentences, through the one
exception handler (reviewapp/api_errors.py): the exact bodies clients rely on."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from extraction.services.forms import use_seed_template
from reviewapp.models import Membership, Role
from screening.models import CandidatePair, PairStatus
from tests.extraction.factories import make_study
from tests.factories import make_batch, make_record

pytestmark = pytest.mark.django_db

LAST_OWNER_LEAVES = "The last owner cannot leave; make someone else owner first."


def _api(world, path=""):
    return f"/api/reviews/{world.review.pk}/{path}"


def test_review_field_errors_stay_keyed_by_field(client_for, world):
    response = client_for(world.lead).patch(
        _api(world), {"protocol_id": "x" * 101}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "protocol_id": ["Ensure this field has no more than 100 characters."]
    }


def test_member_refusals_answer_detail(client_for, world):
    owner = client_for(world.owner)
    unknown = owner.post(_api(world, "members/"), {"who": "nobody"})
    assert unknown.status_code == 400
    assert unknown.json() == {"detail": ["Nobody here has the username “nobody”."]}

    me = Membership.objects.get(review=world.review, user=world.owner)
    by_id = owner.delete(_api(world, f"members/{me.pk}/"))
    by_query = owner.delete(_api(world, f"members/?member={me.pk}"))
    step_down = owner.patch(
        _api(world, f"members/{me.pk}/"), {"role": "lead"}, content_type="application/json"
    )
    assert (by_id.status_code, by_query.status_code, step_down.status_code) == (400, 400, 400)
    assert by_id.json() == by_query.json() == {"detail": [LAST_OWNER_LEAVES]}
    assert step_down.json() == {
        "detail": ["The last owner cannot step down; make someone else owner first."]
    }
    assert Membership.objects.get(pk=me.pk).role == Role.OWNER


def test_a_decided_pair_answers_400(client_for, world):
    batch = make_batch(world.review)
    a, b = make_record(batch), make_record(batch)
    pair = CandidatePair.objects.create(
        review=world.review, record_a=a, record_b=b, score=0.9, automatic=False
    )
    lead = client_for(world.lead)
    assert lead.post(_api(world, f"duplicates/pairs/{pair.pk}/reject/")).status_code == 200
    again = lead.post(_api(world, f"duplicates/pairs/{pair.pk}/confirm/"))
    assert again.status_code == 400
    assert again.json() == {"detail": ["This pair has already been decided."]}
    assert CandidatePair.objects.get(pk=pair.pk).status == PairStatus.REJECTED


def test_stopping_refusals_answer_400(client_for, world):
    response = client_for(world.lead).post(
        _api(world, "ranking/stops/"), {"rule": "lead"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": ["Nothing has been screened yet: there is no evidence to stop on."]
    }


def test_import_refusals_answer_400(
    client_for, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    lead = client_for(world.lead)
    done = make_batch(world.review)
    retry = lead.post(_api(world, f"imports/{done.pk}/retry/"))
    assert retry.status_code == 400
    assert retry.json() == {"detail": ["This import has finished; there is nothing to retry."]}

    content = b"TY  - JOUR\nTI  - Naltrexone for fibromyalgia\nER  - \n"
    with django_capture_on_commit_callbacks(execute=True):  # the worker imports it
        first = lead.post(
            _api(world, "imports/"),
            {"file": SimpleUploadedFile("a.ris", content), "source_name": "PubMed"},
        )
    again = lead.post(
        _api(world, "imports/"),
        {"file": SimpleUploadedFile("b.ris", content), "source_name": "PubMed"},
    )
    assert first.status_code == 202 and again.status_code == 400
    assert list(again.json()) == ["detail"] and len(again.json()["detail"]) == 1
    assert again.json()["detail"][0].startswith("This file was already imported on ")


def test_extraction_refusals_keep_their_keys(client_for, world):
    use_seed_template(review=world.review, by=world.lead)
    study = make_study(world.review)
    mine = _api(world, f"studies/{study.pk}/extraction/mine/")
    bad = client_for(world.reviewer).put(
        mine, {"values": {"sample_size": "many"}}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json() == {"sample_size": ["Enter a number."]}
    form = client_for(world.lead).put(
        _api(world, "extraction/form/"),
        {"definition": {"format": "nope"}},
        content_type="application/json",
    )
    assert form.status_code == 400
    assert form.json() == {
        "definition": ["Not an extraction form: expected format 'reviewapp.extraction_form'."]
    }
