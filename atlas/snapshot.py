"""The dashboard's prepared tables, kept on disk between runs.

Building the deals and organisations as the user sees them (corrections applied,
date spans computed) reads every deal from the database: about 5 s at 177,000
deals. Loading the same tables from a pickle takes about 0.2 s. ``prepared``
keeps one file per table beside the store and rebuilds it only when the store
changed. ``dashboard_state`` keeps the prepared tables themselves, with what they
were made from (``atlas.incremental.DashboardState``): a file made at an older
version of the same store is brought up to date by what changed since (a
correction, new articles) instead of rebuilt, and a running app hands its last
state over the same way. A file is used only when all of these match (for the
state, the change counter may be older):

- the store: files live in a folder of their own per database (beside a SQLite
  file, or under the user's cache folder for a server database), and are named by
  the random id written into the store when it was made (``store.data_version``):
  a store deleted and made again at the same path or URL has another id, so the
  old store's tables are never served for it;
- the store's change counter, which every stored article, re-extraction,
  correction and undo adds one to;
- a digest of Atlas's own code and of the pandas, numpy and pyarrow versions, so
  a new rule or column never serves a table built by older code.

Anything else (no file, an unreadable one, a folder that cannot be written) means
"build it"; a failed write only costs the speed-up. ``ATLAS_CACHE_DIR`` moves the
files; ``ATLAS_CACHE_DIR=off`` turns them off.

The files are pickles, and loading a pickle can run code: they are read only from
that folder, which should be as private as the database itself (a SQLite file's
folder, or the user's own cache folder).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from atlas import store

T = TypeVar("T")
log = logging.getLogger(__name__)
_ATLAS = Path(__file__).resolve().parent


def cache_dir(url: str) -> Path | None:
    """The folder for ``url``'s prepared tables; None when they are not kept (an
    in-memory SQLite database, or ``ATLAS_CACHE_DIR=off``)."""
    override = os.environ.get("ATLAS_CACHE_DIR", "").strip()
    if override.lower() == "off":
        return None
    parsed = make_url(url)
    identity = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
            return None
        path = Path(database).resolve()
        if not override:
            return path.with_name(f"{path.name}.cache")
        identity = str(path)  # the same file whatever the working folder
    key = hashlib.sha256(identity.encode()).hexdigest()[:16]
    if override:
        return Path(override) / key
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "partnership-atlas" / key


@cache
def code_digest() -> str:
    """Atlas's code and the versions of the libraries its tables are made of."""
    import numpy
    import pandas
    import pyarrow

    digest = hashlib.sha256()
    for path in sorted(_ATLAS.rglob("*.py")):
        digest.update(path.relative_to(_ATLAS).as_posix().encode())
        digest.update(path.read_bytes())
    versions = (sys.version, pandas.__version__, numpy.__version__, pyarrow.__version__)
    digest.update("|".join(versions).encode())
    return digest.hexdigest()[:16]


def prepared(
    engine: Engine,
    name: str,
    build: Callable[[Engine], T],
    *,
    version: tuple[str | None, int] | None = None,
) -> T:
    """``build(engine)``, or the copy kept on disk from the last time it was built
    for this store in the same state by the same code (see the module's docstring).
    ``name`` names the table: one file is kept per name. ``version`` is the store's
    ``store.data_version`` that ``build`` reflects (read now when not given)."""
    folder = cache_dir(engine.url.render_as_string(hide_password=False))
    if folder is None:
        return build(engine)
    store_id, generation = store.data_version(engine) if version is None else version
    if not store_id:  # a store without its id: nothing ties a file to it
        return build(engine)
    path = folder / f"{name}-{store_id}-{generation}-{code_digest()}.pickle"
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    except FileNotFoundError:
        pass
    except Exception as error:  # noqa: BLE001 - any unreadable file is rebuilt
        log.warning("prepared table %s unreadable, rebuilding it: %s", path.name, error)
    value = build(engine)
    _write(folder, path, value, name)
    return value


def _write(folder: Path, path: Path, value: object, name: str) -> None:
    """Write atomically (a reader sees the old file or the whole new one), then
    remove this table's older files."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for old in folder.glob(f"{name}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not keep prepared table %s: %s", path.name, error)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused. Building the tables makes millions of
    small lists, strings and sources, none of them garbage; the collector would walk
    them (and the whole heap, spaCy included) again and again: consolidation took
    about half as long again with it on (``bench/consolidate_bench.py``), and the
    app's cold load of 10,000 articles three times as long."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# The prepared tables' file: ``atlas.incremental.DashboardState`` pickled.
STATE = "dashboard-state"
# A state read from an older file and brought up to date is written again when the
# catch-up was this big (deals stored since, corrections made or undone since); a
# smaller one costs less each start than the write (3 s of CPU at 177,000 deals).
REWRITE_AFTER_DEALS = 2_000
REWRITE_AFTER_CORRECTIONS = 200


def _state_files(folder: Path, store_id: str) -> list[tuple[int, Path]]:
    """This store's state files written by this code: (generation, path), newest first."""
    found = []
    prefix, suffix = f"{STATE}-{store_id}-", f"-{code_digest()}.pickle"
    for path in folder.glob(f"{prefix}*{suffix}"):
        middle = path.name[len(prefix) : -len(suffix)]
        if middle.isdigit():
            found.append((int(middle), path))
    return sorted(found, reverse=True)


