"""The RoB 2 algorithm's proposals come back with the assessor's own answers (not only
inside a refusal, nor only once both assessors are done); blinding hides them with the
values."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.extraction.factories import make_study

DOMAIN_1_LOW = {"1.1": "Y", "1.2": "Y", "1.3": "N"}


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(world, study, what):
    return f"/api/reviews/{world.review.pk}/studies/{study.pk}/rob2/{what}/"


def test_an_assessor_reads_the_proposals_for_their_answers(world):
    study = make_study(world.review, title="A randomised trial of LDN")
    client = _api(world.reviewer)
    before = client.get(_url(world, study, "mine")).json()
    assert [d["proposed"] for d in before["proposed"]["domains"]] == [None] * 5

    saved = client.put(_url(world, study, "mine"), {"values": DOMAIN_1_LOW}, format="json")
    assert saved.status_code == 200, saved.content
    domains = saved.json()["proposed"]["domains"]
    assert domains[0] == {**domains[0], "domain": 1, "proposed": "low", "missing": []}
    assert domains[1]["proposed"] is None and domains[1]["missing"]
    assert saved.json()["proposed"]["overall"]["proposed"] is None
    assert client.get(_url(world, study, "mine")).json()["proposed"] == saved.json()["proposed"]


def test_another_assessors_proposals_stay_hidden_with_their_answers(world):
    study = make_study(world.review, title="A randomised trial of LDN")
    _api(world.reviewer).put(_url(world, study, "mine"), {"values": DOMAIN_1_LOW}, format="json")
    _api(world.reviewer2).put(_url(world, study, "mine"), {"values": {"1.1": "N"}}, format="json")
    sheets = _api(world.reviewer2).get(_url(world, study, "sheets")).json()
    theirs = next(s for s in sheets if s["assessor"] == world.reviewer.username)
    assert theirs["hidden"] is True and theirs["values"] is None and theirs["proposed"] is None


def test_extraction_sheets_have_no_proposals(world):
    study = make_study(world.review, title="A randomised trial of LDN")
    url = f"/api/reviews/{world.review.pk}/studies/{study.pk}/extraction/mine/"
    assert _api(world.reviewer).get(url).json()["proposed"] is None


def test_an_outsider_gets_404_and_a_viewer_403(world):
    study = make_study(world.review, title="A randomised trial of LDN")
    assert _api(world.outsider).get(_url(world, study, "mine")).status_code == 404
    assert _api(world.viewer).get(_url(world, study, "mine")).status_code == 403
