"""Saved views: named views of the dashboard in a presenter's running order.

A view is what a link holds: the page's URL path and its query parameters (the
sidebar filters and the page's own controls, ``components/filters.py`` and
``components/urlstate.py``). Views live in the store's ``saved_views`` table, so
everyone using a team server shares them; ``position`` orders them into the
sequence a presenter steps through with next and previous.

Names and parameters are untrusted (anyone who may edit can write them): names are
cleaned to one line without control characters and capped; parameters are kept
as lists of strings, capped, and checked again by the pages that read them. Saving,
reordering, renaming and deleting are edits (the app asks ``editing.require()``
first); they do not count as data changes (``store.mark_changed``), since no deal
or organisation changes with them.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from atlas.schema import saved_views
from atlas.store.rows import fit_row, now_iso

MAX_NAME_LENGTH = 80
MAX_PARAMS = 40  # distinct parameters kept per view
MAX_VALUES = 200  # values kept per parameter (organisations chosen, ...)
MAX_VALUE_LENGTH = 300
# Parameters that belong to the session showing a view, not to the view: presenter
# mode stays as the presenter set it, and Streamlit's own embedding switches.
SESSION_PARAMS = frozenset({"present", "embed", "embed_options"})


class SavedViewError(ValueError):
    """A save, rename or move that cannot be done, with a one-line reason."""


@dataclass(frozen=True)
class SavedView:
    id: int
    name: str
    position: int
    page: str  # the page's URL path, "" for the default page
    params: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    created_at: str = ""
    created_by: str | None = None

    def query_params(self) -> dict[str, list[str]]:
        """The parameters as ``st.switch_page(query_params=...)`` takes them (a copy)."""
        return {name: list(values) for name, values in self.params.items()}


def clean_view_name(name: str) -> str:
    """A name fit to store and show: one line, no control or formatting characters
    (bidirectional overrides included), spaces collapsed, at most
    ``MAX_NAME_LENGTH`` characters."""
    kept = "".join(
        " " if c.isspace() else c
        for c in str(name)
        if c.isspace() or unicodedata.category(c)[0] != "C"
    )
    return " ".join(kept.split())[:MAX_NAME_LENGTH].strip()


def view_params(query: Mapping[str, Sequence[str] | str]) -> dict[str, tuple[str, ...]]:
    """The parameters of a view from a page's query parameters (name -> value or
    values): the session's own (``SESSION_PARAMS``) dropped, empty ones dropped,
    every value a string, capped. Names keep their order, so a view's link reads
    as the page wrote it."""
    kept: dict[str, tuple[str, ...]] = {}
    for name, values in query.items():
        name = str(name)[:MAX_VALUE_LENGTH]
        if name in SESSION_PARAMS or not name:
            continue
        if isinstance(values, str):
            values = [values]
        strings = tuple(str(v).replace("\x00", "")[:MAX_VALUE_LENGTH] for v in values)
        if strings:
            kept[name] = strings[:MAX_VALUES]
        if len(kept) >= MAX_PARAMS:
            break
    return kept


def _params_json(params: Mapping[str, Sequence[str]]) -> str:
    return json.dumps({name: list(values) for name, values in params.items()}, ensure_ascii=False)


def _read_params(raw: str | None) -> dict[str, tuple[str, ...]]:
    """Stored parameters, tolerating anything: a row written by hand or by another
    program that is not a JSON object of strings gives what can be read of it."""
    try:
        loaded = json.loads(raw or "{}")
    except ValueError:
        return {}
    if not isinstance(loaded, dict):
        return {}
    readable = {
        name: values if isinstance(values, list) else [values]
        for name, values in loaded.items()
        if isinstance(values, (list, str))
    }
    return view_params(
        {name: [v for v in values if isinstance(v, str)] for name, values in readable.items()}
    )


def _view(row) -> SavedView:
    return SavedView(
        id=int(row.id),
        name=str(row.name),
        position=int(row.position),
        page=str(row.page or ""),
        params=_read_params(row.params_json),
        created_at=str(row.created_at or ""),
        created_by=row.created_by,
    )


def _ordered(conn: Connection, *, lock: bool = False) -> list[SavedView]:
    query = select(saved_views).order_by(saved_views.c.position, saved_views.c.id)
    if lock:  # PostgreSQL: two reorders at once run one after the other (SQLite ignores it)
        query = query.with_for_update()
    return [_view(row) for row in conn.execute(query)]


def list_views(engine: Engine) -> list[SavedView]:
    """Every saved view, in the running order."""
    with engine.connect() as conn:
        return _ordered(conn)


def get_view(engine: Engine, view_id: int) -> SavedView | None:
    with engine.connect() as conn:
        row = conn.execute(select(saved_views).where(saved_views.c.id == view_id)).first()
    return _view(row) if row is not None else None


def _named(conn: Connection, name: str):
    return conn.execute(select(saved_views).where(saved_views.c.name == name)).first()


def save_view(
    engine: Engine,
    name: str,
    page: str,
    params: Mapping[str, Sequence[str] | str],
    *,
    by: str | None = None,
) -> tuple[SavedView, bool]:
    """Save a view under ``name`` at the end of the running order, or, when a view
    of that name exists, save over it in its place. Returns the view and whether it
    is new. ``by``: who saved it (None on an open app)."""
    name = clean_view_name(name)
    if not name:
        raise SavedViewError("a saved view needs a name")
    values = fit_row(
        saved_views,
        {
            "page": str(page or ""),
            "params_json": _params_json(view_params(params)),
            "created_at": now_iso(),
            "created_by": by,
        },
    )
    # Two people saving the same new name at once: the second insert fails on the
    # unique name and saves over the first one's view instead.
    for _attempt in range(2):
        try:
            with engine.begin() as conn:
                existing = _named(conn, name)
                if existing is not None:
                    conn.execute(
                        update(saved_views).where(saved_views.c.id == existing.id).values(values)
                    )
                    return _view(_named(conn, name)), False
                last = conn.execute(select(func.max(saved_views.c.position))).scalar()
                position = 0 if last is None else int(last) + 1
                conn.execute(saved_views.insert().values(name=name, position=position, **values))
                return _view(_named(conn, name)), True
        except IntegrityError:
            continue
    raise SavedViewError(f"the view {name!r} could not be saved; try again")


def rename_view(engine: Engine, view_id: int, new_name: str) -> SavedView:
    """Give a view another name; refused when the name is empty or another view has it."""
    name = clean_view_name(new_name)
    if not name:
        raise SavedViewError("a saved view needs a name")
    try:
        with engine.begin() as conn:
            existing = _named(conn, name)
            if existing is not None and existing.id != view_id:
                raise SavedViewError(f"another saved view is already called {name!r}")
            renamed = conn.execute(
                update(saved_views).where(saved_views.c.id == view_id).values(name=name)
            )
            if renamed.rowcount == 0:
                raise SavedViewError("that saved view no longer exists")
            return _view(_named(conn, name))
    except IntegrityError as error:  # the same name given to another view meanwhile
        raise SavedViewError(f"another saved view is already called {name!r}") from error


def delete_view(engine: Engine, view_id: int) -> bool:
    """Delete a view; False when it was already gone. The others keep their order."""
    with engine.begin() as conn:
        return conn.execute(delete(saved_views).where(saved_views.c.id == view_id)).rowcount > 0


def move_view(engine: Engine, view_id: int, steps: int) -> list[SavedView]:
    """Move a view ``steps`` places later in the running order (negative: earlier),
    stopping at either end; returns the new order. Positions are renumbered 0, 1,
    2, ... so views that tied (saved at the same moment) are put in order too."""
    with engine.begin() as conn:
        order = _ordered(conn, lock=True)
        index = next((i for i, view in enumerate(order) if view.id == view_id), None)
        if index is None:
            raise SavedViewError("that saved view no longer exists")
        target = min(max(index + steps, 0), len(order) - 1)
        order.insert(target, order.pop(index))
        for position, view in enumerate(order):
            if view.position != position:
                conn.execute(
                    update(saved_views).where(saved_views.c.id == view.id).values(position=position)
                )
        return _ordered(conn)


def position_of(views: Sequence[SavedView], view_id: int | None) -> int | None:
    """Where a view stands in the running order (0 for the first), None if absent."""
    return next((i for i, view in enumerate(views) if view.id == view_id), None)


def step_from(views: Sequence[SavedView], view_id: int | None, steps: int) -> SavedView | None:
    """The view ``steps`` places after ``view_id`` in ``views`` (negative: before),
    or None past either end. From no view (``view_id`` None, or a view deleted
    since), one step forward is the first view and nothing lies backward."""
    index = position_of(views, view_id)
    if index is None:
        return views[0] if steps > 0 and views else None
    target = index + steps
    return views[target] if 0 <= target < len(views) else None
