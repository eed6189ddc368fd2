# The README's two commands: `make run` (install, then start the app) and `make test` (install, then test).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The official MovieLens files, checked, where this workplace keeps them; elsewhere the recbole copy is used.
ML100K_DIR ?= $(wildcard ../shared/datasets/ml-100k)
export ML100K_DIR

.PHONY: run test install install-dev browser

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -r requirements.txt
	$(BIN)/pip install --no-deps recbole==1.2.1
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/python app.py $(ARGS)

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install-dev browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)
