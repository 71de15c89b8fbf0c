# Threshold: two commands for a newcomer (`make run`, `make test`) and a few for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
# Exported: the app builds its development links (PUBLIC_BASE_URL) from the port it serves on.
export PORT
# Python keeps compiled modules (and pytest its rewritten tests) in __pycache__ even where the
# environment says not to: each test job and server process otherwise compiles them again
# (collecting the suite: 6.5 s, 3.5 s with the cache).
unexport PYTHONDONTWRITEBYTECODE
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-sqlite-load test-postgres test-postgres-shared test-postgres-alone screenshots \
	lint scan format migrate translations compile-translations clean venv

# --no-compile: Python compiles a module when it is first imported; pip compiling every
# installed file up front (4,157 of them, 564 in fhir.resources) took 25 s against 15 s.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-compile -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# Catalogs first: the app checks them when it starts, and `db upgrade` starts it.
migrate: $(STAMP) compile-translations
	$(BIN)/flask --app wsgi db upgrade

run: migrate
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

# The SQLite pass leaves out `scale` tests (real servers under load, wall-clock budgets, query
# plans): `make test-postgres` runs them, SQLite-only ones on an SQLite file of their own.
# `make test` runs it in parts, AT_ONCE at a time, each starting as another ends: the Chromium
# tests, the rest, the deployed stack (nginx in front), the 200-at-once load test. With CI=true
# (.ci/run) the PostgreSQL pass joins them, and the test that stops PostgreSQL runs once
# nothing uses it. Three at a time on two cores: alone, the Chromium tests keep one core busy
# (they wait on the browser) and the PostgreSQL pass 1.2 (it waits on its server), so two jobs
# left a core idle much of the time; three keep both 96 % busy (CI=true: 255 s of tests).
AT_ONCE ?= 3
TEST_JOBS := test-browser test-sqlite-rest test-deployed test-sqlite-load
ifeq ($(CI),true)
TEST_JOBS := test-browser test-postgres-shared test-sqlite-rest test-deployed test-sqlite-load \
	test-postgres-last
endif
.PHONY: test-browser test-sqlite-rest test-deployed test-postgres-last
test: $(STAMP) compile-translations
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory -j$(AT_ONCE) --output-sync=target $(TEST_JOBS)

# The test that stops PostgreSQL, once nothing else uses it: the PostgreSQL pass, the Chromium
# tests and the deployed stack (its database) are done; the SQLite jobs may still run.
test-postgres-last: test-browser test-postgres-shared test-deployed
	$(MAKE) --no-print-directory test-postgres-alone

# SQLite whatever the environment says: TEST_DATABASE_URL is the PostgreSQL pass's.
# test-sqlite is the whole SQLite pass in one process; test-browser, test-deployed and
# test-sqlite-rest are its parts.
SQLITE_PYTEST := env -u TEST_DATABASE_URL $(BIN)/pytest
test-sqlite: $(STAMP) compile-translations
	$(SQLITE_PYTEST) -m "not scale"

test-browser: $(STAMP) compile-translations
	$(SQLITE_PYTEST) -m "not scale and browser and not deployed"

test-deployed: $(STAMP) compile-translations
	$(SQLITE_PYTEST) -m "not scale and deployed"

test-sqlite-rest: $(STAMP) compile-translations
	$(SQLITE_PYTEST) -m "not scale and not browser and not deployed"

# The one-small-server shape's promise (DEPLOY.md): 200 people at once on SQLite, no error.
# In `make test` it shares the machine with two other jobs; its 150 s deadline allows for that.
test-sqlite-load: $(STAMP) compile-translations
	env -u TEST_DATABASE_URL $(BIN)/pytest -q -m scale tests/scale/test_concurrent_submissions.py

# The suite on PostgreSQL (this machine's server; override TEST_DATABASE_URL elsewhere) with
# the scale tests. It leaves out the browser tests (they run in `make test`) and the tests
# marked no_database in tests/conftest.py: they never touch the run's database, so on
# PostgreSQL they would only repeat the SQLite pass (scale tests excepted: only this pass runs
# them). The test that stops the PostgreSQL server runs last and alone (test-postgres-alone).
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
POSTGRES_PASS := not browser and (scale or not no_database)
STOPS_POSTGRES := tests/scale/test_database_outage.py
test-postgres: test-postgres-shared test-postgres-alone

test-postgres-shared: $(STAMP) compile-translations
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -m "$(POSTGRES_PASS)" \
	  --ignore=$(STOPS_POSTGRES)

test-postgres-alone: $(STAMP) compile-translations
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -q -m "$(POSTGRES_PASS)" $(STOPS_POSTGRES)

# The browser tests again, saving a screenshot of every page they visit (and the print view
# as PDF) in tests/browser/screenshots/ for a person to look at.
screenshots: $(STAMP) compile-translations
	SCREENSHOTS=1 $(BIN)/pytest -m browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Static security scan: medium severity and above fails. Exceptions are marked `# nosec BXXX`
# in place with the reason, and listed in docs/SECURITY.md.
scan: $(STAMP)
	$(BIN)/bandit -q -c pyproject.toml -r screening wsgi.py -ll

# Translations. `make translations` extracts every interface string (babel.cfg) into
# messages.pot and merges it into each language's messages.po; translate the new or fuzzy
# entries, then `make compile-translations` builds the .mo files the app reads (git ignores them).
TRANSLATIONS_DIR := screening/translations
TRANSLATION_LANGS := es
translations: $(STAMP)
	mkdir -p $(TRANSLATIONS_DIR)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -c TRANSLATORS: \
	  --ignore-dirs=".* _* .venv tests bench migrations instance static" \
	  --project=Threshold -o $(TRANSLATIONS_DIR)/messages.pot .
	for lang in $(TRANSLATION_LANGS); do \
	  if [ -f $(TRANSLATIONS_DIR)/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update --ignore-obsolete --previous -l $$lang \
	      -i $(TRANSLATIONS_DIR)/messages.pot -d $(TRANSLATIONS_DIR); \
	  else \
	    $(BIN)/pybabel -q init -l $$lang -i $(TRANSLATIONS_DIR)/messages.pot -d $(TRANSLATIONS_DIR); \
	  fi; \
	done

compile-translations: $(STAMP)
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS_DIR)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Benchmark (about 10 minutes): each page of Threshold against the same page of a plainly written
# peer (bench/peer.py), served the same way by gunicorn on loopback and measured with wrk, with
# 100,000 synthetic submissions in PostgreSQL (database threshold_bench or $$BENCH_DATABASE, recreated each run).
# Rewrites docs/PERFORMANCE.md. `python -m bench.profile PATH` then profiles one page.
# `make bench-scale`: the queue at 1,000 and 1,000,000 submissions and the CSV export's memory;
# appends its figures to docs/PERFORMANCE.md.
BENCH_SUBMISSIONS ?= 100000
SCALE_SUBMISSIONS ?= 1000000
.PHONY: bench bench-scale bench-tools
bench-tools: $(STAMP)
	command -v wrk >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect \
	  "$$(ls /etc/postgresql)" main start

bench: bench-tools compile-translations
	$(BIN)/python -m bench.run --submissions $(BENCH_SUBMISSIONS)
	$(BIN)/python -m bench.dashboard --submissions $(BENCH_SUBMISSIONS)

bench-scale: bench-tools compile-translations
	$(BIN)/python -m bench.scale --submissions $(SCALE_SUBMISSIONS)
