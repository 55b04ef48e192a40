"""Corrections: review and undo every correction; fix organisations and deals; grow the lexicon."""

import streamlit as st

from atlas.corrections import undo_correction
from atlas.jobs import REEXTRACT
from atlas.lexicon import LexiconError, add_organisation_entry, load_lexicon
from atlas.listings import deal_choices
from atlas.models import ORG_KINDS
from atlas.query import DealFilters
from atlas.safe_text import markdown_text
from components import curation, data, editing, empty
from components import jobs as background_jobs

MAX_CHOICES = 500  # deals offered in the select box; a search narrows a big store

st.title("Corrections")
totals = data.counts()
if empty.store_is_empty(totals["deals"], totals["articles"]):
    st.stop()

organisations = data.organisations()
history = data.corrections_list()
locked = editing.locked_note()

# The newest corrections each get a line and an Undo button; the full record (ids,
# raw values, states) stays in the table below, where older ones can be undone too.
LISTED_LINES = 50


def _undo(correction_id: int) -> None:
    undo_correction(data.engine(), int(correction_id), by=editing.require())
    data.clear_caches()


st.subheader("All corrections")
if history.empty:
    st.caption(
        "None yet. Corrections made here, on Companies or on Deals are listed here and can be undone."
    )
else:
    lines = data.correction_lines()
    for line in lines[:LISTED_LINES]:
        text, button = st.columns([6, 1], vertical_alignment="center")
        text.markdown(markdown_text(line["text"]))
        if line["open"]:
            button.button(
                "Undo",
                key=f"corrections_undo_{line['id']}",
                disabled=locked,
                on_click=_undo,
                args=(line["id"],),
            )
    if len(lines) > LISTED_LINES:
        st.caption(
            f"The latest {LISTED_LINES} of {len(lines):,} corrections; every one is in the "
            "full record below."
        )
    with st.expander("Full record (ids, values, states)", icon=":material/table:"):
        st.dataframe(history, hide_index=True, width="stretch", key="corrections_table")
        open_ids = history.loc[history["undone"] == "", "id"].tolist()
        left, right = st.columns([3, 1])
        chosen = left.selectbox(
            "Correction to undo (by id)", open_ids, index=None, key="corrections_undo_id"
        )
        if right.button("Undo", key="corrections_undo", disabled=locked or chosen is None):
            _undo(int(chosen))
            st.rerun()
    curation.orphaned_form(history, organisations, key="corrections_orphan")

organisation_tab, deal_tab, add_tab, lexicon_tab = st.tabs(
    ["Organisation", "Deal", "Add a deal", "Lexicon and re-extraction"]
)
with organisation_tab:
    name = st.selectbox(
        "Organisation", sorted(organisations["name"]), index=None, key="corrections_org"
    )
    if name:
        curation.organisation_form(name, organisations, key="corrections_org")
with deal_tab:
    query = st.text_input(
        "Find a deal", key="corrections_deal_search", placeholder="Party name or evidence words"
    )
    # Every deal, whatever the sidebar filters say: corrections are made store-wide.
    choices = data.derived(
        deal_choices,
        DealFilters(),
        (query or "").strip(),
        MAX_CHOICES,
    )
    if choices.matching > len(choices.labels):
        st.caption(
            f"{choices.matching:,} deals match; the latest {len(choices.labels):,} are offered. "
            "Search to narrow."
        )
    label = st.selectbox("Deal", list(choices.labels), index=None, key="corrections_deal")
    if label:
        row = data.deal(choices.labels[label])
        st.text(row["evidence"])
        curation.deal_form(row, organisations, key="corrections_deal")
with add_tab:
    curation.add_deal_form(organisations, key="corrections_add")
with lexicon_tab:
    st.caption(
        "Adds the organisation to data/lexicon/organisations.csv; re-extract to apply it to stored articles."
    )
    with st.form("corrections_lexicon_form", clear_on_submit=True):
        new_name = st.text_input("Canonical name", key="corrections_lexicon_name")
        aliases = st.text_input("Aliases (separated by |)", key="corrections_lexicon_aliases")
        country = st.selectbox(
            "Country",
            sorted(load_lexicon().countries),
            index=None,
            key="corrections_lexicon_country",
        )
        kind = st.selectbox("Kind", ORG_KINDS, key="corrections_lexicon_kind")
        if st.form_submit_button("Add to lexicon", disabled=locked):
            editing.require()
            try:
                entry = add_organisation_entry(
                    new_name,
                    aliases=[a for a in aliases.split("|") if a.strip()],
                    country=country,
                    kind=kind,
                )
            except LexiconError as error:
                st.error(f"Not added: {markdown_text(error)}")
            else:
                st.success(
                    f"Added {markdown_text(entry.name)} to the lexicon. Re-extract to apply it."
                )
    st.caption(
        "Re-extraction runs in the background, on both cores: every page stays usable and "
        "shows its progress in the sidebar; a stopped one can be resumed."
    )
    background_jobs.panel(REEXTRACT, key="corrections_reextract_job", locked=locked)
    if st.button(
        "Re-extract all articles",
        key="corrections_reextract",
        icon=":material/refresh:",
        disabled=locked,
    ):
        if background_jobs.start(REEXTRACT, started_by=editing.require()):
            st.rerun()
