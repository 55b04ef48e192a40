"""The opening every dashboard page shares."""

from __future__ import annotations

import streamlit as st

from components import data, empty, filters


def _include_undated() -> None:
    st.session_state["filter_include_undated"] = True


def undated_notice() -> None:
    """With a date range set, say how many undated deals it leaves out, with a button
    that brings them in (the sidebar's "Include undated deals" box, ticked)."""
    hidden = data.undated_left_out_count(filters.current())
    if not hidden:
        return
    text, button = st.columns([5, 1], vertical_alignment="center")
    text.caption(
        f"{hidden:,} undated deal{'s' if hidden != 1 else ''} not shown: the date range "
        "leaves out deals whose date is not known."
    )
    button.button("Include them", key="undated_include", on_click=_include_undated)


def open_or_stop(title: str) -> None:
    """Title and the active filters; stops the page with a message when the store is
    empty or nothing matches. Only guards: the filtered deals are not made here (pages
    that read them through ``data.derived_from_index`` never need the frame)."""
    st.title(title)
    totals = data.counts()
    if empty.store_is_empty(totals["deals"], totals["articles"]):
        st.stop()
    filters.show_active_filters()
    matching = data.matching_count(filters.current())
    undated_notice()
    if empty.nothing_matches(matching):
        st.stop()
