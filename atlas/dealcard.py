"""What a deal's detail says, in words (pure Python; ``components/deal_detail.py`` draws it).

A row of the dashboard's deals table becomes a list of (label, text) facts — parties,
type, date (or "before <the article's date>" for a deal the text mentions only as
history), status, terms with their US-dollar value, assets, countries, areas — and a
list of sources, each with the paragraph around its evidence sentence and where that
sentence sits in it. Every text returned here is plain, untrusted text: the caller
escapes it for its sink.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

import pandas as pd

from atlas.query import date_label

# Money terms in the order a BD reader asks for them, with their names.
MONEY_TERMS = (("total_value", "Total value"), ("upfront", "Upfront"), ("milestones", "Milestones"))
STATUS_WORDS = {"agreed": "agreed", "completed": "completed", "terminated": "terminated"}
_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand"))


def _present(value: object) -> TypeGuard[Any]:
    """Is there a value (not None, NaN or blank text)?"""
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


def _list(value: object) -> list:
    return [v for v in value if _present(v)] if isinstance(value, list | tuple) else []


def amount_words(amount: float, currency: str | None = None) -> str:
    """``1.2e9, "USD"`` -> "USD 1.2 billion"; small amounts in full with separators."""
    prefix = f"{currency} " if currency else ""
    for scale, word in _SCALES:
        if abs(amount) >= scale:
            value = amount / scale
            shown = f"{value:,.2f}".rstrip("0").rstrip(".")
            return f"{prefix}{shown} {word}"
    return f"{prefix}{amount:,.0f}"


def money_text(term: Mapping | None) -> str | None:
    """One money term of the gold schema in words: the amount and currency, "≈ US$ ..."
    when it was converted, and the words the article used."""
    if not isinstance(term, Mapping) or not _present(term.get("amount")):
        return None
    currency = term.get("currency") or None
    text = amount_words(float(term["amount"]), currency)
    usd = term.get("usd")
    if _present(usd) and currency != "USD":
        text += f" (≈ {amount_words(float(usd), 'USD')})"
    written = term.get("text")
    if _present(written):
        text += f' — "{written}"'
    return text


def terms_facts(terms: Mapping | None) -> list[tuple[str, str]]:
    """The stated terms as (label, text) pairs, in a fixed order; [] when none."""
    if not isinstance(terms, Mapping):
        return []
    facts = []
    for name, label in MONEY_TERMS:
        shown = money_text(terms.get(name))
        if shown:
            facts.append((label, shown))
    stake = terms.get("equity_pct")
    if isinstance(stake, Mapping) and _present(stake.get("value")):
        value = float(stake["value"])
        facts.append(("Equity stake", f"{value:g} %"))
    royalties = terms.get("royalties")
    if isinstance(royalties, Mapping) and _present(royalties.get("text")):
        facts.append(("Royalties", str(royalties["text"])))
    return facts


def when_text(row: Mapping) -> str:
    """The deal's date as precisely as known; a deal known only from a later article's
    mention of it as history reads "before <that article's date>"."""
    deal_date = row.get("deal_date")
    if _present(deal_date):
        return date_label(deal_date)
    before = row.get("before_date")
    if _present(before):
        return f"before {date_label(before)}"
    return "undated"


def deal_title(row: Mapping) -> str:
    """ "A + B: licensing" (plain text)."""
    parties = " + ".join(str(p) for p in _list(row.get("parties"))) or "(no parties)"
    return f"{parties}: {row.get('type') or 'other'}"


def deal_facts(row: Mapping) -> list[tuple[str, str]]:
    """Everything known of one deal, as (label, text) pairs, empty facts left out."""
    facts: list[tuple[str, str]] = []
    deal_type = str(row.get("type") or "other")
    also = [str(t) for t in _list(row.get("also_types")) if t != deal_type]
    facts.append(("Type", deal_type + (f" (also {', '.join(also)})" if also else "")))
    facts.append(("Date", when_text(row)))
    status = row.get("deal_status")
    if _present(status):
        facts.append(("Status", STATUS_WORDS.get(str(status), str(status))))
    if row.get("role") == "background":
        facts.append(("Reported", "only in passing, as history"))
    parties = _list(row.get("parties"))
    homes = list(row.get("party_countries") or [])
    if parties:
        facts.append(
            (
                "Parties",
                "; ".join(
                    f"{p} ({homes[i]})" if i < len(homes) and _present(homes[i]) else str(p)
                    for i, p in enumerate(parties)
                ),
            )
        )
    facts.extend(terms_facts(row.get("terms")))
    value = row.get("value_usd")
    if _present(value):
        facts.append(("Disclosed value", amount_words(float(value), "USD")))
    assets = _list(row.get("assets"))
    if assets:
        facts.append(("Assets", ", ".join(str(a) for a in assets)))
    countries = _list(row.get("countries"))
    if countries:
        facts.append(("Countries", ", ".join(str(c) for c in countries)))
    areas = _list(row.get("therapeutic_areas"))
    if areas:
        facts.append(("Areas", ", ".join(str(a) for a in areas)))
    steps = lifecycle(row)
    if len(steps) > 1:
        facts.append(("Lifecycle", " → ".join(f"{status} {when}" for status, when in steps)))
    confidence = row.get("confidence")
    if _present(confidence):
        facts.append(("Confidence", f"{float(confidence):.2f}"))
    return facts


def sources(row: Mapping) -> list[dict]:
    """The articles that report the deal, earliest first: the consolidated deal's
    ``sources`` when it has them, else the row's own article and evidence."""
    listed = row.get("sources")
    if isinstance(listed, list | tuple) and listed:
        return [dict(s) for s in listed if isinstance(s, Mapping)]
    return [
        {
            "article_id": row.get("article_id"),
            "article_title": row.get("article_title"),
            "article_file": row.get("article_file"),
            "article_source": row.get("article_source"),
            "article_published": row.get("article_published"),
            "deal_date": row.get("deal_date"),
            "evidence": row.get("evidence"),
            "deal_key": row.get("deal_key"),
            "item_index": row.get("item_index"),
        }
    ]


