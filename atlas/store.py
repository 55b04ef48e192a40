"""The store: articles, organisations, aliases, mentions, deals and deal parties.

SQLAlchemy Core over a SQLite file under ``data/`` by default, or any database
named by ``ATLAS_DB_URL`` (PostgreSQL for a team). Every article is written in
one transaction with its extraction, so a stopped ingest never leaves half an
article; an article already stored under the same lexicon is skipped.

The schema is versioned (``atlas/migrations.py``): ``open_store`` creates it in a
new database and upgrades an older one. Both backends behave the same: values
are fitted to the column sizes PostgreSQL enforces, NUL characters (which
PostgreSQL refuses in text) are replaced, organisations are inserted so that two
processes ingesting the same new organisation at once do not collide, and
frames are sorted in Python rather than by the database's collation.
"""

from __future__ import annotations

import json
import os
import re
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    Engine,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url

from atlas.lexicon import PROJECT_ROOT
from atlas.models import Article, Deal, ExtractionResult, Terms
from atlas.organisations import normalise_name

# corrections, feeds, jobs, metadata, saved_views and schema_info are not used here:
# re-exported for the tests that reach them as ``store.<table>``.
from atlas.schema import (  # noqa: F401
    StoreError,
    aliases,
    article_items,
    articles,
    corrections,
    data_state,
    deal_parties,
    deals,
    feeds,
    ingest_runs,
    jobs,
    mentions,
    metadata,
    new_store_id,
    organisations,
    saved_views,
    schema_info,
)

DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "atlas.db"


def deal_key(article_id: str, item_index: int, evidence: str, parties) -> str:
    """A deal's identity that survives re-extraction: its article, item,
    sentence and parties (case and punctuation folded)."""
    import hashlib

    names = "|".join(sorted(normalise_name(p) for p in parties))
    text = " ".join((evidence or "").split())
    return hashlib.sha1(f"{article_id}|{item_index}|{text}|{names}".encode()).hexdigest()[:20]


def terms_as_json(terms: Terms, on: str | None) -> dict:
    """A deal's terms in the gold schema, money terms with their value in US dollars at
    ``on`` (``usd``, whole dollars, null where the ECB publishes no rate for the
    currency). What ``extract --jsonl`` prints and the store keeps in ``terms_json``."""
    from atlas.terms import usd_value  # spaCy comes with it: not needed to read the store

    out: dict = {}
    for name in ("total_value", "upfront", "milestones"):
        money = getattr(terms, name)
        if money is not None:
            amount = int(money.amount) if float(money.amount).is_integer() else money.amount
            usd = usd_value(money, on)
            out[name] = {
                "amount": amount,
                "currency": money.currency,
                "text": money.text,
                "usd": round(usd) if usd is not None else None,
            }
    if terms.equity_pct is not None:
        out["equity_pct"] = {"value": terms.equity_pct.value, "text": terms.equity_pct.text}
    if terms.royalties:
        out["royalties"] = {"text": terms.royalties}
    return out


def disclosed_value_usd(terms: dict) -> float | None:
    """A deal's disclosed value in US dollars, from its ``terms_as_json`` dict: the
    total value when the text states one, else upfront plus milestones, those of the
    two it states. None when it states none of them, or when a term it states has no
    dollar value (a currency without an ECB rate): a part alone would understate it.

    "up to" ceilings count at their full amount, as deal databases headline them."""
    total = terms.get("total_value")
    if total is not None:
        return _usd(total)
    parts = [terms[name] for name in ("upfront", "milestones") if terms.get(name) is not None]
    values = [_usd(part) for part in parts]
    if not values or None in values:
        return None
    return float(sum(values))


def _usd(money: dict) -> float | None:
    usd = money.get("usd")
    return None if usd is None else float(usd)


def database_url() -> str:
    """``ATLAS_DB_URL`` if set, else the SQLite file ``data/atlas.db``."""
    return os.environ.get("ATLAS_DB_URL") or f"sqlite:///{DEFAULT_DB_PATH}"


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite ``url`` names (absolute), or None for an in-memory SQLite
    database or another backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    if parsed.query.get("mode") == "memory":
        return None
    return Path(os.path.abspath(database))


# user:password@ in a URL, also in one too malformed to parse: the password is hidden.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://[^:/@\s]*:)(?P<password>.*)@")


