"""Overview figure builders on hand-made frames."""

from __future__ import annotations

import pandas as pd

from atlas.figures.overview import build_most_active_figure, build_type_mix_figure
from atlas.figures.style import type_colour


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "deal_id": [1, 2, 3],
            "type": ["licensing", "licensing", "joint venture"],
            "parties": [["A<b>x</b>", "B"], ["A<b>x</b>", "C"], ["B", "C"]],
        }
    )


def test_type_mix_counts_and_colours():
    bar = build_type_mix_figure(frame()).data[0]
    assert list(bar.y) == ["joint venture", "licensing"] and list(bar.x) == [1, 2]
    assert list(bar.marker.color) == [type_colour("joint venture"), type_colour("licensing")]


def test_most_active_escapes_names_and_puts_the_busiest_on_top():
    bar = build_most_active_figure(frame(), n=2).data[0]
    assert bar.y[-1] == "A&lt;b&gt;x&lt;/b&gt;" and bar.x[-1] == 2
    assert all("<b>" not in label for label in bar.y)


def test_empty_frames_draw_empty_figures():
    empty = frame().iloc[0:0]
    assert len(build_type_mix_figure(empty).data[0].x) == 0
    assert len(build_most_active_figure(empty).data[0].x) == 0
