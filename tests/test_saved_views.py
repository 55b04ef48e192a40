"""Saved views as a running order: the store functions on SQLite and a real
PostgreSQL server, then the app: save views on different pages, step through them
in presenter mode, and read-only while editing is locked."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from atlas import store
from atlas.safe_text import markdown_text
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
from tests.pg import (  # noqa: F401 - pytest fixtures used by name
    engine_on_each_backend,
    postgres_cluster,
)


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


# --- the app ------------------------------------------------------------------------------

SAVE = "FormSubmitter:saved_views_save_form-Save this view"


@pytest.fixture
def views_store(seeded_db_url, tmp_path, monkeypatch):
    """A copy of the seeded store this test may save views into, editing open."""
    import shutil

    import streamlit as st

    from components import data, editing

    target = tmp_path / "atlas.db"
    shutil.copy(seeded_db_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("ATLAS_DB_URL", url)
    monkeypatch.delenv(editing.PASSWORD_VARIABLE, raising=False)
    st.cache_data.clear()
    data.clear_caches()
    return url


def saved_in(url: str) -> list:
    engine = store.open_store(url)
    try:
        return list_views(engine)
    finally:
        engine.dispose()


def open_app():
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    return at.run()


def save_current_view(at, name: str):
    at.text_input(key="saved_views_name").input(name)
    at.button(key=SAVE).click().run()
    assert not at.exception, at.exception
    return at


def param(at, name: str) -> list[str]:
    """A query parameter's values as a list (AppTest gives one value as a string)."""
    value = at.query_params.get(name, [])
    return value if isinstance(value, list) else [value]


def stepper_label(at) -> str:
    return next(m.value for m in at.main.markdown if "/" in m.value and "**" in m.value)


def shown(at) -> tuple:
    """The page on screen (its title) and the filters and focus it shows."""
    focus = [s.value for s in at.selectbox if s.key == "network_focus"]
    return (
        at.title[0].value,
        at.multiselect(key="filter_types").value,
        at.multiselect(key="filter_countries").value,
        focus[0] if focus else None,
    )


def test_save_two_views_and_step_through_them_in_presenter_mode(views_store):
    at = open_app()
    # View 1: the Timeline of joint ventures, by year.
    at.switch_page("views/timeline.py").run()
    at.multiselect(key="filter_types").set_value(["joint venture"]).run()
    save_current_view(at, "Joint ventures <b>by</b> year")
    # View 2: the Network of Japanese deals, focused on one organisation.
    at.switch_page("views/network.py").run()
    at.multiselect(key="filter_types").set_value([]).run()
    at.multiselect(key="filter_countries").set_value(["Japan"]).run()
    focus = next(o for o in at.selectbox(key="network_focus").options if o.startswith("Astellas"))
    at.selectbox(key="network_focus").select(focus).run()
    save_current_view(at, "Japan network")
    assert not at.exception, at.exception
    # Both in the sidebar's running order, the names shown as text (escaped markup).
    listed = [b.label for b in at.sidebar.button if (b.key or "").startswith("saved_views_open_")]
    assert listed == [f"1. {markdown_text('Joint ventures <b>by</b> year')}", "2. Japan network"]
    assert "<b>" not in listed[0]

    # Somewhere else, with other filters: then presenter mode.
    at.switch_page("views/deals.py").run()
    at.multiselect(key="filter_countries").set_value([]).run()
    at.multiselect(key="filter_types").set_value(["licensing"]).run()
    at.toggle(key="presenter_mode").set_value(True).run()
    assert not at.exception, at.exception
    # The second view was the one last saved: next is disabled, previous opens the first.
    assert stepper_label(at).startswith("**2/2**")
    assert at.button(key="saved_views_next").disabled

    at.button(key="saved_views_previous").click().run()
    assert not at.exception, at.exception
    assert shown(at) == ("Timeline", ["joint venture"], [], None)
    assert stepper_label(at).startswith("**1/2**")
    assert at.button(key="saved_views_previous").disabled
    assert at.toggle(key="presenter_mode").value  # still presenting
    assert param(at, "type") == ["joint venture"] and param(at, "present") == ["1"]

    at.button(key="saved_views_next").click().run()
    assert not at.exception, at.exception
    assert shown(at) == ("Network", [], ["Japan"], focus)
    assert stepper_label(at) == "**2/2** · Japan network"
    assert param(at, "type") == [] and param(at, "focus") == [focus]

    at.button(key="saved_views_previous").click().run()
    assert shown(at) == ("Timeline", ["joint venture"], [], None)
    assert param(at, "focus") == param(at, "country") == []


