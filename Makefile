# Threshold: two commands for a newcomer (`make run`, `make test`) and a few for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test test-postgres lint scan format migrate translations clean venv

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	$(BIN)/flask --app wsgi db upgrade

run: migrate
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

# The same suite on PostgreSQL (this machine's server; override TEST_DATABASE_URL elsewhere).
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
test-postgres: $(STAMP)
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -m "not browser"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Static security scan: medium severity and above fails. Exceptions are marked `# nosec BXXX`
# in place with the reason, and listed in docs/SECURITY.md.
scan: $(STAMP)
	$(BIN)/bandit -q -c pyproject.toml -r screening wsgi.py -ll

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
