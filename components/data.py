"""The only module that reads the store from Streamlit, with caching.

``st.cache_resource`` holds the engine (one per process); ``st.cache_data``
holds tidy DataFrames, copied per call so pages may mutate them. Call
``clear_caches()`` after an ingest or a correction.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from atlas import store


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    return store.open_store()


@st.cache_data(show_spinner=False)
def counts() -> dict[str, int]:
    return store.counts(engine())


@st.cache_data(show_spinner=False)
def deals() -> pd.DataFrame:
    return store.deals_frame(engine())


@st.cache_data(show_spinner=False)
def organisations() -> pd.DataFrame:
    return store.organisations_frame(engine())


@st.cache_data(show_spinner=False)
def articles() -> pd.DataFrame:
    return store.articles_frame(engine())


def clear_caches() -> None:
    st.cache_data.clear()
