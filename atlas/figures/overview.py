"""Overview figures: the deal-type mix and the most active organisations."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from atlas.figures.style import font_size, type_colour
from atlas.query import most_active


def build_type_mix_figure(deals: pd.DataFrame, *, presenter: bool = False) -> go.Figure:
    """Horizontal bars: number of deals per type, most frequent on top."""
    counts = deals["type"].value_counts().sort_values() if len(deals) else pd.Series(dtype=int)
    figure = go.Figure(
        go.Bar(
            x=counts.to_numpy(),
            y=list(counts.index),
            orientation="h",
            marker_color=[type_colour(t) for t in counts.index],
            hovertemplate="%{y}: %{x} deals<extra></extra>",
        )
    )
    figure.update_layout(
        title="Deal types",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=max(220, 40 * len(counts) + 80),
        font={"size": font_size(presenter)},
        xaxis_title="deals",
    )
    return figure


def build_most_active_figure(
    deals: pd.DataFrame, *, n: int = 10, presenter: bool = False
) -> go.Figure:
    """Horizontal bars: the ``n`` organisations with the most deals."""
    top = most_active(deals, n).iloc[::-1]
    figure = go.Figure(
        go.Bar(
            x=top["deals"].to_numpy(),
            y=top["organisation"].tolist(),
            orientation="h",
            marker_color="#0072B2",
            hovertemplate="%{y}: %{x} deals<extra></extra>",
        )
    )
    figure.update_layout(
        title="Most active organisations",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=max(220, 32 * len(top) + 80),
        font={"size": font_size(presenter)},
        xaxis_title="deals",
    )
    return figure
