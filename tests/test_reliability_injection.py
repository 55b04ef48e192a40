"""Issue 14, points 7 and 10: data never renders as markdown, and names read as they are.

Point 7: organisation names (from a rename correction), country names (from a
correction), feed titles, JSON Lines titles and HTTP reason phrases reach labels and
messages that Streamlit renders as markdown (expander, status, tabs, widget labels,
alerts, captions, toasts, progress text). ``atlas.highlight.markdown_text`` must make
them inert: proved here on the helper (rendered by a CommonMark parser, then checked
against the text rewrites Streamlit applies after parsing, whose patterns are read
from the installed Streamlit), and on every page through AppTest: no markdown source
built from the data holds the data raw. The real browser, which fetches images, is
``tests/test_browser_injection.py``.

Point 10: bidirectional controls are removed from names and file names, and a
correction cannot store a name over ``MAX_NAME_CHARS``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from atlas import store
from atlas.corrections import CorrectionError, add_correction, list_corrections
from atlas.names import BIDI_CONTROLS, MAX_NAME_CHARS, InvalidName, clean_name, strip_bidi
from atlas.organisations import display_name
from atlas.safe_text import WORD_JOINER, markdown_text, plain_text
from tests.conftest import ROOT
from tests.pg import (  # noqa: F401 - pytest fixtures used by name
    engine_on_each_backend,
    postgres_cluster,
)

# --- hostile text ---------------------------------------------------------------------------

# An organisation name as a rename correction stores it: an image from a server the
# attacker chose, a link, colour and icon directives, LaTeX and raw HTML.
HOSTILE_NAME = (
    "![x](http://127.0.0.1:9/img.png) [link](http://x) :red[big] $x^2$ :material/home: "
    "<img src=http://127.0.0.1:9/i.png>"
)
HOSTILE_COUNTRY = ":blue[Atlantis] ![c](http://127.0.0.1:9/c.png) $y$"
HOSTILE_FEED_TITLE = "![f](http://127.0.0.1:9/f.png) :red[feed] $f$ [a](http://x)"
HOSTILE_ENTRY_TITLE = "![e](http://127.0.0.1:9/e.png) :green[entry] $e$"
# A status line allows any printable Latin-1 text after the code.
HOSTILE_REASON = "![r](http://127.0.0.1:9/r.png) :red[down] $z$"
HOSTILE_JSONL_TITLE = "![j](http://127.0.0.1:9/j.png) :violet[jsonl] $j$ www.evil.example"
# None of these may stand raw in a markdown source built from the data.
RAW_MARKERS = (
    "![",
    "](",
    ":red[",
    ":blue[",
    ":green[",
    ":violet[",
    "$x^2$",
    "$y$",
    "$f$",
    "$e$",
    "$z$",
    "$j$",
    "<img",
    ":material/home",
    "http://",
    "www.evil",
)

# Each is markdown somewhere: images, links, autolinks, HTML, directives, math,
# emoji and icon shortcodes, block syntax, tables, footnotes, entities, arrows.
MARKDOWN_ATTACKS = [
    HOSTILE_NAME,
    "![a](http://127.0.0.1:9/a.png)",
    "[click](javascript:alert(1)) <https://evil.example> https://evil.example/x",
    "www.evil.example and mail@evil.example",
    '<img src="http://127.0.0.1:9/i.png" onerror=alert(1)> <b>bold</b> <!-- c -->',
    ":red[big] :blue-background[bg] :red-badge[b] :small[s] :help[tip] :color[c]{foreground=red}",
    ":material/home: :smile: :+1: :streamlit:",
    "$x^2$ and $$\\int_0^1 x$$",
    "# heading\n- item\n> quote\n1. one\n---",
    "| a | b |\n|---|---|\n| c | d |",
    "**bold** _it_ ~~strike~~ `code` [^1]\n\n[^1]: note",
    "&lt;img&gt; &#60;b&#62; &amp; \\*not\\* \\",
    "a -> b <- c <-> d -- e >= f <= g ~= h",
    "[ref]\n\n[ref]: http://evil.example",
]


def one_line(text: str) -> str:
    return " ".join(strip_bidi(text).split())


# --- the helper -----------------------------------------------------------------------------

COMMONMARK = MarkdownIt("commonmark").enable(["table", "strikethrough"])
PARAGRAPH = re.compile(r"^<p>(.*)</p>\n$", re.DOTALL)


def rendered_text(source: str) -> str:
    """What a CommonMark renderer makes of ``source``, asserting it is one plain paragraph."""
    rendered = COMMONMARK.render(source)
    match = PARAGRAPH.match(rendered)
    assert match, f"not one paragraph: {rendered!r}"
    assert "<" not in match.group(1), f"markup in {rendered!r}"
    return html.unescape(match.group(1))


@pytest.mark.parametrize("text", MARKDOWN_ATTACKS)
def test_markdown_text_renders_as_the_text_itself(text):
    source = markdown_text(text)
    assert rendered_text(source).replace(WORD_JOINER, "") == one_line(text)
    # no markdown construct or Streamlit directive can start: every ":" and "$" is escaped
    assert re.search(r"(?<!\\)[:$]", source) is None
    assert ":material/" not in source  # Streamlit rewrites this in the source itself


# Streamlit 1.67 rewrites text nodes after parsing, where backslash escapes are gone;
# these are its patterns (Python spelling), each followed by the literal that must
# still be in its bundle: if Streamlit changes them, the test says so.
STREAMLIT_TEXT_REWRITES = [
    (re.compile(r":\+1:|:-1:|:[\w-]+:"), r"/:\+1:|:-1:|:[\w-]+:/g"),  # remark-emoji
    (re.compile(r":material_(\w+):"), r"/:material_(\w+):/g"),
    (re.compile(r":streamlit:"), "/:streamlit:/g"),
    (re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE), r"/(https?:\/\/|www(?=\.))"),
    (re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)"), r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)/g"),
    (re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)"), r"[/(^|\s)<->(\s|$)/g,"),
]


def streamlit_bundle() -> str:
    import streamlit

    folder = Path(streamlit.__file__).parent / "static" / "static" / "js"
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for pattern in ("StreamlitMarkdown*.js", "remark-emoji*.js")
        for path in folder.glob(pattern)
    )


def test_streamlit_still_rewrites_text_as_markdown_text_assumes():
    bundle = streamlit_bundle()
    for _pattern, literal in STREAMLIT_TEXT_REWRITES:
        assert literal in bundle, f"Streamlit no longer has {literal}: review markdown_text"
    assert "replaceAll(`:material/`,`:material_`)" in bundle


@pytest.mark.parametrize("text", MARKDOWN_ATTACKS)
def test_markdown_text_leaves_nothing_for_streamlits_text_rewrites(text):
    shown = rendered_text(markdown_text(text))
    for pattern, _literal in STREAMLIT_TEXT_REWRITES:
        assert pattern.search(shown) is None, (pattern.pattern, shown)
    # the same text without the helper is rewritten: the patterns do match something
    assert any(
        pattern.search(one_line(t))
        for t in MARKDOWN_ATTACKS
        for pattern, _ in STREAMLIT_TEXT_REWRITES
    )


def test_markdown_text_of_nothing_and_of_numbers():
    assert markdown_text(None) == ""
    assert markdown_text(2025) == "2025"
    assert markdown_text("  Astellas\n Pharma ") == "Astellas Pharma"


# --- point 10: bidirectional controls and long names ------------------------------------

SPOOF = "deal\u202efdp.exe"  # shows as "dealexe.pdf"


@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_every_bidi_control_is_stripped(control):
    assert strip_bidi(f"Acme{control} Bio") == "Acme Bio"
    assert clean_name(f"{control}Acme{control}") == "Acme"
    assert markdown_text(f"A{control}B") == "AB"
    assert plain_text(f"A{control}B") == "AB"


def test_the_listed_controls_are_every_bidi_formatting_character():
    """Unicode's explicit embeddings, overrides and isolates (by their bidi class) and
    its three implicit direction marks."""
    import sys
    import unicodedata

    explicit = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
    found = {
        chr(c) for c in range(sys.maxunicode + 1) if unicodedata.bidirectional(chr(c)) in explicit
    }
    marks = {
        unicodedata.lookup(name)
        for name in ("LEFT-TO-RIGHT MARK", "RIGHT-TO-LEFT MARK", "ARABIC LETTER MARK")
    }
    assert found | marks == set(BIDI_CONTROLS)


def test_plain_text_keeps_other_values():
    assert plain_text(None) is None
    assert plain_text(0.5) == 0.5
    assert plain_text(SPOOF) == "dealfdp.exe"


def test_extracted_names_lose_bidi_controls():
    assert display_name("Ac\u202eme Therapeutics\u202c Inc.") == "Acme Therapeutics"


def test_clean_name_caps_the_length_with_a_one_line_reason():
    assert clean_name("A" * MAX_NAME_CHARS) == "A" * MAX_NAME_CHARS
    with pytest.raises(InvalidName) as raised:
        clean_name("A" * 5000)
    assert str(raised.value) == "the name is 5,000 characters long; at most 200 are allowed"
    with pytest.raises(InvalidName, match="empty"):
        clean_name("\u202e \u2066")


def test_corrections_store_names_without_bidi_controls(engine):
    add_correction(engine, "rename_org", "Acme", {"name": " Ac\u202eme\u2069  Bio "})
    add_correction(
        engine,
        "add_deal",
        payload={
            "parties": ["Beta\u200f Pharma", SPOOF],
            "type": "licensing",
            "evidence": "Beta Pharma licensed it.",
        },
    )
    stored = [c.payload for c in list_corrections(engine)]
    assert stored[0]["name"] == "Acme Bio"
    assert stored[1]["parties"] == ["Beta Pharma", "dealfdp.exe"]


@pytest.mark.parametrize(
    ("action", "target", "payload"),
    [
        ("rename_org", "Acme", {"name": "A" * 5000}),
        (
            "add_deal",
            "",
            {"parties": ["B" * 201, "Acme"], "type": "licensing", "evidence": "B licensed it."},
        ),
        ("set_deal_parties", "some-deal", {"parties": ["Acme", "C" * 3000]}),
    ],
)
def test_corrections_refuse_over_long_names(engine, action, target, payload):
    with pytest.raises(CorrectionError) as raised:
        add_correction(engine, action, target, payload)
    reason = str(raised.value)
    assert "characters long; at most 200 are allowed" in reason and "\n" not in reason
    assert list_corrections(engine) == []


def test_deals_table_and_exports_show_names_and_files_without_bidi_controls():
    from atlas.export import deals_to_csv
    from components.tables import deals_display

    deals = pd.DataFrame(
        [
            {
                "parties": ["Ac\u202eme", "Beta"],
                "type": "licensing",
                "also_types": [],
                "deal_date": None,
                "countries": [],
                "therapeutic_areas": [],
                "confidence": 0.5,
                "evidence": "x",
                "article_title": None,
                "article_file": SPOOF,
            }
        ]
    )
    table = deals_display(deals)
    assert table["Parties"].tolist() == ["Acme + Beta"]
    assert table["Article"].tolist() == ["dealfdp.exe"]
    assert not set(BIDI_CONTROLS) & set(deals_to_csv(table).decode("utf-8-sig"))


# --- every page, through AppTest --------------------------------------------------------------

MARKDOWN_FIELDS = {"label", "body", "text", "help"}
# Elements whose text Streamlit shows as text or sanitised HTML, never as markdown.
PLAIN_ELEMENTS = {"Text", "Html", "Code", "Json", "Exception", "Empty"}
# Widgets whose options are markdown (a select box's options are plain text).
MARKDOWN_OPTIONS = {"Radio"}


def markdown_sources(at: AppTest) -> list[tuple[str, str]]:
    """(element, source) for every string of the page Streamlit renders as markdown."""
    found: list[tuple[str, str]] = []

    def visit(node) -> None:
        proto = getattr(node, "proto", None)
        kind = type(proto).__name__
        if proto is not None and hasattr(proto, "ListFields") and kind not in PLAIN_ELEMENTS:
            for field, value in proto.ListFields():
                if field.name in MARKDOWN_FIELDS and isinstance(value, str):
                    found.append((f"{kind}.{field.name}", value))
                if field.name == "options" and kind in MARKDOWN_OPTIONS:
                    found.extend((f"{kind}.options", str(v)) for v in value)
        children = getattr(node, "children", None)
        for child in children.values() if isinstance(children, dict) else ():
            visit(child)

    visit(at._tree)
    return found


def assert_inert(at: AppTest) -> list[tuple[str, str]]:
    assert not at.exception, at.exception
    sources = markdown_sources(at)
    raw = [(kind, s) for kind, s in sources if any(m in s for m in RAW_MARKERS)]
    assert raw == [], f"data rendered as markdown: {raw}"
    return sources


def shown_in(sources: list[tuple[str, str]], text: str) -> list[str]:
    """The kinds of element whose markdown source holds ``text`` as ``markdown_text`` writes it."""
    escaped = markdown_text(text)
    return [kind for kind, source in sources if escaped in source]


def reset_caches() -> None:
    import streamlit as st

    from components import data

    st.cache_data.clear()
    st.cache_resource.clear()
    data.clear_caches()


@pytest.fixture(scope="module")
def hostile_store(seeded_db_url, tmp_path_factory) -> str:
    """A copy of the seeded store where Eisai was renamed to ``HOSTILE_NAME`` and
    given ``HOSTILE_COUNTRY`` as its country, by corrections as a user makes them."""
    target = tmp_path_factory.mktemp("hostile") / "atlas.db"
    shutil.copy(seeded_db_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    engine = store.open_store(url)
    try:
        assert "Eisai" in set(store.organisations_frame(engine)["name"])
        add_correction(engine, "rename_org", "Eisai", {"name": HOSTILE_NAME})
        add_correction(engine, "set_org", HOSTILE_NAME, {"country": HOSTILE_COUNTRY})
    finally:
        engine.dispose()
    return url


@pytest.fixture
def hostile_env(hostile_store, tmp_path, monkeypatch) -> str:
    lexicon = tmp_path / "lexicon"
    shutil.copytree(ROOT / "data" / "lexicon", lexicon)
    monkeypatch.setenv("ATLAS_LEXICON_DIR", str(lexicon))
    monkeypatch.setenv("ATLAS_DB_URL", hostile_store)
    reset_caches()
    yield hostile_store
    reset_caches()


def view(name: str, *, query: dict | None = None, timeout: int = 120) -> AppTest:
    at = AppTest.from_file(str(ROOT / "views" / f"{name}.py"), default_timeout=timeout)
    for param, value in (query or {}).items():
        at.query_params[param] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_companies_expander_and_merge_label_show_a_renamed_organisation_as_text(hostile_env):
    at = view("companies", query={"company": HOSTILE_NAME})
    assert at.selectbox(key="companies_organisation").value == HOSTILE_NAME
    sources = assert_inert(at)
    assert at.expander[-1].label == f"Correct {markdown_text(HOSTILE_NAME)}"
    assert at.selectbox(key="companies_correct_merge_into").label == (
        f"Merge {markdown_text(HOSTILE_NAME)} into"
    )
    assert {"Heading.body", "Expandable.label", "Selectbox.label"} <= set(
        shown_in(sources, HOSTILE_NAME)
    )


def test_select_boxes_keep_the_name_as_plain_text(hostile_env):
    """Options are shown as text: escaping them would show backslashes."""
    assert HOSTILE_NAME in view("network").selectbox(key="network_focus").options
    corrections = view("corrections")
    assert HOSTILE_NAME in corrections.selectbox(key="corrections_org").options


def test_corrections_page_labels_errors_and_lexicon_messages(hostile_env):
    at = view("corrections")
    at.selectbox(key="corrections_org").select("Alvotech").run()
    assert_inert(at)
    # Renaming another organisation to "Eisai" is refused with a reason naming what
    # Eisai is now: the hostile name, in an error box.
    at.text_input(key="corrections_org_rename_name").input("Eisai")
    next(b for b in at.button if b.label == "Rename").click().run()
    sources = assert_inert(at)
    assert at.error, "the rename was not refused"
    assert "Alert.body" in shown_in(sources, HOSTILE_NAME)

    at.text_input(key="corrections_lexicon_name").input(HOSTILE_FEED_TITLE)
    next(b for b in at.button if b.label == "Add to lexicon").click().run()
    sources = assert_inert(at)
    assert at.success and "Alert.body" in shown_in(sources, HOSTILE_FEED_TITLE)
    # the same name again: the lexicon's refusal quotes it
    at.text_input(key="corrections_lexicon_name").input(HOSTILE_FEED_TITLE)
    next(b for b in at.button if b.label == "Add to lexicon").click().run()
    assert_inert(at)
    assert any(markdown_text(HOSTILE_FEED_TITLE) in e.value for e in at.error)


def test_countries_headings_show_a_corrected_country_as_text(hostile_env):
    at = view("countries")
    assert HOSTILE_COUNTRY in at.selectbox(key="countries_focus").options
    at.selectbox(key="countries_focus").select(HOSTILE_COUNTRY).run()
    sources = assert_inert(at)
    assert "Markdown.body" in shown_in(sources, HOSTILE_COUNTRY)


@pytest.mark.parametrize("page", ["overview", "timeline", "deals", "articles", "network"])
def test_other_pages_render_the_hostile_store_inertly(hostile_env, page):
    assert_inert(view(page))


def test_app_frame_and_sidebar_render_the_hostile_store_inertly(hostile_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert_inert(at)
    assert HOSTILE_NAME in at.multiselect(key="filter_organisations").options


# --- Add articles: feed titles, HTTP reason phrases, JSON Lines titles, file names -----------

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>http://127.0.0.1/</link>
<item><title>{entry}</title><link>http://127.0.0.1/1</link>
<description>Quorvia Therapeutics has signed a licence agreement with Takeda for its
antibody.</description><pubDate>Mon, 06 Jan 2025 09:00:00 GMT</pubDate></item>
</channel></rss>"""


