"""A deal's detail: what is known of it and every article that reports it, each
source's evidence sentence highlighted in its paragraph.

Shown under a deals table when a row is selected (``components.tables.deals_table``
with ``detail=True``). Facts come from ``atlas.dealcard`` as plain text; every piece
of it is untrusted and goes through ``markdown_text`` (markdown) or
``highlight_spans`` (HTML, escaped), and URLs are shown as text, never fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

import streamlit as st

from atlas.dealcard import deal_facts, deal_title, evidence_paragraph, source_line, sources
from atlas.highlight import (
    EVIDENCE,
    HIGHLIGHT_CSS,
    article_title,
    highlight_spans,
)
from atlas.safe_text import markdown_text
from atlas.store import OPENING_CHARS
from components import data


def _item_text(detail: Mapping, item_index: object) -> str:
    """The text of the digest item the deal comes from, else the article's."""
    items = detail.get("items") or []
    try:
        wanted = int(item_index)
    except (TypeError, ValueError):
        wanted = None
    for item in items:
        if wanted is not None and int(item.get("item_index") or 0) == wanted:
            return item.get("text") or ""
    return detail.get("text") or ""


def _source(source: Mapping, number: int, total: int) -> None:
    article_id = source.get("article_id")
    detail = data.article_detail(str(article_id)) if article_id else None
    if detail:
        # an untitled article is named by its opening words, not its file name
        source = {
            **source,
            "article_title": article_title(
                detail.get("title"), (detail.get("text") or "")[:OPENING_CHARS], detail.get("file")
            ),
        }
    heading = markdown_text(source_line(source))
    st.markdown(f"**{number} of {total}.** {heading}" if total > 1 else f"**Source.** {heading}")
    evidence = source.get("evidence") or ""
    found = (
        evidence_paragraph(_item_text(detail, source.get("item_index")), evidence)
        if detail
        else None
    )
    if found:
        paragraph, start, end = found
        st.html(highlight_spans(paragraph, [(start, end, EVIDENCE, "evidence")]))
    else:
        st.html(highlight_spans(evidence, [(0, len(evidence), EVIDENCE, "evidence")]))
    if article_id:
        st.markdown(f"[Open the article](articles?article={quote(str(article_id), safe='')})")
    url = (detail or {}).get("url")
    if isinstance(url, str) and url.strip():
        st.text(f"Source URL: {url.strip()}")


def render_deal_detail(row: Mapping, *, key: str) -> None:
    """Everything known of one deal, then each source with its evidence in context."""
    with st.container(border=True, key=f"{key}_detail"):
        st.markdown(f"#### {markdown_text(deal_title(row))}")
        st.html(f"<style>{HIGHLIGHT_CSS}</style>")
        facts = deal_facts(row)
        st.markdown(
            "  \n".join(
                f"**{markdown_text(label)}:** {markdown_text(text)}" for label, text in facts
            )
        )
        listed = sources(row)
        st.markdown(f"##### Reported by {len(listed)} article{'s' if len(listed) != 1 else ''}")
        for number, source in enumerate(listed, start=1):
            _source(source, number, len(listed))