def test_reordering_changes_what_next_opens(views_store):
    from atlas.saved_views import save_view

    engine = store.open_store(views_store)
    save_view(engine, "Deals", "deals", {"type": ["licensing"]})
    save_view(engine, "Countries", "countries", {"country": ["Japan"]})
    engine.dispose()
    at = open_app()
    [first, second] = saved_in(views_store)
    at.button(key=f"saved_views_down_{first.id}").click().run()
    assert not at.exception, at.exception
    listed = [b.label for b in at.sidebar.button if (b.key or "").startswith("saved_views_open_")]
    assert listed == ["1. Countries", "2. Deals"]
    at.toggle(key="presenter_mode").set_value(True).run()
    assert stepper_label(at).startswith("**–/2**")
    at.button(key="saved_views_next").click().run()
    assert shown(at) == ("Countries", [], ["Japan"], None)
    at.button(key="saved_views_next").click().run()
    assert shown(at) == ("Deals", ["licensing"], [], None)
    # Renamed in the sidebar (a name another view has is refused in one line).
    at.toggle(key="presenter_mode").set_value(False).run()
    at.selectbox(key="saved_views_rename_which").select(second.id)
    at.text_input(key="saved_views_rename_to").input("Deals")
    at.button(key="FormSubmitter:saved_views_rename_form-Rename").click().run()
    assert [e.value for e in at.sidebar.error] == [
        markdown_text("another saved view is already called 'Deals'")
    ]
    at.selectbox(key="saved_views_rename_which").select(second.id)
    at.text_input(key="saved_views_rename_to").input("Japan, by country")
    at.button(key="FormSubmitter:saved_views_rename_form-Rename").click().run()
    assert [v.name for v in saved_in(views_store)] == ["Japan, by country", "Deals"]
    # Saved again under an existing name: saved over, in its place.
    save_current_view(at, "Japan, by country")
    assert [(v.name, v.page) for v in saved_in(views_store)] == [
        ("Japan, by country", "deals"),
        ("Deals", "deals"),
    ]
    at.toggle(key="presenter_mode").set_value(True).run()
    # Deleted from the sidebar, and gone from the sequence.
    at.button(key=f"saved_views_delete_{second.id}").click().run()
    assert [v.name for v in saved_in(views_store)] == ["Deals"]
    # It was the view on screen (saved last): next starts from the first again.
    assert stepper_label(at) == "**–/1** · saved views: Next opens Deals"


def test_a_view_brings_back_each_pages_own_controls(views_store):
    """A page's search, selection and period come from the view, and a view that
    leaves one out shows its default, not what this session had typed."""
    from atlas.saved_views import save_view

    engine = store.open_store(views_store)
    ids = {
        name: save_view(engine, name, page, params)[0].id
        for name, page, params in [
            ("Searched", "deals", {"q": ["Yaskawa"]}),
            ("Plain deals", "deals", {}),
            ("Eisai", "companies", {"company": ["Eisai"]}),
            ("Yearly", "timeline", {"period": ["year"]}),
            ("Broken", "no-such-page", {}),
        ]
    }
    engine.dispose()
    at = open_app()
    at.switch_page("views/deals.py").run()
    at.text_input(key="deals_search").input("Mochida").run()
    at.button(key=f"saved_views_open_{ids['Searched']}").click().run()
    assert at.text_input(key="deals_search").value == "Yaskawa"
    at.button(key=f"saved_views_open_{ids['Plain deals']}").click().run()
    assert at.text_input(key="deals_search").value == ""
    at.button(key=f"saved_views_open_{ids['Eisai']}").click().run()
    assert at.selectbox(key="companies_organisation").value == "Eisai"
    at.button(key=f"saved_views_open_{ids['Yearly']}").click().run()
    assert at.radio(key="timeline_period").value == "year"
    # A view of a page this Atlas does not have: one line, the page stays. (AppTest
    # reruns the page it last switched to itself, not the one the app switched to.)
    at.switch_page("views/timeline.py").run()
    at.button(key=f"saved_views_open_{ids['Broken']}").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Timeline"
    assert any("does not have" in w.value for w in at.warning)


