"""Browser tests: a real `streamlit run` on a free port, driven by Playwright in Debian's
Chromium. They prove what AppTest cannot: pages render in a browser, the network canvas
draws, no request leaves localhost, hostile text never runs."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest

from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    is_outside,
    streamlit_command,
    wait_until_healthy,
)
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium: apt-get install chromium"),
]
SCREENSHOTS = ROOT / "tests" / "screenshots"
PAGES = ["", "timeline", "countries", "network", "companies", "articles", "deals"]


@contextlib.contextmanager
def streamlit_server(db_url: str):
    """``streamlit run app.py`` on a free loopback port, against ``db_url``."""
    port = free_port()
    process = subprocess.Popen(
        streamlit_command(port),
        cwd=ROOT,
        env={**os.environ, "ATLAS_DB_URL": db_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    try:
        if not wait_until_healthy(url, timeout_s=60, process=process):
            process.kill()
            pytest.fail(
                "streamlit did not start: " + process.stdout.read().decode(errors="replace")[-2000:]
            )
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def server(seeded_db_url):
    with streamlit_server(seeded_db_url) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """Everything a page did that a test should know about."""

    def __init__(self, page) -> None:
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if is_outside(url)]


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch = Watch(page)
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=30_000)
    # The first script run of a fresh server loads the model and the store.
    page.wait_for_selector("h1", timeout=90_000)
    # Wait until the script has finished running (no "running" status widget).
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    # Charts and tables load lazily: wait until their placeholders are gone.
    for _ in range(30):
        if page.locator('[data-testid="stSkeleton"]').count() == 0:
            break
        page.wait_for_timeout(1000)
    page.wait_for_timeout(1000)
    return context, page, watch


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_offline_without_errors(server, browser, path):
    context, page, watch = open_page(browser, f"{server}/{path}")
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{path or 'overview'}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator("h1").count() >= 1
        assert watch.outside_requests() == []
        assert watch.dialogs == []
    finally:
        context.close()


def test_network_canvas_draws_nodes(server, browser):
    context, page, watch = open_page(browser, f"{server}/network")
    try:
        frame_element = page.wait_for_selector("iframe", timeout=30_000)
        frame = frame_element.content_frame()
        frame.wait_for_selector("canvas", timeout=30_000)
        page.wait_for_timeout(3000)
        painted = frame.evaluate(
            """() => {
                const canvas = document.querySelector('canvas');
                const ctx = canvas.getContext('2d');
                const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
                let coloured = 0;
                for (let i = 0; i < data.length; i += 4) {
                    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
                    if (a > 0 && !(r > 240 && g > 240 && b > 240)) coloured++;
                }
                return coloured;
            }"""
        )
        assert painted > 500, "the network canvas is blank"
        assert watch.outside_requests() == []
        assert watch.dialogs == []
    finally:
        context.close()


def hostile_ids(db_url: str) -> tuple[str, str]:
    from atlas import store

    engine = store.open_store(db_url)
    articles = store.articles_frame(engine)
    article = articles.loc[articles["file"] == "hostile.txt", "id"].iloc[0]
    organisation = next(n for n in store.organisations_frame(engine)["name"] if "alert" in n)
    engine.dispose()
    return article, organisation


@pytest.mark.parametrize("path", ["deals", "network", "articles", "companies", "timeline"])
def test_hostile_article_never_runs(server, browser, seeded_db_url, path):
    """The store holds an article whose title, organisation and evidence carry
    <script> and <img onerror>; showing it must not open a dialog or run code."""
    from urllib.parse import quote

    article, organisation = hostile_ids(seeded_db_url)
    query = {"articles": f"?article={article}", "companies": f"?company={quote(organisation)}"}.get(
        path, ""
    )
    context, page, watch = open_page(browser, f"{server}/{path}{query}")
    try:
        page.wait_for_timeout(2000)
        assert watch.dialogs == []
        assert not any("xss" in e or "alert" in e for e in watch.errors)
        assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
    finally:
        context.close()


def test_upload_through_the_file_input_then_see_the_deal_on_the_network(browser, tmp_path):
    """A BD user's path: Add articles, choose a file, ingest, open the network."""
    url = f"sqlite:///{tmp_path / 'upload.db'}"
    article = tmp_path / "news.txt"
    article.write_text(
        "Quilvara Therapeutics has signed an exclusive licence agreement with Shionogi for its antiviral.\n"
    )
    with streamlit_server(url) as base:
        context, page, watch = open_page(browser, f"{base}/add_articles")
        page.locator('input[type="file"]').first.set_input_files(str(article))
        page.get_by_role("button", name="Ingest uploaded files").click()
        page.get_by_text("ingested 1", exact=False).first.wait_for(timeout=120_000)
        page.goto(f"{base}/network")
        frame = page.wait_for_selector("iframe", timeout=60_000).content_frame()
        frame.wait_for_selector("canvas", timeout=30_000)
        html = frame.content()
        assert "Quilvara Therapeutics" in html and "Shionogi" in html
        assert watch.outside_requests() == []
        context.close()
