# One entry point for people and CI alike. `.ci/run` calls `make test` twice: on
# PostgreSQL with Redis, then with DATABASE_URL and REDIS_URL unset (SQLite, no
# broker), as here on a fresh machine. `test` sets neither: it uses what the shell has.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DEBUG ?= 1

.PHONY: run test install frontend lint format clean

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py refresh_deadlines
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: export DATABASE_CONN_MAX_AGE = 0
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

install: $(STAMP) frontend

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

frontend: $(STAMP)
	$(BIN)/python scripts/install_govuk_frontend.py
	$(BIN)/python scripts/install_axe_core.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) static/vendor tests/vendor staticfiles db.sqlite3