def hide_password(text: str) -> str:
    """``text`` with every ``scheme://user:password@`` password replaced by ***."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}***@", text)


def describe_error(error: BaseException) -> str:
    """One line saying why the store cannot be used, for the CLI and the app: what
    went wrong and what to do, never a traceback or a password."""
    from sqlalchemy import exc

    if isinstance(error, StoreError):
        message = str(error)
    elif isinstance(error, exc.NoSuchModuleError):
        message = (
            "the database URL names a kind of database Atlas cannot use: use "
            "sqlite:///path/to/atlas.db or postgresql+psycopg://user:password@host/database"
        )
    elif isinstance(error, exc.ArgumentError | ValueError) or (
        isinstance(error, ImportError) and not isinstance(error, ModuleNotFoundError)
    ):
        message = (
            f"the database URL is not valid ({_first_line(error)}): use "
            "sqlite:///path/to/atlas.db or postgresql+psycopg://user:password@host/database"
        )
    elif isinstance(error, ModuleNotFoundError):
        message = (
            f"the database URL needs a driver that is not installed ({error.name}): "
            "for PostgreSQL use postgresql+psycopg://user:password@host/database"
        )
    elif isinstance(error, exc.DBAPIError):
        reason = _first_line(error.orig) if error.orig is not None else _first_line(error)
        if "readonly database" in reason:
            message = f"the store is read-only ({READ_ONLY_REASON}): it cannot be changed"
        elif "file is not a database" in reason or "malformed" in reason:
            message = (
                f"the database file is damaged or not a database ({reason}): restore it "
                "from a backup, or move it away to start an empty store"
            )
        else:
            message = f"cannot use the database: {reason}"
    elif isinstance(error, exc.SQLAlchemyError):
        message = f"cannot use the database: {_first_line(error)}"
    elif isinstance(error, OSError):
        message = f"cannot reach the database file: {error.strerror or error}" + (
            f" ({error.filename})" if error.filename else ""
        )
    else:
        message = f"cannot use the database: {type(error).__name__}: {_first_line(error)}"
    return hide_password(message)


def _first_line(error: object) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except Exception:  # noqa: BLE001 - in-memory databases refuse WAL; nothing to do
        pass
    cursor.close()


def open_store(url: str | None = None) -> Engine:
    """Engine for ``url`` (default: ``database_url()``) with the schema created or
    upgraded to the latest version.

    Raises StoreError with a one-line reason when it cannot (a malformed URL, a
    missing driver, a server that refuses, a damaged file, a schema this code
    cannot use: ``atlas.migrations.SchemaError``, a StoreError)."""
    from sqlalchemy import exc

    try:
        return _open_store(url or database_url())
    except StoreError:
        raise
    except (exc.SQLAlchemyError, ImportError, ValueError, OSError) as error:
        raise StoreError(describe_error(error)) from error


def _open_store(url: str) -> Engine:
    from atlas.migrations import upgrade

    kwargs = {}
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory":
            from sqlalchemy.pool import StaticPool

            kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        else:
            path = sqlite_file(url)
            read_only = _sqlite_read_only_uri(path) if path is not None else None
            if read_only is not None:
                return _open_read_only(url, read_only)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            kwargs = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    else:
        # A server restarted, or a database dropped and made again, leaves dead
        # connections in the pool: each is tested before use and replaced.
        kwargs = {"pool_pre_ping": True}
    engine = create_engine(url, future=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


# Engines opened read-only (``is_read_only``).
_read_only_engines: weakref.WeakSet[Engine] = weakref.WeakSet()

READ_ONLY_REASON = "its file or folder cannot be written"


def is_read_only(engine: Engine) -> bool:
    """Was the store opened read-only (a SQLite file this process cannot write)?"""
    return engine in _read_only_engines


def _sqlite_read_only_uri(path: Path) -> str | None:
    """The SQLite URI to read ``path`` without writing, when this process cannot
    write it (or the folder where SQLite keeps its -wal and -shm files); None when
    it can, or when there is no file yet.

    ``mode=ro`` reads a store another process may be writing. It cannot open a
    store in WAL mode (Atlas's) whose -wal file is gone, as after a clean close,
    on a read-only filesystem: SQLite would have to create the -shm file. There,
    where nobody can be writing, ``immutable=1`` reads the file without locks."""
    if not path.exists():
        return None
    if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
        return None
    uri = path.as_uri()
    wal = Path(f"{path}-wal")
    on_read_only_filesystem = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    if on_read_only_filesystem and not (wal.exists() and wal.stat().st_size > 0):
        return f"{uri}?immutable=1"
    return f"{uri}?mode=ro"


def _open_read_only(url: str, uri: str) -> Engine:
    """An engine reading the SQLite file through ``uri``, for a store at the latest
    schema (a read-only store cannot be upgraded)."""
    import sqlite3

    from atlas.migrations import current_version, latest_version

    def connect():
        return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)

    engine = create_engine(url, future=True, creator=connect)
    event.listen(engine, "connect", _sqlite_pragmas)
    try:
        version = current_version(engine)
    except BaseException:
        engine.dispose()
        raise
    if version != latest_version():
        engine.dispose()
        found = "no Atlas schema" if version is None else f"schema version {version}"
        raise StoreError(
            f"the store is read-only ({READ_ONLY_REASON}) and has {found}; this Atlas "
            f"needs version {latest_version()}: open it once where it can be written"
        )
    _read_only_engines.add(engine)
    return engine


def mark_changed(conn: Connection) -> None:
    """Count one more change of the stored data. Call it last in the writing
    transaction: on PostgreSQL it locks the counter's row until the commit, so
    concurrent writers queue only for that moment."""
    bumped = conn.execute(
        update(data_state)
        .where(data_state.c.id == 1)
        .values(generation=data_state.c.generation + 1)
    )
    if bumped.rowcount == 0:  # the row is made with the schema; this only repairs
        _insert_ignoring_conflicts(
            conn, data_state, [{"id": 1, "generation": 1, "store_id": new_store_id()}]
        )


def data_generation(engine: Engine) -> int:
    """The change counter: equal values mean the same articles, extractions and corrections."""
    return data_version(engine)[1]


def data_version(engine: Engine) -> tuple[str | None, int]:
    """(store id, change counter), read together: equal pairs mean the same store
    holding the same articles, extractions and corrections. The id is None only
    when the state row is missing (prepared tables are then not kept)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(data_state.c.store_id, data_state.c.generation).where(data_state.c.id == 1)
        ).first()
    if row is None:
        return None, 0
    return row.store_id, int(row.generation or 0)


@cache
def _column_lengths(table: Table) -> dict[str, int | None]:
    return {column.name: getattr(column.type, "length", None) for column in table.c}


def _fit(table: Table, values: dict) -> dict:
    """``values`` as every backend accepts them: NUL characters (refused by
    PostgreSQL) become U+FFFD, so character offsets stay valid, and text is cut
    to the column's length (enforced by PostgreSQL, ignored by SQLite)."""
    lengths = _column_lengths(table)
    fitted = {}
    for name, value in values.items():
        if isinstance(value, str):
            value = value.replace("\x00", "\ufffd")
            length = lengths[name]
            if length:
                value = value[:length]
        fitted[name] = value
    return fitted


