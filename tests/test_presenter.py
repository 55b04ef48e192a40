"""Presenter mode a presenter can drive (issue 12, points 11 and 14), by AppTest:
the pages stay reachable in a bar at the top, every page says what it is filtered
to, and the downloaded network says what it shows. What only a browser can prove
(the bar on screen, label sizes on the drawn canvas) is in tests/test_browser.py."""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from atlas.describe import filters_line
from atlas.highlight import markdown_text
from atlas.query import DealFilters
from tests.conftest import ROOT

PAGES = [
    "views/overview.py",
    "views/timeline.py",
    "views/countries.py",
    "views/network.py",
    "views/companies.py",
    "views/articles.py",
    "views/deals.py",
]


@pytest.fixture
def navigation_positions(monkeypatch) -> list[str]:
    """Where each run of app.py put the page navigation (st.navigation's
    ``position``), recorded on the way to the real st.navigation."""
    positions: list[str] = []
    real = st.navigation

    def recording(pages, **kwargs):
        positions.append(kwargs.get("position", "sidebar"))
        return real(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    return positions


def open_app(page: str | None = None, **query: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    return at.run()


def filter_lines(at: AppTest) -> list[str]:
    return [
        c.value
        for c in at.caption
        if c.value.startswith(":material/filter_alt:")
        and ("Filtered to" in c.value or "All deals" in c.value)
    ]


def test_presenting_keeps_the_pages_in_a_bar_at_the_top(app_env, navigation_positions):
    at = open_app()
    assert navigation_positions[-1] == "sidebar"
    at.toggle(key="presenter_mode").set_value(True).run()
    assert not at.exception
    assert navigation_positions[-1] == "top"
    # The presenter changes page without leaving the mode.
    at.switch_page("views/network.py").run()
    assert not at.exception
    assert navigation_positions[-1] == "top"
    assert at.title[0].value == "Network"
    assert at.toggle(key="presenter_mode").value is True
    at.button(key="presenter_leave").click().run()
    assert navigation_positions[-1] == "sidebar"


def test_presenter_css_keeps_the_header_that_holds_the_navigation():
    from components.filters import PRESENTER_CSS

    # The top navigation lives in stHeader: hiding it (as before) hid the pages too.
    assert '[data-testid="stHeader"]' not in PRESENTER_CSS
    assert '[data-testid="stSidebar"] { display: none' not in PRESENTER_CSS


@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_what_it_is_filtered_to_when_presenting(app_env, page):
    at = open_app(page, present="1")
    assert not at.exception
    assert filter_lines(at) == [":material/filter_alt: All deals"]
    at = open_app(page, present="1", type="licensing", country="Japan")
    assert not at.exception
    expected = filters_line(DealFilters(types=("licensing",), countries=("Japan",)))
    assert expected == "Filtered to: deal type licensing; country Japan"
    assert filter_lines(at) == [f":material/filter_alt: {markdown_text(expected)}"]


def test_the_line_follows_the_sidebar_and_is_escaped(app_env):
    at = open_app(present="1")
    hostile = next(o for o in at.multiselect(key="filter_organisations").options if "alert" in o)
    at.multiselect(key="filter_organisations").set_value([hostile])
    at.date_input(key="filter_date_from").set_value(date(2020, 1, 1)).run()
    assert not at.exception
    (line,) = filter_lines(at)
    assert "from 2020\\-01\\-01" in line
    # The seeded store's hostile organisation ("alert(1)>Bio Therapeutics") is text.
    assert hostile not in line and markdown_text(hostile) in line and "&gt;" in line


def test_without_presenter_mode_the_line_shows_only_when_something_is_filtered(app_env):
    assert filter_lines(open_app()) == []
    assert filter_lines(open_app(type="licensing")) == [
        ":material/filter_alt: Filtered to\\: deal type licensing"
    ]
