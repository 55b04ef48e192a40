"""Browser test of a background job (issue 13, point 4): Re-extract all started on the
Corrections page shows its progress on another page, which stays usable meanwhile,
and the line goes when the job ends.

Re-extracting 300 short invented articles takes a few seconds, less than visiting two
pages on a busy machine, so the test holds the worker still (SIGSTOP) at the phase it
wants to look at and lets it go on (SIGCONT) after: a stopped process is alive, so the
job stays running, and nothing depends on how fast either side is."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

from atlas import jobs, store
from tests.browser_support import CHROMIUM
from tests.test_browser import browser, open_page, streamlit_server  # noqa: F401 - fixture
from tests.test_jobs import filled_store

pytestmark = [
    pytest.mark.browser,
    pytest.mark.model,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium: apt-get install chromium"),
]


def _hold_at(engine, phase: str, timeout_s: float = 120.0) -> int:
    """Stop the job's worker as soon as its row shows ``phase``; its pid."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = jobs.latest_job(engine)
        if job is None:  # the click has not reached the server yet
            time.sleep(0.01)
            continue
        assert job.running, f"the job ended before it reached {phase!r}: {job.line()}"
        if job.phase == phase and job.pid:
            os.kill(job.pid, signal.SIGSTOP)
            return job.pid
        time.sleep(0.01)
    raise AssertionError(f"the job never reached {phase!r}")


def test_reextraction_runs_in_the_background_and_every_page_shows_it(
    browser,  # noqa: F811
    tmp_path,
    rules_extractor,
):
    url = filled_store(tmp_path, rules_extractor, 300)
    engine = store.open_store(url)
    held = None
    with streamlit_server(url) as base:
        try:
            context, page, watch = open_page(browser, f"{base}/corrections")
            page.get_by_role("tab", name="Lexicon and re-extraction").click()
            page.get_by_role("button", name="Re-extract all articles").click()
            held = _hold_at(engine, "loading the language model")
            page.get_by_text("Runs in the background:", exact=False).first.wait_for(timeout=60_000)

            # Another page, in the same session: the line is in its sidebar ...
            page.get_by_role("link", name="Deals").click()
            page.wait_for_url(re.compile("/deals$"), timeout=60_000)
            page.get_by_placeholder(re.compile("party|drug|evidence", re.I)).first.wait_for(
                timeout=60_000
            )
            sidebar = page.locator('[data-testid="stSidebar"]')
            sidebar.get_by_text(re.compile("Re-extracting: loading")).wait_for(timeout=30_000)
            # ... and the app is usable: another page opens while the job runs.
            page.get_by_role("link", name="Overview").click()
            page.wait_for_selector("h1:has-text('Partnership Atlas')", timeout=60_000)
            sidebar.get_by_text(re.compile("Re-extracting: loading")).wait_for(timeout=30_000)
            assert jobs.latest_job(engine).running

            # The line follows the job by itself: let the worker on to its first
            # articles and hold it there; the count appears without a click.
            os.kill(held, signal.SIGCONT)
            held = _hold_at(engine, "extracting")
            counted = sidebar.get_by_text(re.compile(r"Re-extracting: [\d,]+ of 300 articles"))
            counted.wait_for(timeout=60_000)

            os.kill(held, signal.SIGCONT)
            held = None
            finished = jobs.wait(engine, jobs.latest_job(engine).id, timeout=600)
            assert finished.status == jobs.FINISHED, finished.line()
            sidebar.get_by_text(re.compile("Re-extracting")).wait_for(
                state="detached", timeout=30_000
            )
            assert watch.outside_requests() == [] and watch.errors == []
            context.close()
        finally:
            if held is not None:
                os.kill(held, signal.SIGCONT)
            engine.dispose()
