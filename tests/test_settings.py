"""The settings module reads the environment strictly and is safe in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from reviewapp.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[1]
PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3Y-" + "".join(chr(65 + (i * 7) % 26) + str(i % 10) for i in range(40)),
    "ALLOWED_HOSTS": "review.example.org",
    "PATH": os.environ["PATH"],
}


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("0", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_INT", "12MB")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_LIST", "a,,b")
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        env_list("X_LIST", [])


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start(tmp_path):
    env = {**PROD_ENV, "REVIEWAPP_VAR_DIR": str(tmp_path)}
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_a_malformed_setting_stops_start_up(tmp_path):
    result = _manage(
        "check", env={**PROD_ENV, "REVIEWAPP_VAR_DIR": str(tmp_path), "UPLOAD_MAX_BYTES": "lots"}
    )
    assert (
        result.returncode != 0 and "UPLOAD_MAX_BYTES='lots' is not a whole number" in result.stderr
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PROD_ENV, "REVIEWAPP_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_static_files_collect_and_the_login_page_renders(tmp_path):
    env = {**PROD_ENV, "REVIEWAPP_VAR_DIR": str(tmp_path), "STATIC_ROOT": str(tmp_path / "static")}
    collected = _manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    page = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'reviewapp.settings'; django.setup();"
            "from django.test import Client;"
            "r = Client().get('/accounts/login/', secure=True, HTTP_HOST='review.example.org');"
            "print(r.status_code); print(r.content.decode())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert page.stdout.startswith("200"), page.stdout[:500] + page.stderr[-2000:]
    assert "/static/vendor/bootstrap/bootstrap.min." in page.stdout  # hashed name from the manifest


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [
        ("redis://127.0.0.1:6379/0", "django.contrib.sessions.backends.cached_db"),
        ("", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_come_from_the_cache_only_when_it_is_shared(tmp_path, cache_url, engine):
    """A per-process cache would keep a session alive in one process after a logout in
    another: sessions are cached only in Redis."""
    env = {**PROD_ENV, "REVIEWAPP_VAR_DIR": str(tmp_path), "CACHE_URL": cache_url}
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.SESSION_ENGINE)", env=env
    )
    assert result.stdout.strip().splitlines()[-1] == engine, result.stdout + result.stderr


@pytest.mark.parametrize(("prepared", "generic"), [("1", True), ("0", False)])
def test_prepared_statements_keep_their_generic_plan_unless_turned_off(tmp_path, prepared, generic):
    env = {
        **PROD_ENV,
        "REVIEWAPP_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/reviewapp_unused",
        "DATABASE_PREPARED": prepared,
    }
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = _manage("shell", "-c", code, env=env)
    options = result.stdout.strip().splitlines()[-1]
    assert "-c jit=off" in options, result.stdout + result.stderr
    assert ("-c plan_cache_mode=force_generic_plan" in options) == generic
