"""Digest pages (several news items on one page) split into their items."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from atlas.corpus.clean import (
    BARE_URL_RE,
    BULLET_RE,
    TERMINAL,
    inline_clean,
    is_boilerplate,
    is_image_line,
    normalise,
)
from atlas.corpus.dateline import line_date
from atlas.corpus.unwrap import MIN_WRAP, unwrap_lines
from atlas.lexicon import current_word_lists

_MIN_ITEMS = 4
SENTENCE_END_RE = re.compile(r"[.!?][\"\u201d\u2019)]*\s+(?=[\"\u201c\u2018(]?[A-Z0-9])")
_WORD_RE = re.compile(r"[^\W\d_][\w'\u2019&.-]*")


@dataclass
class Block:
    text: str
    title: str | None = None
    published: tuple[str, str] | None = None


@dataclass
class _Entry:
    kind: str  # date | skip | bullet | head | label | prose
    text: str
    published: tuple[str, str] | None = None


def _sentences(text: str) -> int:
    return len(SENTENCE_END_RE.findall(text)) + 1


def _is_headline(text: str) -> bool:
    words = text.split()
    return (
        2 <= len(words) <= 25
        and len(text) <= 150
        and not text.endswith((".", ":", ";", ",", '"', "\u201d"))
        and not BARE_URL_RE.match(text)
    )


def _classify(paragraphs: list[str]) -> list[_Entry]:
    entries: list[_Entry] = []
    for p in paragraphs:
        found = line_date(p)
        if found:
            entries.append(_Entry("date", p, (found[0].iso, found[0].precision)))
        elif is_boilerplate(p):
            entries.append(_Entry("skip", p))
        elif BULLET_RE.match(p):
            entries.append(_Entry("bullet", BULLET_RE.sub("", p, count=1).strip()))
        elif _is_headline(p):
            entries.append(_Entry("head", p))
        else:
            entries.append(_Entry("prose", p))
    # A headline must lead into prose; one followed by another headline is a section label.
    for i, e in enumerate(entries):
        if e.kind != "head":
            continue
        nxt = next((f for f in entries[i + 1 :] if f.kind not in ("date", "skip")), None)
        if nxt is None or nxt.kind not in ("prose", "bullet"):
            e.kind = "label"
    return entries


_POSSESSIVE_RE = re.compile(r"['\u2019]s?$")
_WORD_PARTS_RE = re.compile(r"[-.]")
_MAX_SAMPLE = 200  # independence is judged on the first items; enough for any real digest


def _capitalised(text: str) -> list[tuple[str, bool]]:
    """(case-folded word, sentence-initial?) for capitalised words: a cheap stand-in for names.

    "Astellas-Yaskawa" gives two words and "Astellas’" loses its possessive.
    """
    out: list[tuple[str, bool]] = []
    for m in _WORD_RE.finditer(text):
        token = m.group()
        if token.islower():
            continue
        initial = _sentence_initial(text, m.start())
        for word in _WORD_PARTS_RE.split(token):
            word = _POSSESSIVE_RE.sub("", word)
            if len(word) >= 2 and word[0].isupper():
                out.append((word.casefold(), initial))
    return out


def _sentence_initial(text: str, pos: int) -> bool:
    before = text[max(0, pos - 12) : pos].rstrip(" \"'\u201c\u2018(")
    if not before and pos > 12:
        return False
    return not before or before[-1] in ".!?:\n"


def _independent(texts: list[str]) -> bool:
    """True when no name runs through the texts: they tell different stories.

    An ordinary article repeats its main names (the companies in the deal) in most paragraphs;
    digest items each name their own companies. Two tests: no name appears in half or more of
    the texts, and fewer than half of consecutive pairs share any name. A capitalised word at
    the start of a sentence counts only if it also appears capitalised mid-sentence, so
    "Launched in April..." does not add "launched".
    """
    words = [_capitalised(t) for t in texts[:_MAX_SAMPLE]]
    known = {w for ws in words for w, initial in ws if not initial}
    # Capitalised words that say nothing about which story a paragraph tells.
    stopwords = current_word_lists().digest_name_stopwords
    sets = [
        {w for w, initial in ws if w not in stopwords and (not initial or w in known)}
        for ws in words
    ]
    n = len(sets)
    counts = Counter(name for s in sets for name in s)
    top = max(counts.values(), default=0)
    if top >= 2 and top / n >= 0.5:
        return False
    shared = sum(1 for a, b in zip(sets, sets[1:], strict=False) if a & b)
    return shared / max(1, n - 1) < 0.5


def _short(text: str) -> bool:
    return _sentences(text) <= 3 and len(text) <= 600


def _headline_blocks(entries: list[_Entry]) -> list[Block] | None:
    """Digest of "headline / labels / paragraph" blocks, or None."""
    blocks: list[Block] = []
    paras: list[list[str]] = []
    intro = 0
    for e in entries:
        if e.kind == "head":
            blocks.append(Block("", e.text, None))
            paras.append([])
        elif e.kind in ("prose", "bullet"):
            if blocks:
                paras[-1].append(e.text)
            else:
                intro += 1
        elif e.kind == "date" and blocks and blocks[-1].published is None:
            # A date under a headline is that item's; one above the first is the page's.
            blocks[-1].published = e.published
    if len(blocks) < _MIN_ITEMS or intro > 1:
        return None
    if any(not 1 <= len(p) <= 3 for p in paras):
        return None
    if sum(len(" ".join(p)) for p in paras) / len(paras) > 1200:
        return None
    texts = [f"{b.title}\n" + "\n".join(p) for b, p in zip(blocks, paras, strict=True)]
    if not _independent(texts):
        return None
    for b, p in zip(blocks, paras, strict=True):
        b.text = "\n".join(p)
    return blocks


def _paragraph_items(entries: list[_Entry]) -> list[Block] | None:
    """Digest of one news item per paragraph (or bullet), or None.

    A headline line above a paragraph becomes that item's title (fewer than 4 such lines get
    here); headlines before the first paragraph belong to the page.
    """
    units = [e for e in entries if e.kind in ("prose", "bullet")]
    bullets = sum(u.kind == "bullet" for u in units)
    only_bullets = bool(units) and bullets == len(units)
    if len(units) < (2 if only_bullets else _MIN_ITEMS):
        return None
    if sum(_short(u.text) for u in units) < 0.75 * len(units):
        return None
    if not _independent([u.text for u in units]):
        return None
    blocks: list[Block] = []
    pending_date: tuple[str, str] | None = None
    pending_title: str | None = None
    for e in entries:
        if e.kind == "date":
            pending_date = e.published
        elif e.kind == "head":
            pending_title = e.text if blocks else None
        elif e.kind in ("prose", "bullet"):
            blocks.append(Block(e.text, pending_title, pending_date))
            pending_date = pending_title = None
    return blocks


def digest_blocks(body: str) -> list[Block] | None:
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    entries = _classify(paragraphs)
    heads = sum(e.kind == "head" for e in entries)
    if heads >= _MIN_ITEMS:
        return _headline_blocks(entries)
    return _paragraph_items(entries)


def clean_lines(lines: list[str], drop: set[int]) -> list[str]:
    """Body lines for NLP: dropped lines, image lines and boilerplate become blank lines."""
    out: list[str] = []
    prev = ""
    for i, raw in enumerate(lines):
        if i in drop or is_image_line(raw):
            out.append("")
            prev = ""
            continue
        line = inline_clean(raw)
        # "Inc" or "register a drug..." right under an unfinished long line is the rest of a
        # wrapped sentence, not page furniture.
        continuing = len(prev) >= MIN_WRAP and not prev.endswith(TERMINAL)
        if line and not continuing and is_boilerplate(line):
            out.append("")
            prev = ""
            continue
        indent = raw[: len(raw) - len(raw.lstrip(" "))]
        out.append(indent + line if line else "")
        prev = line
    return out


def split_digest(text: str) -> list[str] | None:
    """Item texts when `text` is a digest of independent news items, else None.

    A digest is recognised in two shapes:

    * one item per paragraph (or per list bullet): at least 4 paragraphs (2 if the body is
      nothing but bullets), three quarters of them short (at most 3 sentences, 600 chars);
    * repeating "headline / optional label lines / 1-3 paragraphs" blocks, at least 4 of
      them, with at most one paragraph before the first headline.

    In both shapes the items must be independent: no capitalised name (a proxy for the
    organisations) occurs in half the items or more, and fewer than half of neighbouring items
    share a name. An ordinary article fails this because it repeats its main names; a press
    release fails it too, and its long first section breaks the block shape.
    Boilerplate lines (single words, lone countries, "Country", "ADVERTISEMENT") are not items.
    """
    if not isinstance(text, str):
        return None
    lines = normalise(text).split("\n")
    body = unwrap_lines("\n".join(clean_lines(lines, set())))
    blocks = digest_blocks(body)
    return None if blocks is None else [b.text for b in blocks]
