"""Read a corpus of news articles into `Article` records.

Inputs are text (.txt/.md/.markdown), HTML (.html/.htm), JSON (.json), JSON Lines (.jsonl)
and CSV (.csv) files, or folders of them. Nothing here raises on bad input: every input that
cannot be read becomes a `Rejection` with a one-line reason a user can act on.

From the text itself the reader takes the source (a bare domain on the first line), the title,
the publication date (only from date-looking positions, never from running prose), a cleaned
body for NLP, and, for digest pages, one item per news item.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from atlas.lexicon import current_word_lists
from atlas.models import Article, ArticleItem, Rejection

DEFAULT_MAX_BYTES = 20_000_000

TEXT_EXTENSIONS = frozenset({".txt", ".md", ".markdown"})
HTML_EXTENSIONS = frozenset({".html", ".htm"})
SUPPORTED_EXTENSIONS = TEXT_EXTENSIONS | HTML_EXTENSIONS | {".json", ".jsonl", ".csv"}

# Record keys (compared case-insensitively), in order of preference.
TEXT_KEYS = ("text", "body", "content")
TITLE_KEYS = ("title",)
DATE_KEYS = ("date", "published", "published_at")
SOURCE_KEYS = ("source",)
URL_KEYS = ("url", "link")
# A JSON object wrapping its records under one of these keys.
WRAPPER_KEYS = ("articles", "items", "records", "data")

_NO_TEXT_FIELD = "expected one of " + ", ".join(TEXT_KEYS)


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MON = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR_MIN, _YEAR_MAX = 1900, 2100

# Each pattern yields a candidate; the earliest (then longest) candidate wins, see _find_dates.
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx, re.IGNORECASE))
    for kind, rx in (
        # 2025-12-19, 2025/12/19, 2025.12.19, 2025-12-19T10:00Z
        ("ymd", r"(?<![\d.])(?P<y>\d{4})([-/.])(?P<m>\d{1,2})\2(?P<d>\d{1,2})(?!\d)"),
        # 5-MAR-1987 (Reuters)
        ("dmy", r"(?<!\d)(?P<d>\d{1,2})-" + _MON + r"-(?P<y>\d{4})(?!\d)"),
        # Dec.19 2025, Dec. 19, 2025, December 19th, 2025; also glued to a site name in
        # scraped headers ("pharmatimesOctober 25, 2017": a lower-to-upper case change)
        (
            "mdy",
            r"(?:\b|(?<=(?-i:[a-z]))(?=(?-i:[A-Z])))" + _MON + r"(?:\.\s*|\s+)(?P<d>\d{1,2})"
            r"(?:st|nd|rd|th)?(?:,\s*|\s+)(?P<y>\d{4})(?!\d)",
        ),
        # 19 December 2025, 19 Dec. 2025, 1st of May 2025
        (
            "dmy",
            r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
            + _MON
            + r"\.?,?\s+(?P<y>\d{4})(?!\d)",
        ),
        # 19/12/2025 or 12/19/2025: only when the day is unambiguous (> 12)
        ("num", r"(?<![\d./-])(?P<a>\d{1,2})([/.])(?P<b>\d{1,2})\2(?P<y>\d{4})(?!\d)"),
        # April 2025, Apr. 2025
        ("my", r"\b" + _MON + r"\.?,?\s+(?P<y>\d{4})(?!\d)"),
        # 2025-04
        ("ym", r"(?<![\d./-])(?P<y>\d{4})-(?P<m>\d{2})(?![\d-])"),
        # Chinese/Japanese 2016年4月29日 and Korean 2016년 4월 29일, then the month alone
        (
            "cjk",
            r"(?<!\d)(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]",
        ),
        ("cjk", r"(?<!\d)(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월](?!\s*\d)"),
    )
)
# "3/9/2017 5:33:05 AM": the en-US date-time form (month first, 12-hour clock with seconds and
# a capitalised AM/PM) settles an otherwise ambiguous numeric date.
_US_CLOCK_AFTER_RE = re.compile(r"[ \t]+\d{1,2}:\d{2}:\d{2}[ \t]?[AP]M\b")
_YEAR_ONLY_RE = re.compile(r"^\s*(\d{4})\s*$")
_FOUR_DIGITS_RE = re.compile(r"(?<!\d)\d{4}(?!\d)")


@dataclass(frozen=True)
class _DateHit:
    start: int
    end: int
    iso: str
    precision: str


def _month_number(name: str) -> int:
    return _MONTHS[name[:3].lower()]


def _make_date(y: int, m: int, d: int | None) -> tuple[str, str] | None:
    """Validate a calendar date; None for anything impossible (Feb 30, month 13)."""
    if not _YEAR_MIN <= y <= _YEAR_MAX or not 1 <= m <= 12:
        return None
    if d is None:
        return f"{y:04d}-{m:02d}", "month"
    try:
        date(y, m, d)
    except ValueError:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}", "day"


def _resolve(kind: str, m: re.Match[str]) -> tuple[str, str] | None:
    g = m.groupdict()
    y = int(g["y"])
    if kind == "num":
        a, b = int(g["a"]), int(g["b"])
        if a > 12 >= b:
            return _make_date(y, b, a)
        if b > 12 >= a or a == b:
            return _make_date(y, a, b)
        if m.group(2) == ".":
            return _make_date(y, b, a)  # 04.03.2025: dotted dates are day first (Europe)
        return None  # 03/04/2025: day and month cannot be told apart, so no date
    month = int(g["m"]) if g.get("m") else _month_number(g["mon"])
    day = int(g["d"]) if g.get("d") else None
    return _make_date(y, month, day)


# Every date form has a four-digit year; the patterns only scan this far around one.
_BEFORE_YEAR, _AFTER_YEAR = 40, 20


def _year_windows(text: str) -> list[tuple[int, int]]:
    """Merged (start, end) spans around each four-digit number, where any date must lie.

    Scanning these instead of the whole text keeps long texts cheap. The end never falls
    inside a run of digits or date separators, so no match is cut short there.
    """
    windows: list[tuple[int, int]] = []
    n = len(text)
    for m in _FOUR_DIGITS_RE.finditer(text):
        lo, hi = max(0, m.start() - _BEFORE_YEAR), min(n, m.end() + _AFTER_YEAR)
        while hi < n and (text[hi].isdigit() or text[hi] in "-./"):
            hi += 1
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    return windows


def _find_dates(text: str) -> list[_DateHit]:
    """All valid day/month dates in `text`, left to right, without overlaps.

    An invalid date (Feb 30) still claims its characters, so no shorter pattern inside it
    ("Feb ... 2025" as a month) can turn it into a date that was never written.
    """
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for lo, hi in _year_windows(text):
        for kind, rx in _DATE_PATTERNS:
            for m in rx.finditer(text, lo, hi):
                found.append((m.start(), -(m.end() - m.start()), kind, m))
    found.sort(key=lambda f: (f[0], f[1]))
    hits: list[_DateHit] = []
    claimed_to = -1
    for start, _neg_len, kind, m in found:
        if start < claimed_to:
            continue
        claimed_to = m.end()
        resolved = _resolve(kind, m)
        if resolved is None and kind == "num" and _US_CLOCK_AFTER_RE.match(text, m.end()):
            resolved = _make_date(int(m.group("y")), int(m.group("a")), int(m.group("b")))
        if resolved:
            hits.append(_DateHit(start, m.end(), resolved[0], resolved[1]))
    return hits


def parse_date(text: str) -> tuple[str, str] | None:
    """First valid date in `text` as (ISO string, precision day|month|year), else None.

    A bare year is accepted only when it is the whole string (a metadata field), since any
    four-digit number in prose would otherwise become a year.
    """
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFKC", text)
    hits = _find_dates(text)
    if hits:
        return hits[0].iso, hits[0].precision
    m = _YEAR_ONLY_RE.match(text)
    if m and _YEAR_MIN <= int(m.group(1)) <= _YEAR_MAX:
        return m.group(1), "year"
    return None


_URL_YMD_RE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?=[/?#]|$)")
_URL_YM_RE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})(?=[/?#]|$)")
_URL_SLUG_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)")


def date_from_url(url: str) -> tuple[str, str] | None:
    """Date encoded in a URL path: /2025/04/19/ (day), /2025/04/ (month), a 2025-04-19 slug."""
    if not isinstance(url, str) or not url:
        return None
    try:
        path = urlsplit(url.strip()).path or url
    except ValueError:
        path = url
    for rx in (_URL_YMD_RE, _URL_SLUG_RE):
        for m in rx.finditer(path):
            found = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if found:
                return found
    for m in _URL_YM_RE.finditer(path):
        found = _make_date(int(m.group(1)), int(m.group(2)), None)
        if found:
            return found
    return None


# A date-only line may also carry these: weekday, clock time, time zone, labels, separators.
_WEEKDAY_RE = re.compile(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\b\.?"
    r"|\u661f\u671f[\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u65e5\u5929]"  # 星期五
    r"|[\u6708\u706b\u6c34\u6728\u91d1\u571f\u65e5]\u66dc\u65e5"  # 金曜日
    r"|[\uc6d4\ud654\uc218\ubaa9\uae08\ud1a0\uc77c]\uc694\uc77c",  # 금요일
    re.IGNORECASE,
)
_TIME_RE = re.compile(
    r"\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:a\.?m\.?|p\.?m\.?))?", re.IGNORECASE
)
_TZ_RE = re.compile(r"\b(?:(?i:UTC|GMT)|Z|[A-Z]{1,3}[SD]?T)\b|(?i:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?")
# "5 months ago" next to a timestamp in site furniture.
_AGO_RE = re.compile(
    r"\b\d{1,3}\s+(?:second|sec|minute|min|hour|hr|day|week|month|year)s?\s+ago\b", re.IGNORECASE
)
_LABEL_WORDS_RE = re.compile(
    r"\b(?:first|last|published|publication|posted|updated?|modified|revised|date|dated|released"
    r"|issued|on|at|by|(?:press|news|media)\s+release)\b",
    re.IGNORECASE,
)
_LABEL_RE = re.compile(
    r"^\W*(?P<label>(?:(?:first|last|date)\s+)?(?:published|publication(?:\s+date)?|posted"
    r"|released|release\s+date|issued|issue\s+date|date|updated?|modified|revised))\b",
    re.IGNORECASE,
)
# Labels that name a later change, not the publication.
_UPDATE_LABEL_RE = re.compile(r"updat|modif|revis", re.IGNORECASE)
_PUBLISH_WORD_RE = re.compile(r"\b(?:published|posted|publication|released|issued)\b", re.I)
# "Posted by Jane Doe on ..." between a label and its date.
_BYLINE_BETWEEN_RE = re.compile(r"^\W*by\s+[^.!?\d]{1,50}?\W*(?:\bon\b)?\W*$", re.IGNORECASE)
# A clock time after a date: "May 5, 2025, 10:15", "March 27, 2017 / 2:18 AM",
# "2016年4月29日 星期五 21:05", "2025-05-05T10:15".
_TIME_AFTER_RE = re.compile(
    r"(?:T|[\s,/|\u00b7\u2022-]*(?:(?:"
    + _WEEKDAY_RE.pattern
    + r")[\s,]*)?(?:at\s+)?)\d{1,2}:\d{2}",
    re.IGNORECASE,
)
# "Month D, YYYY /PRNewswire/ --", "June 29, 2012 ---", "Jan. 28, 2021// --", "May 5, 2025 - ",
# "Feb. 6, 2023 (GLOBE NEWSWIRE) -- ", "(Marketwire - Aug. 13, 2009) - "; on the same line (a
# dash on the next line is a list bullet).
_DATELINE_AFTER_RE = re.compile(
    r"[ \t]*(?:/[^/\n]{0,40}/|//|\([^()\n]{0,40}\)|\[[^\[\]\n]{0,40}\])?[ \t]*\)?[ \t]*"
    r"(?:-{2,}|[-\u2013\u2014](?=\s))"
    # or a wire tag alone: "12 December 2019 [ wire ] Acme...", "(GLOBE NEWSWIRE) Acme..."
    r"|[ \t]*[\[(][^\[\]()\n]{0,30}(?i:wire|newswire|press|news)[^\[\]()\n]{0,20}[\])]"
)
# Reuters: "    ROCHESTER, N.Y., March 5 - Eastman Kodak..." (the year is in the header line)
_YEARLESS_DATELINE_RE = re.compile(
    r"^[ \t]*[A-Z][A-Za-z.'& -]{1,40}(?:,[ \t]*[A-Za-z.' ]{1,20})*?,[ \t]+(?i:"
    + _MON
    + r")\.?[ \t]+(?P<d>\d{1,2})[ \t]+-[ \t]",
    re.MULTILINE,
)
_YEAR_IN_HEADER_RE = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
# Marketwire: "SAN FRANCISCO, CA -- (Marketwire) -- 11/07/11 -- " (month first, two-digit year).
_WIRE_NUMERIC_RE = re.compile(
    r"--\s*\([^()\n]{1,40}\)\s*--\s*(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2})\s*--"
)
# Dates in the first few hundred characters may sit mid-line (headline + timestamp on one line
# in scraped press releases); later ones only count on their own line.
_HEADER_ZONE = 600
# A press-release dateline opening a line ("Tel Aviv, Israel - May 5, 2025 - Acme...") also
# counts further down: SEC exhibits put a cover page before the release.
_DATELINE_ZONE = 3000
# Wire-service tags after a dateline: "[ wire ]", "(BUSINESS WIRE)".
_TAG_RE = re.compile(r"\[[^\[\]\n]{0,40}\]|\([^()\n]{0,40}\)")
# After a dateline's place and date, a colon or a spaced slash also opens the story:
# "MUMBAI, May 5, 2025: Acme", "Zug, Switzerland, 5 May 2025 / Acme AG".
_COLON_AFTER_RE = re.compile(r"[ \t]*:[ \t]+\S|[ \t]+/[ \t]+\S")
_PLACE_CONNECTORS = frozenset(
    "and of the de del der la le am an im upon on sur en et y".split()
)  # fmt: skip
_PLACE_SPLIT_RE = re.compile(r"[\s,/\u2013\u2014-]+")
# Issue furniture around a month: "No. 351, December 1998", "from the March 2006 issue".
_ISSUE_WORD_RE = re.compile(r"\b(?:issue|edition|vol|volume|no|nr|number)\b", re.IGNORECASE)
_ISSUE_REST_RE = re.compile(
    r"\b(?:from|the|this|issue|edition|vol|volume|no|nr|number)\b\.?|#?\b\d{1,4}\b",
    re.IGNORECASE,
)
# Signature blocks of filings ("By: /s/ Jane Doe ... Date: ..."): the filing's date, not the
# release's.
_SIGNATURE_RE = re.compile(r"/s/")
# "heading: date", "heading - date", "heading | date" (or a site name glued to the date).
_HEADING_SEPARATORS = tuple(":-|/\u2013\u2014\u2022\u00b7")
_PROSE_END_RE = re.compile(r"[a-z]{2}[.!?]\s+[A-Z]")
_OTHER_DATE_FIELD_RE = re.compile(
    r"\b(?:date|dated|period|deadline|ended|ending|until|through|as\s+of|by)\b", re.IGNORECASE
)


def _is_filler(text: str) -> bool:
    """True when nothing but weekday/time/zone/label words and punctuation is left."""
    text = _WEEKDAY_RE.sub(" ", text)
    text = _TIME_RE.sub(" ", text)
    text = _AGO_RE.sub(" ", text)
    text = _TZ_RE.sub(" ", text)
    text = _LABEL_WORDS_RE.sub(" ", text)
    return not any(ch.isalnum() for ch in text)


def _line_date(line: str) -> tuple[_DateHit, int] | None:
    """(date, priority) when `line` is a date line; None for prose that merely mentions a date.

    Priorities: 4 "Published:" lines; 3 a date with a clock time (a timestamp); 2 a line that
    is only a date, or a short byline starting with one; 1 "Updated" lines.
    """
    s = line.strip()
    # Every date form needs a four-digit year; the cheap test spares most lines the regexes.
    if not s or len(s) > 160 or not _FOUR_DIGITS_RE.search(s):
        return None
    return _line_date_cached(s)


@lru_cache(maxsize=8192)
def _line_date_cached(s: str) -> tuple[_DateHit, int] | None:
    # Cached: the same short line is examined by the date, title, unwrap and digest passes.
    hits = _find_dates(s)
    if not hits:
        return None
    first = hits[0]
    label = _LABEL_RE.match(s)
    if label and first.start >= label.end():
        between = s[label.end() : first.start]
        if _is_filler(between) or _BYLINE_BETWEEN_RE.match(between):
            if not _UPDATE_LABEL_RE.search(label.group("label")):
                return first, 4
            # "Updated: June 9, 2025 | Published: June 2, 2025": the published date wins.
            for prev, hit in zip(hits, hits[1:], strict=False):
                if _PUBLISH_WORD_RE.search(s[prev.end : hit.start]) and _is_filler(
                    _without(s, hits)
                ):
                    return hit, 4
            return first, 1
    timed = first.precision == "day" and bool(_TIME_RE.search(s[first.end : first.end + 25]))
    # Later dates labelled as updates belong to the line: "May 3, 2025 | Updated May 5, 2025".
    updates = [
        h
        for prev, h in zip(hits, hits[1:], strict=False)
        if _UPDATE_LABEL_RE.search(s[prev.end : h.start])
    ]
    single = len(hits) == 1 + len(updates)
    rest = _without(s, [first, *updates]) if single else _without(s, [first])
    if _is_filler(rest):
        return first, 3 if timed else 2
    if first.precision != "day" or not single:
        return None
    # "2024-07-30   Jane Doe": a byline that opens with the date (not a range "May 10, 2024
    # to November 6, 2024").
    if (
        _is_filler(s[: first.start])
        and len(s) <= 80
        and s[-1] not in ".!?"
        and len(rest.split()) <= 6
    ):
        return first, 3 if timed else 2
    # "By Jane Doe | March 3, 2025 10:15": a byline that ends with the date.
    if len(s) <= 100 and _BYLINE_BETWEEN_RE.match(s[: first.start]) and _is_filler(s[first.end :]):
        return first, 3 if timed else 2
    return None


def _without(s: str, hits: list[_DateHit]) -> str:
    """`s` with the characters of the given dates (left to right) blanked out."""
    out, at = [], 0
    for h in hits:
        out.append(s[at : h.start])
        at = h.end
    out.append(s[at:])
    return " ".join(out)


def _is_place(prefix: str) -> bool:
    """Whether `prefix` reads like a dateline's place: "SAN DIEGO, ", "Tel Aviv, Israel - ".

    Capitalised words (and connectors such as "and", "of") split by commas, slashes and dashes;
    wire-service names in brackets are ignored; no digits, no sentence.
    """
    p = _TAG_RE.sub(" ", prefix)
    p = re.sub(r"\([^()\n]{0,40}$", " ", p)  # "QUEBEC--(Marketwire - " before the date
    p = _WEEKDAY_RE.sub(" ", p)
    if len(p) > 120:
        return False
    tokens = [t for t in _PLACE_SPLIT_RE.split(p) if t]
    if not tokens or len(tokens) > 10:
        return False
    tokens[-1] = tokens[-1].removesuffix(":")  # "MUMBAI: "
    for t in tokens:
        if t in _PLACE_CONNECTORS:
            continue
        if not t or not t[0].isupper() or any(ch.isdigit() for ch in t):
            return False
        if not all(ch.isalpha() or ch in ".'\u2019&" for ch in t):
            return False
    return True


def _is_heading_prefix(prefix: str) -> bool:
    """ "Monday Deal Review: ", "Newsletter Vol. 7 no.31 - ", "sitename" glued to the date.

    Not a sentence, and not a field naming what the date is of ("Date of Report:", "Period
    ended:"): those dates are not the publication's.
    """
    p = prefix.rstrip()
    if not p or len(p) > 100 or len(p.split()) > 12 or _PROSE_END_RE.search(p):
        return False
    if _OTHER_DATE_FIELD_RE.search(p):
        return False
    glued = p == prefix and p[-1].islower()
    return glued or (p.endswith(_HEADING_SEPARATORS) and prefix != p)


def _is_issue_line(rest: str) -> bool:
    """What surrounds the date is issue furniture only: "No. 351,", "from the ... issue"."""
    return bool(_ISSUE_WORD_RE.search(rest)) and _is_filler(_ISSUE_REST_RE.sub(" ", rest))


@lru_cache(maxsize=8192)
def _shaped_line_date(s: str, in_header: bool) -> tuple[_DateHit, int] | None:
    """(date, priority) for datelines and header lines that `_line_date` leaves alone.

    3: a dateline opening a line, "Tel Aviv, Israel - May 5, 2025 - Acme said..." (anywhere in
    the first `_DATELINE_ZONE` characters), or a line ending in one, "Melbourne, Australia,
    30 March 1998" (in the header zone; 2 further down). In the header zone only, 2: a heading
    ending in a date after a separator, "Deal Review: December 10, 2012", and issue lines,
    "No. 351, December 1998".
    """
    hits = _find_dates(s[:220])
    if not hits or hits[0].start > 160:
        return None
    first = hits[0]
    prefix, after = s[: first.start], s[first.end :]
    placed = first.precision == "day" and _is_place(prefix)
    if placed and (_DATELINE_AFTER_RE.match(after) or _COLON_AFTER_RE.match(after)):
        return first, 3
    if len(s) > 160:
        return None
    if in_header and _is_issue_line(prefix + " " + after):
        return first, 2
    if not _is_filler(_TAG_RE.sub(" ", after)):
        return None
    if placed:
        # A place has a comma ("Melbourne, Australia,") or is in capitals ("TOKYO-"); a
        # title-case heading ("Monday Deal Review -") is not a place.
        p = _WEEKDAY_RE.sub(" ", prefix).strip()
        if "," in p or p.upper() == p:
            return first, 3 if in_header else 2
    if in_header and _is_heading_prefix(prefix):
        return first, 2
    return None


@dataclass(frozen=True)
class _DateCand:
    priority: int
    pos: int
    iso: str
    precision: str
    line: int | None  # index of the line it stands on
    kind: str  # "line" (a `_line_date` line), "shaped", "zone", "reuters", "wire"


def _date_candidates(lines: list[str]) -> list[_DateCand]:
    """Every place in `lines` that states a publication date, with its priority."""
    cands: list[_DateCand] = []
    pos = 0
    first_content = True
    for i, line in enumerate(lines):
        found = _line_date(line)
        s = line.strip()
        if found:
            hit, prio = found
            if _after_signature(lines, i):
                prio = 0
            cands.append(_DateCand(prio, pos, hit.iso, hit.precision, i, "line"))
        elif pos < _DATELINE_ZONE and s and s[0].isalpha() and _FOUR_DIGITS_RE.search(s[:220]):
            shaped = _shaped_line_date(s[:220], pos < _HEADER_ZONE)
            if shaped is None and first_content:
                shaped = _opening_date(s)
            if shaped:
                hit, prio = shaped
                cands.append(_DateCand(prio, pos, hit.iso, hit.precision, i, "shaped"))
        first_content = first_content and not s
        pos += len(line) + 1
    joined = "\n".join(lines)
    zone = joined[:_HEADER_ZONE]
    for hit in _find_dates(zone):
        after = joined[hit.end : hit.end + 60]
        before = zone[max(0, hit.start - 25) : hit.start].rpartition("\n")[2]
        if (
            hit.precision == "day"
            and (_TIME_AFTER_RE.match(after) or _DATELINE_AFTER_RE.match(after))
            and not _UPDATE_LABEL_RE.search(before)
        ):
            line_no = zone.count("\n", 0, hit.start)
            cands.append(_DateCand(3, hit.start, hit.iso, hit.precision, line_no, "zone"))
    first_line = next((ln for ln in lines if ln.strip()), "")
    header_year = _YEAR_IN_HEADER_RE.search(first_line)
    if header_year:
        m = _YEARLESS_DATELINE_RE.search(zone)
        if m:
            found_date = _make_date(
                int(header_year.group(1)), _month_number(m.group("mon")), int(m.group("d"))
            )
            if found_date:
                cands.append(_DateCand(3, m.start(), *found_date, None, "reuters"))
    m = _WIRE_NUMERIC_RE.search(zone)
    if m:
        yy = int(m.group("y"))
        found_date = _make_date(
            yy + (2000 if yy < 70 else 1900), int(m.group("m")), int(m.group("d"))
        )
        if found_date:
            cands.append(_DateCand(3, m.start(), *found_date, None, "wire"))
    return cands


# What may follow a date that opens a text run into its body: a capitalised word or a
# separator, not the comma or lower-case word of a sentence ("March 25, 2025, Acme signed").
_OPENING_AFTER_RE = re.compile(r"[ \t]+(?:[A-Z\u00c0-\u00de]|[|\u2022\u00b7/])")


def _opening_date(s: str) -> tuple[_DateHit, int] | None:
    """A date that opens the text, run into what follows ("Feb. 26, 2018 Licensing Acme
    Pharma has...": a scraped header glued to the body). Only a weekday may precede it."""
    hits = _find_dates(s[:60])
    if not hits or hits[0].precision != "day":
        return None
    first = hits[0]
    if _WEEKDAY_RE.sub(" ", s[: first.start]).strip(" ,"):
        return None
    return (first, 2) if _OPENING_AFTER_RE.match(s, first.end) else None


def _after_signature(lines: list[str], i: int) -> bool:
    """Whether line `i` closes a filing's signature block ("By: /s/ Jane Doe ... Date: ...")."""
    before = [ln for ln in lines[max(0, i - 20) : i] if ln.strip()][-6:]
    return any(_SIGNATURE_RE.search(ln) for ln in before)


def _next_content(lines: list[str], i: int, step: int) -> int | None:
    """Index of the nearest non-empty line before (step -1) or after (step 1) line `i`."""
    k = i + step
    while 0 <= k < len(lines):
        if lines[k].strip():
            return k
        k += step
    return None


def _story_list_lines(lines: list[str], cands: list[_DateCand], title: int | None) -> set[int]:
    """Date lines that date the stories of a list, not the page.

    Two shapes: (1) two or more date lines, each followed by a paragraph and each either under
    its own headline or naming its source ("December 3, 2019 - Fierce Biotech"), the first of
    them not under the page's title (that one would be the article's own date line); (2) a run
    of headline / date / headline / date lines (a sidebar of other stories).
    """
    dated = sorted({c.line for c in cands if c.kind == "line" and c.priority in (2, 3)})

    def pair_step(i: int, step: int) -> int | None:
        """The dated line two content lines away with a headline between, else None."""
        h = _next_content(lines, i, step)
        j = _next_content(lines, h, step) if h is not None else None
        return j if j in dated and _headline_at(lines, h) else None

    def para_after(i: int) -> bool:
        nxt = _next_content(lines, i, 1)
        para = lines[nxt].strip() if nxt is not None else ""
        return len(para) >= 80 or para.endswith(_TERMINAL)

    run = {
        i
        for i in dated
        if _headline_at(lines, _next_content(lines, i, -1))
        and not para_after(i)
        and (pair_step(i, 1) is not None or pair_step(i, -1) is not None)
    }
    listed = run if len(run) >= 2 else set()
    items: list[int] = []
    for i in dated:
        if not para_after(i):
            continue
        prev = _next_content(lines, i, -1)
        if prev is not None and prev == title:
            return listed
        s = lines[i].strip()
        hit = _find_dates(s)[0]
        names_source = not _is_filler(s[: hit.start] + " " + s[hit.end :])
        if not (_headline_at(lines, prev) or names_source):
            return listed
        items.append(i)
    return listed | set(items) if len(items) >= 2 else listed


def _headline_at(lines: list[str], i: int | None) -> bool:
    if i is None:
        return False
    s = lines[i].strip()
    return _title_like(s) and not s.endswith(_TERMINAL) and not _line_date(s)


def _text_date(lines: list[str], title: int | None = None) -> tuple[str, str] | None:
    """Publication date stated by the text, or None. See `_date_candidates` for what counts.

    The highest priority wins; among date-only lines (priority 2) one of the three lines
    under the title goes first (a "today's date" banner or a list of other stories above the
    title is site furniture); then the earliest position. The dates of a list of stories are
    not counted (`_story_list_lines`).
    """
    cands = _date_candidates(lines)
    listed = _story_list_lines(lines, cands, title)
    if listed:
        cands = [c for c in cands if c.line not in listed]
    below: set[int] = set()
    k: int | None = title
    while title is not None and k is not None and len(below) < 3:
        k = _next_content(lines, k, 1)
        if k is not None:
            below.add(k)
    if not cands:
        return None
    best = max(
        cands,
        key=lambda c: (
            c.priority,
            c.priority == 2 and c.kind == "line" and c.line in below,
            -c.pos,
        ),
    )
    return best.iso, best.precision


# --------------------------------------------------------------------------------------------
# Text normalisation, markdown, boilerplate
# --------------------------------------------------------------------------------------------

_SPACE_TABLE = str.maketrans(
    {
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
        "\u3000": " ", "\t": "    ", "\u2028": "\n", "\u2029": "\n", "\x0b": "\n",
        "\x0c": "\n", "\x85": "\n", "\u200b": None, "\u200c": None, "\u200d": None,
        "\u2060": None, "\ufeff": None,
    }
)  # fmt: skip

# Quantifiers are bounded so hostile input (a line of a million "[") cannot make scans quadratic.
_MD_IMAGE_LINE_RE = re.compile(
    r"^[ \t]*!\[[^\[\]\n]{0,500}\]\([^()\[\]\n]{0,2000}\)[ \t]*$", re.MULTILINE
)
_MD_IMAGE_RE = re.compile(
    r"!\[[^\[\]\n]{0,500}\]\(\s*<?(?P<url>[^()\[\]\s<>]{0,2000})>?(?:\s+\"[^\"\n]{0,500}\")?\s*\)"
)
_MD_LINK_RE = re.compile(
    r"(?<!!)\[(?P<text>[^\[\]\n]{0,500})\]\(\s*<?[^()\[\]\s<>]{0,2000}>?(?:\s+\"[^\"\n]{0,500}\")?\s*\)"
)
_BARE_URL_RE = re.compile(r"https?://[^\s<>()\[\]]+", re.IGNORECASE)
_IMAGE_EXT_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)", re.IGNORECASE)
_URL_LINE_RE = re.compile(
    r"^\s*(?:(?:source|url|link|original)\s*:\s*)?<?(?P<url>https?://\S+?)>?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_SOURCE_LINE_RE = re.compile(
    r"^(?P<scheme>https?://)?(?:www\.)?"
    r"(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?P<path>/\S*)?$",
    re.IGNORECASE,
)
_BULLET_RE = re.compile(r"^(?:[-*\u2022\u25aa\u25cf\u2013]|\d{1,2}[.)])\s+")
_MD_MARKERS_RE = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?)")
_TERMINAL = tuple(".!?:\"\u201d'\u2019")

