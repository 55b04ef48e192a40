"""Unit tests of the timeline and country figure builders (no Streamlit)."""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest

from atlas.figures.countries import (
    across_borders_note,
    build_choropleth_figure,
    build_country_bars_figure,
    build_country_matrix_figure,
    build_country_sankey_figure,
    country_at,
    country_deals,
    country_organisations,
    cross_border_pairs,
    iso3,
    pair_matrix,
    sankey_links,
    unplaced_countries,
)
from atlas.figures.style import font_size, type_colour
from atlas.figures.timeline import (
    build_period_counts_figure,
    build_period_values_figure,
    build_swimlane_figure,
    build_timeline_figure,
    default_swimlanes,
    disclosed_count,
    hover_text,
    latest_per_lane,
    latest_rows,
    period_counts,
    period_values,
    precision_of,
    swimlane_rows,
    too_coarse_for,
    undated_deals,
)
from atlas.query import UNKNOWN_COUNTRY, deals_by_country, with_dates
from atlas.safe_text import plotly_text
from tests.conftest import ROOT

DAY_MS = 24 * 60 * 60 * 1000
HOSTILE = "<img/src=x/onerror=alert(1)>"


def deal(
    deal_id: int,
    parties: list[str],
    deal_type: str = "licensing",
    deal_date: str | None = None,
    *,
    party_countries: list | None = None,
    countries: list[str] | None = None,
    evidence: str = "They signed.",
) -> dict:
    """One row with the columns of ``store.deals_frame``."""
    precision = {0: "year", 1: "month", 2: "day"}[deal_date.count("-")] if deal_date else None
    return {
        "deal_id": deal_id,
        "parties": parties,
        "party_countries": party_countries
        if party_countries is not None
        else [None] * len(parties),
        "type": deal_type,
        "also_types": [],
        "deal_date": deal_date,
        "date_precision": precision,
        "date_source": "text" if deal_date else "none",
        "confidence": 0.9,
        "evidence": evidence,
        "therapeutic_areas": [],
        "countries": countries or [],
        "item_index": 0,
        "article_id": f"a{deal_id}",
        "article_title": f"Article {deal_id}",
        "article_file": f"{deal_id}.txt",
        "article_source": None,
    }


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


@pytest.fixture
def mixed() -> pd.DataFrame:
    return frame(
        deal(1, ["Astellas", "JFCR"], "partnership/collaboration", "2025-04"),
        deal(2, ["Astellas", "KISED"], "partnership/collaboration", "2025-12-19"),
        deal(3, ["Sawai", "Asahi Kasei"], "settlement/litigation", None),
        deal(4, ["Itochu", "AND Pharma"], "equity investment/stake", "2024"),
        deal(5, ["Astellas", "Yaskawa"], "joint venture", "2025-04"),
    )


def traces_for(figure, deal_type: str) -> list:
    return [t for t in figure.data if t.legendgroup == deal_type]


# --- timeline -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025", "year"),
        ("2025-04", "month"),
        ("2025-12-19", "day"),
        (None, None),
        (float("nan"), None),  # the store's undated rows come back as NaN, not None
        ("", None),
    ],
)
def test_precision_of(value, expected):
    assert precision_of(value) == expected


def test_month_precision_deal_spans_the_whole_month(mixed):
    figure = build_timeline_figure(mixed)
    bar = next(t for t in traces_for(figure, "partnership/collaboration") if t.type == "bar")
    assert list(bar.customdata) == [1]
    assert bar.base[0] == "2025-04-01"
    assert bar.x[0] == 30 * DAY_MS  # 1 April to the end of 30 April
    assert bar.orientation == "h"


def test_year_precision_deal_spans_the_whole_year(mixed):
    figure = build_timeline_figure(mixed)
    (bar,) = traces_for(figure, "equity investment/stake")
    assert bar.type == "bar"
    assert bar.base[0] == "2024-01-01"
    assert bar.x[0] == 366 * DAY_MS  # 2024 is a leap year


