# The two front-door commands (README): `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The exact, hashed versions every set-up path installs (README, "Dipendenze").
TEST_LOCK    := requirements/test.lock
RUNTIME_LOCK := requirements/runtime.lock
PIP_TOOLS    := pip-tools==7.7.0
# The engines the shared suite runs on (tests marked `engines` run once per engine):
# all three in `make test` and CI; `make test ENGINES=whoosh` for the default one only.
ENGINES ?= whoosh,tantivy,postgresql

.PHONY: run test test-fast lint setup setup-system check-install lock bench screenshot clean

# The venv holds exactly the locked versions: it is made anew when the lock changes, so
# nothing installed by an older lock lingers. The pip that Python ships is enough.
$(VENV)/.locked: $(TEST_LOCK)
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(TEST_LOCK)
	touch $@

# Archivio itself, editable, built with the locked setuptools (no download, no drift).
$(BIN)/archivio: $(VENV)/.locked pyproject.toml
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

setup: $(BIN)/archivio

# Index corpus/ (incrementally) and serve it on http://$(HOST):$(PORT)
run: setup
	$(BIN)/archivio reindex --corpus corpus --index index
	$(BIN)/archivio serve --index index --host $(HOST) --port $(PORT)

# System packages pip cannot install: Chromium and axe-core for the browser tests,
# PostgreSQL 15 with RUM for the PostgreSQL engine's tests.
setup-system:
	bash scripts/setup-system.sh

# Lint, types and the whole test suite: what CI runs.
test: setup setup-system lint
	ARCHIVIO_TEST_ENGINES=$(ENGINES) $(BIN)/pytest -q

# The edit-run loop, under 90 s on 2 cores: without the slow, medium and browser tests.
test-fast: setup lint
	$(BIN)/pytest -q -m "not slow and not medium and not browser"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy search web

# Build the wheel, install it in fresh venvs (locked and plain) and search corpus/ with it.
check-install:
	bash scripts/check-install.sh

# Refresh the locks after a change to pyproject.toml's dependencies; pins that still fit
# are kept. `make lock UPGRADE=1` moves every package to its newest allowed version.
# pip-tools runs from a throwaway venv, so it is no dependency of Archivio. Archivio itself
# enters the resolution through the test extra's `archivio[postgresql,tantivy]`; as an
# "unsafe package" it stays out of the locks (a comment there) instead of a file:// pin.
COMPILE = --quiet --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links \
	--unsafe-package archivio
lock:
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp" && \
	"$$tmp/bin/pip" install --quiet "$(PIP_TOOLS)" && \
	"$$tmp/bin/pip-compile" $(COMPILE) $(if $(UPGRADE),--upgrade) \
		--extra test --build-deps-for editable -o $(TEST_LOCK) pyproject.toml && \
	"$$tmp/bin/pip-compile" $(COMPILE) --upgrade -c $(TEST_LOCK) \
		--extra postgresql --extra tantivy --build-deps-for wheel -o $(RUNTIME_LOCK) pyproject.toml

screenshot: setup setup-system
	$(BIN)/python docs/screenshot.py

bench: setup
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) index/gen-* index/CURRENT index/writer.lock .pytest_cache build dist
