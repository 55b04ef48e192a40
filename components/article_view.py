"""The article reader: header, highlighted text (item by item), deals and date provenance.

Everything drawn here is untrusted text from the news. Markdown gets
``atlas.safe_text.markdown_text`` (inert in any Streamlit markdown); the
highlighted text goes through ``atlas.highlight.highlight_spans``, which
escapes every piece before ``st.html`` (which Streamlit also sanitises with
DOMPurify).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from atlas.highlight import (
    HIGHLIGHT_CSS,
    article_title,
    date_source_label,
    highlight_spans,
    item_spans,
    legend_html,
)
from atlas.lexicon import lexicon_dir, load_lexicon
from atlas.query import date_label
from atlas.safe_text import markdown_text
from atlas.store import OPENING_CHARS
from components.tables import deals_table


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


@st.cache_data(show_spinner=False)
def _country_terms(directory: str) -> dict[str, str]:
    return dict(load_lexicon(directory).country_by_term)


def country_terms() -> dict[str, str]:
    """Country names, aliases and adjectives from the editable lexicon (cached)."""
    return _country_terms(str(lexicon_dir()))


def inject_highlight_style() -> None:
    """The stylesheet for highlighted text (static CSS, no user text)."""
    st.html(f"<style>{HIGHLIGHT_CSS}</style>")


def render_article_header(detail: Mapping) -> None:
    """Title, source, URL (as plain text), file, and the date with where it came from."""
    title = article_title(
        detail.get("title"), (detail.get("text") or "")[:OPENING_CHARS], detail.get("file")
    )
    st.subheader(markdown_text(title))
    published = _text_or_none(detail.get("published"))
    lines = [
        f"**Source:** {markdown_text(_text_or_none(detail.get('source')) or 'unknown')}",
        f"**Date:** {markdown_text(date_label(published))} "
        f"({markdown_text(date_source_label(detail.get('date_source')))})",
        f"**File:** {markdown_text(detail.get('file') or '')}",
    ]
    items = detail.get("items") or []
    if detail.get("is_digest"):
        lines.append(f"**Digest:** {len(items)} news items")
    st.markdown("  \n".join(lines))
    url = _text_or_none(detail.get("url"))
    st.text(f"URL: {url}" if url else "URL: none given")


def render_item_text(
    item: Mapping,
    *,
    mentions: pd.DataFrame,
    countries: Mapping[str, str],
    show_heading: bool,
) -> None:
    """One news item: optional heading (digest items), then its text with
    organisations, countries and dates marked."""
    text = item.get("text") or ""
    index = int(item.get("item_index") or 0)
    if show_heading:
        heading = _text_or_none(item.get("title")) or f"Item {index + 1}"
        published = _text_or_none(item.get("published"))
        st.markdown(
            f"**{markdown_text(heading)}** · {markdown_text(date_label(published))} "
            f"({markdown_text(date_source_label(item.get('date_source')))})"
        )
    spans = item_spans(text, mentions=mentions, item_index=index, country_by_term=countries)
    st.html(highlight_spans(text, spans))


def render_article_text(detail: Mapping, *, mentions: pd.DataFrame) -> None:
    """The article's text, each digest item separately, with a colour legend."""
    items = list(detail.get("items") or [])
    if not items:
        items = [{"item_index": 0, "text": detail.get("text") or ""}]
    countries = country_terms()
    st.html(legend_html())
    digest = bool(detail.get("is_digest")) or len(items) > 1
    for item in items:
        if digest:
            with st.container(border=True):
                render_item_text(item, mentions=mentions, countries=countries, show_heading=True)
        else:
            render_item_text(item, mentions=mentions, countries=countries, show_heading=False)


def render_article_deals(deals: pd.DataFrame, *, key: str) -> None:
    """The deals extracted from the article, with evidence, and where each date came from."""
    st.markdown("#### Deals extracted from this article")
    if deals.empty:
        st.caption("No deal was found in this article.")
        return
    deals_table(deals, key=f"{key}_deals")
    st.markdown("#### Date provenance")
    provenance = pd.DataFrame(
        {
            "Parties": deals["parties"].map(lambda parties: " + ".join(parties or [])),
            "Item": deals["item_index"].map(lambda i: int(i) + 1 if pd.notna(i) else None),
            "Date": deals["deal_date"].map(lambda d: date_label(d if isinstance(d, str) else None)),
            "Date from": deals["date_source"].map(date_source_label),
        }
    )
    st.dataframe(provenance, hide_index=True, width="stretch", key=f"{key}_dates")
