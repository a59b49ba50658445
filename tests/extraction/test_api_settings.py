"""The API covers the extraction settings page: extractors per study, the RoB 2 effect,
the domain tool's domains, and the seed extraction template (members read, a lead writes;
outsiders 404)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from extraction.models import ExtractionSettings, FormVersion
from extraction.services.forms import settings_for


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _settings_url(world):
    return f"/api/reviews/{world.review.pk}/extraction/settings/"


def _seed_url(world):
    return f"/api/reviews/{world.review.pk}/extraction/seed-template/"


@pytest.mark.parametrize("role", ["viewer", "reviewer", "lead"])
def test_members_read_the_settings(world, role):
    settings_for(review=world.review)
    response = _api(world.user(role)).get(_settings_url(world))
    assert response.status_code == 200
    body = response.json()
    assert body["assessors_per_study"] == 2
    assert body["domains"] and {"key", "name", "description"} <= set(body["domains"][0])


def test_an_outsider_gets_404(world):
    assert _api(world.outsider).get(_settings_url(world)).status_code == 404
    assert _api(world.outsider).get(_seed_url(world)).status_code == 404
    assert _api(world.outsider).post(_seed_url(world)).status_code == 404


def test_a_lead_sets_extractors_per_study_and_the_domains(world):
    response = _api(world.lead).patch(
        _settings_url(world),
        {
            "assessors_per_study": 1,
            "tool_name": "Our tool",
            "domains": [
                {"key": "selection", "name": "Selection of participants"},
                {"key": "confounding", "name": "Confounding", "description": "Measured?"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [d["key"] for d in response.json()["domains"]] == ["selection", "confounding"]
    stored = ExtractionSettings.objects.get(review=world.review)
    assert stored.assessors_per_study == 1
    assert stored.domain_tool["name"] == "Our tool"
    assert [d["name"] for d in stored.domain_tool["domains"]] == [
        "Selection of participants",
        "Confounding",
    ]


def test_a_reviewer_may_not_change_the_settings(world):
    response = _api(world.reviewer).patch(
        _settings_url(world), {"assessors_per_study": 1}, format="json"
    )
    assert response.status_code == 403
    assert settings_for(review=world.review).assessors_per_study == 2


def test_invalid_settings_are_refused(world):
    client = _api(world.lead)
    assert (
        client.patch(_settings_url(world), {"assessors_per_study": 3}, format="json").status_code
        == 400
    )
    assert client.patch(_settings_url(world), {"domains": []}, format="json").status_code == 400
    assert settings_for(review=world.review).assessors_per_study == 2


def test_members_read_the_seed_template_and_a_lead_uses_it(world):
    seed = _api(world.viewer).get(_seed_url(world))
    assert seed.status_code == 200 and seed.json()["sections"]
    assert _api(world.reviewer).post(_seed_url(world)).status_code == 403
    assert not FormVersion.objects.filter(review=world.review).exists()
    used = _api(world.lead).post(_seed_url(world))
    assert used.status_code == 201, used.content
    version = FormVersion.objects.get(review=world.review)
    assert used.json()["version"] == version.number
    assert used.json()["definition"] == seed.json() == version.definition


def test_the_rob_summary_takes_weighted_0_or_1(world):
    url = f"/api/reviews/{world.review.pk}/risk-of-bias/summary/"
    client = _api(world.viewer)
    assert client.get(url, {"weighted": "1"}).status_code == 200
    assert client.get(url, {"weighted": "yes"}).status_code == 400
