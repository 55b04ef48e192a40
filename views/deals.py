"""Deals: every deal in a sortable table (parties, types, date, countries,
areas, confidence, evidence, source article), searchable, downloadable as the
filtered view in CSV or Excel."""

import streamlit as st

from atlas.export import deals_to_csv, deals_to_excel, search_deals
from components import curation, data, page
from components.tables import deals_display, deals_table

deals = page.filtered_deals_or_stop("Deals")

query = st.text_input(
    "Search", key="deals_search", placeholder="Party name or words of the evidence"
)
found = search_deals(deals, query)
st.caption(
    f"{len(found)} of {len(deals)} deals"
    + (" matching the search" if query and query.strip() else "")
    + ". Click a column heading to sort."
)
if found.empty:
    st.info("No deal matches the search.", icon=":material/search_off:")
    st.stop()

found = found.sort_values("deal_date", ascending=False, na_position="last")
deals_table(found, key="deals_table", height=560)

table = deals_display(found)  # exactly the rows shown, generated on click
left, right, _ = st.columns([1, 1, 3])
left.download_button(
    "Download CSV",
    data=lambda: deals_to_csv(table),
    file_name="partnership-atlas-deals.csv",
    mime="text/csv",
    key="deals_download_csv",
    on_click="ignore",
    icon=":material/download:",
)
right.download_button(
    "Download Excel",
    data=lambda: deals_to_excel(table),
    file_name="partnership-atlas-deals.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="deals_download_excel",
    on_click="ignore",
    icon=":material/download:",
)

with st.expander("Correct a deal", icon=":material/edit:"):
    labels = {curation.deal_label(row): index for index, row in found.iterrows()}
    chosen = st.selectbox("Deal", sorted(labels), index=None, key="deals_correct_select")
    if chosen:
        row = found.loc[labels[chosen]]
        st.text(row["evidence"])
        curation.deal_form(row, data.organisations(), key="deals_correct")
    st.caption("Every correction is listed, and can be undone, on the Corrections page.")