# Lines that are page furniture, never title or body. Matched against the whole line,
# case-insensitively, after trimming punctuation at both ends. Kept short on purpose.
_BOILERPLATE_RE = re.compile(
    r"^(?:"
    + "|".join(
        (
            r"advertisements?|advertising|sponsored(?: content)?|country|countries|region",
            r"(?:press|news) release",
            r"[\w&' ]{0,40} newsletter",
            r"daily [\w&' ]{0,40} headlines?\b.{0,60}",
            r"(?:subscribe|sign up|sign in|log ?in)\b.{0,60}|register(?: now| here| for free)?",
            r"(?:no )?comments?(?: yet)?(?: \(\d+\))?|leave a (?:comment|reply)",
            r"share(?: this)?(?: article| story| post)?(?: on [\w ]{1,20})?|print|e-?mail|tweet",
            r"read (?:the )?(?:full|more)\b.{0,60}",
            r"related(?: articles| news| stories| content| posts)?|recommended(?: for you)?",
            r"(?:skip|jump) to (?:main )?content|back to top|menu|home|search",
            r"(?:accept|manage) cookies.{0,60}|click here\b.{0,60}|follow us\b.{0,60}",
            r"by (?-i:[A-Z])[\w.'\u2019 -]{1,60}",
        )
    )
    + r")$",
    re.IGNORECASE,
)
# Latin script only: a short CJK heading has no spaces but is not a single word.
_SINGLE_WORD_RE = re.compile(r"^[A-Za-z\u00c0-\u024f][\w'\u2019&-]{0,24}$")


