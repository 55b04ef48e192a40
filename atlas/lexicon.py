"""Editable lexicons: organisations, countries, therapeutic areas, deal triggers and word lists.

The lists a domain user would tune (organisations, countries, areas, deal phrases and
the named word lists) live in files under ``data/lexicon/``, so a user can extend them
without touching code; this module only parses them. Word lists that describe English
itself rather than the domain stay in code beside their use.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tomllib
from dataclasses import dataclass, field, fields
from functools import cache, cached_property
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LEXICON_DIR = PROJECT_ROOT / "data" / "lexicon"
WORD_LISTS_FILE = "word_lists.toml"


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

    ``pattern`` is lower-case words separated by spaces, each word a ``/``-separated
    list of the forms to match (``acquire/acquired/acquires``): matched on the text's
    lower case, not on lemmas, so every inflection wanted is written out. ``role`` is
    ``noun`` when the phrase names the agreement (``licence agreement``) and ``verb``
    when it is the act (``acquire``); verbs need an organisation as their syntactic
    argument.
    """

    pattern: str
    type: str
    role: str
    strength: float


@dataclass(frozen=True)
class WordLists:
    """The named lists of ``word_lists.toml``; the file's comments say what each does."""

    # Organisation names (atlas.nlp)
    org_suffixes: frozenset[str]
    institution_heads: frozenset[str]
    legal_suffixes: frozenset[str]
    name_stopwords: frozenset[str]
    product_nouns: frozenset[str]
    generic_heads: frozenset[str]
    unit_nouns: frozenset[str]
    months: frozenset[str]
    person_titles: frozenset[str]
    index_words: frozenset[str]
    name_joiners: frozenset[str]
    # Parties of a deal (atlas.rules)
    asymmetric_types: frozenset[str]
    party_prepositions: frozenset[str]
    reporting_verbs: frozenset[str]
    pronoun_subjects: frozenset[str]
    member_nouns: frozenset[str]
    # Deal statements (atlas.rules.triggers, atlas.extract)
    hedging_clause_verbs: frozenset[str]
    separate_agreement_cues: frozenset[str]
    headline_small_words: frozenset[str]
    # Reading the corpus (atlas.corpus)
    multiword_countries: frozenset[str]
    digest_name_stopwords: frozenset[str]
    # The learned decision layer (atlas.learn)
    reference_nouns: frozenset[str]
    name_descriptors: frozenset[str]
    cue_negation: frozenset[str]
    cue_termination: frozenset[str]
    cue_completion: frozenset[str]
    cue_talks: frozenset[str]
    cue_report: frozenset[str]
    cue_past: frozenset[str]
    cue_future: frozenset[str]
    cue_regulator: frozenset[str]
    cue_distributive: frozenset[str]
    cue_advisor: frozenset[str]
    subsidiary_nouns: frozenset[str]
    drug_name_endings: frozenset[str]
    cue_subsidiary: frozenset[str]
    # Terms, assets and status of a deal (atlas.terms)
    term_deal_nouns: frozenset[str]
    term_upfront_cues: frozenset[str]
    term_milestone_cues: frozenset[str]
    term_total_cues: frozenset[str]
    term_excluded_cues: frozenset[str]
    term_stake_words: frozenset[str]
    term_not_stake_words: frozenset[str]
    term_inn_stems: frozenset[str]
    term_inn_second_words: frozenset[str]
    term_platform_nouns: frozenset[str]
    term_name_cues: frozenset[str]
    term_code_exclusions: frozenset[str]
    term_asset_stop_words: frozenset[str]
    status_terminated_words: frozenset[str]
    status_completion_words: frozenset[str]
    status_transfer_verbs: frozenset[str]
    status_pending_words: frozenset[str]

    def cues(self) -> dict[str, frozenset[str]]:
        """The ``cue_*`` lists by their name without the prefix."""
        return {
            f.name.removeprefix("cue_"): getattr(self, f.name)
            for f in fields(self)
            if f.name.startswith("cue_")
        }


def _word_lists_table(path: Path) -> dict[str, frozenset[str]]:
    """The lists one TOML file defines, checked: a misspelt key would otherwise be
    ignored without a word while the bundled list it meant to replace stays in use."""
    try:
        with path.open("rb") as handle:
            table = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise LexiconError(f"{path}: {error}") from error
    known = {f.name for f in fields(WordLists)}
    lists: dict[str, frozenset[str]] = {}
    for key, value in table.items():
        if key not in known:
            raise LexiconError(f"{path}: unknown word list {key!r}")
        if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
            raise LexiconError(f"{path}: {key} must be a list of strings")
        lists[key] = frozenset(value)
    return lists


@cache
def bundled_word_lists() -> WordLists:
    """The word lists shipped in ``data/lexicon/`` (read once per process)."""
    table = _word_lists_table(DEFAULT_LEXICON_DIR / WORD_LISTS_FILE)
    missing = {f.name for f in fields(WordLists)} - set(table)
    if missing:
        raise LexiconError(f"the bundled {WORD_LISTS_FILE} lacks {', '.join(sorted(missing))}")
    return WordLists(**table)


def load_word_lists(directory: str | os.PathLike | None = None) -> WordLists:
    """The word lists of a lexicon folder; a list its ``word_lists.toml`` does not
    define (or the whole file, when the folder has none) is the bundled one, so a
    user's folder made before the file existed keeps working."""
    folder = Path(directory) if directory else lexicon_dir()
    path = folder / WORD_LISTS_FILE
    bundled = bundled_word_lists()
    if not path.is_file() or path.resolve() == (DEFAULT_LEXICON_DIR / WORD_LISTS_FILE).resolve():
        return bundled
    return WordLists(**{**vars(bundled), **_word_lists_table(path)})


@cache
def _word_lists_in(folder: Path) -> WordLists:
    return load_word_lists(folder)


def current_word_lists() -> WordLists:
    """The word lists of the current lexicon folder, read once per folder and process:
    for code that runs per line of text and is not handed a ``Lexicon``."""
    return _word_lists_in(lexicon_dir())


@dataclass
class Lexicon:
    organisations: list[OrganisationEntry] = field(default_factory=list)
    countries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    places: dict[str, tuple[str, ...]] = field(default_factory=dict)
    areas: list[AreaEntry] = field(default_factory=list)
    triggers: list[TriggerEntry] = field(default_factory=list)
    hedges: tuple[str, ...] = ()
    non_organisations: tuple[str, ...] = ()
    words: WordLists = field(default_factory=bundled_word_lists)
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
    """Read every lexicon file in ``directory`` (missing files give empty lists, but a
    missing ``word_lists.toml`` gives the bundled word lists)."""
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
    lexicon.words = load_word_lists(folder)
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
    from atlas.names import InvalidName, clean_name

    folder = Path(directory) if directory else lexicon_dir()
    if any(c in f for f in (name, *aliases) for c in "\n\r|"):
        raise LexiconError("the name or an alias contains a line break or '|'")
    try:  # as for corrections: no bidirectional controls, at most MAX_NAME_CHARS
        clean = clean_name(name)
        forms = [clean, *(clean_name(a) for a in aliases if a.strip())]
    except InvalidName as error:
        raise LexiconError(str(error)) from None
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
