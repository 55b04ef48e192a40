"""AppTest over the whole app: every page on a seeded and an empty store, the shared
filters, presenter mode, and filters restored from the URL."""

from __future__ import annotations

import ast
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def app_pages() -> list[str]:
    """The page scripts of app.py's navigation, in its order: read from its ``st.Page``
    calls, so a page added there is run here too."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "Page"
    ]
    return [call.args[0].value for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset))]


ALL_PAGES = app_pages()
# The pages that show the store's deals; the other two add to it and correct it.
PAGES = [p for p in ALL_PAGES if p not in ("views/add_articles.py", "views/corrections.py")]


def open_app(page: str | None = None, **query: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def as_list(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_the_page_list_is_the_apps():
    assert len(ALL_PAGES) == 9 and ALL_PAGES[0] == "views/overview.py"
    assert all((ROOT / page).is_file() for page in ALL_PAGES)


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_runs_on_the_seeded_store(app_env, page):
    at = open_app(page)
    assert not at.exception, at.exception


@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_the_store_is_empty(empty_app_env, page):
    at = open_app(page)
    assert not at.exception
    assert any("store is empty" in info.value for info in at.info)


def test_overview_counts_the_seed_deals(app_env):
    at = open_app()
    assert metric(at, "Articles") == "4"
    # 14 seed deals + the hostile article's licence; the joint venture two seed articles
    # report is one deal
    assert metric(at, "Deals") == "14"


def test_a_filter_narrows_every_page(app_env):
    at = open_app()
    at.multiselect(key="filter_types").set_value(["joint venture"]).run()
    assert metric(at, "Deals") == "1"  # Astellas–Yaskawa: two seed articles, one deal
    assert metric(at, "Articles") == "2"  # the articles reporting the matching deals
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, page
        assert at.multiselect(key="filter_types").value == ["joint venture"], (
            f"filter lost on {page}"
        )
    at.switch_page("views/deals.py").run()
    shown = at.dataframe[0].value
    assert set(shown["Type"]) == {"joint venture"}


def test_filters_are_mirrored_in_the_url(app_env):
    at = open_app()
    at.multiselect(key="filter_countries").set_value(["Taiwan"]).run()
    assert as_list(at.query_params["country"]) == ["Taiwan"]
    assert metric(at, "Deals") == "1"  # the four-party biosimilar alliance


def test_url_restores_filters(app_env):
    at = open_app(type="equity investment/stake", conf="0.5")
    assert at.multiselect(key="filter_types").value == ["equity investment/stake"]
    assert at.slider(key="filter_min_confidence").value == 0.5
    assert metric(at, "Deals") == "2"  # Itochu and Mochida, each in AND Pharma


def test_url_with_unknown_values_is_ignored(app_env):
    at = open_app(type=["no such type", "<script>"], conf="lots", to="not-a-date")
    assert not at.exception
    assert at.multiselect(key="filter_types").value == []


def test_a_date_range_leaves_out_undated_deals_and_says_so(app_env):
    """Oct-Dec 2025 counted every undated deal as if it happened then; a range now
    keeps only dated deals, says how many undated ones it leaves out, and one click
    brings them back (kept in the URL)."""
    at = open_app()
    total = int(metric(at, "Deals"))
    # Older than Streamlit's default ten-year bound, so the box must accept it.
    at.date_input(key="filter_date_from").set_value(date(1990, 1, 1)).run()
    assert at.date_input(key="filter_date_from").min <= date(1990, 1, 1)
    ranged = int(metric(at, "Deals"))
    notice = [c.value for c in at.caption if "undated deal" in c.value and "not shown" in c.value]
    assert notice, "no line says undated deals are left out"
    hidden = int(notice[0].split()[0])
    assert hidden > 0 and ranged + hidden == total
    at.button(key="undated_include").click().run()
    assert int(metric(at, "Deals")) == total
    assert as_list(at.query_params["undated"]) == ["1"]
    assert not [c.value for c in at.caption if "not shown" in c.value]


def test_value_filter_from_the_url_leaves_out_deals_without_a_disclosed_value(app_env):
    at = open_app()
    total = int(metric(at, "Deals"))
    at = open_app(value="100000000")
    assert at.select_slider(key="filter_min_value").value == 1e8
    assert as_list(at.query_params["value"]) == ["1e+08"]
    shown = [m for m in at.metric if m.label == "Deals"]
    # the seed articles state stakes but no dollar value of $100M or more
    assert (int(shown[0].value) if shown else 0) < total
    at = open_app(value="12345")  # not one of the steps: ignored
    assert at.select_slider(key="filter_min_value").value == 0


def test_deals_between_two_countries_from_the_url(app_env):
    at = open_app(country=["Japan", "South Korea"], country_match="between")
    assert at.toggle(key="filter_countries_between").value is True
    assert metric(at, "Deals") == "1"  # Astellas (Japan) with KISED (South Korea)
    at.toggle(key="filter_countries_between").set_value(False).run()
    assert int(metric(at, "Deals")) > 1  # any deal naming either country
    assert "country_match" not in at.query_params


def test_date_limits_reach_the_data():
    from components.filters import date_limits

    lowest, highest = date_limits(("1887-05", "2091"))
    assert lowest == date(1887, 1, 1) and highest == date(2091, 12, 31)
    lowest, _ = date_limits(None, date(1875, 3, 1))  # a linked date widens them
    assert lowest == date(1875, 3, 1)
    assert date_limits(None)[0] == date(1900, 1, 1)


def test_presenter_mode(app_env):
    at = open_app()
    at.toggle(key="presenter_mode").set_value(True).run()
    assert not at.exception
    assert as_list(at.query_params["present"]) == ["1"]
    assert any("font-size" in element.proto.body for element in at.get("html"))
    at.button(key="presenter_leave").click().run()
    assert "present" not in at.query_params


def test_presenter_mode_from_the_url(app_env):
    at = open_app(present="1")
    assert at.toggle(key="presenter_mode").value is True


def _page_with(page: str, **query: str) -> AppTest:
    """``page`` opened fresh from a link carrying ``query``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    return at


def test_page_controls_are_kept_in_the_url_and_restored_from_it(app_env):
    at = _page_with("views/deals.py")
    at.text_input(key="deals_search").input("Yaskawa").run()
    assert as_list(at.query_params["q"]) == ["Yaskawa"]
    at = _page_with("views/deals.py", q="Yaskawa")
    assert at.text_input(key="deals_search").value == "Yaskawa"
    assert len(at.dataframe[0].value) == 1

    at = _page_with("views/timeline.py", period="year")
    assert at.radio(key="timeline_period").value == "year"
    at.radio(key="timeline_period").set_value("quarter").run()
    assert as_list(at.query_params["period"]) == ["quarter"]
    assert _page_with("views/timeline.py", period="decade").radio(key="timeline_period").value == (
        "month"
    )  # not a period: ignored

    at = _page_with(
        "views/network.py", focus="Astellas Pharma", a="Astellas Pharma", b="No Such Co"
    )
    assert at.selectbox(key="network_focus").value == "Astellas Pharma"
    assert at.selectbox(key="network_pair_a").value == "Astellas Pharma"
    assert at.selectbox(key="network_pair_b").value is None  # no such party: ignored
    at.selectbox(key="network_pair_b").select("Yaskawa Electric").run()
    assert as_list(at.query_params["b"]) == ["Yaskawa Electric"]

    at = _page_with("views/articles.py", q="Astellas", digest="1")
    assert at.text_input(key="articles_search").value == "Astellas"
    assert at.checkbox(key="articles_digest_only").value is True
