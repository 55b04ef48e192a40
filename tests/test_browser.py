"""Browser tests: a real `streamlit run` on a free port, driven by Playwright in Debian's
Chromium. They prove what AppTest cannot: pages render in a browser, the network canvas
draws, no request leaves localhost, hostile text never runs."""

from __future__ import annotations

import contextlib
import os
import subprocess
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    is_outside,
    streamlit_command,
    wait_until_drawn,
    wait_until_healthy,
)
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium: apt-get install chromium"),
]
SCREENSHOTS = ROOT / "tests" / "screenshots"
PAGES = ["", "timeline", "countries", "network", "companies", "articles", "deals"]
EVERY_PAGE = [*PAGES, "add_articles", "corrections"]
# A projector's screen.
FULL_HD = {"width": 1920, "height": 1080}


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


def open_page(browser, url: str, *, viewport: dict | None = None, downloads: bool = False):
    context = browser.new_context(
        viewport=viewport or {"width": 1400, "height": 1000}, accept_downloads=downloads
    )
    page = context.new_page()
    watch = Watch(page)
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=30_000)
    wait_until_drawn(page)
    return context, page, watch


@pytest.mark.parametrize("mode", ["normal", "presenter"])
@pytest.mark.parametrize("path", EVERY_PAGE)
def test_page_renders_offline_without_errors(server, browser, path, mode):
    """Every page, as a user and as a presenter sees it at 1920x1080; the screenshots
    (tests/screenshots/<page>-<mode>.png, git-ignored) are for a person to look at."""
    query = "?present=1" if mode == "presenter" else ""
    context, page, watch = open_page(browser, f"{server}/{path}{query}", viewport=FULL_HD)
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{path or 'overview'}-{mode}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator("h1").count() >= 1
        assert watch.outside_requests() == []
        assert watch.dialogs == []
        if mode == "presenter":
            # The pages stay one click away, in the bar at the top of the screen.
            links = page.locator('[data-testid="stTopNavLink"]')
            assert links.count() == len(EVERY_PAGE)
            assert all(box["y"] < 80 for box in (links.nth(i).bounding_box() for i in range(3)))
            assert page.get_by_role("button", name="Leave presenter mode").is_visible()
            if path not in {"add_articles", "corrections"}:
                line = page.locator('[data-testid="stCaptionContainer"]', has_text="All deals")
                assert line.is_visible()
                # Under the title.
                assert line.bounding_box()["y"] > page.locator("h1").first.bounding_box()["y"]
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


# --- presenting the network (issue 12, points 12 and 14) ------------------------------------

# Invented organisations: 8 hubs of 11 partners each (96 organisations), about what the
# 34 articles of data/articles and ../shared/eval/dev draw (86 organisations).
_STEMS = ["Quil", "Mar", "Tess", "Orv", "Zent", "Kel", "Vard", "Lum", "Sorb", "Nex", "Pral", "Cind"]
_ENDS = ["ara", "endo", "aly", "ane", "rix", "ova", "ium", "exa"]
_KINDS = ["Therapeutics", "Pharma", "Biosciences", "Biologics"]
CROWD = [f"{s}{e} {_KINDS[(i + j) % 4]}" for i, s in enumerate(_STEMS) for j, e in enumerate(_ENDS)]
HUBS = CROWD[:8]


@pytest.fixture(scope="module")
def crowded_server(tmp_path_factory, rules_extractor):
    """The app on a store of 88 licences between 96 invented organisations."""
    from atlas.store import open_store, save_extraction
    from tests.conftest import make_article

    url = f"sqlite:///{tmp_path_factory.mktemp('crowded') / 'atlas.db'}"
    engine = open_store(url)
    articles = [
        make_article(
            f"{HUBS[k % 8]} has signed an exclusive licence agreement with {partner} "
            "for its antiviral.\n",
            file=f"deal{k}.txt",
            title=f"Licence {k}",
            published="2025-03-01",
        )
        for k, partner in enumerate(CROWD[8:])
    ]
    for result in rules_extractor.extract_many(articles):
        save_extraction(engine, result, fingerprint=rules_extractor.fingerprint)
    engine.dispose()
    with streamlit_server(url) as base:
        yield base


