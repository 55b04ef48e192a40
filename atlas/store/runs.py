"""Ingest runs: started, counted as they go, finished, and whether one still runs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sqlalchemy import (
    Engine,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection

from atlas.schema import (
    ingest_runs,
)
from atlas.store.rows import inserted_id, now_iso


@dataclass
class IngestSummary:
    ingested: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)

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


def host_name() -> str:
    import socket

    return socket.gethostname()[:255]


def start_run(engine: Engine) -> int:
    """Record a new ingest run as running, by this host and process."""
    with engine.begin() as conn:
        run_id = inserted_id(
            conn.execute(
                insert(ingest_runs).values(
                    started_at=now_iso(), status=RUNNING, host=host_name(), pid=os.getpid()
                )
            )
        )
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
            count_in_run(conn, run_id, counts)


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
                    finished_at=now_iso(),
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
    if run.get("host") == host_name() and run.get("pid"):
        try:
            os.kill(int(run["pid"]), 0)
        except ProcessLookupError:
            return INTERRUPTED
        except OSError:  # exists, owned by another user
            return RUNNING
    return RUNNING


def count_in_run(conn: Connection, run_id: int | None, counts: dict[str, int]) -> None:
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
