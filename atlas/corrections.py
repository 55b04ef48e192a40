"""User corrections, stored as their own records and applied on top of extraction.

Extraction tables are rebuilt on every re-extraction; corrections are not touched
by it. They point at organisations by name and at deals by ``deal_key`` (a hash
of article, item, sentence and parties), so they apply again to a fresh
extraction. Each can be undone; the list of them is the audit trail.

Two things keep them honest when the data under them moves:

- Merges and renames form chains (A merged into B, B renamed C: A is C). A
  correction that would close a loop (A into B, then B into A) is refused when
  made; one already stored (older data, or two people at once) is ignored when
  applied: the earlier correction wins and the later is listed as "ignored".
- A deal correction also records the deal's address (article, item, evidence
  sentence, parties and the words the text used for them). A re-extraction that
  renames a party (a new lexicon alias) changes the ``deal_key``; the correction
  then follows the deal of the same sentence whose parties are the same
  organisations under their new names. One that matches no deal is listed as
  "orphaned" until it is re-attached or dropped. Corrections recorded before
  addresses were kept match by ``deal_key`` alone; ``record_addresses`` gives
  them one before a re-extraction.

Deals are consolidated across articles (``atlas.consolidate``): a deal the user
sees may gather several mentions. A correction made on it names every mention
(``target`` the representative's key, ``payload["members"]`` the others', each with
its address), so it is one correction, undone as one, and applies to every mention
it named wherever a re-extraction moved them. Two more actions steer the grouping:
``merge_deals`` (these mentions are one deal; refused for deals of different
parties) and ``split_deal`` (this mention is a deal of its own).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from atlas import store
from atlas.models import DEAL_TYPES, ORG_KINDS
from atlas.names import InvalidName, clean_name
from atlas.organisations import normalise_name
from atlas.schema import corrections as corrections_table
from atlas.store import ORGANISATIONS_FRAME_COLUMNS, mark_changed
from atlas.store.rows import inserted_id, now_iso

ORG_ACTIONS = ("merge_org", "rename_org", "set_org")
LINK_ACTIONS = ("merge_deals", "split_deal")  # how mentions group into deals
DEAL_ACTIONS = (
    "reject_deal",
    "set_deal_type",
    "set_deal_parties",
    "confirm_deal",
    "add_deal",
    *LINK_ACTIONS,
)
ACTIONS = ORG_ACTIONS + DEAL_ACTIONS
# Corrections of a deal the machine found: they carry its address and can be orphaned.
EDIT_ACTIONS = ("reject_deal", "set_deal_type", "set_deal_parties", "confirm_deal", *LINK_ACTIONS)
NAME_ACTIONS = ("merge_org", "rename_org")  # the ones that move an organisation to a new name
_MOVED = {"merge_org": "merged into", "rename_org": "renamed"}


class CorrectionError(ValueError):
    """A correction that cannot be recorded, with a reason for the user."""


@dataclass(frozen=True)
class Correction:
    id: int
    created_at: str
    action: str
    target: str
    payload: dict
    comment: str
    undone_at: str | None
    created_by: str | None = None  # the editor who made it (None: open app or older data)
    undone_by: str | None = None

    @property
    def address(self) -> dict | None:
        """Where the corrected deal was when the correction was made (None for
        corrections recorded before addresses were kept, and for other actions)."""
        address = self.payload.get("address")
        return address if isinstance(address, dict) else None

    @property
    def members(self) -> list[tuple[str, dict | None]]:
        """The other mentions of the consolidated deal it was made on (or, for a
        merge, of the deals merged): (deal_key, address) each."""
        found = []
        for member in self.payload.get("members") or ():
            if isinstance(member, dict) and member.get("deal_key"):
                address = member.get("address")
                found.append((member["deal_key"], address if isinstance(address, dict) else None))
        return found


# Rows asked for by id or name go in batches: SQLite allows at most 999 bound values
# in a statement (older builds), PostgreSQL 65,535.
IN_BATCH = 500


def _batches(values: list) -> Iterator[list]:
    for start in range(0, len(values), IN_BATCH):
        yield values[start : start + IN_BATCH]


def _validate(action: str, target: str, payload: dict) -> None:
    if action not in ACTIONS:
        raise CorrectionError(f"unknown correction {action!r}")
    if action in ORG_ACTIONS:
        _validate_org(action, target, payload)
    else:
        _validate_deal(action, target, payload)


def _validate_org(action: str, target: str, payload: dict) -> None:
    if not target.strip():
        raise CorrectionError("name the organisation to correct")
    if action == "merge_org" and (not payload.get("into") or payload["into"] == target):
        raise CorrectionError("merge needs another organisation to merge into")
    if action == "rename_org" and not str(payload.get("name", "")).strip():
        raise CorrectionError("the new name is empty")
    if action == "rename_org" and str(payload["name"]).strip() == target:
        raise CorrectionError("the new name is the name it has")
    if action == "set_org" and payload.get("kind") not in (None, *ORG_KINDS):
        raise CorrectionError(f"kind must be one of {', '.join(ORG_KINDS)}")


def _validate_deal(action: str, target: str, payload: dict) -> None:
    # In this order: which of several faults is said first stays the same.
    if action == "set_deal_type" and payload.get("type") not in DEAL_TYPES:
        raise CorrectionError(f"type must be one of {', '.join(DEAL_TYPES)}")
    if action in ("set_deal_parties", "add_deal"):
        parties = [p.strip() for p in payload.get("parties", []) if str(p).strip()]
        if len(set(parties)) < 2:
            raise CorrectionError("a deal needs at least two different parties")
    if action == "add_deal" and payload.get("type") not in DEAL_TYPES:
        raise CorrectionError(f"type must be one of {', '.join(DEAL_TYPES)}")
    if action == "add_deal" and not str(payload.get("evidence", "")).strip():
        raise CorrectionError("quote the sentence that proves the deal")
    if action in EDIT_ACTIONS and not target:
        raise CorrectionError("which deal?")
    if action == "merge_deals" and not set(_member_keys(payload)) - {target}:
        raise CorrectionError("a merge needs two deals")


def _member_keys(payload: dict) -> list[str]:
    """The mention keys a payload's ``members`` names (as given: keys or dicts)."""
    keys = []
    for member in payload.get("members") or ():
        key = member.get("deal_key") if isinstance(member, dict) else member
        if isinstance(key, str) and key:
            keys.append(key)
    return list(dict.fromkeys(keys))


