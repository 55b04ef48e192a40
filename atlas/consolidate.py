"""One record per agreement: mentions of the same deal in different articles become one.

Extraction finds deals mention by mention: one row per sentence (or digest item) that
states a deal. The same agreement reported by a dozen outlets, or recalled as history
("Before this collaboration, X had formed a joint venture with Y"), is a dozen rows.
``consolidate`` groups them into deals, each with the list of its sources. The rules
are general (nothing here knows an organisation or an article):

- **Candidates**: only mentions with the same set of parties (as the user sees them,
  merges and renames applied, case-folded) can be one deal.
- **Compatible type**: the same type, or one's type among the other's ``also_types``,
  or one of them "other". A licence and a later acquisition stay two deals.
- **Assets**: when both name assets (drugs, products, platforms) and none of one's
  names overlaps the other's (case-folded; one containing the other counts as an
  overlap), they are different deals.
- **Dates that fit.** Mentions are taken oldest first. A dated mention joins the deal
  whose first announcement is at most ``WAVE_DAYS`` (120) days from it: the reports of
  one news wave. A mention reporting the deal ``completed`` or ``terminated`` may come
  later, up to ``FOLLOW_UP_DAYS`` (about two years) after the announcement, and then
  sets the deal's status. Two dated agreements further apart stay two. A date known to
  the month or year spans it; when a more precise date of the same deal arrives, the
  deal's anchor narrows to it (so a vague "in 2023" does not glue a whole year's deals).
- **Undated mentions** (a background mention the text does not date: "had formed a
  joint venture") join the latest fitting deal dated before their article's date (any
  fitting deal when the article is undated too), else another undated one, else they
  are a deal of their own. They never change a deal's date. A background mention that
  carries a date not read from its own text (the article's date, from older
  extractions) counts as undated: that date is when it was written about, not made.
- **The user decides last.** ``links`` are the user's ``merge_deals`` (these mentions
  are one deal) and ``split_deal`` (this mention is a deal of its own) corrections in the
  order they were made: a split mention takes part in no automatic grouping, and a
  later correction overrides an earlier one on the same mention. A merge only joins
  deals of the same parties (the correction is refused otherwise when made).
- Deals added by hand (``status`` "manual") are never grouped.

The consolidated deal: its date is the earliest dated announcement (a main mention,
or a background mention its text dated), to the most precise date inside that span;
``type`` the earliest main mention's (other types of its sources go to
``also_types``); parties and countries from its sources; therapeutic areas and assets
unioned; ``terms`` per term the first stated, earliest source first (``value_usd`` and
``upfront_usd`` likewise); ``deal_status`` the latest reported (a later completion or
termination moves it); ``role`` "main" if any source is; ``confidence`` the highest;
``status`` (the corrections' machine/confirmed/corrected) the strongest. Evidence,
article columns, ``deal_id`` and ``deal_key`` are the representative's: the earliest
main mention (stable across re-consolidation while that mention exists).

Added columns: ``deal_keys`` (every source's mention key), ``sources`` (one dict per
source, earliest first), ``n_sources``, and ``before_date``: for a deal known only
from undated mentions, the earliest of their articles' dates ("before Apr 2025");
None for a dated deal.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pandas as pd

from atlas.models import DEAL_TYPES

WAVE_DAYS = 120  # reports of one announcement: at most this far from its first report
FOLLOW_UP_DAYS = 730  # a completion or termination: up to about two years later
ADDED_COLUMNS = ("deal_keys", "sources", "n_sources", "before_date")
LINK_ACTIONS = ("merge", "split")

_STATUS_STRENGTH = {"machine": 0, "confirmed": 1, "corrected": 2, "manual": 3}
_TYPE_ORDER = {t: i for i, t in enumerate(DEAL_TYPES)}
_NEVER = 10**9  # an order past every real date (date ordinals stay below 4e6)


@lru_cache(maxsize=65536)
def _span(value: object) -> tuple[int, int] | None:
    """First and last day (ordinals) a partial ISO date covers; None when undated."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parts = [int(p) for p in value.split("-")[:3]]
        year = parts[0]
        if len(parts) == 1:
            return date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        month = parts[1]
        if len(parts) == 2:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1).toordinal(), date(year, month, last).toordinal()
        day = date(year, month, parts[2]).toordinal()
        return day, day
    except (ValueError, IndexError):
        return None


