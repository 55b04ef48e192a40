"""Time and peak extra memory of the Deals page's downloads (CSV and Excel).

    .venv/bin/python bench/export_bench.py                       # bench/out/store-100000.db
    .venv/bin/python bench/export_bench.py --db sqlite:///bench/out/store-10000.db
    .venv/bin/python bench/export_bench.py --rows 10000 100000 --repeat 3 --traced
    .venv/bin/python bench/export_bench.py --rows 100000 --beyond-limit   # Excel past its limit

Reads the deals as every dashboard page does (``atlas.snapshot.dashboard_tables``, the
user's corrections applied), newest first as the Deals page lists them with no search,
and makes each file through the functions the page's buttons call on a click
(``components.downloads.deals_csv`` and ``deals_excel``) for the newest N deals: 10,000,
100,000, the most the Excel download holds (``atlas.export.EXCEL_MAX_ROWS``) and every
deal in the store. Excel past its limit is not offered on the page and is not timed
(``--beyond-limit`` times it anyway, with the limit lifted, to show why).

Each file is made in a fresh child process forked from the one holding the deals, as a
click runs beside the page's cached tables: wall and CPU seconds, the file's size, and
the peak extra memory, the child's resident set sampled every 5 ms above what it held
before the click, its free heap given back first (the deals themselves are not
counted; the finished file is). Memory the loading freed and the export reuses is not
seen there: ``--traced`` adds one run under tracemalloc, the peak of what Python and
numpy allocate for the export (not pyarrow's or lxml's own buffers). The best time of
``--repeat`` runs is printed, their median, and the highest extra memory. The machine should be quiet: on a
shared one, CPU seconds move less than wall seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import multiprocessing
import os
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from atlas import snapshot, store  # noqa: E402
from atlas.export import EXCEL_MAX_ROWS  # noqa: E402

DEFAULT_DB = f"sqlite:///{ROOT / 'bench' / 'out' / 'store-100000.db'}"

# What each timed run calls: set before forking, so a child inherits it.
_DEALS = None
_MAKERS: dict[str, Callable] = {}


def load_deals(url: str):
    """The deals the Deals page starts from, newest first (its order with no search)."""
    engine = store.open_store(url)
    try:
        deals, _organisations = snapshot.dashboard_tables(
            engine, version=store.data_version(engine)
        )
    finally:
        engine.dispose()
    return deals.sort_values("deal_date", ascending=False, na_position="last")


class PeakRss:
    """The highest resident set of this process while the block runs, sampled."""

    def __init__(self, every: float = 0.005) -> None:
        self.every = every
        self.process = psutil.Process()
        self.before = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(self.every)

    def __enter__(self) -> PeakRss:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def _release_free_memory() -> None:
    """Give the heap's free pages back to the system, so that the peak above the
    resident set counts what the export allocates, not only what it could not fit
    in memory the loading left free."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _timed_child(kind: str, rows: int, out) -> None:
    piece = _DEALS.head(rows)
    _release_free_memory()
    with PeakRss() as memory:
        wall, cpu = time.perf_counter(), time.process_time()
        data = _MAKERS[kind](piece)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    out.send({"wall": wall, "cpu": cpu, "bytes": len(data), "extra": memory.peak - memory.before})
    out.close()


def _traced_child(kind: str, rows: int, out) -> None:
    piece = _DEALS.head(rows)
    tracemalloc.start()
    _MAKERS[kind](piece)
    out.send(tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()
    out.close()


def _in_child(target: Callable, kind: str, rows: int):
    """What ``target`` sends back, run in a child forked from this process."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(kind, rows, send))
    child.start()
    send.close()
    found = receive.recv()
    child.join()
    return found


def measure(kind: str, rows: int, repeat: int, *, traced: bool = False) -> dict:
    """``repeat`` runs of ``_MAKERS[kind]`` on the newest ``rows`` deals, each in a
    forked child: the best and median wall and CPU seconds, the highest extra memory;
    with ``traced`` one more run under tracemalloc for the peak of Python's
    allocations."""
    runs = [_in_child(_timed_child, kind, rows) for _ in range(repeat)]
    return {
        "wall": min(r["wall"] for r in runs),
        "wall_median": statistics.median(r["wall"] for r in runs),
        "cpu": min(r["cpu"] for r in runs),
        "extra": max(r["extra"] for r in runs),
        "bytes": runs[0]["bytes"],
        "traced": _in_child(_traced_child, kind, rows) if traced else None,
    }


def row_counts(total: int, asked: list[int] | None) -> list[int]:
    sizes = asked or [10_000, 100_000, EXCEL_MAX_ROWS, total]
    return sorted({min(n, total) for n in sizes})


def run(
    deals,
    makers: dict[str, Callable],
    sizes: list[int],
    repeat: int,
    limit: int | None,
    *,
    traced: bool = False,
) -> None:
    """Print a line per file and size: ``makers`` by name, each called on the newest
    deals; an Excel file past ``limit`` is said not offered."""
    global _DEALS
    _DEALS = deals
    _MAKERS.clear()
    _MAKERS.update(makers)
    print(
        f"{'file':<6} {'deals':>8} {'wall s':>7} {'median':>7} {'CPU s':>6} "
        f"{'extra MB':>9} {'traced MB':>9} {'file MB':>8}",
        flush=True,
    )
    for rows in sizes:
        for kind in makers:
            if kind == "excel" and limit is not None and rows > limit:
                print(f"{kind:<6} {rows:>8,}   not offered (over {limit:,})", flush=True)
                continue
            found = measure(kind, rows, repeat, traced=traced)
            traced_mb = "" if found["traced"] is None else f"{found['traced'] / 2**20:.0f}"
            print(
                f"{kind:<6} {rows:>8,} {found['wall']:>7.2f} {found['wall_median']:>7.2f} "
                f"{found['cpu']:>6.2f} {found['extra'] / 2**20:>9.0f} {traced_mb:>9} "
                f"{found['bytes'] / 2**20:>8.1f}",
                flush=True,
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=DEFAULT_DB, help="store URL (default: %(default)s)")
    parser.add_argument("--rows", type=int, nargs="+", help="deal counts to time")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (best shown)")
    parser.add_argument(
        "--beyond-limit",
        action="store_true",
        help="time Excel past EXCEL_MAX_ROWS too (the page does not offer it)",
    )
    parser.add_argument(
        "--traced",
        action="store_true",
        help="one more run per file under tracemalloc: the peak of Python's allocations",
    )
    args = parser.parse_args(argv)

    from components.downloads import deals_csv, deals_excel

    started = time.perf_counter()
    deals = load_deals(args.db)
    print(
        f"{len(deals):,} deals from {args.db} in {time.perf_counter() - started:.1f} s; "
        f"Excel holds up to {EXCEL_MAX_ROWS:,}; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )

    def excel_beyond(piece):
        from atlas.export import deal_tables, deals_to_excel
        from components.tables import deals_display

        return deals_to_excel(deal_tables(piece, deals_display), max_rows=len(piece))

    excel = excel_beyond if args.beyond_limit else deals_excel
    run(
        deals,
        {"csv": deals_csv, "excel": excel},
        row_counts(len(deals), args.rows),
        args.repeat,
        None if args.beyond_limit else EXCEL_MAX_ROWS,
        traced=args.traced,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