def evidence_paragraph(text: str, evidence: str) -> tuple[str, int, int] | None:
    """The paragraph of ``text`` that holds ``evidence``, and where the evidence sits in
    it (start, end); None when the text does not contain it. Whitespace may differ
    between the sentence as stored and the text (line breaks inside a sentence)."""
    if not isinstance(text, str) or not isinstance(evidence, str) or not evidence.strip():
        return None
    start = text.find(evidence)
    length = len(evidence)
    if start < 0:
        words = evidence.split()
        if not words:
            return None
        pattern = r"\s+".join(re.escape(w) for w in words)
        found = re.search(pattern, text)
        if not found:
            return None
        start, length = found.start(), found.end() - found.start()
    end = start + length
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end < 0 else para_end
    # A paragraph of thousands of characters (a scraped page with no blank lines) is cut
    # to a window around the sentence.
    window = 700
    if para_end - para_start > 2 * window + length:
        para_start = max(para_start, start - window)
        para_end = min(para_end, end + window)
    return text[para_start:para_end], start - para_start, end - para_start


def source_line(source: Mapping) -> str:
    """ "Title · Source · 3 Apr 2025" for one source (plain text)."""
    title = next(
        (
            source[k]
            for k in ("article_title", "article_file", "article_id")
            if _present(source.get(k))
        ),
        "Untitled",
    )
    parts = [str(title)]
    if _present(source.get("article_source")):
        parts.append(str(source["article_source"]))
    when = source.get("deal_date") if _present(source.get("deal_date")) else None
    when = when or source.get("article_published")
    if _present(when):
        parts.append(date_label(when))
    status = source.get("deal_status")
    if _present(status) and status != "agreed":
        parts.append(f"reports it {status}")
    if source.get("role") == "background":
        parts.append("mentions it in passing")
    return " · ".join(parts)


def select_row(frame_rows: Sequence[int], selected: Sequence[int]) -> int | None:
    """The frame position of the one selected table row, or None."""
    if not selected:
        return None
    position = selected[0]
    return frame_rows[position] if 0 <= position < len(frame_rows) else None


def disclosed_value(deals) -> tuple[float, int]:
    """The summed disclosed value (US dollars) of a deals frame, and how many deals
    disclose one."""
    if "value_usd" not in getattr(deals, "columns", ()) or len(deals) == 0:
        return 0.0, 0
    values = pd.to_numeric(deals["value_usd"], errors="coerce").dropna()
    return float(values.sum()), int(len(values))


def status_steps(listed: Sequence[Mapping]) -> list[tuple[str, str | None]]:
    """A deal's status over time from its sources (earliest first), one step per change
    of status: ("agreed", "2025-01-10"), ("completed", "2025-08-12"). A step is dated by
    its source's own date, else its article's; None when neither is known."""
    steps: list[tuple[str, str | None]] = []
    for source in listed:
        status = source.get("deal_status")
        status = str(status) if _present(status) else "agreed"
        date = next(
            (source.get(k) for k in ("deal_date", "article_published") if _present(source.get(k))),
            None,
        )
        if not steps or steps[-1][0] != status:
            steps.append((status, date))
    return steps


def lifecycle(row: Mapping) -> list[tuple[str, str]]:
    """``status_steps`` of the deal's sources in words: ("agreed", "10 Jan 2025"),
    ("completed", "12 Aug 2025")."""
    return [
        (status, date_label(date) if date else "undated")
        for status, date in status_steps(sources(row))
    ]
