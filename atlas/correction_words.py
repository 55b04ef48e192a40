"""Corrections in plain words, for the Corrections page's list.

"Retyped Eisai + Novartis from other to partnership/collaboration (2 Dec 2026, 10:42,
by alice)" instead of an action code, a hash and raw JSON. The text is plain and
untrusted (names come from articles and users): the page escapes it for its sink.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from atlas.corrections import Correction


def when(stamp: str | None) -> str:
    """``2026-12-02T10:42:05+00:00`` -> "2 Dec 2026, 10:42" (UTC, as stored)."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return str(stamp)
    return f"{moment.day} {moment.strftime('%b %Y, %H:%M')}"


def _parties(correction: Correction) -> str:
    address = correction.address or {}
    parties = [str(p) for p in address.get("parties") or () if str(p).strip()]
    return " + ".join(parties) if parties else "a deal"


def _set_org(correction: Correction) -> str:
    payload: Mapping = correction.payload
    parts = []
    if "country" in payload:
        parts.append(
            f"country to {payload['country']}" if payload.get("country") else "country to unknown"
        )
    if payload.get("kind"):
        parts.append(f"kind to {payload['kind']}")
    return f"Set {correction.target}'s " + (" and ".join(parts) or "details")


def _sources(correction: Correction) -> str:
    count = 1 + len(correction.members)
    return f" (all {count} articles reporting it)" if count > 1 else ""


def action_text(correction: Correction) -> str:
    """What the correction does, in one sentence without its date."""
    payload: Mapping = correction.payload
    action = correction.action
    if action == "merge_org":
        return f"Merged {correction.target} into {payload.get('into', '?')}"
    if action == "rename_org":
        return f"Renamed {correction.target} to {payload.get('name', '?')}"
    if action == "set_org":
        return _set_org(correction)
    if action == "reject_deal":
        return f"Rejected {_parties(correction)} as not a deal{_sources(correction)}"
    if action == "confirm_deal":
        return f"Confirmed {_parties(correction)}{_sources(correction)}"
    if action == "set_deal_type":
        before = payload.get("from")
        change = (
            f"from {before} to {payload.get('type')}" if before else f"as {payload.get('type')}"
        )
        return f"Retyped {_parties(correction)} {change}{_sources(correction)}"
    if action == "set_deal_parties":
        new = " + ".join(str(p) for p in payload.get("parties") or ()) or "no one"
        return f"Changed the parties of {_parties(correction)} to {new}{_sources(correction)}"
    if action == "add_deal":
        new = " + ".join(str(p) for p in payload.get("parties") or ()) or "?"
        kind = payload.get("type") or "other"
        return f"Added a {kind} deal between {new}"
    if action == "merge_deals":
        return (
            f"Merged {1 + len(correction.members)} reports of {_parties(correction)} into one deal"
        )
    if action == "split_deal":
        return f"Split one article's report of {_parties(correction)} off into a deal of its own"
    return f"{action} {correction.target}".strip()


STATE_NOTES = {
    "orphaned": "matches no deal since a re-extraction",
    "ignored": "ignored: it would undo an earlier merge or rename",
}


def describe(correction: Correction, state: str | None = None) -> str:
    """One line for the list: the action, when and by whom, whether it was undone or
    no longer applies."""
    made = when(correction.created_at)
    who = f", by {correction.created_by}" if correction.created_by else ""
    line = f"{action_text(correction)} ({made}{who})"
    if correction.comment:
        line += f": “{correction.comment}”"
    if correction.undone_at:
        undone_by = f" by {correction.undone_by}" if correction.undone_by else ""
        line += f" — undone {when(correction.undone_at)}{undone_by}"
    elif state in STATE_NOTES:
        line += f" — {STATE_NOTES[state]}"
    elif state and state.startswith("ignored"):
        line += f" — {state}"
    return line


def correction_lines(listed: list[Correction], states: Mapping[int, str]) -> list[dict]:
    """Newest first: each correction's id, its line, and whether it can still be undone."""
    return [
        {
            "id": c.id,
            "text": describe(c, states.get(c.id)),
            "open": c.undone_at is None,
            "state": states.get(c.id, "active"),
        }
        for c in sorted(listed, key=lambda c: c.id, reverse=True)
    ]
