"""Results are kept per set of kept rows (components.data.same_rows_filters): a filter
setting that keeps exactly the rows of one seen before is served what that one
computed, and one that keeps other rows never is."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas.query import DealFilters, filter_deals
from components import data

pytestmark = pytest.mark.model


def _settings(deals: pd.DataFrame) -> dict[str, DealFilters]:
    lowest = float(pd.to_numeric(deals["confidence"]).min())
    rarest = deals["type"].value_counts().index[-1]
    return {
        "everything": DealFilters(),
        # below every deal's confidence: the same rows as no filter at all
        "below every confidence": DealFilters(min_confidence=lowest / 2),
        # the undated deals included when every deal is kept anyway: the same rows
        "undated included": DealFilters(include_undated=True),
        # one type: other rows
        "one type": DealFilters(types=(rarest,)),
        # above the lowest confidence: fewer rows
        "above the lowest confidence": DealFilters(min_confidence=lowest + 1e-9),
    }


def test_a_setting_keeping_the_same_rows_is_served_the_first_ones_results(app_env):
    deals = data.deals()
    settings = _settings(deals)
    calls = []

    def count(frame: pd.DataFrame, setting: DealFilters) -> int:
        calls.append(setting)
        return len(frame)

    first = settings["everything"]
    assert data.same_rows_filters(first) is first
    assert data.derived(count, first, first) == len(deals)
    for name in ("below every confidence", "undated included"):
        same = settings[name]
        assert data.same_rows_filters(same) is first, name
        # The plain computation keeps the same rows ...
        assert filter_deals(deals, same)["deal_id"].tolist() == deals["deal_id"].tolist()
        # ... and the cached frame and result are the first setting's, not computed again.
        assert data.filtered_deals_shared(same) is data.filtered_deals_shared(first)
        assert data.derived(count, same, same) == len(deals)
    assert calls == [first]


@pytest.mark.parametrize("name", ["one type", "above the lowest confidence"])
def test_a_setting_keeping_other_rows_gets_its_own(app_env, name):
    deals = data.deals()
    setting = _settings(deals)[name]
    data.same_rows_filters(DealFilters())
    assert data.same_rows_filters(setting) is setting
    expected = filter_deals(deals, setting)
    assert 0 < len(expected) < len(deals)
    shown = data.filtered_deals(setting)
    assert shown["deal_id"].tolist() == expected["deal_id"].tolist()
    seen = []
    assert data.derived(lambda f, s: seen.append(s) or len(f), setting, setting) == len(expected)
    assert seen == [setting]


def test_filtered_frames_share_the_texts_of_the_prepared_frame(app_env):
    """Taking a setting's rows copies pointers to the texts, not the texts (an
    Arrow-backed text column copies them at every take); the cells are the same."""
    from pandas.testing import assert_frame_equal

    deals = data.deals()
    setting = _settings(deals)["one type"]
    shown = data.filtered_deals(setting)
    expected = filter_deals(deals, setting)
    assert_frame_equal(shown, expected, check_dtype=False)
    everything = data.filtered_deals_shared(DealFilters())
    first = shown.index[0]
    assert shown.at[first, "evidence"] is everything.at[first, "evidence"]


def test_a_result_holding_many_rows_is_kept_with_the_tables(app_env, monkeypatch):
    """A "small" result that turns out to hold a copy of the deals is kept in the short
    cache of such results from then on, not with the 256 settings of small ones."""
    monkeypatch.setattr(data, "MANY_ROWS", 2)
    monkeypatch.setattr(data._results, "many_rows", set())
    calls = []

    def reordered(frame: pd.DataFrame) -> pd.DataFrame:
        calls.append(len(frame))
        return frame.iloc[::-1]

    def count(frame: pd.DataFrame) -> int:
        return len(frame)

    setting = DealFilters()
    first = data.derived(reordered, setting)
    assert data.derived(count, setting) == len(first)
    assert data._results.many_rows == {data.function_key(reordered)}
    # Kept with the tables as it was, not computed again.
    assert data.derived(reordered, setting) is first
    assert len(calls) == 1
    # ... and no longer among the small ones (held once, not twice).
    held = (data._key(), setting, "deals", data.function_key(reordered), ())
    assert held in data._results.held["tables"]
    assert held not in data._results.held["small"]
    other = DealFilters(types=(first["type"].iloc[0],))
    assert data.derived(reordered, other)["deal_id"].tolist() == (
        data.filtered_deals(other).iloc[::-1]["deal_id"].tolist()
    )
    assert len(calls) == 2
