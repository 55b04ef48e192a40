"""The opening every dashboard page shares."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import data, empty, filters


def filtered_deals_or_stop(title: str) -> pd.DataFrame:
    """Title, then the deals the sidebar filters keep; stops the page with a
    message when the store is empty or nothing matches."""
    st.title(title)
    totals = data.counts()
    if empty.store_is_empty(totals["deals"], totals["articles"]):
        st.stop()
    deals = data.filtered_deals(filters.current())
    if empty.nothing_matches(len(deals)):
        st.stop()
    return deals