def _insert_ignoring_conflicts(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows, skipping ones whose key is already there (also when another
    transaction inserts the same key concurrently: PostgreSQL waits for it
    instead of failing this article)."""
    if not rows:
        return
    conn.execute(_insert_if_absent(conn, table), rows)


def _insert_if_absent(conn: Connection, table: Table):
    dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(conn.dialect.name)
    return insert(table) if dialect is None else dialect.insert(table).on_conflict_do_nothing()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class IngestSummary:
    ingested: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] | None = None

    def line(self) -> str:
        rejected = self.rejected or []
        text = f"ingested {self.ingested}, duplicates skipped {self.duplicates}, rejected {len(rejected)}"
        if self.updated:
            text += f", re-extracted {self.updated}"
        return text


RUNNING, FINISHED, INTERRUPTED = "running", "finished", "interrupted"

# PostgreSQL advisory locks held by this process's running runs: run id -> the
# connection holding it. The server drops the lock when that session ends, so a
# run whose process was killed holds none (``run_status``).
_RUN_LOCK_CLASS = 0x61746C61  # "atla": the first of the lock's two keys
_run_locks: dict[int, Connection] = {}


def _host() -> str:
    import socket

    return socket.gethostname()[:255]


def start_run(engine: Engine) -> int:
    """Record a new ingest run as running, by this host and process."""
    with engine.begin() as conn:
        run_id = conn.execute(
            insert(ingest_runs).values(
                started_at=_now(), status=RUNNING, host=_host(), pid=os.getpid()
            )
        ).inserted_primary_key[0]
    if engine.dialect.name == "postgresql":
        holder = engine.connect()
        holder.execute(select(func.pg_advisory_lock(_RUN_LOCK_CLASS, run_id)))
        holder.commit()  # session-level: the lock outlives the transaction
        _run_locks[run_id] = holder
    return run_id


def add_to_run(engine: Engine, run_id: int, *, duplicates: int = 0, rejected: int = 0) -> None:
    """Count articles a run skipped before extracting them (duplicates) and records
    it rejected, as they happen: a run stopped midway still shows them."""
    counts = {k: v for k, v in (("duplicates", duplicates), ("rejected", rejected)) if v}
    if counts:
        with engine.begin() as conn:
            _count_in_run(conn, run_id, counts)


def finish_run(
    engine: Engine, run_id: int, summary: IngestSummary, *, status: str = FINISHED
) -> None:
    """Record the run's end (``status`` FINISHED, or INTERRUPTED when it stopped on
    an error) with its counts, and release its lock."""
    try:
        with engine.begin() as conn:
            conn.execute(
                update(ingest_runs)
                .where(ingest_runs.c.id == run_id)
                .values(
                    finished_at=_now(),
                    status=status,
                    ingested=summary.ingested,
                    updated=summary.updated,
                    duplicates=summary.duplicates,
                    rejected=len(summary.rejected or []),
                )
            )
    finally:
        holder = _run_locks.pop(run_id, None)
        if holder is not None:
            holder.close()  # ends the session's lock with the connection's use


def run_status(engine: Engine, run: dict) -> str:
    """FINISHED, INTERRUPTED or RUNNING for a row of ``ingest_runs``.

    A run that ended records it. One still marked running is checked: on
    PostgreSQL by the advisory lock its session holds (gone with its process,
    wherever that ran); on SQLite by its process on this host. A run started on
    another host of a SQLite store cannot be checked and stays RUNNING."""
    if run.get("status") in (FINISHED, INTERRUPTED):
        return run["status"]
    if run.get("finished_at"):
        return FINISHED
    if run.get("status") != RUNNING:
        return INTERRUPTED  # no status: made before version 3 and never finished
    if engine.dialect.name == "postgresql":
        held = text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = :lock_class AND objid = :run_id AND objsubid = 2 AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        with engine.connect() as conn:
            alive = conn.execute(
                held, {"lock_class": _RUN_LOCK_CLASS, "run_id": run["id"]}
            ).scalar_one()
        return RUNNING if alive else INTERRUPTED
    if run.get("host") == _host() and run.get("pid"):
        try:
            os.kill(int(run["pid"]), 0)
        except ProcessLookupError:
            return INTERRUPTED
        except OSError:  # exists, owned by another user
            return RUNNING
    return RUNNING


def stored_fingerprints(engine: Engine, ids: Iterable[str]) -> dict[str, str]:
    """Extraction fingerprint (lexicon and models) of each stored article among ``ids``."""
    ids = list(ids)
    found: dict[str, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = conn.execute(
                select(articles.c.id, articles.c.lexicon_fingerprint).where(
                    articles.c.id.in_(chunk)
                )
            )
            found.update({row.id: row.lexicon_fingerprint for row in rows})
    return found


# The write path's statements, built once: building and hashing a new statement
# for every row cost more than running it.
_SELECT_ORGANISATION = select(organisations.c.id, organisations.c.country).where(
    organisations.c.key == bindparam("org_key")
)
# Fills a missing country only: another writer may have set one since we looked.
_FILL_COUNTRY = (
    update(organisations)
    .where(organisations.c.id == bindparam("org_id"), organisations.c.country.is_(None))
    .values(country=bindparam("new_country"))
)
# An article's extraction, deleted before a new one is written (its row is kept,
# locked, and updated: deleting it would let a concurrent writer insert it anew).
_DELETE_EXTRACTION = (
    delete(deals).where(deals.c.article_id == bindparam("article_id")),
    delete(mentions).where(mentions.c.article_id == bindparam("article_id")),
    delete(article_items).where(article_items.c.article_id == bindparam("article_id")),
)
_LOCK_ARTICLE = (
    select(articles.c.lexicon_fingerprint)
    .where(articles.c.id == bindparam("article_id"))
    .with_for_update()
)
_INSERT_ITEMS = insert(article_items)
_INSERT_MENTIONS = insert(mentions)
_INSERT_DEAL = insert(deals)
_INSERT_DEALS_RETURNING = insert(deals).returning(deals.c.id, sort_by_parameter_order=True)
_INSERT_PARTIES = insert(deal_parties)


class _OrganisationIds:
    """Organisation ids for the articles of one transaction.

    Each organisation is looked up (or inserted) once per transaction instead of
    once per article, with the result an article-by-article lookup gives: the
    first name of an article that maps to an organisation fills in its country
    if the store has none; later names of the same article change nothing.
    """

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}  # name -> organisations.key
        self._ids: dict[str, int] = {}  # key -> id
        self._has_country: dict[str, bool] = {}
        self._this_article: set[str] = set()
        self.aliases: set[tuple[int, str]] = set()  # (id, alias) written in this transaction

    def start_article(self) -> None:
        self._this_article = set()

    def prefetch(self, conn: Connection, names: Iterable[str]) -> None:
        """Look up the stored organisations among ``names`` in a few queries."""
        keys = sorted({self.key(name) for name in names} - self._ids.keys())
        for start in range(0, len(keys), 500):
            query = select(organisations.c.id, organisations.c.key, organisations.c.country).where(
                organisations.c.key.in_(keys[start : start + 500])
            )
            for row in conn.execute(query):
                self._ids[row.key] = row.id
                self._has_country[row.key] = row.country is not None

    def insert_missing(self, conn: Connection, result: ExtractionResult) -> None:
        """Insert the organisations of ``result`` the store lacks, ordered by key,
        with the values ``id`` would insert (the first name of each key, with its
        details when ``result.organisations`` has them)."""
        named = [
            *result.organisations.items(),
            *((m.canonical, None) for m in result.mentions),
            *((p, None) for d in result.deals for p in d.parties),
        ]
        first: dict[str, tuple[str, object]] = {}
        for name, info in named:
            first.setdefault(self.key(name), (name, info))
        self.prefetch(conn, (name for name, _info in first.values()))
        missing = sorted(key for key in first if key not in self._ids)
        for key in missing:
            _insert_ignoring_conflicts(conn, organisations, [self._values(*first[key])])

    def _values(self, name: str, info) -> dict:
        return _fit(
            organisations,
            {
                "name": name,
                "key": self.key(name),
                "country": getattr(info, "country", None),
                "kind": getattr(info, "kind", "company"),
                "in_lexicon": bool(getattr(info, "in_lexicon", False)),
            },
        )

    def key(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            key = _fit(organisations, {"key": normalise_name(name) or name.casefold()})["key"]
            self._keys[name] = key
        return key

    def id(self, conn: Connection, name: str, info=None) -> int:
        key = self.key(name)
        if key in self._this_article:
            return self._ids[key]
        self._this_article.add(key)
        values = self._values(name, info)
        org_id = self._ids.get(key)
        if org_id is None:
            row = conn.execute(_SELECT_ORGANISATION, {"org_key": key}).first()
            if row is None:
                # Not insert-then-read-id: another process may be inserting the same
                # organisation right now; whoever commits first wins, both get its id.
                _insert_ignoring_conflicts(conn, organisations, [values])
                row = conn.execute(_SELECT_ORGANISATION, {"org_key": key}).one()
            org_id = self._ids[key] = row.id
            self._has_country[key] = row.country is not None
        if values["country"] and not self._has_country[key]:
            conn.execute(_FILL_COUNTRY, {"org_id": org_id, "new_country": values["country"]})
            self._has_country[key] = True
        return org_id


# What saving an article did: stored it for the first time, replaced an earlier
# extraction, or left it as it was (``keep_current``: already stored under the same
# fingerprint, by an earlier run or by another one at the same moment).
NEW, UPDATED, DUPLICATE = "new", "updated", "duplicate"

_RUN_COUNTERS = {NEW: "ingested", UPDATED: "updated", DUPLICATE: "duplicates"}


def save_extraction(
    engine: Engine,
    result: ExtractionResult,
    *,
    fingerprint: str,
    run_id: int | None = None,
    keep_current: bool = False,
) -> str:
    """Store one article and its extraction atomically, replacing any earlier
    extraction of the same article, unless ``keep_current`` and it is stored under
    ``fingerprint`` already. Returns NEW, UPDATED or DUPLICATE.

    Safe to run from several processes at once: the article row is inserted only
    if absent (ON CONFLICT DO NOTHING) and otherwise locked before its extraction
    is replaced, so two writers of one article never collide and exactly one of
    them stores it as NEW. ``run_id``'s counter for the outcome is raised in the
    same transaction, so a run's counts are always what it stored, also when it
    is killed midway."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(3):
        try:
            with engine.begin() as conn:
                outcome = _save_extraction(
                    conn,
                    result,
                    fingerprint=fingerprint,
                    run_id=run_id,
                    ids=_OrganisationIds(),
                    keep_current=keep_current,
                )
                _count_in_run(conn, run_id, {_RUN_COUNTERS[outcome]: 1})
                if outcome != DUPLICATE:
                    mark_changed(conn)
            return outcome
        except OperationalError as error:
            # PostgreSQL ends one of two transactions that wait for each other
            # (deadlock, 40P01) or whose snapshot went stale (40001): the work is
            # whole or undone, so trying again is safe.
            if getattr(error.orig, "sqlstate", None) not in ("40P01", "40001") or attempt == 2:
                raise
    raise AssertionError("unreachable")


