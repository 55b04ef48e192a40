"""Rows every backend accepts: values fitted to the columns, inserts that skip keys
already there (also under concurrent writers), timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from sqlalchemy import (
    Table,
    insert,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult


@cache
def _column_lengths(table: Table) -> dict[str, int | None]:
    return {column.name: getattr(column.type, "length", None) for column in table.c}


def fit_row(table: Table, values: dict) -> dict:
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


def insert_ignoring_conflicts(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows, skipping ones whose key is already there (also when another
    transaction inserts the same key concurrently: PostgreSQL waits for it
    instead of failing this article)."""
    if not rows:
        return
    conn.execute(insert_if_absent(conn, table), rows)


def insert_if_absent(conn: Connection, table: Table):
    dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(conn.dialect.name)
    return insert(table) if dialect is None else dialect.insert(table).on_conflict_do_nothing()


def inserted_id(result: CursorResult) -> int:
    """The primary key of the row one INSERT statement wrote."""
    key = result.inserted_primary_key
    if key is None:  # an INSERT always has one; an UPDATE or a DELETE has none
        raise ValueError("not the result of a single-row INSERT")
    return int(key[0])


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
