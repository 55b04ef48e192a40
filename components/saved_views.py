"""Saved views in the sidebar, and next/previous through them in presenter mode.

A saved view is the page and its link's parameters (``atlas/saved_views.py``), kept
in the store so a team server shares them. In the sidebar: "Save this view" under
a name, and the running order, each view opened with one click, moved up or down,
renamed or deleted. In presenter mode, a compact bar at the top of the page steps
through them: previous, where this view stands and its name, next (also PageUp and
PageDown, the keys a presentation clicker sends).

Saving, moving, renaming and deleting are edits: disabled while editing is locked,
and refused again by ``editing.require()`` where the write happens. Opening a view
is reading, for anyone. Names are untrusted: escaped for every markdown label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.navigation.page import StreamlitPage

from atlas.safe_text import markdown_text
from atlas.saved_views import (
    MAX_NAME_LENGTH,
    SavedView,
    SavedViewError,
    delete_view,
    list_views,
    move_view,
    position_of,
    rename_view,
    save_view,
    step_from,
    view_params,
)
from atlas.store import describe_error
from components import data, editing, filters

# The id of the saved view this session opened last: where next and previous start.
CURRENT_KEY = "saved_views_current"
# A note for the run after a switch or an edit (a toast would be lost with the rerun).
_NOTE_KEY = "_saved_views_note"


def render(pages: Sequence[StreamlitPage], page: StreamlitPage) -> None:
    """The saved views for this run: the sidebar section on every page, and in
    presenter mode the next/previous bar at the top of the main area. ``pages``:
    the app's pages (a view names one by its URL path); ``page``: the one shown."""
    try:
        views = list_views(data.engine())
    except SQLAlchemyError as error:  # a store gone since the run began: one line, no traceback
        st.sidebar.warning(f"Saved views cannot be read: {markdown_text(describe_error(error))}")
        return
    by_path = {p.url_path: p for p in pages}
    if note := st.session_state.pop(_NOTE_KEY, None):
        st.toast(note)
    if filters.presenter_mode():
        _stepper(views, by_path)
    with st.sidebar:
        _sidebar(views, by_path, page)


def _page_title(by_path: dict[str, StreamlitPage], path: str) -> str:
    found = by_path.get(path)
    return found.title if found is not None else "a page that no longer exists"


def open_view(view: SavedView, by_path: dict[str, StreamlitPage]) -> None:
    """Show ``view``: its page, with its filters and controls (stops this run)."""
    target = by_path.get(view.page)
    if target is None:
        st.warning(
            f"The saved view {markdown_text(view.name)} shows a page this version of "
            "Atlas does not have.",
            icon=":material/bookmark:",
        )
        return
    st.session_state[CURRENT_KEY] = view.id
    params = view.query_params()
    if filters.presenter_mode():
        params["present"] = ["1"]
    filters.reload_view_from_url()
    st.switch_page(target, query_params=params)


def _stepper(views: list[SavedView], by_path: dict[str, StreamlitPage]) -> None:
    """◀ Previous · 3/7 name · Next ▶, at the top of the page."""
    if not views:
        return
    current = st.session_state.get(CURRENT_KEY)
    index = position_of(views, current)
    previous, following = step_from(views, current, -1), step_from(views, current, +1)
    back, where, forward = st.columns([1, 5, 1], vertical_alignment="center")
    if back.button(
        "◀ Previous",
        key="saved_views_previous",
        disabled=previous is None,
        shortcut="PageUp",
        help=f"Open {markdown_text(previous.name)}" if previous else "This is the first view",
        width="stretch",
    ):
        open_view(previous, by_path)
    if index is None:
        where.markdown(
            f"**–/{len(views)}** · saved views: Next opens {markdown_text(views[0].name)}"
        )
    else:
        where.markdown(f"**{index + 1}/{len(views)}** · {markdown_text(views[index].name)}")
    if forward.button(
        "Next ▶",
        key="saved_views_next",
        disabled=following is None,
        shortcut="PageDown",
        help=f"Open {markdown_text(following.name)}" if following else "This is the last view",
        width="stretch",
    ):
        open_view(following, by_path)


