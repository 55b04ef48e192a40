"""Issue 14, point 7 in a real browser: data shown in Streamlit markdown never fetches,
links or formats anything.

An attacker's server listens on a loopback port. The store holds an organisation
renamed (by a correction) to markdown pointing images at that server; the app reads a
feed from it whose titles carry the same, a failing feed whose HTTP reason phrase does,
and an uploaded JSON Lines file whose title does. They reach the Companies expander
and its merge label, an ingest's status label and progress text, and an error box.
Chromium renders them; the attacker's server must see no request but the app's own
feed fetches, and no image, link, formula, coloured text or icon may appear from them.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from atlas import store
from atlas.corrections import add_correction
from atlas.safe_text import WORD_JOINER
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
    pytest.mark.model,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium: apt-get install chromium"),
]

FEED_PATHS = {"/feed.xml", "/broken"}
# A 1x1 transparent PNG: what the attacker serves, should anything ask.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class Attacker:
    """The attacker's server: logs every request; serves a feed, a failing feed, images."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        attacker = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                attacker.requests.append(self.path)
                if self.path == "/feed.xml":
                    self._send(200, attacker.feed(), "application/rss+xml")
                elif self.path == "/broken":
                    self.send_response(500, attacker.markdown("reason"))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._send(200, PIXEL, "image/png")

            def _send(self, code: int, body: bytes, kind: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def markdown(self, tag: str) -> str:
        """Markdown that would fetch an image from this server, link, colour and typeset."""
        base = f"http://127.0.0.1:{self.port}"
        return (
            f"![{tag}]({base}/{tag}.png) [link]({base}/{tag}) :red[{tag}] ${tag}^2$ :material/home:"
        )

    def feed(self) -> bytes:
        return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{html.escape(self.markdown("feed"))}</title>
<link>http://127.0.0.1/</link><item><title>{html.escape(self.markdown("entry"))}</title>
<link>http://127.0.0.1/1</link><description>Quorvia Therapeutics has signed a licence
agreement with Takeda for its antibody.</description></item></channel></rss>""".encode()

    def images_asked(self) -> list[str]:
        return [path for path in self.requests if path not in FEED_PATHS]


@pytest.fixture(scope="module")
def attacker() -> Iterator[Attacker]:
    attacker = Attacker()
    thread = threading.Thread(target=attacker.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield attacker
    finally:
        attacker.server.shutdown()
        attacker.server.server_close()


@pytest.fixture(scope="module")
def hostile_name(attacker) -> str:
    base = f"http://127.0.0.1:{attacker.port}"
    return f"![x]({base}/img.png) [link](http://x) :red[big] $x^2$ <img src={base}/i.png> Bio"


@pytest.fixture(scope="module")
def server(seeded_db_url, tmp_path_factory, hostile_name) -> Iterator[str]:
    """The app on a copy of the seeded store in which Eisai was renamed to the
    hostile name, allowed to read feeds from loopback (the attacker's server)."""
    target = tmp_path_factory.mktemp("browser-injection") / "atlas.db"
    shutil.copy(seeded_db_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    engine = store.open_store(url)
    try:
        add_correction(engine, "rename_org", "Eisai", {"name": hostile_name})
    finally:
        engine.dispose()
    port = free_port()
    env = {**os.environ, "ATLAS_DB_URL": url, "ATLAS_FEEDS_ALLOW_PRIVATE": "1"}
    process = subprocess.Popen(
        streamlit_command(port), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://localhost:{port}"
    try:
        if not wait_until_healthy(base, timeout_s=90, process=process):
            process.kill()
            pytest.fail("streamlit did not start: " + process.stdout.read().decode()[-2000:])
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Records every image, link, formula, coloured span and icon the page ever shows, so
# one drawn for an instant (progress text) is caught too.
OBSERVER = """
window.__seen = {images: [], links: [], formulas: 0, coloured: [], icons: []};
new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (!(node instanceof Element)) continue;
      for (const el of [node, ...node.querySelectorAll('*')]) {
        if (el.tagName === 'IMG') window.__seen.images.push(el.getAttribute('src') || '');
        if (el.tagName === 'A') window.__seen.links.push(el.getAttribute('href') || '');
        if (el.classList.contains('katex')) window.__seen.formulas += 1;
        if (el.classList.contains('stMarkdownColoredText')) window.__seen.coloured.push(el.textContent);
        const label = el.getAttribute('aria-label') || '';
        if (el.getAttribute('role') === 'img' && label) window.__seen.icons.push(label);
      }
    }
  }
}).observe(document, {subtree: true, childList: true});
"""


@contextlib.contextmanager
def watched_page(browser, url: str, attacker: Attacker):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    context.add_init_script(OBSERVER)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    attacker.requests.clear()
    try:
        page.goto(url)
        page.wait_for_selector('[data-testid="stApp"]', timeout=30_000)
        page.wait_for_selector("h1", timeout=120_000)
        yield page
        page.wait_for_timeout(1500)  # an image would be asked for by now
        seen = page.evaluate("() => window.__seen")
        shown = page.evaluate("() => document.body.innerText")
        assert page.locator('[data-testid="stException"]').count() == 0, shown[-2000:]
        port = f":{attacker.port}"
        assert [u for u in requests if port in u or is_outside(u)] == []
        assert attacker.images_asked() == []
        assert [src for src in seen["images"] if port in src or "127.0.0.1" in src] == []
        assert [h for h in seen["links"] if port in h or h == "http://x"] == []
        assert seen["formulas"] == 0
        assert seen["coloured"] == []
        assert "home icon" not in seen["icons"]
    finally:
        context.close()


def page_text(page) -> str:
    """The page's visible text, without the word joiners markdown_text puts in."""
    return page.evaluate("() => document.body.innerText").replace(WORD_JOINER, "")


def test_companies_expander_and_merge_label(server, browser, attacker, hostile_name):
    url = f"{server}/companies?company={quote(hostile_name)}"
    with watched_page(browser, url, attacker) as page:
        summary = page.locator('[data-testid="stExpander"] summary', has_text="Correct").first
        summary.wait_for(timeout=120_000)
        summary.click()
        page.get_by_text("Merge", exact=False).first.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        shown = page_text(page)
    # shown as the characters it is made of
    assert f"Correct {hostile_name}" in shown
    assert f"Merge {hostile_name} into" in shown


def test_feed_titles_in_status_and_progress_and_reason_phrase_in_error(server, browser, attacker):
    with watched_page(browser, f"{server}/add_articles", attacker) as page:
        page.get_by_role("tab", name="Feeds").click()
        address = page.get_by_label("Feed address (RSS or Atom)")
        address.fill(f"http://127.0.0.1:{attacker.port}/feed.xml")
        page.get_by_role("button", name="Add and read feed").click()
        page.wait_for_function(
            "() => document.body.innerText.replaceAll('\\u2060', '').includes(': ingested 1')",
            timeout=300_000,
        )
        status = page_text(page)

        address.fill(f"http://127.0.0.1:{attacker.port}/broken")
        page.get_by_role("button", name="Add and read feed").click()
        alert = page.locator('[data-testid="stAlert"]', has_text="HTTP 500").first
        alert.wait_for(timeout=60_000)
        error = alert.inner_text().replace(WORD_JOINER, "")
        fetched = list(attacker.requests)
    assert f"{attacker.markdown('feed')}: ingested 1" in status
    assert attacker.markdown("reason") in error
    assert fetched.count("/feed.xml") == 1 and fetched.count("/broken") == 1


ARTICLES_IN_UPLOAD = 12


def test_uploaded_jsonl_titles_in_progress_text(server, browser, attacker, tmp_path):
    """Progress text names each article as it is extracted: enough articles that the
    browser draws several of those lines (the observer records every one)."""
    upload = tmp_path / "news.jsonl"
    records = [
        {
            "title": attacker.markdown(f"jsonl{n}"),
            "text": f"Velcora Biologics {n} has signed a licence agreement with Shionogi for "
            f"its antiviral number {n}, the companies said on Monday.",
        }
        for n in range(ARTICLES_IN_UPLOAD)
    ]
    upload.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with watched_page(browser, f"{server}/add_articles", attacker) as page:
        page.evaluate(
            """() => { window.__progress = [];
                new MutationObserver(() => document
                    .querySelectorAll('[data-testid="stProgress"]')
                    .forEach((bar) => window.__progress.push(bar.innerText)))
                .observe(document, {subtree: true, childList: true, characterData: true}); }"""
        )
        page.locator('input[type="file"]').first.set_input_files(str(upload))
        page.get_by_role("button", name="Ingest uploaded files").click()
        page.wait_for_function(
            f"() => document.body.innerText.includes('file(s): ingested {ARTICLES_IN_UPLOAD}')",
            timeout=300_000,
        )
        progress = " ".join(page.evaluate("() => window.__progress")).replace(WORD_JOINER, "")
    # the titles were drawn, as text (the page shows their first 80 characters)
    assert any(attacker.markdown(f"jsonl{n}")[:80] in progress for n in range(ARTICLES_IN_UPLOAD))
