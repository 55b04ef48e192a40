"""Correction forms shown on the Companies, Deals and Corrections pages.

Every action is recorded with ``atlas.corrections.add_correction`` (never an edit
of extraction rows), then caches are cleared so every page shows it at once.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas.corrections import (
    EDIT_ACTIONS,
    CorrectionError,
    add_correction,
    get_correction,
    reattach_correction,
    undo_correction,
)
from atlas.lexicon import load_lexicon
from atlas.listings import deal_label
from atlas.models import DEAL_TYPES, ORG_KINDS
from atlas.query import DealFilters, date_label
from atlas.safe_text import markdown_text, plain_text
from components import data, editing


def _record(
    action: str, target: str = "", payload: dict | None = None, *, comment: str = ""
) -> bool:
    by = editing.require()
    try:
        add_correction(data.engine(), action, target, payload, comment=comment, by=by)
    except CorrectionError as error:
        st.error(f"Not recorded: {markdown_text(error)}")
        return False
    data.clear_caches()
    st.toast("Correction recorded")
    return True


def _members(deal: pd.Series) -> dict:
    """The payload part naming the deal's other mentions: a correction made on a
    consolidated deal applies to every article that reports it."""
    keys = [k for k in (deal.get("deal_keys") or ()) if k and k != deal["deal_key"]]
    return {"members": keys} if keys else {}


def _source_label(source: dict) -> str:
    title = source.get("article_title") or source.get("article_file") or "untitled article"
    when = date_label(source.get("article_published"))
    evidence = " ".join(str(source.get("evidence") or "").split())
    return plain_text(f"{title} · {when} · {evidence[:80]}")


def _same_parties(deals: pd.DataFrame, wanted: str) -> dict[str, list[str]]:
    """Deals between exactly the organisations ``wanted`` names (``party_key``):
    label -> their mention keys."""
    from atlas.consolidate import party_key

    found: dict[str, list[str]] = {}
    for _, row in deals[[party_key(p) == wanted for p in deals["parties"]]].iterrows():
        if row.get("status") == "manual":
            continue
        label = f"{deal_label(row)} · {' '.join(str(row['evidence']).split())[:60]}"
        while label in found:
            label += " ·"
        found[label] = list(row.get("deal_keys") or [row["deal_key"]])
    return found


def sources_form(deal: pd.Series, *, key: str) -> None:
    """Split one source off a deal that several articles report, or merge the deal
    with another deal between the same organisations."""
    from atlas.consolidate import party_key

    if deal.get("status") == "manual":
        return
    locked = editing.locked_note()
    sources = list(deal.get("sources") or [])
    if len(sources) > 1:
        labels = {_source_label(s): s["deal_key"] for s in sources}
        picked = st.selectbox(
            f"Reported by {len(sources)} articles: a source that is another deal",
            list(labels),
            index=None,
            key=f"{key}_split_source",
        )
        if st.button(
            "Split this source off",
            key=f"{key}_split",
            icon=":material/call_split:",
            disabled=locked or picked is None,
        ) and _record("split_deal", labels[picked], {"from": deal["deal_key"]}):
            st.rerun()
    # Every deal, whatever the sidebar filters say: corrections are made store-wide.
    others = data.derived(_same_parties, DealFilters(), party_key(deal["parties"]))
    own = set(deal.get("deal_keys") or [deal["deal_key"]])
    others = {label: keys for label, keys in others.items() if not own & set(keys)}
    if not others:
        return
    chosen = st.selectbox(
        "Another deal between the same organisations that is the same agreement",
        list(others),
        index=None,
        key=f"{key}_merge_with",
    )
    if st.button(
        "Merge with this deal",
        key=f"{key}_merge",
        icon=":material/merge:",
        disabled=locked or chosen is None,
    ):
        keys = [k for k in [*own, *others[chosen]] if k != deal["deal_key"]]
        if _record("merge_deals", deal["deal_key"], {"members": keys}):
            st.rerun()


def organisation_form(name: str, organisations: pd.DataFrame, *, key: str) -> None:
    """Merge, rename, set country and kind of one organisation."""
    locked = editing.locked_note()
    others = sorted(n for n in organisations["name"] if n != name)
    countries = sorted(load_lexicon().countries)
    row = organisations.set_index("name").loc[name] if name in set(organisations["name"]) else None
    merge, rename, attributes = st.tabs(["Merge", "Rename", "Country and kind"])
    with merge, st.form(f"{key}_merge_form", clear_on_submit=True):
        into = st.selectbox(
            f"Merge {markdown_text(name)} into", others, index=None, key=f"{key}_merge_into"
        )
        comment = st.text_input("Comment (optional)", key=f"{key}_merge_comment")
        if (
            st.form_submit_button("Merge", disabled=locked)
            and into
            and _record("merge_org", name, {"into": into}, comment=comment)
        ):
            st.rerun()
    with rename, st.form(f"{key}_rename_form", clear_on_submit=True):
        new_name = st.text_input("New canonical name", value=name, key=f"{key}_rename_name")
        comment = st.text_input("Comment (optional)", key=f"{key}_rename_comment")
        if st.form_submit_button("Rename", disabled=locked) and new_name.strip() != name:
            if _record("rename_org", name, {"name": new_name}, comment=comment):
                st.rerun()
    with attributes, st.form(f"{key}_set_form"):
        current_country = (
            row["country"] if row is not None and isinstance(row["country"], str) else None
        )
        country = st.selectbox(
            "Country",
            countries,
            index=countries.index(current_country) if current_country in countries else None,
            key=f"{key}_set_country",
        )
        current_kind = row["kind"] if row is not None else "company"
        kind = st.selectbox(
            "Kind",
            ORG_KINDS,
            index=ORG_KINDS.index(current_kind) if current_kind in ORG_KINDS else 0,
            key=f"{key}_set_kind",
        )
        if st.form_submit_button("Save", disabled=locked):
            if _record("set_org", name, {"country": country or "", "kind": kind}):
                st.rerun()


def deal_form(deal: pd.Series, organisations: pd.DataFrame, *, key: str) -> None:
    """Reject, retype, re-party or confirm one deal; a deal several articles report
    is corrected in all of them at once (one correction, undone as one)."""
    target = deal["deal_key"]
    members = _members(deal)
    if deal.get("status") == "manual":
        st.caption("Added by hand: undo it on the Corrections page.")
        return
    locked = editing.locked_note()
    left, right = st.columns(2)
    if left.button(
        "Confirm this deal", key=f"{key}_confirm", icon=":material/verified:", disabled=locked
    ):
        if _record("confirm_deal", target, members):
            st.rerun()
    if right.button("Not a deal", key=f"{key}_reject", icon=":material/block:", disabled=locked):
        if _record("reject_deal", target, members):
            st.rerun()
    with st.form(f"{key}_edit_form"):
        deal_type = st.selectbox(
            "Type", DEAL_TYPES, index=DEAL_TYPES.index(deal["type"]), key=f"{key}_type"
        )
        names = sorted(set(organisations["name"]) | set(deal["parties"]))
        parties = st.multiselect(
            "Parties",
            names,
            default=list(deal["parties"]),
            key=f"{key}_parties",
            accept_new_options=True,
        )
        comment = st.text_input("Comment (optional)", key=f"{key}_comment")
        if st.form_submit_button("Save changes", disabled=locked):
            changed = False
            if deal_type != deal["type"]:
                changed |= _record(
                    "set_deal_type",
                    target,
                    {"type": deal_type, "from": deal["type"], **members},
                    comment=comment,
                )
            if list(parties) != list(deal["parties"]):
                changed |= _record(
                    "set_deal_parties",
                    target,
                    {"parties": list(parties), **members},
                    comment=comment,
                )
            if changed:
                st.rerun()
    sources_form(deal, key=key)


def add_deal_form(
    organisations: pd.DataFrame,
    *,
    key: str,
    article_id: str | None = None,
    article_title: str | None = None,
) -> None:
    """A deal the machine missed, from the sentence that proves it."""
    locked = editing.locked_note()
    with st.form(f"{key}_add_form", clear_on_submit=True):
        evidence = st.text_area("Sentence that proves the deal", key=f"{key}_evidence")
        parties = st.multiselect(
            "Parties (pick or type new names)",
            sorted(organisations["name"]),
            key=f"{key}_parties",
            accept_new_options=True,
        )
        deal_type = st.selectbox("Type", DEAL_TYPES, key=f"{key}_type")
        when = st.text_input("Date (YYYY, YYYY-MM or YYYY-MM-DD; optional)", key=f"{key}_date")
        if st.form_submit_button("Add deal", disabled=locked):
            payload = {"parties": list(parties), "type": deal_type, "evidence": evidence.strip()}
            if when.strip():
                from atlas.corpus import parse_date

                parsed = parse_date(when.strip())
                if not parsed:
                    st.error("Not recorded: the date is not YYYY, YYYY-MM or YYYY-MM-DD.")
                    return
                payload["deal_date"], payload["date_precision"] = parsed
            if article_id:
                payload["article_id"], payload["article_title"] = article_id, article_title
            if _record("add_deal", payload=payload):
                st.rerun()


def _reattach_choices(deals: pd.DataFrame, article_id: str | None, query: str) -> dict[str, str]:
    """Deals an orphaned correction can be re-attached to, label -> deal_key: the
    deals of its article, or (a correction with no article) the latest matching
    ``query``."""
    from atlas.export import search_deals

    machine = deals[deals["status"] != "manual"]
    if article_id:
        found = machine[machine["article_id"] == article_id]
    else:
        found = search_deals(machine, query).sort_values(
            "deal_date", ascending=False, na_position="last"
        )
    labels: dict[str, str] = {}
    for _, row in found.head(500).iterrows():
        label = plain_text(f"{deal_label(row)} · {' '.join(str(row['evidence']).split())[:80]}")
        while label in labels:  # two deals of one sentence may read the same
            label += " ·"
        labels[label] = row["deal_key"]
    return labels


def orphaned_form(history: pd.DataFrame, organisations: pd.DataFrame, *, key: str) -> None:
    """Corrections that match nothing since a re-extraction (``state`` "orphaned"
    in ``history``): re-attach each to the deal or organisation it should apply
    to, or drop it."""

    orphans = history[history["state"] == "orphaned"]
    if orphans.empty:
        return
    st.subheader("Orphaned corrections")
    st.caption(
        "A re-extraction changed or removed what these corrections were made on, so they "
        "apply to nothing. Re-attach each to the deal or organisation it is meant for, or drop it."
    )
    labels = {
        plain_text(f"#{row.id} {row.action} · {row.deal or row.target}"): int(row.id)
        for row in orphans.itertuples()
    }
    chosen = st.selectbox("Orphaned correction", list(labels), index=None, key=f"{key}_id")
    correction = get_correction(data.engine(), labels[chosen]) if chosen else None
    if correction is None or correction.undone_at:
        return
    address = correction.address or {}
    if correction.action in EDIT_ACTIONS:
        if address.get("evidence"):
            st.text(f"Made on: {address['evidence']}")
        query = ""
        if not address.get("article_id"):
            st.caption("Recorded before corrections kept their article: search for its deal.")
            query = st.text_input("Find the deal", key=f"{key}_search").strip()
        # Every deal, whatever the sidebar filters say: corrections are made store-wide.
        options = data.derived(
            _reattach_choices,
            DealFilters(),
            address.get("article_id"),
            query,
        )
        picked = st.selectbox("Apply it to the deal", list(options), index=None, key=f"{key}_deal")
        target = options.get(picked)
    else:
        target = st.selectbox(
            "Apply it to the organisation",
            sorted(organisations["name"]),
            index=None,
            key=f"{key}_organisation",
        )
    locked = editing.locked_note()
    left, right = st.columns(2)
    if left.button("Re-attach", key=f"{key}_reattach", disabled=locked or target is None):
        by = editing.require()
        try:
            reattach_correction(data.engine(), correction.id, target, by=by)
        except CorrectionError as error:
            st.error(f"Not re-attached: {markdown_text(error)}")
            return
        data.clear_caches()
        st.rerun()
    if right.button("Drop it", key=f"{key}_drop", disabled=locked):
        undo_correction(data.engine(), correction.id, by=editing.require())
        data.clear_caches()
        st.rerun()
