"""Countries: deals per country, who deals across borders, one country's organisations and deals."""

from pathlib import Path

import streamlit as st

from atlas.figures.countries import country_at, unplaced_countries
from atlas.pages.countries import (
    across_borders,
    by_country,
    country_bars,
    country_map,
    deals_between,
    one_country,
    pair_choices,
)
from atlas.safe_text import markdown_text
from components import data, filters, page
from components.tables import deals_table

FOCUS_KEY = "countries_focus"
CLICKED_KEY = "_countries_map_clicked"
# plotly.js fetches country shapes (world_110m.json) from this folder when the map
# renders; without a local copy served by Streamlit it would go to a CDN, so the
# page draws bars instead.
TOPOJSON_DIR = Path(__file__).resolve().parent.parent / "static" / "topojson"


def map_config() -> dict | None:
    """Plotly config pointing the map at the locally served shapes, or None when there are none."""
    if st.get_option("server.enableStaticServing") and (TOPOJSON_DIR / "world_110m.json").is_file():
        return {"topojsonURL": "app/static/topojson/", "displaylogo": False}
    return None


page.open_or_stop("Countries")
current = filters.current()

presenter = filters.presenter_mode()
counted = data.derived_from_index(by_country, current)
known = counted["country"].tolist()
if not known:
    st.info("None of the matching deals names a country.")
    st.stop()

config = map_config()
chart, counts = st.columns([3, 1])
with chart:
    if config:
        event = st.plotly_chart(
            data.derived_from_index(country_map, current, presenter),
            key="countries_map",
            config=config,
            on_select="rerun",
            selection_mode="points",
        )
        unplaced = unplaced_countries(counted)
        if unplaced:
            st.caption(
                "Not on the map (no country shape): "
                + ", ".join(markdown_text(c) for c in unplaced)
            )
    else:
        event = st.plotly_chart(
            data.derived_from_index(country_bars, current, presenter),
            key="countries_bars",
            on_select="rerun",
            selection_mode="points",
        )
    st.caption(
        "A deal counts once for every country it involves. Click a country to list its organisations and deals."
    )
with counts:
    st.dataframe(
        counted.rename(columns={"country": "Country", "deals": "Deals"}),
        hide_index=True,
        width="stretch",
        key="countries_counts",
    )

st.subheader("Across borders")
matrix_figure, sankey_figure, left_out = data.derived_from_index(across_borders, current, presenter)
matrix, sankey = st.columns(2)
matrix.plotly_chart(matrix_figure, key="countries_matrix")
sankey.plotly_chart(sankey_figure, key="countries_sankey")
st.caption(
    "From the home countries of the parties: a Japan–South Korea deal is one deal between Japan "
    "and South Korea; the diagonal holds deals whose parties all share a country. A partner "
    'whose country is not known counts under "unknown country" (last row of the matrix, not '
    "in the flows), never as domestic."
)
if left_out:
    st.caption(left_out)


# A click on the chart moves the focus; only a new click does, so the select box stays usable.
points = (getattr(event, "selection", None) or {}).get("points") or []
clicked = country_at(points, known)
if clicked and clicked != st.session_state.get(CLICKED_KEY):
    st.session_state[FOCUS_KEY] = clicked
st.session_state[CLICKED_KEY] = clicked
if st.session_state.get(FOCUS_KEY) not in known:
    st.session_state[FOCUS_KEY] = known[0]

st.subheader("One country")
focus = st.selectbox("Country", known, key=FOCUS_KEY)
organisations, involved = data.derived_from_index(one_country, current, focus)
left, right = st.columns([2, 3])
with left:
    st.markdown(f"**Organisations based in {markdown_text(focus)}**")
    if organisations.empty:
        st.caption("No party of these deals is known to be based there.")
    else:
        st.dataframe(
            organisations.rename(columns={"organisation": "Organisation", "deals": "Deals"}),
            hide_index=True,
            width="stretch",
            key="countries_organisations",
        )
with right:
    st.markdown(f"**Deals involving {markdown_text(focus)}** ({len(involved)})")
    deals_table(involved, key="countries_deals")


st.subheader("Between two countries")
st.caption("The deals behind one cell of the matrix above.")
names, busiest = data.derived_from_index(pair_choices, current)
if names:
    one, two = st.columns(2)
    for key, value in (
        ("countries_pair_a", busiest[0] if busiest else names[0]),
        ("countries_pair_b", busiest[1] if busiest else names[0]),
    ):
        if st.session_state.get(key) not in names:
            st.session_state[key] = value
    first = one.selectbox("Between", names, key="countries_pair_a")
    second = two.selectbox("and", names, key="countries_pair_b")
    pair_deals = data.derived_from_index(deals_between, current, first, second)
    st.caption(
        f"{len(pair_deals):,} deal{'s' if len(pair_deals) != 1 else ''} between parties based in "
        f"{markdown_text(first)} and {markdown_text(second)}"
        + (" (domestic deals)" if first == second else "")
        + "."
    )
    if len(pair_deals):
        deals_table(pair_deals, key="countries_pair_deals")