def save_extractions(
    engine: Engine,
    results: Iterable[ExtractionResult],
    *,
    fingerprint: str,
    run_id: int | None = None,
) -> int:
    """Store several articles and their extractions in one transaction (all or
    none), each exactly as ``save_extraction`` stores it, a later one replacing
    an earlier one of the same article; returns how many were given. For bulk
    loads: one commit and one organisation lookup per batch, not per article.

    Meant for one bulk writer: the organisations a batch adds stay locked until
    it commits, so on PostgreSQL two concurrent batches adding the same new
    organisations in opposite orders can deadlock (one of them fails, whole)."""
    results = list(results)
    ids = _OrganisationIds()
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        ids.prefetch(
            conn,
            (
                name
                for r in results
                for name in (
                    *r.organisations,
                    *(m.canonical for m in r.mentions),
                    *(p for d in r.deals for p in d.parties),
                )
            ),
        )
        for result in results:
            outcome = _save_extraction(
                conn, result, fingerprint=fingerprint, run_id=run_id, ids=ids
            )
            counts[_RUN_COUNTERS[outcome]] = counts.get(_RUN_COUNTERS[outcome], 0) + 1
        _count_in_run(conn, run_id, counts)
        mark_changed(conn)
    return len(results)


def _count_in_run(conn: Connection, run_id: int | None, counts: dict[str, int]) -> None:
    """Add ``counts`` ({column: n}) to the run's counters, in the caller's transaction."""
    if run_id is None or not counts:
        return
    conn.execute(
        update(ingest_runs)
        .where(ingest_runs.c.id == run_id)
        .values(
            {column: func.coalesce(ingest_runs.c[column], 0) + n for column, n in counts.items()}
        )
    )


