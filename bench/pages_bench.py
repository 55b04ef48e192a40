"""Page rerun times and app memory on a big store.

    .venv/bin/python bench/pages_bench.py --db sqlite:///bench/out/store-100000.db
    .venv/bin/python bench/pages_bench.py --db ... --browser     # + a real server in Chromium
    .venv/bin/python bench/pages_bench.py --db ... --settings 10 # + memory after 10 filter settings

Part 1 (always), in a fresh process: Streamlit's AppTest runs ``app.py`` exactly as
the server does (frame, sidebar filters, page). The first run is the cold start
(empty caches: the store is read). Then, for every page, one switch to it and
``--reruns`` reruns; the table shows the median rerun next to the median rerun of
a blank page (``st.title`` only) measured in the same process, and the difference.

Part 2 (``--browser``): ``streamlit run app.py`` against the store in headless
Chromium, twice. First with the store's prepared tables (``atlas.snapshot``) deleted:
the first load after start builds them from SQL. Then a fresh server (a restart, the
tables on disk): the first load, then each page reached by its sidebar link, as a user
does; for each, the seconds until its title shows with no placeholder left, until the
script run finished (``app.py`` logs it with ``ATLAS_LOG_RUNS=1``), and until the
browser was free to paint again (charts drawn; 0.3 s of that is a fixed pause), and
the server-side time of that script run. Also the second server's peak
resident memory (process tree, sampled every 0.2 s).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VIEWS = [
    "overview",
    "timeline",
    "countries",
    "network",
    "companies",
    "articles",
    "deals",
    "add_articles",
    "corrections",
]
BLANK = "import streamlit as st\nst.title('Blank')\n"
# Resolves once the browser is free to paint two frames (charts drawn).
DRAWN_JS = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def timed_run(at) -> float:
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"the page raised: {at.exception[0].value}")
    return elapsed


def rerun_table(reruns: int) -> tuple[str, float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    cold = timed_run(at)
    blank = AppTest.from_string(BLANK, default_timeout=60)
    blank.run()
    blank_times = [timed_run(blank) for _ in range(reruns)]
    blank_median = statistics.median(blank_times)
    lines = [
        "| page | first visit s | rerun median s | blank rerun s | rerun − blank s |",
        "|---|---|---|---|---|",
    ]
    worst = 0.0
    for view in VIEWS:
        at.switch_page(f"views/{view}.py")
        first = timed_run(at)
        times = [timed_run(at) for _ in range(reruns)]
        median = statistics.median(times)
        worst = max(worst, median - blank_median)
        lines.append(
            f"| {view} | {first:.3f} | {median:.3f} | {blank_median:.3f} | "
            f"{median - blank_median:.3f} |"
        )
    lines.append(
        f"\ncold first run of the app (Overview, empty caches, prepared tables as found "
        f"on disk): {cold:.2f} s"
    )
    return "\n".join(lines), worst


def serve_and_visit(db_url: str, pages: list[tuple[str, str]], first_label: str):
    """Start ``streamlit run app.py`` on the store, open the first page with ``goto`` and
    reach the others by their sidebar links; returns the table rows and the server's
    peak memory (bytes)."""
    import psutil
    from playwright.async_api import async_playwright

    from bench.load_test import SHOWN_JS, server_runs, wait_until_healthy
    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, free_port, logged_server

    port = free_port()
    base = f"http://localhost:{port}"
    peak = {"rss": 0}
    stop = threading.Event()

    def sample(pid: int) -> None:
        while not stop.is_set():
            try:
                root = psutil.Process(pid)
                rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                peak["rss"] = max(peak["rss"], rss)
            except psutil.Error:
                pass
            time.sleep(0.2)

    async def visit() -> list[str]:
        rows = []
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            for index, (path, title) in enumerate(pages):
                started = time.monotonic()
                if index == 0:
                    await page.goto(f"{base}/{path}", wait_until="commit")
                else:  # as a user moves on: the sidebar link, not a new page load
                    link = page.locator(f'[data-testid="stSidebarNav"] a[href="{base}/{path}"]')
                    await link.click(timeout=600_000)
                await page.wait_for_function(SHOWN_JS, arg=title, timeout=600_000, polling=50)
                shown = time.monotonic() - started
                # The run is over when app.py has logged it (ATLAS_LOG_RUNS), not before.
                while f"atlas-run /{path} " not in log_path.read_text(errors="replace"):
                    await asyncio.sleep(0.05)
                finished = time.monotonic() - started
                # Charts keep the browser busy after the run: wait until it paints two
                # frames, so their drawing counts for this page and not the next.
                await page.wait_for_timeout(300)
                await page.evaluate(DRAWN_JS)
                drawn = time.monotonic() - started
                label = first_label if index == 0 else f"/{path}"
                ran = server_runs(log_path.read_text(errors="replace"))[f"/{path}"][0]
                rows.append(f"| {label} | {shown:.2f} | {finished:.2f} | {drawn:.2f} | {ran:.2f} |")
            await browser.close()
        return rows

    with tempfile.TemporaryDirectory(prefix="atlas-pages-") as tmp:
        log_path = Path(tmp) / "streamlit.log"
        with logged_server(port, db_url, log_path, cwd=ROOT) as server:
            sampler = threading.Thread(target=sample, args=(server.pid,), daemon=True)
            sampler.start()
            try:
                wait_until_healthy(base, server, log_path)
                rows = asyncio.run(visit())
            finally:
                stop.set()
    return rows, peak["rss"]


def browser_check(db_url: str) -> str:
    """Two fresh servers: one on a store whose prepared tables were deleted (the first
    load rebuilds them from SQL), then one after that restart (they are on disk)."""
    from atlas.snapshot import cache_dir
    from bench.load_test import PAGES

    folder = cache_dir(db_url)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    rebuilt, _ = serve_and_visit(
        db_url, PAGES[:1], "first load, no prepared tables on disk (built from SQL)"
    )
    rows, peak = serve_and_visit(
        db_url, PAGES, "first load after a restart (prepared tables on disk)"
    )
    return "\n".join(
        [
            "| browser visit (first visit of each page) | s to title shown | s to run finished "
            "| s to drawn | server run s |",
            "|---|---|---|---|---|",
            *rebuilt,
            *rows,
            f"\npeak server memory (RSS, process tree): {peak / 2**30:.2f} GiB",
        ]
    )


def settings_memory(settings: int) -> str:
    """Visit every page under ``settings`` different filter settings in one AppTest
    process, as a long-running server would, and report the process's memory after
    each. Each setting is made through the sidebar's widgets (as a user makes it: the
    sidebar rebuilds the filters from its widgets on every run) and differs from the
    others: the latest year, the latest two years and so on, every other one with
    the undated deals included. The Overview's deal count under each setting is
    printed, as proof."""
    import resource

    import psutil
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    span = next((c.value for c in at.sidebar.caption if "Deals dated" in c.value), "")
    last_year = int(span.split(" to ")[-1][:4]) if " to " in span else 2025
    peaks = []
    shown = []
    for index in range(settings):
        # Ranges grow (the latest year, then the latest two, ...): large, all different.
        at.date_input(key="filter_date_from").set_value(date(last_year - index, 1, 1))
        at.date_input(key="filter_date_to").set_value(date(last_year, 12, 31))
        timed_run(at)  # the box for undated deals is enabled once a range is set
        # Every other setting also includes the undated deals.
        at.checkbox(key="filter_include_undated").set_value(bool(index % 2))
        for view in VIEWS:
            at.switch_page(f"views/{view}.py")
            timed_run(at)
            if view == "overview":
                line = next((c.value for c in at.caption if "Filtered to" in c.value), "")
                deals = next((m.value for m in at.metric if m.label == "Deals"), "?")
                said = line.split("Filtered to")[-1].replace("\\", "").lstrip(":").strip()
                shown.append(f"{said}: {deals} deals")
        peaks.append(
            (
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                psutil.Process().memory_info().rss / 2**30,
            )
        )
        print(f"setting {index + 1}: {shown[-1]}", file=sys.stderr, flush=True)
    if len(set(shown)) != len(shown):
        raise SystemExit(f"two settings showed the same: {shown}")
    peak = ", ".join(f"{high:.2f}" for high, _ in peaks)
    now = ", ".join(f"{current:.2f}" for _, current in peaks)
    settings_list = "\n".join(f"  {n}. {line}" for n, line in enumerate(shown, start=1))
    return (
        f"app process after every page under 1..{settings} filter settings (GiB), each "
        f"set through the sidebar's widgets:\n{settings_list}\n"
        f"- peak: {peak}\n- resident after each setting: {now}\n{released()}"
    )


def released() -> str:
    """Where the memory is: the process's resident memory with every cache of
    ``components.data`` (and ``st.cache_data``) cleared and collected, then with
    Arrow's memory pool released, then with glibc's free heap trimmed. What clearing
    frees stays with the allocators until those last two steps."""
    import ctypes
    import gc

    import psutil
    import pyarrow as pa
    import streamlit as st

    from components import data

    def resident() -> str:
        return f"{psutil.Process().memory_info().rss / 2**30:.2f}"

    steps = [f"caches full {resident()}"]
    # What the allocators hold beside the caches: trimmed with everything still cached.
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    steps.append(f"caches full, Arrow's pool released and heap trimmed {resident()}")
    data.clear_caches()
    st.cache_data.clear()
    gc.collect()
    steps.append(f"cleared and collected {resident()}")
    pa.default_memory_pool().release_unused()
    steps.append(f"+ Arrow's pool released {resident()}")
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        steps.append(f"+ malloc_trim {resident()}")
    except (OSError, AttributeError):
        steps.append("(no glibc: no trim)")
    return "- resident GiB at the end: " + ", ".join(steps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a filled store")
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also a real server in Chromium")
    parser.add_argument(
        "--settings", type=int, default=0, help="also: memory after N filter settings"
    )
    args = parser.parse_args(argv)
    os.environ["ATLAS_DB_URL"] = args.db

    from atlas.store import counts, open_store

    sizes = counts(open_store(args.db))
    print(f"store {args.db}: {sizes}", file=sys.stderr)
    table, worst = rerun_table(args.reruns)
    print(f"store: {sizes['articles']} articles, {sizes['deals']} deals\n")
    print(table)
    print(f"worst page: rerun − blank = {worst:.3f} s (target ≤ 0.5 s)")
    if args.settings:
        print()
        print(settings_memory(args.settings))
    if args.browser:
        print()
        print(browser_check(args.db))
    return 0


if __name__ == "__main__":
    sys.exit(main())
