"""Corrections: review and undo every correction; fix organisations and deals; grow the lexicon."""

import streamlit as st

from atlas.corrections import undo_correction
from atlas.ingest import reextract_all
from atlas.lexicon import LexiconError, add_organisation_entry, load_lexicon
from atlas.models import ORG_KINDS
from components import curation, data, empty

st.title("Corrections")
totals = data.counts()
if empty.store_is_empty(totals["deals"], totals["articles"]):
    st.stop()

organisations = data.organisations()
deals = data.deals()
history = data.corrections_list()

st.subheader("All corrections")
if history.empty:
    st.caption(
        "None yet. Corrections made here, on Companies or on Deals are listed here and can be undone."
    )
else:
    st.dataframe(history, hide_index=True, width="stretch", key="corrections_table")
    open_ids = history.loc[history["undone"] == "", "id"].tolist()
    left, right = st.columns([3, 1])
    chosen = left.selectbox("Correction to undo", open_ids, index=None, key="corrections_undo_id")
    if right.button("Undo", key="corrections_undo", disabled=chosen is None):
        undo_correction(data.engine(), int(chosen))
        data.clear_caches()
        st.rerun()

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
    labels = {curation.deal_label(row): index for index, row in deals.iterrows()}
    label = st.selectbox("Deal", sorted(labels), index=None, key="corrections_deal")
    if label:
        row = deals.loc[labels[label]]
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
        if st.form_submit_button("Add to lexicon"):
            try:
                entry = add_organisation_entry(
                    new_name,
                    aliases=[a for a in aliases.split("|") if a.strip()],
                    country=country,
                    kind=kind,
                )
            except LexiconError as error:
                st.error(f"Not added: {error}")
            else:
                st.success(f"Added {entry.name} to the lexicon. Re-extract to apply it.")
    if st.button("Re-extract all articles", key="corrections_reextract", icon=":material/refresh:"):
        with st.status("Re-extracting ...", expanded=True) as status:
            bar = st.progress(0.0)
            extractor = data.extractor()
            count = reextract_all(
                data.engine(),
                extractor=extractor,
                progress=lambda done, total, name: bar.progress(
                    done / max(total, 1), text=f"{done} of {total}"
                ),
            )
            status.update(
                label=f"Re-extracted {count} articles; corrections re-applied", state="complete"
            )
        data.clear_caches()
