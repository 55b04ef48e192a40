"""The sidebar filters in a URL (atlas.filter_url): what a setting writes, what a link
restores, and what changes in the URL; the pages' AppTest and browser tests check the
wiring in components/filters.py."""

from __future__ import annotations

from datetime import date

import pytest

from atlas.filter_url import (
    FILTER_PARAMS,
    PRESENTER_KEY,
    filter_params,
    restored_state,
    url_changes,
)
from atlas.query import DealFilters

CHOICES = {
    "types": ["licensing", "merger"],
    "countries": ["Japan", "South Korea"],
    "areas": ["oncology"],
    "organisations": ["Eisai", "Takeda"],
}


def test_a_setting_written_and_read_back_is_the_same_setting():
    filters = DealFilters(
        date_from="2024-01-01",
        date_to="2025-06-30",
        include_undated=True,
        types=("licensing",),
        countries=("Japan", "South Korea"),
        min_confidence=0.5,
        countries_between=True,
        min_value_usd=1e8,
    )
    chosen = {"filter_types": ["licensing"], "filter_countries": ["Japan", "South Korea"]}
    params = filter_params(filters, chosen, presenter=True)
    assert params == {
        "type": ["licensing"],
        "country": ["Japan", "South Korea"],
        "from": "2024-01-01",
        "to": "2025-06-30",
        "conf": "0.50",
        "country_match": "between",
        "value": "1e+08",
        "undated": "1",
        "present": "1",
    }
    as_url = {name: v if isinstance(v, list) else [v] for name, v in params.items()}
    assert restored_state(as_url, CHOICES) == {
        "filter_types": ["licensing"],
        "filter_countries": ["Japan", "South Korea"],
        "filter_date_from": date(2024, 1, 1),
        "filter_date_to": date(2025, 6, 30),
        "filter_min_confidence": 0.5,
        "filter_min_value": 1e8,
        "filter_include_undated": True,
        "filter_countries_between": True,
        PRESENTER_KEY: True,
    }


def test_the_default_setting_writes_nothing():
    assert filter_params(DealFilters(), {}, presenter=False) == {}
    # "undated" means something only with a date range
    assert filter_params(DealFilters(include_undated=True), {}, presenter=False) == {}


@pytest.mark.parametrize(
    ("params", "state"),
    [
        # values the boxes do not offer are dropped, the others kept
        ({"type": ["licensing", "<script>"], "org": ["Nobody"]}, {"filter_types": ["licensing"]}),
        ({"from": ["2025-13-01"], "to": ["yesterday"]}, {}),  # dates that do not parse
        ({"conf": ["7"]}, {"filter_min_confidence": 1.0}),  # clamped to 0..1
        ({"conf": ["-1"]}, {"filter_min_confidence": 0.0}),
        ({"conf": ["high"]}, {}),
        ({"value": ["123"]}, {}),  # only the box's own steps
        ({"value": ["5e9"]}, {"filter_min_value": 5e9}),
        ({"undated": ["yes"], "present": ["0"], "org_match": ["any"]}, {}),
        # a repeated single parameter takes its last value, as st.query_params does
        ({"from": ["2020-01-01", "2021-02-03"]}, {"filter_date_from": date(2021, 2, 3)}),
        ({"q": ["a page's own search"]}, {}),
    ],
)
def test_a_link_restores_only_what_it_may(params, state):
    assert restored_state(params, CHOICES) == state


def test_url_changes_touch_only_the_filters_parameters_that_differ():
    present = {"type": ["licensing"], "conf": ["0.50"], "q": ["search"], "company": ["Eisai"]}
    wanted = {"type": ["licensing"], "from": "2024-01-01"}
    removed, changed = url_changes(present, wanted)
    assert removed == ["conf"]  # a page's own parameters stay
    assert changed == {"from": "2024-01-01"}  # "type" is as wanted already
    assert url_changes({"type": ["merger", "licensing"]}, {"type": ["licensing", "merger"]}) == (
        [],
        {"type": ["licensing", "merger"]},  # the order is part of the setting
    )
    assert {"q", "company", "article"}.isdisjoint(FILTER_PARAMS)
