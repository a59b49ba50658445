"""A review-scoped request reads the user with their membership in one statement
(reviewapp.access.AuthenticationMiddleware); `get_review_for` still decides: an outsider
gets 404, a low role 403, an inactive user or a stale session nothing at all."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.test import Client

CACHED_DB = "django.contrib.sessions.backends.cached_db"


@pytest.fixture(autouse=True)
def _cached_sessions(settings):
    settings.SESSION_ENGINE = CACHED_DB  # production's: no session query to count


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queue(world) -> str:
    return f"/api/reviews/{world.review.pk}/queue/next/"


def test_a_member_is_read_with_the_membership_in_one_statement(world, django_assert_num_queries):
    client = _client(world.viewer)
    with django_assert_num_queries(1):
        assert client.get(f"/api/reviews/{world.review.pk}/").status_code == 200


def test_an_outsider_gets_404_without_a_second_membership_read(world, django_assert_num_queries):
    client = _client(world.outsider)
    with django_assert_num_queries(2):  # membership (none), then the user alone
        assert client.get(f"/api/reviews/{world.review.pk}/").status_code == 404
    assert client.get(f"/api/reviews/{world.other_review.pk}/").status_code == 200


def test_a_low_role_gets_403(world):
    assert _client(world.viewer).get(_queue(world)).status_code == 403
    assert _client(world.reviewer).get(_queue(world)).status_code == 200


def test_an_inactive_member_is_not_logged_in(world):
    client = _client(world.reviewer)
    world.reviewer.is_active = False
    world.reviewer.save()
    assert client.get(_queue(world)).status_code == 401


def test_a_session_without_the_current_hash_is_ended(world):
    client = _client(world.reviewer)
    session = client.session
    session[HASH_SESSION_KEY] = "stale"
    session.save()
    assert client.get(_queue(world)).status_code == 401
    assert client.get(_queue(world)).status_code == 401  # flushed: stays logged out


def test_a_page_reads_the_member_the_same_way(world):
    from django.urls import reverse

    assert (
        _client(world.outsider).get(reverse("review_dashboard", args=[world.review.pk])).status_code
        == 404
    )
    assert (
        _client(world.viewer).get(reverse("review_dashboard", args=[world.review.pk])).status_code
        == 200
    )
