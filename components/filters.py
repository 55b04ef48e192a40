"""The shared sidebar: filters every page applies, mirrored in the URL, and presenter mode.

Widget values live in ``st.session_state`` under namespaced keys (``filter_*``),
so they survive page switches; they are copied into ``st.query_params`` so a
copied URL reopens the same view, and read back from there on a fresh session.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from atlas.describe import filter_parts, filters_line, money_label
from atlas.filter_url import (
    BETWEEN_KEYS,
    MULTI_KEYS,
    PRESENTER_KEY,
    VALUE_STEPS,
    filter_params,
    restored_state,
    url_changes,
)
from atlas.models import DEAL_TYPES
from atlas.query import DealFilters
from atlas.safe_text import markdown_text

# The date boxes accept any date from here, or from the earliest deal when that is
# older (Streamlit's default bounds are ten years either side of today: a typed 1990
# turned the box red and the filter was silently ignored).
EARLIEST_DATE = date(1900, 1, 1)


def date_limits(span: tuple[str, str] | None, *chosen: date | None) -> tuple[date, date]:
    """Lowest and highest date the From/To boxes accept: 1900 (or the earliest deal's
    year, when older) to ten years ahead (or the latest deal's year, when later).
    ``chosen`` dates (restored from a link) widen them, so a shared view never opens
    on a refused date."""
    today = date.today()
    lowest, highest = EARLIEST_DATE, date(today.year + 10, 12, 31)
    if span:
        first, last = (str(value)[:4] for value in span)
        if first.isdigit() and int(first) >= 1:
            lowest = min(lowest, date(int(first), 1, 1))
        if last.isdigit():
            highest = max(highest, date(min(int(last), 9998), 12, 31))
    for value in chosen:
        if isinstance(value, date):
            lowest, highest = min(lowest, value), max(highest, value)
    return lowest, highest


def _query_params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def _restore_from_url(choices: dict[str, list[str]]) -> None:
    """On a fresh session, seed widget state from the URL (ignoring unknown values)."""
    if st.session_state.get("_filters_restored"):
        return
    for key, value in restored_state(_query_params(), choices).items():
        st.session_state[key] = value
    st.session_state["_filters_restored"] = True


# The filter widgets' keys, besides MULTI_KEYS and BETWEEN_KEYS.
SINGLE_KEYS = (
    "filter_date_from",
    "filter_date_to",
    "filter_include_undated",
    "filter_min_confidence",
    "filter_min_value",
)


def reload_view_from_url() -> None:
    """Make the next run take the filters and every page's own controls from the URL
    again, as a fresh session does, so a link opened within the session (a saved
    view, ``components/saved_views.py``) replaces what is on screen: a value the
    link leaves out falls back to its default. Presenter mode stays as it is."""
    for key in (*MULTI_KEYS, *BETWEEN_KEYS, *SINGLE_KEYS):
        st.session_state.pop(key, None)
    st.session_state.pop("_filters_restored", None)
    # components.urlstate marks each page control it restored with this flag.
    for flag in [k for k in st.session_state if str(k).startswith("_url_restored_")]:
        del st.session_state[flag]
        st.session_state.pop(flag.removeprefix("_url_restored_"), None)


def _write_to_url(filters: DealFilters, presenter: bool) -> None:
    chosen = {key: st.session_state.get(key) or [] for key in MULTI_KEYS}
    wanted = filter_params(filters, chosen, presenter=presenter)
    removed, changed = url_changes(_query_params(), wanted)
    for name in removed:
        del st.query_params[name]
    for name, value in changed.items():
        st.query_params[name] = value


def sidebar(choices: dict) -> DealFilters:
    """Draw the shared filters and return them; pages read them with ``current()``.

    ``choices``: the values of ``atlas.query.options`` plus ``date_span``, the
    first and last deal date (or None)."""
    choices = dict(choices)
    choices["types"] = [t for t in DEAL_TYPES if t in set(choices["types"])] or list(DEAL_TYPES)
    _restore_from_url(choices)
    # Defaults go into session state (not widget arguments) so URL-restored values
    # and widget defaults never conflict.
    for key, default in (
        ("filter_date_from", None),
        ("filter_date_to", None),
        ("filter_include_undated", False),
        ("filter_min_confidence", 0.0),
        ("filter_min_value", 0),
        ("filter_countries_between", False),
        ("filter_organisations_between", False),
        (PRESENTER_KEY, False),
    ):
        st.session_state.setdefault(key, default)
    for key in MULTI_KEYS:
        allowed = set(choices[key.removeprefix("filter_")])
        st.session_state[key] = [v for v in st.session_state.get(key) or [] if v in allowed]
    with st.sidebar:
        st.toggle(
            "Presenter mode", key=PRESENTER_KEY, help="Large type, no chrome, for a projector"
        )
        st.subheader("Filters")
        lowest, highest = date_limits(
            choices.get("date_span"),
            st.session_state.get("filter_date_from"),
            st.session_state.get("filter_date_to"),
        )
        st.date_input(
            "From", key="filter_date_from", format="YYYY-MM-DD", min_value=lowest, max_value=highest
        )
        st.date_input(
            "To", key="filter_date_to", format="YYYY-MM-DD", min_value=lowest, max_value=highest
        )
        ranged = bool(
            st.session_state.get("filter_date_from") or st.session_state.get("filter_date_to")
        )
        st.checkbox(
            "Include undated deals",
            key="filter_include_undated",
            disabled=not ranged,
            help="With a date range set, deals of unknown date are left out unless this is "
            "ticked. With no range, every deal counts.",
        )
        st.multiselect("Deal types", choices["types"], key="filter_types", placeholder="All types")
        st.multiselect(
            "Countries", choices["countries"], key="filter_countries", placeholder="All countries"
        )
        _between_switch("filter_countries_between", "countries")
        st.multiselect(
            "Therapeutic areas / modalities",
            choices["areas"],
            key="filter_areas",
            placeholder="All areas",
        )
        st.multiselect(
            "Organisations",
            choices["organisations"],
            key="filter_organisations",
            placeholder="Type to search",
        )
        _between_switch("filter_organisations_between", "organisations")
        st.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="filter_min_confidence")
        st.select_slider(
            "Disclosed value at least",
            options=VALUE_STEPS,
            key="filter_min_value",
            format_func=money_label,
            help="In US dollars at the deal's date: the total value, or upfront plus "
            "milestones. Above Any, deals that disclose no value are left out.",
        )
        if choices.get("date_span"):
            first, last = choices["date_span"]
            st.caption(f"Deals dated {markdown_text(first)} to {markdown_text(last)}")
    date_from = st.session_state.get("filter_date_from")
    date_to = st.session_state.get("filter_date_to")
    filters = DealFilters(
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
        include_undated=bool(st.session_state.get("filter_include_undated")),
        types=tuple(st.session_state.get("filter_types") or ()),
        countries=tuple(st.session_state.get("filter_countries") or ()),
        areas=tuple(st.session_state.get("filter_areas") or ()),
        organisations=tuple(st.session_state.get("filter_organisations") or ()),
        min_confidence=float(st.session_state.get("filter_min_confidence") or 0.0),
        min_value_usd=float(st.session_state.get("filter_min_value") or 0),
        countries_between=_between("filter_countries_between"),
        organisations_between=_between("filter_organisations_between"),
    )
    st.session_state["atlas_filters"] = filters
    _write_to_url(filters, bool(st.session_state.get(PRESENTER_KEY)))
    return filters


def _between(key: str) -> bool:
    """Is the "between" switch ``key`` on, with at least two choices to be between?"""
    select = BETWEEN_KEYS[key][0]
    return bool(st.session_state.get(key)) and len(st.session_state.get(select) or ()) > 1


def _between_switch(key: str, what: str) -> None:
    """Under a multiselect: the switch from "any of these" to "deals between them",
    shown once two or more are chosen."""
    if len(st.session_state.get(BETWEEN_KEYS[key][0]) or ()) > 1:
        st.toggle(
            f"Only deals between these {what}",
            key=key,
            help=(
                "On: deals whose parties are based in every chosen country (a Japan–South "
                "Korea deal for Japan and South Korea). Off: deals involving any of them."
                if what == "countries"
                else "On: deals to which every chosen organisation is a party. Off: deals "
                "of any of them."
            ),
        )


def current() -> DealFilters:
    return st.session_state.get("atlas_filters") or DealFilters()


def presenter_mode() -> bool:
    return bool(st.session_state.get(PRESENTER_KEY))


def presenter_requested() -> bool:
    """Presenter mode as known before the sidebar is drawn (for the page config and
    the navigation): the toggle's state, or on a fresh session the link's
    ``?present=1``. The toggle wins: leaving the mode must not wait for the URL."""
    if PRESENTER_KEY in st.session_state:
        return bool(st.session_state[PRESENTER_KEY])
    return st.query_params.get("present") == "1"


PRESENTER_CSS = """
<style>
  html, body, [data-testid="stAppViewContainer"] { font-size: 20px; }
  /* The header stays: it holds the page navigation (st.navigation at the top) and the
     button that opens the filters; the menu, deploy button and status go. */
  [data-testid="stToolbarActions"], [data-testid="stMainMenu"], [data-testid="stAppDeployButton"],
  [data-testid="stDecoration"], footer { display: none; }
  .block-container { padding-top: 4rem; max-width: 100%; }
  /* "Leave presenter mode" sits in the header's right end, where the menu was. */
  .st-key-presenter_leave { position: fixed; top: 0.55rem; right: 1.5rem; z-index: 999991;
                            width: auto !important; }
  [data-testid="stCaptionContainer"] { color: #31333F; }
  h1 { font-size: 2.6rem !important; }
  [data-testid="stMetricValue"] { font-size: 3rem; }
  [data-testid="stAppViewContainer"] { background: #ffffff; color: #000000; }
</style>
"""


def apply_presenter_style() -> None:
    """Large type, chrome hidden, high contrast (static CSS, no user text); the page
    navigation stays at the top and the filters in a collapsed sidebar."""
    if presenter_mode():
        st.html(PRESENTER_CSS)
        st.button("Leave presenter mode", key="presenter_leave", on_click=_leave_presenter_mode)


def _leave_presenter_mode() -> None:
    # A callback runs before the script, when the toggle's state may still change.
    st.session_state[PRESENTER_KEY] = False


def show_active_filters() -> None:
    """The line under a page's title saying what its numbers are filtered to
    ("Filtered to: deal type licensing; countries Japan, South Korea"), escaped.
    Presenting it is always there ("All deals" when nothing is filtered): the
    audience does not see the sidebar."""
    active = current()
    if not presenter_mode() and not filter_parts(active):
        return
    st.caption(f":material/filter_alt: {markdown_text(filters_line(active))}")
