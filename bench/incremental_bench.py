"""The prepared tables brought up to date after each kind of edit, against a rebuild.

    .venv/bin/python bench/incremental_bench.py --db bench/out/store-100000.db
    .venv/bin/python bench/incremental_bench.py --db ... --articles 50 --check

On a private copy of the store (the store given is only read): the prepared tables
are loaded (``atlas.snapshot.dashboard_state``: the kept file, caught up, or built),
then one edit of each kind is made as the app makes it and the tables brought up to
date by it (``atlas.incremental.update_state``), then the edit undone and brought up
to date again: a deal retyped (a deal of many sources), a deal rejected, one source
split off its deal, two deals of the same parties merged, two organisations merged,
an organisation renamed and one placed in another country (the busiest ones, so the
most deals move), a deal added by hand; then ``--articles`` generated articles
ingested (extracted by atlas's own pipeline, not timed) and the tables brought up to
date by them. A full rebuild of the tables from the store (what every edit cost
before) is timed once for comparison. ``--check`` compares the tables at the end
with a rebuild, frame for frame (it fails loudly when they differ).

Prints a markdown table: seconds wall and CPU (the machine may be shared: CPU time is
the steadier figure) and the deals that changed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _members(deal) -> dict:
    keys = [k for k in deal["deal_keys"] if k != deal["deal_key"]]
    return {"members": keys} if keys else {}


def edits(state) -> list[tuple[str, str, str, dict]]:
    """(what, action, target, payload) for each kind of edit, picked from the tables."""
    from atlas.models import DEAL_TYPES

    deals, organisations = state.deals, state.organisations
    many = deals.sort_values("n_sources", ascending=False, kind="stable").iloc[0]
    retype = next(t for t in DEAL_TYPES if t != many["type"])
    several = deals[deals["n_sources"] >= 3].iloc[0]
    pair = deals["parties"].map(lambda p: tuple(sorted(p)))
    repeated = pair[pair.duplicated(keep=False)].iloc[0]
    twins = deals[pair == repeated].iloc[:2]
    busiest = organisations.sort_values("deals", ascending=False, kind="stable")
    first, second, third = (busiest.iloc[i]["name"] for i in range(3))
    return [
        (
            f"retype a deal of {int(many['n_sources'])} sources",
            "set_deal_type",
            many["deal_key"],
            {"type": retype, **_members(many)},
        ),
        ("reject a deal", "reject_deal", several["deal_key"], _members(several)),
        ("split one source off its deal", "split_deal", several["deal_keys"][-1], {}),
        (
            "merge two deals of the same parties",
            "merge_deals",
            twins.iloc[0]["deal_key"],
            {"members": [*twins.iloc[0]["deal_keys"][1:], *twins.iloc[1]["deal_keys"]]},
        ),
        (
            f"merge the 2nd busiest organisation ({int(busiest.iloc[1]['deals'])} deals) "
            "into the 3rd",
            "merge_org",
            second,
            {"into": third},
        ),
        (
            f"rename the busiest organisation ({int(busiest.iloc[0]['deals'])} deals)",
            "rename_org",
            first,
            {"name": f"{first} (renamed)"},
        ),
        (
            "place the busiest organisation in another country",
            "set_org",
            first,
            {"country": "Iceland"},
        ),
        (
            "add a deal by hand",
            "add_deal",
            "",
            {"parties": [first, third], "type": "licensing", "evidence": "Added by hand."},
        ),
    ]


def ingest(engine, count: int, seed: int) -> None:
    from atlas.corpus import read_corpus
    from atlas.extract import Extractor
    from atlas.ingest import ingest_articles
    from bench import make_corpus

    with tempfile.TemporaryDirectory(prefix="atlas-incremental-") as folder:
        for index, (record, _truth) in enumerate(make_corpus.generate(count, seed)):
            (Path(folder) / f"upload-{index:03d}.json").write_text(json.dumps(record))
        records = list(read_corpus([Path(folder)]))
        ingest_articles(engine, records, extractor=Extractor())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLite path or URL of a store")
    parser.add_argument("--articles", type=int, default=50, help="articles ingested at the end")
    parser.add_argument("--seed", type=int, default=913, help="the articles' generator seed")
    parser.add_argument("--check", action="store_true", help="compare with a rebuild at the end")
    args = parser.parse_args(argv)
    db = args.db if "://" in args.db else f"sqlite:///{Path(args.db).resolve()}"

    from bench.actions_bench import private_copy

    with tempfile.TemporaryDirectory(prefix="atlas-incremental-") as tmp:
        url = private_copy(db, Path(tmp) / "store")
        os.environ["ATLAS_DB_URL"] = url
        from atlas import incremental, snapshot, store
        from atlas.corrections import add_correction, undo_correction

        engine = store.open_store(url)
        state, wall, cpu = timed(lambda: snapshot.dashboard_state(engine))
        say(f"tables loaded: {len(state.deals):,} deals, {wall:.1f} s ({cpu:.1f} s CPU)")
        rows = []

        def update(what: str) -> None:
            nonlocal state
            before = state
            with snapshot.collector_paused():
                state, wall, cpu = timed(
                    lambda: incremental.update_state(engine, before, store.data_version(engine))
                )
            if state is None:
                raise SystemExit(f"{what}: the update gave up")
            gone = len(before.deals) - len(state.deals)
            rows.append(f"| {what} | {wall:.2f} | {cpu:.2f} | {gone:+,} |")
            say(f"  {what}: {wall:.2f} s ({cpu:.2f} s CPU)")

        for what, action, target, payload in edits(state):
            made = add_correction(engine, action, target, payload)
            update(what)
            undo_correction(engine, made)
            update(f"undo: {what}")
        say(f"ingesting {args.articles} generated articles ...")
        ingest(engine, args.articles, args.seed)
        update(f"{args.articles} new articles ingested")

        with snapshot.collector_paused():
            full, wall, cpu = timed(
                lambda: incremental.build_state(engine, store.data_version(engine))
            )
        say(f"full rebuild: {wall:.1f} s ({cpu:.1f} s CPU)")
        if args.check:
            from pandas.testing import assert_frame_equal

            assert_frame_equal(state.deals, full.deals)
            assert_frame_equal(state.organisations, full.organisations)
            say("the tables equal a rebuild")
        engine.dispose()
    print(
        "\n".join(
            [
                f"Prepared tables brought up to date ({len(full.deals):,} deals); "
                f"a full rebuild: {wall:.1f} s wall, {cpu:.1f} s CPU\n",
                "| edit | s wall | s CPU | deals (rows) less |",
                "|---|---|---|---|",
                *rows,
            ]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
