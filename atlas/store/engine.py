"""Opening the store (SQLite file, in memory, or a server named by ``ATLAS_DB_URL``),
errors said in one line, read-only files, and the change counter of the stored data."""

from __future__ import annotations

import os
import re
import weakref
from pathlib import Path

from sqlalchemy import (
    Engine,
    create_engine,
    event,
    exc,
    select,
    update,
)
from sqlalchemy.engine import Connection, make_url

from atlas.lexicon import PROJECT_ROOT
from atlas.schema import (
    StoreError,
    data_state,
    new_store_id,
)
from atlas.store.rows import insert_ignoring_conflicts

DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "atlas.db"


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
        insert_ignoring_conflicts(
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
