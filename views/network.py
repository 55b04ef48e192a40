"""Network: organisations joined by their deals; focus on one, or list the deals between two."""

import streamlit as st

from atlas.pages.network import deals_between_organisations, organisation_names
from components import data, filters, page, urlstate
from components.network import (
    DEFAULT_MAX_NODES,
    DEFAULT_PARTNERS,
    MAX_NODES,
    PARTNER_CHOICES,
    PARTNERS_LABEL,
    SIZE_LABEL,
    country_ranking,
    network_view,
    show_network,
)
from components.tables import deals_table

ALL = "All organisations"


def _keep_valid(key: str, allowed: list, fallback) -> None:
    """Reset a widget whose remembered value the current filters no longer offer."""
    if key in st.session_state and st.session_state[key] not in allowed:
        st.session_state[key] = fallback


page.open_or_stop("Network")
current = filters.current()

presenter = filters.presenter_mode()
# The whole graph of the filtered deals, built once per filter setting (read-only).
graph = data.setting_graph(current)
names = data.derived_from_graph(organisation_names, current)
if not names:
    st.info("The matching deals name no organisation to draw.", icon=":material/hub:")
    st.stop()

urlstate.restore("network_focus", "focus", allowed=set(names))
urlstate.restore("network_hops", "hops", allowed={1, 2}, parse=int)
urlstate.restore("network_partners", "partners", allowed=set(PARTNER_CHOICES), parse=int)
urlstate.restore("network_pair_a", "a", allowed=set(names))
urlstate.restore("network_pair_b", "b", allowed=set(names))
_keep_valid("network_focus", [ALL, *names], ALL)
_keep_valid("network_pair_a", [None, *names], None)
_keep_valid("network_pair_b", [None, *names], None)

focus_col, hops_col, colour_col, size_col, partners_col = st.columns([3, 1, 1, 2, 2])
focus = focus_col.selectbox(
    "Focus on",
    [ALL, *names],
    key="network_focus",
    help="Show one organisation and its partners",
)
hops = hops_col.radio(
    "Reach",
    [1, 2],
    key="network_hops",
    format_func=lambda h: f"{h} hop{'s' if h > 1 else ''}",
    help="1 hop: its partners; 2 hops: also their partners",
    disabled=focus == ALL,
)
colour_by = colour_col.radio(
    "Colour by", ["country", "kind"], key="network_colour_by", format_func=str.capitalize
)
max_nodes = size_col.slider(
    SIZE_LABEL,
    min_value=10,
    max_value=MAX_NODES,
    value=DEFAULT_MAX_NODES,
    step=10,
    key="network_max_nodes",
    help="The organisations with most deals are kept; a focused organisation always stays.",
)
# The default goes through the session state, where the URL may have set it.
st.session_state.setdefault("network_partners", DEFAULT_PARTNERS)
partners = partners_col.select_slider(
    PARTNERS_LABEL,
    PARTNER_CHOICES,
    key="network_partners",
    help="Of the links among the organisations drawn, each one's partners with most deals "
    "together are kept (a link stays when it is among the strongest of either end); "
    "a focused organisation keeps all its links.",
)

urlstate.mirror("focus", focus, default=ALL)
urlstate.mirror("hops", hops if focus != ALL else None, default=1)
urlstate.mirror("partners", partners, default=DEFAULT_PARTNERS)
# Presenting, the drawing fits a 1920x1080 screen under the title, controls and
# legend, so the audience sees all of it without scrolling.
height_px = 540 if presenter else 620
with st.spinner("Laying out the network…"):
    caption, html = data.derived_from_graph(
        network_view,
        current,
        None if focus == ALL else focus,
        hops if focus != ALL else 1,
        max_nodes,
        partners,
        colour_by,
        presenter,
        height_px,
        # Once per filter setting, shared with the Companies page's networks.
        data.derived(country_ranking, current),
        size="large",
    )
st.caption(caption)
if focus == ALL:
    title = "Network of deals between organisations"
else:
    title = f"{focus} and its partners" + (" and theirs" if hops == 2 else "")
show_network(
    html,
    key="network",
    height_px=height_px,
    presenter=presenter,
    title=title,
    subject=None if focus == ALL else focus,
    note=caption,
)

st.subheader("Deals between two organisations")
a_col, b_col = st.columns(2)
pair_a = a_col.selectbox(
    "Organisation A", names, index=None, key="network_pair_a", placeholder="Choose an organisation"
)
pair_b = b_col.selectbox(
    "Organisation B", names, index=None, key="network_pair_b", placeholder="Choose an organisation"
)
urlstate.mirror("a", pair_a)
urlstate.mirror("b", pair_b)
if pair_a and pair_b:
    if pair_a == pair_b:
        st.info("Choose two different organisations.", icon=":material/compare_arrows:")
    else:
        shared = deals_between_organisations(
            graph, data.filtered_deals_shared(current), pair_a, pair_b
        )
        if len(shared):
            deals_table(shared, key="network_pair_deals")
        else:
            st.info(
                "These two organisations share no deal under the current filters.",
                icon=":material/link_off:",
            )
