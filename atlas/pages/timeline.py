"""The Timeline page's figures and lists for one filter setting."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from atlas.figures import timeline as timeline_figures
from atlas.figures.timeline import (
    build_period_counts_figure,
    build_period_values_figure,
    build_timeline_figure,
    disclosed_count,
    latest_rows_of,
    swimlane_figure,
    swimlane_rows,
    too_coarse_for,
    undated_deals,
)
from atlas.pages import KeptDeals


def dated_and_undated(kept: KeptDeals) -> tuple[int, pd.DataFrame]:
    """How many kept deals have a date, and the undated ones (listed under the chart)."""
    dated = kept.dated_rows()
    undated = kept.rows[~kept.index.dated[kept.rows]]
    return len(dated), undated_deals(kept.index.take(undated))


def timeline_chart(kept: KeptDeals, presenter: bool) -> tuple[go.Figure, int]:
    """The chart of the pairs that dealt most recently, and how many deals it draws."""
    shown = latest_rows_of(kept.index, kept.rows)
    return build_timeline_figure(shown, presenter=presenter), len(shown)


def period_chart(deals: pd.DataFrame, period: str, presenter: bool) -> tuple[go.Figure, int]:
    """Deals counted per ``period``, and how many are dated too coarsely to count."""
    # Both count only dated deals: no copy of the dated ones is made first.
    figure = build_period_counts_figure(deals, period=period, presenter=presenter)
    return figure, too_coarse_for(deals, period)


def value_chart(deals: pd.DataFrame, period: str, presenter: bool) -> tuple[go.Figure, int]:
    """Disclosed deal value per ``period``, and how many deals disclose one."""
    figure = build_period_values_figure(deals, period=period, presenter=presenter)
    return figure, disclosed_count(deals)


def lane_choices(kept: KeptDeals) -> tuple[list[str], list[str]]:
    """Organisations of the dated deals, and the five with most dated deals
    (``party_names`` and ``default_swimlanes`` of the dated deals)."""
    dated = kept.dated_rows()
    index = kept.index
    return index.party_names(dated), index.most_active(dated, 5)["organisation"].tolist()


def swimlanes(
    kept: KeptDeals, lanes: tuple[str, ...], presenter: bool
) -> tuple[go.Figure, list[str]]:
    """The swimlane chart, and the organisations with more deals than a lane draws."""
    index = kept.index
    # Only the dated deals of the chosen organisations are read (swimlane_rows keeps no other).
    theirs = index.take(index.rows_with_parties(kept.dated_rows(), lanes))
    rows = swimlane_rows(theirs, list(lanes))
    counts = rows["party"].value_counts()
    most = timeline_figures.MAX_LANE_DEALS  # read at the call: tests lower it
    crowded = [name for name in lanes if counts.get(name, 0) > most]
    figure = swimlane_figure(rows, list(lanes), presenter=presenter, max_per_lane=most)
    return figure, crowded
