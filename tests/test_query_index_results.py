"""What the pages compute from a filter setting's rows through the frame's index
(atlas.query.DealIndex, atlas.figures.timeline.latest_rows_of) equals the plain
functions on the filtered frame, on the seeded store under several settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from atlas.figures.company import company_deals
from atlas.figures.countries import country_deals, country_organisations, cross_border_pairs
from atlas.figures.timeline import dated_deals, latest_rows, latest_rows_of
from atlas.query import (
    DealFilters,
    DealIndex,
    deals_between_countries,
    deals_by_country,
    filter_deals,
    most_active,
    party_names,
)
from components import data

pytestmark = pytest.mark.model


@pytest.fixture
def frame(app_env) -> pd.DataFrame:
    return data.deals()


def _settings(deals: pd.DataFrame) -> list[DealFilters]:
    years = sorted({d[:4] for d in deals["deal_date"].dropna()})
    busiest_type = deals["type"].value_counts().index[0]
    country = deals["countries"].explode().dropna().value_counts().index[0]
    return [
        DealFilters(),
        DealFilters(types=(busiest_type,)),
        # a range with the undated deals in: the dated and undated rows interleave
        DealFilters(date_from=f"{years[-1]}-01-01", date_to=f"{years[-1]}-12-31"),
        DealFilters(
            date_from=f"{years[0]}-01-01", date_to=f"{years[-1]}-06-30", include_undated=True
        ),
        DealFilters(countries=(country,)),
        DealFilters(min_confidence=float(deals["confidence"].median())),
        # nothing kept
        DealFilters(types=("no such type",)),
    ]


def _cases(frame: pd.DataFrame):
    index = DealIndex(frame)
    for setting in _settings(frame):
        rows = index.positions(setting)
        yield setting, index, rows, filter_deals(frame, setting)


def test_the_index_keeps_what_filter_deals_keeps(frame):
    for setting, index, rows, plain in _cases(frame):
        assert_frame_equal(index.take(rows), plain, obj=str(setting))


def test_organisations_from_the_index(frame):
    for setting, index, rows, plain in _cases(frame):
        assert index.party_names(rows) == party_names(plain), setting
        for n in (1, 5, 10_000):
            assert_frame_equal(index.most_active(rows, n), most_active(plain, n), obj=str(setting))
        dated = dated_deals(plain)
        assert index.party_names(index.dated_rows(rows)) == party_names(dated)
        assert_frame_equal(
            index.most_active(index.dated_rows(rows), 5), most_active(dated, 5), obj=str(setting)
        )
        for name in party_names(plain)[:3] + ["Nobody At All"]:
            assert_frame_equal(
                index.take(index.rows_with_parties(rows, [name])),
                company_deals(plain, name),
                obj=f"{setting} {name}",
            )
        circle = set(party_names(plain)[:6])
        if plain.empty:
            continue  # (the page asks only when the organisation has deals)
        nearby = plain[
            plain["parties"].map(
                lambda parties, circle=circle: len(circle.intersection(parties)) >= 2
            )
        ]
        assert_frame_equal(index.take(index.rows_with_parties(rows, circle, 2)), nearby)


def test_countries_from_the_index(frame):
    for setting, index, rows, plain in _cases(frame):
        assert_frame_equal(index.deals_by_country(rows), deals_by_country(plain), obj=str(setting))
        assert_frame_equal(index.country_pairs(rows), cross_border_pairs(plain), obj=str(setting))
        countries = deals_by_country(plain)["country"].tolist()[:4] + ["Atlantis"]
        for country in countries:
            assert_frame_equal(
                index.take(index.rows_of_country(rows, country)),
                country_deals(plain, country),
                obj=f"{setting} {country}",
            )
            assert_frame_equal(
                country_organisations(
                    index.take(index.rows_of_country(rows, country, homes_only=True)), country
                ),
                country_organisations(plain, country),
                obj=f"{setting} {country}",
            )
        for first, second in zip(countries, countries[1:] + countries[:1], strict=True):
            assert_frame_equal(
                index.deals_between_countries(rows, first, second),
                deals_between_countries(plain, first, second),
                obj=f"{setting} {first}-{second}",
            )
        if countries:
            assert_frame_equal(
                index.deals_between_countries(rows, countries[0], countries[0]),
                deals_between_countries(plain, countries[0], countries[0]),
            )


@pytest.mark.parametrize("max_rows", [1, 3, 60])
def test_latest_rows_from_the_index(frame, max_rows):
    for setting, index, rows, plain in _cases(frame):
        assert_frame_equal(
            latest_rows_of(index, rows, max_rows), latest_rows(plain, max_rows), obj=str(setting)
        )


def _same_index(found: dict, expected: dict) -> None:
    assert list(sorted(found)) == list(sorted(expected))
    for value, rows in expected.items():
        assert found[value].tolist() == rows.tolist(), value


def test_the_parties_index_from_the_occurrences_equals_reading_every_list(frame):
    from atlas.query import _list_index

    _same_index(DealIndex(frame).parties, _list_index(frame, "parties"))
    # Awkward cells: repeats, an empty list, a tuple, a missing one; no rows at all.
    awkward = frame.head(6).assign(
        parties=[["A", "B", "A"], [], ("B", "C"), None, ["C"], ["A", "C", "B"]]
    )
    index = DealIndex(awkward)
    _same_index(index.parties, _list_index(awkward, "parties"))
    assert index.party_names(np.arange(6)) == ["A", "B", "C"]
    assert index.party_names(np.array([1, 3])) == []
    assert DealIndex(frame.head(0)).parties == {}


def _strings(index: dict) -> dict:
    return {value: rows for value, rows in index.items() if isinstance(value, str)}


def test_the_country_indexes_read_per_distinct_list_equal_reading_every_list(frame):
    from atlas.query import _list_index

    index = DealIndex(frame)
    _same_index(_strings(index.countries), _strings(_list_index(frame, "countries")))
    _same_index(index.homes, _list_index(frame, "party_countries", strings_only=True))
    # Awkward cells: repeats, an unknown country (NaN), an empty list, a missing one.
    awkward = frame.head(5).assign(
        countries=[["Japan", "Japan"], [], None, ["France", float("nan")], ["Japan", "France"]],
        party_countries=[["Japan", float("nan")], ["France"], [], None, ["Japan", "Japan"]],
    )
    index = DealIndex(awkward)
    _same_index(_strings(index.countries), _strings(_list_index(awkward, "countries")))
    _same_index(index.homes, _list_index(awkward, "party_countries", strings_only=True))
    assert index.countries["Japan"].tolist() == [0, 4]
    assert index.homes["Japan"].tolist() == [0, 4]
