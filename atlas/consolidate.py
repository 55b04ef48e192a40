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
``type`` the earliest main mention's, unless the user retyped one of its sources
(other types of its sources go to ``also_types``); parties and countries from its
sources; therapeutic areas and assets unioned; ``terms`` per term the first stated,
earliest source first (``value_usd`` and ``upfront_usd`` likewise, NaN when none); ``deal_status`` the latest reported (a later completion or
termination moves it); ``role`` "main" if any source is; ``confidence`` the highest;
``status`` (the corrections' machine/confirmed/corrected) the strongest. Evidence,
article columns, ``deal_id`` and ``deal_key`` are the representative's: the earliest
main mention (stable across re-consolidation while that mention exists).

Added columns: ``deal_keys`` (every source's mention key), ``sources`` (one ``Source``
per source, earliest first: a read-only mapping of ``SOURCE_FIELDS``), ``n_sources``,
and ``before_date``: for a deal known only from undated mentions, the earliest of
their articles' dates ("before Apr 2025", ``atlas.query.deal_date_label``); None for
a dated deal. ``deals_in_article`` shows a deal as one of its other articles reports it.

Speed: ``bench/consolidate_bench.py``; one pass over the mentions, and the
mentions of one set of parties compared only within a two-year window.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from atlas.models import DEAL_TYPES

WAVE_DAYS = 120  # reports of one announcement: at most this far from its first report
FOLLOW_UP_DAYS = 730  # a completion or termination: up to about two years later
ADDED_COLUMNS = ("deal_keys", "sources", "n_sources", "before_date")
LINK_ACTIONS = ("merge", "split")

_FOLLOW_UPS = ("completed", "terminated")
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


@dataclass(slots=True)
class _Mention:
    """What grouping needs to know of one mention (one row of the input)."""

    position: int
    span: tuple[int, int] | None  # its own date, when it counts (see the module doc)
    bound: tuple[int, int] | None  # its article's date (an undated mention is before it)
    type: str
    also: frozenset[str]
    assets: tuple[str, ...]  # case-folded
    follow_up: bool  # reports a completion or termination


@dataclass(slots=True)
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
        if mention.also:
            self.also |= mention.also
        if mention.assets:
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
        if mention.type != "other" and self.types and mention.type not in self.types:
            if not (mention.type in self.also or self.types & mention.also):
                return False
        return not (mention.assets and self.assets) or _assets_overlap(mention.assets, self.assets)


def _anchor_start(deal: _Deal) -> int:
    """The first day of a deal's anchor (every deal compared by it has one)."""
    return deal.anchor[0] if deal.anchor is not None else _NEVER


def _group(mentions: list[_Mention]) -> list[_Deal]:
    """The deals among ``mentions`` of one set of parties (rules in the module doc)."""
    deals: list[_Deal] = []
    # Dated mentions oldest first. A deal whose anchor ended more than FOLLOW_UP_DAYS
    # before the current mention can take no later one (anchors only narrow), so it
    # leaves ``open``: a pair with hundreds of deals over the years compares each
    # mention with the deals of about two years, not all of them.
    open_deals: list[_Deal] = []
    dated = sorted(
        ((m, m.span) for m in mentions if m.span is not None),
        key=lambda dated_mention: (
            dated_mention[1][0],
            dated_mention[0].follow_up,
            dated_mention[0].position,
        ),
    )
    for mention, (start, end) in dated:
        best, best_gap = None, None
        still_open = []
        for deal in open_deals:
            if deal.anchor is None:  # never: an open deal holds a dated mention
                continue
            first, last = deal.anchor
            later = start - last
            if later > FOLLOW_UP_DAYS:
                continue
            still_open.append(deal)
            gap = max(0, later, first - end)
            if gap > WAVE_DAYS and not (mention.follow_up and first <= end):
                continue
            if (best_gap is None or gap < best_gap) and deal.fits(mention):
                best, best_gap = deal, gap
        open_deals = still_open
        if best is None:
            best = _Deal()
            deals.append(best)
            open_deals.append(best)
        best.add(mention)
    undated = sorted(
        (m for m in mentions if m.span is None),
        key=lambda m: (m.bound[0] if m.bound else _NEVER, m.position),
    )
    for mention in undated:
        bound = mention.bound
        before = [
            d
            for d in deals
            if d.anchor is not None
            and (bound is None or d.anchor[0] <= bound[1])
            and d.fits(mention)
        ]
        if before:
            max(before, key=_anchor_start).add(mention)
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
    keys = _column(frame, "deal_key", "")
    dates = frame["deal_date"].tolist()
    roles = _column(frame, "role", "main")
    published = _column(frame, "article_published")

    # A background mention dated by anything but its own text is undated (module doc).
    own_dates = [
        d if _text(d) and (r != "background" or s in ("text", "manual")) else None
        for d, r, s in zip(dates, roles, _column(frame, "date_source"), strict=True)
    ]
    spans = [_span(d) for d in own_dates]
    bounds = [_span(p) or _span(d) for p, d in zip(published, dates, strict=True)]

    groups, party_keys = _candidate_groups(frame, keys, spans, bounds, links)
    groups = _apply_links(groups, links, keys, party_keys)
    groups, representatives = _ranked(groups, spans, bounds, roles)

    out = frame.iloc[representatives].reset_index(drop=True)
    sources = _sources(frame)
    out["deal_keys"] = [[keys[p] for p in g] for g in groups]
    out["sources"] = [[sources[p] for p in g] for g in groups]
    out["n_sources"] = [len(g) for g in groups]

    # A lone mention keeps its row; only the date rule applies (a background
    # mention's borrowed date goes).
    deal_dates = [own_dates[p] for p in representatives]
    precisions = _column(out, "date_precision")
    out_sources = _column(out, "date_source")
    for i, p in enumerate(representatives):
        if own_dates[p] is None and _text(dates[p]):
            precisions[i], out_sources[i] = None, "before-article"
    merged = [i for i, g in enumerate(groups) if len(g) > 1]
    if merged:
        _aggregate(
            frame, out, groups, merged, spans, own_dates, deal_dates, precisions, out_sources
        )
    _put_dates(out, deal_dates, precisions, out_sources)
    out["before_date"] = _before_dates(groups, deal_dates, published)
    out["before_date"] = out["before_date"].astype(object).where(out["before_date"].notna(), None)
    return out if list(out.columns) == columns else out[columns]


def _candidate_groups(
    frame: pd.DataFrame,
    keys: list,
    spans: list,
    bounds: list,
    links: Sequence[tuple[str, Sequence[str]]],
) -> tuple[list[list[int]], list[frozenset[str]]]:
    """The mentions (positions in ``frame``) grouped into deals by the rules, before
    the user's links; and each mention's party set. Candidates have the same set of
    parties; a hand-made or split-off mention is alone."""
    types = frame["type"].tolist()
    statuses = _column(frame, "deal_status", "agreed")
    split = {key for action, ks in links if action == "split" for key in ks}
    alone = {
        p
        for p, (key, made) in enumerate(zip(keys, _column(frame, "status", "machine"), strict=True))
        if made == "manual" or key in split
    }
    # Sets of case-folded names: equal whatever the order (cheaper than party_key's text).
    party_keys = [frozenset(map(str.casefold, p)) for p in frame["parties"].tolist()]
    by_party: dict[frozenset[str], list[int]] = {}
    for position, key in enumerate(party_keys):
        if position not in alone:
            by_party.setdefault(key, []).append(position)
    groups: list[list[int]] = [[p] for p in sorted(alone)]
    alsos = _column(frame, "also_types", ())
    assets = _column(frame, "assets", ())
    empty: frozenset[str] = frozenset()
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
                    frozenset(alsos[p]) if alsos[p] else empty,
                    tuple(dict.fromkeys(str(a).casefold() for a in assets[p])) if assets[p] else (),
                    statuses[p] in _FOLLOW_UPS,
                )
                for p in members
            ]
        )
        groups.extend(d.members for d in found)
    return groups, party_keys


