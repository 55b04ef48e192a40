"""The Countries page's figures and tables for one filter setting."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from atlas.figures.countries import (
    across_borders_note,
    build_choropleth_figure,
    build_country_bars_figure,
    build_country_matrix_figure,
    build_country_sankey_figure,
    country_deals,
    country_organisations,
    cross_border_pairs,
)
from atlas.pages import KeptDeals


def by_country(kept: KeptDeals) -> pd.DataFrame:
    """``deals_by_country`` of the kept deals, from the frame's index."""
    return kept.memo("deals_by_country", lambda: kept.index.deals_by_country(kept.rows))


def country_map(kept: KeptDeals, presenter: bool) -> go.Figure:
    """The map of deals per country."""
    return build_choropleth_figure(by_country(kept), presenter=presenter)


def country_bars(kept: KeptDeals, presenter: bool) -> go.Figure:
    """Deals per country as bars (drawn when the map's shapes are not served)."""
    return build_country_bars_figure(by_country(kept), presenter=presenter)


def country_pairs_of(kept: KeptDeals) -> pd.DataFrame:
    """``cross_border_pairs`` of the kept deals (from the index when the frame has
    the parties' home countries)."""
    if not kept.has_column("party_countries"):
        return kept.memo("country_pairs", lambda: cross_border_pairs(kept.frame()))
    return kept.memo("country_pairs", lambda: kept.index.country_pairs(kept.rows))


def across_borders(kept: KeptDeals, presenter: bool) -> tuple[go.Figure, go.Figure, str | None]:
    """The matrix and the flows of the kept deals' country pairs, and what they leave out."""
    pairs = country_pairs_of(kept)
    return (
        build_country_matrix_figure(pairs, presenter=presenter),
        build_country_sankey_figure(pairs, presenter=presenter),
        across_borders_note(pairs),
    )


def one_country(kept: KeptDeals, focus: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The organisations based in ``focus`` with their deal counts, and the deals
    involving it."""
    if not kept.has_column("party_countries"):
        deals = kept.frame()
        return country_organisations(deals, focus), country_deals(deals, focus)
    # Only the deals involving it are read (equal to reading them all: tests).
    index, rows = kept.index, kept.rows
    based = index.take(index.rows_of_country(rows, focus, homes_only=True))
    return country_organisations(based, focus), index.take(index.rows_of_country(rows, focus))


def pair_choices(kept: KeptDeals) -> tuple[list[str], tuple[str, str] | None]:
    """Countries that appear in a pair of the kept deals, and the busiest cross-border
    pair (None when there is none)."""
    pairs = country_pairs_of(kept)  # counted once per setting, with across_borders
    cross = pairs[pairs["source"] != pairs["target"]].sort_values("deals", ascending=False)
    names = sorted(set(pairs["source"]) | set(pairs["target"]))
    busiest = (str(cross.iloc[0]["source"]), str(cross.iloc[0]["target"])) if len(cross) else None
    return names, busiest


def deals_between(kept: KeptDeals, first: str, second: str) -> pd.DataFrame:
    """The kept deals between parties based in ``first`` and ``second``."""
    return kept.index.deals_between_countries(kept.rows, first, second)
