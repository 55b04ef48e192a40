"""The only module that reads the store from Streamlit, with caching.

``st.cache_resource`` holds one engine per database URL (and, for a SQLite file,
per file: a file deleted and made again gets a new engine, not one still reading
the deleted file); ``st.cache_data`` holds tidy DataFrames (copied per call, safe
to mutate). Every cache is keyed by the store: its URL, the random id written
into it when it was made and its change counter (both read on every call), so
neither a changed ``ATLAS_DB_URL``, a store deleted and made again under the same
address, nor a change made by anyone (this session, another one, a background
job, the CLI) ever serves data the store no longer holds.

The prepared tables (deals and organisations as the user sees them) are not
rebuilt after a change: ``atlas.incremental`` brings the process's last copy up
to date by the deals the change touches (a correction, an upload, a feed refresh),
in a fraction of a second at 177,000 deals instead of a rebuild. Call
``clear_caches()`` after an ingest or a correction: it drops what was computed from
the older tables (and the cheap ``st.cache_data`` results), never the tables.

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

import ctypes
import functools
import gc
import hashlib
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from atlas import correction_words, corrections, incremental, jobs, snapshot, store
from atlas.pages import KeptDeals
from atlas.query import DealFilters, DealIndex, with_dates

if TYPE_CHECKING:  # the graph module (scipy, networkx) loads with the first graph
    import networkx as nx

    from atlas.graph import DealGraphParts

T = TypeVar("T")

# (database URL, SQLite file's (device, inode) or None, store id, change counter):
# what every cache is keyed by.
StoreKey = tuple[str, tuple[int, int] | None, str | None, int]


# Paused while the frames are built (see atlas.snapshot.collector_paused).
_collector_paused = snapshot.collector_paused


# Seconds between two full garbage collections (see collect_garbage).
COLLECT_EVERY_S = 5.0
_last_collection = [time.monotonic()]


# The prepared deals frame frozen last (a weak reference), see _frozen_tables.
_frozen: list = [None]
# A third-generation threshold never reached: no full collection but collect_garbage's.
FULL_COLLECTIONS_OFF = 1_000_000_000


def _frozen_tables(key: StoreKey) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str | None, int]]:
    """``_corrected(key)``, and the first time a new deals frame is seen, everything
    alive then moved into the collector's permanent generation (``gc.freeze``).

    The prepared tables are 1.7 million containers at 175,000 deals (lists in
    cells); every full collection walked them all (0.4 s, more with cached graphs)
    and Python starts one on its own while a page allocates, so a filter change paid
    for them several times over. Frozen, they are never walked again. The tables
    hold no reference cycles, so when they are replaced their memory is still freed
    (by reference counting). When tables are made again, the garbage waiting then
    (results just evicted) is collected first, so nothing dead is frozen; at the
    first load there is next to none, and that collection would cost 0.25 s.

    Objects alive at a freeze that die in a reference cycle (a cached figure or graph
    evicted afterwards) wait for the next new frame, which thaws and collects
    everything first."""
    tables = _corrected(key)
    seen = _frozen[0]() if _frozen[0] is not None else None
    if seen is not tables[0]:
        if _frozen[0] is not None:
            # Tables made again (an edit makes a new frame): everything frozen before is
            # thawed and collected, or whatever died in a reference cycle since the
            # last freeze (an evicted figure, the old frame's graph) would never be
            # freed: the process grew by 0.3 GB per correction at 100,000 articles.
            gc.unfreeze()
            gc.collect()
        gc.freeze()
        # Frozen objects do not count as long-lived, which is what holds Python's own
        # full collections back: they would start every few thousand allocations and
        # walk every cached graph each time. Full collections come from collect_garbage.
        gc.set_threshold(*gc.get_threshold()[:2], FULL_COLLECTIONS_OFF)
        _frozen[0] = weakref.ref(tables[0])
    return tables


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
        _return_free_memory()


def _return_free_memory() -> None:
    """Hands the C heap's free pages back to the system (glibc's ``malloc_trim``).

    What a filter setting computes is freed when the caches drop it, but glibc keeps
    freed memory for reuse and returns little of it on its own (fewer arenas,
    ``MALLOC_ARENA_MAX=2``, made no difference): after six filter settings at 100,000
    articles, with every cache here cleared and collected, the process still held
    1.61 GiB, and 1.40 GiB after a trim (BENCHMARKS.md). A no-op where the C library
    is not glibc."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


