"""Nothing lost, nothing doubled: a killed ingest, two ingests at once, reads during an ingest.

Real `python -m atlas ingest` processes on a SQLite file store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
COMPANIES = ("Pfizer", "Roche", "Novartis", "Sanofi", "AstraZeneca", "Bayer", "Eisai", "Merck")

pytestmark = pytest.mark.model


def _write_articles(folder: Path, numbers: range) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        a, b = COMPANIES[n % 8], COMPANIES[(n + 3) % 8]
        (folder / f"article-{n:03d}.txt").write_text(
            f"{a} and Helix{n:03d} Bio sign deal number {n}\n\n"
            f"{a} has signed a licence agreement with Helix{n:03d} Bio for an oncology antibody. "
            f"{b} has partnered with Nova{n:03d} Therapeutics on vaccines in a deal worth ${n} "
            "million.\n",
            encoding="utf-8",
        )


def _ingest(db: str, *folders: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "atlas", "--db", db, "ingest", *map(str, folders), "--quiet"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _state(db: str) -> dict:
    from atlas import store

    engine = store.open_store(db)
    with engine.connect() as conn:
        article_ids = list(conn.execute(select(store.articles.c.id)).scalars())
        item_counts = dict(
            conn.execute(
                select(store.article_items.c.article_id, func.count()).group_by(
                    store.article_items.c.article_id
                )
            ).all()
        )
        orphan_deals = conn.execute(
            select(func.count())
            .select_from(store.deals)
            .where(store.deals.c.article_id.not_in(select(store.articles.c.id)))
        ).scalar_one()
        orphan_mentions = conn.execute(
            select(func.count())
            .select_from(store.mentions)
            .where(store.mentions.c.article_id.not_in(select(store.articles.c.id)))
        ).scalar_one()
        org_keys = list(conn.execute(select(store.organisations.c.key)).scalars())
        deal_keys = list(conn.execute(select(store.deals.c.deal_key)).scalars())
    engine.dispose()
    assert len(article_ids) == len(set(article_ids))
    assert all(item_counts.get(a, 0) >= 1 for a in article_ids), "article without its items"
    assert orphan_deals == 0 and orphan_mentions == 0
    assert len(org_keys) == len(set(org_keys)), "duplicate organisation"
    assert len(deal_keys) == len(set(deal_keys)), "duplicate deal"
    return {
        "articles": len(article_ids),
        "deals": len(deal_keys),
        "organisations": len(set(org_keys)),
    }


def _clean_run(tmp_path: Path, *folders: Path) -> dict:
    db = f"sqlite:///{tmp_path / 'clean.db'}"
    proc = _ingest(db, *folders)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return _state(db)


def test_killed_ingest_resumes_without_loss_or_duplicates(tmp_path):
    from atlas import store
    from atlas.corrections import add_correction, list_corrections

    folder = tmp_path / "articles"
    _write_articles(folder, range(60))
    db = f"sqlite:///{tmp_path / 'atlas.db'}"
    engine = store.open_store(db)
    correction = add_correction(engine, "rename_org", "Helix001 Bio", {"name": "Helix One"})
    proc = _ingest(db, folder)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if store.counts(engine)["articles"] >= 5:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    partial = _state(db)
    assert 5 <= partial["articles"] < 60

    again = _ingest(db, folder)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    final = _state(db)
    assert final == _clean_run(tmp_path, folder)
    assert final["articles"] == 60
    active = [c.id for c in list_corrections(engine, include_undone=False)]
    assert active == [correction]
    engine.dispose()


def test_two_overlapping_ingests_at_once(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    _write_articles(first, range(0, 40))
    _write_articles(second, range(20, 60))  # articles 20-39 are in both folders
    db = f"sqlite:///{tmp_path / 'atlas.db'}"
    procs = [_ingest(db, first), _ingest(db, second)]
    results = [p.communicate(timeout=600) for p in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in err.lower() and "Traceback" not in err, err
    assert _state(db) == _clean_run(tmp_path, first, second)


def test_reading_during_an_ingest(tmp_path):
    from atlas import store

    folder = tmp_path / "articles"
    _write_articles(folder, range(40))
    db = f"sqlite:///{tmp_path / 'atlas.db'}"
    engine = store.open_store(db)
    proc = _ingest(db, folder)
    seen: list[int] = []
    while proc.poll() is None:
        found = store.counts(engine)
        frame = store.deals_frame(engine)
        # Deals and their parties are read in one snapshot: no deal without its parties.
        assert all(isinstance(p, list) and len(p) >= 2 for p in frame.get("parties", []))
        seen.append(found["articles"])
        time.sleep(0.02)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert seen == sorted(seen), "counts went down during the ingest"
    assert store.counts(engine)["articles"] == 40
    engine.dispose()
