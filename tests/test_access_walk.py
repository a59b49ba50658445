"""Walk every route of the URLconf as anonymous, outsider, viewer, reviewer, lead and owner.

A route missing from ROUTES fails the suite: a new page or endpoint must say who may use it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reviewapp.models import Invitation, Role

PUBLIC = "public"
LOGGED_IN = "logged_in"
ACTORS = ["anonymous", "outsider", "viewer", "reviewer", "lead", "owner"]
ROLE_OF_ACTOR = {
    "viewer": Role.VIEWER,
    "reviewer": Role.REVIEWER,
    "lead": Role.LEAD,
    "owner": Role.OWNER,
}

# name -> PUBLIC | LOGGED_IN | {HTTP method: least role}
ROUTES: dict[str, object] = {
    "home": LOGGED_IN,
    "login": PUBLIC,
    "logout": PUBLIC,
    "password_change": LOGGED_IN,
    "password_change_done": LOGGED_IN,
    "signup": PUBLIC,
    "api_token": LOGGED_IN,
    "invitation_accept": PUBLIC,
    "review_create": LOGGED_IN,
    "review_dashboard": {"GET": Role.VIEWER},
    "review_edit": {"GET": Role.LEAD, "POST": Role.LEAD},
    "members": {"GET": Role.VIEWER},
    "member_add": {"POST": Role.OWNER},
    "member_role": {"POST": Role.OWNER},
    "member_remove": {"POST": Role.OWNER},
    "review_leave": {"POST": Role.VIEWER},
    "api:root": PUBLIC,
    "api:schema": PUBLIC,
    "api:docs": PUBLIC,
    "api:review_list": LOGGED_IN,
    "api:review_detail": {"GET": Role.VIEWER, "PATCH": Role.LEAD},
    "api:member_list": {"GET": Role.VIEWER, "POST": Role.OWNER},
    "api:member_detail": {"GET": Role.VIEWER, "PATCH": Role.OWNER, "DELETE": Role.OWNER},
}


def _collect(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = entry.namespace or namespace
            if entry.namespace and namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from _collect(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern)


ALL_ROUTES = sorted(set(_collect(get_resolver().url_patterns)))


def test_it_lists_every_route():
    unnamed = [route for name, route in ALL_ROUTES if not name]
    assert not unnamed, f"routes without a name: {unnamed}"
    missing = sorted({name for name, _ in ALL_ROUTES} - set(ROUTES))
    assert not missing, f"routes with no access rule in ROUTES: {missing}"


def _kwargs_for(route: str, world) -> dict:
    """Values for each URL parameter, taken from the shared world."""
    invitation = Invitation.objects.create(
        review=world.review, email="new@example.org", invited_by=world.owner
    )
    values = {
        "review_id": world.review.pk,
        "member_id": world.membership(world.reviewer2).pk,
        "token": invitation.token,
    }
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    missing = [n for n in names if n not in values]
    assert not missing, f"test_access_walk does not know how to fill {missing} in {route}"
    return {n: values[n] for n in names}


def _request(client, method: str, url: str):
    data = {} if method in ("GET", "HEAD", "DELETE") else {}
    kwargs = (
        {"content_type": "application/json"}
        if url.startswith("/api/") and method in ("PATCH", "PUT")
        else {}
    )
    return (
        getattr(client, method.lower())(url, data, **kwargs)
        if method != "DELETE"
        else client.delete(url)
    )


def _login(client, world, actor):
    client.logout()
    if actor != "anonymous":
        client.force_login(world.user(actor))


SCOPED = [
    (name, route, method)
    for name, route in ALL_ROUTES
    if isinstance(ROUTES.get(name), dict)
    for method in ROUTES[name]
]
UNSCOPED = [(name, route) for name, route in ALL_ROUTES if ROUTES.get(name) in (PUBLIC, LOGGED_IN)]


@pytest.mark.parametrize(
    ("name", "route", "method"), SCOPED, ids=[f"{n}-{m}" for n, _, m in SCOPED]
)
def test_it_guards_review_scoped_route(client, world, name, route, method):
    url = reverse(name, kwargs=_kwargs_for(route, world))
    least = ROUTES[name][method]
    is_api = url.startswith("/api/")
    for actor in ACTORS:
        _login(client, world, actor)
        response = _request(client, method, url)
        status = response.status_code
        if actor == "anonymous":
            if is_api:
                assert status in (401, 403), f"{method} {url} as anonymous gave {status}"
            else:
                assert status == 302 and "/accounts/login/" in response["Location"], (
                    f"{method} {url} as anonymous gave {status}"
                )
        elif actor == "outsider":
            assert status == 404, f"{method} {url} as outsider gave {status}"
        elif ROLE_OF_ACTOR[actor].at_least(least):
            assert status not in (401, 403, 404, 500), f"{method} {url} as {actor} gave {status}"
        else:
            assert status == 403, f"{method} {url} as {actor} (needs {least}) gave {status}"


@pytest.mark.parametrize(("name", "route"), UNSCOPED, ids=[n for n, _ in UNSCOPED])
def test_it_guards_unscoped_route(client, world, name, route):
    url = reverse(name, kwargs=_kwargs_for(route, world))
    method = "POST" if name == "logout" else "GET"
    _login(client, world, "anonymous")
    anonymous = _request(client, method, url)
    _login(client, world, "outsider")
    signed_in = _request(client, method, url)
    if ROUTES[name] == LOGGED_IN:
        assert anonymous.status_code in (302, 401, 403), (
            f"{url} as anonymous gave {anonymous.status_code}"
        )
        assert signed_in.status_code == 200, f"{url} signed in gave {signed_in.status_code}"
    else:
        assert anonymous.status_code not in (401, 403, 500), (
            f"{url} as anonymous gave {anonymous.status_code}"
        )
        assert signed_in.status_code not in (401, 403, 500)
