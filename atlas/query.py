"""Filtering and summarising the deals table (pure pandas, no Streamlit).

Every dashboard page narrows ``store.deals_frame()`` with the same
``DealFilters``; the functions here are what the pages and their tests share.
"""

from __future__ import annotations

import calendar
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import chain
from typing import TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")


@dataclass(frozen=True)
class DealFilters:
    """The shared sidebar filters. Empty tuples mean "no restriction"."""

    date_from: str | None = None  # ISO date, inclusive
    date_to: str | None = None
    # With a date range set, undated deals are left out unless this is set; with no
    # range every deal counts, dated or not.
    include_undated: bool = False
    types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    min_confidence: float = 0.0
    # "between": deals whose parties are based in every chosen country (countries) or
    # that involve every chosen organisation (organisations), not in any of them.
    countries_between: bool = False
    organisations_between: bool = False
    # Keep only deals whose disclosed value (US dollars) is at least this; 0: every deal.
    min_value_usd: float = 0.0
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def active(self) -> bool:
        return self != DealFilters()


def date_bounds(value: str | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """First and last day a partial ISO date covers: ``2025-04`` -> 1 to 30 April."""
    if not isinstance(value, str) or not value:
        return None, None  # None, or NaN from a pandas column
    parts = [int(p) for p in value.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    month = parts[1]
    if len(parts) == 2:
        return pd.Timestamp(year, month, 1), pd.Timestamp(
            year, month, calendar.monthrange(year, month)[1]
        )
    return pd.Timestamp(year, month, parts[2]), pd.Timestamp(year, month, parts[2])


def with_dates(deals: pd.DataFrame) -> pd.DataFrame:
    """Adds ``date_start``/``date_end`` (the span a partial date covers),
    ``date_label`` (the date as precise as it is known: 2025, Apr 2025, 19 Dec 2025;
    "before Apr 2025" for an undated deal known only from articles of that date, see
    ``atlas.consolidate``) and ``precision`` (day, month, year; None when undated)."""
    frame = deals.copy()
    dates = frame["deal_date"].tolist()
    # Computed once per distinct date (ten years hold a few thousand), not per deal.
    known = {d: (*date_bounds(d), date_label(d), date_precision(d)) for d in set(dates)}
    frame["date_start"] = pd.to_datetime([known[d][0] for d in dates])
    frame["date_end"] = pd.to_datetime([known[d][1] for d in dates])
    labels = [known[d][2] for d in dates]
    if "before_date" in frame.columns:
        labels = [
            deal_date_label(d, before) if known[d][3] is None else label
            for d, before, label in zip(dates, frame["before_date"].tolist(), labels, strict=True)
        ]
    frame["date_label"] = pd.Series(labels, index=frame.index, dtype=object)
    frame["precision"] = pd.Series([known[d][3] for d in dates], index=frame.index, dtype=object)
    return frame


def date_precision(deal_date: object) -> str | None:
    """``day``, ``month`` or ``year`` from the ISO text itself; None when undated."""
    if not isinstance(deal_date, str) or not deal_date:
        return None
    return ("year", "month", "day")[min(deal_date.count("-"), 2)]


def date_label(value: str | None) -> str:
    if not isinstance(value, str) or not value:
        return "undated"
    parts = value.split("-")
    if len(parts) == 1:
        return parts[0]
    month = calendar.month_abbr[int(parts[1])]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{int(parts[2])} {month} {parts[0]}"


def deal_date_label(deal_date: str | None, before_date: str | None = None) -> str:
    """A deal's date for people: its own date, else "before <date>" when it is known
    only as history in articles of that date (``before_date``), else "undated"."""
    if date_precision(deal_date) is None and date_precision(before_date) is not None:
        return f"before {date_label(before_date)}"
    return date_label(deal_date)


def _any_in(values, wanted: set[str]) -> bool:
    return bool(wanted.intersection(values or ()))


def filter_deals(deals: pd.DataFrame, filters: DealFilters) -> pd.DataFrame:
    """The deals the filters keep. A deal whose date is known only to the month
    is kept when any day of that month falls in the range. Undated deals are kept
    when no range is set; with a range, only with ``include_undated`` (a range
    says "what happened then", which an undated deal cannot answer)."""
    frame = with_dates(deals) if "date_start" not in deals.columns else deals.copy()
    if frame.empty:
        return frame
    keep = pd.Series(True, index=frame.index)
    if filters.date_from or filters.date_to:
        start = pd.Timestamp(filters.date_from) if filters.date_from else pd.Timestamp.min
        end = pd.Timestamp(filters.date_to) if filters.date_to else pd.Timestamp.max
        dated = frame["date_start"].notna()
        in_range = dated & (frame["date_end"] >= start) & (frame["date_start"] <= end)
        keep &= in_range | (~dated & filters.include_undated)
    if filters.types:
        wanted = set(filters.types)
        keep &= frame["type"].isin(wanted) | frame["also_types"].map(lambda v: _any_in(v, wanted))
    if filters.countries and filters.countries_between and len(filters.countries) > 1:
        wanted = set(filters.countries)
        homes = (
            frame["party_countries"] if "party_countries" in frame.columns else frame["countries"]
        )
        keep &= homes.map(lambda v: wanted.issubset(c for c in (v or ()) if isinstance(c, str)))
    elif filters.countries:
        wanted = set(filters.countries)
        keep &= frame["countries"].map(lambda v: _any_in(v, wanted))
    if filters.areas:
        wanted = set(filters.areas)
        keep &= frame["therapeutic_areas"].map(lambda v: _any_in(v, wanted))
    if filters.organisations and filters.organisations_between and len(filters.organisations) > 1:
        wanted = set(filters.organisations)
        keep &= frame["parties"].map(lambda v: wanted.issubset(v or ()))
    elif filters.organisations:
        wanted = set(filters.organisations)
        keep &= frame["parties"].map(lambda v: _any_in(v, wanted))
    if filters.min_confidence:
        keep &= frame["confidence"] >= filters.min_confidence
    if filters.min_value_usd:
        if "value_usd" in frame.columns:
            values = pd.to_numeric(frame["value_usd"], errors="coerce")
            keep &= values.notna() & (values >= filters.min_value_usd)
        else:
            keep &= False
    return frame[keep]


class DealIndex:
    """Row positions of one deals frame per value of each list column, and its
    vector columns as arrays, built once per frame: ``positions(filters)`` gives
    the rows ``filter_deals`` keeps without reading a list cell (at 175,000 deals
    ``filter_deals`` ran a Python function per row and filter; this combines arrays).

    The frame must not change while its index is in use (the prepared tables do not);
    the index holds it, to index its list columns when first needed."""

    # Set by ``carried`` only (read through ``__dict__``: most indexes have none).
    _carry: _Carry

    def __init__(self, deals: pd.DataFrame) -> None:
        frame = with_dates(deals) if "date_start" not in deals.columns else deals
        self.size = len(frame)
        # Positional Series (a fresh RangeIndex): compared whole, NaT compares False.
        self.date_start = pd.Series(frame["date_start"].to_numpy())
        self.date_end = pd.Series(frame["date_end"].to_numpy())
        self.dated = self.date_start.notna().to_numpy()
        self.confidence = (
            pd.to_numeric(frame["confidence"], errors="coerce").to_numpy(dtype=float)
            if self.size
            else np.array([])
        )
        self.value_usd = (
            pd.to_numeric(frame["value_usd"], errors="coerce").to_numpy(dtype=float)
            if "value_usd" in frame.columns
            else None
        )
        # The list columns are indexed when a filter first asks for them (cached
        # properties): a store opened on an unfiltered page reads none of them.
        self._frame = frame

    @cached_property
    def types(self) -> dict[object, np.ndarray]:
        frame = self._frame
        also = frame["also_types"].tolist() if "also_types" in frame.columns else None
        types: dict = {}
        for row, deal_type in enumerate(frame["type"].tolist() if self.size else []):
            extra = also[row] if also is not None else None
            values = {deal_type, *extra} if isinstance(extra, list | tuple) else {deal_type}
            for value in values:
                types.setdefault(value, []).append(row)
        return _arrays(types)

    @cached_property
    def countries(self) -> dict[object, np.ndarray]:
        return self._index_by_list("countries")

    @cached_property
    def homes(self) -> dict[object, np.ndarray]:
        frame = self._frame
        homes = "party_countries" if "party_countries" in frame.columns else "countries"
        return self._index_by_list(homes, strings_only=True)

    def _index_by_list(self, column: str, *, strings_only: bool = False) -> dict:
        """``_list_index(frame, column)`` for its string values, read once per distinct
        list (a few thousand lists of countries at 175,000 deals) instead of per row."""
        if column not in self._frame.columns:
            return {}
        codes, lists = self.distinct_lists(column)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(lists) + 1))
        parts: dict = {}
        for code, key in enumerate(lists):
            if not key:
                continue
            rows = order[bounds[code] : bounds[code + 1]]
            for value in set(key) if len(key) > 1 else key:
                if strings_only and not isinstance(value, str):
                    continue
                parts.setdefault(value, []).append(rows)
        return {
            value: np.sort(np.concatenate(found)) if len(found) > 1 else found[0]
            for value, found in parts.items()
        }

    @cached_property
    def areas(self) -> dict[object, np.ndarray]:
        return _list_index(self._frame, "therapeutic_areas")

    @cached_property
    def parties(self) -> dict[object, np.ndarray]:
        # ``_list_index(frame, "parties")``, from the occurrences (no list read again).
        occ_row, occ_party, names = self._party_occurrences
        if not len(occ_row):
            return {}
        order = np.argsort(occ_party, kind="stable")
        by_party = occ_party[order]
        bounds = np.flatnonzero(np.diff(by_party)) + 1
        firsts = by_party[np.concatenate([[0], bounds])].tolist()
        groups = np.split(occ_row[order], bounds)
        return {names[p]: rows for p, rows in zip(firsts, groups, strict=True)}

    def _mask(self, filters: DealFilters) -> np.ndarray:
        keep = np.ones(self.size, dtype=bool)
        if filters.date_from or filters.date_to:
            start = pd.Timestamp(filters.date_from) if filters.date_from else pd.Timestamp.min
            end = pd.Timestamp(filters.date_to) if filters.date_to else pd.Timestamp.max
            dated = self.dated
            in_range = ((self.date_end >= start) & (self.date_start <= end)).to_numpy() & dated
            keep &= in_range | (~dated & filters.include_undated)
        if filters.types:
            keep &= self._any(self.types, filters.types)
        if filters.countries and filters.countries_between and len(filters.countries) > 1:
            keep &= self._every(self.homes, filters.countries)
        elif filters.countries:
            keep &= self._any(self.countries, filters.countries)
        if filters.areas:
            keep &= self._any(self.areas, filters.areas)
        if (
            filters.organisations
            and filters.organisations_between
            and len(filters.organisations) > 1
        ):
            keep &= self._every(self.parties, filters.organisations)
        elif filters.organisations:
            keep &= self._any(self.parties, filters.organisations)
        if filters.min_confidence:
            with np.errstate(invalid="ignore"):
                keep &= self.confidence >= filters.min_confidence
        if filters.min_value_usd:
            if self.value_usd is None:
                keep &= False
            else:
                with np.errstate(invalid="ignore"):
                    keep &= self.value_usd >= filters.min_value_usd
        return keep

    def _any(self, index: dict[object, np.ndarray], wanted: tuple) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        for value in set(wanted):
            if value in index:
                mask[index[value]] = True
        return mask

    def _every(self, index: dict[object, np.ndarray], wanted: tuple) -> np.ndarray:
        found = np.zeros(self.size, dtype=np.int32)
        for value in set(wanted):
            if value not in index:
                return np.zeros(self.size, dtype=bool)
            found[index[value]] += 1
        return found == len(set(wanted))

    def positions(self, filters: DealFilters) -> np.ndarray:
        """Positions (0-based, ascending) of the rows ``filter_deals`` keeps."""
        return np.flatnonzero(self._mask(filters))

    def undated_left_out(self, filters: DealFilters) -> int:
        """What ``undated_left_out`` counts, from the index."""
        if not (filters.date_from or filters.date_to) or filters.include_undated or not self.size:
            return 0
        others = self._mask(replace(filters, date_from=None, date_to=None))
        return int(np.count_nonzero(others & ~self.dated))

    def carried(self, deals: pd.DataFrame, *, taken: np.ndarray, before: int) -> DealIndex:
        """The index of ``deals``, a frame spliced from this one's rows (an edit, see
        ``atlas.incremental.Splice``: its row ``r`` is this frame's row ``taken[r]``
        when that is under ``before``, else a new row), which carries over the
        distinct lists and the parties' occurrences this one has read: each, when
        first asked for, is made from this one's by reading only the new rows' cells
        (reading every cell of 175,000 deals was 0.1-0.2 s of CPU per column after each
        edit). Everything equals a new ``DealIndex(deals)``'s (tests hold them equal).
        The new index holds those arrays and lists, not this index or its frame."""
        if before != self.size:
            raise ValueError(f"spliced from {before} rows, but this index holds {self.size}")
        index = DealIndex(deals)
        taken = np.asarray(taken, dtype=np.int64)
        index._carry = _Carry(
            dict(self.__dict__.get("_distinct_lists", {})),
            self.__dict__.get("_party_occurrences"),
            taken,
            before,
        )
        return index

    def _carried_lists(self, column: str) -> tuple[np.ndarray, list] | None:
        """``distinct_lists(column)`` made from the carried index's (None: not carried)."""
        carry = self.__dict__.get("_carry")
        if carry is None or column not in carry.lists or column not in self._frame.columns:
            return None
        codes, lists = carry.lists[column]
        keys = {key: code for code, key in enumerate(lists)}
        merged = np.empty(len(carry.taken), dtype=np.int64)
        merged[carry.is_old] = codes[carry.taken[carry.is_old]]
        cells = self._frame[column].take(carry.added).tolist()
        merged[carry.added] = [
            keys.setdefault(tuple(c) if isinstance(c, list | tuple) else None, len(keys))
            for c in cells
        ]
        # The lists still held, in the order of their first row, as a read gives them.
        present, first = np.unique(merged, return_index=True)
        order = present[np.argsort(first, kind="stable")]
        rank = np.empty(len(keys), dtype=np.int64)
        rank[order] = np.arange(len(order))
        every = list(keys)
        return rank[merged], [every[code] for code in order.tolist()]

    def _carried_occurrences(self) -> tuple[np.ndarray, np.ndarray, list] | None:
        """``_party_occurrences`` made from the carried index's (None: not carried)."""
        carry = self.__dict__.get("_carry")
        if carry is None or carry.occurrences is None or "parties" not in self._frame.columns:
            return None
        occ_row, occ_party, names = carry.occurrences
        new_of_old = carry.new_of_old
        kept = new_of_old[occ_row] >= 0
        code = {name: i for i, name in enumerate(names)}
        every = list(names)
        new_rows: list[int] = []
        new_codes: list[int] = []
        cells = self._frame["parties"].take(carry.added).tolist()
        for row, cell in zip(carry.added.tolist(), cells, strict=True):
            if not isinstance(cell, list | tuple):
                continue
            # Each party once, at its first place; blanks left out (as a read does).
            for name in dict.fromkeys(cell):
                if name is None or (isinstance(name, float) and math.isnan(name)):
                    continue
                found = code.get(name)
                if found is None:
                    found = code[name] = len(every)
                    every.append(name)
                new_rows.append(row)
                new_codes.append(found)
        rows = np.concatenate([new_of_old[occ_row[kept]], np.asarray(new_rows, dtype=np.int64)])
        codes = np.concatenate([occ_party[kept], np.asarray(new_codes, dtype=np.int64)])
        order = np.argsort(rows, kind="stable")  # each row's own order kept
        rows, codes = rows[order], codes[order]
        # Codes are places in the sorted names of the parties still named.
        present = np.unique(codes)
        sorted_names = sorted(every[c] for c in present.tolist())
        place = {name: i for i, name in enumerate(sorted_names)}
        rank = np.zeros(len(every), dtype=np.int64)
        rank[present] = [place[every[c]] for c in present.tolist()]
        return rows, rank[codes], sorted_names

    # What the pages compute from the kept rows, from arrays made once per frame: each
    # equals the plain function on ``take(rows)`` (tests hold them equal), without
    # reading every list cell of every kept deal again per filter setting and per frame.

    def memo(self, name: str, make: Callable[[], T]) -> T:
        """``make()``, made once per frame under ``name`` (what a page derives from the
        whole frame, such as a label per distinct list of parties)."""
        held = self.__dict__.setdefault("_memo", {})
        if name not in held:
            held[name] = make()
        return held[name]

    def take(self, rows: np.ndarray) -> pd.DataFrame:
        """The frame's rows at ``rows`` (positions, ascending), as ``filter_deals`` gives."""
        return self._frame.take(rows)

    def _kept(self, rows: np.ndarray) -> np.ndarray:
        kept = np.zeros(self.size, dtype=bool)
        kept[rows] = True
        return kept

    @cached_property
    def deal_ids(self) -> np.ndarray:
        return self._frame["deal_id"].to_numpy() if self.size else np.array([], dtype=np.int64)

    @cached_property
    def unique_ids(self) -> bool:
        return bool(self._frame["deal_id"].is_unique) if self.size else True

    @cached_property
    def _party_occurrences(self) -> tuple[np.ndarray, np.ndarray, list]:
        """(row, party code) once per party of each row, and the parties in sorted
        order (a code is a party's place in it)."""
        carried = self._carried_occurrences()
        if carried is not None:
            return carried
        # Read once per distinct list of parties, then spread over its rows with numpy.
        codes, lists = self.distinct_lists("parties")
        spread = pd.Series([key or () for key in lists], dtype=object).explode().dropna()
        list_of = spread.index.to_numpy(dtype=np.int64)
        found, uniques = pd.factorize(spread.to_numpy(dtype=object))
        # Each party once per list, at its first place (dict.fromkeys of the list).
        _pairs, first = np.unique(list_of * max(len(uniques), 1) + found, return_index=True)
        once = np.sort(first)
        list_of, found = list_of[once], found[once]
        # Codes in the parties' sorted order (Python's, as sorted() gives).
        names = sorted(uniques.tolist())
        place = np.empty(len(uniques), dtype=np.int64)
        place[np.argsort(np.asarray(uniques, dtype=object), kind="stable")] = np.arange(
            len(uniques)
        )
        flat = place[found]
        lengths = np.bincount(list_of, minlength=len(lists)).astype(np.int64)
        starts = np.cumsum(lengths) - lengths
        row_lengths = lengths[codes]
        occ_row = np.repeat(np.arange(len(codes), dtype=np.int64), row_lengths)
        within = np.arange(len(occ_row), dtype=np.int64) - np.repeat(
            np.cumsum(row_lengths) - row_lengths, row_lengths
        )
        occ_party = flat[np.repeat(starts[codes], row_lengths) + within]
        return occ_row, occ_party, names

    def party_names(self, rows: np.ndarray) -> list[str]:
        """``party_names`` of the kept rows."""
        occ_row, occ_party, names = self._party_occurrences
        present = np.unique(occ_party[self._kept(rows)[occ_row]])
        return [names[i] for i in present.tolist()]

    def most_active(self, rows: np.ndarray, n: int = 10) -> pd.DataFrame:
        """``most_active`` of the kept rows."""
        if not self.unique_ids:
            return most_active(self.take(rows), n)
        occ_row, occ_party, names = self._party_occurrences
        counts = np.bincount(occ_party[self._kept(rows)[occ_row]], minlength=len(names))
        present = np.flatnonzero(counts)
        if not len(present):
            return pd.DataFrame(columns=["organisation", "deals"])
        # The same Series groupby().nunique() gives (sorted by name), sorted the same way.
        grouped = pd.Series(
            counts[present],
            index=pd.Index([names[i] for i in present.tolist()], dtype=object, name="party"),
        )
        top = grouped.rename("deal_id").sort_values(ascending=False).head(n)
        return top.rename("deals").rename_axis("organisation").reset_index()

    def rows_with_parties(
        self, rows: np.ndarray, names: Iterable[str], at_least: int = 1
    ) -> np.ndarray:
        """The kept rows naming at least ``at_least`` of ``names`` as parties."""
        found = np.zeros(self.size, dtype=np.int64)
        for name in set(names):
            if name in self.parties:
                found[self.parties[name]] += 1
        hits = found >= at_least
        return rows[hits[rows]]

    def dated_rows(self, rows: np.ndarray) -> np.ndarray:
        """The kept rows that have a date."""
        return rows[self.dated[rows]]

    def distinct_lists(self, column: str) -> tuple[np.ndarray, list]:
        """Each row's distinct list in ``column`` as a code, and the lists as tuples
        (None for a cell that holds no list), made once per column."""
        held = self.__dict__.setdefault("_distinct_lists", {})
        if column not in held:
            carried = self._carried_lists(column)
            if carried is not None:
                held[column] = carried
                return carried
            keys: dict = {}
            cells = self._frame[column].tolist() if column in self._frame.columns else []
            codes = np.fromiter(
                (
                    keys.setdefault(tuple(c) if isinstance(c, list | tuple) else None, len(keys))
                    for c in cells
                ),
                dtype=np.int64,
                count=len(cells),
            )
            held[column] = (codes, list(keys))
        return held[column]

    def _lists_kept(self, column: str, rows: np.ndarray) -> list[tuple[object, int]]:
        """(distinct list, rows of it kept) for the lists the kept rows hold."""
        codes, lists = self.distinct_lists(column)
        counts = np.bincount(codes[rows], minlength=len(lists))
        return [(lists[i], int(counts[i])) for i in np.flatnonzero(counts).tolist()]

    def deals_by_country(self, rows: np.ndarray) -> pd.DataFrame:
        """``deals_by_country`` of the kept rows."""
        if not self.unique_ids or not len(rows):
            return deals_by_country(self.take(rows))
        return _country_counts(self._lists_kept("countries", rows))

    def country_pairs(self, rows: np.ndarray) -> pd.DataFrame:
        """``country_pairs`` of the kept rows (with a ``party_countries`` column)."""
        records: dict[tuple[str, str], int] = {}
        for countries, deals_of_it in self._lists_kept("party_countries", rows):
            for pair in _deal_country_pairs(countries):
                records[pair] = records.get(pair, 0) + deals_of_it
        return pd.DataFrame(
            [{"source": a, "target": b, "deals": n} for (a, b), n in sorted(records.items())],
            columns=["source", "target", "deals"],
        )

    def deals_between_countries(self, rows: np.ndarray, first: str, second: str) -> pd.DataFrame:
        """``deals_between_countries`` of the kept rows."""
        if not len(rows) or "party_countries" not in self._frame.columns:
            return self._frame.iloc[0:0]
        wanted = {(first, second), (second, first)}
        codes, lists = self.distinct_lists("party_countries")
        answer = np.array(
            [any(pair in wanted for pair in _deal_country_pairs(key)) for key in lists], dtype=bool
        )
        return self.take(rows[answer[codes[rows]]])

    def rows_of_country(
        self, rows: np.ndarray, country: str, *, homes_only: bool = False
    ) -> np.ndarray:
        """The kept rows whose parties are based in ``country`` or (unless
        ``homes_only``) that name it among their countries."""
        hits = np.zeros(self.size, dtype=bool)
        if isinstance(country, str) and country:
            hits[self.homes.get(country, [])] = True
            if not homes_only:
                hits[self.countries.get(country, [])] = True
        return rows[hits[rows]]


