"""The deals index carried through an edit's splice (DealIndex.carried) equals the
index of the new frame read from scratch: its distinct lists, and what the pages
compute from them, for rows dropped, rows added and rows kept in order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from atlas.query import DealFilters, DealIndex
from tests.test_graph import deal, frame

HOMES = ["Japan", "France", None, "Brazil", "Chile"]
NAMES = [f"Org {i}" for i in range(9)]
COLUMNS = ("parties", "countries", "party_countries")


def _deals(rng: np.random.Generator, count: int, *, first_id: int) -> list[dict]:
    rows = []
    for i in range(count):
        parties = list(rng.choice(NAMES, size=int(rng.integers(1, 4))))
        countries = [HOMES[int(rng.integers(0, len(HOMES)))] for _ in parties]
        rows.append(deal(first_id + i, parties, countries, "licensing", f"20{10 + i % 9}"))
    return rows


def _spliced(rng: np.random.Generator, old: pd.DataFrame, added: pd.DataFrame):
    """``old`` with some rows dropped and ``added`` put in between, the kept rows in
    their order (as ``atlas.incremental`` splices), and where each row came from."""
    kept = np.flatnonzero(rng.random(len(old)) > rng.choice([0.02, 0.3, 1.0]))
    new = len(old) + np.arange(len(added))
    places = np.sort(rng.choice(len(kept) + len(new), size=len(new), replace=False))
    taken = np.empty(len(kept) + len(new), dtype=np.int64)
    is_new = np.zeros(len(taken), dtype=bool)
    is_new[places] = True
    taken[is_new], taken[~is_new] = new, kept
    joined = pd.concat([old, added], ignore_index=True)
    return joined.iloc[taken].reset_index(drop=True), taken


@pytest.mark.parametrize("seed", range(8))
def test_the_carried_index_equals_the_index_read_again(seed):
    rng = np.random.default_rng(seed)
    old = frame(*_deals(rng, 60, first_id=0))
    index = DealIndex(old)
    read_before = COLUMNS[: 1 + seed % 3]  # the columns a page had asked for
    for column in read_before:
        index.distinct_lists(column)
    if seed % 2 == 0:
        index.party_names(np.arange(len(old)))  # the parties' occurrences read
    added = frame(*_deals(rng, int(rng.integers(0, 10)), first_id=1000))
    if seed % 4 < 2:  # a list no row had before, a party no row named, a blank party
        added.loc[len(added)] = deal(2000, ["Org 77", "Org 1"], ["Peru", None], "licensing")
        added.loc[len(added)] = deal(2001, ["Org 2", None, "Org 2"], [None, None], "licensing")
    new, taken = _spliced(rng, old, added)
    carried = index.carried(new, taken=taken, before=len(old))
    fresh = DealIndex(new)
    for column in COLUMNS:
        if column not in read_before:
            assert carried._carried_lists(column) is None  # read when asked, as before
            continue
        codes, lists = carried._carried_lists(column)  # made from the index before
        assert carried.distinct_lists(column)[1] == lists  # what a page asking is given
        expected_codes, expected_lists = fresh.distinct_lists(column)
        assert lists == expected_lists
        assert codes.tolist() == expected_codes.tolist()
    if seed % 2 == 0:
        rows, codes, names = carried._carried_occurrences()  # made from the index before
        assert carried._party_occurrences[2] == names  # what a page asking is given
        expected_rows, expected_codes, expected_names = fresh._party_occurrences
        assert names == expected_names
        assert rows.tolist() == expected_rows.tolist()
        assert codes.tolist() == expected_codes.tolist()
    for share in (0.0, 0.5, 1.0):
        rows = np.flatnonzero(rng.random(len(new)) < share)
        assert carried.party_names(rows) == fresh.party_names(rows)
        pd.testing.assert_frame_equal(carried.deals_by_country(rows), fresh.deals_by_country(rows))
        pd.testing.assert_frame_equal(carried.country_pairs(rows), fresh.country_pairs(rows))
    for setting in (DealFilters(countries=("Japan",)), DealFilters(organisations=("Org 1",))):
        assert carried.positions(setting).tolist() == fresh.positions(setting).tolist()
    with pytest.raises(ValueError):
        index.carried(new, taken=taken, before=len(old) + 1)
