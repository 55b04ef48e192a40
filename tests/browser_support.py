"""What every real-browser run here shares: Debian's Chromium, the flags that keep it
off the network, a free loopback port, and the `streamlit run` command line.
Used by the browser tests and by the benchmarks in `bench/`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium calls Google's hosts at start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about"}


def is_outside(url: str) -> bool:
    """Whether a request to ``url`` would leave this machine."""
    parsed = urlparse(url)
    return parsed.scheme not in LOCAL_SCHEMES and parsed.hostname not in LOCAL_HOSTS


def wait_until_healthy(
    url: str, *, timeout_s: float = 90, process: subprocess.Popen | None = None
) -> bool:
    """Poll Streamlit's health endpoint until it answers ``ok`` (True), the time is
    up or ``process`` has exited (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def wait_until_drawn(page, *, first_run_ms: int = 90_000, settle_ms: int = 1000) -> None:
    """Wait until a Streamlit page has a title (the first script run of a fresh server
    loads the model and the store), its script has finished (no "running" status
    widget) and its lazily loaded charts and tables have replaced their placeholders;
    then ``settle_ms`` more for drawing."""
    page.wait_for_selector("h1", timeout=first_run_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=first_run_ms,
    )
    for _ in range(30):
        if page.locator('[data-testid="stSkeleton"]').count() == 0:
            break
        page.wait_for_timeout(1000)
    page.wait_for_timeout(settle_ms)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def streamlit_command(port: int) -> list[str]:
    """``streamlit run app.py`` headless on ``port``, bound to localhost."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "localhost",
        "--browser.gatherUsageStats",
        "false",
    ]


@contextmanager
def logged_server(port: int, db_url: str, log_path: Path, *, cwd: Path) -> Iterator:
    """``streamlit run app.py`` on ``port`` over the store at ``db_url``, each script
    run's server time logged (``ATLAS_LOG_RUNS``) to ``log_path``; stopped on exit."""
    with log_path.open("w") as log:
        server = subprocess.Popen(
            streamlit_command(port),
            cwd=cwd,
            env={**os.environ, "ATLAS_DB_URL": db_url, "ATLAS_LOG_RUNS": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield server
        finally:
            server.terminate()
            server.wait(timeout=60)
