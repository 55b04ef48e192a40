"""How the extractor reads an item: the text handed to the pipeline, the headline
sentences whose capitalised runs are not taken for names, and a date a sentence
states (here so ``atlas.extract`` and ``atlas.learn.decide`` both use them without
importing each other)."""

from __future__ import annotations

import re

from spacy.tokens import Span

from atlas.models import ArticleItem

_MONTHS = (
    "January February March April May June July August September October November December".split()
)
_MONTH_RE = "|".join(m[:3] + r"[a-z]*\.?" for m in _MONTHS)
_SENTENCE_DATE = re.compile(
    rf"\b(?:in|on|since|from)\s*(?P<md>(?:{_MONTH_RE})\s*\d{{1,2}},?\s*(?:19|20)\d\d|\d{{1,2}}\s+(?:{_MONTH_RE})\s+(?:19|20)\d\d|(?:{_MONTH_RE})\s*(?:19|20)\d\d)"
    rf"|\b(?:its|their|the)\s+(?P<y>(?:19|20)\d\d)\s+(?:acquisition|merger|purchase|deal|agreement|license|licence|partnership|collaboration)",
    re.IGNORECASE,
)


def _parse_sentence_date(text: str) -> tuple[str, str] | None:
    """A date the sentence gives the deal: "In March 2019, X acquired Y",
    "signed on Dec. 29, 2022", "its 2021 acquisition by Z"."""
    match = _SENTENCE_DATE.search(text)
    if not match:
        return None
    if match.group("y"):
        return match.group("y"), "year"
    raw = match.group("md")
    day = re.search(r"\b(\d{1,2})\b", raw)
    year = re.search(r"(19|20)\d\d", raw)
    month_word = re.search(r"[A-Za-z]+", raw)
    if not (year and month_word):
        return None
    month = next(
        (
            i + 1
            for i, m in enumerate(_MONTHS)
            if month_word.group(0).lower().startswith(m[:3].lower())
        ),
        None,
    )
    if month is None:
        return None
    if (
        day
        and day.start() != year.start() + 0
        and int(day.group(1)) <= 31
        and len(day.group(1)) <= 2
    ):
        return f"{year.group(0)}-{month:02d}-{int(day.group(1)):02d}", "day"
    return f"{year.group(0)}-{month:02d}", "month"


_TICKER_TAG = re.compile(r"\s*<[A-Z][A-Z.]{0,6}>")
_BRACKETED_NAME = re.compile(r"<([A-Z][^<>\n]{1,80})>")
_DASH_RUN = re.compile(r"-{2,}")
_TIMESTAMP = re.compile(
    r"(\b\d{1,2}:\d{2}\s?(?:am|pm|a\.m\.|p\.m\.|AM|PM)(?:\s?(?:ET|EST|EDT|CET|CEST|GMT|BST|JST|KST|PT|PST))?)\s"
)
_DATELINE = re.compile(
    r"\s((?:[A-Z][A-Z.]+ ?){1,3}(?:, [A-Z][A-Za-z.]+)*(?: & [A-Z][A-Z .]+)?,? ?(?:-{2,}|—|–))"
)


def _is_headline(sent: Span, small_words: frozenset[str]) -> bool:
    """Title Case or ALL CAPS lines, where the statistical NER takes any
    capitalised run for a name ("Merck Enters into Exclusive Global License Agreement")."""
    words = [t for t in sent if t.is_alpha and len(t) > 3 and t.lower_ not in small_words]
    if len(words) < 3:
        return False
    capitalised = sum(1 for t in words if t.text[0].isupper())
    return capitalised / len(words) >= 0.85


def _item_text(item: ArticleItem) -> str:
    """The text the pipeline reads: wire-service tickers ("<EK>") dropped,
    bracketed names ("<Genencor Inc>") unwrapped, dateline dashes spaced, and a
    headline the body does not repeat appended as its own sentence."""
    text = item.text
    if item.title and item.title not in text[: len(item.title) + 5]:
        text = f"{text}\n\n{item.title}."
    # Substitutions keep every character offset, so mention offsets index item.text.
    # Press-release headers run headline, bold summary, timestamp and dateline
    # into one line; make each its own sentence.
    text = text.replace("**", "\n\n")
    text = _TIMESTAMP.sub(lambda m: m.group(1) + "\n", text)
    text = _DATELINE.sub(lambda m: "\n" + m.group(1), text)
    text = _TICKER_TAG.sub(lambda m: " " * len(m.group(0)), text)
    text = _BRACKETED_NAME.sub(lambda m: f" {m.group(1)} ", text)
    return _DASH_RUN.sub(
        lambda m: " " + "—" * (len(m.group(0)) - 2) + " " if len(m.group(0)) > 2 else " —", text
    )
