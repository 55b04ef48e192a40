"""Full ingest (NLP included) of a synthetic corpus into SQLite: time and peak memory.

    .venv/bin/python bench/ingest_bench.py --articles 10000            # 1 and 2 processes
    .venv/bin/python bench/ingest_bench.py --articles 2000 --processes 1

Each row runs ``python -m atlas ingest <corpus> --quiet`` as a child process into a
fresh store under ``bench/out/`` and samples the resident memory of the child and
its workers every 0.2 s (peak of their sum). Rows:

- ``N processes``: a full ingest with ``--processes N``;
- ``re-run``: the same command again on the filled store, which must add nothing
  (the cost of recognising what is stored);
- ``resume``: an ingest killed (SIGKILL) half-way, then run again: the second run
  must store only what the first did not, and the store must end with every
  article exactly once.

The 100k figure is extrapolated from the single-process rate (a full 100k NLP ingest
takes hours on this machine); ``bench/fill_store.py`` fills the 100k store the pages
are measured on through the store's write path instead.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throughput import OUT, synthetic_corpus  # noqa: E402


def run_ingest(
    corpus: Path, db: Path, *, processes: int, kill_after: int | None = None
) -> tuple[float, int, str]:
    """Seconds, peak RSS bytes (child and its workers) and the last output line."""
    import psutil

    command = [sys.executable, "-m", "atlas", "ingest", str(corpus), "--quiet"]
    command += ["--processes", str(processes)]
    env = {**os.environ, "ATLAS_DB_URL": f"sqlite:///{db}"}
    started = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = 0
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(child.stdout), daemon=True)
    reader.start()
    root = psutil.Process(child.pid)
    while child.poll() is None:
        try:
            rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
            peak = max(peak, rss)
        except psutil.Error:
            pass
        if kill_after is not None and stored(db) >= kill_after:
            for process in [*root.children(recursive=True), root]:
                try:
                    process.send_signal(signal.SIGKILL)
                except psutil.Error:
                    pass
        time.sleep(0.2)
    reader.join(timeout=10)
    seconds = time.perf_counter() - started
    last = output[-1].strip() if output else ""
    if kill_after is None and child.returncode != 0:
        raise SystemExit(f"ingest failed ({child.returncode}): {''.join(output)[-2000:]}")
    return seconds, peak, last


def stored(db: Path) -> int:
    """Articles in the store now (read-only, tolerates the store being written)."""
    import sqlite3

    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def fresh(name: str) -> Path:
    db = OUT / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--skip-resume", action="store_true")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = synthetic_corpus(args.articles)
    rows = []
    rates = {}
    db = None
    for processes in args.processes:
        db = fresh(f"ingest-{args.articles}-p{processes}.db")
        seconds, peak, line = run_ingest(corpus, db, processes=processes)
        rates[processes] = args.articles / seconds
        rows.append((f"{processes} process{'es' if processes > 1 else ''}", seconds, peak, line))
        print(rows[-1], file=sys.stderr)
    seconds, peak, line = run_ingest(corpus, db, processes=args.processes[-1])
    rows.append(("re-run (adds nothing)", seconds, peak, line))
    if not args.skip_resume:
        db = fresh(f"ingest-{args.articles}-resume.db")
        half = args.articles // 2
        first = run_ingest(corpus, db, processes=1, kill_after=half)
        killed_at = stored(db)
        rows.append((f"killed at {killed_at} stored", first[0], first[1], "SIGKILL"))
        seconds, peak, line = run_ingest(corpus, db, processes=1)
        rows.append((f"resume ({stored(db)} stored in the end)", seconds, peak, line))

    print(
        f"| {args.articles:,} synthetic articles into SQLite | seconds | articles/s |"
        " peak RSS GiB | output |"
    )
    print("|---|---|---|---|---|")
    for label, seconds, peak, line in rows:
        print(
            f"| {label} | {seconds:.0f} | {args.articles / seconds:.1f} | "
            f"{peak / 2**30:.2f} | {line} |"
        )
    single = rates.get(1)
    if single:
        print(
            f"\n100,000 articles extrapolated at the 1-process rate: "
            f"{100_000 / single / 3600:.1f} h"
            + (
                f"; at the {max(rates)}-process rate: {100_000 / rates[max(rates)] / 3600:.1f} h"
                if max(rates) > 1
                else ""
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
