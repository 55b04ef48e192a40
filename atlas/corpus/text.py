"""Articles from plain text: source line, title, date, body and digest items."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from atlas.corpus.clean import (
    BARE_URL_RE,
    IMAGE_EXT_RE,
    MD_IMAGE_LINE_RE,
    MD_IMAGE_RE,
    MD_LINK_RE,
    SOURCE_LINE_RE,
    SPACE_TABLE,
    TERMINAL,
    URL_LINE_RE,
    clean_str,
    domain_of,
    inline_clean,
    is_boilerplate,
    is_image_line,
    normalise,
    title_like,
)
from atlas.corpus.dateline import line_date, text_date
from atlas.corpus.dates import date_from_url, find_dates, parse_date
from atlas.corpus.digest import SENTENCE_END_RE, Block, clean_lines, digest_blocks
from atlas.corpus.unwrap import unwrap_lines
from atlas.models import Article, ArticleItem, Rejection


def article_id(text: str) -> str:
    """Stable id: sha1 of NFKC, case-folded, whitespace-collapsed text without markdown URLs."""
    t = unicodedata.normalize("NFKC", text if isinstance(text, str) else str(text))
    t = t.translate(SPACE_TABLE)
    t = MD_IMAGE_LINE_RE.sub(" ", t)
    t = MD_IMAGE_RE.sub(" ", t)
    t = MD_LINK_RE.sub(lambda m: m.group("text"), t)
    t = " ".join(t.casefold().split())
    return hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _source_line(lines: list[str]) -> tuple[int | None, str | None, str | None]:
    """(line index, domain, url) for a bare domain or URL on the first non-empty line."""
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        m = SOURCE_LINE_RE.match(s)
        if not m:
            return None, None, None
        host = m.group("host").lower()
        url = None
        if m.group("path") and len(m.group("path")) > 1:
            url = s if m.group("scheme") else "https://" + s
        return i, host, url
    return None, None, None


_TITLE_WINDOW = 40  # a title sits near the top, after at most a few furniture lines


def _detect_title(lines: list[str], start: int) -> tuple[int | None, str | None]:
    """The first content line if it reads like a headline, else (None, None).

    A headline is short, has no final period, and is followed by a blank line, a date line,
    or something longer or sentence-like (so a run of short menu lines yields no title).
    """
    for i in range(start, min(len(lines), start + _TITLE_WINDOW)):
        s = lines[i].strip()
        if not s or is_image_line(s) or is_boilerplate(s) or line_date(s):
            continue
        cand = inline_clean(s)
        if not title_like(cand):
            return None, None
        nxt = next((ln.strip() for ln in lines[i + 1 :] if ln.strip()), None)
        if nxt is None:
            return None, None
        followed_ok = (
            not lines[i + 1].strip()
            or bool(line_date(nxt))
            or len(nxt) >= len(s)
            or nxt.endswith(TERMINAL)
        )
        return (i, cand) if followed_ok else (None, None)
    return None, None


# What may follow a run-on headline's date before the body starts: a time, a zone, "* * *".
_AFTER_STAMP_RE = re.compile(
    r"^(?:\s*,?\s*(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[aApP]\.?[mM]\.?)?"
    r"(?:\s*[A-Z]{1,4}T\b|\s*UTC|\s*GMT)?)?[\s*|]*"
)


def _run_on_title(lines: list[str], start: int, iso: str) -> tuple[int, str, str] | None:
    """(line index, title, rest of line) for "Headline Month D, YYYY 6:45 am ET Body..."

    Scraped press releases often come as one long line; the headline is what precedes the
    article's own date when that date sits within the first 300 characters.
    """
    i = next((k for k in range(start, len(lines)) if lines[k].strip()), None)
    if i is None or len(lines[i]) <= 200:
        return None
    line = lines[i]
    hits = find_dates(line[:300])
    if not hits or hits[0].iso != iso:
        return None
    prefix = inline_clean(line[: hits[0].start])
    if not title_like(prefix) or len(prefix.split()) < 4 or SENTENCE_END_RE.search(prefix):
        return None
    return i, prefix, _AFTER_STAMP_RE.sub("", line[hits[0].end :], count=1)


def _find_line(lines: list[str], start: int, wanted: str) -> int | None:
    """Index of the line equal to `wanted` among the first few content lines."""
    key = " ".join(wanted.casefold().split())
    seen = 0
    for i in range(start, len(lines)):
        s = lines[i].strip()
        if not s:
            continue
        if " ".join(inline_clean(s).casefold().split()) == key:
            return i
        seen += 1
        if seen >= 5:
            return None
    return None


def _url_date_in_text(text: str) -> tuple[str, str] | None:
    """Date from URLs that belong to this article: images and URL-only/"Source:" lines.

    Links inside prose point to other stories, so their dates are ignored.
    """
    candidates: list[tuple[int, str]] = []
    candidates += [(m.start(), m.group("url")) for m in MD_IMAGE_RE.finditer(text)]
    candidates += [
        (m.start(), m.group()) for m in BARE_URL_RE.finditer(text) if IMAGE_EXT_RE.search(m.group())
    ]
    candidates += [(m.start(), m.group("url")) for m in URL_LINE_RE.finditer(text)]
    for _pos, url in sorted(candidates):
        found = date_from_url(url)
        if found:
            return found
    return None


def parse_text_article(
    text: str,
    *,
    file: str,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    published: str | None = None,
    metadata: dict | None = None,
) -> Article | Rejection:
    """Article from plain text plus optional known fields; a Rejection if there is no text."""
    try:
        return _parse_text_article(text, file, title, source, url, published, metadata)
    except Exception as exc:  # noqa: BLE001 - one odd article must never stop a corpus run
        return Rejection(str(file), f"could not parse text ({type(exc).__name__})")


def _parse_text_article(
    text: object,
    file: str,
    title: object,
    source: object,
    url: object,
    published: object,
    metadata: dict | None,
) -> Article | Rejection:
    if not isinstance(text, str):
        return Rejection(file, "text is not a string")
    if not text:
        return Rejection(file, "empty text")
    norm = normalise(text)
    if not norm.strip():
        return Rejection(file, "text contains only whitespace")
    lines = norm.split("\n")
    meta = dict(metadata or {})

    src_idx, src_domain, src_url = _source_line(lines)
    url_s = clean_str(url) or src_url
    source_s = clean_str(source) or src_domain or domain_of(url_s)
    start = 0 if src_idx is None else src_idx + 1

    title_idx, title_s = _title(lines, start, title)
    found, date_source = _article_date(lines, norm, title_idx, published, url_s, meta)
    iso, precision = found if found else (None, None)

    if title_s is None and iso and date_source == "text":
        run_on = _run_on_title(lines, start, iso)
        if run_on:
            lines = lines.copy()
            lines[run_on[0]] = run_on[2]
            title_s = run_on[1]

    drop = {i for i in (src_idx, title_idx) if i is not None}
    body_with_dates = unwrap_lines("\n".join(clean_lines(lines, drop)))
    body = collapse_blank("\n".join(ln for ln in body_with_dates.split("\n") if not line_date(ln)))
    if not body:
        return Rejection(file, "no article text left after removing title, date and boilerplate")

    blocks = digest_blocks(body_with_dates)
    return Article(
        id=article_id(text),
        file=file,
        text=text,
        title=title_s,
        source=source_s,
        url=url_s,
        published=iso,
        date_precision=precision,
        date_source=date_source,
        is_digest=blocks is not None,
        items=_items(blocks, body, title_s, (iso, precision, date_source)),
        metadata=meta,
    )


def _title(lines: list[str], start: int, given: object) -> tuple[int | None, str | None]:
    """(line index, title): a given title and the line repeating it, else one detected."""
    title = clean_str(given)
    if title:
        return _find_line(lines, start, title), title
    return _detect_title(lines, start)


def _article_date(
    lines: list[str],
    norm: str,
    title_idx: int | None,
    published: object,
    url: str | None,
    meta: dict,
) -> tuple[tuple[str, str] | None, str]:
    """(date and precision, where it came from). An explicit field wins (a user or a feed
    said so), then the text, then URLs in the text, then the article's URL. A field that
    does not parse is kept in `meta` as ``date_unparsed``."""
    if published is not None and str(published).strip():
        found = parse_date(str(published))
        if found:
            return found, "metadata"
        meta.setdefault("date_unparsed", str(published))
    scan = [BARE_URL_RE.sub(" ", inline_clean(ln)) for ln in lines]
    found = text_date(scan, title_idx)
    if found:
        return found, "text"
    found = _url_date_in_text(norm)
    if found:
        return found, "url"
    found = date_from_url(url) if url else None
    return (found, "metadata") if found else (None, "none")


def _items(
    blocks: list[Block] | None,
    body: str,
    title: str | None,
    dated: tuple[str | None, str | None, str],
) -> tuple[ArticleItem, ...]:
    """The article's items: one per digest block (dated by the block, else the article),
    or the whole body. `dated`: the article's (date, precision, date source)."""
    iso, precision, date_source = dated
    if blocks is None:
        return (ArticleItem(0, body, title, iso, precision, date_source),)
    return tuple(
        ArticleItem(
            index=i,
            text=b.text,
            title=b.title,
            published=b.published[0] if b.published else iso,
            date_precision=b.published[1] if b.published else precision,
            date_source="text" if b.published else date_source,
        )
        for i, b in enumerate(blocks)
    )


def collapse_blank(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip()
