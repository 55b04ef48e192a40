"""The command line, run as a user runs it: a real subprocess, the real model, a SQLite file."""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.model


def run(*args: str, db: str) -> subprocess.CompletedProcess:
    env = {"ATLAS_DB_URL": db, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "atlas", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ingest_twice_adds_nothing_and_reports_rejections(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in SEEDS.glob("*.txt"):
        (corpus / seed.name).write_bytes(seed.read_bytes())
    (corpus / "copy of seed.txt").write_bytes((SEEDS / "000_d1c1c98d28aab052.txt").read_bytes())
    (corpus / "empty.txt").write_text("  \n")
    (corpus / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    db = f"sqlite:///{tmp_path / 'atlas.db'}"

    first = run("ingest", str(corpus), "--quiet", db=db)
    assert first.returncode == 0, first.stderr
    assert "ingested 3, duplicates skipped 1, rejected 2" in first.stdout
    assert "empty.txt" in first.stdout and "picture.png" in first.stdout

    second = run("ingest", str(corpus), "--quiet", db=db)
    assert "ingested 0, duplicates skipped 4" in second.stdout

    stats = run("stats", db=db)
    assert "articles: 3" in stats.stdout
    lines = dict(line.split(": ", 1) for line in stats.stdout.splitlines() if ": " in line)
    assert int(lines["deal mentions"]) == seed_deal_count()
    # the Astellas-Yaskawa joint venture two seed articles report is one deal
    assert int(lines["deals"]) == seed_deal_count() - 1


@functools.cache
def seed_deal_count() -> int:
    """The deals extraction finds in the seed articles (what an ingest must store)."""
    out = run("extract", str(SEEDS), "--jsonl", db="sqlite://")
    return sum(len(json.loads(line)["deals"]) for line in out.stdout.splitlines())


def test_if_empty_skips_a_filled_store(tmp_path):
    db = f"sqlite:///{tmp_path / 'atlas.db'}"
    run("ingest", str(SEEDS / "000_d1c1c98d28aab052.txt"), "--quiet", db=db)
    again = run("ingest", str(SEEDS), "--if-empty", "--quiet", db=db)
    assert "nothing to do" in again.stdout
    assert "articles: 1" in run("stats", db=db).stdout


def test_ingest_leaves_the_dashboard_tables_prepared(tmp_path, monkeypatch):
    """The app's first load after an ingest reads the tables the ingest prepared."""
    from atlas import snapshot, store

    db = f"sqlite:///{tmp_path / 'atlas.db'}"
    done = run("ingest", str(SEEDS), db=db)
    assert done.returncode == 0, done.stderr
    assert "preparing the dashboard's tables ... done" in done.stderr
    monkeypatch.delenv("ATLAS_CACHE_DIR", raising=False)  # as the subprocess had it
    engine = store.open_store(db)
    try:
        files = list((tmp_path / "atlas.db.cache").glob(f"{snapshot.STATE}-*.pickle"))
        store_id, generation = store.data_version(engine)
        assert [f.name.split("-")[2:4] for f in files] == [[store_id, str(generation)]]

        def never(*_args):
            raise AssertionError("built again")

        monkeypatch.setattr("atlas.incremental.build_state", never)
        deals = snapshot.dashboard_state(engine).deals
        # one deal per agreement: the joint venture two seed articles report is one
        assert len(deals) == seed_deal_count() - 1
    finally:
        engine.dispose()


def test_extract_jsonl_follows_the_gold_schema(tmp_path):
    out = run("extract", str(SEEDS), "--jsonl", db="sqlite://")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["file"] for line in lines] == sorted(p.name for p in SEEDS.glob("*.txt"))
    digest = next(line for line in lines if line["file"].startswith("001_"))
    # digest items folded into their article's line: its seven deals, at least
    assert len(digest["deals"]) >= 7
    for deal in digest["deals"]:
        assert set(deal) >= {"parties", "type", "therapeutic_areas", "countries", "evidence"}


def test_evaluate_on_the_seeds(tmp_path):
    gold = tmp_path / "seeds.gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "file": "000_d1c1c98d28aab052.txt",
                "published": "2025-04",
                "organisations": [
                    "Astellas Pharma",
                    "Japanese Foundation for Cancer Research",
                    "Yaskawa Electric",
                ],
                "aliases": {"Japanese Foundation for Cancer Research": ["JFCR"]},
                "deals": [
                    {
                        "parties": ["Astellas Pharma", "Japanese Foundation for Cancer Research"],
                        "type": "partnership/collaboration",
                    },
                    {"parties": ["Astellas", "Yaskawa"], "type": "joint venture"},
                ],
            }
        )
        + "\n"
    )
    out = run("evaluate", str(gold), "--articles", str(SEEDS), "--json", db="sqlite://")
    summary = json.loads(out.stdout)
    assert summary["deals"]["recall"] == 1.0
    assert summary["deals"]["precision"] == 1.0
    assert summary["deal_type_accuracy"] == 1.0
    assert summary["date_accuracy"] == 1.0


def test_lexicon_change_re_extracts_on_ingest(tmp_path):
    """A lexicon edit changes its fingerprint; the next ingest replaces the old
    extraction of each article instead of skipping it as a duplicate."""
    import shutil

    lexicon = tmp_path / "lexicon"
    shutil.copytree(ROOT / "data" / "lexicon", lexicon)
    db = f"sqlite:///{tmp_path / 'atlas.db'}"
    article = tmp_path / "note.txt"
    article.write_text(
        "Zorblax Quantum has signed a supply agreement with Eisai for its new tablets.\n"
    )

    def ingest() -> str:
        env = {"ATLAS_DB_URL": db, "ATLAS_LEXICON_DIR": str(lexicon), "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [sys.executable, "-m", "atlas", "ingest", str(article), "--quiet"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return done.stdout

    assert "ingested 1" in ingest()
    assert "duplicates skipped 1" in ingest()
    with (lexicon / "organisations.csv").open("a", encoding="utf-8") as handle:
        handle.write("Zorblax Quantum,Zorblax,Germany,company\n")
    assert "re-extracted 1" in ingest()

    from atlas import store

    engine = store.open_store(db)
    deals = store.deals_frame(engine)
    assert len(deals) == 1 and deals.iloc[0]["parties"] == ["Zorblax Quantum", "Eisai"]
    assert deals.iloc[0]["party_countries"][0] == "Germany"
    assert store.counts(engine)["articles"] == 1