def _sidebar(
    views: list[SavedView], by_path: dict[str, StreamlitPage], page: StreamlitPage
) -> None:
    st.divider()
    st.subheader("Saved views")
    may_edit = editing.allowed()
    with st.form("saved_views_save_form", clear_on_submit=True, border=False):
        name = st.text_input(
            "Name this view",
            key="saved_views_name",
            max_chars=MAX_NAME_LENGTH,
            placeholder="e.g. Licensing deals in 2025",
            help="Saves the page with its filters, search and focus; a name already "
            "used saves over that view.",
            disabled=not may_edit,
        )
        save = st.form_submit_button(
            "Save this view", icon=":material/bookmark_add:", disabled=not may_edit
        )
    if save:
        _save(name or "", page)
    if not views:
        st.caption("No saved views yet. Saved views are shared by everyone using this store.")
        return
    st.caption("The running order: presenter mode steps through it with Previous and Next.")
    current = st.session_state.get(CURRENT_KEY)
    for index, view in enumerate(views):
        _row(view, index, len(views), by_path, current=current, may_edit=may_edit)
    if may_edit:
        _rename_form(views)


def _row(
    view: SavedView,
    index: int,
    count: int,
    by_path: dict[str, StreamlitPage],
    *,
    current: int | None,
    may_edit: bool,
) -> None:
    """One view: open it (its number and name), move it up or down, delete it."""
    name, up, down, drop = st.columns([6, 1, 1, 1], gap="small", vertical_alignment="center")
    who = f", saved by {markdown_text(view.created_by)}" if view.created_by else ""
    if name.button(
        f"{index + 1}. {markdown_text(view.name)}",
        key=f"saved_views_open_{view.id}",
        type="primary" if view.id == current else "tertiary",
        help=f"Opens {markdown_text(_page_title(by_path, view.page))}{who}",
    ):
        open_view(view, by_path)
    if up.button(
        "",
        icon=":material/arrow_upward:",
        key=f"saved_views_up_{view.id}",
        disabled=not may_edit or index == 0,
        help="Earlier in the running order",
    ):
        _edit(lambda: move_view(data.engine(), view.id, -1), None)
    if down.button(
        "",
        icon=":material/arrow_downward:",
        key=f"saved_views_down_{view.id}",
        disabled=not may_edit or index == count - 1,
        help="Later in the running order",
    ):
        _edit(lambda: move_view(data.engine(), view.id, +1), None)
    if drop.button(
        "",
        icon=":material/delete:",
        key=f"saved_views_delete_{view.id}",
        disabled=not may_edit,
        help="Delete this saved view (for everyone using this store)",
    ):
        _edit(
            lambda: delete_view(data.engine(), view.id),
            f"Deleted the saved view {markdown_text(view.name)}",
        )


def _rename_form(views: list[SavedView]) -> None:
    with st.expander("Rename a saved view"):
        with st.form("saved_views_rename_form", clear_on_submit=True, border=False):
            names = {view.id: view.name for view in views}
            chosen = st.selectbox(
                "Saved view", list(names), format_func=names.get, key="saved_views_rename_which"
            )
            new_name = st.text_input(
                "New name", key="saved_views_rename_to", max_chars=MAX_NAME_LENGTH
            )
            rename = st.form_submit_button("Rename", icon=":material/edit:")
    if rename and chosen is not None:
        _edit(
            lambda: rename_view(data.engine(), chosen, new_name or ""),
            f"Renamed to {markdown_text(new_name or '')}",
        )


def _edit(change: Callable[[], object], note: str | None) -> None:
    """Make one change to the saved views (after ``editing.require()``) and show the
    list again; a refused change is one line."""
    editing.require()
    try:
        change()
    except SavedViewError as error:
        st.error(markdown_text(str(error)), icon=":material/bookmark:")
        return
    if note:
        st.session_state[_NOTE_KEY] = note
    st.rerun()


def _save(name: str, page: StreamlitPage) -> None:
    """Save the view on screen: this page and its link's parameters, which the
    filters and the page's controls keep up to date."""
    by = editing.require()
    params = view_params({key: st.query_params.get_all(key) for key in st.query_params})
    try:
        view, new = save_view(data.engine(), name, page.url_path, params, by=by)
    except SavedViewError as error:
        st.error(markdown_text(str(error)), icon=":material/bookmark:")
        return
    st.session_state[CURRENT_KEY] = view.id
    verb = "Saved" if new else "Saved over"
    st.session_state[_NOTE_KEY] = f"{verb} the view {markdown_text(view.name)}"
    st.rerun()
