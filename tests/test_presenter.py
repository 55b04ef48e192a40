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
from atlas.query import DealFilters
from atlas.safe_text import markdown_text
from tests.conftest import ROOT
from tests.test_app import PAGES


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


# --- the downloaded network (point 14) ----------------------------------------------------


@pytest.fixture
def downloads(monkeypatch) -> dict[str, dict]:
    """What each st.download_button offered, by key, recorded on the way to the real one."""
    offered: dict[str, dict] = {}
    real = st.download_button

    def recording(label, data=None, file_name=None, *args, **kwargs):
        offered[kwargs.get("key")] = {"data": data, "file_name": file_name}
        return real(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return offered


def test_the_network_download_says_what_it_shows_and_when(app_env, downloads):
    at = open_app("views/network.py", type=["licensing", "joint venture"])
    at.selectbox(key="network_focus").select("Astellas Pharma").run()
    assert not at.exception
    offered = downloads["network_download"]
    today = date.today()
    assert offered["file_name"] == f"partnership-atlas-network-astellas-pharma-{today}.html"
    page = offered["data"]
    assert '<header class="atlas-download-head"><h1>Astellas Pharma and its partners</h1>' in page
    assert "<p>Filtered to: deal types licensing, joint venture</p>" in page
    assert f"<p>Made {today.day} {today:%b %Y} with Partnership Atlas</p>" in page
    # The heading comes before the legend and the drawing, and the drawing is the page's.
    assert page.index("atlas-download-head") < page.index('class="atlas-legend"')
    assert "vis.Network" in page
    # The whole network is named as such.
    at.selectbox(key="network_focus").select("All organisations").run()
    assert downloads["network_download"]["file_name"] == (
        f"partnership-atlas-network-all-organisations-{today}.html"
    )
    assert (
        "<h1>Network of deals between organisations</h1>" in downloads["network_download"]["data"]
    )


def test_the_company_network_download_is_named_after_it_and_escaped(app_env, downloads):
    probe = open_app()
    hostile = next(o for o in probe.multiselect(key="filter_organisations").options if "alert" in o)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["company"] = hostile
    at.query_params["org"] = hostile
    at.switch_page("views/companies.py")
    at.run()
    assert not at.exception
    offered = downloads["companies_ego_download"]
    name = offered["file_name"]
    assert name.startswith("partnership-atlas-network-") and name.endswith(f"-{date.today()}.html")
    assert name.isascii() and "/" not in name and "<" not in name and ">" not in name
    heading = (
        offered["data"].split('<header class="atlas-download-head">', 1)[1].split("</header>")[0]
    )
    assert hostile not in heading and "&gt;" in heading
    assert "Filtered to: organisation" in heading