def test_day_precision_deal_is_a_marker_on_its_day(mixed):
    figure = build_timeline_figure(mixed)
    marker = next(t for t in traces_for(figure, "partnership/collaboration") if t.type == "scatter")
    assert list(marker.x) == ["2025-12-19"]
    assert marker.marker.symbol == "diamond"
    assert list(marker.customdata) == [2]


def test_timeline_leaves_out_undated_deals(mixed):
    figure = build_timeline_figure(mixed)
    drawn = {d for t in figure.data for d in t.customdata}
    assert drawn == {1, 2, 4, 5}
    assert list(undated_deals(mixed)["deal_id"]) == [3]


def test_timeline_colours_by_type(mixed):
    figure = build_timeline_figure(mixed)
    for trace in figure.data:
        assert trace.marker.color == type_colour(trace.legendgroup)
    legend = [t.name for t in figure.data if t.showlegend is not False]
    assert len(legend) == len(set(legend)) == 3  # one legend entry per type


def test_timeline_rows_are_earliest_first(mixed):
    figure = build_timeline_figure(mixed)
    assert list(figure.layout.yaxis.categoryarray) == [
        "Itochu + AND Pharma",
        "Astellas + JFCR",
        "Astellas + Yaskawa",
        "Astellas + KISED",
    ]


def test_hover_states_precision_and_escapes_untrusted_text():
    row = with_dates(
        frame(
            deal(
                1,
                [f"Evil{HOSTILE}Bio", "Eisai"],
                "licensing",
                "2025-04",
                evidence="x" * 500 + HOSTILE,
            )
        )
    ).iloc[0]
    text = hover_text(row)
    assert "Apr 2025 (month precision)" in text
    assert "<img" not in text and "&lt;img/src=x/onerror=alert(1)&gt;" in text
    evidence = text.split("<i>")[1].split("</i>")[0]
    assert len(evidence) <= 200 and evidence.endswith("…")


def test_hostile_names_never_reach_a_figure_unescaped():
    deals = frame(
        deal(1, [f"Evil{HOSTILE}Bio", "Eisai"], "licensing", "2025-12-19", evidence=HOSTILE)
    )
    for figure in (
        build_timeline_figure(deals),
        build_swimlane_figure(deals, [f"Evil{HOSTILE}Bio"]),
    ):
        assert "<img" not in figure.to_json()


def test_escaped_truncates_before_escaping():
    assert plotly_text("a<b", limit=2) == "a…"
    assert plotly_text(None) == ""


@pytest.mark.parametrize("builder", ["timeline", "swimlanes"])
def test_time_axis_of_deals_on_one_day_shows_days_not_times(builder):
    """Deals that share a day made plotly space ticks hours apart ("23:59:59.999"):
    the axis spans weeks around them and every tick format is a day, month or year."""
    same_day = frame(
        deal(1, ["Astellas", "JFCR"], "licensing", "2025-12-19"),
        deal(2, ["Astellas", "KISED"], "partnership/collaboration", "2025-12-19"),
    )
    figure = (
        build_timeline_figure(same_day)
        if builder == "timeline"
        else build_swimlane_figure(same_day, ["Astellas"])
    )
    axis = figure.layout.xaxis
    start, end = (pd.Timestamp(x) for x in axis.range)
    assert end - start >= pd.Timedelta(days=30)
    assert start <= pd.Timestamp("2025-12-19") <= end
    formats = [stop.value for stop in axis.tickformatstops]
    assert formats and not any(code in f for f in formats for code in ("%H", "%M", "%S", "%L"))


def test_time_axis_of_deals_years_apart_keeps_plotlys_range(mixed):
    assert build_timeline_figure(mixed).layout.xaxis.range is None


def test_timeline_with_no_dated_deal_says_so():
    figure = build_timeline_figure(frame(deal(1, ["A", "B"])))
    assert not figure.data
    assert figure.layout.annotations[0].text == "No dated deals"


def test_timeline_builders_do_not_mutate_input(mixed):
    before = mixed.copy(deep=True)
    build_timeline_figure(mixed)
    build_period_counts_figure(mixed, period="quarter")
    build_swimlane_figure(mixed, ["Astellas"])
    pd.testing.assert_frame_equal(mixed, before)


