"""The Network page at 100, 500 and 2,000 organisations: HTML size and time until still.

    .venv/bin/python bench/network_bench.py            # prints one markdown table

For each size it makes a synthetic deals table (fictional organisations, a
power-law number of deals per organisation: preferential attachment, some
repeated deals, a few three-party alliances), then builds the page's network
exactly as ``views/network.py`` does, through the same functions
(``build_deal_graph``, ``cap_graph``, ``cap_caption``, ``network_html`` with the
page's height and colour basis): once at the page's default cap and once with
the "Most organisations shown" slider at its maximum. The HTML is served from a
loopback HTTP server and opened in Debian's headless Chromium (Playwright).

In the page, a script added before anything else catches the ``network`` object
as the pyvis template creates it, records vis-network's stabilisation events and
samples ``network.getPositions()`` every 100 ms. "Still" is the first moment
after the first drawing from which no organisation moves more than 0.5 canvas
units over the next ``--quiet`` seconds (2 by default); the time is counted from
the start of navigation. A run that never gets there within ``--timeout``
seconds counts as jiggling.

Targets (exit 1 when one is missed): still within 5 s, no movement in the quiet
window, no request to a host other than localhost, no script error, and when
organisations are hidden, a caption that says how many it hides.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from atlas.graph import build_deal_graph, cap_caption, cap_graph  # noqa: E402
from components.network import DEFAULT_MAX_NODES, MAX_NODES, network_html  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, is_outside  # noqa: E402

SIZES = (100, 500, 2000)
TARGET_STILL_S = 5.0
# The page's drawing height outside presenter mode (views/network.py).
PAGE_HEIGHT_PX = 620
MOVE_EPSILON = 0.5

# Made-up syllables plus a number: no name can be a real company's.
_FIRST = ("Vel", "Quor", "Nim", "Ostr", "Talv", "Bren", "Zyph", "Lumo", "Kest", "Ardu", "Miro")
_SECOND = ("ana", "ex", "ova", "ith", "ara", "en", "ique", "olt", "iva", "um", "ora")
_SUFFIX = ("Bio", "Therapeutics", "Pharma", "Biologics", "Institute", "Health", "Labs")
_COUNTRIES = ("Japan", "United States", "Germany", "South Korea", "France", "Switzerland")
_TYPES = ("licensing", "partnership/collaboration", "joint venture", "acquisition")

# Runs before the page's own scripts: catch `network` when the template assigns it.
INIT_SCRIPT = """
(() => {
  const rec = window.__bench = {events: {}, samples: [], firstDraw: null, draws: 0};
  let net;
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return net; },
    set(value) {
      net = value;
      rec.created = performance.now();
      for (const name of ["startStabilizing", "stabilizationIterationsDone", "stabilized"]) {
        value.on(name, () => (rec.events[name] = rec.events[name] || []).push(performance.now()));
      }
      let began = null;
      rec.drawMs = [];
      value.on("beforeDrawing", () => (began = performance.now()));
      value.on("afterDrawing", () => {
        const now = performance.now();
        rec.draws += 1;
        if (began !== null) rec.drawMs.push([now, now - began]);
        if (rec.firstDraw === null) rec.firstDraw = now;
      });
      let last = null;
      setInterval(() => {
        const now = performance.now();
        const positions = net.getPositions();
        let moved = 0;
        if (last !== null) {
          for (const id in positions) {
            const a = positions[id], b = last[id];
            moved = b ? Math.max(moved, Math.abs(a.x - b.x), Math.abs(a.y - b.y)) : Infinity;
          }
        }
        rec.samples.push([now, last === null ? null : moved]);
        last = positions;
      }, 100);
    },
  });
})();
"""

STATE_JS = "() => window.__bench"


@dataclass
class Case:
    organisations: int
    cap: int
    label: str


@dataclass
class Result:
    case: Case
    shown: int
    hidden: int
    caption: str
    html_bytes: int
    html_gzip_bytes: int
    build_s: float
    still_s: float | None
    first_draw_s: float | None
    stabilised_s: float | None
    quiet_move: float | None
    redraw_ms: float | None
    outside: list[str]
    errors: list[str]

    def problems(self) -> list[str]:
        found = []
        if self.still_s is None:
            found.append(f"never still within the timeout (last move {self.quiet_move})")
        elif self.still_s > TARGET_STILL_S:
            found.append(f"still after {self.still_s:.1f} s > {TARGET_STILL_S:.0f} s")
        if self.outside:
            found.append(f"requests leaving localhost: {self.outside[:3]}")
        if self.errors:
            found.append(f"script errors: {self.errors[:3]}")
        if self.hidden and not (
            f"{self.hidden:,}" in self.caption and "hidden" in self.caption.lower()
        ):
            found.append(f"caption does not say what it hides: {self.caption!r}")
        return found


def synthetic_deals(organisations: int, *, seed: int = 7) -> pd.DataFrame:
    """About 1.3 deals per organisation among ``organisations`` fictional ones,
    partners chosen by preferential attachment (so deals per organisation follow
    a power law, with a few hubs), all in one connected network: the hardest
    case for a layout."""
    rng = random.Random(seed)
    names = [
        f"{rng.choice(_FIRST)}{rng.choice(_SECOND)} {rng.choice(_SUFFIX)} {i:04d}"
        for i in range(organisations)
    ]
    country = {
        n: rng.choices(_COUNTRIES, weights=(6, 5, 3, 2, 1, 1))[0] if rng.random() > 0.1 else None
        for n in names
    }
    tree = nx.barabasi_albert_graph(organisations, 1, seed=seed)
    pairs = [(names[a], names[b]) for a, b in tree.edges]
    # Extra deals among existing partners and a few alliances of three.
    pairs += rng.sample(pairs, k=organisations // 5)
    triples = [
        (names[a], names[b], names[c])
        for a, b, c in (rng.sample(range(organisations), 3) for _ in range(organisations // 20))
    ]
    rows = []
    for i, parties in enumerate([*pairs, *triples]):
        month = 1 + i % 12
        rows.append(
            {
                "deal_id": i + 1,
                "parties": list(parties),
                "party_countries": [country[p] for p in parties],
                "type": rng.choice(_TYPES),
                "deal_date": f"2025-{month:02d}",
                "evidence": f"{parties[0]} and {parties[1]} agreed a deal (synthetic evidence {i}).",
                "article_title": f"Synthetic article {i}",
            }
        )
    return pd.DataFrame(rows)


def build_page(deals: pd.DataFrame, *, cap: int) -> tuple[str, nx.Graph, int, str]:
    """The page's steps for the whole network (no focus): graph, cap, caption, HTML."""
    graph = build_deal_graph(deals)
    capped, hidden = cap_graph(graph, max_nodes=cap)
    caption = cap_caption(graph, capped, max_nodes=MAX_NODES)
    page = network_html(
        capped, colour_by="country", height_px=PAGE_HEIGHT_PX, presenter=False, colour_basis=graph
    )
    return page, capped, hidden, caption


