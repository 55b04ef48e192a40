"""Overview figures: the deal-type mix and the most active organisations."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from atlas.figures.style import font_size, type_colour
from atlas.query import most_active
from atlas.safe_text import plotly_text


def _horizontal_bars(
    labels: list[str], values, *, colours, title: str, row_height: int, presenter: bool
) -> go.Figure:
    """Labelled horizontal bars, the first label at the bottom; labels are escaped
    because plotly renders a subset of HTML in axis and hover text."""
    figure = go.Figure(
        go.Bar(
            x=values,
            y=[plotly_text(str(label)) for label in labels],
            orientation="h",
            marker_color=colours,
            hovertemplate="%{y}: %{x} deals<extra></extra>",
        )
    )
    figure.update_layout(
        title=title,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=max(220, row_height * len(labels) + 80),
        font={"size": font_size(presenter)},
        xaxis_title="deals",
    )
    return figure


def build_type_mix_figure(deals: pd.DataFrame, *, presenter: bool = False) -> go.Figure:
    """Horizontal bars: number of deals per type, most frequent on top."""
    counts = deals["type"].value_counts().sort_values() if len(deals) else pd.Series(dtype=int)
    return _horizontal_bars(
        list(counts.index),
        counts.to_numpy(),
        colours=[type_colour(t) for t in counts.index],
        title="Deal types",
        row_height=40,
        presenter=presenter,
    )


def build_most_active_figure(
    deals: pd.DataFrame, *, n: int = 10, presenter: bool = False
) -> go.Figure:
    """Horizontal bars: the ``n`` organisations with the most deals."""
    top = most_active(deals, n).iloc[::-1]
    return _horizontal_bars(
        top["organisation"].tolist(),
        top["deals"].to_numpy(),
        colours="#0072B2",
        title="Most active organisations",
        row_height=32,
        presenter=presenter,
    )
