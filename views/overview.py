"""Overview: KPI tiles, deal-type mix, most active organisations, latest deals, last ingest."""

import streamlit as st

from atlas.figures.overview import build_most_active_figure, build_type_mix_figure
from components import data, empty, filters
from components.tables import deals_table

st.title("Partnership Atlas")
totals = data.counts()
if empty.store_is_empty(totals["deals"], totals["articles"]):
    st.stop()

deals = data.filtered_deals(filters.current())
presenter = filters.presenter_mode()
dated = deals["deal_date"].dropna()
countries = {c for values in deals["countries"] for c in values}
columns = st.columns(5)
columns[0].metric("Articles", totals["articles"])
columns[1].metric("Organisations", len({p for parties in deals["parties"] for p in parties}))
columns[2].metric("Deals", len(deals))
columns[3].metric("Countries", len(countries))
columns[4].metric("Date span", f"{dated.min()[:4]}–{dated.max()[:4]}" if len(dated) else "–")
if empty.nothing_matches(len(deals)):
    st.stop()

left, right = st.columns(2)
left.plotly_chart(build_type_mix_figure(deals, presenter=presenter), key="overview_type_mix")
right.plotly_chart(build_most_active_figure(deals, presenter=presenter), key="overview_most_active")

st.subheader("Latest deals")
latest = deals.sort_values("deal_date", ascending=False, na_position="last").head(10)
deals_table(latest, key="overview_latest")

run = data.last_run()
if run:
    st.caption(
        f"Last ingest {run['started_at']}: {run['ingested']} new, {run['updated']} re-extracted, "
        f"{run['duplicates']} duplicates skipped, {run['rejected']} rejected."
    )
