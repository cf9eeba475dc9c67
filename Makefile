# The two commands: `make run` and `make test`. Everything else is set-up they share.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup lint test-deps pg-client run-prod clean

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: setup test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed node_modules/.installed .env concord/locale/en/LC_MESSAGES/django.mo pg-client

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Development secrets for this checkout only; production sets them in the environment.
.env: | $(VENV)/.installed
	$(BIN)/python -m concord.devkeys > $@

# The English catalogue; the .mo is built here, not committed.
concord/locale/en/LC_MESSAGES/django.mo: concord/locale/en/LC_MESSAGES/django.po | $(VENV)/.installed .env
	sh scripts/ensure-gettext.sh
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

# Chromium and fonts for the browser tests; redis-server for the broker-outage tests, which
# stop and start a Redis of their own.
test-deps:
	sh scripts/ensure-browser.sh
	sh scripts/ensure-packages.sh /usr/bin/redis-server=redis-server

# pg_dump/pg_restore for `manage.py backup` and `restore`, when the database is PostgreSQL.
pg-client:
	@case "$$DATABASE_URL" in postgres*) sh scripts/ensure-pg-client.sh ;; esac

# Production on this machine (docs/deploy.md): PostgreSQL (DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/concord_prod) and Redis (CELERY_BROKER_URL, default
# redis://127.0.0.1:6379/1); gunicorn ×2 on 127.0.0.1:$(PORT), 2 Celery workers and beat.
run-prod: setup
	sh scripts/ensure-pg-client.sh
	bash scripts/run-prod.sh

clean:
	rm -rf $(VENV) node_modules .env db.sqlite3