def _save_extraction(
    conn: Connection,
    result: ExtractionResult,
    *,
    fingerprint: str,
    run_id: int | None,
    ids: _OrganisationIds,
    keep_current: bool = False,
) -> str:
    """Write one article's rows from ``result`` inside the caller's transaction;
    returns NEW, UPDATED or DUPLICATE (see ``save_extraction``)."""
    article: Article = result.article
    ids.start_article()
    row = _fit(
        articles,
        {
            "id": article.id,
            "file": article.file,
            "title": article.title,
            "source": article.source,
            "url": article.url,
            "published": article.published,
            "date_precision": article.date_precision,
            "date_source": article.date_source,
            "is_digest": article.is_digest,
            "text": article.text,
            "metadata_json": json.dumps(article.metadata, default=str, ensure_ascii=False),
            "lexicon_fingerprint": fingerprint,
            "ingest_run_id": run_id,
            "ingested_at": _now(),
        },
    )
    # First the article's own row: inserted when absent; when another transaction is
    # inserting it, PostgreSQL waits for that one to end instead of failing.
    # RETURNING tells whether it was inserted (rowcount does not, on psycopg).
    claim = _insert_if_absent(conn, articles).returning(articles.c.id)
    inserted = conn.execute(claim, row).first() is not None
    outcome = NEW
    if not inserted:
        # Stored already: lock the row (SQLite's write lock is already held), then
        # look at what is stored now, which another writer may just have written.
        stored = conn.execute(_LOCK_ARTICLE, {"article_id": article.id}).scalar_one()
        if keep_current and stored == row["lexicon_fingerprint"]:
            return DUPLICATE
        for statement in _DELETE_EXTRACTION:
            conn.execute(statement, {"article_id": article.id})
        conn.execute(
            update(articles)
            .where(articles.c.id == article.id)
            .values({k: v for k, v in row.items() if k != "id"})
        )
        outcome = UPDATED
    # New organisations in one order (by key) in every transaction: two writers
    # adding the same ones never wait for each other in a cycle.
    ids.insert_missing(conn, result)
    if article.items:
        conn.execute(
            _INSERT_ITEMS,
            [
                _fit(
                    article_items,
                    {
                        "article_id": article.id,
                        "item_index": item.index,
                        "title": item.title,
                        "published": item.published,
                        "date_precision": item.date_precision,
                        "date_source": item.date_source,
                        "text": item.text,
                    },
                )
                for item in article.items
            ],
        )
    surfaces: dict[str, set[str]] = {}
    for m in result.mentions:
        surfaces.setdefault(m.canonical, set()).add(m.text)
    alias_rows: dict[tuple[int, str], dict] = {}
    for name, info in result.organisations.items():
        org_id = ids.id(conn, name, info)
        for alias in sorted(surfaces.get(name, set()) | {name}):
            row = _fit(aliases, {"organisation_id": org_id, "alias": alias})
            pair = (org_id, row["alias"])
            if pair not in ids.aliases:
                alias_rows.setdefault(pair, row)
    _insert_ignoring_conflicts(conn, aliases, list(alias_rows.values()))
    ids.aliases.update(alias_rows)
    if result.mentions:
        conn.execute(
            _INSERT_MENTIONS,
            [
                _fit(
                    mentions,
                    {
                        "article_id": article.id,
                        "item_index": m.item_index,
                        "organisation_id": ids.id(conn, m.canonical),
                        "text": m.text,
                        "start_char": m.start,
                        "end_char": m.end,
                    },
                )
                for m in result.mentions
            ],
        )
    if not result.deals:
        return outcome
    deal_rows = [
        _fit(
            deals,
            {
                **_deal_details(deal, valuation_date(article, deal)),
                "article_id": article.id,
                "item_index": deal.item_index,
                "type": deal.type,
                "also_types": "|".join(deal.also_types),
                "evidence": deal.evidence,
                "deal_date": deal.deal_date,
                "date_precision": deal.date_precision,
                "date_source": deal.date_source,
                "confidence": deal.confidence,
                "trigger": deal.trigger,
                "deal_key": deal_key(article.id, deal.item_index, deal.evidence, deal.parties),
                "therapeutic_areas": "|".join(deal.therapeutic_areas),
                "countries": "|".join(deal.countries),
            },
        )
        for deal in result.deals
    ]
    if len(deal_rows) > 1 and conn.dialect.insert_executemany_returning_sort_by_parameter_order:
        deal_ids = conn.execute(_INSERT_DEALS_RETURNING, deal_rows).scalars().all()
    else:
        deal_ids = [conn.execute(_INSERT_DEAL, row).inserted_primary_key[0] for row in deal_rows]
    party_rows = [
        {"deal_id": deal_id, "organisation_id": ids.id(conn, party), "position": position}
        for deal_id, deal in zip(deal_ids, result.deals, strict=True)
        for position, party in enumerate(dict.fromkeys(deal.parties))
    ]
    if party_rows:
        conn.execute(_INSERT_PARTIES, party_rows)
    return outcome


def valuation_date(article: Article, deal: Deal) -> str | None:
    """The date a deal's money is valued at in US dollars: the deal's own date, else
    (an undated deal, such as one mentioned as history) its item's, else its article's."""
    if deal.deal_date:
        return deal.deal_date
    item = next((i for i in article.items if i.index == deal.item_index), None)
    return (item.published if item is not None else None) or article.published


def _deal_details(deal: Deal, on: str | None) -> dict:
    """The columns of version 5 for ``deal``, its money valued in dollars at ``on``."""
    terms = terms_as_json(deal.terms, on) if deal.terms else {}
    upfront = terms.get("upfront")
    return {
        "role": deal.role,
        "deal_status": deal.status,
        "assets": _json_text(list(deal.assets)) if deal.assets else "",
        "terms_json": _json_text(terms),
        "value_usd": disclosed_value_usd(terms),
        "upfront_usd": None if upfront is None else _usd(upfront),
    }


def _json_text(value: list | dict) -> str:
    """``value`` as JSON, NUL characters in its strings replaced as ``_fit`` replaces
    them in text columns (JSON would keep them, escaped, and bring them back)."""

    def clean(item):
        if isinstance(item, str):
            return item.replace("\x00", "\ufffd")
        if isinstance(item, dict):
            return {key: clean(v) for key, v in item.items()}
        if isinstance(item, list):
            return [clean(v) for v in item]
        return item

    return json.dumps(clean(value), ensure_ascii=False)


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(articles)).scalar_one() == 0


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "articles": conn.execute(select(func.count()).select_from(articles)).scalar_one(),
            "organisations": conn.execute(
                select(func.count(func.distinct(mentions.c.organisation_id)))
            ).scalar_one(),
            "deals": conn.execute(select(func.count()).select_from(deals)).scalar_one(),
        }


DEALS_FRAME_COLUMNS = [
    "deal_id",
    "deal_key",
    "parties",
    "party_countries",
    "type",
    "also_types",
    "deal_date",
    "date_precision",
    "date_source",
    "confidence",
    "evidence",
    "therapeutic_areas",
    "countries",
    "item_index",
    "article_id",
    "article_title",
    "article_file",
    "article_source",
    "article_published",
    "role",
    "deal_status",
    "assets",
    "terms",
    "value_usd",
    "upfront_usd",
]


def _frame(result, convert: dict[str, Callable[[tuple], list]] | None = None) -> pd.DataFrame:
    """A query's rows as a frame, built column by column: given rows (SQLAlchemy
    ``Row`` objects or dicts), pandas probes each one for namedtuple fields, and
    the probes cost more than the query at 177,000 deals. ``convert`` maps a column
    to a function making its cells from the values read (decoded before the frame
    is built: pandas would first copy text into a string array)."""
    keys = list(result.keys())
    rows = result.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in keys]
    convert = convert or {}
    return pd.DataFrame(
        {
            key: convert[key](values) if key in convert else list(values)
            for key, values in zip(keys, columns, strict=True)
        }
    )