@st.cache_resource(show_spinner=False, max_entries=4)
def _open(url: str, file: tuple[int, int] | None) -> Engine:
    return store.open_store(url)


def _file_identity(url: str) -> tuple[int, int] | None:
    path = store.sqlite_file(url)
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _current_engine(url: str) -> tuple[Engine, tuple[int, int] | None]:
    """The engine for the store at ``url`` now, and the SQLite file it reads."""
    file = _file_identity(url)
    if file is None and store.sqlite_file(url) is not None:
        store.open_store(url).dispose()  # makes the file (and its schema) first
        file = _file_identity(url)
    return _open(url, file), file


def _engine(key: StoreKey) -> Engine:
    return _open(key[0], key[1])


def _store_key() -> StoreKey:
    """The store the app reads now, as it is now; its id and change counter are read
    on every call, so a store made again under the same address, or changed, is a
    new key."""
    url = store.database_url()
    engine, file = _current_engine(url)
    store_id, generation = store.data_version(engine)
    return url, file, store_id, generation


def _key() -> StoreKey:
    """What every cache is keyed by: the store, and the version of it the prepared
    tables served now reflect. That is the store's own version, but while a job
    rewrites every deal (see ``_state``): the caches filled meanwhile must not pass
    for the store as the job leaves it."""
    key = _store_key()
    served = _state(key).version[1]
    return key if served == key[3] else (key[0], key[1], key[2], served)


def engine() -> Engine:
    return _current_engine(store.database_url())[0]


def read_only() -> bool:
    """Is the store opened read-only (a SQLite file this process cannot write)?"""
    return store.is_read_only(engine())


def store_problem() -> str | None:
    """Why the store cannot be read (one line, no password), or None when it can."""
    try:
        _store_key()
    except Exception as error:  # noqa: BLE001 - every failure is told, in one line
        return store.describe_error(error)
    return None


# The store's articles and extraction as they are, whatever the corrections: what the
# caches of tables read from them alone are keyed by, so a correction keeps them warm.
RawKey = tuple[str, tuple[int, int] | None, str | None, tuple]


@st.cache_data(show_spinner=False, max_entries=16)
def _rows(key: StoreKey) -> tuple:
    return tuple(sorted(store.rows_summary(_engine(key)).items()))


def _raw_key(key: StoreKey) -> RawKey:
    return key[0], key[1], key[2], _rows(key)


@st.cache_data(show_spinner=False, max_entries=4)
def _counts(key: RawKey) -> dict[str, int]:
    return store.counts(_open(key[0], key[1]))


