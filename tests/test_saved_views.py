"""Saved views as a running order: the store functions on SQLite and a real
PostgreSQL server, then the app: save views on different pages, step through them
in presenter mode, and read-only while editing is locked."""

from __future__ import annotations

import secrets
import threading

import pytest
from sqlalchemy import text

from atlas import store
from atlas.saved_views import (
    MAX_NAME_LENGTH,
    SavedViewError,
    clean_view_name,
    delete_view,
    get_view,
    list_views,
    move_view,
    position_of,
    rename_view,
    save_view,
    step_from,
    view_params,
)
from tests.pg import postgres_cluster  # noqa: F401 - a pytest fixture used by name

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    """A brand-new store on each backend: a SQLite file, or a new database on the
    test PostgreSQL cluster (dropped afterwards)."""
    if request.param == "sqlite":
        engine = store.open_store(f"sqlite:///{tmp_path / 'atlas.db'}")
        yield engine
        engine.dispose()
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{secrets.token_hex(6)}"
    engine = store.open_store(cluster.create_database(name))
    yield engine
    engine.dispose()
    cluster.drop_database(name)


def names(engine) -> list[str]:
    return [view.name for view in list_views(engine)]


# --- the store ----------------------------------------------------------------------------


def test_views_are_listed_in_the_order_saved_with_page_params_and_who(engine):
    first, new = save_view(
        engine, "Q4 deals", "timeline", {"from": "2025-10-01", "type": ["licensing", "merger"]}
    )
    assert new
    save_view(engine, "Astellas", "network", {"focus": ["Astellas"]}, by="alice")
    save_view(engine, "Everything", "", {})
    views = list_views(engine)
    assert [v.name for v in views] == ["Q4 deals", "Astellas", "Everything"]
    assert [v.page for v in views] == ["timeline", "network", ""]
    assert views[0].query_params() == {"from": ["2025-10-01"], "type": ["licensing", "merger"]}
    assert views[1].params == {"focus": ("Astellas",)}
    assert (views[0].created_by, views[1].created_by) == (None, "alice")
    assert views[1].created_at  # an ISO time
    assert get_view(engine, first.id) == views[0]
    assert get_view(engine, 10_000) is None


def test_saving_under_an_existing_name_saves_over_it_in_its_place(engine):
    save_view(engine, "A", "deals", {"q": "old"})
    save_view(engine, "B", "deals", {})
    view, new = save_view(engine, "A", "network", {"focus": "X"}, by="bob")
    assert not new
    assert names(engine) == ["A", "B"]
    assert (view.page, view.params, view.created_by) == ("network", {"focus": ("X",)}, "bob")


def test_presenter_mode_and_embedding_are_not_part_of_a_view(engine):
    view, _ = save_view(
        engine, "V", "countries", {"present": "1", "embed": "true", "country": ["Japan"], "q": []}
    )
    assert view.query_params() == {"country": ["Japan"]}


def test_move_up_and_down_stop_at_the_ends(engine):
    ids = {name: save_view(engine, name, "", {})[0].id for name in "ABCD"}
    move_view(engine, ids["C"], -1)
    assert names(engine) == ["A", "C", "B", "D"]
    move_view(engine, ids["A"], -1)  # already first
    assert names(engine) == ["A", "C", "B", "D"]
    move_view(engine, ids["A"], +1)
    assert names(engine) == ["C", "A", "B", "D"]
    order = move_view(engine, ids["C"], +10)  # past the end: last
    assert [v.name for v in order] == ["A", "B", "D", "C"]
    assert [v.position for v in order] == [0, 1, 2, 3]
    with pytest.raises(SavedViewError, match="no longer exists"):
        move_view(engine, 10_000, 1)


def test_moving_puts_tied_positions_in_order(engine):
    """Two views saved at the same moment may get the same position; the list
    orders them by id, and the next move renumbers everything."""
    for name in "ABC":
        save_view(engine, name, "", {})
    with engine.begin() as conn:
        conn.execute(text("UPDATE saved_views SET position = 0"))
    assert names(engine) == ["A", "B", "C"]
    c = list_views(engine)[2]
    move_view(engine, c.id, -1)
    assert names(engine) == ["A", "C", "B"]
    assert [v.position for v in list_views(engine)] == [0, 1, 2]


