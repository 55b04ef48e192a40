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

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from atlas import corrections, store
from atlas.consolidate import consolidate

# Rounds of "these mentions bring in those" before giving up (a full rebuild then).
MAX_ROUNDS = 8


@dataclass(frozen=True)
class DashboardState:
    """The prepared tables and what they were made from."""

    version: tuple[str | None, int]  # store.data_version they reflect
    deals: pd.DataFrame  # consolidated, corrected, with atlas.query.with_dates' columns
    organisations: pd.DataFrame  # corrected, deals counted
    raw_organisations: pd.DataFrame  # store.organisations_frame as read
    corrections: tuple[corrections.Correction, ...]  # every one listed, undone too
    rows: dict[str, int]  # store.rows_summary when read
    # The text columns pandas reads as its string dtype (a deal added by hand, with
    # None in some of them, makes them object columns): the splice keeps to that.
    string_dtypes: dict[str, object]

    @property
    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return self.deals, self.organisations


def _party_keys(frame: pd.DataFrame) -> list[frozenset[str]]:
    """What consolidation groups by (``atlas.consolidate``): the case-folded party set."""
    return [frozenset(map(str.casefold, p)) for p in frame["parties"].tolist()]


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
    return DashboardState(
        version,
        _settle_dtypes(_finish(deals), strings),
        organisations,
        raw_organisations,
        tuple(listed),
        rows,
        strings,
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


def _order(deals: pd.DataFrame) -> np.ndarray:
    """Where each row goes in a full build: extracted deals by their representative's
    id (the store's order), then deals added by hand in the order they were added
    (their ``deal_id`` is minus their correction's id)."""
    ids = deals["deal_id"].to_numpy(dtype=np.int64)
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
    rows = store.rows_summary(
        engine, upto=(state.rows.get("deals_max", 0), state.rows.get("mentions_max", 0))
    )
    if rows["deals_upto"] != state.rows.get("deals") or rows["mentions_upto"] != state.rows.get(
        "mentions"
    ):
        return None  # rows deleted: a re-extraction or a replaced article
    rows = {k: v for k, v in rows.items() if not k.endswith("_upto")}
    listed = corrections.list_corrections(engine)
    before = {c.id: c for c in state.corrections if c.undone_at is None}
    after = {c.id: c for c in listed if c.undone_at is None}
    changed = [
        c
        for ident in sorted(before.keys() | after.keys())
        if before.get(ident) != after.get(ident)
        for c in (before.get(ident), after.get(ident))
        if c is not None
    ]
    new_deals = rows["deals_max"] > state.rows.get("deals_max", 0)
    new_mentions = rows["mentions_max"] > state.rows.get("mentions_max", 0)
    if not changed and not new_deals and not new_mentions:
        return replace(state, version=version, rows=rows, corrections=tuple(listed))

    old_active = [c for c in state.corrections if c.undone_at is None]
    new_active = [c for c in listed if c.undone_at is None]
    old_names = corrections.name_map(old_active)
    new_names = corrections.name_map(new_active)

    # Organisations as stored: those the new rows name are read again.
    raw = state.raw_organisations
    touched_names: set[str] = set()
    if new_deals or new_mentions:
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
                touched_names.add(name)  # an ingest filled its country in
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

    org_changes = [c for c in changed if c.action in corrections.ORG_ACTIONS]
    for c in org_changes:
        touched_names.add(c.target)
        if c.action in corrections.NAME_ACTIONS:
            touched_names.add(corrections._into(c.action, c.payload))
    if org_changes or raw is not state.raw_organisations:
        corrected_orgs = corrections.corrected_organisations_frame(raw, new_active)
    else:
        corrected_orgs = state.organisations.copy()

    # The mentions a change names directly.
    wanted: set[int] = set()
    if new_deals:
        wanted |= set(range(state.rows.get("deals_max", 0) + 1, rows["deals_max"] + 1))
    if touched_names:
        finals = set(touched_names)
        finals |= {old_names.get(n, n) for n in touched_names}
        finals |= {new_names.get(n, n) for n in touched_names}
        stored_names = set(raw["name"].tolist()) | set(state.raw_organisations["name"].tolist())
        stored_names |= set(old_names) | set(new_names)
        raw_names = {
            n
            for n in stored_names
            if n in finals or old_names.get(n, n) in finals or new_names.get(n, n) in finals
        }
        wanted |= store.deal_ids_naming(engine, raw_names)
    keys = {k for c in changed if c.action in corrections.EDIT_ACTIONS for k, _ in _named(c)}
    wanted |= store.deal_ids_keyed(engine, keys)

    # Until nothing more comes in: their party sets before and after, every mention of
    # those sets, and what deal corrections naming any of them name.
    frame_keys = _party_keys(state.deals)
    frame_manual = (state.deals["status"] == "manual").to_numpy()
    edits = [c for c in new_active if c.action in corrections.EDIT_ACTIONS]
    old_edits = [c for c in old_active if c.action in corrections.EDIT_ACTIONS]
    read = pd.DataFrame(columns=store.DEALS_FRAME_COLUMNS)
    sets: set[frozenset[str]] = set()
    for _round in range(MAX_ROUNDS):
        missing = wanted - set(read["deal_id"].tolist())
        if not missing:
            break
        more = store.deals_frame(engine, missing)
        read = (
            more
            if read.empty
            else pd.concat([read, more], ignore_index=True)
            .sort_values("deal_id", kind="stable")
            .reset_index(drop=True)
        )
        for active, orgs in ((old_active, None), (new_active, corrected_orgs)):
            corrected, _ = corrections.apply_corrections(
                read,
                state.raw_organisations if orgs is None else raw,
                active,
                corrected_organisations=(
                    state.organisations.copy() if orgs is None else orgs.copy()
                ),
            )
            machine = corrected[corrected["status"] != "manual"]
            sets |= set(_party_keys(machine))
        in_sets = [i for i, key in enumerate(frame_keys) if not frame_manual[i] and key in sets]
        more_keys = {k for keys_ in state.deals["deal_keys"].iloc[in_sets] for k in keys_}
        known_keys = set(read["deal_key"].tolist()) | more_keys
        articles = set(read["article_id"].tolist())
        places: set[tuple[str, int]] = set()
        for c in (*edits, *old_edits):
            named = _named(c)
            if any(k in known_keys or (a and a.get("article_id") in articles) for k, a in named):
                more_keys |= {k for k, _ in named}
                places |= {
                    (a["article_id"], int(a.get("item_index") or 0))
                    for _, a in named
                    if a and a.get("article_id")
                }
        wanted |= store.deal_ids_keyed(engine, more_keys - set(read["deal_key"].tolist()))
        wanted |= store.deal_ids_in_items(engine, places)
    else:
        return None

    # The new agreements of those party sets, and every deal added by hand.
    corrected, _ = corrections.apply_corrections(
        read, raw, new_active, corrected_organisations=corrected_orgs.copy()
    )
    merged = (
        consolidate(corrected, links=corrections.deal_links(read, raw, new_active))
        if len(corrected)
        else corrected
    )
    keep = ~frame_manual & ~np.fromiter((k in sets for k in frame_keys), bool, len(frame_keys))
    parts = [state.deals[keep]]
    if len(merged):
        parts.append(_finish(merged))
    deals = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    deals = deals.iloc[np.argsort(_order(deals), kind="stable")].reset_index(drop=True)
    strings = state.string_dtypes or _string_dtypes(read)
    others = {c: t for c, t in state.deals.dtypes.items() if c not in TEXT_COLUMNS}
    deals = _settle_dtypes(deals, strings, others)
    organisations = corrections.count_deals(corrected_orgs, deals)
    return DashboardState(version, deals, organisations, raw, tuple(listed), rows, strings)