def party_key(parties: Iterable[str]) -> str:
    """Who a deal is between, as consolidation compares it: the set of names, case-folded."""
    return "\x1f".join(sorted({str(p).casefold() for p in parties or ()}))


def _assets_overlap(ours: Sequence[str], theirs: Sequence[str]) -> bool:
    return any(a in b or b in a for a in ours for b in theirs)


@dataclass
class _Mention:
    """What grouping needs to know of one mention (one row of the input)."""

    position: int
    span: tuple[int, int] | None  # its own date, when it counts (see the module doc)
    bound: tuple[int, int] | None  # its article's date (an undated mention is before it)
    type: str
    also: frozenset[str]
    assets: tuple[str, ...]  # case-folded
    follow_up: bool  # reports a completion or termination


@dataclass
class _Deal:
    members: list[int] = field(default_factory=list)
    anchor: tuple[int, int] | None = None  # its first announcement's span
    types: set[str] = field(default_factory=set)  # specific types of its members
    also: set[str] = field(default_factory=set)
    assets: list[str] = field(default_factory=list)

    def add(self, mention: _Mention) -> None:
        self.members.append(mention.position)
        if mention.type != "other":
            self.types.add(mention.type)
        self.also |= mention.also
        self.assets.extend(a for a in mention.assets if a not in self.assets)
        span, anchor = mention.span, self.anchor
        if span is None:
            return
        if anchor is None:
            self.anchor = span  # its first report (a follow-up, when nothing else came first)
        elif not mention.follow_up and anchor[0] <= span[0] and span[1] <= anchor[1]:
            self.anchor = span  # a more precise date inside the same span

    def fits(self, mention: _Mention) -> bool:
        """Compatible type and assets (dates are the caller's)."""
        if mention.type != "other" and self.types:
            if not (
                mention.type in self.types or mention.type in self.also or self.types & mention.also
            ):
                return False
        return not (mention.assets and self.assets) or _assets_overlap(mention.assets, self.assets)


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Days between two spans (0 when they overlap)."""
    return max(0, a[0] - b[1], b[0] - a[1])


def _group(mentions: list[_Mention]) -> list[_Deal]:
    """The deals among ``mentions`` of one set of parties (rules in the module doc)."""
    deals: list[_Deal] = []
    dated = sorted(
        (m for m in mentions if m.span is not None),
        key=lambda m: (m.span[0], m.follow_up, m.position),
    )
    for mention in dated:
        best, best_gap = None, None
        for deal in deals:
            if deal.anchor is None or not deal.fits(mention):
                continue
            gap = _gap(mention.span, deal.anchor)
            later = mention.span[0] - deal.anchor[1]
            if not (
                gap <= WAVE_DAYS
                or (
                    mention.follow_up
                    and deal.anchor[0] <= mention.span[1]
                    and later <= FOLLOW_UP_DAYS
                )
            ):
                continue
            if best_gap is None or gap < best_gap:
                best, best_gap = deal, gap
        if best is None:
            best = _Deal()
            deals.append(best)
        best.add(mention)
    undated = sorted(
        (m for m in mentions if m.span is None),
        key=lambda m: (m.bound[0] if m.bound else _NEVER, m.position),
    )
    for mention in undated:
        before = [
            d
            for d in deals
            if d.anchor is not None
            and d.fits(mention)
            and (mention.bound is None or d.anchor[0] <= mention.bound[1])
        ]
        if before:
            max(before, key=lambda d: d.anchor[0]).add(mention)
            continue
        other = next((d for d in deals if d.anchor is None and d.fits(mention)), None)
        if other is None:
            other = _Deal()
            deals.append(other)
        other.add(mention)
    return deals


def _column(frame: pd.DataFrame, name: str, default=None) -> list:
    if name in frame.columns:
        return frame[name].tolist()
    return [default] * len(frame)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def consolidate(
    mentions: pd.DataFrame, *, links: Sequence[tuple[str, Sequence[str]]] = ()
) -> pd.DataFrame:
    """One row per agreement (rules in the module docstring): the input's columns
    plus ``deal_keys``, ``sources``, ``n_sources`` and ``before_date``.

    ``links``: the user's ``("merge", keys)`` and ``("split", [key])`` in the order
    they were made, keys being mention ``deal_key``s of ``mentions``."""
    columns = list(dict.fromkeys([*mentions.columns, *ADDED_COLUMNS]))
    if mentions.empty:
        return pd.DataFrame(columns=columns)
    frame = mentions.reset_index(drop=True)
    n = len(frame)
    keys = _column(frame, "deal_key", "")
    parties = frame["parties"].tolist()
    types = frame["type"].tolist()
    alsos = _column(frame, "also_types", ())
    dates = frame["deal_date"].tolist()
    date_sources = _column(frame, "date_source")
    roles = _column(frame, "role", "main")
    statuses = _column(frame, "deal_status", "agreed")
    assets = _column(frame, "assets", ())
    published = _column(frame, "article_published")
    manual = _column(frame, "status", "machine")

    # A background mention dated by anything but its own text is undated (module doc).
    own_dates = [
        d if _text(d) and (r != "background" or s in ("text", "manual")) else None
        for d, r, s in zip(dates, roles, date_sources, strict=True)
    ]
    spans = [_span(d) for d in own_dates]
    bounds = [_span(p) or _span(d) for p, d in zip(published, dates, strict=True)]
    follow_ups = [s in ("completed", "terminated") for s in statuses]

    split = {key for action, ks in links if action == "split" for key in ks}
    by_party: dict[str, list[int]] = {}
    alone: list[int] = []
    party_keys = [party_key(p) for p in parties]
    for position in range(n):
        if manual[position] == "manual" or keys[position] in split:
            alone.append(position)
        else:
            by_party.setdefault(party_keys[position], []).append(position)

    groups: list[list[int]] = [[p] for p in alone]
    for members in by_party.values():
        if len(members) == 1:
            groups.append(members)
            continue
        found = _group(
            [
                _Mention(
                    p,
                    spans[p],
                    bounds[p],
                    types[p],
                    frozenset(alsos[p] or ()),
                    tuple(dict.fromkeys(str(a).casefold() for a in assets[p] or ())),
                    follow_ups[p],
                )
                for p in members
            ]
        )
        groups.extend(d.members for d in found)
    groups = _apply_links(groups, links, keys, party_keys)

    # Earliest source first: by its own date, else by its article's, else last.
    order = [
        (s[0] if s else (b[0] if b else _NEVER), p)
        for p, (s, b) in enumerate(zip(spans, bounds, strict=True))
    ]
    for g in groups:
        g.sort(key=order.__getitem__)
    representatives = [next((p for p in g if roles[p] != "background"), g[0]) for g in groups]
    # Newest deals last, like the mentions came (the store orders them by id).
    ranked = sorted(range(len(groups)), key=lambda i: representatives[i])
    groups = [groups[i] for i in ranked]
    representatives = [representatives[i] for i in ranked]

    out = frame.iloc[representatives].reset_index(drop=True)
    sources = _sources(frame, keys, dates, roles, statuses, published)
    out["deal_keys"] = [[keys[p] for p in g] for g in groups]
    out["sources"] = [[sources[p] for p in g] for g in groups]
    out["n_sources"] = [len(g) for g in groups]

    merged = [i for i, g in enumerate(groups) if len(g) > 1]
    # Singletons keep their row; only the date rule applies (a background mention's
    # borrowed date goes).
    deal_dates = [own_dates[p] for p in representatives]
    precisions = _column(out, "date_precision")
    out_sources = _column(out, "date_source")
    for i, p in enumerate(representatives):
        if own_dates[p] is None and _text(dates[p]):
            precisions[i], out_sources[i] = None, "before-article"
    if merged:
        _aggregate(
            frame, out, groups, merged, spans, own_dates, deal_dates, precisions, out_sources
        )
    out["deal_date"] = deal_dates
    if "date_precision" in out.columns:
        out["date_precision"] = precisions
    if "date_source" in out.columns:
        out["date_source"] = out_sources
    out["before_date"] = [
        None
        if deal_dates[i] is not None
        else min(
            (published[p] for p in g if _text(published[p])),
            key=lambda v: _span(v) or (_NEVER, _NEVER),
            default=None,
        )
        for i, g in enumerate(groups)
    ]
    return out[columns]


def _apply_links(
    groups: list[list[int]],
    links: Sequence[tuple[str, Sequence[str]]],
    keys: list,
    party_keys: list[str],
) -> list[list[int]]:
    """The user's merges and splits, in the order they were made."""
    if not links:
        return groups
    where: dict[int, int] = {p: g for g, members in enumerate(groups) for p in members}
    positions: dict[str, list[int]] = {}
    for p, key in enumerate(keys):
        positions.setdefault(key, []).append(p)
    groups = [list(g) for g in groups]
    for action, link_keys in links:
        found = [p for key in link_keys for p in positions.get(key, ())]
        if not found:
            continue
        if action == "split":
            for p in found:
                if len(groups[where[p]]) > 1:
                    groups[where[p]].remove(p)
                    where[p] = len(groups)
                    groups.append([p])
        elif action == "merge":
            into = where[found[0]]
            for p in found[1:]:
                source = where[p]
                if source == into or party_keys[p] != party_keys[found[0]]:
                    continue
                for moved in groups[source]:
                    where[moved] = into
                groups[into].extend(groups[source])
                groups[source] = []
    return [g for g in groups if g]