def test_presenter_mode_uses_larger_fonts(mixed):
    assert build_timeline_figure(mixed, presenter=True).layout.font.size == font_size(True)
    assert build_period_counts_figure(mixed).layout.font.size == font_size(False)


# --- period counts -----------------------------------------------------------------


def test_monthly_counts_fill_gaps_and_skip_year_only_dates(mixed):
    counts = period_counts(mixed, "month")
    per_month = counts.groupby("label", sort=False)["deals"].sum()
    assert list(per_month.index) == [
        "Apr 2025",
        "May 2025",
        "Jun 2025",
        "Jul 2025",
        "Aug 2025",
        "Sep 2025",
        "Oct 2025",
        "Nov 2025",
        "Dec 2025",
    ]
    assert per_month["Apr 2025"] == 2 and per_month["Dec 2025"] == 1 and per_month["Jun 2025"] == 0
    # the deal dated only "2024" is not put in any month, and the page says so
    assert per_month.sum() == 3
    assert too_coarse_for(mixed, "month") == 1


def test_quarterly_and_yearly_counts(mixed):
    quarterly = period_counts(mixed, "quarter").groupby("label", sort=False)["deals"].sum()
    assert dict(quarterly) == {"Q2 2025": 2, "Q3 2025": 0, "Q4 2025": 1}
    yearly = period_counts(mixed, "year").groupby("label", sort=False)["deals"].sum()
    assert dict(yearly) == {"2024": 1, "2025": 3}
    assert too_coarse_for(mixed, "year") == 0


def test_period_counts_figure_is_stacked_bars_coloured_by_type(mixed):
    figure = build_period_counts_figure(mixed, period="year")
    assert figure.layout.barmode == "stack"
    assert {t.type for t in figure.data} == {"bar"}
    by_type = {t.name: (list(t.x), list(t.y), t.marker.color) for t in figure.data}
    assert by_type["partnership/collaboration"] == (
        ["2024", "2025"],
        [0, 2],
        type_colour("partnership/collaboration"),
    )
    assert by_type["equity investment/stake"][1] == [1, 0]


def test_period_counts_rejects_unknown_period(mixed):
    with pytest.raises(ValueError):
        period_counts(mixed, "week")


def test_period_counts_of_undated_deals_is_empty():
    assert period_counts(frame(deal(1, ["A", "B"])), "month").empty
    assert not build_period_counts_figure(frame(deal(1, ["A", "B"]))).data


# --- swimlanes -------------------------------------------------------------------


def test_swimlanes_one_lane_per_selected_organisation(mixed):
    figure = build_swimlane_figure(mixed, ["Astellas", "Itochu"])
    assert list(figure.layout.yaxis.categoryarray) == ["Astellas", "Itochu"]
    lanes = {(y, d) for t in figure.data for y, d in zip(t.y, t.customdata, strict=True)}
    assert lanes == {("Astellas", 1), ("Astellas", 2), ("Astellas", 5), ("Itochu", 4)}


def test_swimlanes_leave_out_unselected_and_undated(mixed):
    figure = build_swimlane_figure(mixed, ["Sawai"])  # Sawai's only deal is undated
    assert not figure.data
    assert not build_swimlane_figure(mixed, []).data


def test_default_swimlanes_are_the_most_active_dated(mixed):
    assert default_swimlanes(mixed, n=1) == ["Astellas"]
    assert "Sawai" not in default_swimlanes(mixed, n=10)


# --- countries --------------------------------------------------------------------


def test_every_lexicon_country_but_the_eu_has_an_iso3_code():
    with open(ROOT / "data" / "lexicon" / "countries.csv", encoding="utf-8") as handle:
        names = [row["country"] for row in csv.DictReader(handle)]
    assert [n for n in names if iso3(n) is None] == ["European Union"]
    codes = [iso3(n) for n in names if iso3(n)]
    assert len(codes) == len(set(codes))
    assert all(len(c) == 3 and c.isupper() for c in codes)
    assert iso3("South Korea") == "KOR" and iso3("Taiwan") == "TWN" and iso3("Iceland") == "ISL"
    assert iso3("Democratic Republic of the Congo") == "COD" and iso3("Hong Kong") == "HKG"