def _split_list(values: tuple) -> list[list[str]]:
    """``a|b`` cells as lists."""
    return [[x for x in v.split("|") if x] if v else [] for v in values]


def _json_or(empty: Callable[[], object]) -> Callable[[tuple], list]:
    """Cells decoded from JSON, ``empty()`` where the store holds NULL (it reads
    defaults as NULL: most deals state no terms and no assets)."""
    return lambda values: [empty() if v is None else json.loads(v) for v in values]


def _default(value: str) -> Callable[[tuple], list]:
    """Cells read as NULL where they hold the column's default, given it back."""
    return lambda values: [value if v is None else v for v in values]


def deals_frame(engine: Engine, ids: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per deal: parties (names and countries), type, date, areas,
    confidence, evidence and the article it comes from; and (schema version 5)
    ``role`` ("main" or "background"), ``deal_status`` (agreed, completed,
    terminated), ``assets`` (list of names as written), ``terms`` (the gold-schema
    dict of ``terms_as_json``, {} when none), ``value_usd`` and ``upfront_usd``
    (floats, NaN when not disclosed; ``disclosed_value_usd``) and
    ``article_published``: the date of the deal's article (of its digest item
    when the item has one), which a background deal without a date of its own
    is shown as before.

    Deals stored before version 5 hold the defaults (main, agreed, no assets, no
    terms) until they are re-extracted.

    ``ids``: only these deals (``atlas.incremental`` reads the deals an edit touches)."""
    if ids is not None:
        return _deals_frame_of(engine, sorted(set(ids)))
    return _deals_frame_query(engine, None)


def _deals_frame_of(engine: Engine, ids: list[int]) -> pd.DataFrame:
    """``deals_frame`` of the deals ``ids`` (sorted), read in batches of bound values."""
    parts = [
        _deals_frame_query(engine, ids[start : start + IDS_BATCH])
        for start in range(0, len(ids), IDS_BATCH)
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=DEALS_FRAME_COLUMNS)
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


# Rows asked for by id go in batches: SQLite allows at most 999 bound values in a
# statement (older builds), PostgreSQL 65,535.
IDS_BATCH = 500


def _deals_frame_query(engine: Engine, ids: list[int] | None) -> pd.DataFrame:
    query = (
        select(
            deals.c.id.label("deal_id"),
            deals.c.deal_key,
            deals.c.type,
            deals.c.also_types,
            deals.c.deal_date,
            deals.c.date_precision,
            deals.c.date_source,
            deals.c.confidence,
            deals.c.evidence,
            deals.c.therapeutic_areas,
            deals.c.countries,
            deals.c.item_index,
            articles.c.id.label("article_id"),
            articles.c.title.label("article_title"),
            articles.c.file.label("article_file"),
            articles.c.source.label("article_source"),
            func.coalesce(article_items.c.published, articles.c.published).label(
                "article_published"
            ),
            # The defaults read as NULL: no text to make for most deals (see _frame).
            func.nullif(deals.c.role, "main").label("role"),
            func.nullif(deals.c.deal_status, "agreed").label("deal_status"),
            func.nullif(deals.c.assets, "").label("assets"),
            func.nullif(deals.c.terms_json, "{}").label("terms"),
            deals.c.value_usd,
            deals.c.upfront_usd,
        )
        .join(articles, articles.c.id == deals.c.article_id)
        .outerjoin(
            article_items,
            (article_items.c.article_id == deals.c.article_id)
            & (article_items.c.item_index == deals.c.item_index),
        )
        .order_by(deals.c.id)
    )
    party_query = (
        select(
            deal_parties.c.deal_id,
            organisations.c.name,
            organisations.c.country,
            deal_parties.c.position,
        )
        .join(organisations, organisations.c.id == deal_parties.c.organisation_id)
        .order_by(deal_parties.c.deal_id, deal_parties.c.position)
    )
    if ids is not None:
        query = query.where(deals.c.id.in_(ids))
        party_query = party_query.where(deal_parties.c.deal_id.in_(ids))
    convert = {
        "also_types": _split_list,
        "therapeutic_areas": _split_list,
        "countries": _split_list,
        "role": _default("main"),
        "deal_status": _default("agreed"),
        "assets": _json_or(list),
        "terms": _json_or(dict),
    }
    with engine.connect() as conn:
        frame = _frame(conn.execute(query), convert)
        parties = conn.execute(party_query).all()
    if frame.empty:
        return pd.DataFrame(columns=DEALS_FRAME_COLUMNS)
    names: dict[int, list[str]] = {}
    countries: dict[int, list[str | None]] = {}
    for deal_id, name, country, _position in parties:
        names.setdefault(deal_id, []).append(name)
        countries.setdefault(deal_id, []).append(country)
    ids = frame["deal_id"].tolist()
    frame["parties"] = [names.get(i, []) for i in ids]
    frame["party_countries"] = [countries.get(i, []) for i in ids]
    for column in ("value_usd", "upfront_usd"):
        frame[column] = frame[column].astype(float)
    return frame[DEALS_FRAME_COLUMNS]


ORGANISATIONS_FRAME_COLUMNS = (
    "id",
    "name",
    "country",
    "kind",
    "in_lexicon",
    "deals",
    "mentions",
    "articles",
    "aliases",
)


def organisations_frame(engine: Engine, ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Organisations with their aliases, mention and deal counts; ``ids``: only these
    organisations (``atlas.incremental`` reads again those an ingest mentioned)."""
    if ids is not None:
        wanted = sorted(set(ids))
        parts = [
            _organisations_frame(engine, wanted[start : start + IDS_BATCH])
            for start in range(0, len(wanted), IDS_BATCH)
        ]
        parts = [p for p in parts if len(p)]
        if not parts:
            return pd.DataFrame(columns=list(ORGANISATIONS_FRAME_COLUMNS))
        frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        return frame.sort_values(["name", "id"], kind="stable").reset_index(drop=True)
    return _organisations_frame(engine, None)