class FeedHandler(BaseHTTPRequestHandler):
    """/feed.xml: a feed titled with markdown; /broken: an error whose reason is markdown."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/feed.xml":
            body = RSS.format(
                title=html.escape(HOSTILE_FEED_TITLE), entry=html.escape(HOSTILE_ENTRY_TITLE)
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(500, HOSTILE_REASON)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ingest_env(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    monkeypatch.setenv("ATLAS_DB_URL", url)
    monkeypatch.setenv("ATLAS_FEEDS_ALLOW_PRIVATE", "1")  # the test's feed server is local
    reset_caches()
    yield url
    reset_caches()


def add_articles_page() -> AppTest:
    """The Add articles page inside the app (its links need the app's navigation)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("views/add_articles.py").run()
    assert not at.exception, at.exception
    return at


def read_feed(at: AppTest, address: str) -> AppTest:
    at.text_input(key="add_feed_url").input(address)
    next(b for b in at.button if b.label == "Add and read feed").click().run()
    return at


@pytest.mark.model
def test_feed_title_names_the_ingest_status_as_text(ingest_env, feed_server):
    at = read_feed(add_articles_page(), f"{feed_server}/feed.xml")
    sources = assert_inert(at)
    assert at.status, "no ingest status shown"
    assert at.status[0].label.startswith(markdown_text(HOSTILE_FEED_TITLE) + ": ingested 1")
    assert "Markdown.body" in [k for k, s in sources if s.startswith("ingested 1")]


def test_http_reason_phrase_in_the_feed_error_is_text(ingest_env, feed_server):
    at = read_feed(add_articles_page(), f"{feed_server}/broken")
    sources = assert_inert(at)
    assert at.error, "the failing feed showed no error"
    assert "Alert.body" in shown_in(sources, HOSTILE_REASON)


@pytest.mark.model
def test_uploaded_jsonl_title_and_file_names(ingest_env):
    at = add_articles_page()
    records = [
        {
            "title": HOSTILE_JSONL_TITLE,
            "text": "Quorvia Therapeutics has signed a licence agreement with Takeda.",
        },
        {"text": "Velcora Biologics has signed a licence agreement with Shionogi."},  # no title
    ]
    uploader = at.file_uploader(key="add_upload")
    uploader.upload(
        "news\u202elnosj.jsonl", "".join(json.dumps(r) + "\n" for r in records).encode()
    )
    uploader.upload("report\u202enosj.json", b"{not json")  # rejected, by its name
    uploader.run()
    at.button(key="add_upload_go").click().run()
    assert_inert(at)
    assert at.status and "2 file" in at.status[0].label
    rejected = next(d.value for d in at.dataframe if "Reason" in d.value.columns)
    assert rejected["File"].tolist() == ["reportnosj.json"]
    new = next(d.value for d in at.dataframe if "Read" in d.value.columns)
    # table cells are plain text: the title as it is, the file name without its controls
    assert sorted(new["Article"]) == sorted([HOSTILE_JSONL_TITLE, "newslnosj.jsonl:2"])
    # stored as uploaded; only the view drops the controls
    engine = store.open_store(ingest_env)
    try:
        files = store.articles_frame(engine)["file"].tolist()
    finally:
        engine.dispose()
    assert sorted(files) == ["news\u202elnosj.jsonl:1", "news\u202elnosj.jsonl:2"]

    articles = view("articles")
    assert_inert(articles)
    listed = next(d.value for d in articles.dataframe if "Title" in d.value.columns)
    # the untitled record is named by its opening words, not by its file name
    assert any(t.startswith("(untitled) Velcora Biologics") for t in listed["Title"].tolist())
    select = articles.selectbox(key="articles_selected")
    labels = list(select.options)  # what the select box shows
    assert any(label.startswith("(untitled) Velcora Biologics") for label in labels)
    assert not any("\u202e" in label for label in labels)
    assert not set(BIDI_CONTROLS) & set("".join(labels) + "".join(listed["Title"]))
