"""Hostile text never runs: the downloadable network page, the article reader's
markup, the CSV and Excel exports and the two search boxes, each fed the seeded
store's hostile article (markup in its organisation name, evidence and title)
as the real pipeline stored it."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from atlas import snapshot, store
from atlas.corpus import article_id
from atlas.export import deals_to_csv, deals_to_excel, search_deals
from atlas.graph import build_deal_graph
from atlas.highlight import highlight_spans, item_spans, search_articles
from atlas.safe_text import FORMULA_PREFIXES
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import HOSTILE_TEXT, HOSTILE_TITLE, ROOT, make_article

# The markup the hostile article carries, as it must never appear raw.
RAW_MARKUP = (
    "<img/src=x/onerror=alert(1)>",
    "<script>alert('xss')</script>",
    "<script>alert(2)</script>",
    "<b>Evil</b>",
)
# pyvis writes node and edge data as JSON arrays in the page's script.
DATASET = re.compile(r"(nodes|edges) = new vis\.DataSet\((\[.*?\])\);", re.DOTALL)
REMOTE_RESOURCE = re.compile(r"\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)


@pytest.fixture(scope="module")
def seeded_deals(seeded_db_url) -> tuple[pd.DataFrame, pd.DataFrame]:
    engine = store.open_store(seeded_db_url)
    try:
        return store.deals_frame(engine), store.organisations_frame(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def network_page(seeded_deals) -> str:
    from components.network import network_html

    deals, organisations = seeded_deals
    assert deals["evidence"].str.contains("<script>alert('xss')</script>", regex=False).any(), (
        "the seeded store lost its hostile deal: these tests would prove nothing"
    )
    return network_html(build_deal_graph(deals, organisations=organisations))


def datasets(page: str) -> dict[str, list[dict]]:
    found = {name: json.loads(payload) for name, payload in DATASET.findall(page)}
    assert set(found) == {"nodes", "edges"}, "unexpected pyvis template"
    return found


# --- the downloadable network page, read as text ---------------------------------------


def test_network_page_holds_no_raw_markup_from_the_data(network_page):
    for markup in RAW_MARKUP:
        assert markup not in network_page
    # the data still reaches the page, escaped
    data = datasets(network_page)
    titles = " ".join(str(item.get("title", "")) for item in data["nodes"] + data["edges"])
    labels = [str(node["label"]) for node in data["nodes"]]
    # (the evidence's own <script> falls past the tooltip's 110-character cut; the
    # article title's is drawn)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in titles
    assert "&lt;img/src=x/onerror=alert(1)&gt;" in titles
    assert "&lt;b&gt;Evil&lt;/b&gt;" in titles  # the article title in the edge tooltip
    assert "alert(1)&gt;Bio Therapeutics" in labels
    for text in [titles, *labels]:
        assert "<script" not in text.lower() and "<img" not in text.lower()


def test_network_page_loads_no_remote_resource(network_page):
    assert REMOTE_RESOURCE.findall(network_page) == []
    assert re.search(r"<link\b", network_page, re.IGNORECASE) is None


# --- the same page in Chromium, from disk ------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium"
)
def test_network_page_from_disk_runs_nothing_and_fetches_nothing(network_page, tmp_path):
    from playwright.sync_api import sync_playwright

    path = tmp_path / "network.html"
    path.write_text(network_page, encoding="utf-8")
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))

            def dismiss(dialog) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", dismiss)
            page.goto(path.as_uri())
            page.wait_for_selector("#mynetwork canvas", timeout=30_000)
            page.wait_for_timeout(1000)
            assert page.evaluate("() => document.querySelectorAll(\"img[src='x']\").length") == 0
            # Tooltips are elements built from the escaped titles: the hostile
            # markup must be their text, not elements inside them.
            tips = page.evaluate(
                """() => [...nodes.get(), ...edges.get()].map((item) => ({
                    element: item.title instanceof HTMLElement,
                    inner: item.title instanceof HTMLElement
                        ? item.title.querySelectorAll('script, img, iframe, a, object').length
                        : -1,
                    text: item.title instanceof HTMLElement ? item.title.textContent : '',
                }))"""
            )
        finally:
            browser.close()
    assert dialogs == []
    assert errors == []
    assert [url for url in requests if not url.startswith(("file:", "data:", "about:"))] == []
    assert tips and all(tip["element"] and tip["inner"] == 0 for tip in tips)
    shown = " ".join(tip["text"] for tip in tips)
    assert HOSTILE_TITLE in shown  # its <script> shown as text


# --- the article reader's markup ----------------------------------------------------------


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _value in attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_reader_markup_of_the_stored_hostile_article_is_inert(seeded_db_url):
    """The spans come from the real extraction: one organisation mention starts
    inside the <img> markup, so a mark splits it; it must still be text."""
    engine = store.open_store(seeded_db_url)
    try:
        detail = store.article_detail(engine, article_id(HOSTILE_TEXT))
        mentions = store.mentions_frame(engine, article_id(HOSTILE_TEXT))
    finally:
        engine.dispose()
    assert detail is not None and not mentions.empty
    for item in detail["items"] or [{"item_index": 0, "text": detail["text"]}]:
        text = item["text"]
        spans = item_spans(
            text,
            mentions=mentions,
            item_index=item["item_index"],
            country_by_term={"Japan": "Japan"},
        )
        markup = highlight_spans(text, spans)
        collector = TagCollector()
        collector.feed(markup)
        collector.close()
        assert collector.tags <= {"div", "mark"}
        assert collector.attributes <= {"class", "title"}
        assert "".join(collector.text) == text
        assert "<script" not in markup and "<img" not in markup


# --- exports of what the real pipeline stored ------------------------------------------------

FORMULA_ARTICLE = (
    'Zorvex Therapeutics has signed a licence agreement with Eisai.\n\n=HYPERLINK("http://evil.example","x") '
    "Quilon Bio has formed a joint venture with Takeda.\n\n"
    "=1+1 Corvane Biologics has signed a licence agreement with Astellas for its oncology antibody."
)


@pytest.fixture
def exported_deals(extractor, memory_store):
    """The deals display table of a store holding the hostile article and an
    article whose sentences start like spreadsheet formulas."""
    from components.tables import deals_display

    articles = [
        make_article(HOSTILE_TEXT, file="hostile.txt", title=HOSTILE_TITLE),
        make_article(FORMULA_ARTICLE, file="formula.txt", title="@SUM(A1) news"),
    ]
    for result in extractor.extract_many(articles):
        store.save_extraction(memory_store, result, fingerprint=extractor.fingerprint)
    table = deals_display(store.deals_frame(memory_store))
    formulas = table["Evidence"].str.startswith(("=HYPERLINK", "=1+1"))
    assert formulas.sum() == 2, f"the extractor no longer finds both formula deals: {table}"
    assert table["Evidence"].str.contains("<script>", regex=False).any()
    return table


# The apostrophe the CSV puts before a formula character (at a cell's start or after a
# "," or ";"): removing it must give the text back exactly.
GUARD = re.compile(r"(^|[,;])( *)'(?=[=+\-@\t\r])")


def test_csv_of_stored_hostile_deals_is_formula_guarded_and_verbatim(exported_deals):
    data = deals_to_csv(exported_deals).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0] == list(exported_deals.columns)
    assert len(rows) == len(exported_deals) + 1
    for row, (_, shown) in zip(rows[1:], exported_deals.iterrows(), strict=True):
        for cell, value in zip(row, shown, strict=True):
            assert not cell.startswith(FORMULA_PREFIXES)
            if isinstance(value, str):
                # text is kept exactly (a CSV is not HTML: no escaping), a formula gets a quote
                assert GUARD.sub(r"\1\2", cell) == value
                if value.startswith(FORMULA_PREFIXES):
                    assert cell == "'" + value
    # read as a spreadsheet of a ";" locale would: no piece starts a formula either
    for row in csv.reader(io.StringIO(data), delimiter=";"):
        assert not any(cell.lstrip(" ").startswith(FORMULA_PREFIXES) for cell in row)
    evidence = [r[rows[0].index("Evidence")] for r in rows[1:]]
    assert any(e.startswith("'=HYPERLINK(") for e in evidence)
    assert any(e.startswith("'=1+1 ") for e in evidence)
    assert any("<script>alert('xss')</script>" in e for e in evidence)
    assert "'@SUM(A1) news" in [r[rows[0].index("Article")] for r in rows[1:]]


def test_excel_of_stored_hostile_deals_holds_text_only(exported_deals):
    sheet = load_workbook(io.BytesIO(deals_to_excel(exported_deals))).active
    header = [cell.value for cell in sheet[1]]
    assert header == list(exported_deals.columns)
    assert sheet.max_row == len(exported_deals) + 1
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_PREFIXES)
    column = header.index("Evidence") + 1
    evidence = [sheet.cell(row=r, column=column).value for r in range(2, sheet.max_row + 1)]
    assert any(e.startswith("'=HYPERLINK(") for e in evidence)
    assert any("<script>alert('xss')</script>" in e for e in evidence)


# --- the search boxes ------------------------------------------------------------------------

# Each is special somewhere: SQL (quote, comment, LIKE wildcards), regex
# (any-character, groups, classes, escapes) or both.
METACHARACTERS = [
    "'; DROP TABLE deals; --",
    ".*",
    "(",
    "[",
    "\\",
    "%",
    "_",
    "alert(1)>",
    "<script>",
]


def literal_deals(deals: pd.DataFrame, query: str) -> list:
    needle = query.casefold()
    return [
        row.deal_id
        for row in deals.itertuples()
        if any(needle in str(p).casefold() for p in row.parties)
        or needle in str(row.evidence or "").casefold()
    ]


def literal_articles(articles: pd.DataFrame, query: str) -> list:
    needle = query.casefold()
    return [
        row.id
        for row in articles.itertuples()
        if any(
            needle in str(v).casefold() for v in (row.title, row.source, row.file) if pd.notna(v)
        )
    ]


@pytest.mark.parametrize("query", METACHARACTERS)
def test_search_functions_match_literally(seeded_db_url, query):
    engine = store.open_store(seeded_db_url)
    try:
        deals, articles = store.deals_frame(engine), store.articles_frame(engine)
    finally:
        engine.dispose()
    assert search_deals(deals, query)["deal_id"].tolist() == literal_deals(deals, query)
    assert search_articles(articles, query)["id"].tolist() == literal_articles(articles, query)


def test_metacharacters_do_find_the_hostile_rows(seeded_db_url):
    """Guard against a vacuous literal oracle: some queries must match something."""
    engine = store.open_store(seeded_db_url)
    try:
        deals, articles = store.deals_frame(engine), store.articles_frame(engine)
    finally:
        engine.dispose()
    assert len(search_deals(deals, "(")) >= 1
    assert len(search_deals(deals, "<script>")) >= 1
    assert search_deals(deals, ".*").empty
    assert search_articles(articles, "_")["id"].tolist() == literal_articles(articles, "_") != []
    assert len(search_articles(articles, "<script>")) == 1


def store_counts(url: str) -> tuple[dict[str, int], int]:
    engine = store.open_store(url)
    try:
        return store.counts(engine), len(store.deals_frame(engine))
    finally:
        engine.dispose()


def caption_count(at: AppTest, what: str) -> tuple[int, int]:
    pattern = re.compile(rf"^(\d+) of (\d+) {what}")
    for caption in at.caption:
        match = pattern.match(caption.value)
        if match:
            return int(match.group(1)), int(match.group(2))
    raise AssertionError(f"no '<n> of <m> {what}' caption: {[c.value for c in at.caption]}")


@pytest.mark.parametrize(
    ("view", "key", "what"),
    [("deals", "deals_search", "deals"), ("articles", "articles_search", "articles")],
)
@pytest.mark.parametrize("query", METACHARACTERS)
def test_page_search_with_metacharacters(app_env, view, key, what, query):
    before = store_counts(app_env)
    engine = store.open_store(app_env)
    try:
        # the page lists deals as the dashboard counts them: one per agreement
        deals = snapshot.dashboard_tables(engine)[0]
        articles = store.articles_frame(engine)
    finally:
        engine.dispose()
    expected = literal_deals(deals, query) if view == "deals" else literal_articles(articles, query)

    at = AppTest.from_file(str(ROOT / "views" / f"{view}.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    at.text_input(key=key).input(query).run()
    assert not at.exception, at.exception
    shown, total = caption_count(at, what)
    assert (shown, total) == (len(expected), len(deals) if view == "deals" else len(articles))
    if not expected:
        assert any("matches the search" in info.value for info in at.info)
    for element in at.html:
        assert "<script" not in element.value and "<img" not in element.value
    assert store_counts(app_env) == before
