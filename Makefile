# The README's two commands: `make run` (install, then start the app) and `make test` (install, then test).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The official MovieLens files, checked, where this workplace keeps them; elsewhere the recbole copy is used.
ML100K_DIR ?= $(wildcard ../shared/datasets/ml-100k)
export ML100K_DIR
# PyTorch's CPU wheels, for machines without an NVIDIA GPU (the PyPI build of torch carries several GB of CUDA).
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: run test install install-dev torch browser

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first, from wherever is right for this machine: a local wheel if pip is configured with one (its
# dependencies then come with requirements.txt), the CUDA build from PyPI where an NVIDIA GPU is present, else
# the CPU-only build from PyTorch's index.
$(VENV)/.torch: | $(BIN)/python
	$(BIN)/pip install --no-index --no-deps torch==2.13.0 2>/dev/null \
	  || { command -v nvidia-smi >/dev/null && $(BIN)/pip install torch==2.13.0; } \
	  || $(BIN)/pip install torch==2.13.0 --index-url $(TORCH_CPU_INDEX)
	touch $@

# llama-cpp-python has no wheel on PyPI: pip compiles it once (4-7 minutes on 2 cores), then reuses its cache.
$(VENV)/.installed: requirements.txt pyproject.toml $(VENV)/.torch
	$(BIN)/pip install -r requirements.txt
	$(BIN)/pip install --no-deps recbole==1.2.1
	$(BIN)/pip install --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/python app.py $(ARGS)

# Debian's Chromium for the browser tests (needs root); without it those tests are skipped with a reason.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] || { echo "installing chromium needs root: sudo apt-get install chromium (the browser tests skip without it)"; exit 0; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)
