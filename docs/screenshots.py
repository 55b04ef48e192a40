"""The README's screenshots of the Overview and the Network, made from the bundled corpus.

    make screenshots        # = .venv/bin/python docs/screenshots.py

Ingests ``data/articles`` into a temporary SQLite store, serves the app on a free
loopback port, opens each page in Debian's Chromium (the flags of the browser tests:
nothing leaves the machine) at 1400x900 and writes ``docs/overview.png`` and
``docs/network.png``. Any request leaving localhost, script error or error box fails it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser_support import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    is_outside,
    streamlit_command,
    wait_until_drawn,
    wait_until_healthy,
)

PAGES = {"overview": "", "network": "network"}
VIEWPORT = {"width": 1400, "height": 900}


def _settle(page) -> None:
    """Wait until the script has run and charts, tables and the network are drawn (the
    network's layout settles in its iframe: 3 s more)."""
    wait_until_drawn(page, first_run_ms=120_000, settle_ms=3000)


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'atlas.db'}"
        env = {**os.environ, "ATLAS_DB_URL": url}
        subprocess.run(
            [sys.executable, "-m", "atlas", "ingest", "data/articles", "--quiet"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        port = free_port()
        server = subprocess.Popen(
            streamlit_command(port),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        address = f"http://localhost:{port}"
        try:
            if not wait_until_healthy(address, timeout_s=90, process=server):
                print("the app did not start", file=sys.stderr)
                return 1
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                outside: list[str] = []
                errors: list[str] = []
                for name, path in PAGES.items():
                    context = browser.new_context(viewport=VIEWPORT)
                    page = context.new_page()
                    page.on(
                        "request", lambda r: outside.append(r.url) if is_outside(r.url) else None
                    )
                    page.on("pageerror", lambda e: errors.append(str(e)))
                    page.goto(f"{address}/{path}")
                    _settle(page)
                    if page.locator(
                        '[data-testid="stException"], [data-testid="stAlertContentError"]'
                    ).count():
                        errors.append(f"an error box on {name}")
                    target = ROOT / "docs" / f"{name}.png"
                    page.screenshot(path=str(target))
                    print(f"wrote {target.relative_to(ROOT)}")
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    if outside or errors:
        print(f"requests leaving localhost: {outside}; errors: {errors}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
