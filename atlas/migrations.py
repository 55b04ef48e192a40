"""Versioned schema: a brand-new database gets the whole schema, an older one the
steps it is missing, a newer one is refused.

The version lives in the one-row table ``schema_info``. Version 1 is the first
release's schema; it has no step of its own. Version 2 adds the change counter
``data_state``; version 3 the store's random id (``data_state.store_id``) and each
ingest run's status, host and process id; version 4 who made and undid each
correction and who started each run; version 5 each deal's role, status, assets and
terms; version 6 the table of saved views (``saved_views``); version 7 the table of
background jobs (``jobs``, ``atlas/jobs.py``). A brand-new database is built with ``create_all`` and stamped with
the latest version, so ``atlas/schema.py``'s table definitions must always describe
the latest schema.

Adding a migration (say a ``language`` column on articles):

1. Add the column to the table in ``atlas/schema.py`` (new databases get it from
   ``create_all``).
2. Write a step that brings a version-1 database to the same shape, using
   portable DDL (SQLite and PostgreSQL) and keeping every row::

       def add_article_language(conn: Connection) -> None:
           conn.execute(text("ALTER TABLE articles ADD COLUMN language VARCHAR(8)"))

   A new table is created from a ``Table`` of its own in the step's module,
   written as the table is at that version (as ``_DATA_STATE_V2`` is): a later
   version may add columns to ``schema``'s definition, and the step must still
   make the shape the next step expects. Never call ``create_all`` from a step,
   and never use the latest table definitions to read or write old rows (they
   may describe columns the database does not have yet).
3. Append ``(N, add_article_language)`` to ``MIGRATIONS``; versions count up by
   one and are never renumbered or edited once released.
4. Add a test in ``tests/test_backends.py`` that upgrades a database of the
   previous version with rows in it on both SQLite and PostgreSQL.

Each step runs in its own transaction together with the new version number, so
an upgrade stopped half-way leaves the database at the last complete version.
PostgreSQL runs DDL inside transactions; for SQLite the transaction is opened
explicitly (``BEGIN IMMEDIATE``), because Python's sqlite3 module would otherwise
commit DDL at once. The same lock makes two processes starting at once upgrade
the database one after the other, not together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection

from atlas.schema import StoreError, data_state, metadata, new_store_id, schema_info

Migration = tuple[int, Callable[[Connection], None] | None]

# ``data_state`` as version 2 made it (version 3 adds ``store_id``).
_DATA_STATE_V2 = Table(
    "data_state",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("generation", BigInteger, nullable=False),
)

# ``jobs`` as version 7 made it.
_JOBS_V7 = Table(
    "jobs",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("label", Text),
    Column("params_json", Text, nullable=False, default="{}"),
    Column("status", String(16), nullable=False),
    Column("phase", String(32)),
    Column("total", Integer),
    Column("done", Integer, nullable=False, default=0),
    Column("done_at_resume", Integer, nullable=False, default=0),
    Column("started_at", String(32), nullable=False),
    Column("resumed_at", String(32)),
    Column("updated_at", String(32)),
    Column("finished_at", String(32)),
    Column("host", String(255)),
    Column("pid", Integer),
    Column("started_by", String(100)),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("message", Text),
)

# ``saved_views`` as version 6 made it.
_SAVED_VIEWS_V6 = Table(
    "saved_views",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("position", Integer, nullable=False, default=0),
    Column("page", String(100), nullable=False),
    Column("params_json", Text, nullable=False, default="{}"),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(100)),
)


def _start_data_state(conn: Connection) -> None:
    """A new store's state row: the change counter at 0 and a new store id."""
    if conn.execute(select(func.count()).select_from(data_state)).scalar_one() == 0:
        conn.execute(data_state.insert().values(id=1, generation=0, store_id=new_store_id()))


def add_data_state(conn: Connection) -> None:
    """Version 2: the change counter (``store.data_state``) that the dashboard's
    prepared tables on disk are keyed by."""
    _DATA_STATE_V2.create(conn, checkfirst=True)
    if conn.execute(select(func.count()).select_from(_DATA_STATE_V2)).scalar_one() == 0:
        conn.execute(_DATA_STATE_V2.insert().values(id=1, generation=0))


def add_store_id_and_run_status(conn: Connection) -> None:
    """Version 3: a random id for the store, so prepared tables are never served to
    another store made under the same path or URL; and each ingest run's status,
    host and process id, so a killed run shows as interrupted. Runs stored before
    are finished if they recorded an end, else interrupted."""
    conn.execute(text("ALTER TABLE data_state ADD COLUMN store_id VARCHAR(32)"))
    store_id = new_store_id()
    updated = conn.execute(text("UPDATE data_state SET store_id = :sid"), {"sid": store_id})
    if updated.rowcount == 0:
        conn.execute(
            text("INSERT INTO data_state (id, generation, store_id) VALUES (1, 0, :sid)"),
            {"sid": store_id},
        )
    conn.execute(text("ALTER TABLE ingest_runs ADD COLUMN status VARCHAR(16)"))
    conn.execute(text("ALTER TABLE ingest_runs ADD COLUMN host VARCHAR(255)"))
    conn.execute(text("ALTER TABLE ingest_runs ADD COLUMN pid INTEGER"))
    conn.execute(
        text(
            "UPDATE ingest_runs SET status = CASE WHEN finished_at IS NULL "
            "THEN 'interrupted' ELSE 'finished' END"
        )
    )