@contextlib.contextmanager
def loopback_server(folder: Path):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def still_since(state: dict, quiet_s: float) -> float | None:
    """Milliseconds from navigation to the first sample after the first drawing
    from which nothing moved for ``quiet_s`` seconds, or None."""
    if not state or state.get("firstDraw") is None:
        return None
    samples = state["samples"]
    # Walk back from the newest sample while nothing moves.
    start = None
    for t, moved in reversed(samples):
        if moved is None or moved > MOVE_EPSILON:
            break
        start = t
    if start is None:
        return None
    # `start` is the first sample that saw no move; the layout was still one sample earlier.
    index = next(i for i, (t, _) in enumerate(samples) if t == start)
    settled = samples[index - 1][0] if index > 0 else start
    if samples[-1][0] - settled < quiet_s * 1000:
        return None
    return max(settled, state["firstDraw"])


def measure(browser, url: str, *, quiet_s: float, timeout_s: float) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url, wait_until="commit")
        deadline = time.monotonic() + timeout_s
        still = None
        state: dict = {}
        while time.monotonic() < deadline:
            page.wait_for_timeout(250)
            state = page.evaluate(STATE_JS) or {}
            still = still_since(state, quiet_s)
            if still is not None:
                break
        redraw_ms = None
        if still is not None:
            # What panning and zooming will feel like: the time one frame takes to draw.
            since = page.evaluate("() => performance.now()")
            for factor in (1.2, 1 / 1.2, 1.2, 1 / 1.2, 1.0):
                page.evaluate(f"() => network.moveTo({{scale: network.getScale() * {factor}}})")
                page.wait_for_timeout(150)
            frames = [ms for t, ms in page.evaluate("() => window.__bench.drawMs") if t > since]
            redraw_ms = statistics.median(frames) if frames else None
        samples = state.get("samples", [])
        # The largest move within the last quiet window (0 when still).
        recent = [m for t, m in samples if m is not None and t >= samples[-1][0] - quiet_s * 1000]
        events = state.get("events", {})
        done = events.get("stabilizationIterationsDone") or events.get("stabilized")
        return {
            "still_ms": still,
            "first_draw_ms": state.get("firstDraw"),
            "stabilised_ms": done[0] if done else None,
            "quiet_move": max(recent) if recent else None,
            "redraw_ms": redraw_ms,
            "requests": requests,
            "errors": errors,
        }
    finally:
        context.close()


