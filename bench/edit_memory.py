"""Memory of the app over several corrections in a row, at scale (issue 13, point 1).

    .venv/bin/python bench/edit_memory.py --db bench/out/store-100000.db --edits 5

One AppTest session of ``app.py`` (``bench/actions_bench.App``) on a private copy of the
store: Network, Timeline, Countries, Companies and Deals visited, then ``--edits`` times a
deal retyped on the Corrections page followed by a visit of the same five pages. Prints
the process's resident memory at the start and after each edit: it should level off after
the first edit, not grow with each (a leak of the frame before).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import actions_bench as ab  # noqa: E402

PAGES = ("network", "timeline", "countries", "companies", "deals")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLite path or URL of a store")
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args(argv)
    db = args.db if "://" in args.db else f"sqlite:///{Path(args.db).resolve()}"
    with tempfile.TemporaryDirectory(prefix="atlas-edit-memory-") as tmp:
        os.environ["ATLAS_DB_URL"] = ab.private_copy(db, Path(tmp))
        app = ab.App()
        app.run()
        for view in PAGES:
            app.visit(view)
        print(f"start: {ab.rss() / 2**30:.2f} GiB", flush=True)
        at = app.at
        for n in range(args.edits):
            app.visit("corrections")
            label = [o for o in at.selectbox(key="corrections_deal").options if " · " in o][n]
            at.selectbox(key="corrections_deal").select(label)
            app.run()
            kind = at.selectbox(key="corrections_deal_type")
            at.selectbox(key="corrections_deal_type").select(
                next(t for t in kind.options if t != kind.value)
            )
            at.button(key="FormSubmitter:corrections_deal_edit_form-Save changes").click()
            app.run()
            for view in PAGES:
                app.visit(view)
            print(f"after edit {n + 1}: {ab.rss() / 2**30:.2f} GiB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