@pytest.fixture
def cross_border() -> pd.DataFrame:
    return frame(
        deal(1, ["Astellas", "KISED", "Samsung"], "partnership/collaboration", "2025-12-19",
             party_countries=["Japan", "South Korea", "South Korea"], countries=["Japan", "South Korea"]),
        deal(2, ["Astellas", "Yaskawa"], "joint venture", "2025-04",
             party_countries=["Japan", "Japan"], countries=["Japan"]),
        deal(3, ["Alvotech", "Fuji Pharma"], "supply/distribution/commercialisation", None,
             party_countries=["Iceland", "Japan"], countries=["Iceland", "Japan"]),
        # an unknown party country comes back from the store as NaN
        deal(4, ["Astellas", "TCUBEiT"], "partnership/collaboration", "2025-12-19",
             party_countries=["Japan", math.nan], countries=["Japan", "European Union"]),
    )  # fmt: skip


def test_cross_border_pair_is_counted_once(cross_border):
    pairs = cross_border_pairs(cross_border)
    as_dict = {(r.source, r.target): r.deals for r in pairs.itertuples()}
    # Astellas-TCUBEiT (unknown country) is not domestic: it pairs Japan with "unknown".
    assert as_dict == {
        ("Iceland", "Japan"): 1,
        ("Japan", "Japan"): 1,
        ("Japan", "South Korea"): 1,
        ("Japan", UNKNOWN_COUNTRY): 1,
    }


def test_matrix_is_symmetric_with_domestic_on_the_diagonal(cross_border):
    matrix = pair_matrix(cross_border_pairs(cross_border))
    assert list(matrix.index) == ["Japan", "Iceland", "South Korea", UNKNOWN_COUNTRY]
    assert matrix.loc["Japan", "South Korea"] == matrix.loc["South Korea", "Japan"] == 1
    assert matrix.loc["Japan", "Japan"] == 1
    assert matrix.loc["Japan", UNKNOWN_COUNTRY] == 1
    assert matrix.loc["Iceland", "South Korea"] == 0


def test_matrix_figure_is_a_heatmap_with_blank_empty_cells(cross_border):
    figure = build_country_matrix_figure(cross_border_pairs(cross_border))
    (heatmap,) = figure.data
    assert heatmap.type == "heatmap"
    assert (
        list(heatmap.x)
        == list(heatmap.y)
        == [
            "Japan",
            "Iceland",
            "South Korea",
            UNKNOWN_COUNTRY,
        ]
    )
    assert heatmap.z[0][2] == heatmap.z[2][0] == 1
    assert heatmap.z[1][2] is None


def test_sankey_draws_cross_border_links_only(cross_border):
    figure = build_country_sankey_figure(cross_border_pairs(cross_border))
    (sankey,) = figure.data
    assert sankey.type == "sankey"
    labels = list(sankey.node.label)
    links = {
        (labels[s], labels[t]): v
        for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value, strict=True)
    }
    # Japan has the most cross-border deals: it is on the left, fanning out to its partners
    assert links == {("Japan", "Iceland"): 1, ("Japan", "South Korea"): 1}
    assert list(sankey.node.x or []) == []  # positions left to plotly


def test_sankey_links_put_the_busier_country_left():
    pairs = pd.DataFrame(
        [
            {"source": "Japan", "target": "South Korea", "deals": 2},
            {"source": "South Korea", "target": "United States", "deals": 1},
            {"source": "Japan", "target": "Japan", "deals": 5},  # domestic: not a link
        ]
    )
    links = sankey_links(pairs)
    assert links.to_dict("records") == [
        {"left": "South Korea", "right": "Japan", "deals": 2},
        {"left": "South Korea", "right": "United States", "deals": 1},
    ]