def dashboard_state(
    engine: Engine,
    *,
    version: tuple[str | None, int] | None = None,
    previous=None,
    keep: bool = False,
):
    """The dashboard's prepared tables (``atlas.incremental.DashboardState``) for the
    store as it is at ``version`` (read now when not given), the cheapest way:

    - ``previous`` (this process's last state of the same store) brought up to date by
      what changed since (``atlas.incremental.update_state``);
    - else the newest file kept for this store by this code: used as it is when made
      at ``version``; made at an older version, brought up to date the same way (and
      written again when that catch-up was big);
    - else built from the store and written.

    A state that cannot be brought up to date (rows deleted since: a re-extraction)
    is rebuilt. The file is never stale: it says which version it reflects, and
    everything since is read from the store. ``keep``: write the file whenever the
    state was not read from it as it is (a background job, once its work is done, so
    that the app's next start reads one file)."""
    from atlas import incremental

    version = store.data_version(engine) if version is None else version
    with collector_paused():
        if previous is not None:
            if previous.version == version:
                return previous
            updated = caught_up(engine, previous, version)
            if updated is not None:
                if keep:
                    write_state(engine, updated)
                return updated
        folder = cache_dir(engine.url.render_as_string(hide_password=False))
        if folder is None or not version[0]:
            return incremental.build_state(engine, version)
        state = _from_files(engine, folder, version, keep=keep)
        if state is None:
            state = incremental.build_state(engine, version)
            write_state(engine, state)
        return state


def _from_files(engine: Engine, folder: Path, version: tuple, *, keep: bool):
    """The newest kept file made at ``version`` or before, brought up to date (and
    written again when the catch-up was big, or ``keep``); None when there is none
    that can be used (the caller rebuilds)."""
    from atlas import incremental

    store_id, generation = version
    for made_at, path in _state_files(folder, store_id):
        if made_at > generation:
            continue
        try:
            with path.open("rb") as file:
                kept = pickle.load(file)
        except FileNotFoundError:
            continue
        except Exception as error:  # noqa: BLE001 - any unreadable file is rebuilt
            log.warning("prepared tables %s unreadable, rebuilding: %s", path.name, error)
            return None
        if not isinstance(kept, incremental.DashboardState) or kept.version[0] != store_id:
            return None
        if made_at == generation:
            return kept
        updated = caught_up(engine, kept, version)
        if updated is None:
            return None
        if (
            keep
            or updated.rows.get("deals", 0) - kept.rows.get("deals", 0) > REWRITE_AFTER_DEALS
            or len(updated.corrections) - len(kept.corrections) > REWRITE_AFTER_CORRECTIONS
        ):
            write_state(engine, updated)
        return updated
    return None


def caught_up(engine: Engine, state, version):
    """``atlas.incremental.update_state``, or None (rebuild) when it cannot follow the
    change, or fails: a fault in the update must cost a rebuild, never a page."""
    from atlas import incremental

    try:
        with collector_paused():
            return incremental.update_state(engine, state, version)
    except Exception:  # noqa: BLE001 - rebuilt from the store instead, and logged
        log.exception("prepared tables could not be brought up to date; rebuilding them")
        return None


def _build_dashboard_tables(engine: Engine):
    """The two tables built from the store alone (no file, no earlier state)."""
    from atlas import incremental

    with collector_paused():
        return incremental.build_state(engine, store.data_version(engine)).tables


def write_state(engine: Engine, state) -> None:
    """Keep ``state`` on disk for the next start (replacing this store's older file)."""
    folder = cache_dir(engine.url.render_as_string(hide_password=False))
    store_id, generation = state.version
    if folder is None or not store_id:
        return
    path = folder / f"{STATE}-{store_id}-{generation}-{code_digest()}.pickle"
    _write(folder, path, state, STATE)


def dashboard_tables(engine: Engine, *, version: tuple[str | None, int] | None = None):
    """Deals (one row per agreement, ``atlas.consolidate``, with
    ``atlas.query.with_dates``' columns) and organisations with the user's
    corrections applied: the two tables every dashboard page starts from.
    ``version``: as for ``prepared``. For callers outside the app (the CLI after an
    ingest, the benches): the file is written whenever it did not hold this version."""
    return dashboard_state(engine, version=version, keep=True).tables
