"""Dates in free text and in URLs: ``parse_date`` and ``date_from_url``."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
MONTH_PATTERN = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR_MIN, _YEAR_MAX = 1900, 2100

# Each pattern yields a candidate; the earliest (then longest) candidate wins, see find_dates.
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx, re.IGNORECASE))
    for kind, rx in (
        # 2025-12-19, 2025/12/19, 2025.12.19, 2025-12-19T10:00Z
        ("ymd", r"(?<![\d.])(?P<y>\d{4})([-/.])(?P<m>\d{1,2})\2(?P<d>\d{1,2})(?!\d)"),
        # 5-MAR-1987 (Reuters)
        ("dmy", r"(?<!\d)(?P<d>\d{1,2})-" + MONTH_PATTERN + r"-(?P<y>\d{4})(?!\d)"),
        # Dec.19 2025, Dec. 19, 2025, December 19th, 2025; also glued to a site name in
        # scraped headers ("pharmatimesOctober 25, 2017": a lower-to-upper case change)
        (
            "mdy",
            r"(?:\b|(?<=(?-i:[a-z]))(?=(?-i:[A-Z])))"
            + MONTH_PATTERN
            + r"(?:\.\s*|\s+)(?P<d>\d{1,2})"
            r"(?:st|nd|rd|th)?(?:,\s*|\s+)(?P<y>\d{4})(?!\d)",
        ),
        # 19 December 2025, 19 Dec. 2025, 1st of May 2025
        (
            "dmy",
            r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
            + MONTH_PATTERN
            + r"\.?,?\s+(?P<y>\d{4})(?!\d)",
        ),
        # 19/12/2025 or 12/19/2025: only when the day is unambiguous (> 12)
        ("num", r"(?<![\d./-])(?P<a>\d{1,2})([/.])(?P<b>\d{1,2})\2(?P<y>\d{4})(?!\d)"),
        # April 2025, Apr. 2025
        ("my", r"\b" + MONTH_PATTERN + r"\.?,?\s+(?P<y>\d{4})(?!\d)"),
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
FOUR_DIGITS_RE = re.compile(r"(?<!\d)\d{4}(?!\d)")


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    iso: str
    precision: str


def month_number(name: str) -> int:
    return _MONTHS[name[:3].lower()]


def make_date(y: int, m: int, d: int | None) -> tuple[str, str] | None:
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
            return make_date(y, b, a)
        if b > 12 >= a or a == b:
            return make_date(y, a, b)
        if m.group(2) == ".":
            return make_date(y, b, a)  # 04.03.2025: dotted dates are day first (Europe)
        return None  # 03/04/2025: day and month cannot be told apart, so no date
    month = int(g["m"]) if g.get("m") else month_number(g["mon"])
    day = int(g["d"]) if g.get("d") else None
    return make_date(y, month, day)


# Every date form has a four-digit year; the patterns only scan this far around one.
_BEFORE_YEAR, _AFTER_YEAR = 40, 20


def _year_windows(text: str) -> list[tuple[int, int]]:
    """Merged (start, end) spans around each four-digit number, where any date must lie.

    Scanning these instead of the whole text keeps long texts cheap. The end never falls
    inside a run of digits or date separators, so no match is cut short there.
    """
    windows: list[tuple[int, int]] = []
    n = len(text)
    for m in FOUR_DIGITS_RE.finditer(text):
        lo, hi = max(0, m.start() - _BEFORE_YEAR), min(n, m.end() + _AFTER_YEAR)
        while hi < n and (text[hi].isdigit() or text[hi] in "-./"):
            hi += 1
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    return windows


def find_dates(text: str) -> list[DateHit]:
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
    hits: list[DateHit] = []
    claimed_to = -1
    for start, _neg_len, kind, m in found:
        if start < claimed_to:
            continue
        claimed_to = m.end()
        resolved = _resolve(kind, m)
        if resolved is None and kind == "num" and _US_CLOCK_AFTER_RE.match(text, m.end()):
            resolved = make_date(int(m.group("y")), int(m.group("a")), int(m.group("b")))
        if resolved:
            hits.append(DateHit(start, m.end(), resolved[0], resolved[1]))
    return hits


def parse_date(text: str) -> tuple[str, str] | None:
    """First valid date in `text` as (ISO string, precision day|month|year), else None.

    A bare year is accepted only when it is the whole string (a metadata field), since any
    four-digit number in prose would otherwise become a year.
    """
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFKC", text)
    hits = find_dates(text)
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
            found = make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if found:
                return found
    for m in _URL_YM_RE.finditer(path):
        found = make_date(int(m.group(1)), int(m.group(2)), None)
        if found:
            return found
    return None
