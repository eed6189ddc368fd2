# The README's two commands: `make run` (install, then start the app) and `make test` (install, then test).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The official MovieLens files, checked, where this workplace keeps them; elsewhere the recbole copy is used.
ML100K_DIR ?= $(wildcard ../shared/datasets/ml-100k)
export ML100K_DIR
# PyTorch's CPU wheels, for machines without an NVIDIA GPU (the PyPI build of torch carries several GB of CUDA).
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: run test install install-dev torch browser llama-rebuild llama-args

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

# llama.cpp's CPU build, the same on every machine of an architecture: never -march=native, never AMX (its
# kernel crashes on Sapphire Rapids Xeons). x86-64: the AVX2 set (Haswell, 2013, and every later x86-64 CPU);
# arm64: Armv8.2 with dot products and fp16 (Graviton2, Ampere, Apple M). No llava library (the app reads text).
LLAMA_CMAKE_ARGS_x86_64 := -DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON \
  -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF \
  -DGGML_AMX_BF16=OFF -DLLAVA_BUILD=OFF
LLAMA_CMAKE_ARGS_aarch64 := -DGGML_NATIVE=OFF -DGGML_CPU_ARM_ARCH=armv8.2-a+dotprod+fp16 -DLLAVA_BUILD=OFF
LLAMA_CMAKE_ARGS_arm64 := $(LLAMA_CMAKE_ARGS_aarch64)
ARCH := $(shell uname -m)
LLAMA_CMAKE_ARGS ?= $(LLAMA_CMAKE_ARGS_$(ARCH))
LLAMA_VERSION := $(shell sed -n 's/^llama-cpp-python==//p' requirements.txt)
# The wheel is kept in a folder named by its version, architecture and flags (pip's own cache would hand back a
# wheel built with other flags, or on another CPU), so a rebuild happens exactly when one of those changes.
LLAMA_WHEELS := $(HOME)/.cache/chatrec/llama-cpp-python/$(LLAMA_VERSION)-$(ARCH)-$(shell echo '$(LLAMA_CMAKE_ARGS)' | cksum | cut -d' ' -f1)

# llama-cpp-python has no wheel on PyPI: it is compiled once per flag set (3-7 minutes on 2 cores).
$(VENV)/.llama: requirements.txt | $(BIN)/python
	ls $(LLAMA_WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
	    -w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	$(BIN)/pip install --no-deps --force-reinstall $(LLAMA_WHEELS)/llama_cpp_python-*.whl
	touch $@

llama-args:
	@echo '$(LLAMA_CMAKE_ARGS)'

# After changing LLAMA_CMAKE_ARGS (or to build again on purpose): compile and install llama-cpp-python afresh.
llama-rebuild: | $(BIN)/python
	rm -rf $(LLAMA_WHEELS) $(VENV)/.llama
	$(MAKE) $(VENV)/.llama

$(VENV)/.installed: requirements.txt pyproject.toml $(VENV)/.torch $(VENV)/.llama
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
