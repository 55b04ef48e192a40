"""What the pages do when a store is big: tables cap their rows and say so, and the
per-filter memo (`components.data.derived`) recomputes only when something changed."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _table_app(rows: int, max_rows: int) -> None:
    import pandas as pd

    from components.tables import deals_table

    deals = pd.DataFrame(
        {
            "parties": [["Alpha Bio", f"Beta {i}"] for i in range(rows)],
            "type": "licensing",
            "also_types": [[] for _ in range(rows)],
            "deal_date": [f"2024-01-{i % 28 + 1:02d}" for i in range(rows)],
            "countries": [[] for _ in range(rows)],
            "therapeutic_areas": [[] for _ in range(rows)],
            "confidence": 0.9,
            "evidence": "Alpha Bio licensed it.",
            "article_title": "t",
            "article_file": "f",
        }
    )
    deals_table(deals, key="capped", max_rows=max_rows)


def test_a_table_over_its_cap_shows_the_latest_rows_and_says_how_many_are_hidden():
    at = AppTest.from_function(_table_app, kwargs={"rows": 30, "max_rows": 10}).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 10
    assert any("latest 10 of 30 deals" in c.value for c in at.caption)
    assert set(at.dataframe[0].value["Date"]) <= {f"{d} Jan 2024" for d in range(19, 29)}


def test_a_table_under_its_cap_shows_everything_without_a_note():
    at = AppTest.from_function(_table_app, kwargs={"rows": 5, "max_rows": 10}).run()
    assert len(at.dataframe[0].value) == 5
    assert not [c.value for c in at.caption if "Showing the latest" in c.value]


def test_derived_results_are_reused_until_the_caches_are_cleared(app_env):
    from atlas.query import DealFilters
    from components import data

    calls = []

    def count(deals, label):
        calls.append(label)
        return len(deals)

    everything = data.derived(count, DealFilters(), "a")
    assert data.derived(count, DealFilters(), "a") == everything
    assert calls == ["a"]
    licences = data.derived(count, DealFilters(types=("licensing",)), "a")
    assert licences < everything and calls == ["a", "a"]
    data.derived(count, DealFilters(), "b")
    assert calls == ["a", "a", "b"]
    data.clear_caches()
    data.derived(count, DealFilters(), "a")
    assert calls == ["a", "a", "b", "a"]


def test_huge_results_are_kept_for_two_filter_settings_only(app_env):
    """The whole deal graph weighs 250 MB at 177,000 deals: a third setting evicts the oldest."""
    from atlas.query import DealFilters
    from components import data

    calls = []

    def count(deals):
        calls.append(len(deals))
        return len(deals)

    settings = [DealFilters(), DealFilters(min_confidence=0.5), DealFilters(types=("licensing",))]
    for setting in settings:
        data.derived(count, setting, size="huge")
    data.derived(count, settings[2], size="huge")
    assert len(calls) == 3  # the latest is kept
    data.derived(count, settings[0], size="huge")
    assert len(calls) == 4  # the oldest was not


def test_full_garbage_collections_are_spaced_out(monkeypatch):
    import gc

    from components import data

    collections = []
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(1) or 0)
    clock = [1000.0]
    monkeypatch.setattr(data.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(data, "_last_collection", [clock[0]])
    data.collect_garbage()
    assert collections == []  # too soon after the last one
    clock[0] += data.COLLECT_EVERY_S
    data.collect_garbage()
    data.collect_garbage()
    assert collections == [1]
    clock[0] += data.COLLECT_EVERY_S
    data.collect_garbage()
    assert collections == [1, 1]


def test_results_are_kept_under_the_function_itself(app_env):
    """Two functions given the same setting and arguments keep their own results; the
    count of matching deals needs no frame and equals the frame's length."""
    from atlas.query import DealFilters
    from components import data

    def first(deals, label):
        return ("first", label, len(deals))

    def second(deals, label):
        return ("second", label, len(deals))

    setting = DealFilters(types=("licensing",))
    matching = len(data.filtered_deals(setting))
    assert data.derived(first, setting, "a") == ("first", "a", matching)
    assert data.derived(second, setting, "a") == ("second", "a", matching)
    assert data.function_key(first) != data.function_key(second)
    assert data.matching_count(setting) == matching


def test_functions_of_one_setting_share_its_kept_deals(app_env):
    """Functions reading the index get one KeptDeals per setting, so what they share
    (KeptDeals.memo: the Countries page's country pairs) is computed once."""
    from atlas.query import DealFilters
    from components import data

    seen = []

    def first(kept):
        seen.append(kept)
        return len(kept.rows)

    def second(kept):
        seen.append(kept)
        return kept.memo("count", lambda: len(kept.rows))

    setting = DealFilters(types=("licensing",))
    assert data.derived_from_index(first, setting) == data.derived_from_index(second, setting)
    assert seen[0] is seen[1] and seen[0].memo("count", lambda: -1) == data.matching_count(setting)
    data.derived_from_index(first, DealFilters())
    assert seen[2] is not seen[0]


def test_one_result_is_computed_once_while_other_sessions_wait_and_bounds_hold():
    import threading
    import time

    from components import data

    results = data._Results({"small": 2, "huge": 1})
    calls, answers = [], []

    def slow():
        calls.append(1)
        time.sleep(0.2)  # the other sessions ask meanwhile
        return "made"

    sessions = [
        threading.Thread(target=lambda: answers.append(results.get("small", "k", slow)))
        for _ in range(4)
    ]
    for session in sessions:
        session.start()
    for session in sessions:
        session.join()
    assert calls == [1] and answers == ["made"] * 4
    # Each size keeps its own number of entries, the least recently used leaving first.
    results.get("small", "a", lambda: "a")
    results.get("small", "k", slow)  # used again: "a" is now the oldest
    results.get("small", "b", lambda: "b")
    assert list(results.held["small"]) == ["k", "b"] and len(calls) == 1
    results.get("huge", "h1", lambda: 1)
    results.get("huge", "h2", lambda: 2)
    assert list(results.held["huge"]) == ["h2"]
