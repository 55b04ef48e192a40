"""Overview: KPI tiles, deal-type mix, most active organisations, latest deals, last ingest."""

import streamlit as st

from atlas.consolidate import source_article_ids
from atlas.figures.overview import build_most_active_figure, build_type_mix_figure
from atlas.query import latest_first
from atlas.safe_text import markdown_text
from components import data, empty, filters, page
from components.tables import deals_table

st.title("Partnership Atlas")
totals = data.counts()
if empty.store_is_empty(totals["deals"], totals["articles"]):
    st.stop()
filters.show_active_filters()


def _summary(deals):
    """The tiles' figures and the latest deals (computed once per filter setting)."""
    dated = deals["deal_date"].dropna()
    return {
        "organisations": len({p for parties in deals["parties"] for p in parties}),
        "deals": len(deals),
        "countries": len({c for values in deals["countries"] for c in values}),
        "span": _span(dated),
        "articles": len(source_article_ids(deals)),
        "latest": latest_first(deals, 10),
    }


def _span(dated) -> str:
    """ "2024–2025", or "2025" when every deal is of one year; "–" with no date."""
    if not len(dated):
        return "–"
    first, last = dated.min()[:4], dated.max()[:4]
    return first if first == last else f"{first}–{last}"


def _figures(deals, presenter):
    return (
        build_type_mix_figure(deals, presenter=presenter),
        build_most_active_figure(deals, presenter=presenter),
    )


current = filters.current()
presenter = filters.presenter_mode()
summary = data.derived("overview.summary", _summary, current)
columns = st.columns(5)
if current.active:
    columns[0].metric(
        "Articles",
        summary["articles"],
        help=f"Articles reporting the matching deals, of {totals['articles']:,} stored",
    )
else:
    columns[0].metric("Articles", totals["articles"])
columns[1].metric("Organisations", summary["organisations"])
columns[2].metric("Deals", summary["deals"])
columns[3].metric("Countries", summary["countries"])
columns[4].metric("Date span", summary["span"])
page.undated_notice()
if empty.nothing_matches(summary["deals"]):
    st.stop()

type_mix, most_active = data.derived("overview.figures", _figures, current, presenter)
left, right = st.columns(2)
left.plotly_chart(type_mix, key="overview_type_mix")
right.plotly_chart(most_active, key="overview_most_active")

st.subheader("Latest deals")
deals_table(summary["latest"], key="overview_latest")

run = data.last_run()
if run:
    st.caption(
        f"Last ingest {markdown_text(run['started_at'])}"
        # A run killed or stopped midway counts what it stored, and says it stopped.
        + {"interrupted": " (interrupted)", "running": " (still running)"}.get(run["status"], "")
        + f": {run['ingested']} new, {run['updated']} re-extracted, "
        f"{run['duplicates']} duplicates skipped, {run['rejected']} rejected."
    )