def outside_requests(urls: list[str]) -> list[str]:
    return [url for url in urls if is_outside(url)]


def run(cases: list[Case], *, quiet_s: float, timeout_s: float) -> list[Result]:
    from playwright.sync_api import sync_playwright

    results = []
    with (
        tempfile.TemporaryDirectory(prefix="network-bench-") as folder,
        loopback_server(Path(folder)) as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for case in cases:
                deals = synthetic_deals(case.organisations)
                started = time.perf_counter()
                page, capped, hidden, caption = build_page(deals, cap=case.cap)
                build_s = time.perf_counter() - started
                name = f"network-{case.organisations}-{case.cap}.html"
                data = page.encode()
                (Path(folder) / name).write_bytes(data)
                seen = measure(browser, f"{base}/{name}", quiet_s=quiet_s, timeout_s=timeout_s)
                results.append(
                    Result(
                        case=case,
                        shown=capped.number_of_nodes(),
                        hidden=hidden,
                        caption=caption,
                        html_bytes=len(data),
                        html_gzip_bytes=len(gzip.compress(data, compresslevel=6)),
                        build_s=build_s,
                        still_s=_seconds(seen["still_ms"]),
                        first_draw_s=_seconds(seen["first_draw_ms"]),
                        stabilised_s=_seconds(seen["stabilised_ms"]),
                        quiet_move=seen["quiet_move"],
                        redraw_ms=seen["redraw_ms"],
                        outside=outside_requests(seen["requests"]),
                        errors=seen["errors"],
                    )
                )
        finally:
            browser.close()
    return results


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else ms / 1000


def _fmt(value: float | None, unit: str = " s") -> str:
    return "—" if value is None else f"{value:.2f}{unit}"


def table(results: list[Result]) -> str:
    lines = [
        "| organisations | cap | shown | hidden | HTML | gzip | build (Python) | first draw"
        " | stabilisation done | still | max move after | one frame | result |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        problems = r.problems()
        lines.append(
            f"| {r.case.organisations:,} | {r.case.label} | {r.shown:,} | {r.hidden:,}"
            f" | {r.html_bytes / 1e6:.2f} MB ({r.html_bytes:,} B) | {r.html_gzip_bytes / 1e6:.2f} MB"
            f" | {r.build_s:.2f} s | {_fmt(r.first_draw_s)} | {_fmt(r.stabilised_s)}"
            f" | {_fmt(r.still_s)} | {_fmt(r.quiet_move, '')} | {_fmt(r.redraw_ms, ' ms')}"
            f" | {'ok' if not problems else 'MISS: ' + '; '.join(problems)} |"
        )
    captions = [f"- {r.case.organisations:,}, {r.case.label}: “{r.caption}”" for r in results]
    return "\n".join(lines) + "\n\nCaptions:\n" + "\n".join(captions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--quiet", type=float, default=2.0, help="seconds without movement")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per page at most")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (median shown)")
    args = parser.parse_args(argv)
    cases = []
    for size in args.sizes:
        cases.append(Case(size, DEFAULT_MAX_NODES, "default"))
        if size > DEFAULT_MAX_NODES:
            cases.append(Case(size, MAX_NODES, "slider at max"))
    runs = [run(cases, quiet_s=args.quiet, timeout_s=args.timeout) for _ in range(args.repeat)]
    results = [_median(group) for group in zip(*runs, strict=True)]
    print(table(results))
    if args.repeat > 1:
        print("\nStill (s), each run:")
        for group in zip(*runs, strict=True):
            case = group[0].case
            spread = ", ".join(_fmt(r.still_s) for r in group)
            print(f"- {case.organisations:,}, {case.label}: {spread}")
    return 1 if any(r.problems() for run_ in runs for r in run_) else 0


def _median(group: tuple[Result, ...]) -> Result:
    """The run with the median time until still (a run never still counts as slowest)."""
    ranked = sorted(group, key=lambda r: float("inf") if r.still_s is None else r.still_s)
    return ranked[(len(ranked) - 1) // 2] if len(ranked) % 2 else ranked[len(ranked) // 2]


if __name__ == "__main__":
    sys.exit(main())
