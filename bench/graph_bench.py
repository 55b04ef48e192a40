"""CPU of the deal graph's parts at 100,000 articles: read from every deal, the whole
graph, a near-full filter's graph, and both carried through a splice like an edit's.

    .venv/bin/python bench/graph_bench.py --db sqlite:///$PWD/bench/out/store-100000.db

The prepared deals of the store (``atlas.snapshot``, as the app reads them); then
``DealGraphParts`` read from every deal and its whole graph; the graph of every
type but the rarest (a filter keeping nearly every deal); then a splice as an edit
makes one (``--touched`` deals from the middle of the frame taken out and put back
as new rows, the rest kept in order): the parts carried through it
(``DealGraphParts.updated``) and the whole graph after it, next to reading the parts
again. ``--check`` asserts the carried whole graph equals the one read again. Wall
and CPU seconds of each step (one process; the machine should be quiet).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def timed(label: str, make):
    wall, cpu = time.perf_counter(), time.process_time()
    result = make()
    print(
        f"| {label} | {time.perf_counter() - wall:.2f} | {time.process_time() - cpu:.2f} |",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a filled store")
    parser.add_argument("--touched", type=int, default=200, help="deals the splice replaces")
    parser.add_argument("--check", action="store_true", help="compare with a fresh read")
    args = parser.parse_args(argv)
    import gc

    import numpy as np

    from atlas import snapshot, store
    from atlas.graph import DealGraphParts
    from atlas.query import DealFilters, DealIndex

    engine = store.open_store(args.db)
    state = snapshot.dashboard_state(engine, version=store.data_version(engine))
    deals, organisations = state.deals, state.organisations
    gc.freeze()  # as the app does with the prepared tables
    print(f"{len(deals):,} deals\n\n| step | wall s | CPU s |\n|---|---|---|")
    parts = timed(
        "parts read from every deal", lambda: DealGraphParts(deals, organisations=organisations)
    )
    whole = timed("whole graph", parts.graph)
    counts = deals["type"].value_counts()
    near = DealFilters(types=tuple(t for t in counts.index if t != counts.index[-1]))
    rows = DealIndex(deals).positions(near)
    timed(
        f"graph of every type but {counts.index[-1]} ({len(rows):,} deals)",
        lambda: parts.graph(rows),
    )
    size = len(deals)
    middle = np.arange(size // 2, size // 2 + args.touched)
    kept = np.setdiff1d(np.arange(size), middle)
    taken = np.concatenate([kept[: size // 2], size + np.arange(len(middle)), kept[size // 2 :]])
    joined = deals.take(np.concatenate([np.arange(size), middle]))
    spliced = joined.take(taken)
    carried = timed(
        f"parts carried through a splice of {args.touched} deals",
        lambda: parts.updated(spliced, organisations=organisations, taken=taken, before=size),
    )
    after = timed("whole graph after it, from the one before", carried.graph)
    if args.check:
        read = timed(
            "parts read again (what the splice saves)",
            lambda: DealGraphParts(spliced, organisations=organisations),
        )
        again = timed("whole graph from them", read.graph)
        assert list(after.nodes(data=True)) == list(again.nodes(data=True))
        assert list(after.edges(data=True)) == list(again.edges(data=True))
        print("\nthe carried whole graph equals the one read again")
    del whole
    return 0


if __name__ == "__main__":
    sys.exit(main())
