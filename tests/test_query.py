"""Filtering and summaries over the deals frame (pure pandas)."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas.query import (
    UNKNOWN_COUNTRY,
    DealFilters,
    DealIndex,
    country_pairs,
    date_bounds,
    date_label,
    deals_between_countries,
    deals_by_country,
    filter_deals,
    latest_first,
    most_active,
    options,
    undated_left_out,
    with_dates,
)


def frame() -> pd.DataFrame:
    rows = [
        # id, parties, party countries, type, also, date, areas, countries, confidence
        (
            1,
            ["Astellas Pharma", "JFCR"],
            ["Japan", "Japan"],
            "partnership/collaboration",
            [],
            "2025-04",
            ["oncology"],
            ["Japan"],
            0.8,
        ),
        (
            2,
            ["Astellas Pharma", "KISED"],
            ["Japan", "South Korea"],
            "partnership/collaboration",
            [],
            "2025-12-19",
            ["oncology", "gene therapy"],
            ["Japan", "South Korea"],
            0.8,
        ),
        (
            3,
            ["Alvotech", "Fuji Pharma"],
            ["Iceland", "Japan"],
            "supply/distribution/commercialisation",
            [],
            None,
            ["biosimilars"],
            ["Iceland", "Japan"],
            0.8,
        ),
        (
            4,
            ["Itochu", "AND Pharma"],
            ["Japan", None],
            "equity investment/stake",
            ["licensing"],
            "2024",
            ["generics"],
            ["Japan"],
            0.4,
        ),
    ]
    return pd.DataFrame(
        [
            {
                "deal_id": i,
                "parties": p,
                "party_countries": pc,
                "type": t,
                "also_types": a,
                "deal_date": d,
                "therapeutic_areas": ar,
                "countries": c,
                "confidence": conf,
                "evidence": "…",
                "article_title": "t",
                "article_file": "f",
            }
            for i, p, pc, t, a, d, ar, c, conf in rows
        ]
    )


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2025-04", "2025-04-01", "2025-04-30"),  # a month covers all its days
        ("2024-02", "2024-02-01", "2024-02-29"),  # leap year
        ("2025", "2025-01-01", "2025-12-31"),  # a year covers the year
        ("2025-12-19", "2025-12-19", "2025-12-19"),
    ],
)
def test_date_bounds(value, start, end):
    assert date_bounds(value) == (pd.Timestamp(start), pd.Timestamp(end))


def test_date_label_shows_precision():
    assert [date_label(v) for v in ("2025", "2025-04", "2025-12-19", None)] == [
        "2025",
        "Apr 2025",
        "19 Dec 2025",
        "undated",
    ]


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        (DealFilters(), [1, 2, 3, 4]),
        # April 2025 overlaps a range starting mid-April; with a range, undated deals
        # are left out unless asked for (Oct-Dec counted every undated deal as Q4).
        (DealFilters(date_from="2025-04-15"), [1, 2]),
        (DealFilters(date_from="2025-04-15", include_undated=True), [1, 2, 3]),
        (DealFilters(date_to="2025-03-31"), [4]),
        (DealFilters(date_to="2025-03-31", include_undated=True), [3, 4]),
        # With no range every deal counts, dated or not.
        (DealFilters(include_undated=True), [1, 2, 3, 4]),
        # A facet type (also_types) matches too.
        (DealFilters(types=("licensing",)), [4]),
        (DealFilters(countries=("South Korea", "Iceland")), [2, 3]),
        (DealFilters(areas=("oncology",)), [1, 2]),
        (DealFilters(organisations=("Astellas Pharma",)), [1, 2]),
        (DealFilters(min_confidence=0.5), [1, 2, 3]),
        (DealFilters(countries=("Japan",), types=("supply/distribution/commercialisation",)), [3]),
    ],
)
def test_filter_deals(filters, ids):
    assert filter_deals(frame(), filters)["deal_id"].tolist() == ids


@pytest.mark.parametrize(
    ("filters", "left_out"),
    [
        (DealFilters(), 0),  # no range: the undated deal counts
        (DealFilters(date_from="2025-04-15"), 1),
        (DealFilters(date_from="2025-04-15", include_undated=True), 0),
        # the other filters still apply to what is said to be left out
        (DealFilters(date_from="2025-04-15", types=("licensing",)), 0),
        (DealFilters(date_to="2025-12-31", countries=("Iceland",)), 1),
    ],
)
def test_undated_left_out_counts_what_the_range_hides(filters, left_out):
    assert undated_left_out(frame(), filters) == left_out


def test_filter_deals_does_not_mutate_input():
    original = frame()
    before = original.copy()
    filter_deals(original, DealFilters(date_from="2025-01-01"))
    pd.testing.assert_frame_equal(original, before)


def test_filters_on_empty_frame():
    empty = frame().iloc[0:0]
    assert filter_deals(empty, DealFilters(types=("licensing",))).empty
    assert options(empty) == {"types": [], "countries": [], "areas": [], "organisations": []}
    assert most_active(empty).empty
    assert deals_by_country(empty).empty


def test_summaries():
    deals = frame()
    assert most_active(deals, 1).to_dict("records") == [
        {"organisation": "Astellas Pharma", "deals": 2}
    ]
    by_country = deals_by_country(deals).set_index("country")["deals"].to_dict()
    assert by_country == {"Japan": 4, "South Korea": 1, "Iceland": 1}
    pairs = country_pairs(deals).set_index(["source", "target"])["deals"].to_dict()
    # Cross-border pairs once each; domestic deals on the diagonal; a partner of unknown
    # country stays unknown (Itochu's deal with AND Pharma was counted as domestic).
    assert pairs == {
        ("Japan", "Japan"): 1,
        ("Japan", "South Korea"): 1,
        ("Iceland", "Japan"): 1,
        ("Japan", UNKNOWN_COUNTRY): 1,
    }
    assert options(deals)["types"] == sorted(set(deals["type"]))


def test_min_value_keeps_deals_that_disclose_at_least_that_much():
    deals = frame().assign(value_usd=[5e7, None, 1.2e9, float("nan")])
    assert filter_deals(deals, DealFilters(min_value_usd=1e8))["deal_id"].tolist() == [3]
    assert filter_deals(deals, DealFilters(min_value_usd=1e6))["deal_id"].tolist() == [1, 3]
    assert len(filter_deals(deals, DealFilters())) == 4  # no threshold: disclosed or not
    # a store extracted before values were kept has no column: nothing passes a threshold
    assert filter_deals(frame(), DealFilters(min_value_usd=1e6)).empty


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        # any of: deals naming Japan or South Korea
        (DealFilters(countries=("Japan", "South Korea")), [1, 2, 3, 4]),
        # between: parties based in both (Astellas, Japan, with KISED, South Korea)
        (DealFilters(countries=("Japan", "South Korea"), countries_between=True), [2]),
        (DealFilters(countries=("Japan", "Iceland"), countries_between=True), [3]),
        # one country chosen: "between" has nothing to be between, so it means "any of"
        (DealFilters(countries=("Iceland",), countries_between=True), [3]),
        (DealFilters(organisations=("Astellas Pharma", "KISED")), [1, 2]),
        (DealFilters(organisations=("Astellas Pharma", "KISED"), organisations_between=True), [2]),
    ],
)
def test_between_filters(filters, ids):
    assert filter_deals(frame(), filters)["deal_id"].tolist() == ids


def test_deals_between_countries_are_the_deals_of_one_matrix_cell():
    deals = frame()
    between = lambda a, b: deals_between_countries(deals, a, b)["deal_id"].tolist()  # noqa: E731
    assert between("Japan", "South Korea") == between("South Korea", "Japan") == [2]
    assert between("Japan", "Japan") == [1]  # domestic: both parties Japanese
    assert between("Japan", UNKNOWN_COUNTRY) == [4]  # Itochu with AND Pharma (unknown)
    assert between("Iceland", "South Korea") == []
    counted = country_pairs(deals).set_index(["source", "target"])["deals"].to_dict()
    for (a, b), n in counted.items():
        assert len(between(a, b)) == n


# Every filter the sidebar can set, alone and combined: the index must keep exactly the
# rows filter_deals keeps (the app filters through the index, the tests through both).
_INDEX_CASES = [
    DealFilters(),
    DealFilters(date_from="2025-04-15"),
    DealFilters(date_from="2025-04-15", include_undated=True),
    DealFilters(date_to="2025-03-31"),
    DealFilters(date_to="2025-03-31", include_undated=True),
    DealFilters(date_from="2024-06-01", date_to="2025-04-01"),  # a year and a month overlap it
    DealFilters(include_undated=True),
    DealFilters(types=("licensing",)),  # only a facet type (also_types)
    DealFilters(types=("licensing", "partnership/collaboration")),
    DealFilters(types=("no such type",)),
    DealFilters(countries=("South Korea", "Iceland")),
    # between: parties based in every chosen country; a party of unknown country is skipped
    DealFilters(countries=("Japan", "South Korea"), countries_between=True),
    DealFilters(countries=("Japan", "Nowhere"), countries_between=True),
    DealFilters(countries=("Japan",), countries_between=True),  # one country: any of
    DealFilters(areas=("oncology", "generics")),
    DealFilters(organisations=("Astellas Pharma",)),
    DealFilters(organisations=("Astellas Pharma", "KISED"), organisations_between=True),
    DealFilters(organisations=("Astellas Pharma", "Alvotech"), organisations_between=True),
    DealFilters(min_confidence=0.5),
    DealFilters(min_value_usd=1e8),
    DealFilters(countries=("Japan",), types=("supply/distribution/commercialisation",)),
    DealFilters(date_to="2025-12-31", countries=("Iceland",), min_confidence=0.3),
]


@pytest.mark.parametrize("filters", _INDEX_CASES)
@pytest.mark.parametrize("valued", [True, False])
def test_the_index_keeps_what_filter_deals_keeps(filters, valued):
    deals = frame()
    if valued:
        deals = deals.assign(value_usd=[5e7, None, 1.2e9, float("nan")])
    expected = filter_deals(deals, filters)
    index = DealIndex(deals)
    kept = with_dates(deals).take(index.positions(filters))
    pd.testing.assert_frame_equal(kept, expected)
    assert index.undated_left_out(filters) == undated_left_out(with_dates(deals), filters)


def test_the_index_of_an_empty_frame_keeps_nothing():
    index = DealIndex(frame().iloc[0:0])
    assert len(index.positions(DealFilters(types=("licensing",), date_from="2025-01-01"))) == 0
    assert index.undated_left_out(DealFilters(date_from="2025-01-01")) == 0


def test_latest_first_orders_by_the_date_as_written_undated_last():
    deals = frame().assign(deal_date=["2025-04", "2025-04-01", None, "2024", "2025-04"][:4])
    deals = pd.concat([deals, deals.iloc[[0]].assign(deal_id=5)], ignore_index=True)
    # "2025-04-01" is after "2025-04" as text; the two "2025-04" deals keep their order
    assert latest_first(deals)["deal_id"].tolist() == [2, 1, 5, 4, 3]
    assert latest_first(deals, 2)["deal_id"].tolist() == [2, 1]
    assert latest_first(deals.iloc[0:0]).empty
    # the same dates in the same order as sort_values gives them (ties aside)
    expected = deals.sort_values("deal_date", ascending=False, na_position="last")
    assert latest_first(deals)["deal_date"].tolist() == expected["deal_date"].tolist()
