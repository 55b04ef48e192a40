"""Consolidation speed: mentions of deals grouped into one record per agreement.

    .venv/bin/python bench/consolidate_bench.py                      # 177,000 mentions
    .venv/bin/python bench/consolidate_bench.py --mentions 20000 --repeat 5
    .venv/bin/python bench/consolidate_bench.py --store sqlite:///bench/out/store-100000.db

By default the mentions are a synthetic frame with the store's columns
(``atlas.store.deals_frame``, after corrections), shaped like news at 100,000
articles: 30,000 organisations drawn with ``bench/make_corpus.py``'s Zipf-Mandelbrot weights (a few big
companies make hundreds of deals, most pairs make one), each agreement reported by
one article or, with a heavy tail that grows with its parties' prominence, by up
to 80; some reports recall the deal as undated history months or years later,
some acquisitions are completed in a later report, and some pairs sign again
years later. ``--store`` reads the mentions of a real store instead
(``bench/fill_store.py`` makes one; its synthetic articles seldom report the same
deal twice, so most groups there are the collisions of busy pairs).

Prints the mentions, the deals they became, the largest group, and the best and
median wall and CPU time (CPU time is steadier on a busy machine) of ``atlas.consolidate.consolidate`` over ``--repeat`` runs, with
Python's cyclic garbage collector on, and paused as the app pauses it while it builds
its tables (``components/data.py``).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from atlas.consolidate import consolidate  # noqa: E402
from atlas.models import DEAL_TYPES  # noqa: E402
from bench.make_corpus import ZIPF_EXPONENT, ZIPF_OFFSET  # noqa: E402

TYPE_WEIGHTS = {
    "partnership/collaboration": 30,
    "licensing": 22,
    "acquisition/merger": 14,
    "equity investment/stake": 8,
    "supply/distribution/commercialisation": 9,
    "alliance/consortium": 5,
    "joint venture": 4,
    "settlement/litigation": 3,
    "other": 5,
}
COUNTRIES = ["United States", "Japan", "Germany", "China", "South Korea", "France", "India"]
AREAS = ["oncology", "immunology", "neurology", "rare diseases", "vaccines", "cardiology"]
START, DAYS = date(2015, 1, 1), 11 * 365


def synthetic_mentions(total: int, seed: int) -> pd.DataFrame:
    """``total`` mentions (about) shaped like 100,000 articles' worth of news."""
    rng = random.Random(seed)
    names = [
        f"Org{i:05d} {rng.choice(['Bio', 'Pharma', 'Therapeutics', 'Labs'])}" for i in range(30_000)
    ]
    homes = {n: rng.choice(COUNTRIES) for n in names}
    cum = list(
        itertools.accumulate(
            1 / (rank + ZIPF_OFFSET) ** ZIPF_EXPONENT for rank in range(1, len(names) + 1)
        )
    )
    rows: list[dict] = []
    signed: list[tuple[str, ...]] = []
    agreement = 0
    while len(rows) < total:
        agreement += 1
        if signed and rng.random() < 0.05:
            parties = rng.choice(signed)  # the same organisations sign again, later
        else:
            count = 2 if rng.random() < 0.9 else rng.choice((3, 4))
            chosen: list[str] = []
            while len(chosen) < count:
                name = names[_pick(rng, cum)]
                if name not in chosen:
                    chosen.append(name)
            parties = tuple(chosen)
            signed.append(parties)
        deal_type = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
        day = START + timedelta(days=rng.randrange(DAYS))
        assets = [f"ORG-{rng.randrange(1000):03d}"] if rng.random() < 0.35 else []
        prominence = min(int(p[3:8]) for p in parties)  # rank of the biggest party
        scale = 2.0 if prominence < 300 else 0.5
        reports = 1 if rng.random() < 0.7 else min(80, 1 + int(rng.paretovariate(1.4) * scale))
        for report in range(reports):
            when = day + timedelta(days=rng.randrange(0, 10) if report else 0)
            role, deal_date, published, status = "main", _iso(when, rng), when.isoformat(), "agreed"
            if report and rng.random() < 0.1:  # recalled as history, undated
                role, deal_date = "background", None
                published = (when + timedelta(days=rng.randrange(30, 900))).isoformat()
            reported_type = deal_type if rng.random() < 0.85 else rng.choice(DEAL_TYPES)
            rows.append(
                _row(
                    len(rows),
                    parties,
                    homes,
                    reported_type,
                    deal_date,
                    published,
                    role,
                    status,
                    assets,
                    rng,
                )
            )
        if deal_type == "acquisition/merger" and rng.random() < 0.3:
            done = day + timedelta(days=rng.randrange(60, 400))
            rows.append(
                _row(
                    len(rows),
                    parties,
                    homes,
                    deal_type,
                    done.isoformat(),
                    done.isoformat(),
                    "main",
                    "completed",
                    assets,
                    rng,
                )
            )
    return pd.DataFrame(rows[:total])


