"""The Overview page's figures for a set of deals: the tiles' counts, the span of
years, the latest deals and the two charts (pure pandas and plotly); and the line
saying how the last ingest went."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from atlas.consolidate import source_article_ids
from atlas.figures.overview import build_most_active_figure, build_type_mix_figure
from atlas.query import latest_first
from atlas.safe_text import markdown_text

LATEST_DEALS = 10


@dataclass(frozen=True)
class OverviewSummary:
    organisations: int  # distinct parties
    deals: int
    countries: int  # distinct countries named by the deals
    span: str  # "2024–2025", "2025", or "–" when no deal is dated
    articles: int  # articles the deals come from
    latest: pd.DataFrame  # the newest ``LATEST_DEALS`` deals


def year_span(deal_dates: pd.Series) -> str:
    """ "2024–2025" for the years of the (ISO text) dates, "2025" when every one is of
    one year; "–" when there is none."""
    dated = deal_dates.dropna()
    if not len(dated):
        return "–"
    first, last = dated.min()[:4], dated.max()[:4]
    return first if first == last else f"{first}–{last}"


def overview_summary(deals: pd.DataFrame) -> OverviewSummary:
    """The tiles' figures and the latest deals for ``deals``."""
    return OverviewSummary(
        organisations=len({p for parties in deals["parties"] for p in parties}),
        deals=len(deals),
        countries=len({c for values in deals["countries"] for c in values}),
        span=year_span(deals["deal_date"]),
        articles=len(source_article_ids(deals)),
        latest=latest_first(deals, LATEST_DEALS),
    )


def overview_figures(deals: pd.DataFrame, presenter: bool) -> tuple[go.Figure, go.Figure]:
    """The deal-type mix and the most active organisations, drawn for ``presenter``
    mode or not."""
    return (
        build_type_mix_figure(deals, presenter=presenter),
        build_most_active_figure(deals, presenter=presenter),
    )


def last_ingest_markdown(run: Mapping[str, Any]) -> str:
    """The last ingest run (``store.last_run``) in one line of Streamlit markdown:
    "Last ingest 2026-05-01T10:00:00 (interrupted): 5 new, 0 re-extracted, ..."."""
    return (
        f"Last ingest {markdown_text(run['started_at'])}"
        # A run killed or stopped midway counts what it stored, and says it stopped.
        + {"interrupted": " (interrupted)", "running": " (still running)"}.get(run["status"], "")
        + f": {run['ingested']} new, {run['updated']} re-extracted, "
        f"{run['duplicates']} duplicates skipped, {run['rejected']} rejected."
    )
