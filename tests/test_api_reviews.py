"""REST: reviews and members, with token and session authentication."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reviewapp.models import Invitation, Membership, Review, Role
from tests.conftest import make_user


@pytest.fixture
def api_for(db):
    def _make(user):
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}"
        )
        return client

    return _make


def test_it_lists_my_reviews_with_my_role(api_for, world):
    data = api_for(world.reviewer).get("/api/reviews/").json()
    assert [(r["id"], r["my_role"]) for r in data["results"]] == [(world.review.pk, "reviewer")]


def test_it_creates_a_review(api_for, world):
    response = api_for(world.outsider).post(
        "/api/reviews/", {"title": "API review", "protocol_id": "P1"}, format="json"
    )
    assert response.status_code == 201, response.content
    review = Review.objects.get(pk=response.json()["id"])
    assert response.json()["my_role"] == "owner"
    assert review.memberships.get().user == world.outsider


def test_it_patches_a_review_as_lead_only(api_for, world):
    url = f"/api/reviews/{world.review.pk}/"
    assert api_for(world.reviewer).patch(url, {"title": "x"}, format="json").status_code == 403
    response = api_for(world.lead).patch(url, {"title": "Better title"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Better title"
    world.review.refresh_from_db()
    assert world.review.title == "Better title"


def test_it_hides_a_review_from_outsiders(api_for, world):
    assert api_for(world.outsider).get(f"/api/reviews/{world.review.pk}/").status_code == 404
    assert APIClient().get(f"/api/reviews/{world.review.pk}/").status_code == 401


def test_it_lists_and_adds_members(api_for, world):
    owner = api_for(world.owner)
    url = f"/api/reviews/{world.review.pk}/members/"
    assert {m["username"] for m in owner.get(url).json()} == {
        "olivia",
        "liam",
        "rita",
        "rafael",
        "vera",
    }
    make_user("nina")
    response = owner.post(url, {"who": "nina", "role": "viewer"}, format="json")
    assert response.status_code == 201 and response.json()["role"] == "viewer"
    response = owner.post(url, {"who": "new@uni.edu", "role": "reviewer"}, format="json")
    assert response.status_code == 202 and Invitation.objects.filter(email="new@uni.edu").exists()
    response = owner.post(url, {"who": "nina"}, format="json")
    assert response.status_code == 400 and "already a member" in str(response.json())


def test_it_deletes_members_with_the_owner_rule(api_for, world):
    target = world.membership(world.reviewer2)
    url = f"/api/reviews/{world.review.pk}/members/{target.pk}/"
    assert api_for(world.lead).delete(url).status_code == 403
    assert api_for(world.reviewer2).delete(url).status_code == 204  # leaving
    assert not Membership.objects.filter(pk=target.pk).exists()
    owner_membership = world.membership(world.owner)
    response = api_for(world.owner).delete(
        f"/api/reviews/{world.review.pk}/members/{owner_membership.pk}/"
    )
    assert (
        response.status_code == 400 and Membership.objects.filter(pk=owner_membership.pk).exists()
    )


def test_it_changes_a_role(api_for, world):
    target = world.membership(world.viewer)
    response = api_for(world.owner).patch(
        f"/api/reviews/{world.review.pk}/members/{target.pk}/", {"role": "lead"}, format="json"
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.role == Role.LEAD


def test_the_schema_documents_the_endpoints(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/reviews/{review_id}/members/" in paths
    assert "/api/reviews/" in paths
    assert client.get("/api/docs/").status_code == 200


def test_it_deletes_a_member_from_the_collection(api_for, world):
    url = f"/api/reviews/{world.review.pk}/members/"
    assert api_for(world.reviewer).delete(url + "?username=rafael").status_code == 403
    assert api_for(world.owner).delete(url).status_code == 400
    assert api_for(world.owner).delete(url + "?username=rafael").status_code == 204
    assert not Membership.objects.filter(review=world.review, user=world.reviewer2).exists()
    viewer = world.membership(world.viewer)
    assert api_for(world.viewer).delete(url + f"?member={viewer.pk}").status_code == 204
    assert api_for(world.owner).delete(url + "?username=nobody").status_code == 404


def test_the_whole_schema_is_valid_and_has_no_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    text = (tmp_path / "schema.yml").read_text()
    for route in (
        "/imports/",
        "/duplicates/pairs/",
        "/queue/next/",
        "/votes/",
        "/prisma/",
        "/records/",
        "/evidence-table/",
        "/ranking/",
    ):
        assert route in text, route