def _normalise(text: str) -> str:
    """Unify newlines and exotic spaces so line-based rules see plain text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_SPACE_TABLE)


def _strip_md(line: str) -> str:
    """Drop markdown heading/quote markers and bold markers from one line."""
    line = _MD_MARKERS_RE.sub("", line)
    return line.replace("**", "").replace("__", "").strip()


def _is_boilerplate(line: str) -> bool:
    s = line.strip().strip("*_#|:;,.-\u2013\u2014\u2022 ").strip()
    if not s:
        return False
    # A lone country on a line is a tag/label, not news. Single words are covered generally.
    if _BOILERPLATE_RE.match(s) or s.casefold() in current_word_lists().multiword_countries:
        return True
    return bool(_SINGLE_WORD_RE.match(s))


def _is_image_line(line: str) -> bool:
    return bool(_MD_IMAGE_LINE_RE.match(line))


def _inline_clean(line: str) -> str:
    """Markdown images out, links to their text, heading/bold markers off."""
    line = _MD_IMAGE_RE.sub("", line)
    line = _MD_LINK_RE.sub(lambda m: m.group("text"), line)
    return _strip_md(line) if line.strip() else ""


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "://" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host[4:] if host.startswith("www.") else host


def _clean_str(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


# --------------------------------------------------------------------------------------------
# Line unwrapping
# --------------------------------------------------------------------------------------------

_MIN_WRAP = 35  # lines shorter than this are headings/labels and never joined


def _joins(prev: str, nxt: str, width: float) -> bool:
    """Whether `nxt` continues the hard-wrapped line `prev`."""
    if len(prev) < _MIN_WRAP or prev.endswith(_TERMINAL) or prev.startswith("#"):
        return False
    if _BULLET_RE.match(nxt) or _line_date(nxt) or _line_date(prev):
        return False
    if nxt[0].islower() or nxt[0].isdigit() or nxt[0] in "($\u20ac\u00a3%&":
        return True
    # A capitalised next line still continues when `prev` runs to the wrap width.
    return len(prev) >= 0.6 * width


def unwrap_lines(text: str) -> str:
    """Join hard-wrapped prose into one line per paragraph.

    A line of 35+ characters that does not end in terminal punctuation is joined to the next
    line unless that one is blank, indented (Reuters paragraphs start with 4 spaces), a list
    item or a date line. When the next line starts with a capital the previous one must also
    reach about the text's wrap width, so a headline directly above a paragraph stays apart.
    Output: paragraphs one per line, at most one blank line between blocks.
    """
    lines = _normalise(text).split("\n")
    long_lines = sorted(len(s) for s in (ln.strip() for ln in lines) if len(s) >= _MIN_WRAP)
    # Wrap width: the upper quartile of line lengths, rounded up so two lines use the longer.
    width = float(long_lines[math.ceil(0.75 * (len(long_lines) - 1))]) if long_lines else 0.0
    out: list[str] = []
    current: str | None = None
    last = ""
    for raw in lines:
        s = raw.strip()
        if not s:
            if current is not None:
                out.append(current)
                current = None
            if out and out[-1]:
                out.append("")
            continue
        indented = len(raw) - len(raw.lstrip(" ")) >= 2
        if current is not None and not indented and _joins(last, s, width):
            current += " " + s
        else:
            if current is not None:
                out.append(current)
            current = s
        last = s
    if current is not None:
        out.append(current)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Digest detection
# --------------------------------------------------------------------------------------------

_MIN_ITEMS = 4
_SENTENCE_END_RE = re.compile(r"[.!?][\"\u201d\u2019)]*\s+(?=[\"\u201c\u2018(]?[A-Z0-9])")
_WORD_RE = re.compile(r"[^\W\d_][\w'\u2019&.-]*")


@dataclass
class _Block:
    text: str
    title: str | None = None
    published: tuple[str, str] | None = None


@dataclass
class _Entry:
    kind: str  # date | skip | bullet | head | label | prose
    text: str
    published: tuple[str, str] | None = None


def _sentences(text: str) -> int:
    return len(_SENTENCE_END_RE.findall(text)) + 1


def _is_headline(text: str) -> bool:
    words = text.split()
    return (
        2 <= len(words) <= 25
        and len(text) <= 150
        and not text.endswith((".", ":", ";", ",", '"', "\u201d"))
        and not _BARE_URL_RE.match(text)
    )


def _classify(paragraphs: list[str]) -> list[_Entry]:
    entries: list[_Entry] = []
    for p in paragraphs:
        found = _line_date(p)
        if found:
            entries.append(_Entry("date", p, (found[0].iso, found[0].precision)))
        elif _is_boilerplate(p):
            entries.append(_Entry("skip", p))
        elif _BULLET_RE.match(p):
            entries.append(_Entry("bullet", _BULLET_RE.sub("", p, count=1).strip()))
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


def _headline_blocks(entries: list[_Entry]) -> list[_Block] | None:
    """Digest of "headline / labels / paragraph" blocks, or None."""
    blocks: list[_Block] = []
    paras: list[list[str]] = []
    intro = 0
    for e in entries:
        if e.kind == "head":
            blocks.append(_Block("", e.text, None))
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


def _paragraph_items(entries: list[_Entry]) -> list[_Block] | None:
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
    blocks: list[_Block] = []
    pending_date: tuple[str, str] | None = None
    pending_title: str | None = None
    for e in entries:
        if e.kind == "date":
            pending_date = e.published
        elif e.kind == "head":
            pending_title = e.text if blocks else None
        elif e.kind in ("prose", "bullet"):
            blocks.append(_Block(e.text, pending_title, pending_date))
            pending_date = pending_title = None
    return blocks


def _digest_blocks(body: str) -> list[_Block] | None:
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    entries = _classify(paragraphs)
    heads = sum(e.kind == "head" for e in entries)
    if heads >= _MIN_ITEMS:
        return _headline_blocks(entries)
    return _paragraph_items(entries)


def _clean_lines(lines: list[str], drop: set[int]) -> list[str]:
    """Body lines for NLP: dropped lines, image lines and boilerplate become blank lines."""
    out: list[str] = []
    prev = ""
    for i, raw in enumerate(lines):
        if i in drop or _is_image_line(raw):
            out.append("")
            prev = ""
            continue
        line = _inline_clean(raw)
        # "Inc" or "register a drug..." right under an unfinished long line is the rest of a
        # wrapped sentence, not page furniture.
        continuing = len(prev) >= _MIN_WRAP and not prev.endswith(_TERMINAL)
        if line and not continuing and _is_boilerplate(line):
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
    lines = _normalise(text).split("\n")
    body = unwrap_lines("\n".join(_clean_lines(lines, set())))
    blocks = _digest_blocks(body)
    return None if blocks is None else [b.text for b in blocks]


# --------------------------------------------------------------------------------------------
# Articles from text
# --------------------------------------------------------------------------------------------


def article_id(text: str) -> str:
    """Stable id: sha1 of NFKC, case-folded, whitespace-collapsed text without markdown URLs."""
    t = unicodedata.normalize("NFKC", text if isinstance(text, str) else str(text))
    t = t.translate(_SPACE_TABLE)
    t = _MD_IMAGE_LINE_RE.sub(" ", t)
    t = _MD_IMAGE_RE.sub(" ", t)
    t = _MD_LINK_RE.sub(lambda m: m.group("text"), t)
    t = " ".join(t.casefold().split())
    return hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _source_line(lines: list[str]) -> tuple[int | None, str | None, str | None]:
    """(line index, domain, url) for a bare domain or URL on the first non-empty line."""
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        m = _SOURCE_LINE_RE.match(s)
        if not m:
            return None, None, None
        host = m.group("host").lower()
        url = None
        if m.group("path") and len(m.group("path")) > 1:
            url = s if m.group("scheme") else "https://" + s
        return i, host, url
    return None, None, None


def _title_like(s: str) -> bool:
    return (
        3 <= len(s) <= 200
        and len(s.split()) >= 2
        and not s.endswith((".", ":", ",", ";"))
        and not _BULLET_RE.match(s)
        and not _BARE_URL_RE.match(s)
        and any(ch.isalpha() for ch in s)
    )


_TITLE_WINDOW = 40  # a title sits near the top, after at most a few furniture lines


def _detect_title(lines: list[str], start: int) -> tuple[int | None, str | None]:
    """The first content line if it reads like a headline, else (None, None).

    A headline is short, has no final period, and is followed by a blank line, a date line,
    or something longer or sentence-like (so a run of short menu lines yields no title).
    """
    for i in range(start, min(len(lines), start + _TITLE_WINDOW)):
        s = lines[i].strip()
        if not s or _is_image_line(s) or _is_boilerplate(s) or _line_date(s):
            continue
        cand = _inline_clean(s)
        if not _title_like(cand):
            return None, None
        nxt = next((ln.strip() for ln in lines[i + 1 :] if ln.strip()), None)
        if nxt is None:
            return None, None
        followed_ok = (
            not lines[i + 1].strip()
            or bool(_line_date(nxt))
            or len(nxt) >= len(s)
            or nxt.endswith(_TERMINAL)
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
    hits = _find_dates(line[:300])
    if not hits or hits[0].iso != iso:
        return None
    prefix = _inline_clean(line[: hits[0].start])
    if not _title_like(prefix) or len(prefix.split()) < 4 or _SENTENCE_END_RE.search(prefix):
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
        if " ".join(_inline_clean(s).casefold().split()) == key:
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
    candidates += [(m.start(), m.group("url")) for m in _MD_IMAGE_RE.finditer(text)]
    candidates += [
        (m.start(), m.group())
        for m in _BARE_URL_RE.finditer(text)
        if _IMAGE_EXT_RE.search(m.group())
    ]
    candidates += [(m.start(), m.group("url")) for m in _URL_LINE_RE.finditer(text)]
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
    norm = _normalise(text)
    if not norm.strip():
        return Rejection(file, "text contains only whitespace")
    lines = norm.split("\n")
    meta = dict(metadata or {})

    src_idx, src_domain, src_url = _source_line(lines)
    url_s = _clean_str(url) or src_url
    source_s = _clean_str(source) or src_domain or _domain(url_s)
    start = 0 if src_idx is None else src_idx + 1

    title_s = _clean_str(title)
    if title_s:
        title_idx = _find_line(lines, start, title_s)
    else:
        title_idx, title_s = _detect_title(lines, start)

    # Date: an explicit field wins (a user or a feed said so), then the text, then URLs.
    found: tuple[str, str] | None = None
    date_source = "none"
    if published is not None and str(published).strip():
        found = parse_date(str(published))
        if found:
            date_source = "metadata"
        else:
            meta.setdefault("date_unparsed", str(published))
    if not found:
        scan = [_BARE_URL_RE.sub(" ", _inline_clean(ln)) for ln in lines]
        found = _text_date(scan, title_idx)
        date_source = "text" if found else "none"
    if not found:
        found = _url_date_in_text(norm)
        date_source = "url" if found else "none"
    if not found and url_s:
        found = date_from_url(url_s)
        date_source = "metadata" if found else "none"
    iso, precision = found if found else (None, None)

    if title_s is None and iso and date_source == "text":
        run_on = _run_on_title(lines, start, iso)
        if run_on:
            lines = lines.copy()
            lines[run_on[0]] = run_on[2]
            title_s = run_on[1]

    drop = {i for i in (src_idx, title_idx) if i is not None}
    body_with_dates = unwrap_lines("\n".join(_clean_lines(lines, drop)))
    body = _collapse_blank(
        "\n".join(ln for ln in body_with_dates.split("\n") if not _line_date(ln))
    )
    if not body:
        return Rejection(file, "no article text left after removing title, date and boilerplate")

    blocks = _digest_blocks(body_with_dates)
    if blocks is not None:
        items = tuple(
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
    else:
        items = (ArticleItem(0, body, title_s, iso, precision, date_source),)

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
        items=items,
        metadata=meta,
    )


def _collapse_blank(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --------------------------------------------------------------------------------------------
# Bytes to text
# --------------------------------------------------------------------------------------------

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1f\x8b", "GZIP archive"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings accepted from detection (Python codec names).
_CJK_ENCODINGS = frozenset(
    {"cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004",
     "iso2022_jp", "cp949", "euc_kr", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950"}
)  # fmt: skip
_ACCEPTED_SINGLE_BYTE = frozenset({"cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2"})
_MAX_CHAOS = 0.1
_MIN_PRINTABLE = 0.95
_UNDECODABLE = "not valid text in any supported encoding"


def _printable_ratio(text: str) -> float:
    sample = text[:100_000]
    if not sample:
        return 1.0
    ok = sum(1 for ch in sample if ch.isprintable() or ch in "\n\r\t\f\v")
    return ok / len(sample)


def _codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name


def _detect(data: bytes) -> str | None:
    """Decode with charset_normalizer's best guess, only if confident and from a known family."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # noqa: BLE001 - detection is best effort; failure means "reject"
        return None
    if best is None or best.chaos > _MAX_CHAOS:
        return None
    enc = _codec_name(best.encoding)
    if enc in _CJK_ENCODINGS:
        tries = [enc]
    else:
        # Western text is overwhelmingly cp1252; on short texts detectors often name a
        # sibling code page (cp1250, cp775), so cp1252 is tried first.
        tries = ["cp1252"] + ([enc] if enc in _ACCEPTED_SINGLE_BYTE else [])
    for candidate in tries:
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if _printable_ratio(text) >= 0.97:
            return text
    return None