def _sources(frame, keys, dates, roles, statuses, published) -> list[dict]:
    """One dict per mention: where it was said, when, and how."""
    columns = zip(
        _column(frame, "article_id"),
        _column(frame, "article_title"),
        _column(frame, "article_source"),
        published,
        dates,
        _column(frame, "evidence", ""),
        keys,
        roles,
        statuses,
        _column(frame, "type"),
        _column(frame, "date_source"),
        _column(frame, "article_file"),
        _column(frame, "item_index", 0),
        strict=True,
    )
    return [
        {
            "article_id": article_id,
            "article_title": title,
            "article_source": source,
            "article_published": when,
            "deal_date": deal_date,
            "evidence": evidence,
            "deal_key": key,
            "role": role,
            "deal_status": status,
            "type": deal_type,
            "date_source": date_source,
            "article_file": file,
            "item_index": item_index,
        }
        for (
            article_id,
            title,
            source,
            when,
            deal_date,
            evidence,
            key,
            role,
            status,
            deal_type,
            date_source,
            file,
            item_index,
        ) in columns
    ]


def _aggregate(
    frame: pd.DataFrame,
    out: pd.DataFrame,
    groups: list[list[int]],
    merged: list[int],
    spans: list,
    own_dates: list,
    deal_dates: list,
    precisions: list,
    out_sources: list,
) -> None:
    """Fill the consolidated values of the deals with several sources, in place."""
    roles = _column(frame, "role", "main")
    statuses = _column(frame, "deal_status", "agreed")
    types = frame["type"].tolist()
    alsos = _column(frame, "also_types", ())
    date_precisions = _column(frame, "date_precision")
    date_sources = _column(frame, "date_source")
    updates: dict[str, dict[int, object]] = {}

    def put(column: str, row: int, value: object) -> None:
        if column in out.columns:
            updates.setdefault(column, {})[row] = value

    lists = {
        name: _column(frame, name, ())
        for name in ("countries", "therapeutic_areas", "assets")
        if name in frame.columns
    }
    terms = _column(frame, "terms", None) if "terms" in frame.columns else None
    numbers = {
        name: _column(frame, name) for name in ("value_usd", "upfront_usd") if name in frame.columns
    }
    confidence = _column(frame, "confidence", 0.0)
    strength = _column(frame, "status", "machine")
    for row in merged:
        group = groups[row]  # earliest source first
        # The date: the earliest announcement, to the most precise date inside its span.
        dated = [p for p in group if spans[p] is not None]
        announced = [p for p in dated if statuses[p] not in ("completed", "terminated")] or dated
        if announced:
            first = min(announced, key=lambda p: spans[p][0])
            span = spans[first]
            inside = [p for p in announced if span[0] <= spans[p][0] and spans[p][1] <= span[1]]
            chosen = min(inside, key=lambda p: (spans[p][1] - spans[p][0], spans[p][0]))
            deal_dates[row] = own_dates[chosen]
            precisions[row] = date_precisions[chosen]
            out_sources[row] = date_sources[chosen]
        else:
            deal_dates[row] = None
            precisions[row] = None
            out_sources[row] = "before-article"
        # The type: the earliest main mention's (a specific one before "other").
        main = [p for p in group if roles[p] != "background"] or group
        deal_type = next(
            (types[p] for p in main if types[p] != "other"),
            next((types[p] for p in group if types[p] != "other"), "other"),
        )
        put("type", row, deal_type)
        others = {t for p in group for t in (types[p], *(alsos[p] or ()))} - {deal_type, "other"}
        put("also_types", row, sorted(others, key=lambda t: _TYPE_ORDER.get(t, len(_TYPE_ORDER))))
        for name, values in lists.items():
            union: dict[str, str] = {}
            for p in group:
                for value in values[p] or ():
                    union.setdefault(str(value).casefold(), value)
            put(name, row, sorted(union.values()) if name == "countries" else list(union.values()))
        if terms is not None:
            stated: dict = {}
            for p in group:
                for term, value in (terms[p] or {}).items():
                    stated.setdefault(term, value)
            put("terms", row, stated)
        for name, values in numbers.items():
            put(name, row, next((values[p] for p in group if _number(values[p])), None))
        # The latest report of a completion or termination moves the deal.
        moved = [p for p in group if statuses[p] in ("completed", "terminated")]
        put("deal_status", row, statuses[moved[-1]] if moved else "agreed")
        put("role", row, "main" if any(roles[p] != "background" for p in group) else "background")
        put("confidence", row, max(confidence[p] for p in group))
        put(
            "status",
            row,
            max((strength[p] for p in group), key=lambda s: _STATUS_STRENGTH.get(s, 0)),
        )
    for column, values in updates.items():
        current = out[column].tolist()
        for row, value in values.items():
            current[row] = value
        out[column] = pd.Series(current, index=out.index, dtype=object)
        if column in ("confidence", "value_usd", "upfront_usd"):
            out[column] = pd.to_numeric(out[column])


