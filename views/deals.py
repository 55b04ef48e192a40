"""Deals: every deal in a sortable table (parties, types, date, countries,
areas, confidence, evidence, source article), searchable, downloadable as the
filtered view in CSV or Excel."""

import streamlit as st

from atlas.export import search_deals
from atlas.query import latest_first
from components import curation, data, downloads, filters, page, urlstate
from components.tables import MAX_TABLE_ROWS, deals_table


def _search(deals, query):
    return latest_first(search_deals(deals, query))


def _correctable(_deals, current, query):
    """Labels of the deals the correction box offers: those the table shows."""
    shown = data.derived("deals.search", _search, current, query).head(MAX_TABLE_ROWS)
    return {curation.deal_label(row): index for index, row in shown.iterrows()}


deals = page.filtered_deals_or_stop("Deals")
current = filters.current()

urlstate.restore("deals_search", "q", parse=lambda v: v[:200])
query = st.text_input(
    "Search",
    key="deals_search",
    placeholder="Party, drug or product name, or words of the evidence",
)
query = (query or "").strip()
urlstate.mirror("q", query)
found = data.derived("deals.search", _search, current, query)
st.caption(
    f"{len(found)} of {len(deals)} deals"
    + (" matching the search" if query and query.strip() else "")
    + ". Click a column heading to sort."
)
if found.empty:
    st.info("No deal matches the search.", icon=":material/search_off:")
    st.stop()

# A fixed 560 px left a tall empty grid under a handful of rows: the table is only as
# tall as its rows (plus the header), up to 560 px.
deals_table(found, key="deals_table", height=min(560, 35 * (len(found) + 1) + 3))

# Every matching row (not only those the table shows), made only on a click.
downloads.deal_downloads(found, key="deals_download")

with st.expander("Correct a deal", icon=":material/edit:"):
    labels = data.derived("deals.correctable", _correctable, current, current, query)
    chosen = st.selectbox("Deal", sorted(labels), index=None, key="deals_correct_select")
    if chosen:
        row = found.loc[labels[chosen]]
        st.text(row["evidence"])
        curation.deal_form(row, data.organisations(), key="deals_correct")
    st.caption("Every correction is listed, and can be undone, on the Corrections page.")
