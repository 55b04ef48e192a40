"""Organisation name resolution: every surface form maps to one canonical name.

"Astellas", "Astellas Pharma", "Astellas Pharma Inc." and "Astellas’" all resolve
to the lexicon's "Astellas Pharma". Names the lexicon lacks are kept as new
organisations under their longest form with the legal suffix removed, and their
short forms in the same article ("Harpoon" after "Harpoon Therapeutics, Inc.")
resolve to them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cleanco import basename as legal_basename
from rapidfuzz import fuzz, process

from atlas.lexicon import Lexicon, OrganisationEntry
from atlas.models import ResolvedOrganisation
from atlas.names import strip_bidi

# Removed before comparing names; kept in sync with the evaluation's matching rules.
CORPORATE_SUFFIXES = (
    "incorporated inc corporation corp company co limited ltd llc l l c llp lp plc ag sa s a nv "
    "n v bv b v ab asa a s gmbh kk k k spa s p a se holdings holding group"
).split()
_SUFFIX_RE = re.compile(r"(?:\s+(?:" + "|".join(map(re.escape, CORPORATE_SUFFIXES)) + r"))+$")
_POSSESSIVE_RE = re.compile(r"(?:['’]s|['’])$")
FUZZY_THRESHOLD = 93
LOOKUP_MEMORY = 100_000  # mentions whose lookup is remembered


def strip_possessive(name: str) -> str:
    return _POSSESSIVE_RE.sub("", name.strip()).strip()


@lru_cache(maxsize=65536)
def display_name(name: str) -> str:
    """A mention as a canonical display name: no possessive, no legal form ("Inc.",
    "S.p.A.", "Pvt. Ltd.", in any case, as ``cleanco`` knows them), no leading article
    ("the Japanese Foundation ..." -> "Japanese Foundation ...").

    Bidirectional controls are dropped, so no stored name reads other than it is.
    Remembered: ``cleanco`` takes about 0.1 ms a name and names recur across articles."""
    name = strip_possessive(" ".join(strip_bidi(name).split()))
    name = re.sub(r"^(?:the|The|THE)\s+", "", name)
    name = re.sub(r"[\s,]+$", "", name)
    if len(name.split()) < 2:
        return name  # "Inc." or "UK" alone is what it is
    current = name
    while True:
        shorter = legal_basename(current).strip(" ,")
        removed = current[len(shorter) :].lstrip(" ,")
        # "Merck & Co." and "Eli Lilly and Company" keep their "Co.": without it the
        # name would read "Merck" (another company) or "Eli Lilly and".
        if not shorter or shorter == current or removed.startswith(("&", "and ")):
            return current
        current = shorter


def normalise_name(name: str) -> str:
    """Comparison key: case-folded, no accents, punctuation or corporate suffixes."""
    name = unicodedata.normalize("NFKD", strip_possessive(name))
    name = "".join(c for c in name if not unicodedata.combining(c))
    name = name.casefold().replace("&", " and ")
    name = re.sub(r"[^\w\s]", " ", name)
    name = re.sub(r"^the\s+", "", " ".join(name.split()))
    name = _SUFFIX_RE.sub("", name).strip()
    return name


class OrganisationResolver:
    """Maps mentions to canonical organisations using the lexicon, then fuzzy matching."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.entries: dict[str, OrganisationEntry] = {}
        self.by_key: dict[str, str] = {}
        for entry in lexicon.organisations:
            self.entries[entry.name] = entry
            for form in (entry.name, *entry.aliases):
                key = normalise_name(form)
                if key:
                    self.by_key.setdefault(key, entry.name)
        self._keys = list(self.by_key)
        # Mentions recur across articles; the fuzzy search over every lexicon key is the
        # costly part, so answers are remembered (the lexicon never changes under us).
        self._looked_up: dict[str, str | None] = {}

    def lookup(self, mention: str) -> str | None:
        """The lexicon's canonical name for a mention, or None."""
        if mention in self._looked_up:
            return self._looked_up[mention]
        if len(self._looked_up) >= LOOKUP_MEMORY:
            self._looked_up.clear()
        found = self._lookup(mention)
        self._looked_up[mention] = found
        return found

    def _lookup(self, mention: str) -> str | None:
        key = normalise_name(mention)
        if not key:
            return None
        if key in self.by_key:
            return self.by_key[key]
        if len(key) < 6:
            return None
        match = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
        if match is None:
            return None
        candidate = match[0]
        # Fuzzy matches must agree on the first word: "Kelun Biotech" ~ "Kelun-Biotech",
        # never "Boston Biomedical" ~ "Boston Scientific".
        if candidate.split()[0][:4] != key.split()[0][:4]:
            return None
        return self.by_key[candidate]

    def describe(self, canonical: str) -> ResolvedOrganisation:
        entry = self.entries.get(canonical)
        if entry is None:
            return ResolvedOrganisation(canonical, None, "company", False)
        return ResolvedOrganisation(entry.name, entry.country, entry.kind, True)

    def resolve_document(
        self,
        mentions: list[str],
        *,
        hints: dict[str, str] | None = None,
        heads: frozenset[str] = frozenset(),
    ) -> dict[str, str]:
        """Resolve all organisation mentions of one article at once.

        Returns surface form -> canonical name. ``hints`` maps a surface form to a
        longer form it stands for (abbreviations defined in parentheses). Within
        the article a short form that is a leading run of words of a longer
        unknown name resolves to it ("Quest Blood" -> "Quest Blood Substitute"), and a
        bare institution head among ``heads`` (lower case) to the one name of the
        article ending with it ("the University" -> "Cardiff University").
        """
        hints = hints or {}
        result: dict[str, str] = {}
        unknown: dict[str, str] = {}  # normalised key -> display name
        # Indexes instead of scans, so an article naming thousands of organisations
        # resolves in linear time: leading word runs of unknown keys, and leading
        # and trailing word runs of the lexicon names resolved so far.
        unknown_prefixes: dict[str, str] = {}
        canonical_affixes: dict[str, str] = {}
        ending_with: dict[str, set[str]] = {}  # institution head -> names ending with it
        # Longest first, equal lengths alphabetically, so the canonical name never
        # depends on the hash seed ("Eir Ventures" vs "EIR Ventures").
        for mention in sorted(set(mentions), key=lambda m: (-len(m), m)):
            target = hints.get(mention, mention)
            canonical = self.lookup(target) or self.lookup(mention)
            if canonical:
                result[mention] = canonical
                words = normalise_name(canonical).split()
                if len(words) > 1 and words[-1] in heads:
                    ending_with.setdefault(words[-1], set()).add(canonical)
                for i in range(1, len(words)):
                    canonical_affixes.setdefault(" ".join(words[:i]), canonical)
                    canonical_affixes.setdefault(" ".join(words[i:]), canonical)
                continue
            key = normalise_name(target)
            if not key:
                continue
            # A name written with its legal suffix ("CytRx Corp") is a full name,
            # never a short form of a longer one ("CytRx Biopool Ltd").
            full_name = display_name(target) != strip_possessive(" ".join(target.split()))
            longer = unknown.get(key)
            if longer is None and not full_name:
                longer = unknown_prefixes.get(key)
            if longer is None and not full_name and len(key) >= 4:
                # A short form of a lexicon name seen in this article ("Kodak" when
                # the article says "Eastman Kodak" and the lexicon lists that).
                longer = canonical_affixes.get(key)
            if longer is None and key in heads and len(ending_with.get(key, ())) == 1:
                (longer,) = ending_with[key]
            if longer is not None:
                result[mention] = longer
            else:
                unknown[key] = display_name(target)
                result[mention] = unknown[key]
                words = key.split()
                if len(words) > 1 and words[-1] in heads:
                    ending_with.setdefault(words[-1], set()).add(unknown[key])
                for i in range(1, len(words)):
                    unknown_prefixes.setdefault(" ".join(words[:i]), unknown[key])
        return result