# --------------------------------------------------------------- organisation names


@dataclass(frozen=True)
class _Step:
    """One merge or rename in force: ``target`` now goes by ``into``."""

    into: str
    correction: Correction

    def says(self, name: str) -> str:
        return f"{name} was {_MOVED[self.correction.action]} {self.into} by correction #{self.correction.id}"


def _into(action: str, payload: dict) -> str:
    return payload["into"] if action == "merge_org" else str(payload["name"]).strip()


def _org_steps(active: Iterable[Correction]) -> tuple[dict[str, _Step], dict[int, str]]:
    """The merges and renames in force, and why each other one is ignored.

    Taken in the order they were made, each name moves at most once and never
    back into a loop: the earlier correction wins. Loops get in only from data
    written before this check, or by two people at once."""
    steps: dict[str, _Step] = {}
    ignored: dict[int, str] = {}
    for c in sorted(active, key=lambda c: c.id):
        if c.undone_at is not None or c.action not in NAME_ACTIONS:
            continue
        into = _into(c.action, c.payload)
        if into == c.target:
            ignored[c.id] = "ignored: it names the organisation itself"
        elif c.target in steps:
            ignored[c.id] = f"ignored: {steps[c.target].says(c.target)} first"
        elif _final(steps, into) == c.target:
            ignored[c.id] = f"ignored: it would undo correction #{steps[into].correction.id}"
        else:
            steps[c.target] = _Step(into, c)
    return steps, ignored


def _final(steps: Mapping[str, _Step], name: str) -> str:
    seen = {name}
    while name in steps and steps[name].into not in seen:  # ``seen``: only a guard
        name = steps[name].into
        seen.add(name)
    return name


def name_map(active: list[Correction]) -> dict[str, str]:
    """Old name -> current name after merges and renames, chains resolved
    (A merged into B, B renamed C: A -> C); a loop never forms (see _org_steps)."""
    steps, _ = _org_steps(active)
    return {name: _final(steps, name) for name in steps}


def _check_name_change(active: list[Correction], action: str, target: str, payload: dict) -> None:
    """Refuse a merge or rename that would contradict one in force."""
    steps, _ = _org_steps(active)
    into = _into(action, payload)
    if target in steps:
        step = steps[target]
        raise CorrectionError(f"{step.says(target)}; undo #{step.correction.id} first")
    if _final(steps, into) == target:
        step = steps[into]
        raise CorrectionError(
            f"that would swap them back: {step.says(into)}; undo #{step.correction.id} instead"
        )
    if action == "rename_org" and into in steps:
        step = steps[into]
        final = _final(steps, into)
        raise CorrectionError(
            f"{into} is now {final} (correction #{step.correction.id}): "
            f"merge into {final} or choose another name"
        )


# --------------------------------------------------------------------- deal addresses


def _squash(text: object) -> str:
    return " ".join(str(text or "").split())


def _deal_addresses(conn: Connection, keys: Iterable[str]) -> dict[str, dict]:
    """The address of the deal each of ``keys`` names in the store now (the first
    one when several share a key)."""
    rows = _deals_keyed(conn, keys)
    if not rows:
        return {}
    named = _party_names(conn, [row[0] for row in rows.values()])
    surfaces = _party_surfaces(
        conn,
        sorted({row[2] for row in rows.values()}),
        sorted({org_id for pairs in named.values() for org_id, _ in pairs}),
    )
    addresses = {}
    for key, (deal_id, _key, article_id, item_index, evidence) in rows.items():
        pairs = named.get(deal_id, [])
        addresses[key] = {
            "article_id": article_id,
            "item_index": item_index,
            "evidence": evidence,
            "parties": [name for _, name in pairs],
            "surfaces": [
                sorted(surfaces.get((article_id, item_index, org_id), ())) for org_id, _ in pairs
            ],
        }
    return addresses


def _deals_keyed(conn: Connection, keys: Iterable[str]) -> dict[str, tuple]:
    """(id, key, article id, item index, evidence) of the first deal stored under each key."""
    deals = store.deals
    rows: dict[str, tuple] = {}
    for batch in _batches(sorted({k for k in keys if k})):
        query = (
            select(
                deals.c.id,
                deals.c.deal_key,
                deals.c.article_id,
                deals.c.item_index,
                deals.c.evidence,
            )
            .where(deals.c.deal_key.in_(batch))
            .order_by(deals.c.id)
        )
        for row in conn.execute(query):
            rows.setdefault(row.deal_key, tuple(row))
    return rows


