"""The Report page and endpoint on the seed review, through the real stack."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from screening.selectors.report import methods_facts
from tests.prisma_app.seed import import_seed, screen_seed


@pytest.fixture
def seed_review(world, django_capture_on_commit_callbacks):
    import_seed(world.review, world.lead, django_capture_on_commit_callbacks)
    screen_seed(world.review, [world.reviewer, world.reviewer2], world.lead)
    return world.review


def test_the_facts_add_up_to_the_prisma_numbers(seed_review):
    facts = methods_facts(review=seed_review)
    assert facts.records_identified == 336
    assert facts.duplicates_automatic + facts.duplicates_manual == 68
    assert [len(r.sources) for r in facts.rounds] == [3]
    ta, ft = facts.stages
    assert (ta.screened, ta.reviewers, ta.votes_needed) == (268, 2, 2)
    assert (ft.screened, facts.reports_sought, facts.reports_not_retrieved) == (51, 51, 0)
    assert facts.studies_included == 29


def test_the_lead_reads_the_text_with_every_number_linked(world, client_for, seed_review):
    page = client_for(world.lead).get(reverse("report", args=[seed_review.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "identified <a href=" in html and ">336</a> records" in html
    assert ">268</a> records" in html  # screened at title/abstract: never the paper's 232
    links = re.findall(r'<a href="([^"]+)" data-testid="methods-number">', html)
    assert links and all(f"/reviews/{seed_review.pk}/" in url for url in links)
    markdown = client_for(world.lead).get(reverse("report_markdown", args=[seed_review.pk]))
    assert "identified 336 records" in markdown.content.decode()


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_only_the_lead_and_owner_read_it(world, client_for, role):
    # It states agreement and conflict figures, which only the lead may see.
    assert (
        client_for(world.user(role)).get(reverse("report", args=[world.review.pk])).status_code
        == 403
    )
    assert client_for(world.owner).get(reverse("report", args=[world.review.pk])).status_code == 200


def test_the_api_gives_paragraphs_and_markdown(world, seed_review):
    api = APIClient()
    api.force_authenticate(world.lead)
    url = f"/api/reviews/{seed_review.pk}/report/methods/"
    body = api.get(url).json()
    assert body["paragraphs"][0]["heading"] == "Search"
    numbers = [p for para in body["paragraphs"] for p in para["parts"] if p["url"]]
    assert {"text": "336", "url": f"/reviews/{seed_review.pk}/records/"} in numbers
    assert "identified 336 records" in body["markdown"]
    assert "identified 336 records" in api.get(url + "?format=md").content.decode()
    api.force_authenticate(world.reviewer)
    assert api.get(url).status_code == 403