class _Tables:
    """The latest prepared tables of one store in this process (an
    ``atlas.incremental.DashboardState``), replaced, never changed, when the store changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state = None


@st.cache_resource(show_spinner=False, max_entries=4)
def _tables(url: str, file: tuple[int, int] | None, store_id: str | None) -> _Tables:
    return _Tables()


def _state(key: StoreKey):
    """The prepared tables for ``key``: the ones held when they reflect it (or a later
    version: a session's key read a moment before another's change), else the held
    ones brought up to date (``atlas.snapshot.dashboard_state``), else the file kept
    on disk (caught up), else built from the store. One session updates them at a
    time; the others wait for the result instead of computing it again."""
    holder = _tables(key[0], key[1], key[2])
    with holder.lock:
        state = holder.state
        if state is None or state.version[1] < key[3]:
            engine, version = _engine(key), (key[2], key[3])
            if state is not None and _job_running(engine):
                # A background job writes as it goes. New articles are followed; a
                # re-extraction (every deal deleted and written again) cannot be, and
                # rebuilding on each run meanwhile would cost a rebuild per page: the
                # held tables are served until it ends (it leaves the file written).
                updated = snapshot.caught_up(engine, state, version)
                if updated is None:
                    return state
                state = updated
            else:
                state = snapshot.dashboard_state(engine, version=version, previous=state)
            holder.state = state
    return state


def _job_running(engine: Engine) -> bool:
    try:
        return jobs.active_job(engine) is not None
    except Exception:  # noqa: BLE001 - a store without the jobs table runs none
        return False


def _corrected(key: StoreKey) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str | None, int]]:
    """Deals and organisations with the user's corrections applied, and the store's
    version they reflect (read only: callers copy)."""
    state = _state(key)
    return state.deals, state.organisations, state.version


# One prepared frame's index at a time: every edit makes a new frame (and key).
@st.cache_resource(show_spinner=False, max_entries=1)
def _index_of(key: StoreKey, _tables_now: pd.DataFrame) -> tuple[pd.DataFrame, DealIndex, object]:
    deals = _tables_now if "date_start" in _tables_now.columns else with_dates(_tables_now)
    deals = _sharing_texts(deals)
    return deals, _carried_index(key, deals, _tables_now), _tables_now


class _Latest:
    """What was made from one store's latest prepared frame (its ``token``): its
    index or its graph parts, carried through the next edit's splice."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.made: Any = None
        self.token: str | None = None


@st.cache_resource(show_spinner=False, max_entries=8)
def _latest(url: str, file: tuple[int, int] | None, store_id: str | None, what: str) -> _Latest:
    return _Latest()


def _carried_index(key: StoreKey, deals: pd.DataFrame, tables: pd.DataFrame) -> DealIndex:
    """A new frame's index: after an edit, the lists the last frame's index had read
    carried through the edit's splice (``DealIndex.carried``), else read when asked."""
    state = _state(key)
    held = _latest(key[0], key[1], key[2], "index")
    with held.lock:
        before, splice = held.made, state.splice
        if (
            before is not None
            and state.deals is tables
            and splice is not None
            and splice.previous == held.token
        ):
            index = before.carried(deals, taken=splice.taken, before=splice.before)
        else:
            index = DealIndex(deals)
        held.made, held.token = index, state.token
    return index


def _sharing_texts(deals: pd.DataFrame) -> pd.DataFrame:
    """``deals`` with its text columns (pandas' Arrow-backed ``str``) as Python objects.

    Every filter setting takes its rows of this frame, and taking rows of an Arrow
    text column copies the texts: 40 MB per setting at 175,000 deals (evidence most
    of it, 0.1 s), held by every cached frame and result made of those rows. Taking
    rows of an object column copies pointers to the same strings."""
    texts = {c: object for c in deals.columns if isinstance(deals[c].dtype, pd.StringDtype)}
    return deals.astype(texts) if texts else deals


def _indexed(key: StoreKey) -> tuple[pd.DataFrame, DealIndex]:
    """The deals (with their date spans) and their index per filter value, once per
    prepared frame: a filter change combines row positions instead of reading every
    list cell. Made again whenever the prepared frame is another object (after an
    edit), whichever way the caches were refreshed."""
    tables = _frozen_tables(key)[0]
    deals, index, source = _index_of(key, tables)
    if source is not tables:
        _index_of.clear()
        deals, index, source = _index_of(key, tables)
    return deals, index


@st.cache_resource(show_spinner=False, max_entries=64)
def _positions(key: StoreKey, filters: DealFilters) -> np.ndarray:
    # The rows filter_deals keeps, found from the index (tests hold the two equal).
    return _indexed(key)[1].positions(filters)


# Row sets remembered per prepared frame (each a digest and one filter setting).
SAME_ROWS_REMEMBERED = 512