def _pick(rng: random.Random, cum: list[float]) -> int:
    import bisect

    return min(bisect.bisect(cum, rng.random() * cum[-1]), len(cum) - 1)


def _iso(day: date, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.8:
        return day.isoformat()
    return day.isoformat()[:7] if roll < 0.95 else str(day.year)


def _row(index, parties, homes, deal_type, deal_date, published, role, status, assets, rng) -> dict:
    article = f"{index:020x}"[-20:]
    return {
        "deal_id": index + 1,
        "deal_key": f"k{index:019d}",
        "parties": list(parties),
        "party_countries": [homes[p] for p in parties],
        "type": deal_type,
        "also_types": [],
        "deal_date": deal_date,
        "date_precision": None
        if deal_date is None
        else ("year", "month", "day")[min(deal_date.count("-"), 2)],
        "date_source": "before-article" if deal_date is None else "text",
        "confidence": round(rng.random(), 2),
        "evidence": f"{parties[0]} and {parties[1]} entered into a {deal_type} agreement " * 3,
        "therapeutic_areas": [rng.choice(AREAS)],
        "countries": sorted({homes[p] for p in parties}),
        "item_index": 0,
        "article_id": article,
        "article_title": f"Article {index}",
        "article_file": f"shard:{index}",
        "article_source": "Wire",
        "article_published": published,
        "role": role,
        "deal_status": status,
        "assets": list(assets),
        "terms": {"total_value": {"amount": 1e8, "currency": "USD"}} if rng.random() < 0.2 else {},
        "value_usd": 1e8 if rng.random() < 0.2 else None,
        "upfront_usd": None,
        "status": "machine",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=177_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store", help="read the mentions of this store's URL instead")
    args = parser.parse_args()

    started = time.perf_counter()
    if args.store:
        from atlas.store import deals_frame, open_store

        frame = deals_frame(open_store(args.store)).assign(status="machine")
        made = f"read from {args.store}"
    else:
        frame = synthetic_mentions(args.mentions, args.seed)
        made = f"synthetic, seed {args.seed}"
    print(f"{len(frame):,} mentions ({made}) in {time.perf_counter() - started:.1f} s")

    timed: dict[str, list[tuple[float, float]]] = {"collector on": [], "collector paused": []}
    for _ in range(args.repeat):
        for label, times in timed.items():
            # The app builds its tables with the collector paused (components/data.py).
            if label == "collector paused":
                gc.disable()
            started, cpu = time.perf_counter(), time.process_time()
            deals = consolidate(frame)
            times.append((time.perf_counter() - started, time.process_time() - cpu))
            gc.enable()
    sizes = deals["n_sources"]
    print(
        f"{len(deals):,} deals; {int((sizes > 1).sum()):,} with several sources, "
        f"largest {int(sizes.max())} sources; "
        f"{frame['parties'].map(lambda p: frozenset(p)).nunique():,} sets of parties"
    )
    for label, times in timed.items():
        wall, cpu = [t[0] for t in times], [t[1] for t in times]
        print(
            f"consolidate, {label}: wall best {min(wall):.2f} s, median "
            f"{statistics.median(wall):.2f} s; CPU best {min(cpu):.2f} s, median "
            f"{statistics.median(cpu):.2f} s over {len(times)} runs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