def _organisations_frame(engine: Engine, ids: list[int] | None) -> pd.DataFrame:
    deal_counts = select(deal_parties.c.organisation_id, func.count().label("deals"))
    mention_counts = select(
        mentions.c.organisation_id,
        func.count().label("mentions"),
        func.count(func.distinct(mentions.c.article_id)).label("articles"),
    )
    alias_query = select(aliases.c.organisation_id, aliases.c.alias)
    if ids is not None:
        deal_counts = deal_counts.where(deal_parties.c.organisation_id.in_(ids))
        mention_counts = mention_counts.where(mentions.c.organisation_id.in_(ids))
        alias_query = alias_query.where(aliases.c.organisation_id.in_(ids))
    deal_counts = deal_counts.group_by(deal_parties.c.organisation_id).subquery()
    mention_counts = mention_counts.group_by(mentions.c.organisation_id).subquery()
    query = (
        select(
            organisations.c.id,
            organisations.c.name,
            organisations.c.country,
            organisations.c.kind,
            organisations.c.in_lexicon,
            func.coalesce(deal_counts.c.deals, 0).label("deals"),
            func.coalesce(mention_counts.c.mentions, 0).label("mentions"),
            func.coalesce(mention_counts.c.articles, 0).label("articles"),
        )
        .outerjoin(deal_counts, deal_counts.c.organisation_id == organisations.c.id)
        .outerjoin(mention_counts, mention_counts.c.organisation_id == organisations.c.id)
    )
    if ids is not None:
        query = query.where(organisations.c.id.in_(ids))
    with engine.connect() as conn:
        frame = _frame(conn.execute(query))
        alias_rows = conn.execute(alias_query).all()
    if frame.empty:
        return pd.DataFrame(columns=list(ORGANISATIONS_FRAME_COLUMNS))
    # Sorted here, not by the database: SQLite and PostgreSQL collate names differently.
    frame = (
        frame[(frame["mentions"] > 0) | (frame["deals"] > 0)]
        .sort_values(["name", "id"], kind="stable")
        .reset_index(drop=True)
    )
    by_org: dict[int, list[str]] = {}
    for organisation_id, alias in alias_rows:
        by_org.setdefault(organisation_id, []).append(alias)
    frame["aliases"] = [
        sorted(a for a in by_org.get(i, ()) if a != name)
        for i, name in zip(frame["id"].tolist(), frame["name"].tolist(), strict=True)
    ]
    return frame


def rows_summary(engine: Engine, *, upto: tuple[int, int] = (0, 0)) -> dict[str, int]:
    """How many deals and mentions are stored and their highest ids, and how many of
    them have an id at most ``upto`` (deals, mentions): ids only grow, so fewer of
    those than before means rows were deleted (a re-extraction, an article replaced);
    and how many articles, and the latest ingest run's id."""
    with engine.connect() as conn:
        found = {}
        for name, table, below in (("deals", deals, upto[0]), ("mentions", mentions, upto[1])):
            # Three reads SQLite answers from the b-tree (a count of all rows, the last
            # id, a range of ids), not one that looks at every row.
            count = conn.execute(select(func.count()).select_from(table)).scalar()
            highest = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar()
            newer = conn.execute(
                select(func.count()).select_from(table).where(table.c.id > below)
            ).scalar()
            found[name], found[f"{name}_max"], found[f"{name}_upto"] = (
                int(count),
                int(highest),
                int(count) - int(newer),
            )
        # Every ingest is a run: with the counts above they tell when articles changed.
        found["articles"] = int(conn.execute(select(func.count()).select_from(articles)).scalar())
        found["runs_max"] = int(
            conn.execute(select(func.coalesce(func.max(ingest_runs.c.id), 0))).scalar()
        )
    return found


def deal_ids_naming(engine: Engine, names: Iterable[str]) -> set[int]:
    """Ids of the deals with a party stored under one of ``names``."""
    wanted = sorted(set(names))
    found: set[int] = set()
    with engine.connect() as conn:
        for start in range(0, len(wanted), IDS_BATCH):
            query = (
                select(deal_parties.c.deal_id)
                .join(organisations, organisations.c.id == deal_parties.c.organisation_id)
                .where(organisations.c.name.in_(wanted[start : start + IDS_BATCH]))
            )
            found.update(conn.execute(query).scalars())
    return found


def deal_ids_keyed(engine: Engine, keys: Iterable[str]) -> set[int]:
    """Ids of the deals stored under one of ``keys`` (``deal_key``)."""
    wanted = sorted({k for k in keys if k})
    found: set[int] = set()
    with engine.connect() as conn:
        for start in range(0, len(wanted), IDS_BATCH):
            query = select(deals.c.id).where(
                deals.c.deal_key.in_(wanted[start : start + IDS_BATCH])
            )
            found.update(conn.execute(query).scalars())
    return found


def _deals_of_articles(engine: Engine, article_ids: Iterable[str], column) -> Iterator[tuple]:
    """(deal id, article id, ``column``) of every deal of these articles, read by article
    in batches (an indexed read)."""
    wanted = sorted(article_ids)
    with engine.connect() as conn:
        for start in range(0, len(wanted), IDS_BATCH):
            query = select(deals.c.id, deals.c.article_id, column).where(
                deals.c.article_id.in_(wanted[start : start + IDS_BATCH])
            )
            yield from conn.execute(query)


def deal_ids_in_articles(engine: Engine, keys: dict[str, set[str]]) -> set[int]:
    """Ids of the deals of article ``a`` whose key is in ``keys[a]`` (read by article:
    an indexed read, where a read by key scans every deal)."""
    return {
        deal_id
        for deal_id, article_id, key in _deals_of_articles(engine, keys, deals.c.deal_key)
        if key in keys[article_id]
    }


def deal_ids_in_items(engine: Engine, items: Iterable[tuple[str, int]]) -> set[int]:
    """Ids of the deals of these (article id, item index) places."""
    by_article: dict[str, set[int]] = {}
    for article_id, item_index in items:
        by_article.setdefault(article_id, set()).add(int(item_index))
    return {
        deal_id
        for deal_id, article_id, item_index in _deals_of_articles(
            engine, by_article, deals.c.item_index
        )
        if item_index in by_article[article_id]
    }


def organisations_touched_since(engine: Engine, deal_id: int, mention_id: int) -> set[int]:
    """Ids of the organisations that a deal or mention stored after these ids names."""
    with engine.connect() as conn:
        found = set(
            conn.execute(
                select(deal_parties.c.organisation_id).where(deal_parties.c.deal_id > deal_id)
            ).scalars()
        )
        found.update(
            conn.execute(
                select(mentions.c.organisation_id).where(mentions.c.id > mention_id)
            ).scalars()
        )
    return found


# How much of an article's text ``articles_frame`` carries, to name untitled ones.
OPENING_CHARS = 90


