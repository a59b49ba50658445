"""The shared test world: one review with an owner, a lead, two reviewers, a viewer,
and an outsider who belongs to another review.

Tests not marked `services` run Celery tasks eagerly in-process (the embedded default);
`services` tests talk to a real worker (see tests/services_conftest.py via the
`celery_worker_process` fixture).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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


@pytest.fixture(autouse=True)
def _fresh_queue_places():
    """Each test starts with no process-kept place in any ranked order: a rolled-back
    test's ids come again in the next test (SQLite), and a place kept for another
    test's order of the same ids and version would skip records."""
    from screening.services import queue

    queue._RANKED.clear()


_dedupe_cache_dirs: list[str] = []


def pytest_unconfigure(config):
    for folder in _dedupe_cache_dirs:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_configure(config):
    # The default PBKDF2 hasher is slow on purpose; tests create many users.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Imports run where the test can see them finish (tests/security/test_embedded_locks.py
    # runs them in their thread, as `make run` does).
    settings.IMPORT_IN_THREAD = False
    # Normalised records kept between dedupe runs (dedupe_cache.py) go to a folder of this
    # session's own (and of its Celery workers, through the environment), never var/.
    _dedupe_cache_dirs.append(tempfile.mkdtemp(prefix="reviewapp-dedupe-cache-"))
    settings.DEDUPE_CACHE_DIR = os.environ["DEDUPE_CACHE_DIR"] = _dedupe_cache_dirs[-1]
    worker_id = getattr(config, "workerinput", {}).get("workerid")
    if worker_id:
        _isolate_xdist_worker(settings, worker_id)


def _isolate_xdist_worker(settings, worker_id: str) -> None:
    """Under pytest-xdist (`-n 2`, as `make test` and .ci/run run), each worker process
    gets its own uploads folder and, with Redis, its own Redis database (broker and cache):
    pytest-django already gives it its own test database (`test_..._gw1`), and the ids
    there start again from 1, so shared file paths, queues or cache keys would collide.
    The environment is set too: the Celery worker a `services` test starts inherits it."""
    index = int(worker_id.removeprefix("gw"))
    media = Path(settings.MEDIA_ROOT) / worker_id
    settings.MEDIA_ROOT = media
    os.environ["MEDIA_ROOT"] = str(media)
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis"):
        return
    parts = urlsplit(broker)
    db = int(parts.path.strip("/") or 0) + index
    if db > 15:
        raise RuntimeError(
            f"xdist worker {worker_id} would need Redis db {db} (CELERY_BROKER_URL={broker}): "
            "run fewer workers or start from a lower db"
        )
    url = urlunsplit(parts._replace(path=f"/{db}"))
    os.environ["CELERY_BROKER_URL"] = url
    settings.CELERY_BROKER_URL = url
    if settings.CACHES["default"].get("LOCATION") == broker and not os.environ.get("CACHE_URL"):
        settings.CACHES["default"]["LOCATION"] = url
    from django.core.cache import caches

    caches.__dict__.pop("settings", None)  # read CACHES again, if it was read already
    from reviewapp.celery import app

    app.conf.broker_url = url


_skipped_required: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and os.environ.get("REQUIRE_SERVICE_TESTS") == "1":
        keywords = report.keywords
        if "services" in keywords or "browser" in keywords:
            _skipped_required.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    # .ci/run sets REQUIRE_SERVICE_TESTS=1: a skipped services or browser test fails the run.
    # Under pytest-xdist the controller receives every worker's reports and decides here.
    if hasattr(session.config, "workerinput"):
        return
    if _skipped_required:
        print(f"\nERROR: {len(_skipped_required)} services/browser tests were skipped:")
        for nodeid in _skipped_required[:20]:
            print("  ", nodeid)
        session.exitstatus = 1
