"""The dashboard's prepared tables brought up to date by what changed, not rebuilt.

``atlas.snapshot.dashboard_tables`` builds the deals (one row per agreement,
corrections applied) and organisations from every stored deal: about 5 s of CPU at
177,000 deals. A correction, an upload or a feed refresh changes a few of them.
``update_state`` finds what changed since a ``DashboardState`` was made and
recomputes only that:

- **What changed** is read from the store, whoever changed it (this process,
  another session, a background job, the CLI): the corrections in force compared
  with the state's, the deals and mentions stored since (ids only grow), and the
  organisations those new rows name (read again: their counts, aliases and a
  country an ingest filled in). Rows deleted since (a re-extraction, an article
  replaced) cannot be followed: ``update_state`` says so (None) and the caller
  rebuilds.
- **What it touches.** Consolidation (``atlas.consolidate``) groups only mentions
  with the same set of parties as the user sees them, and a user's merge never
  joins two sets. So the agreements of one party set depend only on that set's
  mentions and the corrections naming them: the update takes the mentions a change
  names (new ones, a deal correction's mentions, every mention of an organisation a
  merge, rename or ``set_org`` names, under its old and new names), their party sets
  before and after, every mention of those sets, and, until nothing more comes in,
  the mentions of the same article items as a deal correction naming any of them
  (so a correction follows its deal by address exactly as in a full build) and the
  other mentions of a merge among them.
- **The result** is spliced into a new frame (cached frames are shared and read
  only): the rows of those party sets replaced by their new agreements, deals added
  by hand recomputed (they are few), rows in the order a full build gives them.
  Organisations are corrected again only when an organisation correction or an
  ingest changed them, and their deal counts counted from the new deals.

``tests/test_incremental.py`` checks the result equals a full rebuild frame for
frame, for each kind of correction, undo and an ingest.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from atlas import corrections, store
from atlas.consolidate import consolidate

# Rounds of "these mentions bring in those" before giving up (a full rebuild then).
MAX_ROUNDS = 8


@dataclass(frozen=True)
class Splice:
    """How ``update_state`` made a state's deals from an earlier state's: row ``r`` is
    the earlier frame's row ``taken[r]`` when that is under ``before`` (the earlier
    frame's length), else a row new to it. What was computed per row of the earlier
    frame (``atlas.graph.DealGraphParts.updated``) follows the same way."""

    previous: str  # the earlier state's ``token``
    taken: np.ndarray
    before: int


def _token() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class DashboardState:
    """The prepared tables and what they were made from."""

    version: tuple[str | None, int]  # store.data_version they reflect
    deals: pd.DataFrame  # consolidated, corrected, with atlas.query.with_dates' columns
    organisations: pd.DataFrame  # corrected, deals counted
    raw_organisations: pd.DataFrame  # store.organisations_frame as read
    corrections: tuple[corrections.Correction, ...]  # every one listed, undone too
    rows: dict[str, int]  # store.rows_summary when read
    # How many deals have each value of each filtered column (see ``filter_choices``).
    tallies: dict[str, Counter]
    # The text columns pandas reads as its string dtype (a deal added by hand, with
    # None in some of them, makes them object columns): the splice keeps to that.
    string_dtypes: dict[str, object]
    party_keys: np.ndarray  # each deal's case-folded party set (what groups mentions)
    countries: dict[str, str]  # corrections.org_countries of ``organisations``
    # Names this state's deals frame (kept by ``replace``: the same frame), and says
    # which frame's rows it was spliced from.
    token: str = field(default_factory=_token, compare=False)
    splice: Splice | None = field(default=None, compare=False)

    @property
    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return self.deals, self.organisations


def _party_keys(frame: pd.DataFrame) -> list[frozenset[str]]:
    """What consolidation groups by (``atlas.consolidate``): the case-folded party set
    (one object per set: the state keeps one per deal)."""
    made: dict[tuple[str, ...], frozenset[str]] = {}
    found = []
    for parties in frame["parties"].tolist():
        names = tuple(parties)
        key = made.get(names)
        if key is None:
            key = made[names] = frozenset(map(str.casefold, names))
        found.append(key)
    return found


def _finish(deals: pd.DataFrame) -> pd.DataFrame:
    from atlas.query import with_dates

    return with_dates(deals)


def build_state(engine: Engine, version: tuple[str | None, int]) -> DashboardState:
    """Everything read and computed from the store (the cold path)."""
    rows = {k: v for k, v in store.rows_summary(engine).items() if not k.endswith("_upto")}
    raw_organisations = store.organisations_frame(engine)
    listed = corrections.list_corrections(engine)
    active = [c for c in listed if c.undone_at is None]
    stored = store.deals_frame(engine)
    deals, organisations = corrections.consolidated_deals(stored, raw_organisations, active)
    strings = _string_dtypes(stored)
    deals = _settle_dtypes(_finish(deals), strings)
    return DashboardState(
        version,
        deals,
        organisations,
        raw_organisations,
        tuple(listed),
        rows,
        _tallies(deals),
        strings,
        _key_array(_party_keys(deals)),
        corrections.org_countries(organisations),
    )


# The text columns a full build leaves as the store read them: pandas' string dtype,
# unless a deal added by hand (None in some) makes them object columns. Every other
# column is rebuilt by corrections and consolidation, as object, whatever the rows.
TEXT_COLUMNS = (
    "deal_key",
    "evidence",
    "article_id",
    "article_title",
    "article_file",
    "article_source",
    "article_published",
)


# The columns the sidebar's filters offer values of, and the dates' span.
_LISTED = ("countries", "therapeutic_areas", "parties")


def _tallies(deals: pd.DataFrame) -> dict[str, Counter]:
    found = {"type": Counter(deals["type"].tolist())}
    for column in _LISTED:
        found[column] = Counter(v for values in deals[column].tolist() for v in values or ())
    found["deal_date"] = Counter(d for d in deals["deal_date"].tolist() if isinstance(d, str))
    return found


def filter_choices(state: DashboardState) -> dict:
    """The values each sidebar filter offers (``atlas.query.options``) and the span of
    deal dates, from the state's tallies: kept up to date by each splice, so a change
    does not read every deal again for them."""

    def present(column: str) -> list:
        return sorted(v for v, n in state.tallies[column].items() if n > 0)

    dates = present("deal_date")
    return {
        "types": present("type"),
        "countries": present("countries"),
        "areas": present("therapeutic_areas"),
        "organisations": present("parties"),
        "date_span": (dates[0], dates[-1]) if dates else None,
    }


def _string_dtypes(frame: pd.DataFrame) -> dict[str, object]:
    return {
        c: frame[c].dtype
        for c in TEXT_COLUMNS
        if c in frame.columns and isinstance(frame[c].dtype, pd.StringDtype)
    }


def _settle_dtypes(deals: pd.DataFrame, strings: dict[str, object], others=None) -> pd.DataFrame:
    """Each column's dtype as a full build gives it, whichever rows a splice joined
    (``others``: the dtypes of the columns not in ``TEXT_COLUMNS``, when known)."""
    manual = bool(len(deals)) and bool((deals["status"] == "manual").any())
    for column in deals.columns:
        dtype = deals[column].dtype
        if column in strings:
            want = object if manual else strings[column]
        elif isinstance(dtype, pd.StringDtype):
            want = object
        elif others is not None and column in others:
            want = others[column]
        else:
            continue
        if dtype != want:
            deals[column] = deals[column].astype(want)
    return deals


def _order(deal_ids: np.ndarray) -> np.ndarray:
    """Where each row goes in a full build: extracted deals by their representative's
    id (the store's order), then deals added by hand in the order they were added
    (their ``deal_id`` is minus their correction's id)."""
    ids = deal_ids.astype(np.int64)
    return np.where(ids > 0, ids, np.int64(2**40) - ids)


def _named(c: corrections.Correction) -> list[tuple[str, dict | None]]:
    return [(c.target, c.address), *c.members]


def update_state(
    engine: Engine, state: DashboardState, version: tuple[str | None, int]
) -> DashboardState | None:
    """``state`` brought up to the store as it is now (see the module docstring), or
    None when rows it was made from were deleted since (rebuild then)."""
    if version[0] != state.version[0]:
        return None
    rows = _rows_now(engine, state)
    if rows is None:
        return None  # rows deleted: a re-extraction or a replaced article
    listed = corrections.list_corrections(engine)
    changed = _changed(state.corrections, listed)
    new_deals = rows["deals_max"] > state.rows.get("deals_max", 0)
    new_mentions = rows["mentions_max"] > state.rows.get("mentions_max", 0)
    if not changed and not new_deals and not new_mentions:
        return replace(state, version=version, rows=rows, corrections=tuple(listed))

    edit = _Edit(state, listed, changed)
    if new_deals or new_mentions:
        edit.read_new_organisations(engine)
    edit.correct_organisations()
    wanted = edit.named_deal_ids(engine, rows, new_deals)
    closed = edit.read_until_closed(engine, wanted)
    if closed is None:
        return None
    read, in_sets = closed
    return edit.spliced(version, rows, read, in_sets)


def _rows_now(engine: Engine, state: DashboardState) -> dict | None:
    """The store's row summary, or None when rows ``state`` was made from are gone."""
    rows = store.rows_summary(
        engine, upto=(state.rows.get("deals_max", 0), state.rows.get("mentions_max", 0))
    )
    if rows["deals_upto"] != state.rows.get("deals") or rows["mentions_upto"] != state.rows.get(
        "mentions"
    ):
        return None
    return {k: v for k, v in rows.items() if not k.endswith("_upto")}


def _changed(
    before_all: Sequence[corrections.Correction], listed: Sequence[corrections.Correction]
) -> list[corrections.Correction]:
    """Each active correction that differs between the two lists, as it was and as
    it is (added, undone or changed)."""
    before = {c.id: c for c in before_all if c.undone_at is None}
    after = {c.id: c for c in listed if c.undone_at is None}
    return [
        c
        for ident in sorted(before.keys() | after.keys())
        if before.get(ident) != after.get(ident)
        for c in (before.get(ident), after.get(ident))
        if c is not None
    ]


class _Edit:
    """One update of a state by what changed in the store since, in the steps
    ``update_state`` takes them: organisations, the deals they name, the party sets
    those deals reach, and the frame spliced from the old one."""

    def __init__(
        self,
        state: DashboardState,
        listed: Sequence[corrections.Correction],
        changed: list[corrections.Correction],
    ) -> None:
        self.state = state
        self.listed = listed
        self.changed = changed
        self.old_active = [c for c in state.corrections if c.undone_at is None]
        self.new_active = [c for c in listed if c.undone_at is None]
        self.old_names = corrections.name_map(self.old_active)
        self.new_names = corrections.name_map(self.new_active)
        # Organisations as stored: those the new rows name are read again.
        self.raw = state.raw_organisations
        self.touched_names: set[str] = set()
        self.corrected_orgs = state.organisations
        self.corrected_orgs_kept = True
        self.countries = (state.countries, state.countries)

    def read_new_organisations(self, engine: Engine) -> None:
        state, raw = self.state, self.state.raw_organisations
        ids = store.organisations_touched_since(
            engine, state.rows.get("deals_max", 0), state.rows.get("mentions_max", 0)
        )
        fresh = store.organisations_frame(engine, ids)
        kept = raw[~raw["id"].isin(ids)]
        old_country = dict(zip(raw["id"].tolist(), raw["country"].tolist(), strict=True))
        for org_id, name, country in zip(
            fresh["id"].tolist(), fresh["name"].tolist(), fresh["country"].tolist(), strict=True
        ):
            if org_id in old_country and old_country[org_id] != country:
                self.touched_names.add(name)  # an ingest filled its country in
        fresh = fresh[(fresh["mentions"] > 0) | (fresh["deals"] > 0)]
        raw = (
            pd.concat([kept, fresh], ignore_index=True)
            .sort_values(["name", "id"], kind="stable")
            .reset_index(drop=True)
            if len(fresh)
            else kept.reset_index(drop=True)
        )
        for column in state.raw_organisations.columns:
            if raw[column].dtype != state.raw_organisations[column].dtype:
                raw[column] = raw[column].astype(state.raw_organisations[column].dtype)
        self.raw = raw

    def correct_organisations(self) -> None:
        org_changes = [c for c in self.changed if c.action in corrections.ORG_ACTIONS]
        for c in org_changes:
            self.touched_names.add(c.target)
            if c.action in corrections.NAME_ACTIONS:
                self.touched_names.add(corrections._into(c.action, c.payload))
        state = self.state
        self.corrected_orgs_kept = not org_changes and self.raw is state.raw_organisations
        if self.corrected_orgs_kept:
            self.corrected_orgs = state.organisations.copy()
        else:
            self.corrected_orgs = corrections.corrected_organisations_frame(
                self.raw, self.new_active
            )
            self.countries = (state.countries, corrections.org_countries(self.corrected_orgs))

    def _raw_names_touched(self) -> set[str]:
        """Stored names whose corrected name, before or after, is a touched one."""
        old_names, new_names = self.old_names, self.new_names
        finals = set(self.touched_names)
        finals |= {old_names.get(n, n) for n in self.touched_names}
        finals |= {new_names.get(n, n) for n in self.touched_names}
        stored_names = set(self.raw["name"].tolist())
        stored_names |= set(self.state.raw_organisations["name"].tolist())
        stored_names |= set(old_names) | set(new_names)
        return {
            n
            for n in stored_names
            if n in finals or old_names.get(n, n) in finals or new_names.get(n, n) in finals
        }

    def named_deal_ids(self, engine: Engine, rows: dict, new_deals: bool) -> set[int]:
        """The mentions a change names directly."""
        wanted: set[int] = set()
        if new_deals:
            wanted |= set(range(self.state.rows.get("deals_max", 0) + 1, rows["deals_max"] + 1))
        if self.touched_names:
            wanted |= store.deal_ids_naming(engine, self._raw_names_touched())
        named_now = [n for c in self.changed if c.action in EDIT for n in _named(c)]
        wanted |= _ids_of(engine, named_now)
        # A correction that followed its deal by address (a re-extraction renamed a
        # party) names a key no longer stored: the deals of its place are its candidates.
        wanted |= store.deal_ids_in_items(
            engine,
            {
                (a["article_id"], int(a.get("item_index") or 0))
                for _, a in named_now
                if a and a.get("article_id")
            },
        )
        return wanted

    def _party_sets(self, read: pd.DataFrame) -> set[frozenset[str]]:
        """The party sets of ``read`` before and after the corrections."""
        sets: set[frozenset[str]] = set()
        for active, orgs, known in (
            (self.old_active, self.state.raw_organisations, self.countries[0]),
            (self.new_active, self.raw, self.countries[1]),
        ):
            rows_now = corrections.corrected_deal_rows(read, orgs, active, countries=known)
            sets |= set(_party_keys(rows_now[rows_now["status"] != "manual"]))
        return sets

    def _edits_reached(
        self, read: pd.DataFrame, named: list[tuple[str, dict | None]]
    ) -> set[tuple[str, int]]:
        """Deal corrections naming a key or an article read so far: their keys join
        ``named``; their places are returned."""
        known_keys = set(read["deal_key"].tolist()) | {k for k, _ in named}
        articles = set(read["article_id"].tolist())
        places: set[tuple[str, int]] = set()
        for c in (*self.new_active, *self.old_active):
            if c.action not in EDIT:
                continue
            pairs = _named(c)
            if any(k in known_keys or (a and a.get("article_id") in articles) for k, a in pairs):
                named.extend(pairs)
                places |= {
                    (a["article_id"], int(a.get("item_index") or 0))
                    for _, a in pairs
                    if a and a.get("article_id")
                }
        return places

    def read_until_closed(
        self, engine: Engine, wanted: set[int]
    ) -> tuple[pd.DataFrame, np.ndarray] | None:
        """Until nothing more comes in: their party sets before and after, every
        mention of those sets, and what deal corrections naming any of them name. The
        rows read and which frame rows are in those sets; None past MAX_ROUNDS."""
        state = self.state
        frame_manual = (state.deals["status"] == "manual").to_numpy()
        read = pd.DataFrame(columns=store.DEALS_FRAME_COLUMNS)
        sets: set[frozenset[str]] = set()
        in_sets = np.zeros(len(state.party_keys), dtype=bool)
        for _round in range(MAX_ROUNDS):
            missing = wanted - set(read["deal_id"].tolist())
            if not missing:
                return read, in_sets
            more = store.deals_frame(engine, missing)
            read = (
                more
                if read.empty
                else pd.concat([read, more], ignore_index=True)
                .sort_values("deal_id", kind="stable")
                .reset_index(drop=True)
            )
            sets |= self._party_sets(read)
            keys = pd.Series(state.party_keys, copy=False)
            in_sets = ~frame_manual & keys.isin(sets).to_numpy()
            named: list[tuple[str, dict | None]] = [
                (key, {"article_id": source["article_id"]})
                for sources in state.deals["sources"].iloc[np.flatnonzero(in_sets)].tolist()
                for source in sources
                for key in (source["deal_key"],)
            ]
            places = self._edits_reached(read, named)
            have = set(read["deal_key"].tolist())
            wanted |= _ids_of(engine, [(k, a) for k, a in named if k not in have])
            wanted |= store.deal_ids_in_items(engine, places)
        return None

    def spliced(
        self, version: tuple[str | None, int], rows: dict, read: pd.DataFrame, in_sets: np.ndarray
    ) -> DashboardState:
        """The new agreements of those party sets, and every deal added by hand, spliced
        into the kept rows of the old frame."""
        state, raw, countries = self.state, self.raw, self.countries
        frame_keys = state.party_keys
        frame_manual = (state.deals["status"] == "manual").to_numpy()
        corrected = corrections.corrected_deal_rows(
            read, raw, self.new_active, countries=countries[1]
        )
        merged = (
            consolidate(corrected, links=corrections.deal_links(read, raw, self.new_active))
            if len(corrected)
            else corrected
        )
        keep = ~frame_manual & ~in_sets
        gone = state.deals.iloc[np.flatnonzero(~keep)]
        tallies = {column: Counter(counts) for column, counts in state.tallies.items()}
        for column, counts in _tallies(gone).items():
            tallies[column].subtract(counts)
        if len(merged):
            added = _finish(merged)
            for column, counts in _tallies(added).items():
                tallies[column].update(counts)
            # One copy of the frame: the kept rows and the new ones, in a full build's order.
            joined = pd.concat([state.deals, added], ignore_index=True)
            joined_keys = np.concatenate([frame_keys, _key_array(_party_keys(added))])
            taken = np.concatenate([np.flatnonzero(keep), len(keep) + np.arange(len(added))])
        else:
            joined, joined_keys, taken = state.deals, frame_keys, np.flatnonzero(keep)
        taken = taken[np.argsort(_order(joined["deal_id"].to_numpy()[taken]), kind="stable")]
        splice = Splice(state.token, taken, len(state.deals))
        deals = joined.iloc[taken].reset_index(drop=True)
        party_keys = joined_keys[taken]
        strings = state.string_dtypes or _string_dtypes(read)
        others = {c: t for c, t in state.deals.dtypes.items() if c not in TEXT_COLUMNS}
        deals = _settle_dtypes(deals, strings, others)
        tallies = {column: +counts for column, counts in tallies.items()}  # zeros dropped
        organisations = _count_deals(self.corrected_orgs, deals, tallies["parties"])
        return DashboardState(
            version,
            deals,
            organisations,
            raw,
            tuple(self.listed),
            rows,
            tallies,
            strings,
            party_keys,
            countries[1],
            splice=splice,
        )


EDIT = corrections.EDIT_ACTIONS


def _ids_of(engine: Engine, named: list[tuple[str, dict | None]]) -> set[int]:
    """Ids of the stored deals under these keys: looked for in their articles when
    known (an indexed read), else among every deal."""
    by_article: dict[str, set[str]] = {}
    bare: set[str] = set()
    for key, address in named:
        if not key:
            continue
        article = address.get("article_id") if address else None
        if article:
            by_article.setdefault(article, set()).add(key)
        else:
            bare.add(key)
    found = store.deal_ids_in_articles(engine, by_article) if by_article else set()
    return found | (store.deal_ids_keyed(engine, bare) if bare else set())


def _key_array(keys: list[frozenset[str]]) -> np.ndarray:
    array = np.empty(len(keys), dtype=object)
    array[:] = keys
    return array


def _count_deals(
    organisations: pd.DataFrame, deals: pd.DataFrame, parties: Counter
) -> pd.DataFrame:
    """``corrections.count_deals`` from the tally of parties over rows: the same but
    where one key heads several rows (one sentence stating two deals of the same
    parties), counted once (``count_deals`` counts distinct keys)."""
    counts = dict(parties)
    keys = deals["deal_key"]
    repeated = keys.duplicated(keep=False).to_numpy()
    if repeated.any():
        pairs: dict[str, list[str]] = {}
        for key, names in zip(
            keys[repeated].tolist(), deals["parties"][repeated].tolist(), strict=True
        ):
            for name in names:
                pairs.setdefault(name, []).append(key)
        for name, listed in pairs.items():
            counts[name] -= len(listed) - len(set(listed))
    if len(organisations):
        organisations["deals"] = [counts.get(n, 0) for n in organisations["name"].tolist()]
    return organisations