def _decode(data: bytes) -> tuple[str | None, str | None]:
    """(text, None) or (None, reason)."""
    if not data:
        return None, "empty file"
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                return None, f"{_UNDECODABLE} (broken {enc.upper().replace('-SIG', '')} text)"
            return _check_text(text)
    for magic, label in _MAGIC:
        if data.startswith(magic):
            return None, f"binary file ({label})"
    if b"RIFF" == data[:4] and data[8:12] == b"WEBP":
        return None, "binary file (WebP image)"
    if b"\x00" in data:
        return None, "binary file (contains NUL bytes)"
    try:
        return _check_text(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        err = exc
    head = data[: err.start]
    if err.reason == "unexpected end of data" and (
        len(data) - err.start >= 2 or any(b >= 0x80 for b in head)
    ):
        return None, f"{_UNDECODABLE} (UTF-8 text cut off in the middle of a character)"
    replaced = data.decode("utf-8", "replace")
    bad = replaced.count("\ufffd")
    good = sum(1 for ch in replaced if ord(ch) > 127 and ch != "\ufffd")
    if good >= bad:
        # Real UTF-8 multi-byte characters next to broken ones: a damaged UTF-8 file.
        return None, f"{_UNDECODABLE} (invalid UTF-8 byte at position {err.start})"
    text = _detect(data)
    if text is None:
        return None, _UNDECODABLE
    return _check_text(text)


def _check_text(text: str) -> tuple[str | None, str | None]:
    if not text.strip():
        return None, "file contains only whitespace"
    if _printable_ratio(text) < _MIN_PRINTABLE:
        return None, "binary file (mostly non-printable characters)"
    return text, None


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_TAG_RE = re.compile(r"</?[A-Za-z][^<>]{0,2000}>|<![A-Za-z][^<>]{0,2000}>")
# A "<" that does not open a complete tag before the next "<" is text, not markup.
_LONE_LT_RE = re.compile(r"<(?![A-Za-z/!?][^<>]*>)")


def _strip_comments(html: str) -> str:
    """Remove <!-- --> comments in one linear pass; an unclosed comment runs to the end."""
    parts: list[str] = []
    i = 0
    while True:
        j = html.find("<!--", i)
        if j < 0:
            parts.append(html[i:])
            break
        parts.append(html[i:j])
        k = html.find("-->", j + 4)
        if k < 0:
            break
        parts.append(" ")
        i = k + 3
    return "".join(parts)


def _defuse_html(html: str) -> str:
    """Comments out, stray "<" escaped: HTMLParser rescans unfinished constructs quadratically."""
    return _LONE_LT_RE.sub("&lt;", _strip_comments(html))


_HTML_HINT_RE = re.compile(r"<(?:html|body|p|div|br|article|span|h[1-6]|a\s)[\s>/]", re.I)


class _TextDump(HTMLParser):
    """Fallback HTML to text: keeps visible text, drops scripts, styles, frames and nav."""

    SKIP = frozenset(
        {"script", "style", "iframe", "noscript", "template", "svg", "nav", "footer", "aside",
         "form", "button", "select", "object", "embed", "canvas", "head", "math"}
    )  # fmt: skip
    BLOCK = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
         "header", "blockquote", "pre", "ul", "ol", "table", "dd", "dt", "figcaption", "hr",
         "main", "title"}
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.skip_depth = 0
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self.SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        elif self.skip_depth == 0:
            self.parts.append(data)