# vis-network's own state: its zoom, and for each label it draws (its size on the
# canvas times the zoom is its size on screen) the box it takes.
DRAWN_LABELS = """() => {
    const nodes = network.body.nodeIndices.map((id) => network.body.nodes[id]);
    const drawn = nodes.filter((node) => node.labelModule.visible());
    const boxes = drawn.map((node) => node.labelModule.size);
    let overlaps = 0;
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            if (a.left < b.left + b.width && b.left < a.left + a.width &&
                a.top < b.top + b.height && b.top < a.top + a.height) overlaps++;
        }
    }
    return {
        scale: network.getScale(),
        organisations: nodes.length,
        labels: drawn.map((node) => node.labelModule.elementOptions.label),
        fonts: drawn.map((node) => node.labelModule.fontOptions.size),
        overlaps: overlaps,
    };
}"""


def drawn_network(page):
    """The network's iframe once vis-network has drawn it, and what it drew."""
    frame = page.wait_for_selector("iframe", timeout=60_000).content_frame()
    frame.wait_for_selector("canvas", timeout=30_000)
    frame.wait_for_function("() => typeof network !== 'undefined' && network.getScale() > 0")
    page.wait_for_timeout(1000)
    return frame, frame.evaluate(DRAWN_LABELS)


@pytest.mark.parametrize(
    ("path", "hubs_named"),
    [("network?present=1", HUBS), (f"companies?present=1&company={quote(HUBS[0])}", HUBS[:1])],
)
def test_labels_are_readable_on_a_projector(crowded_server, browser, path, hubs_named):
    """At 1920x1080 presenting, the drawn labels are at least 14 px on screen (were
    about 6 px: the drawing opened zoomed out to 0.23), none overlaps another, the
    largest organisations are named, and the others appear when zoomed in."""
    context, page, watch = open_page(browser, f"{crowded_server}/{path}", viewport=FULL_HD)
    try:
        frame, drawn = drawn_network(page)
        assert drawn["labels"], "no label is drawn"
        on_screen = min(drawn["fonts"]) * drawn["scale"]
        assert on_screen >= 14, f"labels are {on_screen:.1f} px on screen"
        assert drawn["overlaps"] == 0
        assert set(hubs_named) <= set(drawn["labels"])
        assert len(drawn["labels"]) < drawn["organisations"]  # crowded: not everyone
        frame.evaluate("() => network.moveTo({scale: network.getScale() * 2})")
        zoomed = frame.evaluate(DRAWN_LABELS)
        assert len(zoomed["labels"]) > len(drawn["labels"])
        if path.startswith("network"):
            # The whole drawing is on the screen without scrolling.
            canvas = frame.locator("canvas").bounding_box()  # in the page's coordinates
            assert canvas["y"] + canvas["height"] <= FULL_HD["height"]
        assert watch.outside_requests() == []
    finally:
        context.close()


def test_the_downloaded_network_has_a_heading_and_draws_offline(server, browser):
    context, page, watch = open_page(browser, f"{server}/network", downloads=True)
    try:
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download this network (HTML)").click()
        download = download_info.value
        made = date.today().isoformat()
        assert (
            download.suggested_filename
            == f"partnership-atlas-network-all-organisations-{made}.html"
        )
        html = Path(download.path()).read_text(encoding="utf-8")
    finally:
        context.close()
    context = browser.new_context(viewport=FULL_HD)
    try:
        saved = context.new_page()
        watch = Watch(saved)
        saved.set_content(html)
        assert saved.locator("h1").inner_text() == "Network of deals between organisations"
        assert saved.get_by_text("All deals", exact=True).is_visible()
        assert saved.get_by_text("with Partnership Atlas", exact=False).is_visible()
        saved.wait_for_function("() => typeof network !== 'undefined' && network.getScale() > 0")
        assert saved.evaluate(DRAWN_LABELS)["labels"]
        assert watch.outside_requests() == [] and watch.dialogs == []
    finally:
        context.close()


def test_a_click_on_a_deal_opens_its_detail_with_every_source(server, browser):
    """Proof one click away: the selection box of a row opens the deal's detail with
    each reporting article's sentence highlighted (the joint venture two seed
    articles report is one deal)."""
    context, page, watch = open_page(browser, f"{server}/deals?q=Yaskawa", viewport=FULL_HD)
    try:
        grid = page.locator('[data-testid="stDataFrame"]').first
        box = grid.bounding_box()
        # the first row's selection box: under the 35 px header, in the leftmost column
        page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
        page.get_by_text("Reported by 2 articles").wait_for(timeout=30_000)
        marks = page.locator("mark.atlas-mark-evidence")
        marks.nth(1).wait_for(timeout=30_000)  # the highlighted text draws after the heading
        assert marks.count() == 2
        assert "Yaskawa" in marks.first.inner_text()
        assert page.locator('[data-testid="stException"]').count() == 0
        assert watch.outside_requests() == []
    finally:
        context.close()
