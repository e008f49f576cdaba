# The README's two commands: `make run` and `make test`; `make lock` after changing a pin.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .venv-tools
PORT ?= 5000
# pip-compile: every dependency pinned with the hashes of its files on the package index
PIP_TOOLS := pip-tools==7.6.2
COMPILE := $(TOOLS)/bin/pip-compile --quiet --generate-hashes --strip-extras \
	--no-emit-index-url --no-emit-find-links

.PHONY: run test lint lock lock-upgrade

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# the dependencies exactly as locked, each file checked against its hash; then Corner itself
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

run: $(VENV)/.installed
	PORT=$(PORT) $(BIN)/python -m app.launch

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n auto --dist worksteal

$(TOOLS)/bin/pip-compile:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet $(PIP_TOOLS)

# regenerate the lock files from pyproject.toml: existing pins are kept, new or changed
# dependencies are resolved (from the index, or pip's cache when offline)
lock: $(TOOLS)/bin/pip-compile
	$(COMPILE) --output-file requirements.lock pyproject.toml
	$(COMPILE) --extra dev --output-file requirements-dev.lock pyproject.toml

# the same, moving every unpinned (transitive) dependency to its newest release
lock-upgrade: $(TOOLS)/bin/pip-compile
	$(COMPILE) --upgrade --output-file requirements.lock pyproject.toml
	$(COMPILE) --upgrade --extra dev --output-file requirements-dev.lock pyproject.toml
