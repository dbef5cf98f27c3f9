# Two commands on a fresh machine with Python 3.11+ and make: `make demo`, `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000
# `make test` must also work where DATABASE_URL points at PostgreSQL (production-like settings):
# a throwaway key and no HTTPS redirect for the test client.
TEST_ENV := DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-test-only-not-a-secret} DJANGO_SECURE_SSL_REDIRECT=0

.PHONY: install demo test lint format bench messages worker beat clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving http://$(HOST)/  (API docs: http://$(HOST)/api/docs/)  Ctrl-C to stop."
	$(PY) manage.py runserver $(HOST)

test: install
	env $(TEST_ENV) $(PY) manage.py collectstatic --noinput -v0
	env $(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	@for script in bench/[!_]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# Needs GNU gettext (msgfmt); the compiled .mo files are committed so nobody else does.
messages: install
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --no-location
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

# The worker embeds beat (-B): without beat nothing resumes a run or a webhook whose worker
# died. Exactly one beat may run: with more workers, start them with `make worker WORKER_BEAT=`
# and one `make beat`.
WORKER_BEAT ?= -B --schedule=$(VENV)/celerybeat-schedule
worker: install
	$(VENV)/bin/celery -A config worker --loglevel=info $(WORKER_BEAT)

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=info --schedule=$(VENV)/celerybeat-schedule

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache .ruff_cache test-output
