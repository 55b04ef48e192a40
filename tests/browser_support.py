"""What every real-browser run here shares: Debian's Chromium, the flags that keep it
off the network, a free loopback port, and the `streamlit run` command line.
Used by the browser tests and by `bench/load_test.py`."""

from __future__ import annotations

import shutil
import socket
import sys

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