def articles_frame(engine: Engine) -> pd.DataFrame:
    """Articles with their metadata and organisation and deal counts (no text)."""
    deal_counts = (
        select(deals.c.article_id, func.count().label("deals"))
        .group_by(deals.c.article_id)
        .subquery()
    )
    org_counts = (
        select(
            mentions.c.article_id,
            func.count(func.distinct(mentions.c.organisation_id)).label("organisations"),
        )
        .group_by(mentions.c.article_id)
        .subquery()
    )
    query = (
        select(
            articles.c.id,
            articles.c.file,
            articles.c.title,
            articles.c.source,
            articles.c.url,
            articles.c.published,
            articles.c.date_precision,
            articles.c.date_source,
            articles.c.is_digest,
            articles.c.ingested_at,
            articles.c.ingest_run_id,
            # the opening words, which name an article that has no title
            func.substr(articles.c.text, 1, OPENING_CHARS).label("opening"),
            func.coalesce(org_counts.c.organisations, 0).label("organisations"),
            func.coalesce(deal_counts.c.deals, 0).label("deals"),
        )
        .outerjoin(deal_counts, deal_counts.c.article_id == articles.c.id)
        .outerjoin(org_counts, org_counts.c.article_id == articles.c.id)
    )
    with engine.connect() as conn:
        frame = _frame(conn.execute(query))
    if frame.empty:
        return pd.DataFrame(
            columns=[
                "id",
                "file",
                "title",
                "source",
                "url",
                "published",
                "date_precision",
                "date_source",
                "is_digest",
                "ingested_at",
                "ingest_run_id",
                "opening",
                "organisations",
                "deals",
            ]
        )
    # Newest first, undated last, then by file: sorted here because the backends
    # disagree on where NULLs go and how text collates.
    frame = frame.sort_values("file", kind="stable")
    return frame.sort_values(
        "published", ascending=False, na_position="last", kind="stable"
    ).reset_index(drop=True)


def article_text(engine: Engine, article_id: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            select(articles.c.text).where(articles.c.id == article_id)
        ).scalar_one_or_none()


def stored_articles(engine: Engine, ids: Sequence[str] | None = None) -> list[Article]:
    """Every stored article (or those of ``ids``) rebuilt from the store (for re-extraction)."""
    from atlas.models import ArticleItem

    chosen = articles.c.id.in_(list(ids)) if ids is not None else true()
    with engine.connect() as conn:
        rows = conn.execute(select(articles).where(chosen)).mappings().all()
        item_rows = (
            conn.execute(
                select(article_items)
                .where(article_items.c.article_id.in_(list(ids)) if ids is not None else true())
                .order_by(article_items.c.article_id, article_items.c.item_index)
            )
            .mappings()
            .all()
        )
    # Sorted here: the backends collate file names differently.
    rows = sorted(rows, key=lambda row: (row["file"], row["id"]))
    items: dict[str, list[ArticleItem]] = {}
    for row in item_rows:
        items.setdefault(row["article_id"], []).append(
            ArticleItem(
                row["item_index"],
                row["text"],
                row["title"],
                row["published"],
                row["date_precision"],
                row["date_source"] or "none",
            )
        )
    return [
        Article(
            id=row["id"],
            file=row["file"],
            text=row["text"],
            title=row["title"],
            source=row["source"],
            url=row["url"],
            published=row["published"],
            date_precision=row["date_precision"],
            date_source=row["date_source"],
            is_digest=bool(row["is_digest"]),
            items=tuple(items.get(row["id"], ())),
            metadata=json.loads(row["metadata_json"] or "{}"),
        )
        for row in rows
    ]


def last_run(engine: Engine) -> dict | None:
    """The latest ingest run, its ``status`` as ``run_status`` tells it."""
    with engine.connect() as conn:
        row = (
            conn.execute(select(ingest_runs).order_by(ingest_runs.c.id.desc()).limit(1))
            .mappings()
            .first()
        )
    if row is None:
        return None
    run = dict(row)
    run["status"] = run_status(engine, run)
    return run


def article_detail(engine: Engine, article_id: str) -> dict | None:
    """One article with its text, metadata and items (digest items in order)."""
    with engine.connect() as conn:
        row = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
        if row is None:
            return None
        items = (
            conn.execute(
                select(article_items)
                .where(article_items.c.article_id == article_id)
                .order_by(article_items.c.item_index)
            )
            .mappings()
            .all()
        )
    detail = dict(row)
    detail["metadata"] = json.loads(detail.pop("metadata_json") or "{}")
    detail["items"] = [dict(item) for item in items]
    return detail


def articles_mentioning(engine: Engine, names: Iterable[str]) -> pd.DataFrame:
    """The articles that mention any organisation stored under one of ``names``,
    each with how many times (``mentions``): article_id, title, file, source,
    published, date_source, mentions. Counted by the database, so a hub
    mentioned in thousands of articles costs one grouped query."""
    names = sorted({str(n) for n in names if n})
    columns = ["article_id", "title", "file", "source", "published", "date_source", "mentions"]
    if not names:
        return pd.DataFrame(columns=columns)
    query = (
        select(
            articles.c.id.label("article_id"),
            articles.c.title,
            articles.c.file,
            articles.c.source,
            articles.c.published,
            articles.c.date_source,
            func.count().label("mentions"),
        )
        .select_from(mentions)
        .join(organisations, organisations.c.id == mentions.c.organisation_id)
        .join(articles, articles.c.id == mentions.c.article_id)
        .where(organisations.c.name.in_(names))
        # The other columns depend on the primary key (PostgreSQL accepts that too).
        .group_by(articles.c.id)
    )
    with engine.connect() as conn:
        frame = _frame(conn.execute(query))
    return frame if len(frame) else pd.DataFrame(columns=columns)


def mentions_frame(engine: Engine, article_id: str | None = None) -> pd.DataFrame:
    """Organisation mentions (character offsets into the item text), optionally of one article."""
    query = (
        select(
            mentions.c.article_id,
            mentions.c.item_index,
            organisations.c.name.label("organisation"),
            organisations.c.country,
            mentions.c.text,
            mentions.c.start_char,
            mentions.c.end_char,
        )
        .join(organisations, organisations.c.id == mentions.c.organisation_id)
        .order_by(mentions.c.article_id, mentions.c.item_index, mentions.c.start_char)
    )
    if article_id is not None:
        query = query.where(mentions.c.article_id == article_id)
    with engine.connect() as conn:
        frame = _frame(conn.execute(query))
    if frame.empty:
        return pd.DataFrame(
            columns=[
                "article_id",
                "item_index",
                "organisation",
                "country",
                "text",
                "start_char",
                "end_char",
            ]
        )
    return frame
