# Two commands for everyone:
#   make lab    set up .venv and open the course in JupyterLab
#   make test   set up .venv with the test tools (and Chromium, Leaflet for browser tests) and run every test
# Other targets: make site (static HTML site), make assign (regenerate exercises/), make bench, make lint, make clean.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
NODE_DIR := tests/browser
LAB_STAMP  := $(VENV)/.installed-lab
TEST_STAMP := $(VENV)/.installed-test
NODE_STAMP := $(NODE_DIR)/node_modules/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: lab test setup test-setup system-deps lint site assign bench clean

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $$([ "$$(id -u)" -eq 0 ] && echo --allow-root) \
	  notebooks/00-start-here.ipynb

setup: $(LAB_STAMP)

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "The course needs Python 3.11 or newer; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(LAB_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(LAB_STAMP) $@

test-setup: $(TEST_STAMP) system-deps $(NODE_STAMP)

# Chromium from Debian for the browser tests (never `playwright install`).
system-deps:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Chromium from Debian's packages (browser tests need it)"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; \
	fi

# Leaflet and friends from npm, served to the browser tests instead of the CDNs.
$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	npm ci --prefix $(NODE_DIR) --no-audit --no-fund --loglevel=error
	touch $@

test: test-setup
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench

site: setup
	$(BIN)/python -m karabakh site --out _site

assign: setup
	$(BIN)/python -m karabakh assign

bench: $(TEST_STAMP)
	$(BIN)/python bench/bench_notebooks.py
	$(BIN)/python bench/bench_grading.py

clean:
	rm -rf _site test-artifacts .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
