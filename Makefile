# Two commands set up a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := run

.PHONY: run test test-postgres venv setup demo bench clean

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

venv: $(VENV)/.installed

setup: venv
	$(PY) -m flask --app run setup

demo: setup
	$(PY) -m flask --app run demo --if-empty

run: demo
	@echo "Mở http://$(HOST):$(PORT) trong trình duyệt (Ctrl+C để dừng)."
	$(PY) -m flask --app run run --host $(HOST) --port $(PORT)

test: venv
	$(PY) -m pytest -q

# The same suite on PostgreSQL (each run creates and drops its own database).
test-postgres: venv
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(PY) -m pytest -q

bench: venv
	$(PY) bench/bench_mau01_import.py

clean:
	rm -rf $(VENV) instance .pytest_cache
