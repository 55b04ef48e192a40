"""Every sink of ``atlas.safe_text`` gets the same hostile strings, and each comes out
inert for that sink: parsed by the sink's own kind of reader (an HTML parser, a
CommonMark renderer, openpyxl, the csv module), it is the text and nothing more."""

from __future__ import annotations

import csv
import html
import io
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from atlas.names import BIDI_CONTROLS, strip_bidi
from atlas.safe_text import (
    FORMULA_PREFIXES,
    WORD_JOINER,
    csv_cell,
    csv_column,
    excel_cell,
    html_text,
    markdown_text,
    plain_text,
    plotly_text,
    pyvis_text,
)

# Each is active somewhere: in markdown, HTML, a Streamlit directive, plotly's labels,
# a spreadsheet cell, or in what a reader sees.
HOSTILE = [
    "[click](https://evil.example/x)",  # markdown link
    "![pixel](http://127.0.0.1:9/p.png)",  # markdown image: a request on display
    '<img src=x onerror="alert(1)"> <script>alert(1)</script>',  # HTML tags
    "&lt;b&gt; &#60;i&#62; &amp;",  # entities: must not decode to tags on display
    "javascript:alert(document.cookie)",  # a URL scheme that runs code
    '" onmouseover="alert(1)" x=\'',  # leaves a quoted attribute
    "<a href=http://evil.example>here</a>",  # a plotly label renders <a href>
    "$x^2$ and $$\\int_0^1 x$$",  # Streamlit renders math
    ":material/home: :red[big] :smile:",  # Streamlit icon, colour and emoji shortcodes
    "www.evil.example mail@evil.example http://evil.example",  # linkified after parsing
    "=cmd|' /C calc'!A0",  # DDE formula
    "+1+1",
    "-2+3;@SUM(1+1)",  # formulas after a separator, for a CSV cut at ";"
    'Weekly, =HYPERLINK("http://evil.example")',
    "\t=1+1\n# heading\r\n- item",  # tabs, newlines, block syntax
    "\x01=1+1",  # a control character before a formula
    "deal\u202efdp.exe \u2066x\u2069",  # bidirectional controls reorder what is read
]


class _Markup(HTMLParser):
    """Everything an HTML parser finds besides text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        self.tags.append(("/" + tag, []))

    def handle_comment(self, data):
        self.tags.append(("!--", [data]))

    def handle_data(self, data):
        self.text.append(data)


def _parsed(markup: str) -> _Markup:
    parser = _Markup()
    parser.feed(markup)
    parser.close()
    return parser


def _no_bidi(text: str) -> bool:
    return not any(c in BIDI_CONTROLS for c in text)


# --- HTML -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_html_text_is_text_and_stays_inside_an_attribute(text):
    out = html_text(text)
    as_text = _parsed(f"<div>{out}</div>")
    assert as_text.tags == [("div", []), ("/div", [])]
    assert "".join(as_text.text) == strip_bidi(text)
    in_attribute = _parsed(f'<mark title="{out}">x</mark>')
    assert in_attribute.tags == [("mark", [("title", strip_bidi(text))]), ("/mark", [])]
    assert _no_bidi(out)


@pytest.mark.parametrize("text", HOSTILE)
def test_pyvis_text_is_text_without_href(text):
    out = pyvis_text(text)
    parsed = _parsed(f"<div>{out}</div>")
    assert parsed.tags == [("div", []), ("/div", [])]
    assert "".join(parsed.text) == strip_bidi(text)
    # pyvis picks another tooltip template when it sees "href"; the reader never does
    assert "href" not in out


# --- Streamlit ------------------------------------------------------------------------------

COMMONMARK = MarkdownIt("commonmark").enable(["table", "strikethrough"])


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_renders_as_the_text_on_one_line(text):
    out = markdown_text(text)
    rendered = COMMONMARK.render(out)
    match = re.fullmatch(r"<p>(.*)</p>\n", rendered, flags=re.DOTALL)
    assert match, f"not one paragraph: {rendered!r}"
    assert "<" not in match.group(1), f"markup in {rendered!r}"
    shown = html.unescape(match.group(1)).replace(WORD_JOINER, "")
    assert shown == " ".join(strip_bidi(text).split())
    # Streamlit's directives and math start at an unescaped ":" or "$"
    assert re.search(r"(?<!\\)[:$]", out) is None
    # and it linkifies after parsing: a word joiner splits every such pattern
    assert not re.search(r"https?://|www\.|\w@\w|:material/", out)


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_shows_the_characters_without_bidi_controls(text):
    out = plain_text(text)
    assert out == strip_bidi(text)  # a select box or a table cell shows it as it is
    assert _no_bidi(out)


def test_plain_text_leaves_other_values():
    assert plain_text(3) == 3 and plain_text(None) is None


# --- plotly ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_plotly_text_holds_no_markup_plotly_renders(text):
    out = plotly_text(text)
    # plotly's pseudo-HTML starts at "<" and reads entities: only escaped ones remain
    assert "<" not in out and ">" not in out
    assert html.unescape(out) == " ".join(strip_bidi(text).split())
    assert "\n" not in out and _no_bidi(out)


def test_plotly_text_truncates_before_escaping():
    out = plotly_text("<b>" * 10, limit=5)
    assert out == "&lt;b&gt;&lt;…"  # the cut is in the text, never inside an entity
    assert plotly_text(None) == "" and plotly_text(3.0) == ""


# --- spreadsheets ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_excel_cell_is_read_back_as_text(text):
    out = excel_cell(text)
    assert not out.startswith(FORMULA_PREFIXES)
    assert not ILLEGAL_CHARACTERS_RE.search(out)
    book = Workbook()
    book.active["A1"] = out  # openpyxl refuses illegal characters: this would raise
    buffer = io.BytesIO()
    book.save(buffer)
    cell = load_workbook(io.BytesIO(buffer.getvalue())).active["A1"]
    assert cell.data_type == "s"
    assert cell.value == out


@pytest.mark.parametrize("separator", [",", ";"])
@pytest.mark.parametrize("text", HOSTILE)
def test_csv_cell_starts_no_formula_in_any_piece(text, separator):
    out = csv_cell(text)
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC).writerow([out])
    # an Excel of a ";" locale ignores these quotes and cuts the row at each separator
    for piece in buffer.getvalue().strip("\r\n").strip('"').split(separator):
        assert not piece.lstrip(" ").startswith(FORMULA_PREFIXES), piece
    # read with the right separator, the field is the text with its apostrophes
    assert next(csv.reader(io.StringIO(buffer.getvalue())))[0] == out


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
def test_csv_column_matches_csv_cell_for_both_kinds_of_column(storage):
    column = pd.Series(HOSTILE, dtype=pd.StringDtype(storage))
    assert csv_column(column).tolist() == [csv_cell(t) for t in HOSTILE]


def test_spreadsheet_sinks_leave_other_values():
    assert excel_cell(-3) == -3 and csv_cell(-3) == -3 and excel_cell(None) is None
