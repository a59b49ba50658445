# The front door. `make run` and `make test` work on a fresh machine with only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# Local development: DEBUG on, a random secret key kept under var/. Production sets its own.
export DEBUG ?= 1
# Where `make run` listens: `make run PORT=8123`, `make run HOST=0.0.0.0` (the demo prints it).
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run run-nodebug test lint format check services-test clean screenshots

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# setuptools' notice about editable installs is information, not a problem: kept quiet.
	PYTHONWARNINGS=ignore::UserWarning $(PY) -m pip install --quiet -e ".[dev]"
	touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo --url http://$(HOST):$(PORT)/
	$(PY) manage.py runserver $(HOST):$(PORT)

# As in production (DEBUG off: the app's own error pages, compressed static files), over
# plain http on this machine. A real deployment sets its own SECRET_KEY and TLS (README).
run-nodebug: install
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')} \
	SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 ALLOWED_HOSTS=$(HOST),localhost,127.0.0.1 \
	sh -c '$(PY) manage.py collectstatic --noinput -v0 && $(PY) manage.py migrate --noinput -v0 && \
	$(PY) manage.py demo --url http://$(HOST):$(PORT)/ && $(PY) manage.py runserver $(HOST):$(PORT)'

# README pictures, from the current demo (headless Chromium; CHROMIUM_PATH to override).
screenshots: install
	$(PY) bench/screenshots.py --out docs/screenshots

# Two processes (pytest-xdist), each with its own test database: about half the time on
# two cores. `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2
test: install
	$(PY) -m pytest -n $(TEST_WORKERS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
