# Two commands matter: `make run` and `make test`. Everything else is a step they call.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INDEX  ?= data/index
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run test index venv lint contract bench bench-series browser-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Rebuilt when the corpus or the code that shapes the index changes (format, chunking, facts).
$(INDEX)/manifest.json: $(STAMP) $(wildcard corpus/*) $(shell find src/qa -name '*.py')
	HF_HUB_OFFLINE=1 $(BIN)/qa index --corpus corpus --index $(INDEX) --quiet

index: $(INDEX)/manifest.json

run: index
	$(BIN)/qa serve --index $(INDEX) --host $(HOST) --port $(PORT)

# Debian's chromium drives the browser test; Playwright's own browser download cannot work here.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

test: index browser-deps lint
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q
	HF_HUB_OFFLINE=1 $(BIN)/qa eval --index $(INDEX) --check --no-write
	$(MAKE) --no-print-directory contract

# The API contract: schemathesis (--checks all) against a real `qa serve` on a loopback port, ~40 s.
contract: index
	HF_HUB_OFFLINE=1 $(BIN)/python tests/contract/run_schemathesis.py --index $(INDEX)

bench: index
	HF_HUB_OFFLINE=1 $(BIN)/python bench/run.py --index $(INDEX)

# 1,000 generated reports in one index: full build, adding one report, answers, memory, cold start.
bench-series: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python bench/series_bench.py

clean:
	rm -rf data .pytest_cache test-artifacts
