"""Sessions read from the shared cache (`cached_db`, the engine whenever Redis is the
cache) end as database sessions do: a logout, or a password change made in another
session, refuses the old cookie at once."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

CACHED_DB = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = CACHED_DB


def _api(world) -> str:
    return f"/api/reviews/{world.review.pk}/"


def _with_cookie(session_id: str) -> Client:
    client = Client()
    client.cookies["sessionid"] = session_id
    return client


def test_a_session_is_read_from_the_cache_not_the_database(
    world, client, cached_sessions, django_assert_num_queries
):
    client.force_login(world.reviewer)
    assert client.get(_api(world)).status_code == 200
    with django_assert_num_queries(1):  # the user with the membership; no session query
        assert client.get(_api(world)).status_code == 200


def test_a_logout_ends_a_cached_session(world, client, cached_sessions):
    client.force_login(world.reviewer)
    session_id = client.cookies["sessionid"].value
    assert _with_cookie(session_id).get(_api(world)).status_code == 200
    client.post(reverse("logout"))
    assert _with_cookie(session_id).get(_api(world)).status_code == 401


def test_a_password_change_ends_the_other_cached_sessions(world, cached_sessions):
    elsewhere = Client()
    elsewhere.force_login(world.reviewer)
    assert elsewhere.get(_api(world)).status_code == 200
    here = Client()
    here.force_login(world.reviewer)
    changed = here.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "n3w-Passphrase!",
            "new_password2": "n3w-Passphrase!",
        },
    )
    assert changed.status_code == 302
    assert here.get(_api(world)).status_code == 200
    assert elsewhere.get(_api(world)).status_code == 401
