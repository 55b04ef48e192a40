# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test typecheck ingest evaluate train lint format bench bench-store bench-load screenshots clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m atlas ingest data/articles --if-empty
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -q

# The type checker over atlas/ (settings in pyproject.toml); also part of `make test`.
typecheck: $(STAMP)
	$(PY) -m mypy

ingest: $(STAMP)
	$(PY) -m atlas ingest data/articles

# Every extraction figure in one table (baseline, rules, model, rules+model; seeds,
# 5-fold cross-validation by source over the tuning sets, the held-out check set).
# PYTHONHASHSEED: set iteration order decides a few ties, so the figures repeat exactly.
evaluate: $(STAMP)
	PYTHONHASHSEED=0 $(PY) -m atlas scoreboard ../shared/eval

# Retrain the extraction models (data/models/extraction.json) from ../shared/eval.
train: $(STAMP)
	PYTHONHASHSEED=0 $(PY) -m atlas train ../shared/eval

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Scale benchmarks (not part of `make test`; see bench/README.md). BENCH_ARTICLES sets the
# ingest size; the page benchmark runs on the 10,000- and 100,000-article stores of
# `make bench-store` (filled once, through the store's write path).
BENCH_ARTICLES ?= 10000
BENCH_STORE := bench/out/store-100000.db
BENCH_STORE_10K := bench/out/store-10000.db

$(BENCH_STORE): | $(STAMP)
	$(PY) bench/fill_store.py --articles 100000 --db sqlite:///$(BENCH_STORE)

$(BENCH_STORE_10K): | $(STAMP)
	$(PY) bench/fill_store.py --articles 10000 --db sqlite:///$(BENCH_STORE_10K)

bench-store: $(BENCH_STORE) $(BENCH_STORE_10K)

bench: $(STAMP) $(BENCH_STORE) $(BENCH_STORE_10K)
	$(PY) bench/throughput.py --articles 1000
	$(PY) bench/ingest_bench.py --articles $(BENCH_ARTICLES)
	$(PY) bench/pages_bench.py --db sqlite:///$(BENCH_STORE_10K)
	$(PY) bench/pages_bench.py --db sqlite:///$(BENCH_STORE) --browser
	$(PY) bench/network_bench.py

# 10 browser sessions on every page during an ingest (about 5 minutes; not part of `make test`).
bench-load: $(STAMP)
	$(PY) bench/load_test.py

# The README's screenshots (docs/overview.png, docs/network.png) from the bundled corpus.
screenshots: $(STAMP)
	$(PY) docs/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache data/atlas.db*
