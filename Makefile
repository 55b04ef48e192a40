# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test ingest evaluate lint format bench bench-load clean

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
	$(PY) -m pytest -q

ingest: $(STAMP)
	$(PY) -m atlas ingest data/articles

evaluate: $(STAMP)
	$(PY) -m atlas evaluate ../shared/eval/seeds.gold.jsonl --articles data/articles
	$(PY) -m atlas evaluate ../shared/eval/dev.gold.jsonl --articles ../shared/eval/dev

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# 10 browser sessions on every page during an ingest (about 5 minutes; not part of `make test`).
bench-load: $(STAMP)
	$(PY) bench/load_test.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache data/atlas.db*
