"""A deal's detail: its facts in words (atlas.dealcard) and the page element that opens
under a table when a row is selected, with each source's evidence in its paragraph."""

from __future__ import annotations

import math

import pytest
from streamlit.testing.v1 import AppTest

from atlas.dealcard import (
    amount_words,
    deal_facts,
    evidence_paragraph,
    money_text,
    source_line,
    sources,
    terms_facts,
    when_text,
)
from tests.conftest import ROOT

# --- atlas.dealcard ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (1_200_000_000, "USD", "USD 1.2 billion"),
        (50_000_000, "EUR", "EUR 50 million"),
        (2_500, None, "2.5 thousand"),
        (750, "JPY", "JPY 750"),
    ],
)
def test_amount_words(amount, currency, expected):
    assert amount_words(amount, currency) == expected


def test_money_text_gives_the_dollar_value_of_other_currencies_and_the_words_used():
    term = {"amount": 10_000_000_000, "currency": "JPY", "text": "¥10 billion", "usd": 66_000_000}
    assert money_text(term) == 'JPY 10 billion (≈ USD 66 million) — "¥10 billion"'
    dollars = {"amount": 5e7, "currency": "USD", "text": "$50 million", "usd": 5e7}
    assert money_text(dollars) == 'USD 50 million — "$50 million"'
    assert money_text(None) is None and money_text({"amount": None}) is None


def test_terms_facts_in_a_fixed_order():
    terms = {
        "milestones": {"amount": 1.2e9, "currency": "USD", "text": "up to $1.2 billion"},
        "upfront": {"amount": 5e7, "currency": "USD", "text": "$50 million"},
        "equity_pct": {"value": 20.0, "text": "20%"},
        "royalties": {"text": "tiered royalties"},
    }
    assert [label for label, _ in terms_facts(terms)] == [
        "Upfront",
        "Milestones",
        "Equity stake",
        "Royalties",
    ]
    assert terms_facts({}) == [] and terms_facts(None) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"deal_date": "2025-04"}, "Apr 2025"),
        ({"deal_date": None, "before_date": "2025-04-21"}, "before 21 Apr 2025"),
        ({"deal_date": math.nan, "before_date": math.nan}, "undated"),
    ],
)
def test_when_text(row, expected):
    assert when_text(row) == expected


def test_deal_facts_leave_out_what_is_not_known():
    row = {
        "parties": ["Astellas", "Yaskawa"],
        "party_countries": ["Japan", math.nan],
        "type": "joint venture",
        "also_types": ["joint venture", "equity investment/stake"],
        "deal_date": "2025-04",
        "deal_status": "completed",
        "role": "background",
        "terms": {},
        "assets": [],
        "countries": ["Japan"],
        "therapeutic_areas": [],
        "confidence": 0.8,
        "value_usd": math.nan,
    }
    facts = dict(deal_facts(row))
    assert facts["Type"] == "joint venture (also equity investment/stake)"
    assert facts["Parties"] == "Astellas (Japan); Yaskawa"
    assert facts["Status"] == "completed"
    assert facts["Reported"] == "only in passing, as history"
    assert "Assets" not in facts and "Areas" not in facts and "Disclosed value" not in facts


def test_sources_fall_back_to_the_rows_own_article():
    row = {"article_id": "a1", "article_title": math.nan, "article_file": "a1.txt"}
    (only,) = sources(row)
    assert source_line(only) == "a1.txt"
    listed = [{"article_id": "x", "article_title": "First"}, {"article_id": "y"}]
    assert sources({"sources": listed, "article_id": "z"}) == listed


def test_evidence_paragraph_finds_the_sentence_across_line_breaks():
    text = "Intro line.\n\nAlpha Bio signed a licence\nwith Beta Pharma. More here.\n\nOther."
    paragraph, start, end = evidence_paragraph(text, "Alpha Bio signed a licence with Beta Pharma.")
    assert paragraph.startswith("Alpha Bio") and paragraph.endswith("More here.")
    assert paragraph[start:end] == "Alpha Bio signed a licence\nwith Beta Pharma."
    assert evidence_paragraph(text, "Not in the text.") is None
    long = "word " * 2000 + "Gamma Ltd acquired Delta Inc. " + "word " * 2000
    paragraph, start, end = evidence_paragraph(long, "Gamma Ltd acquired Delta Inc.")
    assert len(paragraph) < 2000 and paragraph[start:end] == "Gamma Ltd acquired Delta Inc."


# --- the detail under a table ----------------------------------------------------


def _open_deals() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("views/deals.py").run()
    return at


def _select(at: AppTest, key: str, row: int) -> None:
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()


def test_selecting_a_row_opens_the_deals_detail_with_its_evidence_in_context(app_env):
    at = _open_deals()
    assert not at.exception
    assert any("Select a row" in c.value for c in at.caption)
    shown = at.dataframe[0].value
    _select(at, "deals_table", 0)
    assert not at.exception
    markdown = [m.value for m in at.markdown]
    assert any(m.startswith("#### ") for m in markdown), "no detail heading"
    assert any("**Type:**" in m and "**Date:**" in m for m in markdown)
    assert any("Reported by" in m for m in markdown)
    assert any("Open the article" in m for m in markdown)
    evidence = str(shown["Evidence"].iloc[0])
    marked = [h.proto.body for h in at.get("html") if "atlas-mark-evidence" in h.proto.body]
    assert marked, "the evidence sentence is not highlighted"
    first_words = " ".join(evidence.split()[:3])
    assert any(first_words.split()[0] in body for body in marked)


def test_detail_of_a_hostile_deal_renders_its_text_inert(app_env):
    at = _open_deals()
    shown = at.dataframe[0].value
    hostile = [i for i, text in enumerate(shown["Evidence"]) if "<script>" in str(text)]
    assert hostile, "the hostile article's deal is not in the table"
    _select(at, "deals_table", hostile[0])
    assert not at.exception
    for element in at.get("html"):
        body = element.proto.body
        assert "<img" not in body and "<script" not in body
    for markdown in at.markdown:
        assert "<img" not in markdown.value and "<script" not in markdown.value


def test_lifecycle_from_the_sources():
    from atlas.dealcard import lifecycle

    row = {
        "sources": [
            {"deal_status": "agreed", "deal_date": "2025-01-10"},
            {"deal_status": "agreed", "article_published": "2025-01-11"},
            {"deal_status": "completed", "deal_date": None, "article_published": "2025-08-12"},
        ]
    }
    assert lifecycle(row) == [("agreed", "10 Jan 2025"), ("completed", "12 Aug 2025")]
    assert dict(deal_facts(row))["Lifecycle"] == "agreed 10 Jan 2025 → completed 12 Aug 2025"
    assert "Lifecycle" not in dict(deal_facts({"sources": row["sources"][:2]}))