def _ranked(
    groups: list[list[int]], spans: list, bounds: list, roles: list
) -> tuple[list[list[int]], list[int]]:
    """The groups, each sorted earliest source first (by own date, else by article
    date, else last), in the order their representatives came (the store orders
    mentions by id); and each group's representative: its first main mention."""
    representatives = []
    for group in groups:
        if len(group) > 1:
            group.sort(key=lambda p: (spans[p] or bounds[p] or (_NEVER,))[0])
            representatives.append(next((p for p in group if roles[p] != "background"), group[0]))
        else:
            representatives.append(group[0])
    ranked = sorted(range(len(groups)), key=representatives.__getitem__)
    return [groups[i] for i in ranked], [representatives[i] for i in ranked]


def _put_dates(out: pd.DataFrame, deal_dates: list, precisions: list, sources: list) -> None:
    out["deal_date"] = pd.Series(deal_dates, index=out.index, dtype=object)
    if "date_precision" in out.columns:
        out["date_precision"] = pd.Series(precisions, index=out.index, dtype=object)
    if "date_source" in out.columns:
        out["date_source"] = pd.Series(sources, index=out.index, dtype=object)


def _before_dates(groups: list[list[int]], deal_dates: list, published: list) -> list:
    """For each undated deal, the earliest date of the articles reporting it."""
    return [
        None
        if deal_dates[i] is not None
        else min(
            (published[p] for p in g if _text(published[p])),
            key=lambda v: _span(v) or (_NEVER, _NEVER),
            default=None,
        )
        for i, g in enumerate(groups)
    ]