class _Carry:
    """What ``DealIndex.carried`` takes from the index of the frame before an edit."""

    def __init__(
        self,
        lists: dict[str, tuple[np.ndarray, list]],
        occurrences: tuple[np.ndarray, np.ndarray, list] | None,
        taken: np.ndarray,
        before: int,
    ) -> None:
        self.lists, self.occurrences, self.taken = lists, occurrences, taken
        self.is_old = taken < before
        self.added = np.flatnonzero(~self.is_old)
        self.new_of_old = np.full(before, -1, dtype=np.int64)
        self.new_of_old[taken[self.is_old]] = np.flatnonzero(self.is_old)


def _arrays(rows: dict) -> dict[object, np.ndarray]:
    return {value: np.asarray(found, dtype=np.int64) for value, found in rows.items()}


def _list_index(
    frame: pd.DataFrame, column: str, *, strings_only: bool = False
) -> dict[object, np.ndarray]:
    """Value -> positions of the rows whose list in ``column`` holds it (each once)."""
    rows: dict = {}
    if column not in frame.columns:
        return {}
    for row, values in enumerate(frame[column].tolist()):
        if not isinstance(values, list | tuple) or not values:
            continue
        for value in set(values) if len(values) > 1 else values:
            if strings_only and not isinstance(value, str):
                continue
            rows.setdefault(value, []).append(row)
    return _arrays(rows)


