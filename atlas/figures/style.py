"""Colours shared by every figure: one colour per deal type, readable on a projector."""

from __future__ import annotations

from atlas.models import DEAL_TYPES

# Okabe-Ito based palette: distinguishable for colour-blind viewers and on projectors.
TYPE_COLOURS = {
    "partnership/collaboration": "#0072B2",
    "licensing": "#E69F00",
    "joint venture": "#009E73",
    "acquisition/merger": "#D55E00",
    "equity investment/stake": "#CC79A7",
    "alliance/consortium": "#56B4E9",
    "settlement/litigation": "#000000",
    "supply/distribution/commercialisation": "#F0E442",
    "other": "#999999",
}
if set(TYPE_COLOURS) != set(DEAL_TYPES):
    raise AssertionError("TYPE_COLOURS must colour exactly the types of DEAL_TYPES")


def type_colour(deal_type: str) -> str:
    return TYPE_COLOURS.get(deal_type, "#999999")


def font_size(presenter: bool) -> int:
    return 20 if presenter else 13