def _number(value: object) -> bool:
    return isinstance(value, int | float) and value == value  # NaN is not a number here


def source_article_ids(deals: pd.DataFrame) -> set[str]:
    """Every article some deal of ``deals`` is reported in (all its sources, not
    only the representative's)."""
    if "sources" not in deals.columns:
        return set(deals["article_id"].dropna()) if "article_id" in deals.columns else set()
    return {s["article_id"] for sources in deals["sources"] for s in sources if s["article_id"]}


# A source's own columns, shown instead of the representative's when a deal is read
# in one of its other articles.
_SOURCE_COLUMNS = (
    "article_id",
    "article_title",
    "article_file",
    "article_source",
    "article_published",
    "evidence",
    "item_index",
)


def deals_in_article(deals: pd.DataFrame, article_id: str) -> pd.DataFrame:
    """The deals ``article_id`` reports (those with a source in it), each with that
    article's evidence sentence, item and article columns (its first source there)
    in place of its representative's; the deal's other facts are the consolidated ones."""
    if "sources" not in deals.columns:
        return deals[deals["article_id"] == article_id]
    found = [
        next((s for s in sources if s["article_id"] == article_id), None)
        for sources in deals["sources"]
    ]
    keep = [s is not None for s in found]
    frame = deals[keep].copy()
    here = [s for s in found if s is not None]
    for column in _SOURCE_COLUMNS:
        if column in frame.columns:
            frame[column] = [s.get(column, v) for s, v in zip(here, frame[column], strict=True)]
    return frame