def latest_first(deals: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """The deals newest first by their date as written (ISO text: "2025-04" before
    "2025-04-01"), undated last, deals of one date in the frame's order; at most ``limit``.

    Sorts integer codes of the few thousand distinct dates and takes only the rows
    kept: ``sort_values("deal_date")`` compared 175,000 strings in Python and copied
    every column of every row to keep ten."""
    if deals.empty:
        return deals.iloc[0:0]
    codes, _uniques = pd.factorize(deals["deal_date"], sort=True)  # -1: undated
    order = np.argsort(np.where(codes < 0, 1, -codes), kind="stable")
    return deals.iloc[order if limit is None else order[:limit]]


def undated_left_out(deals: pd.DataFrame, filters: DealFilters) -> int:
    """How many undated deals the other filters keep but the date range leaves out
    (0 with no range, or with ``include_undated``): what the pages say is not shown."""
    if not (filters.date_from or filters.date_to) or filters.include_undated or deals.empty:
        return 0
    dates = deals["date_start"] if "date_start" in deals.columns else deals["deal_date"]
    undated = deals[dates.isna()]
    if undated.empty:
        return 0
    return len(filter_deals(undated, replace(filters, date_from=None, date_to=None)))


def party_names(deals: pd.DataFrame) -> list[str]:
    """Every organisation party to one of ``deals``, sorted (``options``' organisations)."""
    if not len(deals):
        return []
    return sorted(set(chain.from_iterable(v for v in deals["parties"] if v)))


def options(deals: pd.DataFrame) -> dict[str, list[str]]:
    """The values each multi-select filter can take, sorted."""

    def flat(column: str) -> list[str]:
        if not len(deals):
            return []
        return sorted(set(chain.from_iterable(v for v in deals[column] if v)))

    return {
        "types": sorted(set(deals["type"])) if len(deals) else [],
        "countries": flat("countries"),
        "areas": flat("therapeutic_areas"),
        "organisations": flat("parties"),
    }


def explode_parties(deals: pd.DataFrame) -> pd.DataFrame:
    """One row per (deal, party)."""
    if deals.empty:
        return deals.assign(party=pd.Series(dtype=str))
    return deals.assign(party=deals["parties"]).explode("party")


def most_active(deals: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Organisations by number of deals in ``deals``."""
    # Two columns exploded, not the whole frame (its long texts made this slow at 100k).
    rows = explode_parties(deals[["deal_id", "parties"]]) if len(deals) else deals
    if rows.empty:
        return pd.DataFrame(columns=["organisation", "deals"])
    counts = rows.groupby("party")["deal_id"].nunique().sort_values(ascending=False).head(n)
    return counts.rename("deals").rename_axis("organisation").reset_index()


def _country_counts(lists: Iterable[tuple[object, int]]) -> pd.DataFrame:
    """Deals per country from (distinct list of countries, rows holding it) pairs: a deal
    counts once for each country its list names."""
    counts: Counter = Counter()
    for values, rows_of_it in lists:
        if isinstance(values, tuple):
            counts.update(dict.fromkeys({c for c in values if not pd.isna(c)}, rows_of_it))
    if not counts:
        return pd.DataFrame(columns=["country", "deals"])
    return pd.DataFrame(sorted(counts.items()), columns=["country", "deals"]).sort_values(
        "deals", ascending=False
    )


def deals_by_country(deals: pd.DataFrame) -> pd.DataFrame:
    """Deal counts per country (a deal counts once for each country it involves)."""
    if len(deals) and deals["deal_id"].is_unique:
        # One row per deal: counted per distinct list of countries, not per row.
        return _country_counts(_distinct_lists(deals["countries"]).items())
    rows = (
        deals.assign(country=deals["countries"]).explode("country").dropna(subset=["country"])
        if len(deals)
        else deals
    )
    if len(rows) == 0:
        return pd.DataFrame(columns=["country", "deals"])
    return (
        rows.groupby("country")["deal_id"]
        .nunique()
        .rename("deals")
        .reset_index()
        .sort_values("deals", ascending=False)
    )


# What the country views call a party whose country is not known.
UNKNOWN_COUNTRY = "unknown country"


def _deal_country_pairs(countries: object) -> list[tuple[str, str]]:
    """The matrix cells one deal adds to, from its parties' countries (see ``country_pairs``)."""
    values = list(countries) if isinstance(countries, list | tuple) else []
    known = sorted({c for c in values if isinstance(c, str) and c})
    if not known:
        return []
    if any(not (isinstance(c, str) and c) for c in values):
        known.append(UNKNOWN_COUNTRY)  # after the known ones: always the pair's target
    return [(a, b) for i, a in enumerate(known) for b in known[i + 1 :]] or [(known[0], known[0])]


def _as_key(values: object) -> object:
    """A list cell as a hashable key (a tuple); other values as they are (None, NaN)."""
    return tuple(values) if isinstance(values, list | tuple) else values


def _distinct_lists(cells: Iterable) -> Counter:
    """How many rows hold each distinct list (as a tuple; other cells as they are)."""
    return Counter(map(_as_key, cells))


def country_pairs(deals: pd.DataFrame) -> pd.DataFrame:
    """Country-to-country deal counts from the parties' countries: a
    Japan–South Korea deal adds one to that pair; a deal whose parties are all of one
    country adds one to (X, X). A party of unknown country stays unknown: a Japanese
    company's deal with one of unknown country adds one to (Japan, ``UNKNOWN_COUNTRY``),
    never to the domestic cell; a deal with no known country is left out."""
    records: dict[tuple[str, str], int] = {}
    # Per distinct list of countries (a few thousand at 175,000 deals), not per deal.
    for countries, deals_of_it in _distinct_lists(deals.get("party_countries", [])).items():
        for pair in _deal_country_pairs(countries):
            records[pair] = records.get(pair, 0) + deals_of_it
    return pd.DataFrame(
        [{"source": a, "target": b, "deals": n} for (a, b), n in sorted(records.items())],
        columns=["source", "target", "deals"],
    )


def deals_between_countries(deals: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """The deals one cell of ``country_pairs`` counts: between parties based in ``first``
    and ``second`` (in either order), or the domestic deals of ``first`` when both are
    the same country."""
    if deals.empty or "party_countries" not in deals.columns:
        return deals.iloc[0:0]
    wanted = {(first, second), (second, first)}
    keys = [_as_key(v) for v in deals["party_countries"].tolist()]
    # Decided once per distinct list of countries, not per deal.
    answer = {key: any(pair in wanted for pair in _deal_country_pairs(key)) for key in set(keys)}
    return deals[np.fromiter((answer[k] for k in keys), dtype=bool, count=len(keys))]
