"""CPU of the Timeline, Countries and Companies pages' computations at a near-full
filter and on a fresh frame (as after an edit), in one AppTest process.

    .venv/bin/python bench/page_compute_bench.py --db sqlite:///$PWD/bench/out/store-100000.db

Each page is visited (first visit, warm rerun), then a minimum confidence of 0.70, 0.75
and 0.80 is set on Timeline, Countries and Companies in turn (on the 100,000-article
store they keep 91 % to 71 % of the deals, rows no setting kept before), then every
cache computed from the prepared frame and the frame's index are dropped
(``components.data.clear_caches`` and the index), as after an edit, and each page is
visited again. Wall and CPU seconds of each run (CPU: every thread of the process).
To compare two versions on a shared machine, run both at the same time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["timeline", "countries", "companies"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a filled store")
    args = parser.parse_args(argv)
    os.environ["ATLAS_DB_URL"] = args.db
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from components import data

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()

    def run(label: str) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        at.run()
        if at.exception:
            raise SystemExit(f"{label}: the page raised {at.exception[0].value}")
        print(
            f"| {label} | {time.perf_counter() - started:.2f} | {time.process_time() - cpu:.2f} |",
            flush=True,
        )

    print("| run | wall s | CPU s |\n|---|---|---|")
    for view in PAGES:
        at.switch_page(f"views/{view}.py")
        run(f"{view}: first visit")
        run(f"{view}: warm rerun")
    for index, view in enumerate(PAGES):
        at.switch_page(f"views/{view}.py")
        at.run()
        wanted = round(0.70 + 0.05 * index, 2)
        at.slider(key="filter_min_confidence").set_value(wanted)
        run(f"{view}: minimum confidence {wanted:.2f}")
        at.slider(key="filter_min_confidence").set_value(0.0)
        at.run()
    data.clear_caches()
    data._index_of.clear()
    for view in PAGES:
        at.switch_page(f"views/{view}.py")
        run(f"{view}: fresh frame")
    return 0


if __name__ == "__main__":
    sys.exit(main())