def _fallback_html(html: str) -> tuple[str, str | None]:
    parser = _TextDump()
    try:
        parser.feed(_defuse_html(html))
        parser.close()
    except Exception:  # noqa: BLE001 - malformed markup: keep what was parsed so far
        pass
    raw = "".join(parser.parts)
    lines = [" ".join(ln.split()) for ln in raw.split("\n")]
    text = _collapse_blank("\n\n".join(ln for ln in lines if ln))
    return text, _clean_str("".join(parser.title_parts))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (feed summaries): tags, scripts and styles dropped."""
    return _fallback_html(html)[0]


def _html_extract(html: str) -> tuple[str, dict[str, str]]:
    """(main text, metadata with title/date/url/author/sitename/description)."""
    text = ""
    meta: dict[str, str] = {}
    try:
        import trafilatura

        raw = trafilatura.extract(
            html,
            output_format="json",
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            # Only declared dates (meta tags, structured data), no guessing from the page text.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        if raw:
            data = json.loads(raw)
            text = data.get("text") or ""
            for key, out in (
                ("title", "title"), ("date", "date"), ("source", "url"), ("author", "author"),
                ("sitename", "sitename"), ("source-hostname", "sitename"),
                ("description", "description"), ("excerpt", "description"),
            ):  # fmt: skip
                value = _clean_str(data.get(key))
                if value and out not in meta:
                    meta[out] = value
    except Exception:  # noqa: BLE001 - trafilatura can choke on odd markup; fall back below
        text = ""
    if not text.strip():
        text, fallback_title = _fallback_html(html)
        if fallback_title and "title" not in meta:
            meta["title"] = fallback_title
    # Belt and braces: no markup may reach Article.text, even escaped markup shown as text.
    text = _collapse_blank(_TAG_RE.sub(" ", _strip_comments(text)))
    return text, {k: _TAG_RE.sub(" ", v).strip() for k, v in meta.items()}


def _html_article(
    html: str,
    file: str,
    *,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    published: str | None = None,
    metadata: dict | None = None,
) -> Article | Rejection:
    """Article from HTML; fields given by a record win over the page's own metadata."""
    text, meta = _html_extract(html)
    if not text.strip():
        return Rejection(file, "no article text found in the HTML")
    extra = {k: meta[k] for k in ("author", "sitename", "description") if k in meta}
    url = url or meta.get("url")
    return parse_text_article(
        text,
        file=file,
        title=title or meta.get("title"),
        source=source or (None if url else meta.get("sitename")),
        url=url,
        published=published or meta.get("date"),
        metadata={**extra, **(metadata or {})},
    )


