"""Embedded mode (SQLite, no broker): a large import runs after the upload's response, in
a thread, and reviewers voting meanwhile never get "database is locked".

Runs tests/security/embedded_locks.py in a fresh process on a file SQLite database (the
test database here is in memory, which threads cannot share as `make run`'s file is)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SIZE = 40_000


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="embedded mode is SQLite without a broker"
)
def test_a_large_import_while_two_reviewers_vote(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "IMPORT_IN_THREAD")
    }
    env |= {
        # The embedded default exactly (WAL, IMMEDIATE transactions), in a fresh var/.
        "REVIEWAPP_VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "reviewapp.settings",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver,localhost",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    out = subprocess.run(
        [python, "-m", "tests.security.embedded_locks", str(SIZE)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["upload_status"] == 302
    assert result["status_after_upload"] in ("queued", "running")  # not inside the request
    assert (result["import_status"], result["imported"]) == ("done", SIZE), result["import_error"]
    assert result["votes"] > 0 and result["vote_statuses"] in ([200], [201], [200, 201]), result
