"""User corrections, stored as their own records and applied on top of extraction.

Extraction tables are rebuilt on every re-extraction; corrections are not touched
by it. They point at organisations by name and at deals by ``deal_key`` (article,
item, sentence and parties), so they apply again to a fresh extraction. Each can
be undone; the list of them is the audit trail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from atlas.models import DEAL_TYPES, ORG_KINDS
from atlas.store import ORGANISATIONS_FRAME_COLUMNS, _now, mark_changed
from atlas.store import corrections as corrections_table

ORG_ACTIONS = ("merge_org", "rename_org", "set_org")
DEAL_ACTIONS = ("reject_deal", "set_deal_type", "set_deal_parties", "confirm_deal", "add_deal")
ACTIONS = ORG_ACTIONS + DEAL_ACTIONS


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


def _validate(action: str, target: str, payload: dict) -> None:
    if action not in ACTIONS:
        raise CorrectionError(f"unknown correction {action!r}")
    if action in ("merge_org", "rename_org", "set_org") and not target.strip():
        raise CorrectionError("name the organisation to correct")
    if action == "merge_org" and (not payload.get("into") or payload["into"] == target):
        raise CorrectionError("merge needs another organisation to merge into")
    if action == "rename_org" and not str(payload.get("name", "")).strip():
        raise CorrectionError("the new name is empty")
    if action == "set_org" and payload.get("kind") not in (None, *ORG_KINDS):
        raise CorrectionError(f"kind must be one of {', '.join(ORG_KINDS)}")
    if action == "set_deal_type" and payload.get("type") not in DEAL_TYPES:
        raise CorrectionError(f"type must be one of {', '.join(DEAL_TYPES)}")
    if action in ("set_deal_parties", "add_deal"):
        parties = [p.strip() for p in payload.get("parties", []) if str(p).strip()]
        if len(set(parties)) < 2:
            raise CorrectionError("a deal needs at least two different parties")
    if action == "add_deal":
        if payload.get("type") not in DEAL_TYPES:
            raise CorrectionError(f"type must be one of {', '.join(DEAL_TYPES)}")
        if not str(payload.get("evidence", "")).strip():
            raise CorrectionError("quote the sentence that proves the deal")
    if (
        action in ("reject_deal", "set_deal_type", "set_deal_parties", "confirm_deal")
        and not target
    ):
        raise CorrectionError("which deal?")


def add_correction(
    engine: Engine, action: str, target: str = "", payload: dict | None = None, *, comment: str = ""
) -> int:
    """Record one correction; returns its id."""
    payload = dict(payload or {})
    _validate(action, target, payload)
    with engine.begin() as conn:
        correction_id = conn.execute(
            insert(corrections_table).values(
                created_at=_now(),
                action=action,
                target=target,
                payload_json=json.dumps(payload, ensure_ascii=False),
                comment=comment,
            )
        ).inserted_primary_key[0]
        mark_changed(conn)
    return correction_id


def undo_correction(engine: Engine, correction_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(corrections_table)
            .where(corrections_table.c.id == correction_id, corrections_table.c.undone_at.is_(None))
            .values(undone_at=_now())
        )
        mark_changed(conn)


def list_corrections(engine: Engine, *, include_undone: bool = True) -> list[Correction]:
    query = select(corrections_table).order_by(corrections_table.c.id)
    if not include_undone:
        query = query.where(corrections_table.c.undone_at.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        Correction(
            row["id"],
            row["created_at"],
            row["action"],
            row["target"],
            json.loads(row["payload_json"] or "{}"),
            row["comment"],
            row["undone_at"],
        )
        for row in rows
    ]


def corrections_frame(engine: Engine) -> pd.DataFrame:
    rows = [
        {
            "id": c.id,
            "when": c.created_at,
            "action": c.action,
            "target": c.target,
            "change": json.dumps(c.payload, ensure_ascii=False) if c.payload else "",
            "comment": c.comment,
            "undone": c.undone_at or "",
        }
        for c in list_corrections(engine)
    ]
    return pd.DataFrame(
        rows, columns=["id", "when", "action", "target", "change", "comment", "undone"]
    )


def name_map(active: list[Correction]) -> dict[str, str]:
    """Old name -> current name after merges and renames, chains resolved
    (A merged into B, B renamed C: A -> C)."""
    step: dict[str, str] = {}
    for c in active:
        if c.action == "merge_org":
            step[c.target] = c.payload["into"]
        elif c.action == "rename_org":
            step[c.target] = c.payload["name"].strip()

    def final(name: str) -> str:
        seen = {name}
        while name in step and step[name] not in seen:
            name = step[name]
            seen.add(name)
        return name

    return {name: final(name) for name in step}


def apply_corrections(
    deals: pd.DataFrame, organisations: pd.DataFrame, active: list[Correction]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deals and organisations as the user sees them: merges, renames and
    attribute changes applied, rejected deals gone, edited deals changed,
    hand-made deals added. Deals gain ``status`` (machine, confirmed, corrected,
    manual)."""
    active = [c for c in active if c.undone_at is None]
    names = name_map(active)
    rename = lambda n: names.get(n, n)  # noqa: E731 - a tiny local mapping
    orgs = _corrected_organisations(organisations, names, active)
    countries = (
        {
            n: c
            for n, c in zip(orgs["name"], orgs["country"], strict=True)
            if isinstance(c, str) and c
        }
        if len(orgs)
        else {}
    )

    frame = deals.copy()
    by_key = {c.target: [] for c in active if c.action in DEAL_ACTIONS}
    for c in active:
        if c.action in DEAL_ACTIONS and c.action != "add_deal":
            by_key[c.target].append(c)
    # Column lists, not iterrows/.at: this runs over every deal on each cold start
    # (177,000 deals at 100,000 articles).
    keep: list[int] = []
    types: list[str] = []
    all_parties: list[list[str]] = []
    party_countries: list[list[str | None]] = []
    deal_countries: list[list[str]] = []
    statuses: list[str] = []
    keys = frame["deal_key"].tolist() if "deal_key" in frame.columns else [""] * len(frame)
    rows = zip(
        keys,
        frame["type"].tolist(),
        frame["parties"].tolist(),
        frame["countries"].tolist(),
        strict=True,
    )
    for position, (key, deal_type, row_parties, row_countries) in enumerate(rows):
        edits = by_key.get(key or "", [])
        if any(c.action == "reject_deal" for c in edits):
            continue
        parties = list(row_parties)
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
            continue  # a merge folded the two parties into one organisation
        keep.append(position)
        types.append(deal_type)
        all_parties.append(parties)
        party_countries.append([countries.get(p) for p in parties])
        deal_countries.append(
            sorted({countries[p] for p in parties if countries.get(p)}) or list(row_countries)
        )
        statuses.append(status)
    frame = frame.iloc[keep].copy()
    frame["type"] = types
    frame["parties"] = all_parties
    frame["party_countries"] = party_countries
    frame["countries"] = deal_countries
    frame["status"] = statuses

    added = [c for c in active if c.action == "add_deal"]
    if added:
        frame = pd.concat(
            [frame, _manual_deals(added, rename, countries, frame.columns)], ignore_index=True
        )
    frame = frame.reset_index(drop=True)
    if len(orgs):
        # Deal counts follow the corrected deals (rejections, merges, additions).
        deal_keys: dict[str, set] = {}
        for key, parties in zip(frame["deal_key"].tolist(), frame["parties"].tolist(), strict=True):
            for party in parties:
                deal_keys.setdefault(party, set()).add(key)
        orgs["deals"] = [len(deal_keys.get(n, ())) for n in orgs["name"]]
    return frame, orgs


def _manual_deals(added: list[Correction], rename, countries: dict, columns) -> pd.DataFrame:
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
            }
        )
    return pd.DataFrame(rows, columns=list(dict.fromkeys([*columns, "status"])))


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