class _SameRows:
    """The first filter setting seen per set of kept rows, for one prepared frame."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.first: OrderedDict[tuple[int, bytes], DealFilters] = OrderedDict()


@st.cache_resource(show_spinner=False, max_entries=1)
def _same_rows(key: StoreKey) -> _SameRows:
    return _SameRows()


@st.cache_resource(show_spinner=False, max_entries=256)
def _canonical(key: StoreKey, filters: DealFilters) -> DealFilters:
    rows = _positions(key, filters)
    digest = (len(rows), hashlib.blake2b(rows.tobytes(), digest_size=16).digest())
    held = _same_rows(key)
    with held.lock:
        first = held.first.setdefault(digest, filters)
        held.first.move_to_end(digest)
        while len(held.first) > SAME_ROWS_REMEMBERED:
            held.first.popitem(last=False)
    return first


def same_rows_filters(filters: DealFilters) -> DealFilters:
    """The filter setting everything computed from ``filters``' deals is kept under:
    the first one seen that keeps exactly the same rows of the prepared frame.

    Every result here is a function of the kept rows (and its own arguments), so a
    setting that keeps the same rows as one seen before (a minimum confidence below
    every deal's, a type every kept deal has, the same range with the undated deals
    in when there are none) is served what that one computed instead of computing it
    all again over the same deals (1-3 s of CPU per page at 175,000 deals)."""
    return _canonical(_key(), filters)


# A filtered frame is up to about 50 MB at 177,000 deals (its texts shared with the
# prepared frame's): the 4 latest settings are kept.
@st.cache_resource(show_spinner=False, max_entries=4)
def _filtered(key: StoreKey, filters: DealFilters) -> pd.DataFrame:
    return _indexed(key)[0].take(_positions(key, filters))


def _graph_parts(key: StoreKey) -> DealGraphParts:
    """``DealGraphParts`` of the prepared frame, once per frame: after an edit, the
    parts of the frame it was spliced from carried over (``DealGraphParts.updated``:
    only the edit's deals read, 1.4 s of CPU saved at 175,000 deals), else read."""
    from atlas.graph import DealGraphParts

    deals = _indexed(key)[0]
    state = _state(key)
    held = _latest(key[0], key[1], key[2], "graph parts")
    with held.lock:
        if held.token != state.token:
            before, splice = held.made, state.splice
            if before is not None and splice is not None and splice.previous == held.token:
                parts = before.updated(
                    deals,
                    organisations=state.organisations,
                    taken=splice.taken,
                    before=splice.before,
                )
            else:
                parts = DealGraphParts(deals, organisations=state.organisations)
            if before is not None:
                before.release()  # it may be frozen: freed by reference counting instead
            held.made, held.token = parts, state.token
        return held.made


def deal_graph(filters: DealFilters) -> nx.Graph:
    """``atlas.graph.build_deal_graph`` of the deals ``filters`` keep, with the
    organisations table: assembled from the parts of every deal, read once per
    prepared frame (``DealGraphParts``), so a filter change does not read the deals
    again. Every deal kept gives the one whole graph. Read-only."""
    key = _key()
    parts = _graph_parts(key)
    from atlas import graph

    made = not parts.whole_made
    result = graph.build_deal_graph(None, parts=parts, rows=_positions(key, filters))
    if made and parts.whole_made:
        # The whole graph lives as long as the prepared frame (half a million
        # containers): frozen like the tables, so the collections every few seconds
        # (collect_garbage) no longer walk it. release() above lets it go.
        gc.freeze()
    return result


@st.cache_data(show_spinner=False)
def _filter_choices(key: StoreKey) -> dict:
    # Tallied with the tables and kept up to date by each change (half a second at
    # 177,000 deals when read from every deal).
    return incremental.filter_choices(_state(key))


@st.cache_data(show_spinner=False, max_entries=2)
def _articles(key: RawKey) -> pd.DataFrame:
    with _collector_paused():
        return store.articles_frame(_open(key[0], key[1]))


def counts() -> dict[str, int]:
    return _counts(_raw_key(_key()))


def deals() -> pd.DataFrame:
    return _frozen_tables(_key())[0].copy()


def deal(index) -> pd.Series:
    """One row of ``deals()`` (by its index), without copying every deal first."""
    return _frozen_tables(_key())[0].loc[index].copy()


def deals_of_articles(article_ids) -> pd.DataFrame:
    """The deals ``deals()`` shows for these articles (their representative's article)."""
    frame = _frozen_tables(_key())[0]
    return frame[frame["article_id"].isin(list(article_ids))].copy()


def filtered_deals(filters: DealFilters) -> pd.DataFrame:
    """The deals ``filters`` keep, computed once per set of rows (not per rerun)."""
    key = _key()
    return _filtered(key, _canonical(key, filters)).copy()


def filtered_deals_shared(filters: DealFilters) -> pd.DataFrame:
    """``filtered_deals`` without the copy: the cached frame itself, to read only."""
    key = _key()
    return _filtered(key, _canonical(key, filters))


# Entries kept per size of result: "small" results for the 256 latest settings and
# arguments; results measured in megabytes (a network drawing's HTML, a profile) for
# 12; results of hundreds of megabytes (the whole deal graph: 250 MB at 177,000 deals)
# for the latest only (a page needs one; a second cost 100-250 MB); results holding
# tables of many rows (a page's reordered copy of the filtered deals, tens of
# megabytes each at 175,000 deals) for the 4 latest; each setting's KeptDeals (its
# kept rows, up to 1.4 MB, and what its functions share) for the 4 latest.
RESULT_BOUNDS = {"small": 256, "large": 12, "huge": 1, "tables": 4, "kept": 4}
# A "small" result holding tables of this many rows in all is kept as "tables" from then on.
MANY_ROWS = 20_000
_MISSING = object()


class _Results:
    """Every result of ``derived`` and its kin: one least-recently-used store per size,
    each bounded by ``RESULT_BOUNDS``. A result is computed once: sessions asking for
    the same one meanwhile wait for it instead of computing it again."""

    def __init__(self, bounds: dict[str, int]) -> None:
        self.bounds = bounds
        self.lock = threading.Lock()
        self.held: dict[str, OrderedDict[Hashable, object]] = {s: OrderedDict() for s in bounds}
        self.computing: dict[Hashable, threading.Lock] = {}
        # Functions whose results turned out to hold many rows (learned per process).
        self.many_rows: set[str] = set()

    def _find(self, size: str, key: Hashable) -> object:
        with self.lock:
            held = self.held[size]
            if key not in held:
                return _MISSING
            held.move_to_end(key)
            return held[key]

    def put(self, size: str, key: Hashable, result: object) -> None:
        with self.lock:
            for other in self.held.values():
                other.pop(key, None)
            held = self.held[size]
            held[key] = result
            while len(held) > self.bounds[size]:
                held.popitem(last=False)

    def get(self, size: str, key: Hashable, compute: Callable[[], T]) -> T:
        found = self._find(size, key)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        with self.lock:
            pending = self.computing.setdefault(key, threading.Lock())
        with pending:
            found = self._find(size, key)
            if found is not _MISSING:
                return found  # type: ignore[return-value]
            try:
                result = compute()
                self.put(size, key, result)
            finally:
                with self.lock:
                    self.computing.pop(key, None)
        return result

    def clear(self) -> None:
        with self.lock:
            for held in self.held.values():
                held.clear()


_results = _Results(RESULT_BOUNDS)


def function_key(function: Callable) -> str:
    """What a function's results are kept under: its module and qualified name (a
    lambda or a nested function is told apart by the function it is in). A page
    script runs as ``__main__``: its file stands for the module, so two pages' helpers
    of one name are not confused."""
    module = function.__module__
    if module == "__main__":
        module = function.__code__.co_filename
    return f"{module}.{function.__qualname__}"


def _rows_held(result: object, depth: int = 0) -> int:
    """Rows of the tables in ``result`` (a table, or a tuple, list or dict of them)."""
    if isinstance(result, pd.DataFrame | pd.Series):
        return len(result)
    if depth < 2 and isinstance(result, tuple | list):
        return sum(_rows_held(item, depth + 1) for item in result[:16])
    if depth < 2 and isinstance(result, dict):
        return sum(_rows_held(item, depth + 1) for item in list(result.values())[:16])
    return 0


def _kept_deals(key: StoreKey, filters: DealFilters) -> KeptDeals:
    # One per setting for its 4 latest (as the filtered frames), so what several
    # functions of a page share (KeptDeals.memo: Countries' pairs) is computed once.
    return _results.get(
        "kept",
        (key, filters, "kept"),
        lambda: KeptDeals(_indexed(key)[1], _positions(key, filters), _frozen_tables(key)[1]),
    )


def _setting_graph(key: StoreKey, filters: DealFilters) -> nx.Graph:
    return _results.get("huge", (key, filters, "graph"), lambda: deal_graph(filters))


# What a derived function is given first, read from the store key and the setting.
_READERS: dict[str, Callable[[StoreKey, DealFilters], object]] = {
    "deals": _filtered,
    "kept": _kept_deals,
    "graph": _setting_graph,
}


def _derived(
    reads: str, function: Callable[..., T], filters: DealFilters, args: tuple, size: str
) -> T:
    key = _key()
    same = _canonical(key, filters)
    if same is not filters:
        args = tuple(same if isinstance(a, DealFilters) and a == filters else a for a in args)
    name = function_key(function)
    if size == "small" and name in _results.many_rows:
        size = "tables"
    result = _results.get(
        size,
        (key, same, reads, name, args),
        lambda: function(_READERS[reads](key, same), *args),
    )
    if size == "small" and _rows_held(result) >= MANY_ROWS:
        # Kept with its like from now on (this result too, not computed again): 256
        # settings of a copy of the filtered deals grew the process by 70-100 MB each.
        _results.many_rows.add(name)
        _results.put("tables", (key, same, reads, name, args), result)
    return result


def derived(
    function: Callable[..., T], filters: DealFilters, *args: Hashable, size: str = "small"
) -> T:
    """``function(filtered deals, *args)``, computed once per store, filter setting and
    ``args``, then shared by every rerun and session (treat the result as read-only).

    Results are kept under ``function`` itself (``function_key``): pass everything it
    depends on besides the deals in ``args``. ``size`` bounds the memory
    (``RESULT_BOUNDS``): "small" results are kept for the 256 latest settings, "large"
    ones (megabytes) for 12, "huge" ones (hundreds of megabytes) for 1; a "small" one
    that holds tables of ``MANY_ROWS`` rows or more (a copy of the filtered deals) is
    kept with those, for the 4 latest settings, from then on.

    Results are kept per set of kept rows (``same_rows_filters``): ``filters``, and any
    of ``args`` equal to it, are replaced by the first setting seen that keeps the same
    rows, so ``function`` must depend on the filters only through the deals they keep."""
    return _derived("deals", function, filters, args, size)


def derived_from_index(
    function: Callable[..., T], filters: DealFilters, *args: Hashable, size: str = "small"
) -> T:
    """``derived``, with ``function`` given the setting's ``KeptDeals`` (the prepared
    frame's index and the kept rows) instead of a frame: no filtered frame is made for
    it, and it reads only the rows it needs."""
    return _derived("kept", function, filters, args, size)


def derived_from_graph(
    function: Callable[..., T], filters: DealFilters, *args: Hashable, size: str = "small"
) -> T:
    """``derived``, with ``function`` given the setting's whole deal graph
    (``setting_graph``) instead of a frame."""
    return _derived("graph", function, filters, args, size)


def setting_graph(filters: DealFilters) -> nx.Graph:
    """``deal_graph(filters)``, kept for the latest setting only (read-only)."""
    key = _key()
    return _setting_graph(key, _canonical(key, filters))


def matching_count(filters: DealFilters) -> int:
    """How many deals ``filters`` keep, without making their frame."""
    key = _key()
    return len(_positions(key, _canonical(key, filters)))


@st.cache_data(show_spinner=False, max_entries=64)
def _undated_left_out(key: StoreKey, filters: DealFilters) -> int:
    return _indexed(key)[1].undated_left_out(filters)


def deal_index(filters: DealFilters) -> tuple[DealIndex, np.ndarray]:
    """The prepared frame's index (``atlas.query.DealIndex``) and the row positions
    ``filters`` keep: ``index.take(rows)`` is ``filtered_deals(filters)``, and the
    index computes what pages need from ``rows`` with arrays made once per frame.
    Read-only."""
    key = _key()
    return _indexed(key)[1], _positions(key, _canonical(key, filters))


def undated_left_out_count(filters: DealFilters) -> int:
    """Undated deals the other filters keep but the date range leaves out."""
    return _undated_left_out(_key(), filters)


def filter_choices() -> dict:
    """Values each sidebar filter offers, and the span of deal dates."""
    return _filter_choices(_key())


def organisations() -> pd.DataFrame:
    return _frozen_tables(_key())[1].copy()


def articles() -> pd.DataFrame:
    return _articles(_raw_key(_key()))


def clear_caches() -> None:
    """After this process changed the store. Nothing could be served stale without it
    (every cache is keyed by the store's change counter, or by its articles and
    extraction); it frees at once what was computed from the older tables. The
    prepared tables themselves stay (the next read brings them up to date by what
    changed), and so do the tables read from articles alone (a correction leaves
    them as they are; an ingest changes their key)."""
    for cache in (_filter_choices, _undated_left_out, _mentions, _corrections):
        cache.clear()
    _filtered.clear()
    _positions.clear()
    _canonical.clear()
    _same_rows.clear()
    _results.clear()


@st.cache_data(show_spinner=False, max_entries=256)
def _article_detail(key: RawKey, article_id: str) -> dict | None:
    return store.article_detail(_open(key[0], key[1]), article_id)


@st.cache_data(show_spinner=False)
def _mentions(key: StoreKey, article_id: str | None) -> pd.DataFrame:
    """Mentions under the organisation names the user sees (merges and renames applied)."""
    engine = _engine(key)
    return corrections.corrected_mentions(
        store.mentions_frame(engine, article_id), corrections.list_corrections(engine)
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _articles_mentioning(key: RawKey, names: tuple[str, ...]) -> pd.DataFrame:
    return store.articles_mentioning(_open(key[0], key[1]), names)


def articles_mentioning(names: tuple[str, ...]) -> pd.DataFrame:
    """Articles mentioning an organisation stored under any of ``names``, with counts."""
    return _articles_mentioning(_raw_key(_key()), tuple(sorted(set(names))))


def article_detail(article_id: str) -> dict | None:
    return _article_detail(_raw_key(_key()), article_id)


def mentions(article_id: str | None = None) -> pd.DataFrame:
    return _mentions(_key(), article_id)


def last_run() -> dict | None:
    """The latest ingest run. Not cached: whether it still runs is checked each time."""
    return store.last_run(_engine(_key()))


@st.cache_resource(show_spinner="Loading the language model ...")
def _extractor(fingerprint: str):
    from atlas.extract import Extractor

    return Extractor()


def extractor():
    """The spaCy pipeline and rules, one per lexicon version (a lexicon edit loads a new one)."""
    from atlas.lexicon import load_lexicon

    return _extractor(load_lexicon().fingerprint)


@st.cache_data(show_spinner=False)
def _corrections(key: StoreKey) -> tuple[pd.DataFrame, list[dict]]:
    """The corrections' record and their lines in words, from one read of the
    corrections and their states."""
    engine = _engine(key)
    listed = corrections.list_corrections(engine)
    states = corrections.correction_states(engine, listed)
    return (
        corrections.corrections_frame(engine, listed, states),
        correction_words.correction_lines(listed, states),
    )


def corrections_list() -> pd.DataFrame:
    return _corrections(_key())[0]


def correction_lines() -> list[dict]:
    """Every correction in plain words, newest first (``atlas.correction_words``)."""
    return _corrections(_key())[1]
