"""Reading an article: text marked up with its organisations, countries and dates,
where each date came from, and the article search (pure Python, no Streamlit).

Article text is untrusted. ``highlight_spans`` escapes every piece of text and
every label it writes (``atlas.safe_text.html_text``); the only raw markup in its
output is its own ``<mark>`` tags, so the result is safe to hand to ``st.html``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import pandas as pd

from atlas.safe_text import html_text, plain_text

# (start, end, label) or (start, end, label, note): character offsets into one
# text; the note (e.g. the canonical organisation name) becomes the tooltip.
Span = tuple[int, int, str] | tuple[int, int, str, str]

ORG, COUNTRY, DATE, EVIDENCE = "ORG", "COUNTRY", "DATE", "EVIDENCE"
LABEL_NAMES = {ORG: "Organisation", COUNTRY: "Country", DATE: "Date", EVIDENCE: "Evidence"}
_MARK_COLOURS = {"org": "#cfe3f5", "country": "#d5efdf", "date": "#fbe7c6", "evidence": "#fff1a8"}

HIGHLIGHT_CSS = (
    ".atlas-hl-text{white-space:pre-wrap;line-height:1.7;font-size:1rem;}"
    ".atlas-mark{padding:0 .15em;border-radius:.25em;color:inherit;}"
    + "".join(
        f".atlas-mark-{slug}{{background:{colour};}}" for slug, colour in _MARK_COLOURS.items()
    )
    + ".atlas-hl-legend{font-size:.85rem;margin-bottom:.4rem;}"
    ".atlas-hl-legend .atlas-mark{margin-right:.6em;}"
)

DATE_SOURCE_LABELS = {
    "text": "from the text",
    "url": "from a URL in the text",
    "metadata": "from metadata",
    "file": "from the file name",
    "sentence": "from the deal's sentence",
    "none": "unknown",
}


def date_source_label(source: str | None) -> str:
    """Where a date came from, in words: ``url`` -> "from a URL in the text"."""
    if not isinstance(source, str) or not source:
        return "unknown"
    return DATE_SOURCE_LABELS.get(source, "unknown")


def _label_class(label: str) -> str:
    """A CSS class from a label, reduced to ``[a-z0-9-]`` so no label can leave the attribute."""
    slug = re.sub(r"[^a-z0-9-]+", "-", str(label).lower()).strip("-")[:24]
    return f"atlas-mark atlas-mark-{slug or 'other'}"


def _valid_spans(text: str, spans: Iterable[Sequence]) -> list[tuple[int, int, str, str]]:
    """Spans inside ``text``, overlaps resolved: the leftmost wins, then the longest,
    then the earliest given. Out-of-range, empty or malformed spans are dropped."""
    candidates = []
    for order, span in enumerate(spans):
        if len(span) < 3:
            continue
        start, end, label = span[0], span[1], span[2]
        note = span[3] if len(span) > 3 and span[3] else label
        if isinstance(start, bool) or isinstance(end, bool):
            continue
        try:
            start, end = int(start), int(end)
        except (TypeError, ValueError):
            continue
        if not 0 <= start < end <= len(text):
            continue
        candidates.append((start, -(end - start), order, end, str(label), str(note)))
    kept: list[tuple[int, int, str, str]] = []
    last_end = 0
    for start, _length, _order, end, label, note in sorted(candidates):
        if start >= last_end:
            kept.append((start, end, label, note))
            last_end = end
    return kept


def highlight_spans(text: str, spans: Iterable[Sequence]) -> str:
    """HTML for ``text`` with each span wrapped in ``<mark class="atlas-mark atlas-mark-<label>">``.

    Every piece of text, every label and every note is escaped (``html_text``); spans
    beyond the text or overlapping an earlier kept span are ignored, so the
    output always contains the whole text exactly once.
    """
    text = text if isinstance(text, str) else ""
    parts: list[str] = []
    position = 0
    for start, end, label, note in _valid_spans(text, spans):
        parts.append(html_text(text[position:start]))
        parts.append(
            f'<mark class="{_label_class(label)}" title="{html_text(note)}">'
            f"{html_text(text[start:end])}</mark>"
        )
        position = end
    parts.append(html_text(text[position:]))
    return '<div class="atlas-hl-text">' + "".join(parts) + "</div>"


def legend_html(labels: Iterable[str] = (ORG, COUNTRY, DATE)) -> str:
    """A line of sample marks naming what each colour means."""
    marks = (
        f'<mark class="{_label_class(label)}">{html_text(LABEL_NAMES.get(label, label))}</mark>'
        for label in labels
    )
    return '<div class="atlas-hl-legend">' + "".join(marks) + "</div>"


def mention_spans(mentions: pd.DataFrame, item_index: int, text: str) -> list[Span]:
    """Organisation spans of one item from ``store.mentions_frame`` rows; offsets
    past the end of the item's text (or otherwise impossible) are dropped."""
    if mentions is None or mentions.empty:
        return []
    rows = mentions[mentions["item_index"].astype(int) == int(item_index)]
    spans: list[Span] = []
    for start, end, organisation in zip(
        rows["start_char"], rows["end_char"], rows["organisation"], strict=True
    ):
        if pd.isna(start) or pd.isna(end):
            continue
        start, end = int(start), int(end)
        if 0 <= start < end <= len(text):
            spans.append((start, end, ORG, str(organisation)))
    return spans


