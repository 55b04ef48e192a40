"""The prepared tables are frozen out of the cycle collector's walks (components.data);
what dies in a reference cycle meanwhile must still be freed when an edit makes a new
frame, or every correction leaks the figures and graphs of the frame before."""

from __future__ import annotations

import gc
import weakref

import pandas as pd

from components import data


class _Node:
    """An object in a reference cycle: freed only by the cycle collector."""

    def __init__(self) -> None:
        self.me = self


def test_a_new_frame_frees_what_died_in_a_cycle_since_the_last_freeze(monkeypatch):
    tables = {"now": (pd.DataFrame({"a": [1]}), pd.DataFrame(), ("store", 1))}
    monkeypatch.setattr(data, "_corrected", lambda key: tables["now"])
    monkeypatch.setattr(data, "_frozen", [None])
    threshold = gc.get_threshold()
    try:
        node = _Node()
        gone = weakref.ref(node)
        data._frozen_tables(None)  # the first frame: everything alive is frozen
        del node
        gc.collect()
        assert gone() is not None  # frozen: out of the collector's reach
        data._frozen_tables(None)  # the same frame again: nothing changes
        assert gone() is not None
        tables["now"] = (pd.DataFrame({"a": [2]}), pd.DataFrame(), ("store", 2))
        data._frozen_tables(None)  # an edit's new frame: thawed and collected first
        assert gone() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
