"""The shared test world: one review with an owner, a lead, two reviewers, a viewer,
and an outsider who belongs to another review.

Tests not marked `services` run Celery tasks eagerly in-process (the embedded default);
`services` tests talk to a real worker (see tests/services_conftest.py via the
`celery_worker_process` fixture).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from reviewapp import services
from reviewapp.models import Membership, Review, Role

pytest_plugins = ["tests.services_fixtures"]

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    review: Review
    owner: object
    lead: object
    reviewer: object
    reviewer2: object
    viewer: object
    outsider: object
    other_review: Review

    def user(self, role: str):
        return getattr(self, role)

    def membership(self, user) -> Membership:
        return Membership.objects.get(review=self.review, user=user)


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        email=extra.pop("email", f"{username}@example.org"),
        **extra,
    )


@pytest.fixture
def world(db) -> World:
    owner = make_user("olivia")
    lead = make_user("liam")
    reviewer = make_user("rita")
    reviewer2 = make_user("rafael")
    viewer = make_user("vera")
    outsider = make_user("oscar")
    review = services.create_review(
        owner=owner, title="Low-dose naltrexone for chronic pain", protocol_id="CRD42020000000"
    )
    for user, role in [
        (lead, Role.LEAD),
        (reviewer, Role.REVIEWER),
        (reviewer2, Role.REVIEWER),
        (viewer, Role.VIEWER),
    ]:
        Membership.objects.create(review=review, user=user, role=role, added_by=owner)
    other_review = services.create_review(owner=outsider, title="Another team's review")
    return World(review, owner, lead, reviewer, reviewer2, viewer, outsider, other_review)


@pytest.fixture
def client_for(client):
    """`client_for(user)` logs the test client in as `user` (or out, for None)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _eager_celery_unless_services(request, monkeypatch):
    """Outside `services` tests, tasks run in-process even when a broker is configured,
    so the whole suite runs the same against SQLite and against PostgreSQL.

    Through `monkeypatch`, so a test that changes it again is undone in the right order
    (a test's own restore must not leave every later test eager: the worker would never
    see a task)."""
    if request.node.get_closest_marker("services"):
        return
    from reviewapp.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def pytest_configure(config):
    # The default PBKDF2 hasher is slow on purpose; tests create many users.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Imports run where the test can see them finish (tests/security/test_embedded_locks.py
    # runs them in their thread, as `make run` does).
    settings.IMPORT_IN_THREAD = False


_skipped_required: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and os.environ.get("REQUIRE_SERVICE_TESTS") == "1":
        keywords = report.keywords
        if "services" in keywords or "browser" in keywords:
            _skipped_required.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    # .ci/run sets REQUIRE_SERVICE_TESTS=1: a skipped services or browser test fails the run.
    if _skipped_required:
        print(f"\nERROR: {len(_skipped_required)} services/browser tests were skipped:")
        for nodeid in _skipped_required[:20]:
            print("  ", nodeid)
        session.exitstatus = 1
