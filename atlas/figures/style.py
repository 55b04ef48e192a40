"""Colours shared by every figure: one colour per deal type, readable on a projector."""

from __future__ import annotations

from atlas.models import DEAL_TYPES

# Okabe-Ito based palette: distinguishable for colour-blind viewers and on projectors.
TYPE_COLOURS = dict(
    zip(
        DEAL_TYPES,
        [
            "#0072B2",
            "#E69F00",
            "#009E73",
            "#D55E00",
            "#CC79A7",
            "#56B4E9",
            "#000000",
            "#F0E442",
            "#999999",
        ],
        strict=True,
    )
)


def type_colour(deal_type: str) -> str:
    return TYPE_COLOURS.get(deal_type, "#999999")


def font_size(presenter: bool) -> int:
    return 20 if presenter else 13