def test_saved_views_are_read_only_while_editing_is_locked(views_store, monkeypatch):
    from atlas.saved_views import save_view
    from components import editing

    engine = store.open_store(views_store)
    view, _ = save_view(engine, "Deals", "deals", {"type": ["licensing"]})
    save_view(engine, "Overview", "", {})
    monkeypatch.setenv(editing.PASSWORD_VARIABLE, "s3cret")
    at = open_app()
    edits = [
        SAVE,
        "saved_views_name",
        *(f"saved_views_{what}_{view.id}" for what in ("up", "down", "delete")),
    ]
    controls = {c.key: c for c in [*at.sidebar.button, *at.sidebar.text_input]}
    assert all(controls[key].disabled for key in edits)
    assert not [e for e in at.sidebar.expander if e.label == "Rename a saved view"]
    # Opening and stepping are reading: allowed.
    assert not controls[f"saved_views_open_{view.id}"].disabled
    at.button(key=f"saved_views_open_{view.id}").click().run()
    assert shown(at) == ("Deals", ["licensing"], [], None)
    at.toggle(key="presenter_mode").set_value(True).run()
    at.button(key="saved_views_next").click().run()
    assert shown(at) == ("Partnership Atlas", [], [], None)  # the Overview, no filter
    at.toggle(key="presenter_mode").set_value(False).run()

    def unlock(password: str) -> None:
        at.text_input(key="editing_name").input("Dana")
        at.text_input(key="editing_password").input(password)
        at.button(key="FormSubmitter:editing_unlock_form-Unlock editing").click().run()

    # Unlocked, the controls are live; a password changed on the server since makes
    # the next click write nothing.
    unlock("s3cret")
    assert not at.button(key=f"saved_views_delete_{view.id}").disabled
    monkeypatch.setenv(editing.PASSWORD_VARIABLE, "rotated")
    at.button(key=f"saved_views_delete_{view.id}").click().run()
    assert not at.exception, at.exception
    assert [v.name for v in list_views(engine)] == ["Deals", "Overview"]
    assert at.button(key=f"saved_views_delete_{view.id}").disabled
    assert at.text_input(key="editing_password")  # the unlock box is back
    # Unlocked again, saving works and records who saved.
    unlock("rotated")
    assert not at.text_input(key="saved_views_name").disabled
    save_current_view(at, "Dana's view")
    assert [(v.name, v.created_by) for v in list_views(engine)][-1] == ("Dana's view", "Dana")
    engine.dispose()


def _write_while_locked(db_url: str, view_id: int, calls: str) -> None:
    """A page script that calls the saved views' write paths directly, as a stale
    or forged click would reach them."""
    import os
    from types import SimpleNamespace

    from atlas.saved_views import delete_view
    from components import data, saved_views

    os.environ["ATLAS_DB_URL"] = db_url
    if calls == "save":
        saved_views._save("Forged", SimpleNamespace(url_path="deals"))
    else:
        saved_views._edit(lambda: delete_view(data.engine(), view_id), None)