def _many_pairs(countries: int) -> pd.DataFrame:
    """Country i deals with country 0 i times (country 0 is the hub, the rest ranked by i)."""
    return pd.DataFrame(
        [{"source": "C00", "target": f"C{i:02d}", "deals": i} for i in range(1, countries)]
    )


def test_latest_rows_keeps_every_dated_deal_of_the_pairs_that_dealt_last():
    deals = frame(
        deal(1, ["A", "B"], deal_date="2020-01"),
        deal(2, ["C", "D"], deal_date="2025-03-01"),
        deal(3, ["E", "F"], deal_date="2024"),
        deal(4, ["A", "B"], deal_date="2025-05"),
        deal(5, ["G", "H"], deal_date=None),
        deal(6, ["E", "F"], deal_date="2019-02-02"),
    )
    assert sorted(latest_rows(deals, max_rows=2)["deal_id"]) == [1, 2, 4]
    assert sorted(latest_rows(deals, max_rows=3)["deal_id"]) == [1, 2, 3, 4, 6]
    assert latest_rows(deals.iloc[0:0]).empty


def test_latest_per_lane_keeps_each_organisations_latest_deals():
    deals = frame(
        deal(1, ["A", "B"], deal_date="2020-01"),
        deal(2, ["A", "C"], deal_date="2025-03-01"),
        deal(3, ["A", "D"], deal_date="2024"),
        deal(4, ["B", "E"], deal_date="2019-02"),
    )
    rows = latest_per_lane(swimlane_rows(deals, ["A", "B"]), 2)
    assert sorted(rows[rows["party"] == "A"]["deal_id"]) == [2, 3]
    assert sorted(rows[rows["party"] == "B"]["deal_id"]) == [1, 4]


def test_big_matrix_and_sankey_keep_the_busiest_and_say_what_they_leave_out():
    pairs = _many_pairs(20)
    heatmap = build_country_matrix_figure(pairs, max_countries=5).data[0]
    assert list(heatmap.x) == ["C00", "C19", "C18", "C17", "C16"]
    sankey = build_country_sankey_figure(pairs, max_pairs=3).data[0]
    assert sorted(sankey.link.value) == [17, 18, 19]
    note = across_borders_note(pairs, max_countries=5, max_pairs=3)
    assert "the 5 countries with most deals, of 20" in note
    assert "the 3 busiest pairs of countries, of 19" in note
    assert across_borders_note(pairs, max_countries=20, max_pairs=19) is None


def test_country_figures_with_no_pairs_say_so():
    empty = cross_border_pairs(frame(deal(1, ["A", "B"])))
    assert empty.empty
    for figure in (build_country_matrix_figure(empty), build_country_sankey_figure(empty)):
        assert not figure.data and figure.layout.annotations


def test_choropleth_uses_iso3_codes_and_counts(cross_border):
    by_country = deals_by_country(cross_border)
    figure = build_choropleth_figure(by_country)
    (choropleth,) = figure.data
    assert choropleth.type == "choropleth"
    assert choropleth.locationmode == "ISO-3"
    counts = dict(zip(choropleth.locations, choropleth.z, strict=True))
    assert counts == {"JPN": 4, "KOR": 1, "ISL": 1}  # the EU has no shape
    assert unplaced_countries(by_country) == ["European Union"]


def test_country_bars_list_every_country_most_first(cross_border):
    figure = build_country_bars_figure(deals_by_country(cross_border))
    (bars,) = figure.data
    assert bars.type == "bar" and bars.orientation == "h"
    assert list(bars.y)[-1] == "Japan" and list(bars.x)[-1] == 4  # top bar is the last one
    assert set(bars.y) == {"Japan", "South Korea", "Iceland", "European Union"}


def test_country_organisations_come_from_party_countries(cross_border):
    korea = country_organisations(cross_border, "South Korea")
    assert list(korea["organisation"]) == ["KISED", "Samsung"]
    japan = country_organisations(cross_border, "Japan")
    assert japan.iloc[0].to_dict() == {"organisation": "Astellas", "deals": 3}
    assert "TCUBEiT" not in set(japan["organisation"])  # its country is unknown


