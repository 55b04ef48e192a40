"""The only module that reads the store from Streamlit, with caching.

``st.cache_resource`` holds one engine per database URL; ``st.cache_data``
holds tidy DataFrames (copied per call, safe to mutate), keyed by the URL so a
changed ``ATLAS_DB_URL`` never serves another store's data. Call
``clear_caches()`` after an ingest or a correction.

The deals table and its filtered views are the exception: ``st.cache_data``
copies by pickling, and unpickling a frame whose cells are lists costs about
35 µs a row (0.6 s per call at 17,000 deals, most of it garbage collection over
the new lists). They are held by ``st.cache_resource`` and every caller gets
``DataFrame.copy()`` (milliseconds): the frame is theirs to change, the list
cells are shared and read-only by convention (no page mutates them in place).
Across restarts they come from ``atlas.snapshot`` (a file beside the store, used
while the store is unchanged), so the first load after a restart reads one file.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from atlas import corrections, snapshot, store
from atlas.query import DealFilters, filter_deals, options

T = TypeVar("T")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building the frames makes millions of small lists and strings, none of them
    garbage; Python's cyclic collector would walk the whole heap (spaCy included)
    again and again meanwhile. Paused, the cold load of 10,000 articles took
    about a third of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Seconds between two full garbage collections (see collect_garbage).
COLLECT_EVERY_S = 5.0
_last_collection = [time.monotonic()]


def collect_garbage() -> None:
    """A full garbage collection, at most every ``COLLECT_EVERY_S`` seconds; app.py
    calls it after each script run.

    Graphs and figures evicted from the caches are reference cycles, freed only by a
    full collection, and Python puts those off while the prepared tables (a million
    long-lived objects at 100,000 articles) dominate the heap: the process grew by
    about 60 MB per filter setting. A full collection takes about 0.2 s there; 20 s
    between them was not enough (BENCHMARKS.md)."""
    now = time.monotonic()
    if now - _last_collection[0] >= COLLECT_EVERY_S:
        _last_collection[0] = now
        gc.collect()


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return store.open_store(url)


def engine() -> Engine:
    return _engine(store.database_url())


@st.cache_data(show_spinner=False)
def _counts(url: str) -> dict[str, int]:
    return store.counts(_engine(url))


@st.cache_resource(show_spinner=False, max_entries=4)
def _corrected(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deals and organisations with the user's corrections applied (read from the
    copy kept on disk when the store has not changed since it was made)."""
    with _collector_paused():
        return snapshot.dashboard_tables(_engine(url))


# A filtered frame is up to about 90 MB at 177,000 deals: the 6 latest settings are kept.
@st.cache_resource(show_spinner=False, max_entries=6)
def _filtered(url: str, filters: DealFilters) -> pd.DataFrame:
    return filter_deals(_corrected(url)[0], filters)


def _choices(deals: pd.DataFrame) -> dict:
    choices = options(deals)
    dated = deals["deal_date"].dropna() if len(deals) else pd.Series(dtype=str)
    choices["date_span"] = (dated.min(), dated.max()) if len(dated) else None
    return choices


@st.cache_data(show_spinner=False)
def _filter_choices(url: str) -> dict:
    deals = _corrected(url)[0]  # read only: no copy
    # Kept on disk beside the tables they come from (half a second at 177,000 deals).
    return snapshot.prepared(_engine(url), "filter-choices", lambda _engine: _choices(deals))


def _deals(url: str) -> pd.DataFrame:
    return _corrected(url)[0].copy()


def _organisations(url: str) -> pd.DataFrame:
    return _corrected(url)[1].copy()


@st.cache_data(show_spinner=False)
def _articles(url: str) -> pd.DataFrame:
    with _collector_paused():
        return store.articles_frame(_engine(url))


def counts() -> dict[str, int]:
    return _counts(store.database_url())


def deals() -> pd.DataFrame:
    return _deals(store.database_url())


def filtered_deals(filters: DealFilters) -> pd.DataFrame:
    """The deals ``filters`` keep, computed once per filter setting (not per rerun)."""
    return _filtered(store.database_url(), filters).copy()


@st.cache_resource(show_spinner=False, max_entries=256)
def _derived(url: str, filters: DealFilters, name: str, _function, args: tuple):
    return _function(_filtered(url, filters), *args)


# Results measured in megabytes (a network drawing's HTML, a profile) get a shorter memory.
@st.cache_resource(show_spinner=False, max_entries=12)
def _derived_large(url: str, filters: DealFilters, name: str, _function, args: tuple):
    return _function(_filtered(url, filters), *args)


# Results of hundreds of megabytes (the whole deal graph: 250 MB at 177,000 deals).
@st.cache_resource(show_spinner=False, max_entries=2)
def _derived_huge(url: str, filters: DealFilters, name: str, _function, args: tuple):
    return _function(_filtered(url, filters), *args)


_SIZES = {"small": _derived, "large": _derived_large, "huge": _derived_huge}


def derived(
    name: str,
    function: Callable[..., T],
    filters: DealFilters,
    *args: Hashable,
    size: str = "small",
) -> T:
    """``function(filtered deals, *args)``, computed once per store, filter setting and
    ``args``, then shared by every rerun and session (treat the result as read-only).

    ``name`` identifies ``function`` in the cache: give each use its own, and pass
    everything the function depends on besides the deals in ``args``. ``size`` bounds
    the memory: "small" results are kept for the 256 latest settings, "large" ones
    (megabytes) for 12, "huge" ones (hundreds of megabytes) for 2."""
    return _SIZES[size](store.database_url(), filters, name, function, args)


def filter_choices() -> dict:
    """Values each sidebar filter offers, and the span of deal dates."""
    return _filter_choices(store.database_url())


def organisations() -> pd.DataFrame:
    return _organisations(store.database_url())


def articles() -> pd.DataFrame:
    return _articles(store.database_url())


def clear_caches() -> None:
    st.cache_data.clear()
    _corrected.clear()
    _filtered.clear()
    for cache in _SIZES.values():
        cache.clear()


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


@st.cache_data(show_spinner=False, max_entries=64)
def _articles_mentioning(url: str, names: tuple[str, ...]) -> pd.DataFrame:
    return store.articles_mentioning(_engine(url), names)


def articles_mentioning(names: tuple[str, ...]) -> pd.DataFrame:
    """Articles mentioning an organisation stored under any of ``names``, with counts."""
    return _articles_mentioning(store.database_url(), tuple(sorted(set(names))))


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
