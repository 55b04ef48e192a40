"""The Network page on a store's own graph: server time, HTML size, time until
still, frames per second while panning, memory.

    .venv/bin/python bench/network_bench.py --store bench/out/store-100000.db

It reads the store as the app does (``atlas.snapshot.dashboard_tables``, then
``atlas.query.filter_deals`` with no filter, as the page opens), builds the
page's whole graph (``views/network.py``'s basis: ``build_deal_graph`` with the
organisations; kept once per filter setting by the page) and then draws each
view through ``components.network.network_view``, the function the page calls:
the default view, the busiest organisation in focus, and the largest view the
page's widgets allow. "Server" is the time of that call with the basis built
(the basis is timed on its own line), and in brackets the CPU time it took
(on a busy machine the wall time grows, the CPU time much less). Memory is this process's resident size
(``/proc/self/status``: now and peak), which holds what the app's process
holds for the page: the tables, the graph and the drawing.

Each page is served from a loopback HTTP server and opened in Debian's headless
Chromium (Playwright). A script added before anything else catches the
``network`` object as the pyvis template creates it and samples
``network.getPositions()`` every 100 ms: "still" is the first moment after the
first drawing from which no organisation moves more than 0.5 canvas units over
the next ``--quiet`` seconds, counted from the start of navigation. Then the
mouse drags the canvas for ``--drag`` seconds (as a user pans) while the page
counts ``requestAnimationFrame`` callbacks: frames per second, and vis-network's
own median time to draw one frame meanwhile.

Targets (issue 13; exit 1 when one is missed): default view <= 1 s server time
and <= 1 MB of HTML; every view <= 5 s, <= 5 MB, still <= 5 s and panning at
>= 30 frames per second; peak memory < 2 GB; no request leaves localhost and
no script error.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import math
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from atlas import snapshot, store  # noqa: E402
from atlas.graph import build_deal_graph  # noqa: E402
from atlas.query import DealFilters, filter_deals  # noqa: E402
from components.network import (  # noqa: E402
    DEFAULT_MAX_NODES,
    DEFAULT_PARTNERS,
    MAX_NODES,
    PARTNER_CHOICES,
    country_ranking,
    network_view,
)
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, is_outside  # noqa: E402

DEFAULT_STORE = ROOT / "bench" / "out" / "store-100000.db"
# The page's drawing height outside presenter mode (views/network.py).
PAGE_HEIGHT_PX = 620
MOVE_EPSILON = 0.5
TARGET_DEFAULT_S, TARGET_DEFAULT_MB = 1.0, 1.0
TARGET_S, TARGET_MB, TARGET_STILL_S, TARGET_FPS = 5.0, 5.0, 5.0, 30.0
TARGET_MEMORY_GB = 2.0

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

# Counts animation frames until stopped: what the eye gets while the mouse drags.
FRAMES_START_JS = """
() => {
  const f = window.__frames = {count: 0, running: true, start: performance.now()};
  const tick = () => { if (!f.running) return; f.count += 1; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  f.view = network.getViewPosition();
  f.drawsBefore = window.__bench.drawMs.length;
}
"""
FRAMES_STOP_JS = """
() => {
  const f = window.__frames;
  f.running = false;
  const seconds = (performance.now() - f.start) / 1000;
  const view = network.getViewPosition();
  return {
    fps: f.count / seconds,
    draws: window.__bench.drawMs.slice(f.drawsBefore).map((d) => d[1]),
    moved: Math.hypot(view.x - f.view.x, view.y - f.view.y),
  };
}
"""


@dataclass
class Case:
    label: str
    options: dict
    default: bool = False


@dataclass
class Result:
    case: Case
    organisations: int
    links: int
    caption: str
    html_bytes: int
    server_s: float
    server_cpu_s: float
    rss_gb: float
    seen: dict = field(default_factory=dict)

    def problems(self) -> list[str]:
        found = []
        mb = self.html_bytes / 1e6
        if self.case.default and self.server_s > TARGET_DEFAULT_S:
            found.append(f"server {self.server_s:.2f} s > {TARGET_DEFAULT_S:.0f} s")
        if self.case.default and mb > TARGET_DEFAULT_MB:
            found.append(f"HTML {mb:.1f} MB > {TARGET_DEFAULT_MB:.0f} MB")
        if self.server_s > TARGET_S:
            found.append(f"server {self.server_s:.2f} s > {TARGET_S:.0f} s")
        if mb > TARGET_MB:
            found.append(f"HTML {mb:.1f} MB > {TARGET_MB:.0f} MB")
        still = self.seen.get("still_s")
        if still is None:
            found.append("never still within the timeout")
        elif still > TARGET_STILL_S:
            found.append(f"still after {still:.1f} s > {TARGET_STILL_S:.0f} s")
        fps = self.seen.get("fps")
        if fps is None or fps < TARGET_FPS:
            found.append(f"panning at {_fmt(fps, '')} frames/s < {TARGET_FPS:.0f}")
        if self.seen.get("moved", 1) == 0:
            found.append("the drag did not pan the view")
        if self.rss_gb >= TARGET_MEMORY_GB:
            found.append(f"peak memory {self.rss_gb:.2f} GB >= {TARGET_MEMORY_GB:.0f} GB")
        if self.seen.get("outside"):
            found.append(f"requests leaving localhost: {self.seen['outside'][:3]}")
        if self.seen.get("errors"):
            found.append(f"script errors: {self.seen['errors'][:3]}")
        return found


def memory_gb() -> tuple[float, float]:
    """This process's resident memory now and at its peak, in GB (10^9 bytes)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024 / 1e9
    return fields["VmRSS"], fields["VmHWM"]


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


def measure(browser, url: str, *, quiet_s: float, timeout_s: float, drag_s: float) -> dict:
    context = browser.new_context(viewport={"width": 1500, "height": 900})
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
        seen = {"still_s": _seconds(still), "first_draw_s": _seconds(state.get("firstDraw"))}
        if still is not None:
            seen.update(pan(page, drag_s=drag_s))
        seen["outside"] = [u for u in requests if is_outside(u)]
        seen["errors"] = errors
        return seen
    finally:
        context.close()


def pan(page, *, drag_s: float) -> dict:
    """Drag the canvas for ``drag_s`` seconds, a mouse move every 16 ms (a mouse at
    60 Hz; hammer.js takes moves sent back to back for no pan), from a corner of
    the canvas (the centre may hold a dot, which would drag the dot instead)."""
    box = page.locator("#mynetwork canvas").bounding_box()
    cx, cy = box["x"] + 12, box["y"] + 12
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.evaluate(FRAMES_START_JS)
    started = time.monotonic()
    step = 0
    while time.monotonic() - started < drag_s:
        step += 1
        angle = step / 10
        page.mouse.move(cx + 150 * (1 - math.cos(angle)), cy + 100 * math.sin(angle) ** 2)
        page.wait_for_timeout(16)
    frames = page.evaluate(FRAMES_STOP_JS)
    page.mouse.up()
    draws = frames["draws"]
    return {
        "fps": frames["fps"],
        "draw_ms": statistics.median(draws) if draws else None,
        "moved": frames["moved"],
        "mouse_moves": step,
    }


def load(store_path: Path):
    """The deals with no filter and the organisations, as the app's first page has them."""
    engine = store.open_store(f"sqlite:///{store_path}")
    version = store.data_version(engine)
    deals, organisations = snapshot.dashboard_tables(engine, version=version)
    engine.dispose()
    return filter_deals(deals, DealFilters()), organisations


def cases(graph) -> list[Case]:
    busiest = max(graph.nodes, key=lambda n: (graph.nodes[n].get("deals", 0), str(n)))
    return [
        Case(
            f"default ({DEFAULT_MAX_NODES} organisations,"
            f" {DEFAULT_PARTNERS} strongest partners each)",
            {
                "focus": None,
                "hops": 1,
                "max_nodes": DEFAULT_MAX_NODES,
                "partners": DEFAULT_PARTNERS,
            },
            default=True,
        ),
        Case(
            f"focus on {busiest}, 1 hop",
            {
                "focus": busiest,
                "hops": 1,
                "max_nodes": DEFAULT_MAX_NODES,
                "partners": DEFAULT_PARTNERS,
            },
        ),
        Case(
            f"largest allowed ({MAX_NODES:,} organisations,"
            f" {PARTNER_CHOICES[-1]} strongest partners each)",
            {"focus": None, "hops": 1, "max_nodes": MAX_NODES, "partners": PARTNER_CHOICES[-1]},
        ),
    ]


def run(args) -> tuple[list[Result], dict]:
    from playwright.sync_api import sync_playwright

    facts = {}
    started = time.perf_counter()
    deals, organisations = load(args.store)
    facts["load_s"] = time.perf_counter() - started
    facts["deals"] = len(deals)
    facts["rss_tables_gb"] = memory_gb()[0]
    print(f"read {len(deals):,} deals in {facts['load_s']:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    graph = build_deal_graph(deals, organisations=organisations)
    facts["basis_s"] = time.perf_counter() - started
    facts["organisations"] = graph.number_of_nodes()
    facts["links"] = graph.number_of_edges()
    started = time.perf_counter()
    ranking = country_ranking(deals)
    facts["ranking_s"] = time.perf_counter() - started
    facts["rss_graph_gb"] = memory_gb()[0]
    print(
        f"graph of {graph.number_of_nodes():,} organisations and {graph.number_of_edges():,}"
        f" links in {facts['basis_s']:.1f} s",
        file=sys.stderr,
    )
    results = []
    with (
        tempfile.TemporaryDirectory(prefix="network-bench-") as folder,
        loopback_server(Path(folder)) as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for number, case in enumerate(cases(graph)):
                started, cpu = time.perf_counter(), time.process_time()
                caption, page = network_view(
                    graph,
                    colour_by="country",
                    presenter=False,
                    height_px=PAGE_HEIGHT_PX,
                    country_order=ranking,
                    **case.options,
                )
                server_s = time.perf_counter() - started
                server_cpu_s = time.process_time() - cpu
                data = page.encode()
                name = f"network-{number}.html"
                (Path(folder) / name).write_bytes(data)
                nodes, links = drawn_counts(page)
                result = Result(
                    case=case,
                    organisations=nodes,
                    links=links,
                    caption=caption,
                    html_bytes=len(data),
                    server_s=server_s,
                    server_cpu_s=server_cpu_s,
                    rss_gb=memory_gb()[1],
                )
                print(f"{case.label}: {server_s:.2f} s, {len(data):,} B", file=sys.stderr)
                result.seen = measure(
                    browser,
                    f"{base}/{name}",
                    quiet_s=args.quiet,
                    timeout_s=args.timeout,
                    drag_s=args.drag,
                )
                results.append(result)
        finally:
            browser.close()
    return results, facts


def drawn_counts(page: str) -> tuple[int, int]:
    """Dots and lines in the page's data (pyvis writes one JSON list of each)."""
    import json
    import re

    nodes = re.search(r"nodes = new vis\.DataSet\((.*?)\);\n", page).group(1)
    edges = re.search(r"edges = new vis\.DataSet\((.*?)\);\n", page).group(1)
    return len(json.loads(nodes)), len(json.loads(edges))


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else ms / 1000


def _fmt(value: float | None, unit: str = " s") -> str:
    return "—" if value is None else f"{value:.2f}{unit}"


def table(results: list[Result], facts: dict, store_path: Path) -> str:
    lines = [
        f"Store {store_path.name}: {facts['deals']:,} deals; the page's whole graph"
        f" {facts['organisations']:,} organisations, {facts['links']:,} links.",
        f"Read the tables {facts['load_s']:.1f} s (resident {facts['rss_tables_gb']:.2f} GB);"
        f" the basis graph {facts['basis_s']:.1f} s, once per filter setting"
        f" (resident {facts['rss_graph_gb']:.2f} GB); country ranking {facts['ranking_s']:.2f} s.",
        "",
        "| view | dots | lines | server (CPU) | HTML | first draw | still | panning | one frame"
        " | peak memory | result |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        problems = r.problems()
        s = r.seen
        lines.append(
            f"| {r.case.label} | {r.organisations:,} | {r.links:,}"
            f" | {r.server_s:.2f} s ({r.server_cpu_s:.2f} s)"
            f" | {r.html_bytes / 1e6:.2f} MB | {_fmt(s.get('first_draw_s'))}"
            f" | {_fmt(s.get('still_s'))} | {_fmt(s.get('fps'), ' fps')}"
            f" | {_fmt(s.get('draw_ms'), ' ms')} | {r.rss_gb:.2f} GB"
            f" | {'ok' if not problems else 'MISS: ' + '; '.join(problems)} |"
        )
    captions = [f"- {r.case.label}: “{r.caption}”" for r in results]
    return "\n".join(lines) + "\n\nCaptions:\n" + "\n".join(captions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, help="a SQLite store")
    parser.add_argument("--quiet", type=float, default=2.0, help="seconds without movement")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per page at most")
    parser.add_argument("--drag", type=float, default=3.0, help="seconds of panning")
    args = parser.parse_args(argv)
    if not args.store.exists():
        parser.error(f"no store at {args.store} (bench/fill_store.py makes one)")
    results, facts = run(args)
    print(table(results, facts, args.store))
    return 1 if any(r.problems() for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
