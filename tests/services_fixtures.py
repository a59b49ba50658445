"""Fixtures for tests against the real stack: a Celery worker process, a browser.

`services` tests need PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL); the
worker they start connects to the same test database as the test process. `browser`
tests drive Debian's Chromium through Playwright. Without those, the tests skip (and
.ci/run, which sets REQUIRE_SERVICE_TESTS=1, then fails).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
QUEUES = [queue.name for queue in settings.CELERY_TASK_QUEUES]
WORKER_DB_NAME = "tests-worker"  # the worker's PostgreSQL application_name


class WorkerProcess:
    """A real `celery worker` on the test database; kill() simulates a crashed machine."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        # Its own name, so control commands (see _drain) go to it alone and the first
        # reply ends the wait.
        self.name = f"tests-{os.getpid()}@localhost"

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "reviewapp",
                "worker",
                f"--hostname={self.name}",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"celery worker exited; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}"
                )
            if b"ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"celery worker not ready after {timeout}s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL, as when a machine dies: no clean-up, the task stays unacknowledged."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.log_path.write_bytes(b"")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _services_available() -> str | None:
    if not os.environ.get("CELERY_BROKER_URL"):
        return "CELERY_BROKER_URL is not set (tasks run eagerly)"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    return None


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mail")


_running: list[WorkerProcess] = []  # the session's worker, once a test has started it


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory, mail_dir):
    reason = _services_available()
    if reason:
        pytest.skip(reason)
    from reviewapp.celery import app

    db = settings.DATABASES["default"]
    # Named, so a test can find the worker's connections in pg_stat_activity.
    url = (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        f"?application_name={WORKER_DB_NAME}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    app.control.purge()  # tasks left over from an earlier, interrupted run
    _forget_unacknowledged()
    worker = WorkerProcess(env, tmp_path_factory.mktemp("worker") / "worker.log")
    worker.start()
    _running.append(worker)
    yield worker
    _running.remove(worker)
    worker.stop()


@pytest.fixture
def worker(celery_worker_process, transactional_db) -> WorkerProcess:
    """A running worker for one test; data the test writes is committed, so the worker sees it.

    Afterwards (pytest_runtest_teardown below), jobs the test left are dropped and the
    running one is waited for, so the database reset never races a job."""
    if celery_worker_process.proc.poll() is not None:
        celery_worker_process.start()
    _resume(celery_worker_process)
    return celery_worker_process


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Before any fixture is torn down (the database flush above all): every `services`
    test, not only those that asked for `worker`, may have queued jobs (a vote queues a
    retrain) that the session's worker, if one is running, would run against the reset."""
    if _running and (item.get_closest_marker("services") or "worker" in item.fixturenames):
        _drain(_running[0])


def _forget_unacknowledged() -> None:
    """Jobs a killed worker had taken stay in Redis, to be handed out again after the
    visibility timeout: in the middle of a later test. Ours alone use this Redis db."""
    from reviewapp.celery import app

    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        client.delete("unacked", "unacked_index", "unacked_mutex")


def _drain(worker: WorkerProcess, grace: float = 10) -> None:
    """Stop the worker taking jobs, wait until it is idle, and drop what is left.

    The worker runs one job at a time in its only thread (`--pool=solo`), and that thread
    also answers control messages: its replies come once the job it was running has
    finished, usually within milliseconds. First it stops consuming (the `worker`
    fixture resumes it), so no job a finishing job queued can start afterwards; a job
    it holds for later (a countdown, e.g. a retrain a few seconds apart) is revoked;
    then the queues are emptied. A job still running after `grace` seconds (the
    deduplication after a 8,000-record import) is not waited for: the worker is killed,
    and the next test that needs it starts it again."""
    from reviewapp.celery import app

    if worker.proc is None or worker.proc.poll() is not None:
        return
    deadline = time.monotonic() + grace
    only = {"destination": [worker.name], "limit": 1}
    app.control.purge()
    for queue in QUEUES:
        left = deadline - time.monotonic()
        if left <= 0 or not app.control.cancel_consumer(queue, reply=True, timeout=left, **only):
            break
    else:
        left = deadline - time.monotonic()
        replies = app.control.inspect(timeout=left, **only).scheduled() if left > 0 else None
        if replies is not None:
            ids = [entry["request"]["id"] for entry in replies.get(worker.name, [])]
            if ids:
                app.control.revoke(ids, **only)
            app.control.purge()
            return
    worker.kill()
    _forget_unacknowledged()
    app.control.purge()


def _resume(worker: WorkerProcess) -> None:
    """Undo _drain's cancel_consumer (a no-op on a worker that just started)."""
    from reviewapp.celery import app

    for queue in QUEUES:
        replies = app.control.add_consumer(
            queue, reply=True, timeout=30, destination=[worker.name], limit=1
        )
        if not replies:
            raise RuntimeError(f"the Celery worker did not resume {queue}; see {worker.log_path}")


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture(scope="session")
def browser_instance():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    # Playwright's sync API refuses to run inside a running event loop; Django's
    # async-unsafe check would then trip on ORM use in the test thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser_instance, live_server):
    """`new_context(user)` gives a browser page logged in as `user` against the live server."""
    from django.test import Client

    contexts = []

    def _make(user=None):
        context = browser_instance.new_context(base_url=live_server.url)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": cookie.value,
                        "url": live_server.url,
                    }
                ]
            )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield _make
    for context in contexts:
        context.close()
