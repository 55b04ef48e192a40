"""Overview: KPI tiles, deal-type mix, most active organisations, latest deals, last ingest."""

import streamlit as st

from atlas.overview import last_ingest_markdown, overview_figures, overview_summary
from components import data, empty, filters, page
from components.tables import deals_table

st.title("Partnership Atlas")
totals = data.counts()
if empty.store_is_empty(totals["deals"], totals["articles"]):
    st.stop()
filters.show_active_filters()

current = filters.current()
presenter = filters.presenter_mode()
summary = data.derived(overview_summary, current)
columns = st.columns(5)
if current.active:
    columns[0].metric(
        "Articles",
        summary.articles,
        help=f"Articles reporting the matching deals, of {totals['articles']:,} stored",
    )
else:
    columns[0].metric("Articles", totals["articles"])
columns[1].metric("Organisations", summary.organisations)
columns[2].metric("Deals", summary.deals)
columns[3].metric("Countries", summary.countries)
columns[4].metric("Date span", summary.span)
page.undated_notice()
if empty.nothing_matches(summary.deals):
    st.stop()

type_mix, most_active = data.derived(overview_figures, current, presenter)
left, right = st.columns(2)
left.plotly_chart(type_mix, key="overview_type_mix")
right.plotly_chart(most_active, key="overview_most_active")

st.subheader("Latest deals")
deals_table(summary.latest, key="overview_latest")

run = data.last_run()
if run:
    st.caption(last_ingest_markdown(run))
