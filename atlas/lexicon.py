"""Editable lexicons: organisations, countries, therapeutic areas and deal triggers.

Every list the extractor relies on lives in a CSV under ``data/lexicon/`` so a
user can extend it without touching code. This module only parses them.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LEXICON_DIR = PROJECT_ROOT / "data" / "lexicon"


def lexicon_dir() -> Path:
    """The lexicon folder: ``ATLAS_LEXICON_DIR`` if set, else ``data/lexicon``."""
    return Path(os.environ.get("ATLAS_LEXICON_DIR") or DEFAULT_LEXICON_DIR)


@dataclass(frozen=True)
class OrganisationEntry:
    name: str
    aliases: tuple[str, ...]
    country: str | None
    kind: str


@dataclass(frozen=True)
class AreaEntry:
    label: str
    kind: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class TriggerEntry:
    """A phrase that states a deal, e.g. ``joint venture`` -> ``joint venture``.

    ``pattern`` is written in lemmas, space separated, so ``acquire`` covers
    acquired/acquires/acquiring. ``role`` is ``noun`` when the phrase names the
    agreement (``licence agreement``) and ``verb`` when it is the act
    (``acquire``); verbs need an organisation as their syntactic argument.
    """

    pattern: str
    type: str
    role: str
    strength: float


@dataclass
class Lexicon:
    organisations: list[OrganisationEntry] = field(default_factory=list)
    countries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    places: dict[str, tuple[str, ...]] = field(default_factory=dict)
    areas: list[AreaEntry] = field(default_factory=list)
    triggers: list[TriggerEntry] = field(default_factory=list)
    hedges: tuple[str, ...] = ()
    non_organisations: tuple[str, ...] = ()
    fingerprint: str = ""

    @cached_property
    def country_by_term(self) -> dict[str, str]:
        """Every country name, alias and adjective (case-sensitive) -> country."""
        table: dict[str, str] = {}
        for country, aliases in self.countries.items():
            table[country] = country
            for alias in aliases:
                table.setdefault(alias, country)
        return table

    @cached_property
    def country_by_place(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for country, places in self.places.items():
            for place in places:
                table.setdefault(place, country)
        return table


def _split(cell: str | None) -> tuple[str, ...]:
    if not cell:
        return ()
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(row for row in handle if not row.lstrip().startswith("#"))
        ]


def _lines(path: Path) -> tuple[str, ...]:
    if not path.exists():
        return ()
    text = path.read_text(encoding="utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def load_lexicon(directory: str | os.PathLike | None = None) -> Lexicon:
    """Read every lexicon file in ``directory`` (missing files give empty lists)."""
    folder = Path(directory) if directory else lexicon_dir()
    digest = hashlib.sha1()
    for path in sorted(folder.glob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    lexicon = Lexicon(fingerprint=digest.hexdigest()[:12])
    for row in _rows(folder / "organisations.csv"):
        if row.get("name"):
            lexicon.organisations.append(
                OrganisationEntry(
                    name=row["name"],
                    aliases=_split(row.get("aliases")),
                    country=row.get("country") or None,
                    kind=row.get("kind") or "company",
                )
            )
    for row in _rows(folder / "countries.csv"):
        if row.get("country"):
            lexicon.countries[row["country"]] = _split(row.get("aliases"))
            lexicon.places[row["country"]] = _split(row.get("places"))
    for row in _rows(folder / "therapeutic_areas.csv"):
        if row.get("label"):
            lexicon.areas.append(
                AreaEntry(row["label"], row.get("kind") or "area", _split(row.get("terms")))
            )
    for row in _rows(folder / "deal_triggers.csv"):
        if row.get("pattern") and row.get("type"):
            lexicon.triggers.append(
                TriggerEntry(
                    pattern=row["pattern"],
                    type=row["type"],
                    role=row.get("role") or "noun",
                    strength=float(row.get("strength") or 0.7),
                )
            )
    lexicon.hedges = _lines(folder / "hedges.txt")
    lexicon.non_organisations = _lines(folder / "non_organisations.txt")
    return lexicon


class LexiconError(ValueError):
    """A lexicon edit that cannot be made, with a reason for the user."""


def add_organisation_entry(
    name: str,
    *,
    aliases: list[str] | tuple[str, ...] = (),
    country: str | None = None,
    kind: str = "company",
    directory: str | os.PathLike | None = None,
) -> OrganisationEntry:
    """Append an organisation to ``organisations.csv``; refuses a name or alias
    that already belongs to another entry (case-insensitive)."""
    from atlas.models import ORG_KINDS

    folder = Path(directory) if directory else lexicon_dir()
    clean = " ".join(name.split())
    forms = [clean, *(" ".join(a.split()) for a in aliases if a.strip())]
    if not clean or any(c in clean for c in "\n\r|"):
        raise LexiconError("the name is empty or contains a line break or '|'")
    if any("|" in f or "\n" in f for f in forms):
        raise LexiconError("an alias contains '|' or a line break")
    if kind not in ORG_KINDS:
        raise LexiconError(f"kind must be one of {', '.join(ORG_KINDS)}")
    existing = load_lexicon(folder)
    if country and existing.countries and country not in existing.countries:
        raise LexiconError(f"unknown country {country!r} (use the names in countries.csv)")
    taken = {f.casefold(): e.name for e in existing.organisations for f in (e.name, *e.aliases)}
    for form in forms:
        if form.casefold() in taken:
            raise LexiconError(f"{form!r} is already in the lexicon as {taken[form.casefold()]!r}")
    entry = OrganisationEntry(clean, tuple(forms[1:]), country or None, kind)
    path = folder / "organisations.csv"
    new_file = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as handle:
        if not new_file and path.stat().st_size and not path.read_bytes().endswith(b"\n"):
            handle.write("\n")
        writer = csv.writer(handle)
        if new_file:
            writer.writerow(["name", "aliases", "country", "kind"])
        writer.writerow([entry.name, "|".join(entry.aliases), entry.country or "", entry.kind])
    return entry