def test_rename_and_delete(engine):
    a = save_view(engine, "A", "", {})[0]
    b = save_view(engine, "B", "", {})[0]
    save_view(engine, "C", "", {})
    assert rename_view(engine, a.id, "  First\tview ").name == "First view"
    with pytest.raises(SavedViewError, match="already called 'C'"):
        rename_view(engine, a.id, "C")
    with pytest.raises(SavedViewError, match="needs a name"):
        rename_view(engine, a.id, " \u202e ")
    assert rename_view(engine, b.id, "B").name == "B"  # its own name: fine
    assert delete_view(engine, b.id)
    assert not delete_view(engine, b.id)
    assert names(engine) == ["First view", "C"]
    with pytest.raises(SavedViewError, match="no longer exists"):
        rename_view(engine, b.id, "Gone")


def test_next_and_previous_through_the_running_order(engine):
    ids = {name: save_view(engine, name, "", {})[0].id for name in "ABC"}
    views = list_views(engine)
    assert step_from(views, ids["A"], +1).name == "B"
    assert step_from(views, ids["B"], +1).name == "C"
    assert step_from(views, ids["C"], +1) is None  # the end: no wrap-around
    assert step_from(views, ids["B"], -1).name == "A"
    assert step_from(views, ids["A"], -1) is None
    # Not started yet, or the current view was deleted: next is the first view.
    assert step_from(views, None, +1).name == "A"
    assert step_from(views, None, -1) is None
    assert step_from(views, 10_000, +1).name == "A"
    assert step_from([], None, +1) is None
    assert position_of(views, ids["C"]) == 2
    # The order follows a move.
    move_view(engine, ids["C"], -2)
    views = list_views(engine)
    assert step_from(views, ids["C"], +1).name == "A"
    assert step_from(views, ids["A"], -1).name == "C"


def test_two_people_saving_the_same_new_name_at_once_make_one_view(engine):
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def save(who: str) -> None:
        try:
            barrier.wait()
            save_view(engine, "Shared", "deals", {"q": who}, by=who)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(f"user{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    [view] = list_views(engine)
    assert view.name == "Shared" and view.created_by in {f"user{i}" for i in range(4)}


# Names and parameters anyone who may edit can type: stored as given (cleaned), and
# only ever bound as values.
@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("'; DROP TABLE saved_views; --", "'; DROP TABLE saved_views; --"),  # SQL
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # markup: escaped on show
        ("line\nbreak\x00nul", "line breaknul"),  # one line, no NUL (PostgreSQL refuses it)
        ("\u202eevil\u202c name", "evil name"),  # bidirectional override removed
        ("x" * 500, "x" * MAX_NAME_LENGTH),  # capped
    ],
)
def test_hostile_names_are_cleaned_and_stored_as_values(engine, given, kept):
    view, _ = save_view(engine, given, "deals", {"q": [given], given: "1"})
    assert view.name == kept == clean_view_name(given)
    assert names(engine) == [kept]
    assert view.params["q"][0] == given.replace("\x00", "")[:300]


def test_empty_names_are_refused(engine):
    with pytest.raises(SavedViewError, match="needs a name"):
        save_view(engine, "   ", "", {})
    assert names(engine) == []


def test_params_of_a_row_written_by_another_program_are_read_as_far_as_they_make_sense(engine):
    view, _ = save_view(engine, "V", "deals", {})
    for raw, expected in [
        ("not json", {}),
        ("[1, 2]", {}),
        ('{"q": "one", "type": ["a", 3, "b"], "n": 5}', {"q": ("one",), "type": ("a", "b")}),
    ]:
        with engine.begin() as conn:
            conn.execute(text("UPDATE saved_views SET params_json = :raw"), {"raw": raw})
        assert get_view(engine, view.id).params == expected


def test_view_params_caps_what_it_keeps():
    many = {f"p{i}": [str(v) for v in range(500)] for i in range(100)}
    kept = view_params(many)
    assert len(kept) == 40 and all(len(values) == 200 for values in kept.values())