def _charset_from_meta(data: bytes) -> str | None:
    m = re.search(rb"<meta[^>]{0,200}charset=[\"']?([A-Za-z0-9_.:-]{1,40})", data[:4096], re.I)
    return _codec_name(m.group(1).decode("ascii")) if m else None


def _decode_html(data: bytes) -> tuple[str | None, str | None]:
    declared = _charset_from_meta(data)
    if declared and declared not in ("utf-8", "utf_8") and not data.startswith(codecs.BOM_UTF8):
        for magic, label in _MAGIC:
            if data.startswith(magic):
                return None, f"binary file ({label})"
        try:
            return _check_text(data.decode(declared))
        except (UnicodeDecodeError, LookupError):
            pass
    return _decode(data)


# --------------------------------------------------------------------------------------------
# Records: JSON, JSONL, CSV
# --------------------------------------------------------------------------------------------


def _pick(keys: dict[str, str], wanted: tuple[str, ...], rec: dict, used: set[str]) -> object:
    """First non-empty value among `wanted` keys (case-insensitive); marks the key used."""
    for name in wanted:
        original = keys.get(name)
        if original is None:
            continue
        value = rec[original]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        used.add(original)
        return value
    return None


def _record_article(rec: dict, file: str) -> Article | Rejection:
    keys: dict[str, str] = {}
    for k in rec:
        if isinstance(k, str):
            keys.setdefault(k.strip().lower(), k)
    if not any(k in keys for k in TEXT_KEYS):
        return Rejection(file, f"record has no text field ({_NO_TEXT_FIELD})")
    used: set[str] = set()
    text = _pick(keys, TEXT_KEYS, rec, used)
    if text is None:
        return Rejection(file, "empty text")
    if isinstance(text, list) and all(isinstance(p, str) for p in text):
        text = "\n\n".join(text)  # a list of paragraphs
    if not isinstance(text, str):
        return Rejection(file, f"text field is not a string (got {type(text).__name__})")
    title = _pick(keys, TITLE_KEYS, rec, used)
    published = _pick(keys, DATE_KEYS, rec, used)
    source = _pick(keys, SOURCE_KEYS, rec, used)
    url = _pick(keys, URL_KEYS, rec, used)
    metadata = {k: v for k, v in rec.items() if k not in used}
    fields: dict[str, str | None] = {
        "title": _clean_str(title) if isinstance(title, str | int | float) else None,
        "published": _clean_str(published) if isinstance(published, str | int) else None,
        "source": _clean_str(source) if isinstance(source, str) else None,
        "url": _clean_str(url) if isinstance(url, str) else None,
    }
    if _HTML_HINT_RE.search(text[:5000]):
        return _html_article(text, file, metadata=metadata, **fields)
    return parse_text_article(text, file=file, metadata=metadata, **fields)


