"""Browser test of a background job (issue 13, point 4): Re-extract all started on the
Corrections page shows its progress on another page, which stays usable meanwhile,
and the line goes when the job ends."""

from __future__ import annotations

import re
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


def test_reextraction_runs_in_the_background_and_every_page_shows_it(
    browser,  # noqa: F811
    tmp_path,
    rules_extractor,
):
    url = filled_store(tmp_path, rules_extractor, 300)
    with streamlit_server(url) as base:
        context, page, watch = open_page(browser, f"{base}/corrections")
        page.get_by_role("tab", name="Lexicon and re-extraction").click()
        page.get_by_role("button", name="Re-extract all articles").click()
        page.get_by_text("Runs in the background", exact=False).wait_for(timeout=60_000)

        # Another page, in the same session: the line is in its sidebar ...
        page.get_by_role("link", name="Deals").click()
        page.wait_for_url(re.compile("/deals$"), timeout=60_000)
        page.get_by_placeholder(re.compile("party|drug|evidence", re.I)).first.wait_for(
            timeout=60_000
        )
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text(re.compile("Re-extracting")).wait_for(timeout=30_000)
        # ... and the app is usable: another page opens while the job runs.
        engine = store.open_store(url)
        assert jobs.latest_job(engine).running
        page.get_by_role("link", name="Overview").click()
        page.wait_for_selector("h1:has-text('Partnership Atlas')", timeout=60_000)
        assert jobs.latest_job(engine).running, "the job ended before the page was used"
        # The count moves while we look (the line refreshes itself).
        counted = sidebar.get_by_text(re.compile(r"Re-extracting: [\d,]+ of 300 articles"))
        counted.wait_for(timeout=240_000)

        finished = jobs.wait(engine, jobs.latest_job(engine).id, timeout=600)
        assert finished.status == jobs.FINISHED, finished.line()
        sidebar.get_by_text(re.compile("Re-extracting")).wait_for(state="detached", timeout=30_000)
        assert watch.outside_requests() == [] and watch.errors == []
        context.close()
        engine.dispose()
