"""What a view shows, in words: the active filters as one line, and download file names.

Plain text only: every caller escapes for its sink (``atlas.safe_text.markdown_text``
for Streamlit markdown, ``atlas.safe_text.html_text`` for a downloaded page)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from atlas.query import DealFilters

# A line the audience reads at a glance: long lists are cut here ("and 3 more").
MAX_LISTED = 4
NO_FILTERS = "All deals"


def money_label(value_usd: float) -> str:
    """$250M, $1B, $2.5B; "Any" for 0 (no threshold)."""
    if not value_usd:
        return "Any"
    return f"${value_usd / 1e9:g}B" if value_usd >= 1e9 else f"${value_usd / 1e6:g}M"


def _listed(values: tuple[str, ...], *, joiner: str = ", ") -> str:
    shown = list(values[:MAX_LISTED])
    if len(values) > MAX_LISTED:
        return f"{', '.join(shown)} and {len(values) - MAX_LISTED} more"
    return joiner.join(shown)


def _between(values: tuple[str, ...]) -> str:
    """ "Japan and South Korea", "A, B and C"."""
    if len(values) > MAX_LISTED:
        return _listed(values)
    return ", ".join(values[:-1]) + f" and {values[-1]}"


def filter_parts(filters: DealFilters) -> list[str]:
    """Each active filter in words, in the sidebar's order: dates, deal types,
    countries, areas, organisations, confidence, value."""
    parts = []
    if filters.date_from and filters.date_to:
        parts.append(f"from {filters.date_from} to {filters.date_to}")
    elif filters.date_from:
        parts.append(f"from {filters.date_from}")
    elif filters.date_to:
        parts.append(f"up to {filters.date_to}")
    if (filters.date_from or filters.date_to) and filters.include_undated:
        parts.append("deals of unknown date included")
    for values, between, one, many in (
        (filters.types, False, "deal type", "deal types"),
        (filters.countries, filters.countries_between, "country", "countries"),
        (filters.areas, False, "area", "areas"),
        (filters.organisations, filters.organisations_between, "organisation", "organisations"),
    ):
        if between and len(values) > 1:
            parts.append(f"deals between {_between(values)}")
        elif values:
            parts.append(f"{one if len(values) == 1 else many} {_listed(values)}")
    if filters.min_confidence:
        parts.append(f"confidence at least {filters.min_confidence:.2f}")
    if filters.min_value_usd:
        parts.append(f"disclosed value at least {money_label(filters.min_value_usd)}")
    return parts


def filters_line(filters: DealFilters) -> str:
    """The filters behind a view as one line under its title:
    "Filtered to: deal types licensing; countries Japan, South Korea; from 2025-01-01",
    or "All deals" when nothing is filtered."""
    parts = filter_parts(filters)
    return "Filtered to: " + "; ".join(parts) if parts else NO_FILTERS


def slug(text: str, *, limit: int = 60) -> str:
    """A file-name piece from a name: ASCII letters and digits joined by hyphens
    ("Astellas Pharma Inc." -> "astellas-pharma-inc", "Société Générale" ->
    "societe-generale"); empty when nothing ASCII is left (a name in kanji)."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:limit].rstrip("-")


def network_file_name(subject: str | None, *, made: date) -> str:
    """The downloaded network's file name: what it shows and the day it was made,
    ``partnership-atlas-network-astellas-pharma-2026-12-03.html``; the whole network
    (``subject`` None) is ``...-network-all-organisations-...``."""
    piece = slug(subject) if subject else "all-organisations"
    return f"partnership-atlas-network-{piece or 'organisation'}-{made.isoformat()}.html"
