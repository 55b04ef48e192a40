"""What each dashboard page computes from the deals a filter setting keeps.

Plain functions, Streamlit-free and tested on their own: a page script in ``views/``
only hands them to ``components.data`` (which computes each once per store, filter
setting and arguments) and draws what they return. Functions whose first argument is
a ``KeptDeals`` read the setting's deals through the prepared frame's index
(``atlas.query.DealIndex``) instead of a copy of the filtered rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from atlas.query import DealIndex

T = TypeVar("T")


@dataclass(frozen=True)
class KeptDeals:
    """The deals one filter setting keeps: the prepared frame's index and the row
    positions the setting keeps (``index.take(rows)`` is the filtered frame), and the
    organisations table the deals name. Read-only, shared by every caller."""

    index: DealIndex
    rows: np.ndarray
    organisations: pd.DataFrame
    # What several functions of one setting share (the Countries page's country pairs).
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def memo(self, name: str, make: Callable[[], T]) -> T:
        """``make()``, once per ``name`` for these kept deals (read-only)."""
        if name not in self._memo:
            self._memo[name] = make()
        return self._memo[name]

    def frame(self) -> pd.DataFrame:
        """The kept deals as a frame (a new one per call: take only what is needed)."""
        return self.index.take(self.rows)

    def dated_rows(self) -> np.ndarray:
        return self.index.dated_rows(self.rows)

    def has_column(self, column: str) -> bool:
        """Does the prepared frame have ``column`` (tables read from older stores may not)?"""
        return column in self.index.take(self.rows[:0]).columns
