"""Reviews: create, dashboard, edit (pages and database)."""

from reviewapp.models import Membership, Review, Role
from tests.conftest import make_user


def test_it_creates_a_review_with_the_creator_as_owner(client_for, db):
    user = make_user("newbie")
    client = client_for(user)
    response = client.post(
        "/reviews/new/",
        {
            "title": "LDN for CRPS",
            "question": "Does LDN relieve pain?",
            "protocol_id": "CRD42020111111",
        },
    )
    review = Review.objects.get(title="LDN for CRPS")
    assert response.status_code == 302 and response["Location"] == f"/reviews/{review.pk}/"
    assert review.protocol_id == "CRD42020111111"
    assert Membership.objects.get(review=review).role == Role.OWNER


def test_it_refuses_a_review_without_title(client_for, db):
    client = client_for(make_user("newbie"))
    response = client.post("/reviews/new/", {"title": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert Review.objects.count() == 0


def test_it_lists_only_my_reviews_on_home(client_for, world):
    response = client_for(world.reviewer).get("/")
    body = response.content.decode()
    assert world.review.title in body
    assert world.other_review.title not in body


def test_it_shows_the_dashboard_with_escaped_text(client_for, world):
    world.review.title = "<script>alert(1)</script>"
    world.review.save()
    body = client_for(world.viewer).get(f"/reviews/{world.review.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    assert 'data-testid="count-members">5<' in body


def test_it_lets_the_lead_edit_details(client_for, world):
    client = client_for(world.lead)
    response = client.post(
        f"/reviews/{world.review.pk}/edit/",
        {"title": "New title", "question": "Q?", "protocol_id": "X1"},
    )
    assert response.status_code == 302
    world.review.refresh_from_db()
    assert (world.review.title, world.review.question, world.review.protocol_id) == (
        "New title",
        "Q?",
        "X1",
    )


def test_it_forbids_a_reviewer_to_edit_details(client_for, world):
    response = client_for(world.reviewer).post(
        f"/reviews/{world.review.pk}/edit/", {"title": "Hacked"}
    )
    assert response.status_code == 403
    world.review.refresh_from_db()
    assert world.review.title != "Hacked"


def test_dashboard_query_count_does_not_grow_with_the_review(client_for, world):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_batch, make_record

    client = client_for(world.viewer)
    url = f"/reviews/{world.review.pk}/"
    cache.clear()  # the team's progress figures are shared for a few seconds: count both
    with CaptureQueriesContext(connection) as empty:
        client.get(url)
    for source in ("PubMed", "Embase", "Web of Science"):
        batch = make_batch(world.review, source_name=source)
        for _ in range(20):
            make_record(batch)
    cache.clear()
    with CaptureQueriesContext(connection) as full:
        assert client.get(url).status_code == 200
    assert len(full) == len(empty) <= 30