def _json_records(obj: object) -> list[object] | str:
    """The records of a JSON document, or a reason why there are none."""
    if isinstance(obj, list):
        return obj if obj else "JSON list is empty"
    if isinstance(obj, dict):
        lower = {k.lower(): k for k in obj if isinstance(k, str)}
        if any(k in lower for k in TEXT_KEYS):
            return [obj]
        for key in WRAPPER_KEYS:
            if key in lower and isinstance(obj[lower[key]], list):
                return obj[lower[key]] or "JSON list is empty"
        return f"JSON object has no text field ({_NO_TEXT_FIELD}) and no articles list"
    return "JSON must be an object or a list of objects"


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "malformed JSON: nested too deeply"
    return f"malformed JSON: {exc}"


def _read_json(text: str, name: str) -> list[Article | Rejection]:
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return [Rejection(name, _json_error(exc))]
    records = _json_records(obj)
    if isinstance(records, str):
        return [Rejection(name, records)]
    single = isinstance(obj, dict) and records and records[0] is obj
    out: list[Article | Rejection] = []
    for n, rec in enumerate(records, 1):
        file = name if single else f"{name}:{n}"
        if not isinstance(rec, dict):
            out.append(Rejection(file, f"record {n} is not a JSON object"))
        else:
            out.append(_record_article(rec, file))
    return out