def add_editors(conn: Connection) -> None:
    """Version 4: who made each correction, who undid it, and who started each
    ingest run (all NULL for rows made before: nobody was recorded then)."""
    conn.execute(text("ALTER TABLE corrections ADD COLUMN created_by VARCHAR(100)"))
    conn.execute(text("ALTER TABLE corrections ADD COLUMN undone_by VARCHAR(100)"))
    conn.execute(text("ALTER TABLE ingest_runs ADD COLUMN started_by VARCHAR(100)"))


def add_deal_details(conn: Connection) -> None:
    """Version 5: each deal's role (main or background), status (agreed, completed,
    terminated), assets and terms, with its disclosed value and upfront in US
    dollars as numbers to sort and filter by (``store.deals``).

    Deals stored before get the defaults: main, agreed, no assets, no terms. Their
    articles' extraction fingerprint is cleared, so that ingesting the same articles
    again re-extracts them (as ``python -m atlas reextract`` does), instead of
    skipping them as already stored."""
    for column in (
        "role VARCHAR(16) NOT NULL DEFAULT 'main'",
        "deal_status VARCHAR(16) NOT NULL DEFAULT 'agreed'",
        "assets TEXT NOT NULL DEFAULT ''",
        "terms_json TEXT NOT NULL DEFAULT '{}'",
        "value_usd FLOAT",
        "upfront_usd FLOAT",
    ):
        conn.execute(text(f"ALTER TABLE deals ADD COLUMN {column}"))
    conn.execute(text("UPDATE articles SET lexicon_fingerprint = ''"))


def add_saved_views(conn: Connection) -> None:
    """Version 6: named views of the dashboard in a running order
    (``atlas/saved_views.py``), shared by everyone using the store. A new, empty table."""
    _SAVED_VIEWS_V6.create(conn, checkfirst=True)


def add_jobs(conn: Connection) -> None:
    """Version 7: long work run by a worker process (``atlas/jobs.py``): re-extraction,
    large uploads, feed refreshes. A new, empty table."""
    _JOBS_V7.create(conn, checkfirst=True)


# (version, step bringing version - 1 to version). Version 1 is create_all's schema
# of the first release.
MIGRATIONS: tuple[Migration, ...] = (
    (1, None),
    (2, add_data_state),
    (3, add_store_id_and_run_status),
    (4, add_editors),
    (5, add_deal_details),
    (6, add_saved_views),
    (7, add_jobs),
)

# Any constant will do: PostgreSQL advisory locks are keyed by a number.
_PG_LOCK_KEY = 0x61746C6173  # "atlas"


class SchemaError(StoreError):
    """The database's schema cannot be used by this version of Atlas."""


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    return migrations[-1][0]


def _check(migrations: Sequence[Migration]) -> None:
    versions = [v for v, _ in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migration versions must be 1, 2, 3, ... in order, got {versions}")
    if migrations[0][1] is not None or any(step is None for _, step in migrations[1:]):
        raise ValueError("version 1 is create_all's schema (no step); every later one needs a step")


def _lock(conn: Connection) -> None:
    """Start the transaction and hold the schema lock until it ends."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))


def _version(conn: Connection) -> int | None:
    """The stamped version; None when ``schema_info`` does not exist (a new database)."""
    if not inspect(conn).has_table(schema_info.name):
        return None
    version = conn.execute(select(func.max(schema_info.c.version))).scalar_one()
    # Tables made before the stamp was written (a stopped first start) are version 1,
    # the only schema that ever existed without one.
    if version is None:
        return 1
    # SQLite stores whatever it is given: a stamp Atlas never writes (0, -1, text).
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SchemaError(
            f"the database's schema version is {version!r}, which Atlas never writes "
            "(versions start at 1): it was changed by hand or by another program; "
            "restore it from a backup or point ATLAS_DB_URL at another database"
        )
    return version


def _stamp(conn: Connection, version: int) -> None:
    conn.execute(schema_info.delete())
    conn.execute(schema_info.insert().values(version=version))


def current_version(engine: Engine) -> int | None:
    """The database's schema version, or None for a database Atlas has not touched."""
    with engine.connect() as conn:
        return _version(conn)


def upgrade(engine: Engine, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Bring the database to the latest version; returns the versions applied
    (``[latest]`` for a brand-new database, ``[]`` for an up-to-date one).

    Raises SchemaError for a database newer than this code.
    """
    _check(migrations)
    latest = latest_version(migrations)
    # A read first: the common case (up to date) takes no lock, so the app can
    # start while a long ingest holds SQLite's write lock.
    version = current_version(engine)
    if version is None:
        with engine.connect() as conn:
            _lock(conn)
            version = _version(conn)  # another process may have created it meanwhile
            if version is None:
                metadata.create_all(conn)
                _start_data_state(conn)
                _stamp(conn, latest)
                conn.commit()
                return [latest]
            conn.rollback()
    if version > latest:
        raise SchemaError(
            f"the database is at schema version {version}, newer than this Atlas "
            f"(version {latest}): upgrade Atlas, or point ATLAS_DB_URL at another database"
        )
    applied: list[int] = []
    for target, step in migrations[version:]:
        with engine.connect() as conn:
            _lock(conn)
            # Another process may have applied it while we waited for the lock.
            if (_version(conn) or 0) >= target:
                conn.rollback()
                continue
            if step is not None:  # version 1 is the tables as created, reached by no step
                step(conn)
            _stamp(conn, target)
            conn.commit()
        applied.append(target)
    return applied
