"""Which line of a text states its publication date: datelines, header lines, stamps.

Only date-looking positions count, never running prose."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from atlas.corpus.clean import MARKUP_TAG_RE, TERMINAL, title_like
from atlas.corpus.dates import (
    FOUR_DIGITS_RE,
    MONTH_PATTERN,
    DateHit,
    find_dates,
    make_date,
    month_number,
)

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
    + MONTH_PATTERN
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
# A wire service's tag around a dateline, "[ wire ]", "(BUSINESS WIRE)", is not part of its
# place or of what follows the date. (The single corpus.py defined this pattern and a markup
# one under one name; the later markup one shadowed it, so bracketed tags were never blanked.)
_WIRE_TAG_RE = re.compile(r"\[[^\[\]\n]{0,40}\]|\([^()\n]{0,40}\)")
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


def line_date(line: str) -> tuple[DateHit, int] | None:
    """(date, priority) when `line` is a date line; None for prose that merely mentions a date.

    Priorities: 4 "Published:" lines; 3 a date with a clock time (a timestamp); 2 a line that
    is only a date, or a short byline starting with one; 1 "Updated" lines.
    """
    s = line.strip()
    # Every date form needs a four-digit year; the cheap test spares most lines the regexes.
    if not s or len(s) > 160 or not FOUR_DIGITS_RE.search(s):
        return None
    return _line_date_cached(s)


@lru_cache(maxsize=8192)
def _line_date_cached(s: str) -> tuple[DateHit, int] | None:
    # Cached: the same short line is examined by the date, title, unwrap and digest passes.
    hits = find_dates(s)
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


def _without(s: str, hits: list[DateHit]) -> str:
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
    p = _WIRE_TAG_RE.sub(" ", MARKUP_TAG_RE.sub(" ", prefix))
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
def _shaped_line_date(s: str, in_header: bool) -> tuple[DateHit, int] | None:
    """(date, priority) for datelines and header lines that `line_date` leaves alone.

    3: a dateline opening a line, "Tel Aviv, Israel - May 5, 2025 - Acme said..." (anywhere in
    the first `_DATELINE_ZONE` characters), or a line ending in one, "Melbourne, Australia,
    30 March 1998" (in the header zone; 2 further down). In the header zone only, 2: a heading
    ending in a date after a separator, "Deal Review: December 10, 2012", and issue lines,
    "No. 351, December 1998".
    """
    hits = find_dates(s[:220])
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
    if not _is_filler(_WIRE_TAG_RE.sub(" ", MARKUP_TAG_RE.sub(" ", after))):
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
    kind: str  # "line" (a `line_date` line), "shaped", "zone", "reuters", "wire"


def _date_candidates(lines: list[str]) -> list[_DateCand]:
    """Every place in `lines` that states a publication date, with its priority."""
    joined = "\n".join(lines)
    zone = joined[:_HEADER_ZONE]
    return [
        *_line_candidates(lines),
        *_zone_candidates(joined, zone),
        *_reuters_candidate(lines, zone),
        *_wire_candidate(zone),
    ]


def _line_candidates(lines: list[str]) -> list[_DateCand]:
    """Lines stating a date: date-only lines anywhere, shaped ones near the top."""
    cands: list[_DateCand] = []
    pos = 0
    first_content = True
    for i, line in enumerate(lines):
        found = line_date(line)
        s = line.strip()
        if found:
            hit, prio = found
            if _after_signature(lines, i):
                prio = 0
            cands.append(_DateCand(prio, pos, hit.iso, hit.precision, i, "line"))
        elif pos < _DATELINE_ZONE and s and s[0].isalpha() and FOUR_DIGITS_RE.search(s[:220]):
            shaped = _shaped_line_date(s[:220], pos < _HEADER_ZONE)
            if shaped is None and first_content:
                shaped = _opening_date(s)
            if shaped:
                hit, prio = shaped
                cands.append(_DateCand(prio, pos, hit.iso, hit.precision, i, "shaped"))
        first_content = first_content and not s
        pos += len(line) + 1
    return cands


def _zone_candidates(joined: str, zone: str) -> list[_DateCand]:
    """Day dates in the header zone followed by a clock time or a dateline's dash, unless
    labelled as an update."""
    cands = []
    for hit in find_dates(zone):
        after = joined[hit.end : hit.end + 60]
        before = zone[max(0, hit.start - 25) : hit.start].rpartition("\n")[2]
        if (
            hit.precision == "day"
            and (_TIME_AFTER_RE.match(after) or _DATELINE_AFTER_RE.match(after))
            and not _UPDATE_LABEL_RE.search(before)
        ):
            line_no = zone.count("\n", 0, hit.start)
            cands.append(_DateCand(3, hit.start, hit.iso, hit.precision, line_no, "zone"))
    return cands


def _reuters_candidate(lines: list[str], zone: str) -> list[_DateCand]:
    """A year-less Reuters dateline, its year taken from the header line."""
    first_line = next((ln for ln in lines if ln.strip()), "")
    header_year = _YEAR_IN_HEADER_RE.search(first_line)
    m = _YEARLESS_DATELINE_RE.search(zone) if header_year else None
    if not header_year or not m:
        return []
    found = make_date(int(header_year.group(1)), month_number(m.group("mon")), int(m.group("d")))
    return [_DateCand(3, m.start(), *found, None, "reuters")] if found else []


def _wire_candidate(zone: str) -> list[_DateCand]:
    """A Marketwire numeric date (month first, two-digit year)."""
    m = _WIRE_NUMERIC_RE.search(zone)
    if not m:
        return []
    yy = int(m.group("y"))
    found = make_date(yy + (2000 if yy < 70 else 1900), int(m.group("m")), int(m.group("d")))
    return [_DateCand(3, m.start(), *found, None, "wire")] if found else []


# What may follow a date that opens a text run into its body: a capitalised word or a
# separator, not the comma or lower-case word of a sentence ("March 25, 2025, Acme signed").
_OPENING_AFTER_RE = re.compile(r"[ \t]+(?:[A-Z\u00c0-\u00de]|[|\u2022\u00b7/])")


def _opening_date(s: str) -> tuple[DateHit, int] | None:
    """A date that opens the text, run into what follows ("Feb. 26, 2018 Licensing Acme
    Pharma has...": a scraped header glued to the body). Only a weekday may precede it."""
    hits = find_dates(s[:60])
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
    dated = sorted(
        {c.line for c in cands if c.kind == "line" and c.priority in (2, 3) and c.line is not None}
    )

    def pair_step(i: int, step: int) -> int | None:
        """The dated line two content lines away with a headline between, else None."""
        h = _next_content(lines, i, step)
        j = _next_content(lines, h, step) if h is not None else None
        return j if j in dated and _headline_at(lines, h) else None

    def para_after(i: int) -> bool:
        nxt = _next_content(lines, i, 1)
        para = lines[nxt].strip() if nxt is not None else ""
        return len(para) >= 80 or para.endswith(TERMINAL)

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
        hit = find_dates(s)[0]
        names_source = not _is_filler(s[: hit.start] + " " + s[hit.end :])
        if not (_headline_at(lines, prev) or names_source):
            return listed
        items.append(i)
    return listed | set(items) if len(items) >= 2 else listed


def _headline_at(lines: list[str], i: int | None) -> bool:
    if i is None:
        return False
    s = lines[i].strip()
    return title_like(s) and not s.endswith(TERMINAL) and not line_date(s)


def text_date(lines: list[str], title: int | None = None) -> tuple[str, str] | None:
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
