"""AppTest of the Timeline and Countries pages on the seeded and the empty store."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from atlas.query import DealFilters
from tests.conftest import ROOT

TIMELINE = str(ROOT / "views" / "timeline.py")
COUNTRIES = str(ROOT / "views" / "countries.py")
KISED = "Korea Institute of Startup and Entrepreneurship Development"


def run_page(path: str, filters: DealFilters | None = None) -> AppTest:
    at = AppTest.from_file(path, default_timeout=60)
    if filters is not None:
        at.session_state["atlas_filters"] = filters
    at.run()
    return at


def frame_with(at: AppTest, column: str):
    """The first table shown with ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return "\n".join(parts)


@pytest.mark.parametrize("page", [TIMELINE, COUNTRIES])
def test_empty_store_says_so(empty_app_env, page):
    at = run_page(page)
    assert not at.exception
    assert any("empty" in info.value for info in at.info)
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("page", [TIMELINE, COUNTRIES])
def test_filters_that_leave_nothing_say_so(app_env, page):
    at = run_page(page, DealFilters(organisations=("Nobody at all",)))
    assert not at.exception
    assert any("No deals match" in w.value for w in at.warning)


@pytest.mark.parametrize("page", [TIMELINE, COUNTRIES])
def test_hostile_text_is_never_markdown(app_env, page):
    at = run_page(page)
    assert not at.exception
    assert "<img" not in all_text(at) and "<script" not in all_text(at)


def test_timeline_draws_charts_and_lists_undated_digest_deals(app_env):
    at = run_page(TIMELINE)
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Swimlanes", "Undated deals"]
    assert len(at.get("plotly_chart")) == 3  # timeline, counts per period, swimlanes
    undated = frame_with(at, "Parties")
    listed = set(undated["Parties"])
    # the digest article has no date: its deals are listed, never placed on the axis
    for parties in (
        "Asahi Kasei + Sawai Pharmaceutical",
        "Itochu + AND Pharma",
        "Mochida Pharmaceutical + AND Pharma",
        "Alvotech + Fuji Pharma",
        "Sawai Pharmaceutical + Nichi-Iko Pharmaceutical",
    ):
        assert parties in listed
    # undated, or known only as history in an article of a date ("before Apr 2025")
    assert all(d == "undated" or d.startswith("before ") for d in undated["Date"])
    assert "Astellas Pharma + Japanese Foundation for Cancer Research" not in listed


@pytest.mark.parametrize("period", ["quarter", "year", "month"])
def test_changing_the_period_redraws(app_env, period):
    at = run_page(TIMELINE)
    at.radio(key="timeline_period").set_value(period).run()
    assert not at.exception
    assert at.radio(key="timeline_period").value == period
    assert len(at.get("plotly_chart")) == 3


def test_swimlanes_default_to_the_most_active_and_can_be_changed(app_env):
    at = run_page(TIMELINE)
    lanes = at.multiselect(key="timeline_swimlanes")
    assert lanes.value[0] == "Astellas Pharma"
    assert 1 <= len(lanes.value) <= 5
    lanes.set_value([KISED]).run()
    assert not at.exception
    assert at.multiselect(key="timeline_swimlanes").value == [KISED]
    at.multiselect(key="timeline_swimlanes").set_value([]).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2
    assert any("Choose organisations" in c.value for c in at.caption)


def test_a_crowded_swimlane_draws_its_latest_deals_and_says_so(app_env, monkeypatch):
    import atlas.figures.timeline

    monkeypatch.setattr(atlas.figures.timeline, "MAX_LANE_DEALS", 1)
    at = run_page(TIMELINE)
    at.multiselect(key="timeline_swimlanes").set_value(["Astellas Pharma"]).run()
    assert not at.exception
    lanes = at.get("plotly_chart")[2].proto.spec
    assert lanes.count('"customdata"') == 1  # one trace, one deal
    assert any(
        "Each lane draws its latest 1 deals; Astellas Pharma has more" in c.value
        for c in at.caption
    )


def test_timeline_with_only_undated_deals_says_so(app_env):
    at = run_page(TIMELINE, DealFilters(organisations=("Alvotech",)))
    assert not at.exception
    assert any("known date" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    assert list(frame_with(at, "Parties")["Parties"]) == ["Alvotech + Fuji Pharma"]


def test_countries_lists_the_seed_countries(app_env):
    at = run_page(COUNTRIES)
    assert not at.exception
    counts = frame_with(at, "Country")
    assert {"Japan", "South Korea", "Taiwan", "Iceland"} <= set(counts["Country"])
    assert counts.iloc[0]["Country"] == "Japan"
    focus = at.selectbox(key="countries_focus")
    assert {"Japan", "South Korea", "Taiwan", "Iceland"} <= set(focus.options)
    assert focus.value == "Japan"
    assert len(at.get("plotly_chart")) == 3  # deals by country, matrix, sankey


def test_selecting_south_korea_lists_kised(app_env):
    at = run_page(COUNTRIES)
    at.selectbox(key="countries_focus").select("South Korea").run()
    assert not at.exception
    assert list(frame_with(at, "Organisation")["Organisation"]) == [KISED]
    deals = frame_with(at, "Parties")
    assert list(deals["Parties"]) == [f"Astellas Pharma + {KISED}"]


def test_selecting_taiwan_lists_mycenax_and_the_alliance(app_env):
    at = run_page(COUNTRIES)
    at.selectbox(key="countries_focus").select("Taiwan").run()
    assert not at.exception
    assert "Mycenax Biotech" in set(frame_with(at, "Organisation")["Organisation"])
    assert any("Mycenax" in p for p in frame_with(at, "Parties")["Parties"])


def test_focus_survives_a_filter_that_removes_it(app_env):
    at = run_page(COUNTRIES)
    at.selectbox(key="countries_focus").select("Iceland").run()
    at.session_state["atlas_filters"] = DealFilters(organisations=(KISED,))
    at.run()
    assert not at.exception
    assert at.selectbox(key="countries_focus").value in {"Japan", "South Korea"}


def test_a_matrix_cell_opens_the_deals_between_two_countries(app_env):
    at = run_page(COUNTRIES)
    at.selectbox(key="countries_pair_a").select("Japan").run()
    at.selectbox(key="countries_pair_b").select("South Korea").run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if d.key == "countries_pair_deals")
    assert list(shown["Parties"]) == [f"Astellas Pharma + {KISED}"]
    assert any(
        "1 deal between parties based in Japan and South Korea" in c.value for c in at.caption
    )
