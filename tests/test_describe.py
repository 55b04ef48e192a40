"""The active filters line and the download file names (atlas.describe, pure)."""

from __future__ import annotations

from datetime import date

import pytest

from atlas.describe import filters_line, money_label, network_file_name, slug
from atlas.query import DealFilters


@pytest.mark.parametrize(
    ("filters", "line"),
    [
        # Nothing set: the audience is told it sees everything.
        (DealFilters(), "All deals"),
        (
            DealFilters(
                types=("licensing",), countries=("Japan", "South Korea"), date_from="2025-01-01"
            ),
            "Filtered to: from 2025-01-01; deal type licensing; countries Japan, South Korea",
        ),
        # A range with undated deals brought back in says so.
        (
            DealFilters(date_from="2025-10-01", date_to="2025-12-31", include_undated=True),
            "Filtered to: from 2025-10-01 to 2025-12-31; deals of unknown date included",
        ),
        # include_undated means nothing without a range (every deal counts then).
        (DealFilters(include_undated=True), "All deals"),
        (DealFilters(date_to="2024-06-30"), "Filtered to: up to 2024-06-30"),
        # "Between" reads as such, and only with two or more choices.
        (
            DealFilters(countries=("Japan", "South Korea"), countries_between=True),
            "Filtered to: deals between Japan and South Korea",
        ),
        (
            DealFilters(countries=("Japan",), countries_between=True),
            "Filtered to: country Japan",
        ),
        (
            DealFilters(organisations=("Astellas Pharma", "Eisai"), organisations_between=True),
            "Filtered to: deals between Astellas Pharma and Eisai",
        ),
        # Long lists are cut so the line stays one line.
        (
            DealFilters(organisations=tuple(f"Org {i}" for i in range(7))),
            "Filtered to: organisations Org 0, Org 1, Org 2, Org 3 and 3 more",
        ),
        (
            DealFilters(areas=("oncology",), min_confidence=0.5, min_value_usd=1e8),
            "Filtered to: area oncology; confidence at least 0.50; disclosed value at least $100M",
        ),
    ],
)
def test_filters_line(filters, line):
    assert filters_line(filters) == line


def test_the_line_keeps_names_as_they_are_for_the_caller_to_escape():
    line = filters_line(DealFilters(organisations=("<b>Evil</b> & Co",)))
    assert line == "Filtered to: organisation <b>Evil</b> & Co"


@pytest.mark.parametrize(
    ("value", "label"), [(0, "Any"), (1e6, "$1M"), (2.5e8, "$250M"), (1e9, "$1B"), (5e9, "$5B")]
)
def test_money_label(value, label):
    assert money_label(value) == label


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Astellas Pharma", "astellas-pharma"),
        # Punctuation and runs of spaces become one hyphen, none at the ends.
        ("Merck & Co., Inc.", "merck-co-inc"),
        # Accents fold to ASCII.
        ("Société Générale", "societe-generale"),
        # Nothing ASCII is left of a name in kanji.
        ("アステラス製薬", ""),
        # Markup and path characters cannot leave the name.
        ("../<script>x</script>", "script-x-script"),
    ],
)
def test_slug(name, expected):
    assert slug(name) == expected


def test_slug_is_capped_without_a_trailing_hyphen():
    assert slug("a" * 59 + " bcd", limit=60) == "a" * 59


def test_network_file_name_says_what_and_when():
    made = date(2026, 12, 3)
    assert (
        network_file_name("Astellas Pharma", made=made)
        == "partnership-atlas-network-astellas-pharma-2026-12-03.html"
    )
    assert (
        network_file_name(None, made=made)
        == "partnership-atlas-network-all-organisations-2026-12-03.html"
    )
    assert (
        network_file_name("アステラス製薬", made=made)
        == "partnership-atlas-network-organisation-2026-12-03.html"
    )