def _apply_links(
    groups: list[list[int]],
    links: Sequence[tuple[str, Sequence[str]]],
    keys: list,
    party_keys: list[frozenset[str]],
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


SOURCE_FIELDS = (
    "article_id",
    "article_title",
    "article_source",
    "article_published",
    "deal_date",
    "evidence",
    "deal_key",
    "role",
    "deal_status",
    "type",
    "date_source",
    "article_file",
    "item_index",
)
_SOURCE_INDEX = {name: i for i, name in enumerate(SOURCE_FIELDS)}


class Source(Mapping):
    """One report of a deal (``SOURCE_FIELDS``), read like a dict: ``source["evidence"]``,
    ``source.get("role")``, ``dict(source)``. A tuple underneath, not a dict: a store of
    100,000 articles keeps 177,000 of them in memory, and a dict each cost about
    260 MB more."""

    __slots__ = ("_values",)

    def __init__(self, values: tuple) -> None:
        self._values = values

    def __getitem__(self, name: str):
        return self._values[_SOURCE_INDEX[name]]

    def __iter__(self):
        return iter(SOURCE_FIELDS)

    def __len__(self) -> int:
        return len(SOURCE_FIELDS)

    def __repr__(self) -> str:
        return f"Source({dict(self)!r})"

    def __reduce__(self):
        return Source, (self._values,)


def _shared(frame: pd.DataFrame, name: str, default=None) -> list:
    """A column as a list in which equal values are one object (a role, a date, a
    title repeated over a thousand rows is stored once)."""
    if name not in frame.columns:
        return [default] * len(frame)
    codes, uniques = pd.factorize(frame[name], use_na_sentinel=True)
    values = [*uniques.tolist(), None]  # code -1 (missing) -> None
    return [values[c] for c in codes.tolist()]


def _sources(frame: pd.DataFrame) -> list[Source]:
    """One ``Source`` per mention: where it was said, when, and how."""
    defaults = {"role": "main", "deal_status": "agreed", "item_index": 0}
    columns = [
        _column(frame, name, "")
        if name in ("evidence", "deal_key")  # one of a kind: nothing to share
        else _shared(frame, name, defaults.get(name))
        for name in SOURCE_FIELDS
    ]
    return [Source(values) for values in zip(*columns, strict=True)]


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
    """Fill the consolidated values of the deals with several sources (``merged``:
    their rows in ``out``, each group earliest source first), in place. This runs
    over every repeated report (about 135,000 of 177,000 mentions in the benchmark):
    numbers are reduced per deal with numpy over the members laid end to end, the
    rest in plain loops that skip empty values."""
    deals = _Merged.of(frame, out, groups, merged)
    _merge_dates(deals, spans, own_dates, deal_dates, precisions, out_sources)
    _merge_types(deals)
    _merge_lists(deals)
    _merge_numbers(deals)
    _merge_statuses(deals)


@dataclass
class _Merged:
    """The deals with several sources: ``pairs`` (row in ``out``, group), ``rows`` (the
    rows), and their members laid end to end (``members``, each deal's from ``starts``;
    ``at``: their positions in that layout)."""

    frame: pd.DataFrame
    out: pd.DataFrame
    pairs: list[tuple[int, list[int]]]
    rows: np.ndarray
    members: np.ndarray
    starts: np.ndarray
    at: np.ndarray

    @classmethod
    def of(
        cls, frame: pd.DataFrame, out: pd.DataFrame, groups: list[list[int]], merged: list[int]
    ) -> _Merged:
        pairs = [(row, groups[row]) for row in merged]
        members = np.fromiter((p for _, g in pairs for p in g), dtype=np.int64)
        starts = np.cumsum([0] + [len(g) for _, g in pairs[:-1]])
        return cls(frame, out, pairs, np.asarray(merged), members, starts, np.arange(len(members)))

    def present(self, column: str) -> bool:
        return column in self.out.columns

    def per_deal(self, values: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
        return ufunc.reduceat(values, self.starts)

    def put(self, column: str, values_at_rows) -> None:
        values = self.out[column].tolist()
        for (row, _group), value in zip(self.pairs, values_at_rows, strict=True):
            values[row] = value
        self.out[column] = pd.Series(values, index=self.out.index, dtype=object)


def _merge_dates(
    deals: _Merged,
    spans: list,
    own_dates: list,
    deal_dates: list,
    precisions: list,
    out_sources: list,
) -> None:
    """The date: the earliest announcement, to the most precise date inside its span."""
    statuses = _column(deals.frame, "deal_status", "agreed")
    date_precisions = _column(deals.frame, "date_precision")
    date_sources = _column(deals.frame, "date_source")
    for row, group in deals.pairs:
        dated = [p for p in group if spans[p] is not None]
        announced = [p for p in dated if statuses[p] not in _FOLLOW_UPS] or dated
        if announced:
            span = spans[min(announced, key=lambda p: spans[p][0])]
            inside = [p for p in announced if span[0] <= spans[p][0] and spans[p][1] <= span[1]]
            chosen = min(inside, key=lambda p: (spans[p][1] - spans[p][0], spans[p][0]))
            deal_dates[row] = own_dates[chosen]
            precisions[row] = date_precisions[chosen]
            out_sources[row] = date_sources[chosen]
        else:
            deal_dates[row], precisions[row], out_sources[row] = None, None, "before-article"


def _merge_types(deals: _Merged) -> None:
    """The type: the earliest main mention's (a specific one before "other"); the
    other types its sources name become also_types. A type the user set wins: a new
    report joining a retyped deal does not undo it."""
    roles = _column(deals.frame, "role", "main")
    types = deals.frame["type"].tolist()
    made = _column(deals.frame, "status", "machine")
    chosen_types = [
        next(
            (types[p] for p in group if made[p] == "corrected"),
            next(
                (types[p] for p in group if types[p] != "other" and roles[p] != "background"),
                next((types[p] for p in group if types[p] != "other"), "other"),
            ),
        )
        for _, group in deals.pairs
    ]
    if deals.present("type"):
        deals.put("type", chosen_types)
    if deals.present("also_types"):
        alsos = _column(deals.frame, "also_types", ())
        also_types = []
        for (_, group), chosen in zip(deals.pairs, chosen_types, strict=True):
            named = {types[p] for p in group}
            for p in group:
                if alsos[p]:
                    named.update(alsos[p])
            named -= {chosen, "other"}
            also_types.append(sorted(named, key=lambda t: _TYPE_ORDER.get(t, len(_TYPE_ORDER))))
        deals.put("also_types", also_types)


def _merge_lists(deals: _Merged) -> None:
    """Countries, areas and assets unioned; terms, per term, the first stated."""
    for name in ("countries", "therapeutic_areas", "assets"):
        if deals.present(name):
            lists = deals.frame[name].tolist()
            deals.put(name, [_union(lists, group, name) for _, group in deals.pairs])
    if deals.present("terms"):
        terms = deals.frame["terms"].tolist()
        deals.put("terms", [_first_terms(terms, group) for _, group in deals.pairs])


def _merge_numbers(deals: _Merged) -> None:
    """Values in dollars: the first stated (earliest source first); confidence: the highest."""
    frame, out, members = deals.frame, deals.out, deals.members
    for name in ("value_usd", "upfront_usd"):
        if deals.present(name):
            numbers = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)[members]
            # The first stated, earliest source first: the lowest index with a value.
            first = deals.per_deal(np.where(np.isnan(numbers), len(members), deals.at), np.minimum)
            found = first < len(members)
            values = pd.to_numeric(out[name], errors="coerce").to_numpy(dtype=float).copy()
            values[deals.rows[found]] = numbers[first[found]]
            out[name] = values  # NaN where no source states it
    if deals.present("confidence"):
        confidence = frame["confidence"].to_numpy(dtype=float)[members]
        values = out["confidence"].to_numpy(dtype=float).copy()
        values[deals.rows] = deals.per_deal(confidence, np.maximum)
        out["confidence"] = values


def _merge_statuses(deals: _Merged) -> None:
    """The deal's status from its latest follow-up report; main when any source is; the
    strongest review status of its sources."""
    members = deals.members
    if deals.present("deal_status"):
        # The latest report of a completion or termination moves the deal.
        statuses = _column(deals.frame, "deal_status", "agreed")
        follow = np.fromiter((statuses[p] in _FOLLOW_UPS for p in members), dtype=bool)
        last = deals.per_deal(np.where(follow, deals.at, -1), np.maximum)
        deals.put("deal_status", [statuses[members[i]] if i >= 0 else "agreed" for i in last])
    if deals.present("role"):
        roles = _column(deals.frame, "role", "main")
        main = np.fromiter((roles[p] != "background" for p in members), dtype=bool)
        deals.put(
            "role", ["main" if m else "background" for m in deals.per_deal(main, np.logical_or)]
        )
    if deals.present("status"):
        strength = _column(deals.frame, "status", "machine")
        ranks = np.fromiter((_STATUS_STRENGTH.get(strength[p], 0) for p in members), dtype=np.int8)
        names = {rank: name for name, rank in _STATUS_STRENGTH.items()}
        deals.put("status", [names[int(r)] for r in deals.per_deal(ranks, np.maximum)])


def _union(lists: list, group: list[int], name: str) -> list:
    """The values of ``group``'s lists, once each (case-folded), in first-seen order
    (countries sorted)."""
    union: dict[str, object] = {}
    for p in group:
        if lists[p]:
            for value in lists[p]:
                union.setdefault(str(value).casefold(), value)
    return sorted(union.values()) if name == "countries" else list(union.values())


def _first_terms(terms: list, group: list[int]) -> dict:
    """Per term, the first source's that states it."""
    stated: dict = {}
    for p in group:
        if terms[p]:
            for term, value in terms[p].items():
                stated.setdefault(term, value)
    return stated


def _number(value: object) -> bool:
    return isinstance(value, int | float) and value == value  # NaN is not a number here


def source_article_ids(deals: pd.DataFrame) -> set[str]:
    """Every article some deal of ``deals`` is reported in (all its sources, not
    only the representative's)."""
    if "sources" not in deals.columns:
        return set(deals["article_id"].dropna()) if "article_id" in deals.columns else set()
    return {
        s["article_id"]
        for sources in deals["sources"]
        if isinstance(sources, list | tuple)
        for s in sources
        if s["article_id"]
    }


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
