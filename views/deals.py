"""Deals: every deal in a sortable table (parties, types, date, countries,
areas, confidence, evidence, source article), searchable, downloadable as the
filtered view in CSV or Excel."""

import streamlit as st

from atlas.listings import deal_search
from components import curation, data, downloads, filters, page, urlstate
from components.tables import MAX_TABLE_ROWS, deals_table

page.open_or_stop("Deals")
current = filters.current()

urlstate.restore("deals_search", "q", parse=lambda v: v[:200])
query = st.text_input(
    "Search",
    key="deals_search",
    placeholder="Party, drug or product name, or words of the evidence",
)
query = (query or "").strip()
urlstate.mirror("q", query)
# The table shows the first MAX_TABLE_ROWS; those are the deals offered for correction.
search = data.derived(deal_search, current, query, MAX_TABLE_ROWS)
found = search.found
st.caption(
    f"{len(found)} of {data.matching_count(current)} deals"
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
    chosen = st.selectbox("Deal", sorted(search.choices), index=None, key="deals_correct_select")
    if chosen:
        row = found.loc[search.choices[chosen]]
        st.text(row["evidence"])
        curation.deal_form(row, data.organisations(), key="deals_correct")
    st.caption("Every correction is listed, and can be undone, on the Corrections page.")
