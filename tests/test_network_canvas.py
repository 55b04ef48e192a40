"""Sizing the network to its canvas and choosing which labels to draw (atlas.network_canvas)."""

from __future__ import annotations

import pytest

from atlas.network_canvas import (
    FIT_MARGIN,
    LABEL_GAP_PX,
    LINE_HEIGHT_EM,
    above_offset,
    choose_labels,
    dot_shrink,
    fit_positions,
    label_extent,
    label_sides,
    reach,
)


def test_a_short_label_is_one_line():
    width, height = label_extent("Eisai", font_px=20, wrap_px=220)
    assert 0 < width < 220
    assert height == pytest.approx(LINE_HEIGHT_EM * 20)


def test_a_long_label_wraps_at_the_width_limit():
    width, height = label_extent(
        "Korea Institute of Startup and Entrepreneurship Development", font_px=20, wrap_px=220
    )
    assert width <= 220
    assert height >= 3 * LINE_HEIGHT_EM * 20


def _extent_of(positions, reaches):
    left = min(x - reaches[n][0] for n, (x, _) in positions.items())
    right = max(x + reaches[n][1] for n, (x, _) in positions.items())
    top = min(y - reaches[n][2] for n, (_, y) in positions.items())
    bottom = max(y + reaches[n][3] for n, (_, y) in positions.items())
    return left, right, top, bottom


def test_a_large_layout_is_shrunk_to_fit_the_canvas_with_its_labels():
    # A 30 x 10 grid of organisations one unit apart: far more than 1,700 x 540 px
    # holds at a label's width apart, so it is scaled down to fit.
    layout = {f"org {i}-{j}": (float(i), float(j)) for i in range(30) for j in range(10)}
    reaches = {name: reach(12.0, (90.0, 25.0)) for name in layout}
    placed = fit_positions(layout, reaches, width_px=1700, height_px=540, max_spacing=300)
    left, right, top, bottom = _extent_of(placed, reaches)
    # What vis-network's fit() measures (the range x 1.1) fits: it starts at zoom 1.
    assert (right - left) * FIT_MARGIN <= 1700 + 0.5
    assert (bottom - top) * FIT_MARGIN <= 540 + 0.5
    # ... and fills it in one direction, centred on the origin.
    assert max((right - left) * FIT_MARGIN / 1700, (bottom - top) * FIT_MARGIN / 540) > 0.98
    assert (left + right) / 2 == pytest.approx(0, abs=0.5)
    assert (top + bottom) / 2 == pytest.approx(0, abs=0.5)
    # y grows downwards on the canvas.
    assert placed["org 0-9"][1] < placed["org 0-0"][1]


def test_a_small_layout_stays_compact():
    layout = {"A": (0.0, 0.0), "B": (1.0, 0.0)}
    reaches = {name: reach(10.0, (60.0, 20.0)) for name in layout}
    placed = fit_positions(layout, reaches, width_px=1700, height_px=540, max_spacing=250)
    assert placed["B"][0] - placed["A"][0] == pytest.approx(250 * 3.0)  # max_stretch across
    placed = fit_positions(
        layout, reaches, width_px=1700, height_px=540, max_spacing=250, max_stretch=1.0
    )
    assert placed["B"][0] - placed["A"][0] == pytest.approx(250)


def test_fit_positions_of_nothing():
    assert fit_positions({}, {}, width_px=100, height_px=100, max_spacing=10) == {}


def _labels(positions, radii, width=100.0, height=20.0, order=None):
    extents = {name: (width, height) for name in positions}
    return choose_labels(positions, radii, extents, order=order or list(positions))


@pytest.mark.parametrize(
    ("positions", "radii", "order", "expected"),
    [
        # Far apart: both labelled.
        ({"A": (0, 0), "B": (500, 0)}, {"A": 10, "B": 10}, ["A", "B"], {"A", "B"}),
        # Side by side, labels would overlap: only the first in order.
        ({"A": (0, 0), "B": (60, 0)}, {"A": 10, "B": 10}, ["B", "A"], {"B"}),
        # A dot as big sits where A's label goes: A's name would hide it.
        ({"A": (0, 0), "B": (0, 40)}, {"A": 10, "B": 10}, ["A", "B"], {"B"}),
        # A label never covers a labelled dot, even a smaller one.
        ({"A": (0, 0), "B": (0, 40)}, {"A": 10, "B": 6}, ["B", "A"], {"B"}),
        # A hub's label may cover a small partner's dot ...
        ({"Hub": (0, 0), "s": (0, 40)}, {"Hub": 30, "s": 6}, ["Hub"], {"Hub"}),
        # ... a small organisation's label may not cover a bigger dot.
        ({"s": (0, 0), "Hub": (0, 45)}, {"s": 6, "Hub": 30}, ["s"], set()),
    ],
)
def test_choose_labels(positions, radii, order, expected):
    positions = {n: (float(x), float(y)) for n, (x, y) in positions.items()}
    assert _labels(positions, radii, order=order) == expected


def test_a_label_goes_over_its_dot_when_there_is_no_room_under_it():
    # A's name would cover B's dot: it goes over A's dot instead, which stays inside the
    # height the drawing takes (T reaches higher).
    positions = {"A": (0.0, 100.0), "B": (0.0, 140.0), "T": (300.0, 0.0)}
    radii = {"A": 10, "B": 10, "T": 10}
    extents = {name: (100.0, 20.0) for name in positions}
    sides = label_sides(positions, radii, extents, order=["B", "A", "T"])
    assert sides == {"B": "below", "A": "above", "T": "below"}
    # Without T, over A would leave the drawing: A goes without a label.
    del positions["T"]
    assert label_sides(positions, radii, extents, order=["B", "A"]) == {"B": "below"}
    # The offset moves the label from under the dot to over it: two radii, two gaps and
    # the label's height.
    assert above_offset(10, (100.0, 20.0)) == -(20 + 2 * LABEL_GAP_PX + 20)


def test_choose_labels_follows_the_order_given():
    positions = {"A": (0.0, 0.0), "B": (60.0, 0.0), "C": (120.0, 0.0)}
    radii = {"A": 10, "B": 10, "C": 10}
    assert _labels(positions, radii, order=["A", "B", "C"]) == {"A", "C"}
    assert _labels(positions, radii, order=["B", "A", "C"]) == {"B"}


@pytest.mark.parametrize(
    ("spacing", "radius", "shrink"),
    [
        (200.0, 15.0, 1.0),  # room enough: dots keep their size
        (30.0, 15.0, 0.4),  # neighbours 30 px apart: the smallest dot becomes 6 px
        (30.0, 0.0, 1.0),  # no dot
    ],
)
def test_dots_shrink_when_neighbours_are_close(spacing, radius, shrink):
    assert dot_shrink(spacing, radius) == pytest.approx(shrink)


def test_label_widths_follow_the_letters():
    lower, _ = label_extent("abcdefgh", font_px=20, wrap_px=1000)
    upper, _ = label_extent("ABCDEFGH", font_px=20, wrap_px=1000)
    wide, _ = label_extent("アステラス製薬", font_px=20, wrap_px=1000)
    assert lower < upper
    assert wide == pytest.approx(7 * 20)