@lru_cache(maxsize=8)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    # Longest first so "South Korea" wins over "Korea"; case-sensitive so "Chad"
    # the country is not found in "chad" and adjectives keep their capital.
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def country_spans(text: str, country_by_term: Mapping[str, str]) -> list[Span]:
    """Spans of country names, aliases and adjectives (``lexicon.country_by_term``)."""
    pattern = _terms_pattern(tuple(sorted(t for t in country_by_term if t and t.strip())))
    if pattern is None or not text:
        return []
    return [
        (m.start(), m.end(), COUNTRY, country_by_term.get(m.group(0), m.group(0)))
        for m in pattern.finditer(text)
    ]


_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_DATE_FORMS = "|".join(
    [
        rf"{_DAY}\s+{_MONTH},?\s+{_YEAR}",  # 19 December 2025
        rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}",  # December 19, 2025
        rf"{_MONTH}\s+{_YEAR}",  # April 2025
        rf"{_MONTH}\s+{_DAY}(?!\d)",  # December 19
        rf"{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])",  # 2025-12-19
        rf"(?:Q[1-4]|H[12]|FY)\s?{_YEAR}",  # Q1 2025, FY2024
    ]
)
_DATE_RE = re.compile(rf"(?<![\w/])(?:{_DATE_FORMS})(?![\w/])")
# A bare year only where the words make it a date: "in 2021", "since 2019".
_BARE_YEAR_RE = re.compile(
    rf"\b(?:[Ii]n|[Ss]ince|[Bb]y|[Ff]rom|[Uu]ntil|[Tt]hrough|[Dd]uring|[Bb]efore|[Aa]fter"
    rf"|[Ee]arly|[Ll]ate|[Mm]id-?)\s+({_YEAR})(?![\w/%-])"
)


def date_spans(text: str) -> list[Span]:
    """Spans of strings that look like dates: full dates, month and year, ISO
    dates, quarters, and years after a preposition ("in 2021")."""
    if not text:
        return []
    spans: list[Span] = [(m.start(), m.end(), DATE) for m in _DATE_RE.finditer(text)]
    spans += [(m.start(1), m.end(1), DATE) for m in _BARE_YEAR_RE.finditer(text)]
    return spans


def item_spans(
    text: str,
    *,
    mentions: pd.DataFrame | None = None,
    item_index: int = 0,
    country_by_term: Mapping[str, str] | None = None,
) -> list[Span]:
    """Every span to mark in one item. Organisation mentions come from the
    extraction and win: a country or date overlapping one is dropped ("Japanese"
    in "Japanese Foundation for Cancer Research", "South Korea" across
    "Korea's Ministry of SMEs and Startups")."""
    organisations: list[Span] = (
        mention_spans(mentions, item_index, text) if mentions is not None else []
    )
    others: list[Span] = country_spans(text, country_by_term) if country_by_term else []
    others += date_spans(text)
    free = [
        span
        for span in others
        if not any(span[0] < org[1] and org[0] < span[1] for org in organisations)
    ]
    return organisations + free


def search_articles(
    articles: pd.DataFrame, query: str | None = None, *, digest_only: bool = False
) -> pd.DataFrame:
    """Articles whose title, source or file contains ``query`` (case-insensitive,
    literal text: no regex, no SQL); only digests with ``digest_only``."""
    frame = articles
    if digest_only and len(frame):
        frame = frame[frame["is_digest"].fillna(False).astype(bool)]
    query = (query or "").strip()
    if query and len(frame):
        haystack = frame[["title", "source", "file"]].astype("string").fillna("")
        found = pd.Series(False, index=frame.index)
        for column in haystack.columns:
            found |= haystack[column].str.contains(query, case=False, regex=False)
        frame = frame[found]
    return frame.copy()


def article_title(title: object, opening: object, file: object) -> str:
    """The article's title; an untitled one is named by its opening words (a pasted
    text's file name is a hash that tells a reader nothing)."""
    if isinstance(title, str) and title.strip():
        return plain_text(" ".join(title.split()))
    words = " ".join(str(opening).split()) if isinstance(opening, str) else ""
    if words:
        cut = words if len(words) < 80 else words[:80].rsplit(" ", 1)[0] + " …"
        return plain_text(f"(untitled) {cut}")
    return plain_text(str(file or "(untitled)"))
