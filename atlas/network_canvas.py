"""Where the network's dots and labels go on a canvas of known size (pure geometry).

vis-network zooms a drawing out until all of it fits the canvas (its ``fit``), so a
layout wider than the canvas shrinks every label with it: 86 organisations laid out
a label's width apart came out at a scale of 0.23, their 24 px labels 5.5 px on a
1920x1080 projector. Here the layout is sized to the canvas first, so the drawing
starts at a scale of about 1 and a label's font size is its size on screen; then
labels are given, largest organisation first, to the dots whose label has room, so
no two drawn labels overlap. The others show their name when zoomed in, and always
in their tooltip. In a crowded drawing (hundreds of organisations) the dots shrink
with the room between neighbours, as the old zoomed-out drawing shrank them.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

# vis-network's fit() leaves this much room around the drawing (its range x 1.1).
FIT_MARGIN = 1.1
# Character widths over the font size (Arial / Liberation Sans, measured in Chromium:
# lower case 0.49 on average, capitals 0.68, digits 0.56, a space 0.28), rounded up
# so an estimate errs towards fewer labels; wide (CJK) characters are 1.
SPACE_EM = 0.28
LINE_HEIGHT_EM = 1.25
# Gap between a dot and its label (vis-network draws it just under the dot).
LABEL_GAP_PX = 3.0
# Labels are kept this far apart, so neighbouring names do not read as one.
LABEL_PADDING_PX = 6.0
# The smallest dot's radius is at most this share of the distance between neighbours.
DOT_ROOM = 0.2


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


def _char_em(char: str) -> float:
    if char.islower() and char.isascii():
        return 0.52
    if char.isupper() and char.isascii():
        return 0.70
    if char.isdigit() and char.isascii():
        return 0.56
    if char.isascii():
        return 0.40  # punctuation
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.62


def label_extent(text: str, *, font_px: float, wrap_px: float) -> tuple[float, float]:
    """Width and height in pixels of a label drawn at ``font_px``, its words wrapped
    to lines of at most ``wrap_px`` (vis-network's ``widthConstraint.maximum``)."""
    space = SPACE_EM * font_px
    lines: list[float] = []
    for word in str(text).split() or [""]:
        width = sum(_char_em(char) for char in word) * font_px
        if lines and lines[-1] + space + width <= wrap_px:
            lines[-1] += space + width
        else:
            lines.append(width)
    return min(max(lines), wrap_px), len(lines) * LINE_HEIGHT_EM * font_px


def _largest_scale(
    coords: list[float], before: list[float], after: list[float], room: float, cap: float
) -> float:
    """The largest scale s <= ``cap`` at which points ``coords`` x s, each reaching
    ``before`` below and ``after`` above itself, span at most ``room`` (found by
    bisection: the span grows with s)."""

    def span(scale: float) -> float:
        return max(c * scale + a for c, a in zip(coords, after, strict=True)) - min(
            c * scale - b for c, b in zip(coords, before, strict=True)
        )

    if span(0.0) >= room:
        return 0.0
    high = cap if math.isfinite(cap) else 1.0
    while not math.isfinite(cap) and span(high) < room:
        high *= 2
    if span(high) <= room:
        return high
    low = 0.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if span(middle) <= room else (low, middle)
    return low


def _axes(positions: Mapping[str, tuple[float, float]], reach: Mapping) -> tuple:
    """The organisations in order, their x and y (y downwards, as on the canvas), and
    how far each reaches left, right, up and down."""
    names = list(positions)
    xs = [positions[n][0] for n in names]
    ys = [-positions[n][1] for n in names]
    return names, xs, ys, tuple([reach[n][i] for n in names] for i in range(4))


def canvas_scales(
    positions: Mapping[str, tuple[float, float]],
    reach: Mapping[str, tuple[float, float, float, float]],
    *,
    width_px: float,
    height_px: float,
    max_spacing: float,
    max_stretch: float = 3.0,
) -> tuple[float, float]:
    """Pixels per layout unit across and down for ``fit_positions`` (same arguments)."""
    if not positions:
        return max_spacing * max_stretch, max_spacing
    _names, xs, ys, (left, right, up, down) = _axes(positions, reach)
    scale_y = _largest_scale(ys, up, down, height_px / FIT_MARGIN, max_spacing)
    scale_x = _largest_scale(xs, left, right, width_px / FIT_MARGIN, scale_y * max_stretch)
    return scale_x, scale_y


def dot_shrink(spacing_px: float, smallest_radius: float) -> float:
    """How much to shrink every dot (1: not at all) so the smallest takes at most
    ``DOT_ROOM`` of the room between neighbours ``spacing_px`` apart: in a crowded
    drawing, dots keep their relative sizes without covering each other."""
    if smallest_radius <= 0:
        return 1.0
    return min(1.0, DOT_ROOM * spacing_px / smallest_radius)


def fit_positions(
    positions: Mapping[str, tuple[float, float]],
    reach: Mapping[str, tuple[float, float, float, float]],
    *,
    width_px: float,
    height_px: float,
    max_spacing: float,
    max_stretch: float = 3.0,
) -> dict[str, tuple[float, float]]:
    """Layout coordinates (``atlas.graph.layout_positions``: neighbours about one
    unit apart, y upwards) in canvas pixels (y downwards), scaled so the drawing
    fits a ``width_px`` x ``height_px`` canvas at vis-network's starting zoom, and
    centred there. ``reach``: how far each organisation's dot and label reach
    left, right, up and down of its centre, in pixels. Neighbours are at most
    ``max_spacing`` apart (a small network stays compact); across, they may be
    spread up to ``max_stretch`` times more than down, since labels are wider
    than tall and canvases wider than high."""
    if not positions:
        return {}
    names, xs, ys, (left, right, up, down) = _axes(positions, reach)
    scale_x, scale_y = canvas_scales(
        positions,
        reach,
        width_px=width_px,
        height_px=height_px,
        max_spacing=max_spacing,
        max_stretch=max_stretch,
    )
    # Centre the drawing with everything it reaches (vis-network centres the same way).
    shift_x = (
        max(x * scale_x + r for x, r in zip(xs, right, strict=True))
        + min(x * scale_x - r for x, r in zip(xs, left, strict=True))
    ) / 2
    shift_y = (
        max(y * scale_y + d for y, d in zip(ys, down, strict=True))
        + min(y * scale_y - u for y, u in zip(ys, up, strict=True))
    ) / 2
    return {
        name: (round(x * scale_x - shift_x, 1), round(y * scale_y - shift_y, 1))
        for name, x, y in zip(names, xs, ys, strict=True)
    }


def reach(radius: float, extent: tuple[float, float]) -> tuple[float, float, float, float]:
    """How far a dot of ``radius`` with its label (``extent``: width, height)
    underneath reaches left, right, up and down of its centre."""
    width, height = extent
    across = max(radius, width / 2)
    return across, across, radius, radius + LABEL_GAP_PX + height


def choose_labels(
    positions: Mapping[str, tuple[float, float]],
    radii: Mapping[str, float],
    extents: Mapping[str, tuple[float, float]],
    *,
    order: Iterable[str],
) -> set[str]:
    """The organisations whose label is drawn (under or over its dot, see
    ``label_sides``)."""
    return set(label_sides(positions, radii, extents, order=order))


def label_sides(
    positions: Mapping[str, tuple[float, float]],
    radii: Mapping[str, float],
    extents: Mapping[str, tuple[float, float]],
    *,
    order: Iterable[str],
) -> dict[str, str]:
    """The organisations whose label is drawn, and where: ``"below"`` its dot (where
    vis-network draws it) or, when there is no room there, ``"above"`` (drawn there by
    an offset), but only within the height the drawing already takes, so it is never cut
    off. In ``order`` (most important first), each whose label box (``extents`` wide
    and high) overlaps no label given before it, no dot of a labelled organisation and
    no dot as big as its own (a hub's name may cover its small partners, a small one's
    may not), and whose dot no given label covers. ``positions`` are canvas pixels, y
    downwards."""
    names = list(positions)
    centres = np.array([positions[n] for n in names], dtype=float).reshape(-1, 2)
    sizes = np.array([radii[n] for n in names], dtype=float)
    index = {name: i for i, name in enumerate(names)}
    top = float((centres[:, 1] - sizes).min()) if len(names) else 0.0
    chosen: dict[str, str] = {}
    taken: list[Box] = []  # labels given, and the dots of labelled organisations
    pad = LABEL_PADDING_PX / 2
    for name in order:
        x, y = positions[name]
        radius = radii[name]
        width, height = extents[name]
        dot = Box(x - radius, y - radius, x + radius, y + radius)
        if any(dot.overlaps(box) for box in taken):
            continue
        below = y + radius + LABEL_GAP_PX
        above = y - radius - LABEL_GAP_PX - height
        for side, label_top in (("below", below), ("above", above)):
            if side == "above" and label_top - pad < top:
                continue
            label = Box(
                x - width / 2 - pad, label_top - pad, x + width / 2 + pad, label_top + height + pad
            )
            if any(label.overlaps(box) for box in taken):
                continue
            covered = (
                (centres[:, 0] - sizes < label.right)
                & (label.left < centres[:, 0] + sizes)
                & (centres[:, 1] - sizes < label.bottom)
                & (label.top < centres[:, 1] + sizes)
                & (sizes >= radius)
            )
            covered[index[name]] = False
            if covered.any():
                continue
            chosen[name] = side
            taken.extend((label, dot))
            break
    return chosen


def above_offset(radius: float, extent: tuple[float, float]) -> float:
    """vis-network's ``font.vadjust`` that moves a label from under a dot of ``radius``
    to over it (negative: upwards)."""
    return -round(2 * radius + 2 * LABEL_GAP_PX + extent[1], 1)
