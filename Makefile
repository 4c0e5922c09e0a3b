# The two front-door commands (README): `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test test-fast lint setup setup-system bench screenshot clean

$(BIN)/archivio: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/archivio

setup: $(BIN)/archivio

# Index corpus/ (incrementally) and serve it on http://$(HOST):$(PORT)
run: setup
	$(BIN)/archivio reindex --corpus corpus --index index
	$(BIN)/archivio serve --index index --host $(HOST) --port $(PORT)

# System packages the browser tests need (Debian's Chromium, axe-core from npm).
setup-system:
	bash scripts/setup-system.sh

# Lint, types and the whole test suite: what CI runs.
test: setup setup-system lint
	$(BIN)/pytest -q

test-fast: setup lint
	$(BIN)/pytest -q -m "not slow and not browser"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy search web

screenshot: setup setup-system
	$(BIN)/python docs/screenshot.py

bench: setup
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) index/gen-* index/CURRENT index/writer.lock .pytest_cache
