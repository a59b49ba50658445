"""Odd input answers 400 or 404 with a message, never 500: ids past 64 bits, NUL bytes,
JSON bodies that are not objects, non-digit record ids, titles with line breaks."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reviewapp import services as review_services
from screening.models import CandidatePair, ExclusionReason
from screening.services import dedupe as dedupe_services
from tests.factories import make_batch, make_record

HUGE = "99999999999999999999999"  # past 64 bits


def _patterns(resolver, prefix=""):
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            yield from _patterns(item, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern)


def test_every_object_id_in_every_url_is_a_bounded_id():
    routes = list(_patterns(get_resolver()))
    assert any("<id:review_id>" in r for r in routes)
    assert not [r for r in routes if "<int:" in r], "use <id:…> (reviewapp/converters.py)"


@pytest.mark.parametrize("path", ["/reviews/{huge}/", "/api/reviews/{huge}/", "/reviews/0/"])
def test_an_id_past_64_bits_is_a_404(client_for, world, path):
    response = client_for(world.lead).get(path.format(huge=HUGE))
    assert response.status_code == 404


def test_a_record_id_past_64_bits_in_a_review_is_a_404(client_for, world):
    url = reverse("api:review_detail", args=[world.review.pk]).rstrip("/")
    response = client_for(world.lead).get(f"{url}/imports/{HUGE}/")
    assert response.status_code == 404


@pytest.mark.parametrize("param", ["q", "source", "state"])
def test_nul_in_a_query_parameter_is_a_400(client_for, world, param):
    client = client_for(world.lead)
    for url in (
        reverse("record_list", args=[world.review.pk]),
        reverse("api:record_list", args=[world.review.pk]),
    ):
        response = client.get(url, {param: "nal\x00trexone"})
        assert response.status_code == 400, url
        assert "NUL" in response.content.decode()


def test_nul_in_a_form_field_is_a_400(client_for, world):
    response = client_for(world.lead).post(
        reverse("review_edit", args=[world.review.pk]), {"title": "A\x00B"}
    )
    assert response.status_code == 400
    world.review.refresh_from_db()
    assert "\x00" not in world.review.title


def test_a_json_array_body_is_a_400(client_for, world):
    url = reverse("api:reason_list", args=[world.review.pk])
    before = ExclusionReason.objects.count()
    response = client_for(world.lead).post(
        url, [{"stage": "ta", "label": "x"}], content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON object" in response.json()["detail"]
    response = client_for(world.lead).post(
        url, {"stage": "ta", "label": "bad\x00label"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert ExclusionReason.objects.count() == before


@pytest.fixture
def group(world):
    batch = make_batch(world.review)
    a = make_record(batch, title="Same trial", doi="10.1/a")
    b = make_record(batch, title="Same trial", doi="10.1/a")
    pair = CandidatePair.objects.create(
        review=world.review, record_a=a, record_b=b, score=1, automatic=False
    )
    return dedupe_services.confirm_pair(pair=pair, actor=world.lead)


@pytest.mark.parametrize("value", ["abc", "-1", HUGE, "1e3"])
@pytest.mark.parametrize("action", ["group_unmerge", "group_primary"])
def test_a_non_digit_record_on_a_group_action_is_refused(client_for, world, group, action, value):
    """Refused with a message on the page (302 back), never a 500, and the group is kept whole."""
    members = set(group.records.values_list("pk", flat=True))
    response = client_for(world.lead).post(
        reverse(action, args=[world.review.pk, group.pk]), {"record": value}, follow=True
    )
    assert response.redirect_chain and response.redirect_chain[0][1] == 302
    assert "Choose a record of this group." in response.content.decode()
    assert set(group.records.values_list("pk", flat=True)) == members


def test_api_unmerge_refuses_ids_past_64_bits(client_for, world, group):
    url = reverse("api:duplicate_group_unmerge", args=[world.review.pk, group.pk])
    response = client_for(world.lead).post(
        url, {"records": [int(HUGE)]}, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("title", ["Trial\r\nBcc: all@example.org", "A\u2028B", "A\nB"])
def test_review_titles_are_single_line(world, title):
    review = review_services.create_review(owner=world.owner, title=title)
    assert "\n" not in review.title and "\r" not in review.title and "\u2028" not in review.title
    review_services.update_review(review=world.review, title=title)
    world.review.refresh_from_db()
    assert world.review.title == " ".join(title.split())


def test_adding_a_member_to_a_review_titled_with_a_header_injection_works(client_for, world):
    review_services.update_review(review=world.review, title="Trial\r\nBcc: all@example.org")
    response = client_for(world.owner).post(
        reverse("member_add", args=[world.review.pk]),
        {"who": "newcomer@example.org", "role": "reviewer"},
    )
    assert response.status_code in (200, 302)
