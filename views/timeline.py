"""Timeline: deals by date, counts per period, swimlanes per organisation, undated deals."""

import streamlit as st

from atlas.figures.timeline import MAX_LANE_DEALS, MAX_TIMELINE_ROWS, PERIODS
from atlas.pages.timeline import (
    dated_and_undated,
    lane_choices,
    period_chart,
    swimlanes,
    timeline_chart,
    value_chart,
)
from atlas.safe_text import markdown_text
from components import data, filters, page, urlstate
from components.tables import deals_table

SWIMLANES_KEY = "timeline_swimlanes"

page.open_or_stop("Timeline")
current = filters.current()

presenter = filters.presenter_mode()
dated_count, undated = data.derived_from_index(dated_and_undated, current)

if not dated_count:
    st.info(
        "None of the matching deals has a known date, so there is nothing to place on a time axis."
    )
else:
    figure, drawn = data.derived_from_index(timeline_chart, current, presenter)
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
    figure, coarse = data.derived(period_chart, current, period, presenter)
    st.plotly_chart(figure, key="timeline_counts")
    if coarse:
        st.caption(
            f"{coarse} deal{'s are' if coarse != 1 else ' is'} dated only to the year and "
            f"{'are' if coarse != 1 else 'is'} not counted in any {period}: choose Year to include "
            f"{'them' if coarse != 1 else 'it'}."
        )

    values_figure, disclosed = data.derived(value_chart, current, period, presenter)
    if disclosed:
        st.plotly_chart(values_figure, key="timeline_values")
        st.caption(
            f"{disclosed:,} of the {data.matching_count(current):,} matching deals disclose a value (the total, or "
            "upfront plus milestones), converted to US dollars at the deal's date with the "
            "European Central Bank's rates; the others are not in this chart."
        )
    else:
        st.caption("None of the matching deals discloses a value, so there is no value chart.")

    st.subheader("Swimlanes")
    choices, default_lanes = data.derived_from_index(lane_choices, current)
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
        lanes_figure, crowded = data.derived_from_index(swimlanes, current, tuple(lanes), presenter)
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