@pytest.mark.parametrize("calls", ["save", "delete"])
def test_a_direct_call_of_a_write_path_while_locked_is_refused(views_store, monkeypatch, calls):
    from streamlit.testing.v1 import AppTest

    from atlas.saved_views import save_view
    from components import editing

    engine = store.open_store(views_store)
    view, _ = save_view(engine, "Kept", "deals", {})
    engine.dispose()
    monkeypatch.setenv(editing.PASSWORD_VARIABLE, "s3cret")
    at = AppTest.from_function(_write_while_locked, args=(views_store, view.id, calls)).run()
    assert not at.exception
    assert [e.value for e in at.error] == [editing.LOCKED_NOTE]
    assert [v.name for v in saved_in(views_store)] == ["Kept"]


# --- a real browser -----------------------------------------------------------------------


@pytest.mark.browser
def test_a_presenter_steps_through_saved_views_in_a_browser(views_store):
    """Next, PageDown and PageUp at 1920x1080 in presenter mode: the address, the
    title and the filter chips follow the running order, nothing leaves localhost."""
    from pathlib import Path

    from atlas.saved_views import save_view
    from tests.browser_support import CHROMIUM
    from tests.test_browser import SCREENSHOTS, Watch, streamlit_server

    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    engine = store.open_store(views_store)
    save_view(engine, "Joint ventures", "timeline", {"type": ["joint venture"]})
    save_view(engine, "Japan <i>network</i>", "network", {"country": ["Japan"]})
    engine.dispose()

    def settled(page) -> None:
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
        )
        page.wait_for_timeout(1500)

    def chosen(page) -> list[str]:
        """What the sidebar's multiselects show (types, countries, areas, organisations)."""
        boxes = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
        return [" ".join(text.split()) for text in boxes.all_inner_texts()]

    from tests.browser_support import CHROMIUM_ARGS

    with streamlit_server(views_store) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        watch = Watch(page)
        try:
            page.goto(f"{url}/deals?present=1&type=licensing")
            page.wait_for_selector("h1", timeout=90_000)
            settled(page)
            assert "–/2" in page.get_by_text("saved views: Next opens").inner_text()
            page.get_by_role("button", name="Next ▶").click()
            page.wait_for_url("**/timeline?*", timeout=60_000)
            settled(page)
            assert page.locator("h1").first.inner_text() == "Timeline"
            assert "type=joint+venture" in page.url and "present=1" in page.url
            assert page.get_by_text("1/2").count() >= 1
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "saved_views_presenter_1.png"))
            page.keyboard.press("PageDown")  # a presentation clicker's "next"
            page.wait_for_url("**/network?*", timeout=60_000)
            settled(page)
            assert page.locator("h1").first.inner_text() == "Network"
            assert "country=Japan" in page.url and "type=" not in page.url
            assert page.get_by_text("Japan <i>network</i>").count() >= 1  # shown as text
            page.screenshot(path=str(SCREENSHOTS / "saved_views_presenter_2.png"))
            page.keyboard.press("PageUp")
            page.wait_for_url("**/timeline?*", timeout=60_000)
            settled(page)
            assert "country=" not in page.url and "type=joint+venture" in page.url
            # Out of presenter mode, the sidebar shows the same filters as chosen.
            page.get_by_role("button", name="Leave presenter mode").click()
            settled(page)
            if page.locator('[data-testid="stExpandSidebarButton"]').count():
                page.locator('[data-testid="stExpandSidebarButton"]').click()
                page.wait_for_timeout(500)
            page.locator('[data-testid="stSidebarContent"]').evaluate(
                "element => { element.scrollTop = element.scrollHeight; }"
            )
            page.wait_for_timeout(300)
            page.screenshot(path=str(SCREENSHOTS / "saved_views_sidebar.png"))
            assert chosen(page) == [
                "Deal types joint venture",
                "Countries",
                "Therapeutic areas / modalities",
                "Organisations",
            ], chosen(page)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert watch.outside_requests() == [] and watch.dialogs == [] and watch.errors == []
        finally:
            context.close()
            browser.close()
