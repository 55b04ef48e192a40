"""Timeline: deals by date, counts per period, swimlanes per organisation, undated deals."""

import streamlit as st

from atlas.figures.timeline import (
    MAX_LANE_DEALS,
    MAX_TIMELINE_ROWS,
    PERIODS,
    build_period_counts_figure,
    build_period_values_figure,
    build_timeline_figure,
    disclosed_count,
    latest_rows_of,
    swimlane_figure,
    swimlane_rows,
    too_coarse_for,
    undated_deals,
)
from atlas.safe_text import markdown_text
from components import data, filters, page, urlstate
from components.tables import deals_table

SWIMLANES_KEY = "timeline_swimlanes"


def _timeline(_deals, current, presenter):
    """The chart of the pairs that dealt most recently, and how many deals it draws."""
    shown = latest_rows_of(*data.deal_index(current))
    return build_timeline_figure(shown, presenter=presenter), len(shown)


def _counts(deals, period, presenter):
    # Both count only dated deals: no copy of the dated ones is made first.
    return build_period_counts_figure(deals, period=period, presenter=presenter), too_coarse_for(
        deals, period
    )


def _values(deals, period, presenter):
    return build_period_values_figure(deals, period=period, presenter=presenter), disclosed_count(
        deals
    )


def _lanes(_deals, current, lanes, presenter):
    """The swimlane chart, and the organisations with more deals than a lane draws."""
    index, kept = data.deal_index(current)
    # Only the dated deals of the chosen organisations are read (swimlane_rows keeps no other).
    theirs = index.take(index.rows_with_parties(index.dated_rows(kept), lanes))
    rows = swimlane_rows(theirs, list(lanes))
    counts = rows["party"].value_counts()
    crowded = [name for name in lanes if counts.get(name, 0) > MAX_LANE_DEALS]
    figure = swimlane_figure(rows, list(lanes), presenter=presenter, max_per_lane=MAX_LANE_DEALS)
    return figure, crowded


def _split(deals, current):
    index, kept = data.deal_index(current)
    return len(index.dated_rows(kept)), undated_deals(deals)


def _lane_choices(_deals, current):
    """Organisations of the dated deals, and the five with most dated deals
    (``party_names`` and ``default_swimlanes`` of the dated deals)."""
    index, kept = data.deal_index(current)
    dated = index.dated_rows(kept)
    return index.party_names(dated), index.most_active(dated, 5)["organisation"].tolist()


deals = page.filtered_deals_or_stop("Timeline")
current = filters.current()

presenter = filters.presenter_mode()
dated_count, undated = data.derived("timeline.split", _split, current, current)

if not dated_count:
    st.info(
        "None of the matching deals has a known date, so there is nothing to place on a time axis."
    )
else:
    figure, drawn = data.derived("timeline.chart", _timeline, current, current, presenter)
    if dated_count > drawn:
        st.caption(
            f"Drawing the {drawn:,} deals of the {MAX_TIMELINE_ROWS} pairs of organisations "
            f"that dealt most recently, of {dated_count:,} dated deals; the counts below "
            "include them all. Narrow the filters to draw others."
        )
    st.plotly_chart(figure, key="timeline_chart")
    st.caption(
        "A bar spans the whole month or year a deal's date is known to; a diamond marks a deal "
        "known to the day; a dotted line to a star (completed) or a cross (terminated) marks a "
        "later article reporting the deal closed or ended. Hover for the parties, the date as "
        "reported and the evidence."
    )

    urlstate.restore("timeline_period", "period", allowed=PERIODS)
    period = st.radio(
        "Count deals per",
        PERIODS,
        index=0,
        horizontal=True,
        key="timeline_period",
        format_func=str.capitalize,
    )
    urlstate.mirror("period", period, default=PERIODS[0])
    figure, coarse = data.derived("timeline.counts", _counts, current, period, presenter)
    st.plotly_chart(figure, key="timeline_counts")
    if coarse:
        st.caption(
            f"{coarse} deal{'s are' if coarse != 1 else ' is'} dated only to the year and "
            f"{'are' if coarse != 1 else 'is'} not counted in any {period}: choose Year to include "
            f"{'them' if coarse != 1 else 'it'}."
        )

    values_figure, disclosed = data.derived("timeline.values", _values, current, period, presenter)
    if disclosed:
        st.plotly_chart(values_figure, key="timeline_values")
        st.caption(
            f"{disclosed:,} of the {len(deals):,} matching deals disclose a value (the total, or "
            "upfront plus milestones), converted to US dollars at the deal's date with the "
            "European Central Bank's rates; the others are not in this chart."
        )
    else:
        st.caption("None of the matching deals discloses a value, so there is no value chart.")

    st.subheader("Swimlanes")
    choices, default_lanes = data.derived("timeline.lane_choices", _lane_choices, current, current)
    if SWIMLANES_KEY in st.session_state:
        st.session_state[SWIMLANES_KEY] = [
            o for o in st.session_state[SWIMLANES_KEY] if o in choices
        ]
    else:
        st.session_state[SWIMLANES_KEY] = default_lanes
    lanes = st.multiselect(
        "Organisations (one lane each)",
        choices,
        key=SWIMLANES_KEY,
        placeholder="Choose organisations",
        help="Starts with the organisations that have the most dated deals.",
    )
    if lanes:
        lanes_figure, crowded = data.derived(
            "timeline.lanes", _lanes, current, current, tuple(lanes), presenter
        )
        st.plotly_chart(lanes_figure, key="timeline_swimlane_chart")
        if crowded:
            st.caption(
                f"Each lane draws its latest {MAX_LANE_DEALS} deals; "
                + ", ".join(markdown_text(name) for name in crowded)
                + (" has" if len(crowded) == 1 else " have")
                + " more. Narrow the dates in the sidebar to see earlier ones."
            )
    else:
        st.caption("Choose organisations above to draw one lane per organisation.")

st.subheader("Undated deals")
if undated.empty:
    st.caption("Every matching deal has a date.")
else:
    st.caption(
        f"{len(undated)} matching deal{'s have' if len(undated) != 1 else ' has'} no known date "
        "(the article gives none), so they are listed here rather than placed on the time axis."
    )
    deals_table(undated, key="timeline_undated")