def _party_names(conn: Connection, deal_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """(organisation id, name) of each deal's parties, in the deal's order."""
    parties, orgs = store.deal_parties, store.organisations
    named: dict[int, list[tuple[int, str]]] = {}
    for batch in _batches(deal_ids):
        query = (
            select(parties.c.deal_id, orgs.c.id, orgs.c.name)
            .join(orgs, orgs.c.id == parties.c.organisation_id)
            .where(parties.c.deal_id.in_(batch))
            .order_by(parties.c.deal_id, parties.c.position)
        )
        for deal_id, org_id, name in conn.execute(query):
            named.setdefault(deal_id, []).append((org_id, name))
    return named


def _party_surfaces(
    conn: Connection, article_ids: list[str], org_ids: list[int]
) -> dict[tuple[str, int, int], set[str]]:
    """The words the text used for each party, by (article, item, organisation): after a
    rename they are what ties the old name to the new one (the new organisation has them
    as aliases)."""
    mentions = store.mentions
    surfaces: dict[tuple[str, int, int], set[str]] = {}
    for batch in _batches(article_ids):
        query = select(
            mentions.c.article_id,
            mentions.c.item_index,
            mentions.c.organisation_id,
            mentions.c.text,
        ).where(
            mentions.c.article_id.in_(batch),
            mentions.c.organisation_id.in_(org_ids),
        )
        for article_id, item_index, org_id, text in conn.execute(query):
            surfaces.setdefault((article_id, item_index, org_id), set()).add(text)
    return surfaces


def _forms(name: str, others: Iterable[str]) -> set[str]:
    return {f for f in (normalise_name(n) for n in (name, *others)) if f}


def _follow(address: dict, candidates: list[tuple[str, str, list]], aliases_of) -> str | None:
    """The key of the deal ``address`` describes among the deals of its article
    item, or None. A candidate must quote the same sentence (or one holding it, or
    held by it, when sentences were split differently) and have, for every
    recorded party, a party with a name or alias in common with that party's name
    or its words in the text. The closest wins (same sentence, fewest extra
    parties); a tie between different deals matches nothing: better orphaned
    than moved to the wrong deal."""
    evidence = _squash(address.get("evidence"))
    names = list(address.get("parties") or [])
    words = list(address.get("surfaces") or [])
    wanted = [_forms(n, words[i] if i < len(words) else ()) for i, n in enumerate(names)]
    best: tuple[int, int] | None = None
    keys: set[str] = set()
    for key, text, parties in candidates:
        if text == evidence:
            closeness = 0
        elif evidence and text and (evidence in text or text in evidence):
            closeness = 1
        else:
            continue
        found = [_forms(p, aliases_of.get(p, ())) for p in parties]
        if not wanted or not all(any(w & f for f in found) for w in wanted):
            continue
        rank = (closeness, sum(not any(w & f for w in wanted) for f in found))
        if best is None or rank < best:
            best, keys = rank, {key}
        elif rank == best:
            keys.add(key)
    return next(iter(keys)) if len(keys) == 1 else None


def resolve_deal_targets(
    deals: pd.DataFrame, aliases_of: Mapping[str, Iterable[str]], active: Iterable[Correction]
) -> dict[int, str | None]:
    """For each deal correction in force, the ``deal_key`` of the deal it applies
    to in ``deals`` (machine deals), or None when it is orphaned.

    ``aliases_of`` maps an organisation's name to its aliases. ``deals`` may be
    only the deals of the corrections' articles and keys: the answer is the same."""
    return {
        correction_id: keys[0] if keys else None
        for correction_id, keys in resolve_deal_members(deals, aliases_of, active).items()
    }


def resolve_deal_members(
    deals: pd.DataFrame, aliases_of: Mapping[str, Iterable[str]], active: Iterable[Correction]
) -> dict[int, list[str]]:
    """For each deal correction in force, the ``deal_key`` of every mention in
    ``deals`` it applies to: its target's and its members' (see ``Correction.members``),
    each followed by address like ``resolve_deal_targets``; [] when it is orphaned."""
    wanted = [c for c in active if c.undone_at is None and c.action in EDIT_ACTIONS]
    if not wanted:
        return {}
    named = [
        ((c.id, index), key, address)
        for c in wanted
        for index, (key, address) in enumerate([(c.target, c.address), *c.members])
    ]
    found = _resolve_addresses(deals, aliases_of, named)
    resolved: dict[int, list[str]] = {c.id: [] for c in wanted}
    for (correction_id, _index), _key, _address in named:
        key = found.get((correction_id, _index))
        if key and key not in resolved[correction_id]:
            resolved[correction_id].append(key)
    return resolved


def _resolve_addresses(
    deals: pd.DataFrame,
    aliases_of: Mapping[str, Iterable[str]],
    named: Sequence[tuple[Hashable, str, dict | None]],
) -> dict[Hashable, str | None]:
    """(id, key, address) each -> the key of the mention it names in ``deals`` now."""
    keys = set(deals["deal_key"].tolist()) if "deal_key" in deals.columns else set()
    addressable = {"article_id", "item_index", "evidence", "parties"} <= set(deals.columns)
    found: dict[object, str | None] = {}
    pending: list[tuple[object, dict]] = []
    for ident, key, address in named:
        if key in keys:
            found[ident] = key
        elif address and addressable:
            pending.append((ident, address))
        else:
            found[ident] = None
    if pending:
        articles = {address.get("article_id") for _, address in pending}
        by_item: dict[tuple, list] = {}
        columns = zip(
            deals["article_id"].tolist(),
            deals["item_index"].tolist(),
            deals["deal_key"].tolist(),
            deals["evidence"].tolist(),
            deals["parties"].tolist(),
            strict=True,
        )
        for article_id, item_index, key, evidence, parties in columns:
            if article_id in articles:
                by_item.setdefault((article_id, int(item_index)), []).append(
                    (key, _squash(evidence), list(parties))
                )
        for ident, address in pending:
            place = (address.get("article_id"), int(address.get("item_index") or 0))
            found[ident] = _follow(address, by_item.get(place, []), aliases_of)
    return found


# ------------------------------------------------------------------ recording them


def _active(conn: Connection, *, but: int | None = None) -> list[Correction]:
    query = select(corrections_table).where(corrections_table.c.undone_at.is_(None))
    if but is not None:
        query = query.where(corrections_table.c.id != but)
    return [
        _correction(row) for row in conn.execute(query.order_by(corrections_table.c.id)).mappings()
    ]


def _insert(
    conn: Connection, action: str, target: str, payload: dict, comment: str, by: str | None
) -> int:
    values = {
        "created_at": now_iso(),
        "action": action,
        "target": target,
        "payload_json": json.dumps(payload, ensure_ascii=False),
        "comment": comment,
    }
    if by:
        values["created_by"] = by
    return inserted_id(conn.execute(insert(corrections_table).values(**values)))


def _undo(conn: Connection, correction_id: int, by: str | None) -> None:
    values = {"undone_at": now_iso()}
    if by:
        values["undone_by"] = by
    conn.execute(
        update(corrections_table)
        .where(corrections_table.c.id == correction_id, corrections_table.c.undone_at.is_(None))
        .values(**values)
    )


def add_correction(
    engine: Engine,
    action: str,
    target: str = "",
    payload: dict | None = None,
    *,
    comment: str = "",
    by: str | None = None,
) -> int:
    """Record one correction (made by editor ``by``); returns its id. A deal
    correction records the deal's address as well (when its key names a stored
    deal), and ``payload["members"]`` (the other mention keys of a consolidated
    deal, or of the deals a merge joins) each with its address; a merge or rename
    that contradicts one in force is refused, and so is a merge of deals between
    different organisations."""
    payload = {k: v for k, v in (payload or {}).items() if k != "address"}
    try:  # names a user typed: no bidirectional controls, at most MAX_NAME_CHARS
        if action == "rename_org":
            payload["name"] = clean_name(payload.get("name"))
        if action in ("set_deal_parties", "add_deal"):
            payload["parties"] = [
                clean_name(p) for p in payload.get("parties", []) if str(p).strip()
            ]
    except InvalidName as error:
        raise CorrectionError(str(error)) from error
    _validate(action, target, payload)
    with engine.begin() as conn:
        # First, not last: it takes the store's write lock (SQLite) or the counter's
        # row lock (PostgreSQL), so the check below sees every correction committed
        # before, and two people merging A into B and B into A cannot both pass.
        mark_changed(conn)
        if action in NAME_ACTIONS:
            _check_name_change(_active(conn), action, target, payload)
        if action in EDIT_ACTIONS:
            members = [k for k in _member_keys(payload) if k != target]
            addresses = _deal_addresses(conn, [target, *members])
            if target in addresses:
                payload["address"] = addresses[target]
            payload.pop("members", None)
            if members:
                payload["members"] = [
                    {"deal_key": k, **({"address": addresses[k]} if k in addresses else {})}
                    for k in members
                ]
            if action in LINK_ACTIONS:
                _check_link(conn, action, [target, *members], addresses)
        return _insert(conn, action, target, payload, comment, by)


def _check_link(conn: Connection, action: str, keys: list[str], addresses: dict) -> None:
    """Refuse a merge or split of deals that are not in the store (a deal added by
    hand has no mention to group), and a merge of deals between different
    organisations as the user sees them (merges, renames and re-partied deals applied)."""
    if any(k not in addresses for k in keys):
        raise CorrectionError(
            "only deals found in articles can be merged or split, and this one is not in "
            "the store (added by hand, or gone since): reload the page"
        )
    if action != "merge_deals":
        return
    active = _active(conn)
    names = name_map(active)
    parties = {k: list(addresses[k]["parties"]) for k in keys}
    for c in active:  # in the order made: the latest re-partying wins
        if c.action == "set_deal_parties":
            for key in (c.target, *(k for k, _ in c.members)):
                if key in parties:
                    parties[key] = [str(p).strip() for p in c.payload.get("parties", [])]
    shown = {k: list(dict.fromkeys(names.get(p, p) for p in parties[k] if p)) for k in keys}
    if len({frozenset(p.casefold() for p in names_) for names_ in shown.values()}) > 1:
        different = list(dict.fromkeys(" + ".join(sorted(v)) for v in shown.values()))
        raise CorrectionError(
            "only deals between the same organisations can be merged, and these are between "
            f"{' and '.join(different)}: correct the parties first"
        )


def undo_correction(engine: Engine, correction_id: int, *, by: str | None = None) -> None:
    with engine.begin() as conn:
        _undo(conn, correction_id, by)
        mark_changed(conn)


def reattach_correction(
    engine: Engine, correction_id: int, target: str, *, by: str | None = None
) -> int:
    """Point an orphaned correction at ``target`` (a deal's key, or an
    organisation's name): the old record is undone and a new one made with the
    same change and comment, so the list still shows what happened. Returns the
    new id."""
    with engine.begin() as conn:
        mark_changed(conn)  # first, as in add_correction
        row = (
            conn.execute(select(corrections_table).where(corrections_table.c.id == correction_id))
            .mappings()
            .first()
        )
        if row is None or row["undone_at"] is not None:
            raise CorrectionError(f"correction #{correction_id} is undone or gone")
        old = _correction(row)
        payload = {k: v for k, v in old.payload.items() if k != "address"}
        payload["reattached_from"] = old.id
        if old.action in EDIT_ACTIONS:
            address = _deal_addresses(conn, [target]).get(target)
            if address is None:
                raise CorrectionError("that deal is no longer in the store; reload the page")
            payload["address"] = address
        elif old.action in ORG_ACTIONS:
            _validate(old.action, target, payload)
            if old.action in NAME_ACTIONS:
                _check_name_change(_active(conn, but=old.id), old.action, target, payload)
        else:
            raise CorrectionError("a deal added by hand is not attached to anything")
        _undo(conn, old.id, by)
        return _insert(conn, old.action, target, payload, old.comment, by)


def record_addresses(engine: Engine) -> int:
    """Give each deal correction in force that has no address yet (recorded by an
    older version) the address of the deal its key names now, so it follows that
    deal through the re-extraction about to happen. Returns how many were given one."""
    with engine.connect() as conn:
        bare = [
            c for c in _active(conn) if c.action in EDIT_ACTIONS and c.address is None and c.target
        ]
    if not bare:
        return 0
    with engine.begin() as conn:
        addresses = _deal_addresses(conn, [c.target for c in bare])
        given = 0
        for c in bare:
            if c.target in addresses:
                payload = {**c.payload, "address": addresses[c.target]}
                conn.execute(
                    update(corrections_table)
                    .where(corrections_table.c.id == c.id)
                    .values(payload_json=json.dumps(payload, ensure_ascii=False))
                )
                given += 1
        if given:
            mark_changed(conn)
    return given


def _correction(row) -> Correction:
    return Correction(
        row["id"],
        row["created_at"],
        row["action"],
        row["target"],
        json.loads(row["payload_json"] or "{}"),
        row["comment"],
        row["undone_at"],
        row.get("created_by"),
        row.get("undone_by"),
    )


def list_corrections(engine: Engine, *, include_undone: bool = True) -> list[Correction]:
    query = select(corrections_table).order_by(corrections_table.c.id)
    if not include_undone:
        query = query.where(corrections_table.c.undone_at.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_correction(row) for row in rows]


def get_correction(engine: Engine, correction_id: int) -> Correction | None:
    with engine.connect() as conn:
        row = (
            conn.execute(select(corrections_table).where(corrections_table.c.id == correction_id))
            .mappings()
            .first()
        )
    return _correction(row) if row is not None else None


# ---------------------------------------------------------------- what each one does


def correction_states(engine: Engine, listed: list[Correction]) -> dict[int, str]:
    """Each correction's state: "active", "undone", "orphaned" (matches no deal or
    organisation in the store) or "ignored: <why>" (a merge or rename that a
    correction made before it overrides). Reads only the deals and organisations
    the corrections name, so it stays cheap on a big store."""
    active = [c for c in listed if c.undone_at is None]
    states = {c.id: "undone" for c in listed if c.undone_at is not None}
    _, ignored = _org_steps(active)
    states.update(ignored)
    edits = [c for c in active if c.action in EDIT_ACTIONS]
    with engine.connect() as conn:
        deals = _deals_named_by(conn, edits)
        aliases_of = _aliases_of(conn, {p for parties in deals["parties"] for p in parties})
        org_targets = {c.target for c in active if c.action in ORG_ACTIONS}
        known = _stored_names(conn, org_targets)
    for correction_id, key in resolve_deal_targets(deals, aliases_of, edits).items():
        states[correction_id] = "active" if key else "orphaned"
    # Names corrections themselves bring in count as present.
    for c in active:
        if c.action in NAME_ACTIONS:
            known.add(_into(c.action, c.payload))
        elif c.action in ("set_deal_parties", "add_deal"):
            known.update(str(p).strip() for p in c.payload.get("parties", []))
    for c in active:
        if c.id not in states:
            states[c.id] = (
                "orphaned" if c.action in ORG_ACTIONS and c.target not in known else "active"
            )
    return states


def _deals_named_by(conn: Connection, edits: list[Correction]) -> pd.DataFrame:
    """The machine deals the edits' keys name, and every deal of their articles."""
    deals, parties, orgs = store.deals, store.deal_parties, store.organisations
    named = [(k, a) for c in edits for k, a in [(c.target, c.address), *c.members]]
    keys = sorted({k for k, _ in named})
    articles = sorted({a["article_id"] for _, a in named if a and a.get("article_id") is not None})
    rows = {}
    for column, values in ((deals.c.deal_key, keys), (deals.c.article_id, articles)):
        for batch in _batches(values):
            query = select(
                deals.c.id,
                deals.c.deal_key,
                deals.c.article_id,
                deals.c.item_index,
                deals.c.evidence,
            ).where(column.in_(batch))
            rows.update({row.id: row for row in conn.execute(query)})
    party_names: dict[int, list[str]] = {}
    ids = sorted(rows)
    for batch in _batches(ids):
        query = (
            select(parties.c.deal_id, orgs.c.name)
            .join(orgs, orgs.c.id == parties.c.organisation_id)
            .where(parties.c.deal_id.in_(batch))
            .order_by(parties.c.deal_id, parties.c.position)
        )
        for row in conn.execute(query):
            party_names.setdefault(row.deal_id, []).append(row.name)
    return pd.DataFrame(
        {
            "deal_key": [rows[i].deal_key for i in ids],
            "article_id": [rows[i].article_id for i in ids],
            "item_index": [rows[i].item_index for i in ids],
            "evidence": [rows[i].evidence for i in ids],
            "parties": [party_names.get(i, []) for i in ids],
        }
    )


def _aliases_of(conn: Connection, names: set[str]) -> dict[str, list[str]]:
    orgs, aliases = store.organisations, store.aliases
    found: dict[str, list[str]] = {}
    names_list = sorted(names)
    for batch in _batches(names_list):
        query = (
            select(orgs.c.name, aliases.c.alias)
            .join(aliases, aliases.c.organisation_id == orgs.c.id)
            .where(orgs.c.name.in_(batch))
        )
        for name, alias in conn.execute(query):
            found.setdefault(name, []).append(alias)
    return found


def _stored_names(conn: Connection, names: set[str]) -> set[str]:
    """Those of ``names`` that name an organisation some article mentions or some deal has."""
    orgs = store.organisations
    mentioned = select(store.mentions.c.organisation_id)
    in_deals = select(store.deal_parties.c.organisation_id)
    found: set[str] = set()
    names_list = sorted(names)
    for batch in _batches(names_list):
        query = select(orgs.c.name).where(
            orgs.c.name.in_(batch),
            orgs.c.id.in_(mentioned) | orgs.c.id.in_(in_deals),
        )
        found.update(conn.execute(query).scalars())
    return found


def corrections_frame(
    engine: Engine,
    listed: list[Correction] | None = None,
    states: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """Every correction, newest last, with its ``state`` (see correction_states)
    and, for a deal correction, the parties of the deal it was made on. A caller that
    has read ``listed`` and their ``states`` already passes them (the Corrections page
    words the same list: ``atlas.correction_words``)."""
    listed = list_corrections(engine) if listed is None else listed
    states = correction_states(engine, listed) if states is None else states
    rows = [
        {
            "id": c.id,
            "when": c.created_at,
            "by": c.created_by or "",
            "action": c.action,
            "state": states.get(c.id, "active"),
            "target": c.target,
            "deal": " + ".join(c.address.get("parties", [])) if c.address else "",
            "change": _change(c),
            "comment": c.comment,
            "undone": c.undone_at or "",
            "undone by": c.undone_by or "",
        }
        for c in listed
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "when",
            "by",
            "action",
            "state",
            "target",
            "deal",
            "change",
            "comment",
            "undone",
            "undone by",
        ],
    )


def _change(c: Correction) -> str:
    """What the correction changed, for the list: plain words for how mentions group
    into deals, the recorded values for the others."""
    sources = 1 + len(c.members)
    if c.action == "merge_deals":
        return f"merged into one deal: {sources} sources"
    if c.action == "split_deal":
        evidence = " ".join(str((c.address or {}).get("evidence") or "").split())
        quoted = (
            f": \u201c{evidence[:80]}{'...' if len(evidence) > 80 else ''}\u201d"
            if evidence
            else ""
        )
        return f"this source made a deal of its own{quoted}"
    shown = {k: v for k, v in c.payload.items() if k not in ("address", "members")}
    text = json.dumps(shown, ensure_ascii=False) if shown else ""
    if sources > 1:
        text = f"{text} (all {sources} sources)".strip()
    return text


def apply_corrections(
    deals: pd.DataFrame, organisations: pd.DataFrame, active: list[Correction]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deals and organisations as the user sees them: merges, renames and
    attribute changes applied, rejected deals gone, edited deals changed,
    hand-made deals added. Deals gain ``status`` (machine, confirmed, corrected,
    manual)."""
    active = [c for c in active if c.undone_at is None]
    orgs = corrected_organisations_frame(organisations, active)
    frame = corrected_deal_rows(deals, organisations, active, countries=org_countries(orgs))
    return frame, count_deals(orgs, frame)


def org_countries(corrected_organisations: pd.DataFrame) -> dict[str, str]:
    """Name -> country of the organisations that have one (as the user sees them)."""
    if not len(corrected_organisations):
        return {}
    return {
        n: c
        for n, c in zip(
            corrected_organisations["name"].tolist(),
            corrected_organisations["country"].tolist(),
            strict=True,
        )
        if isinstance(c, str) and c
    }


def corrected_deal_rows(
    deals: pd.DataFrame,
    organisations: pd.DataFrame,
    active: list[Correction],
    *,
    countries: Mapping[str, str],
) -> pd.DataFrame:
    """``apply_corrections``' deals, given the corrected organisations' ``countries``
    (``org_countries``): ``atlas.incremental`` corrects a few deals at a time.
    ``organisations`` (as stored) give the aliases a correction follows its deal by."""
    active = [c for c in active if c.undone_at is None]
    names = name_map(active)

    def rename(name: str) -> str:
        return names.get(name, name)

    frame = deals.copy()
    by_key = _corrections_by_key(deals, organisations, active)
    # Column lists, not iterrows/.at: this runs over every deal on each cold start
    # (177,000 deals at 100,000 articles).
    keep: list[int] = []
    columns: dict[str, list] = {
        "type": [],
        "parties": [],
        "party_countries": [],
        "countries": [],
        "status": [],
    }
    keys = frame["deal_key"].tolist() if "deal_key" in frame.columns else [""] * len(frame)
    rows = zip(
        keys,
        frame["type"].tolist(),
        frame["parties"].tolist(),
        frame["countries"].tolist(),
        strict=True,
    )
    for position, (key, deal_type, row_parties, row_countries) in enumerate(rows):
        edited = _edited_deal(deal_type, row_parties, by_key.get(key or "", []), rename)
        if edited is None:
            continue
        deal_type, parties, status = edited
        keep.append(position)
        columns["type"].append(deal_type)
        columns["parties"].append(parties)
        columns["party_countries"].append([countries.get(p) for p in parties])
        columns["countries"].append(
            sorted({countries[p] for p in parties if countries.get(p)}) or list(row_countries)
        )
        columns["status"].append(status)
    frame = frame.iloc[keep].copy()
    for column, values in columns.items():
        frame[column] = values

    added = [c for c in active if c.action == "add_deal"]
    if added:
        frame = pd.concat(
            [frame, _manual_deals(added, rename, countries, frame.columns)], ignore_index=True
        )
    return frame.reset_index(drop=True)


def _corrections_by_key(
    deals: pd.DataFrame, organisations: pd.DataFrame, active: list[Correction]
) -> dict[str, list[Correction]]:
    """The corrections of each mention key. Each deal correction applies to the mentions
    it resolves to: its own keys, or the mentions their addresses lead to after a
    re-extraction renamed a party."""
    resolved = resolve_deal_members(deals, _LazyAliases(organisations), active)
    by_key: dict[str, list[Correction]] = {}
    for c in active:
        for key in resolved.get(c.id, ()):
            by_key.setdefault(key, []).append(c)
    return by_key


def _edited_deal(
    deal_type: str, parties: list[str], edits: list[Correction], rename: Callable[[str], str]
) -> tuple[str, list[str], str] | None:
    """(type, parties, status) of a deal after its corrections and the organisation
    names in force; None when it is rejected, or a merge folded its parties into one."""
    if any(c.action == "reject_deal" for c in edits):
        return None
    parties = list(parties)
    status = "machine"
    for c in edits:
        if c.action == "set_deal_type":
            deal_type = c.payload["type"]
            status = "corrected"
        elif c.action == "set_deal_parties":
            parties = [p.strip() for p in c.payload["parties"] if p.strip()]
            status = "corrected"
        elif c.action == "confirm_deal" and status == "machine":
            status = "confirmed"
    parties = list(dict.fromkeys(rename(p) for p in parties))
    if len(parties) < 2:
        return None  # a merge folded the two parties into one organisation
    return deal_type, parties, status


def count_deals(organisations: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """``organisations`` with ``deals`` counted from ``deals`` (after rejections,
    merges, additions and consolidation), in place; returned for chaining."""
    if len(organisations):
        deal_keys: dict[str, set] = {}
        for key, parties in zip(deals["deal_key"].tolist(), deals["parties"].tolist(), strict=True):
            for party in parties:
                deal_keys.setdefault(party, set()).add(key)
        organisations["deals"] = [len(deal_keys.get(n, ())) for n in organisations["name"].tolist()]
    return organisations


def deal_links(
    deals: pd.DataFrame, organisations: pd.DataFrame, active: list[Correction]
) -> list[tuple[str, list[str]]]:
    """The merges and splits in force, in the order made, as ``atlas.consolidate``
    takes them: ("merge", mention keys) and ("split", [mention key]), each key
    followed to the mention it names in ``deals`` now."""
    links = [c for c in active if c.undone_at is None and c.action in LINK_ACTIONS]
    if not links:
        return []
    resolved = resolve_deal_members(deals, _LazyAliases(organisations), links)
    found = []
    for c in sorted(links, key=lambda c: c.id):
        keys = resolved.get(c.id) or []
        if c.action == "split_deal" and keys:
            found.append(("split", keys[:1]))
        elif c.action == "merge_deals" and len(keys) > 1:
            found.append(("merge", keys))
    return found


def consolidated_deals(
    deals: pd.DataFrame, organisations: pd.DataFrame, active: list[Correction]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the dashboard shows: ``apply_corrections``, then the mentions grouped
    into one row per agreement (``atlas.consolidate``, the user's merges and
    splits honoured), organisations' deal counts counting those agreements."""
    from atlas.consolidate import consolidate

    active = [c for c in active if c.undone_at is None]
    corrected, orgs = apply_corrections(deals, organisations, active)
    merged = consolidate(corrected, links=deal_links(deals, organisations, active))
    return merged, count_deals(orgs, merged)


class _LazyAliases(Mapping):
    """Organisation name -> aliases from the organisations frame, indexed only if
    some correction needs to follow its deal (most cold starts need none)."""

    def __init__(self, organisations: pd.DataFrame) -> None:
        self._organisations = organisations
        self._index: dict[str, list[str]] | None = None

    def _built(self) -> dict[str, list[str]]:
        if self._index is None:
            frame = self._organisations
            self._index = (
                dict(zip(frame["name"].tolist(), frame["aliases"].tolist(), strict=True))
                if len(frame) and "aliases" in frame.columns
                else {}
            )
        return self._index

    def __getitem__(self, name: str) -> list[str]:
        return self._built()[name]

    def __iter__(self):
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())


def _manual_deals(
    added: list[Correction],
    rename: Callable[[str], str],
    countries: Mapping[str, str],
    columns: pd.Index,
) -> pd.DataFrame:
    rows = []
    for c in added:
        parties = list(dict.fromkeys(rename(p.strip()) for p in c.payload["parties"] if p.strip()))
        rows.append(
            {
                "deal_id": -c.id,
                "deal_key": f"manual-{c.id}",
                "type": c.payload["type"],
                "also_types": [],
                "deal_date": c.payload.get("deal_date") or None,
                "date_precision": c.payload.get("date_precision"),
                "date_source": "manual",
                "confidence": 1.0,
                "evidence": c.payload["evidence"],
                "therapeutic_areas": list(c.payload.get("therapeutic_areas", [])),
                "countries": sorted({countries[p] for p in parties if countries.get(p)}),
                "item_index": 0,
                "article_id": c.payload.get("article_id"),
                "article_title": c.payload.get("article_title") or "(added by hand)",
                "article_file": "",
                "article_source": "",
                "parties": parties,
                "party_countries": [countries.get(p) for p in parties],
                "status": "manual",
                # what the store keeps of an extracted deal (schema version 5): a deal
                # added by hand states no terms, assets or status beyond "agreed"
                "article_published": None,
                "role": "main",
                "deal_status": "agreed",
                "assets": [],
                "terms": {},
                "value_usd": None,
                "upfront_usd": None,
            }
        )
    return pd.DataFrame(rows, columns=list(dict.fromkeys([*columns, "status"])))


def corrected_organisations_frame(
    organisations: pd.DataFrame, active: list[Correction]
) -> pd.DataFrame:
    """``organisations`` (``store.organisations_frame``) as the user sees them: merged
    ones one row, renamed ones under their new names, ``set_org`` changes applied
    (deal counts still the stored ones: ``count_deals`` counts them)."""
    active = [c for c in active if c.undone_at is None]
    return _corrected_organisations(organisations, name_map(active), active)


def _corrected_organisations(
    organisations: pd.DataFrame, names: dict[str, str], active: list[Correction]
) -> pd.DataFrame:
    if organisations.empty:
        return organisations.copy()
    frame = organisations.copy()
    frame["name"] = [names.get(n, n) for n in organisations["name"]]
    # Old names become aliases of the organisation they now belong to.
    frame["aliases"] = [
        sorted({*aliases, old} - {new}) if old != new else list(aliases)
        for aliases, old, new in zip(
            frame["aliases"], organisations["name"], frame["name"], strict=True
        )
    ]
    # Only names that several rows now share (merges) need grouping; a group per
    # organisation cost seconds at 30,000 organisations.
    repeated = frame["name"].duplicated(keep=False)
    single = frame.loc[~repeated, list(ORGANISATIONS_FRAME_COLUMNS)]
    single["country"] = [c if isinstance(c, str) and c else None for c in single["country"]]
    parts = [single]
    if repeated.any():
        grouped = frame[repeated].groupby("name", sort=True)
        parts.append(
            grouped.agg(
                id=("id", "min"),
                country=(
                    "country",
                    lambda s: next((v for v in s if isinstance(v, str) and v), None),
                ),
                kind=("kind", "first"),
                in_lexicon=("in_lexicon", "max"),
                deals=("deals", "sum"),
                mentions=("mentions", "sum"),
                articles=("articles", "sum"),
                aliases=("aliases", lambda s: sorted({a for values in s for a in values})),
            ).reset_index()[list(ORGANISATIONS_FRAME_COLUMNS)]
        )
    merged = pd.concat(parts, ignore_index=True) if len(parts) > 1 else single
    merged = merged.sort_values("name", kind="stable").reset_index(drop=True)
    for c in active:
        if c.action == "set_org":
            target = names.get(c.target, c.target)
            mask = merged["name"] == target
            if c.payload.get("country") is not None:
                merged.loc[mask, "country"] = c.payload["country"] or None
            if c.payload.get("kind"):
                merged.loc[mask, "kind"] = c.payload["kind"]
    return merged


def corrected_mentions(mentions: pd.DataFrame, active: list[Correction]) -> pd.DataFrame:
    """Mentions under the organisation names after merges and renames."""
    names = name_map([c for c in active if c.undone_at is None])
    frame = mentions.copy()
    if names and len(frame):
        frame["organisation"] = frame["organisation"].map(lambda n: names.get(n, n))
    return frame