def test_country_deals_include_party_and_named_countries(cross_border):
    assert list(country_deals(cross_border, "Iceland")["deal_id"]) == [3]
    assert list(country_deals(cross_border, "European Union")["deal_id"]) == [4]
    assert country_deals(cross_border, "France").empty


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([{"location": "KOR", "z": 1}], "South Korea"),  # a click on the map
        ([{"y": "South Korea", "x": 1}], "South Korea"),  # a click on the bars
        ([{"location": "FRA"}], None),  # a country with no matching deal
        ([], None),
        ([{"x": 3}], None),
    ],
)
def test_country_at_reads_map_and_bar_clicks(points, expected):
    assert country_at(points, ["Japan", "South Korea"]) == expected


def test_period_values_sum_disclosed_dollars_per_quarter_and_type(mixed):
    # 1: Apr 2025 partnership $50M; 2: 19 Dec 2025 partnership, no value;
    # 4: year-only 2024 stake $10M (too coarse for a quarter); 5: Apr 2025 JV $1.2B
    deals = mixed.assign(value_usd=[5e7, None, 3e7, 1e7, 1.2e9])
    values = period_values(deals, "quarter")
    q2 = values[values["label"] == "Q2 2025"].set_index("type")
    assert q2.loc["partnership/collaboration", "value_usd"] == 5e7
    assert q2.loc["joint venture", "value_usd"] == 1.2e9
    assert set(values["label"]) == {"Q2 2025"}  # the undisclosed Dec deal adds no quarter
    yearly = period_values(deals, "year").groupby("label")["value_usd"].sum()
    assert yearly.to_dict() == {"2024": 1e7, "2025": 1.25e9}  # the undated deal is in none
    assert disclosed_count(deals) == 4
    figure = build_period_values_figure(deals, period="quarter")
    assert {trace.name for trace in figure.data} == {"partnership/collaboration", "joint venture"}
    assert "US$ million" in figure.layout.yaxis.title.text


def test_period_values_without_values_says_so(mixed):
    assert period_values(mixed, "month").empty  # no value_usd column at all
    figure = build_period_values_figure(mixed.assign(value_usd=None))
    assert not figure.data and "discloses a value" in figure.layout.annotations[0].text


def test_a_deal_reported_completed_later_shows_its_lifecycle_on_the_timeline():
    """Announced in January, reported completed in August: a dotted line from the
    announcement to a star on the completion's date, on the deal's own row."""
    from atlas.figures.timeline import lifecycle_ends

    announced = deal(1, ["Alpha Bio", "Beta Pharma"], "acquisition/merger", "2025-01-10")
    announced["sources"] = [
        {"deal_status": "agreed", "deal_date": "2025-01-10"},
        {"deal_status": "completed", "deal_date": None, "article_published": "2025-08-12"},
    ]
    plain = deal(2, ["Gamma", "Delta"], "licensing", "2025-03")
    plain["sources"] = [{"deal_status": "agreed", "deal_date": "2025-03"}]
    deals = with_dates(frame(announced, plain))
    ((deal_id, start, end, status),) = lifecycle_ends(deals)
    assert (deal_id, start, end, status) == (
        1,
        pd.Timestamp("2025-01-10"),
        pd.Timestamp("2025-08-12"),
        "completed",
    )
    figure = build_timeline_figure(deals)
    stars = [t for t in figure.data if t.name == "completed later"]
    assert len(stars) == 1 and list(stars[0].x) == ["2025-08-12"]
    assert stars[0].marker.symbol == "star"
    line = next(t for t in figure.data if t.type == "scatter" and t.mode == "lines")
    assert list(line.x) == ["2025-01-10", "2025-08-12", None]
    assert list(line.y)[0] == list(line.y)[1] == "Alpha Bio + Beta Pharma"
    # a deal whose sources report no end draws no lifecycle
    assert lifecycle_ends(with_dates(frame(plain))) == []
