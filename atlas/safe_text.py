"""Untrusted text made inert for the place it is shown: one function per sink.

Names, titles, evidence, feed titles, file names and error messages come from the
news or from users. Each sink reads its own kind of markup, so each has its own
function, and every piece of data goes through the one for where it ends up:

==========================  ==================================================
``html_text``               HTML text and quoted attribute values (``st.html``,
                            downloaded pages)
``pyvis_text``              HTML the network page's script sets as a tooltip
``markdown_text``           Streamlit markdown: ``st.markdown``, captions,
                            alerts, toasts, status and progress text, expander,
                            tab and widget labels
``plain_text``              text shown as text: ``st.text``, select box
                            options, table cells
``plotly_text``             plotly axis labels, legend names and hover text
``excel_cell``              a text cell of an Excel workbook
``csv_cell``/``csv_column`` a text field of a CSV file
==========================  ==================================================

Every function also removes Unicode's bidirectional controls where a reader sees
the text ("deal\\u202efdp.exe" reads as "dealexe.pdf"), except in the files, which
keep the data as stored. ``tests/test_safe_text.py`` feeds the same hostile
strings to each sink.
"""

from __future__ import annotations

import html
import re
from typing import overload

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from atlas.names import strip_bidi


def _without_bidi(text: str) -> str:
    # Most text is ASCII, which holds no bidirectional control: checking that took
    # 0.04 µs for a 110-character sentence, the regular expression 1.7 µs (and the
    # timeline makes four plotly labels for every deal it shows).
    return text if text.isascii() else strip_bidi(text)


# --- HTML ---------------------------------------------------------------------------


def html_text(value: object) -> str:
    """``value`` as HTML text, also safe inside a quoted attribute: ``<``, ``>``,
    ``&`` and both quotes escaped, bidirectional controls removed."""
    return html.escape(_without_bidi(str(value)), quote=True)


def pyvis_text(value: object) -> str:
    """``html_text`` for the network's tooltips and labels. "href" is broken up too:
    pyvis switches to a popup template of its own when a title contains it."""
    return html_text(value).replace("href", "hr&#101;f")


# --- Streamlit ----------------------------------------------------------------------

# Every ASCII punctuation mark that starts or closes a markdown construct or a
# Streamlit directive (":red[...]", ":material/home:", "$math$", "![image](...)",
# "<b>", "# heading", "| table |", "~~strike~~"); CommonMark lets each be
# backslash-escaped. "<", ">" and "&" are HTML-escaped first.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:\"'=^])")
# Streamlit's markdown also rewrites plain text after parsing, where backslash escapes
# are gone: emoji and icon shortcodes (":smile:", ":material/home:", ":streamlit:"),
# bare URLs and e-mail addresses made links ("http://", "www.", "a@b.co") and arrows
# typed as "->". An invisible word joiner (U+2060) splits each such pattern.
_REWRITTEN = re.compile(r"(?<=[:@])(?=\S)|(?<=[wW]{3})(?=\.)|(?<=[-<>=~])(?=[-<>=~])")
WORD_JOINER = "\u2060"


def markdown_text(value: object) -> str:
    """Untrusted text made inert in any Streamlit markdown (``st.markdown``,
    ``st.caption``, ``st.error`` and the other alerts, ``st.toast``, ``st.status``,
    progress text, expander, tab and widget labels): one line, bidirectional controls
    removed, HTML-escaped, every other ASCII punctuation mark backslash-escaped, and
    the patterns Streamlit rewrites after parsing split by a word joiner. It renders
    as the text itself; never use it where text is shown as text (``st.text``,
    select box options, table cells), which would show the backslashes."""
    text = " ".join(_without_bidi(str(value)).split()) if value is not None else ""
    text = _REWRITTEN.sub(WORD_JOINER, text)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(text, quote=False))


@overload
def plain_text(value: str) -> str: ...
@overload
def plain_text(value: object) -> object: ...
def plain_text(value: object) -> object:
    """A cell or option shown as text (tables, select boxes, ``st.text``): strings
    lose their bidirectional controls, so a name or file name reads as it is;
    anything else is returned as it is."""
    return _without_bidi(value) if isinstance(value, str) else value


# --- plotly -------------------------------------------------------------------------


def plotly_text(value: object, *, limit: int | None = None) -> str:
    """Untrusted text made safe for plotly's labels and hover text, which render a
    subset of HTML (``<b>``, ``<a href>``): one line, bidirectional controls removed,
    truncated to ``limit`` characters before escaping (so an entity is never cut in
    half), HTML-escaped. Anything but a string gives ""."""
    if not isinstance(value, str):
        return ""
    text = " ".join(_without_bidi(value).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return html.escape(text)


# --- spreadsheets -------------------------------------------------------------------

# What a spreadsheet reads as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A formula character starting the cell or any piece a "," or ";" cuts off from it.
_PIECE_FORMULA = re.compile(r"(^|[,;])( *)(?=[=+\-@\t\r])")
# The same for RE2 (pyarrow's regular expressions, no look-ahead): the formula
# character is matched and written back after the apostrophe.
_PIECE_FORMULA_RE2 = r"(^|[,;])( *)([=+\-@\t\r])"


def excel_cell(value: object) -> object:
    """A text cell for an Excel workbook: without the control characters openpyxl
    refuses (removed first, so "\\x01=1+1" cannot become "=1+1"), and with an
    apostrophe in front when it starts like a formula: ``'=HYPERLINK(...)``.
    Anything but a string is returned as it is."""
    if not isinstance(value, str):
        return value
    text: str = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_cell(value: object) -> object:
    """A text field for a CSV file: the apostrophe goes in front of every piece a
    ``,`` or ``;`` cuts the text into, spaces between allowed, for an Excel that
    splits the row at its locale's list separator: ``Weekly;'-2+3;'@SUM(1+1)`` for
    ``Weekly;-2+3;@SUM(1+1)``. Anything but a string is returned as it is."""
    if isinstance(value, str):
        return _PIECE_FORMULA.sub(r"\1\2'", value)
    return value


def csv_column(values: pd.Series) -> pd.Series:
    """``csv_cell`` for every cell: in one pass of pyarrow's regular expressions for
    a column of Arrow strings, cell by cell in Python for any other column."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return values.str.replace(_PIECE_FORMULA_RE2, r"\1\2'\3", regex=True)
    return values.map(csv_cell)
