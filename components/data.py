"""The only module that reads the store from Streamlit, with caching.

``st.cache_resource`` holds one engine per database URL; ``st.cache_data``
holds tidy DataFrames (copied per call, safe to mutate), keyed by the URL so a
changed ``ATLAS_DB_URL`` never serves another store's data. Call
``clear_caches()`` after an ingest or a correction.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from atlas import corrections, store


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return store.open_store(url)


def engine() -> Engine:
    return _engine(store.database_url())


@st.cache_data(show_spinner=False)
def _counts(url: str) -> dict[str, int]:
    return store.counts(_engine(url))


@st.cache_data(show_spinner=False)
def _corrected(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deals and organisations with the user's corrections applied."""
    engine = _engine(url)
    return corrections.apply_corrections(
        store.deals_frame(engine),
        store.organisations_frame(engine),
        corrections.list_corrections(engine),
    )


def _deals(url: str) -> pd.DataFrame:
    return _corrected(url)[0]


def _organisations(url: str) -> pd.DataFrame:
    return _corrected(url)[1]


@st.cache_data(show_spinner=False)
def _articles(url: str) -> pd.DataFrame:
    return store.articles_frame(_engine(url))


def counts() -> dict[str, int]:
    return _counts(store.database_url())


def deals() -> pd.DataFrame:
    return _deals(store.database_url())


def organisations() -> pd.DataFrame:
    return _organisations(store.database_url())


def articles() -> pd.DataFrame:
    return _articles(store.database_url())


def clear_caches() -> None:
    st.cache_data.clear()


@st.cache_data(show_spinner=False)
def _article_detail(url: str, article_id: str) -> dict | None:
    return store.article_detail(_engine(url), article_id)


@st.cache_data(show_spinner=False)
def _mentions(url: str, article_id: str | None) -> pd.DataFrame:
    """Mentions under the organisation names the user sees (merges and renames applied)."""
    engine = _engine(url)
    return corrections.corrected_mentions(
        store.mentions_frame(engine, article_id), corrections.list_corrections(engine)
    )


@st.cache_data(show_spinner=False)
def _last_run(url: str) -> dict | None:
    return store.last_run(_engine(url))


def article_detail(article_id: str) -> dict | None:
    return _article_detail(store.database_url(), article_id)


def mentions(article_id: str | None = None) -> pd.DataFrame:
    return _mentions(store.database_url(), article_id)


def last_run() -> dict | None:
    return _last_run(store.database_url())


@st.cache_resource(show_spinner="Loading the language model ...")
def _extractor(fingerprint: str):
    from atlas.extract import Extractor

    return Extractor()


def extractor():
    """The spaCy pipeline and rules, one per lexicon version (a lexicon edit loads a new one)."""
    from atlas.lexicon import load_lexicon

    return _extractor(load_lexicon().fingerprint)


@st.cache_data(show_spinner=False)
def _corrections(url: str) -> pd.DataFrame:
    return corrections.corrections_frame(_engine(url))


def corrections_list() -> pd.DataFrame:
    return _corrections(store.database_url())