def _read_jsonl(text: str, name: str) -> list[Article | Rejection]:
    out: list[Article | Rejection] = []
    # Split on "\n" only: JSON strings may legally hold U+2028, which splitlines() breaks on.
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        file = f"{name}:{lineno}"
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError) as exc:
            reason = _json_error(exc)
            if isinstance(exc, json.JSONDecodeError):
                reason = f"malformed JSON: {exc.msg} at column {exc.colno}"
            out.append(Rejection(file, f"JSONL line {lineno}: {reason}"))
            continue
        if not isinstance(rec, dict):
            out.append(Rejection(file, f"JSONL line {lineno}: not a JSON object"))
            continue
        out.append(_record_article(rec, file))
    return out or [Rejection(name, "file contains only whitespace")]


def _csv_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    if "," in header:
        return ","
    counts = {d: header.count(d) for d in ("\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(text: str, name: str, max_bytes: int) -> list[Article | Rejection]:
    # Article bodies easily exceed csv's default 128 KiB field limit.
    if csv.field_size_limit() < max_bytes:
        csv.field_size_limit(min(max_bytes, 2**31 - 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_csv_delimiter(text))
    out: list[Article | Rejection] = []
    header: list[str] | None = None
    last_line = 0
    try:
        for row in reader:
            start_line, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().lstrip("\ufeff") for cell in row]
                lower = {h.lower() for h in header}
                if not any(k in lower for k in TEXT_KEYS):
                    return [Rejection(name, f"CSV has no text column ({_NO_TEXT_FIELD})")]
                continue
            rec: dict[str, object] = {}
            for col, cell in zip(header, row, strict=False):
                if col and col not in rec:
                    rec[col] = cell if cell.strip() else None
            if len(row) > len(header):
                extra = [c for c in row[len(header) :] if c.strip()]
                if extra:
                    rec["extra_cells"] = extra
            rec = {k: v for k, v in rec.items() if v is not None or k.lower() in TEXT_KEYS}
            out.append(_record_article(rec, f"{name}:{start_line}"))
    except csv.Error as exc:
        out.append(Rejection(name, f"malformed CSV at line {reader.line_num}: {exc}"))
    if header is None:
        return [Rejection(name, "CSV has no header row")]
    return out or [Rejection(name, "CSV has a header but no rows")]


# --------------------------------------------------------------------------------------------
# Files and folders
# --------------------------------------------------------------------------------------------


def _size_text(n: int) -> str:
    return f"{n / 1e6:.1f}"


def read_file(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    name: str | None = None,
) -> list[Article | Rejection]:
    """Articles (or Rejections) from one file; `name` is what Article.file and Rejection show."""
    try:
        p = Path(path)
    except TypeError:
        return [Rejection(str(path), "not a file path")]
    display = name or p.name or str(path)
    try:
        if not p.exists():
            return [Rejection(display, "no such file or folder")]
        if p.is_dir():
            return [Rejection(display, "is a folder, not a file")]
        if not p.is_file():
            return [Rejection(display, "not a regular file")]
        ext = p.suffix.lower()
        if ext not in SUPPORTED_EXTENSIONS:
            kind = ext if ext else "(no extension)"
            return [Rejection(display, f"unsupported file type {kind}")]
        size = p.stat().st_size
        if size > max_bytes:
            return [Rejection(display, _too_big(size, max_bytes))]
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat()
    except (OSError, ValueError) as exc:
        return [Rejection(display, f"cannot read file: {getattr(exc, 'strerror', None) or exc}")]
    if len(data) > max_bytes:
        return [Rejection(display, _too_big(len(data), max_bytes))]
    try:
        return _read_bytes(data, display, ext, max_bytes)
    except Exception as exc:  # noqa: BLE001 - never let one file stop a corpus run
        return [Rejection(display, f"could not read file ({type(exc).__name__})")]


def _too_big(size: int, max_bytes: int) -> str:
    return f"file is {_size_text(size)} MB, over the {max_bytes / 1e6:g} MB limit"


def _read_bytes(data: bytes, name: str, ext: str, max_bytes: int) -> list[Article | Rejection]:
    if ext in HTML_EXTENSIONS:
        text, reason = _decode_html(data)
    else:
        text, reason = _decode(data)
    if text is None:
        return [Rejection(name, reason or _UNDECODABLE)]
    if ext in TEXT_EXTENSIONS:
        return [parse_text_article(text, file=name)]
    if ext in HTML_EXTENSIONS:
        return [_html_article(text, name)]
    if ext == ".json":
        return _read_json(text, name)
    if ext == ".jsonl":
        return _read_jsonl(text, name)
    return _read_csv(text, name, max_bytes)


# Files that systems and tools leave in folders, skipped without a word.
_HOUSEKEEPING = frozenset({".ds_store", ".gitkeep", ".gitignore", ".keep", ".localized"})


def _is_housekeeping(name: str) -> bool:
    lowered = name.lower()
    return lowered in _HOUSEKEEPING or lowered.startswith("._")  # "._x": macOS resource forks


def _walk(root: Path) -> tuple[list[tuple[str, Path]], list[Rejection]]:
    """Visible files under `root` as (relative posix name, path), sorted; plus folder errors."""
    files: list[tuple[str, Path]] = []
    errors: list[Rejection] = []

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        try:
            rel = where.relative_to(root).as_posix()
        except ValueError:
            rel = str(where)
        errors.append(Rejection(rel or root.name, f"cannot read folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))  # hidden dirs skipped
        for fname in filenames:
            full = Path(dirpath, fname)
            if fname.startswith("."):
                # Housekeeping files go unmentioned; any other hidden file gets a reason,
                # so a file such as "..report.txt" is never skipped without a word.
                if not _is_housekeeping(fname):
                    errors.append(
                        Rejection(
                            full.relative_to(root).as_posix(),
                            "hidden file (its name starts with a dot): rename it to ingest it",
                        )
                    )
                continue
            files.append((full.relative_to(root).as_posix(), full))
    files.sort(key=lambda f: f[0].split("/"))
    return files, errors


def read_corpus(
    paths: Iterable[str | os.PathLike[str]],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Article | Rejection]:
    """Articles from files and folders (recursive, sorted; hidden folders and housekeeping
    files such as .DS_Store skipped, other hidden files rejected with a reason).

    Never raises on bad input: each unreadable file, record or missing path is a Rejection.
    """
    if isinstance(paths, str | bytes | os.PathLike):
        paths = [paths]  # type: ignore[list-item]  # one path, not an iterable of characters
    for raw in paths:
        try:
            p = Path(raw)
            is_dir, exists = p.is_dir(), p.exists()
        except (TypeError, ValueError, OSError) as exc:
            yield Rejection(str(raw), f"not a usable path ({type(exc).__name__})")
            continue
        if is_dir:
            files, errors = _walk(p)
            yield from errors
            if not files and not errors:
                yield Rejection(str(raw), "folder contains no files")
            for rel, full in files:
                yield from read_file(full, max_bytes=max_bytes, name=rel)
        elif exists:
            yield from read_file(p, max_bytes=max_bytes, name=p.name)
        else:
            yield Rejection(str(raw), "no such file or folder")
