# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The whole suite must cover 90% (STYLE.md); a partial run sets COV_MIN=0.
COV_MIN ?= 90
# Test processes (pytest-xdist). Many tests wait on a worker, a browser or a solver's
# wall-clock budget, so one more than the cores keeps both busy; 0 runs in one process.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: demo test lint venv clean messages prod-check lock

# Installs exactly the versions of requirements.lock (made by `make lock` from the
# ranges in pyproject.toml), then the project itself without resolving again.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

## Serve the demo at http://127.0.0.1:8000 on the embedded defaults (SQLite,
## filesystem Celery broker, SMS to the console): no external service needed.
demo: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py demo

## Run the whole test suite. Uses DATABASE_URL / CELERY_BROKER_URL when set;
## tests that need a service skip (and say why) when it is absent.
## mypy runs with DEBUG=1 because the django-stubs plugin loads the settings.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/mypy .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	SECRET_KEY=$${SECRET_KEY:-test-only-not-secret} $(BIN)/pytest --cov --cov-report=term:skip-covered --cov-fail-under=$(COV_MIN) -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/mypy .

clean:
	rm -rf $(VENV) var

## Refresh locale/id from the source and compile it (needs GNU gettext).
messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages -l id -i ".venv/*" -i "tests/*" -i "bench/*"
	DEBUG=1 $(BIN)/python manage.py compilemessages

## Bring the production layout of deploy/ up on this machine (nginx with a self-signed
## certificate, gunicorn, the Celery workers and beat of deploy/systemd/, the machine's
## PostgreSQL and Redis), drive a small day through https, check it, tear it down.
prod-check: $(STAMP)
	$(BIN)/python -m deploy.prodcheck

## Re-pin requirements.lock after a change of the ranges in pyproject.toml (uv, from
## the package index; the dev tools included).
lock:
	$(BIN)/pip install -q "uv>=0.4,<1"
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
