"""A synthetic corpus of pharma deal news about fictional organisations, with its ground truth.

    .venv/bin/python bench/make_corpus.py --articles 10000 --seed 1 --out bench/out/corpus-10k
    .venv/bin/python -m atlas ingest bench/out/corpus-10k/articles

Writes ``OUT/articles/shard-NNNNN.jsonl`` (``--per-shard`` articles each, about 2 MB per
1,000; records the corpus reader takes: ``title``, ``text``, ``date``, ``url``, ``source``),
``OUT/truth/shard-NNNNN.jsonl`` (one ground-truth line per article, same order) and
``OUT/manifest.json`` (counts and timing). Every record is marked synthetic (``"source":
"synthetic"``, ``"synthetic": true``, plus ``generator``, ``seed`` and ``index``). The same
arguments give the same article and truth files.

The organisations are invented: stems built from syllables, checked against every name and
alias in the organisation lexicon (exact and fuzzy) and against the other lexicon words, plus
a suffix such as Therapeutics, Bio, Capital or University. Countries, therapeutic areas and
deal trigger phrases come from the lexicon (``data/lexicon`` or ``ATLAS_LEXICON_DIR``).
Parties are drawn with Zipf-Mandelbrot weights: a few organisations make hundreds of deals,
a long tail makes a handful. Articles are as long as real ones (a log-normal fitted to the
real dev articles' lengths: median about 400 words, a third over 800, up to 3,000), their
sentences too (those without a deal lengthened by neutral clauses to lengths drawn from the
real sentences': median 27 tokens, a tail past 100; ``bench/corpus_stats.py`` prints both
distributions, real and generated). They are dated 2016-2025 (some month- or
year-only, some undated; the date in a field, the URL or a dateline); about one in ten is a
digest of 4-8 independent items (headline, optional date line, short paragraph), which
``atlas.corpus`` splits into items (each digest is checked with ``split_digest``).

A ground-truth line follows the gold schema of ``atlas.evaluate`` (``file`` as the reader
names the record when given ``OUT/articles``, ``organisations``, ``aliases``, ``countries``,
``deals`` with ``parties``, ``type`` and ``evidence``) and adds: ``id``
(``atlas.corpus.article_id``), ``published``, ``date_precision``, ``date_source``,
``is_digest``, ``items`` (how many items the reader makes), ``kinds`` (organisation kind)
and per deal ``item_index``, ``deal_date``, ``date_precision``, ``date_source``
(``sentence`` when the sentence dates the deal, else the item's), ``countries`` (the
parties' countries), ``therapeutic_areas`` (labels of the lexicon terms in the evidence
sentence), ``trigger`` and ``confidence`` (the trigger row's strength). Parties are listed
active party first (acquirer, licensee, investor). Evidence sentences appear verbatim in
the text. Sentences that name organisations together without an agreement (talks,
denials, comparisons) are not deals in the truth.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from atlas.corpus import article_id, split_digest  # noqa: E402
from atlas.lexicon import Lexicon, lexicon_dir, load_lexicon  # noqa: E402
from atlas.models import DEAL_TYPES  # noqa: E402
from atlas.organisations import normalise_name  # noqa: E402

GENERATOR = "bench/make_corpus.py"
SOURCE = "synthetic"
URL_BASE = "https://news.synthetic.example"
FIRST_DATE = date(2016, 1, 1)
LAST_DATE = date(2025, 12, 31)
DEFAULT_PER_SHARD = 1000

# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

_ONSETS = "b br c cl d dr f fl g gr h j k kl l m n p pr qu r s st sk t tr v vr z x".split()
_VOWELS = "a e i o u a e o ia ae y io".split()
_MIDDLES = "b d f g k l m n p r s t v z x ll nd rv lt mb sk nt rb lv".split()
_ENDINGS = "a ex ix on is or ara ena ius ova yx el en um ira eon ax".split()

COMPANY_SUFFIXES = (
    "Therapeutics",
    "Bio",
    "Pharma",
    "Biologics",
    "Biosciences",
    "Pharmaceuticals",
    "Biotech",
    "Medicines",
    "Genomics",
    "Biopharma",
    "Life Sciences",
    "Laboratories",
)
LEGAL_FORMS = ("Inc.", ", Inc.", "Ltd.", "AG", "GmbH", "S.A.", "plc", "Co., Ltd.", "Corp.", "AB")
ACADEMIC_FORMS = ("{} University", "{} Institute of Technology", "{} Research Institute")
INVESTOR_FORMS = ("{} Capital", "{} Ventures", "{} Healthcare Fund")
OTHER_FORMS = ("{} Foundation", "{} Medical Research Trust")
# Share of each kind among the organisations (the rest are companies).
KIND_SHARES = (("academic", 0.07), ("investor", 0.05), ("other", 0.02))

FIRST_NAMES = (
    "Anna Ben Carla David Elena Farid Greta Hiro Ines Jonas Keiko Lars Maya Nikhil Olga Pedro "
    "Rania Sven Tomas Uma Victor Wen Yara Zoe Amara Bruno Chloe Dmitri Esther Felix"
).split()

# Countries that see most of the industry's deals; every other country gets a small weight
# so that the long tail of countries is present too.
COUNTRY_WEIGHTS = {
    "United States": 30.0,
    "China": 10.0,
    "Japan": 7.0,
    "United Kingdom": 7.0,
    "Germany": 6.0,
    "France": 5.0,
    "Switzerland": 5.0,
    "South Korea": 4.0,
    "India": 4.0,
    "Canada": 3.0,
    "Denmark": 2.0,
    "Sweden": 2.0,
    "Netherlands": 2.0,
    "Belgium": 2.0,
    "Israel": 2.0,
    "Australia": 2.0,
    "Italy": 2.0,
    "Spain": 2.0,
    "Ireland": 1.5,
    "Taiwan": 1.5,
    "Singapore": 1.0,
    "Brazil": 1.0,
}
OTHER_COUNTRY_WEIGHT = 0.15
NOT_A_COUNTRY = frozenset({"European Union"})
AREA_WEIGHTS = {"oncology": 12.0, "immunology/inflammation": 4.0, "neurology": 4.0}
OTHER_AREA_WEIGHT = 1.0

# Party weights 1 / (rank + offset) ** exponent (Zipf-Mandelbrot): a power-law tail, with the
# offset keeping the busiest organisation near 1-2% of all deals rather than a tenth.
ZIPF_EXPONENT = 1.07
ZIPF_OFFSET = 10

# --------------------------------------------------------------------------------------------
# Deal sentences
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """One way to state a deal. ``text`` has ``{a}``, ``{b}`` (and ``{c}``) for the parties
    (``{a_poss}``/``{b_poss}`` possessive) and ``{disease}``, ``{modality}``, ``{asset}``,
    ``{money}``, ``{pct}``, ``{country}`` slots. ``trigger`` is the phrase, as written in the
    sentence, that ``data/lexicon/deal_triggers.csv`` lists under ``type``. Parties are
    listed in truth as a, b, c: the acquirer, licensee or investor first."""

    type: str
    text: str
    trigger: str
    headline: str
    kinds: tuple[str, ...] = ("company", "company")


def templates_partnership() -> list[Template]:
    """ "X has entered into a research collaboration with Y", "X and Y announced a partnership"."""
    t = "partnership/collaboration"
    return [
        Template(
            t,
            "{a} has entered into a research collaboration with {b} to discover new treatments for {disease}",
            "collaboration",
            "{A} and {B} start {disease} research collaboration",
            ("company", "academic|company"),
        ),
        Template(
            t,
            "{a} and {b} announced a strategic partnership to develop {modality} candidates for {disease}",
            "partnership",
            "{A} and {B} announce {disease} partnership",
        ),
        Template(
            t,
            "{a} has teamed up with {b} to advance {asset}",
            "teamed up",
            "{A} teams up with {B}",
            ("company", "academic|company"),
        ),
        Template(
            t,
            "{a} has partnered with {b} on early research in {disease}",
            "partnered",
            "{A} partners with {B} in {disease}",
        ),
        Template(
            t,
            "{a} and {b} will collaborate on the development of {asset}",
            "collaborate",
            "{A} and {B} to collaborate on {disease}",
        ),
        Template(
            t,
            "A multi-year research collaboration in {disease} was signed by {a} and {b}",
            "collaboration",
            "{A} and {B} sign multi-year research pact",
            ("company", "academic|company"),
        ),
    ]


def templates_licensing() -> list[Template]:
    """ "X has signed an exclusive license agreement with Y", "Y has licensed ... to X"."""
    t = "licensing"
    return [
        Template(
            t,
            "{a} has signed an exclusive license agreement with {b} for {asset}",
            "license agreement",
            "{A} licenses {disease} asset from {B}",
        ),
        Template(
            t,
            "{b} has licensed the global rights to {asset} to {a}",
            "licensed",
            "{B} out-licenses {disease} asset to {A}",
            ("company", "company|academic"),
        ),
        Template(
            t,
            "{a} gained exclusive rights to develop {b_poss} {modality} platform in {country}",
            "exclusive rights",
            "{A} gains rights to {B} platform",
        ),
        Template(
            t,
            "{b} granted {a} an exclusive licence to commercialise {asset} outside the United States",
            "licence",
            "{A} wins licence for {B} drug",
            ("company", "company|academic"),
        ),
    ]


def templates_joint_venture() -> list[Template]:
    """ "X and Y have formed a joint venture", "X will set up a joint venture with Y"."""
    t = "joint venture"
    return [
        Template(
            t,
            "{a} and {b} have formed a joint venture to develop {disease} treatments in {country}",
            "joint venture",
            "{A} and {B} form {disease} joint venture",
        ),
        Template(
            t,
            "{a} will set up a joint venture with {b} to make {modality} products",
            "joint venture",
            "{A} sets up joint venture with {B}",
        ),
        Template(
            t,
            "{a} and {b} agreed to establish a 50:50 joint venture focused on {disease}",
            "joint venture",
            "{A} and {B} agree 50:50 venture",
        ),
    ]


def templates_acquisition() -> list[Template]:
    """ "X has agreed to acquire Y", "Y was acquired by X", "X and Y agreed to merge"."""
    t = "acquisition/merger"
    return [
        Template(
            t,
            "{a} has agreed to acquire {b} for {money} in cash",
            "acquire",
            "{A} to acquire {B} for {money}",
        ),
        Template(
            t,
            "{b} was acquired by {a} in an all-cash transaction valued at {money}",
            "acquired",
            "{A} buys {B}",
        ),
        Template(
            t,
            "{a} completed its acquisition of {b}, a developer of {modality} for {disease}",
            "acquisition",
            "{A} completes {B} buy",
        ),
        Template(
            t,
            "{a} and {b} agreed to merge in an all-stock transaction",
            "merge",
            "{A} and {B} to combine",
        ),
        Template(
            t,
            "{a} is buying {b} for {money} to expand its pipeline in {disease}",
            "buying",
            "{A} is buying {B}",
        ),
        Template(
            t,
            "{a} announced the takeover of {b}, whose lead programme targets {disease}",
            "takeover",
            "{A} announces takeover of {B}",
        ),
    ]


def templates_equity() -> list[Template]:
    """ "X has taken a 15% equity stake in Y", "X invested in Y", "Y sold a stake to X"."""
    t = "equity investment/stake"
    return [
        Template(
            t,
            "{a} has taken a {pct} equity stake in {b}",
            "equity stake",
            "{A} takes stake in {B}",
            ("investor|company", "company"),
        ),
        Template(
            t,
            "{a} invested in {b} as part of a {money} financing round to fund work on {disease}",
            "invested in",
            "{B} raises {money} with {A} backing",
            ("investor", "company"),
        ),
        Template(
            t,
            "{b} sold a {pct} stake to {a} for {money}",
            "stake",
            "{B} sells stake to {A}",
            ("company|investor", "company"),
        ),
    ]


def templates_alliance() -> list[Template]:
    """ "X, Y and Z have formed an alliance", "X has joined a consortium with Y and Z"."""
    t = "alliance/consortium"
    return [
        Template(
            t,
            "{a}, {b} and {c} have formed an alliance to speed up research in {disease}",
            "alliance",
            "{A}, {B} and {C} form {disease} alliance",
            ("company", "company", "academic|company"),
        ),
        Template(
            t,
            "{a} has joined a consortium with {b} and {c} to study {asset}",
            "consortium",
            "{A} joins {disease} consortium",
            ("company", "academic|company", "academic|other"),
        ),
        Template(
            t,
            "{a} and {b} launched a strategic alliance in {disease}",
            "alliance",
            "{A} and {B} launch {disease} alliance",
        ),
    ]


def templates_settlement() -> list[Template]:
    """ "X has settled its patent dispute with Y", "X sued Y", "Y was sued by X"."""
    t = "settlement/litigation"
    return [
        Template(
            t,
            "{a} has settled its patent dispute with {b} over {asset}",
            "settled",
            "{A} settles patent dispute with {B}",
        ),
        Template(
            t,
            "{a} sued {b} for patent infringement related to {asset}",
            "sued",
            "{A} sues {B} over {disease} drug",
        ),
        Template(
            t,
            "{a} and {b} reached a settlement ending their litigation over {asset}",
            "settlement",
            "{A} and {B} end {disease} patent fight",
        ),
        Template(
            t,
            "{b} was sued by {a}, which says its patents on {modality} were infringed",
            "sued",
            "{B} faces lawsuit from {A}",
        ),
    ]


def templates_supply() -> list[Template]:
    """ "X signed a supply agreement with Y", "Y will market and distribute X's products"."""
    t = "supply/distribution/commercialisation"
    return [
        Template(
            t,
            "{a} has signed a supply agreement with {b} for {asset}",
            "supply agreement",
            "{A} secures supply from {B}",
        ),
        Template(
            t,
            "{a} signed a distribution agreement with {b} covering {country}",
            "distribution agreement",
            "{A} picks {B} as distributor in {country}",
        ),
        Template(
            t,
            "{b} will market and distribute {a_poss} {disease} products in {country}",
            "market and distribute",
            "{B} to sell {A} products in {country}",
        ),
        Template(
            t,
            "{a} entered into a co-promotion agreement with {b} for {asset}",
            "co-promotion agreement",
            "{A} and {B} to co-promote {disease} drug",
        ),
    ]


def templates_other() -> list[Template]:
    """Agreements of no named kind: "X has signed an agreement with Y"."""
    t = "other"
    return [
        Template(
            t,
            "{a} has signed an agreement with {b} covering clinical services in {disease}",
            "agreement",
            "{A} signs services agreement with {B}",
        ),
        Template(
            t,
            "{a} entered into a contract with {b} to run trials of {asset}",
            "contract",
            "{A} hands trial contract to {B}",
        ),
        Template(
            t,
            "{a} and {b} inked a deal on data sharing in {disease}",
            "deal",
            "{A} and {B} ink data deal",
        ),
    ]


def deal_templates() -> dict[str, list[Template]]:
    """Every deal type of ``atlas.models.DEAL_TYPES`` with its sentence shapes."""
    templates = {
        "partnership/collaboration": templates_partnership(),
        "licensing": templates_licensing(),
        "joint venture": templates_joint_venture(),
        "acquisition/merger": templates_acquisition(),
        "equity investment/stake": templates_equity(),
        "alliance/consortium": templates_alliance(),
        "settlement/litigation": templates_settlement(),
        "supply/distribution/commercialisation": templates_supply(),
        "other": templates_other(),
    }
    assert set(templates) == set(DEAL_TYPES)
    return templates


# How often each deal type leads an article (other types appear as background deals too).
TYPE_WEIGHTS = {
    "partnership/collaboration": 24,
    "licensing": 20,
    "joint venture": 4,
    "acquisition/merger": 18,
    "equity investment/stake": 10,
    "alliance/consortium": 5,
    "settlement/litigation": 6,
    "supply/distribution/commercialisation": 9,
    "other": 4,
}

# Sentences that name two organisations without any agreement between them.
NON_DEAL_SENTENCES = (
    "{c} is said to be in talks to buy a {disease} business from {d}, according to people familiar with the matter.",
    "{c} denied a report that it had agreed to acquire {d}.",
    "Analysts compared the {disease} pipeline of {c} with that of {d}.",
    "{c} and {d} both presented {disease} data at a medical meeting in {city} last year.",
    "{c} said it may partner with {d} on later-stage trials, but no decision has been made.",
)

# Lengths fitted to the real news of ../shared/eval (``bench/corpus_stats.py`` prints them;
# the texts themselves are never read here). Article words: log-normal fitted to the dev
# articles, the whole ones (median 383, mean 760 words, 11 of 31 over 800), clamped.
LENGTH_LOG_MEAN = 6.030
LENGTH_LOG_SD = 1.195
LENGTH_WORDS = (60, 3000)
# Sentence tokens: quantiles of the 2,918 sentences of dev and train-a..e (en_core_web_sm),
# (cumulative share, tokens); a sentence without a deal is lengthened by clauses to a
# length drawn from them, so the long tail (p99 118, up to 245 tokens) is there too.
SENTENCE_TOKEN_QUANTILES = (
    (0.0, 1),
    (0.05, 6),
    (0.1, 10),
    (0.2, 15),
    (0.3, 20),
    (0.4, 23),
    (0.5, 27),
    (0.6, 30),
    (0.7, 35),
    (0.8, 40),
    (0.9, 51),
    (0.95, 62),
    (0.98, 83),
    (0.99, 118),
    (0.995, 143),
    (0.999, 245),
    (1.0, 245),
)
# Clauses that lengthen a sentence: no organisation, place, therapeutic term or deal word.
CLAUSES = (
    "according to people who have followed the company for several years",
    "as the company said in a statement published on its website",
    "which the management team described as a priority for the coming year",
    "although some investors have questioned how quickly this can be achieved",
    "a point the chief financial officer repeated on a call with analysts",
    "while the research team continues to enrol patients at sites in several regions",
    "and the board expects to review progress at its next scheduled meeting",
    "in line with guidance the company gave earlier in the year",
    "before the results are presented to doctors and hospital pharmacists",
    "even though the trial design has changed twice since the first patients were dosed",
    "with the aim of shortening the time it takes to reach a diagnosis",
    "given the number of competing programmes that are now in the clinic",
    "which several analysts had expected to happen much later",
    "at a time when budgets for research are under pressure across the sector",
)

MONTHS = (
    "January February March April May June July August September October November December"
).split()


# --------------------------------------------------------------------------------------------
# The universe of organisations, countries and areas
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    name: str
    short: str | None
    country: str
    kind: str
    legal: str | None  # the name with its legal form, used on some first mentions
    stem: str


@dataclass
class Universe:
    """Everything the articles are drawn from; built once per (seed, size)."""

    orgs_by_kind: dict[str, list[Organisation]]
    cum_weights: dict[str, list[float]]
    countries: list[str]
    country_cum: list[float]
    places: dict[str, tuple[str, ...]]
    diseases: list[tuple[str, tuple[str, ...]]]  # (term, labels it names)
    disease_cum: list[float]
    modalities: list[tuple[str, tuple[str, ...]]]
    surnames: list[str]
    strengths: dict[tuple[str, str], float]  # (type, trigger phrase) -> strength
    scanner: TermScanner
    templates: dict[str, list[Template]] = field(default_factory=deal_templates)

    def pick_org(self, rng: random.Random, kinds: str, exclude: set[str]) -> Organisation:
        """A Zipf-weighted organisation of one of ``kinds`` ("investor|company"), not in
        ``exclude`` (names, or stems already used in the item)."""
        options = kinds.split("|")
        for _ in range(100):
            kind = options[0] if len(options) == 1 or rng.random() < 0.6 else rng.choice(options)
            pool = self.orgs_by_kind[kind]
            org = pool[_pick_index(rng, self.cum_weights[kind])]
            if org.name not in exclude and org.stem not in exclude:
                return org
        # A small universe with most names taken: the first free one of any kind.
        for pool in self.orgs_by_kind.values():
            for org in pool:
                if org.name not in exclude and org.stem not in exclude:
                    return org
        raise RuntimeError("every organisation is taken; generate a bigger universe")

    def pick_country(self, rng: random.Random) -> str:
        return self.countries[_pick_index(rng, self.country_cum)]

    def pick_disease(self, rng: random.Random) -> tuple[str, tuple[str, ...]]:
        return self.diseases[_pick_index(rng, self.disease_cum)]


def _pick_index(rng: random.Random, cum: list[float]) -> int:
    return bisect.bisect_right(cum, rng.random() * cum[-1])


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+|[^\w\s]", text.casefold()))


class TermScanner:
    """Finds every therapeutic-area term in a text, overlapping ones too (as spaCy's
    PhraseMatcher does), on lower-cased word tokens."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for entry in lexicon.areas:
            for term in entry.terms:
                tokens = _tokens(term)
                if tokens:
                    self.by_first.setdefault(tokens[0], []).append((tokens, entry.label))

    def labels(self, text: str) -> tuple[str, ...]:
        tokens = _tokens(text)
        found: dict[str, None] = {}
        for i, token in enumerate(tokens):
            for term, label in self.by_first.get(token, ()):
                if tokens[i : i + len(term)] == term:
                    found[label] = None
        return tuple(sorted(found))


def _lexicon_words(lexicon: Lexicon) -> tuple[set[str], set[str], list[str]]:
    """Organisation keys, every lower-cased word a generated stem must not equal, and the
    organisation name words a stem must not resemble."""
    keys: set[str] = set()
    words: set[str] = set()
    name_words: set[str] = set()
    for entry in lexicon.organisations:
        for form in (entry.name, *entry.aliases):
            key = normalise_name(form)
            keys.add(key)
            for word in key.split():
                words.add(word)
                if len(word) >= 4:
                    name_words.add(word)
    for country, aliases in lexicon.countries.items():
        for form in (country, *aliases, *lexicon.places.get(country, ())):
            words.update(w.casefold() for w in re.findall(r"\w+", form))
    for entry in lexicon.areas:
        for term in entry.terms:
            words.update(w.casefold() for w in re.findall(r"\w+", term))
    for phrase in (*lexicon.non_organisations, *lexicon.hedges):
        words.update(w.casefold() for w in re.findall(r"\w+", phrase))
    for trigger in lexicon.triggers:
        words.update(w.casefold() for w in re.findall(r"\w+", trigger.pattern))
    return keys, words, sorted(name_words)


def _stems(rng: random.Random, count: int, lexicon: Lexicon) -> list[str]:
    """``count`` distinct invented stems, none a word or name of the lexicon and none
    within fuzzy reach of an organisation name word ("Novartix" is refused)."""
    from rapidfuzz import fuzz, process

    _keys, taken, name_words = _lexicon_words(lexicon)
    taken |= {w.casefold() for w in FIRST_NAMES}
    stems: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(stems) < count:
        attempts += 1
        if attempts > count * 50 + 1000:
            raise RuntimeError(f"could not invent {count} distinct organisation stems")
        stem = (
            rng.choice(_ONSETS)
            + rng.choice(_VOWELS)
            + rng.choice(_MIDDLES)
            + (rng.choice(_VOWELS) + rng.choice(_MIDDLES) if rng.random() < 0.25 else "")
            + rng.choice(_ENDINGS)
        ).capitalize()
        low = stem.casefold()
        if not 5 <= len(stem) <= 11 or low in seen or low in taken:
            continue
        if process.extractOne(low, name_words, scorer=fuzz.ratio, score_cutoff=85):
            continue
        seen.add(low)
        stems.append(stem)
    return stems


def organisation_count(articles: int) -> int:
    """How many organisations a corpus of ``articles`` draws on (a BD team's 100,000
    articles name some tens of thousands)."""
    return max(60, min(40_000, articles // 3))


def build_universe(articles: int, seed: int, lexicon: Lexicon | None = None) -> Universe:
    """The organisations, countries and terms for a corpus of ``articles`` with ``seed``."""
    lexicon = lexicon or load_lexicon(lexicon_dir())
    rng = random.Random(f"atlas-bench-universe:{seed}:{articles}")
    keys, _words, _names = _lexicon_words(lexicon)
    countries = [c for c in lexicon.countries if c not in NOT_A_COUNTRY]
    country_cum = list(
        itertools.accumulate(COUNTRY_WEIGHTS.get(c, OTHER_COUNTRY_WEIGHT) for c in countries)
    )
    n = organisation_count(articles)
    stems = _stems(rng, n + 200, lexicon)
    surnames = [s + rng.choice(("sen", "berg", "ton", "ova", "er", "ini")) for s in stems[n:]]
    stems = stems[:n]
    scanner = TermScanner(lexicon)
    # A suffix that is an area term ("Genomics") would put an area in every sentence naming it.
    suffixes = [x for x in COMPANY_SUFFIXES if not scanner.labels(x)]
    org_forms = {
        kind: [f for f in forms if not scanner.labels(f.format(""))]
        for kind, forms in (
            ("academic", ACADEMIC_FORMS),
            ("investor", INVESTOR_FORMS),
            ("other", OTHER_FORMS),
        )
    }
    orgs_by_kind: dict[str, list[Organisation]] = {
        kind: [] for kind in ("company", "academic", "investor", "other")
    }
    for index, stem in enumerate(stems):
        draw = rng.random()
        kind = "company"
        edge = 0.0
        for candidate, share in KIND_SHARES:
            edge += share
            if draw < edge:
                kind = candidate
                break
        # Every kind gets a few members, even in a tiny corpus.
        if index < 12:
            kind = ("company", "academic", "investor", "other")[index % 4]
        country = countries[bisect.bisect_right(country_cum, rng.random() * country_cum[-1])]
        if kind == "company":
            name = f"{stem} {rng.choice(suffixes)}"
            legal_form = rng.choice(LEGAL_FORMS)
            legal = f"{name}{legal_form}" if legal_form.startswith(",") else f"{name} {legal_form}"
            short = stem
        else:
            name = rng.choice(org_forms[kind]).format(stem)
            legal = None
            short = None
        if normalise_name(name) in keys:
            continue  # never reached with invented stems; kept as the last guard
        orgs_by_kind[kind].append(Organisation(name, short, country, kind, legal, stem))
    cum_weights = {
        kind: list(
            itertools.accumulate(
                1.0 / ((rank + ZIPF_OFFSET) ** ZIPF_EXPONENT) for rank in range(1, len(p) + 1)
            )
        )
        for kind, p in orgs_by_kind.items()
    }
    # Terms holding a deal word or a hedge ("contract manufacturing", "potential") would
    # add triggers to sentences the truth does not count as deals.
    banned = {h.casefold() for h in lexicon.hedges}
    for trigger in lexicon.triggers:
        if len(trigger.pattern.split()) == 1:
            banned |= set(trigger.pattern.casefold().split("/"))
    diseases: list[tuple[str, tuple[str, ...]]] = []
    disease_weights: list[float] = []
    modalities: list[tuple[str, tuple[str, ...]]] = []
    for entry in lexicon.areas:
        terms = [
            t
            for t in entry.terms
            if len(t) >= 3 and t.isascii() and "(" not in t and not set(_tokens(t)) & banned
        ]
        if entry.kind == "modality":
            terms = terms[:4]  # the plain names ("gene therapy"), not the jargon
        for term in terms:
            labels = scanner.labels(term)
            if entry.label not in labels:
                continue
            if entry.kind == "modality":
                modalities.append((term, labels))
            else:
                diseases.append((term, labels))
                disease_weights.append(
                    AREA_WEIGHTS.get(entry.label, OTHER_AREA_WEIGHT) / len(terms)
                )
    strengths = _trigger_strengths(lexicon, deal_templates())
    return Universe(
        orgs_by_kind=orgs_by_kind,
        cum_weights=cum_weights,
        countries=countries,
        country_cum=country_cum,
        places={c: lexicon.places.get(c, ()) for c in countries},
        diseases=diseases,
        disease_cum=list(itertools.accumulate(disease_weights)),
        modalities=modalities,
        surnames=surnames,
        strengths=strengths,
        scanner=scanner,
    )


def trigger_row(lexicon: Lexicon, deal_type: str, phrase: str):
    """The row of ``deal_triggers.csv`` of ``deal_type`` whose pattern matches ``phrase``
    token by token, or None."""
    words = phrase.casefold().split()
    for entry in lexicon.triggers:
        if entry.type != deal_type:
            continue
        specs = [set(spec.split("/")) for spec in entry.pattern.casefold().split()]
        if len(specs) == len(words) and all(w in s for w, s in zip(words, specs, strict=True)):
            return entry
    return None


def _trigger_strengths(
    lexicon: Lexicon, templates: dict[str, list[Template]]
) -> dict[tuple[str, str], float]:
    strengths = {}
    for deal_type, group in templates.items():
        for template in group:
            row = trigger_row(lexicon, deal_type, template.trigger)
            if row is None:
                raise ValueError(
                    f"trigger {template.trigger!r} of a {deal_type} sentence is not in "
                    "deal_triggers.csv"
                )
            strengths[(deal_type, template.trigger)] = row.strength
    return strengths


# --------------------------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------------------------


def _random_day(rng: random.Random) -> date:
    return FIRST_DATE + timedelta(days=rng.randrange((LAST_DATE - FIRST_DATE).days + 1))


def _long_date(d: date, rng: random.Random) -> str:
    """ "14 March 2019" or "March 14, 2019"."""
    if rng.random() < 0.5:
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def _money(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return f"${rng.randint(1, 9)}.{rng.randint(1, 9)} billion"
    currency = "$" if rng.random() < 0.8 else "€"
    return f"{currency}{rng.choice((15, 25, 40, 60, 75, 90, 120, 150, 250, 400, 650))} million"


def _pct(rng: random.Random) -> str:
    value = rng.choice(("4.9", "9.9", "12", "15", "19.9", "25", "30"))
    return f"{value}%" if rng.random() < 0.7 else f"{value} percent"


def _code(org: Organisation, rng: random.Random) -> str:
    return f"{org.stem[:3].upper()}-{rng.randint(100, 9999)}"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


_THE_COUNTRY = re.compile(
    r"^(?:United|Republic|Democratic|Central|Dominican|Czech)\b"
    r"|(?:Islands|Netherlands|Philippines|Bahamas|Gambia|Maldives|Comoros|Seychelles)$"
)


def _country_phrase(country: str) -> str:
    """ "the United States", "the Netherlands", "Norway"."""
    return f"the {country}" if _THE_COUNTRY.search(country) else country


@dataclass
class _Draft:
    """The organisations, aliases and deals of one article being written."""

    orgs: dict[str, Organisation] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    deals: list[dict] = field(default_factory=list)

    def mention(self, org: Organisation, rng: random.Random, *, first_forms: bool = True) -> str:
        """How the text names ``org`` here: sometimes with its country or legal form on
        the first mention ("Norway's Zorvex Bio", "Zorvex Bio of Norway", "Zorvex Bio AG"),
        often by its short name ("Zorvex") afterwards."""
        if org.name in self.orgs:
            if org.short and rng.random() < 0.7:
                return self._alias(org, org.short)
            return org.name
        self.plain(org)
        if not first_forms:
            return org.name
        draw = rng.random()
        if draw < 0.15 and not _THE_COUNTRY.search(org.country):
            return f"{_possessive(org.country)} {org.name}"
        if draw < 0.3:
            return f"{org.name} of {_country_phrase(org.country)}"
        if draw < 0.4 and org.legal:
            return self._alias(org, org.legal)
        return org.name

    def plain(self, org: Organisation) -> str:
        self.orgs.setdefault(org.name, org)
        self.aliases.setdefault(org.name, [])
        return org.name

    def _alias(self, org: Organisation, form: str) -> str:
        if form not in self.aliases[org.name]:
            self.aliases[org.name].append(form)
        return form


@dataclass(frozen=True)
class _Sentence:
    text: str
    labels: tuple[str, ...]  # therapeutic-area labels of the terms it uses
    values: dict[str, str]  # what filled its slots (the headline reuses them)


def _sentence_start(phrase: str, text: str) -> str:
    """ "In March 2019, " + text, lower-casing a leading article ("A ..." -> "a ...")."""
    if text.startswith(("A ", "An ")):
        text = text[0].lower() + text[1:]
    return f"{phrase[0].upper()}{phrase[1:]}, {text}"


_PERFECT = re.compile(r"\b(?:has|have) (taken|\w+ed(?: up)?)\b")


def _simple_past(text: str) -> str:
    """ "X has agreed to ..." -> "X agreed to ..." for a sentence that gives a past date."""
    return _PERFECT.sub(lambda m: "took" if m.group(1) == "taken" else m.group(1), text, count=1)


def _deal_sentence(
    universe: Universe,
    rng: random.Random,
    draft: _Draft,
    template: Template,
    parties: list[Organisation],
    *,
    when: tuple[str, str, str] | None,
    first_forms: bool = True,
    used_terms: set[str] | None = None,
) -> _Sentence:
    """The sentence of one deal. ``when`` is (phrase, iso, precision) of a date the
    sentence states, or None; ``used_terms`` keeps terms from repeating in a digest."""
    for _ in range(20):
        disease, _labels = universe.pick_disease(rng)
        modality, _labels = rng.choice(universe.modalities)
        if used_terms is None or not {disease, modality} & used_terms:
            break
    if used_terms is not None:
        used_terms.update((disease, modality))
    owner = parties[1] if len(parties) > 1 else parties[0]
    if rng.random() < 0.5:
        asset = f"{_code(owner, rng)}, a candidate for {disease}"
    else:
        asset = f"its {disease} programme"
    values = {
        "disease": disease,
        "modality": modality,
        "asset": asset,
        "money": _money(rng),
        "pct": _pct(rng),
        "country": _country_phrase(universe.pick_country(rng)),
    }

    def position(i: int) -> int:
        letter = "abc"[i]
        found = [template.text.find(f"{{{letter}{end}") for end in ("}", "_poss}")]
        return min(f for f in found if f >= 0)

    # First mentions (with a country or legal form) go where the sentence first names them.
    for i in sorted(range(len(parties)), key=position):
        letter, org = "abc"[i], parties[i]
        if f"{{{letter}_poss}}" in template.text:
            values[f"{letter}_poss"] = _possessive(draft.plain(org))
        else:
            values[letter] = draft.mention(org, rng, first_forms=first_forms)
    text = template.text.format(**values)
    if when is not None:
        text = _simple_past(text)
        text = _sentence_start(when[0], text) if rng.random() < 0.5 else f"{text} {when[0]}"
    # The areas are those of every lexicon term the sentence holds: the ones put in on
    # purpose and any a trigger phrase carries ("supply agreement" is also manufacturing).
    return _Sentence(text + ".", universe.scanner.labels(text), values)


def _when(rng: random.Random, day: date, *, background: bool) -> tuple[str, str, str]:
    """A date stated in a deal sentence: ("on March 12, 2019", iso, "day") or
    ("in March 2019", iso, "month"). Background deals lie one to five years back."""
    back = rng.randint(300, 1800) if background else rng.randint(0, 10)
    day = max(FIRST_DATE, day - timedelta(days=back))
    if rng.random() < 0.5:
        return f"on {MONTHS[day.month - 1]} {day.day}, {day.year}", day.isoformat(), "day"
    return f"in {MONTHS[day.month - 1]} {day.year}", f"{day.year}-{day.month:02d}", "month"


def _add_deal(
    draft: _Draft,
    universe: Universe,
    template: Template,
    parties: list[Organisation],
    sentence: _Sentence,
    *,
    item_index: int,
    when: tuple[str, str, str] | None,
    item_date: tuple[str | None, str | None, str],
) -> None:
    """Record a deal in the truth: dated by its sentence, else by its item (or article)."""
    if when is not None:
        deal_date, precision, source = when[1], when[2], "sentence"
    else:
        deal_date, precision, source = item_date
    draft.deals.append(
        {
            "parties": [p.name for p in parties],
            "type": template.type,
            "item_index": item_index,
            "deal_date": deal_date,
            "date_precision": precision if deal_date else None,
            "date_source": source if deal_date else "none",
            "countries": sorted({p.country for p in parties}),
            "therapeutic_areas": list(sentence.labels),
            "evidence": sentence.text,
            "trigger": template.trigger,
            "confidence": universe.strengths[(template.type, template.trigger)],
        }
    )


def _pick_type(rng: random.Random) -> str:
    return rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]


def _pick_parties(
    universe: Universe, rng: random.Random, template: Template, exclude: set[str]
) -> list[Organisation]:
    parties: list[Organisation] = []
    for kinds in template.kinds:
        parties.append(universe.pick_org(rng, kinds, exclude | {p.name for p in parties}))
    return parties


def _headline(template: Template, parties: list[Organisation], values: dict[str, str]) -> str:
    names = {"ABC"[i]: org.short or org.name for i, org in enumerate(parties)}
    text = template.headline.format(**names, **values)
    return text[0].upper() + text[1:]


NOISE_KINDS = 10
NAMES_OTHERS = 5  # the kind that names two other organisations together


def _noise_paragraph(
    universe: Universe,
    rng: random.Random,
    draft: _Draft,
    main: Organisation,
    day: date,
    kind: int,
) -> str:
    """Paragraph ``kind`` (0 to NOISE_KINDS - 1) of those without a deal: the pipeline, the
    market, a quote, management, or two other organisations named together without an
    agreement (talks, a denial, a comparison). All but two name the article's main
    organisation mid-sentence, as a story about it does."""
    disease, _labels = universe.pick_disease(rng)
    short = main.short or main.name
    city = rng.choice(universe.places.get(main.country) or (main.country,))
    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(universe.surnames)}"
    if kind == 0:
        return (
            f"The most advanced programme of {short}, {_code(main, rng)}, is in a Phase "
            f"{rng.randint(1, 3)} trial in {disease}. The company expects to report top-line "
            f"data in the {rng.choice(('first', 'second'))} half of {day.year + 1}, and it "
            "has said it will need more money to take the drug to regulators."
        )
    if kind == 1:
        return (
            f"Shares of {short} rose {rng.randint(2, 30)}% in early trading. Analysts said the "
            f"move strengthens the company's position in {disease}, a market some expect to "
            f"grow by {rng.randint(5, 15)}% a year over the next decade."
        )
    if kind == 2:
        return (
            f"Founded in {day.year - rng.randint(5, 30)}, {short} employs about "
            f"{rng.randrange(40, 9000, 10)} people and has its headquarters in {city}. It "
            f"reported revenue of {_money(rng)} for its last financial year."
        )
    if kind == 3:
        return (
            f"Treatment of {disease} has drawn rising investment as new approaches reach the "
            "clinic. Regulators in several markets have granted accelerated reviews to "
            "medicines that address unmet needs, and payers are asking for stronger evidence "
            "of benefit before they reimburse new drugs."
        )
    if kind == 4:
        return (
            f'"This is an important step for patients and for our science," said {person}, '
            f'chief executive of {short}. "We expect to move quickly, and we will share more '
            'details at our next results."'
        )
    if kind == 5:
        c = universe.pick_org(rng, "company", set(draft.orgs))
        d = universe.pick_org(rng, "company", set(draft.orgs) | {c.name})
        sentence = rng.choice(NON_DEAL_SENTENCES).format(
            c=draft.mention(c, rng), d=draft.mention(d, rng), disease=disease, city=city
        )
        return f"The wider sector has been busy. {sentence} Neither company commented further."
    if kind == 6:
        return (
            f"Patients with {disease} often have few options, and fewer than one in "
            f"{rng.randint(3, 9)} receive a therapy matched to their disease, according to "
            f"estimates cited by {short}. Doctors say earlier diagnosis remains the main hurdle."
        )
    if kind == 7:
        return (
            f"Analysts at a regional broker said the move gives {short} a broader pipeline in "
            f"{disease}. They expect more news from the company before the end of "
            f"{day.year}, when it is due to update investors on its research."
        )
    if kind == 8:
        return (
            f"Last year, regulators in {_country_phrase(main.country)} cleared a medicine from "
            f"{short} for adults with {disease}, its first approval there. Sales have so far "
            "been modest, the company said."
        )
    return (
        f"{person} joined {short} as chief scientific officer in "
        f"{day.year - rng.randint(1, 6)} after a decade of academic research on {disease}. "
        "The research team has doubled in size since then."
    )


@dataclass(frozen=True)
class _Dating:
    """Where an article's date is written and what the reader should make of it."""

    field: str | None = None  # the record's "date" value
    url_date: date | None = None  # a date in the URL path
    dateline: str | None = None  # "OSLO, March 14, 2019 -- " before the first paragraph
    published: str | None = None
    precision: str | None = None
    source: str = "none"


def _article_dating(rng: random.Random, day: date, city: str) -> _Dating:
    """Day dates in a field (ISO or written out), month- and year-only fields, a URL
    date, a press-release dateline, or no date at all."""
    draw = rng.random()
    iso = day.isoformat()
    month = f"{day.year}-{day.month:02d}"
    if draw < 0.25:
        return _Dating(field=iso, published=iso, precision="day", source="metadata")
    if draw < 0.55:
        return _Dating(_long_date(day, rng), published=iso, precision="day", source="metadata")
    if draw < 0.62:
        text = month if rng.random() < 0.5 else f"{MONTHS[day.month - 1]} {day.year}"
        return _Dating(text, published=month, precision="month", source="metadata")
    if draw < 0.65:
        year = str(day.year)
        return _Dating(year, published=year, precision="year", source="metadata")
    if draw < 0.75:
        return _Dating(url_date=day, published=iso, precision="day", source="metadata")
    if draw < 0.88:
        stamp = f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
        return _Dating(
            dateline=f"{city.upper()}, {stamp} -- ", published=iso, precision="day", source="text"
        )
    return _Dating()


def _url(index: int, slug: str, day: date | None) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")[:60]
    if day is None:
        return f"{URL_BASE}/deals/{slug}-{index}"
    return f"{URL_BASE}/{day.year}/{day.month:02d}/{day.day:02d}/{slug}-{index}"


@dataclass
class _Written:
    record: dict
    draft: _Draft
    dating: _Dating
    is_digest: bool
    items: int


def _follow_up(rng: random.Random, deal_type: str, parties: list[Organisation]) -> str:
    """A sentence on the same deal that names no second organisation."""
    other = parties[1].short or parties[1].name
    if deal_type == "acquisition/merger":
        return (
            "The transaction has been approved by both boards and is expected to close in the "
            f"{rng.choice(('first', 'second', 'third', 'fourth'))} quarter, subject to "
            "regulatory approvals."
        )
    if deal_type == "licensing":
        return (
            f"{other} will receive an upfront payment of {_money(rng)} and is eligible for "
            f"up to {_money(rng)} in milestones, plus tiered royalties."
        )
    return "Financial terms were not disclosed."


def _words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def article_words(rng: random.Random) -> int:
    """A story's length in words, drawn from the log-normal fitted to real articles."""
    low, high = LENGTH_WORDS
    return max(low, min(high, round(rng.lognormvariate(LENGTH_LOG_MEAN, LENGTH_LOG_SD))))


def sentence_tokens(rng: random.Random) -> int:
    """A sentence length in tokens drawn from the real sentences' quantiles (linear
    between them)."""
    draw = rng.random()
    for (share, tokens), (next_share, next_tokens) in itertools.pairwise(SENTENCE_TOKEN_QUANTILES):
        if draw <= next_share:
            part = (draw - share) / (next_share - share) if next_share > share else 0.0
            return round(tokens + part * (next_tokens - tokens))
    return SENTENCE_TOKEN_QUANTILES[-1][1]


_SENTENCE_END = re.compile(r"(?<=\.)\s(?=[A-Z])")
_TOKEN = re.compile(r"\w+|[^\w\s]")


def lengthen(paragraph: str, rng: random.Random) -> str:
    """Each sentence of ``paragraph`` lengthened by clauses to a length drawn with
    ``sentence_tokens`` (a sentence already that long is kept). Sentences in quotes,
    and those ending in a capitalised word (a name: "... Inc."), are left as they are."""
    sentences = _SENTENCE_END.split(paragraph)
    out = []
    for sentence in sentences:
        wanted = sentence_tokens(rng)
        last = sentence.rstrip(".").split()[-1] if sentence.strip(". ") else ""
        if not sentence.endswith(".") or '"' in sentence or last[:1].isupper():
            out.append(sentence)
            continue
        body = sentence[:-1]
        while len(_TOKEN.findall(body)) + 1 < wanted:
            body += ", " + rng.choice(CLAUSES)
        out.append(body + ".")
    return " ".join(out)


def _regular_article(universe: Universe, rng: random.Random, index: int) -> _Written:
    """One story of a length drawn from real articles' (``article_words``): a lead deal (one article in twenty has none), sometimes
    an earlier deal of the same organisation, and paragraphs without deals."""
    draft = _Draft()
    day = _random_day(rng)
    template = rng.choice(universe.templates[_pick_type(rng)])
    parties = _pick_parties(universe, rng, template, set())
    main = parties[0]
    city = rng.choice(universe.places.get(main.country) or (main.country,))
    dating = _article_dating(rng, day, city)
    item_date = (dating.published, dating.precision, dating.source)
    paragraphs: list[str] = []
    if rng.random() < 0.05:
        title = f"{main.short or main.name} reports progress in its pipeline"
        paragraphs.append(
            f"{draft.mention(main, rng)} gave an update on its research programmes, "
            "including two candidates that are due to enter the clinic next year."
        )
    else:
        when = _when(rng, day, background=False) if rng.random() < 0.3 else None
        sentence = _deal_sentence(universe, rng, draft, template, parties, when=when)
        _add_deal(
            draft,
            universe,
            template,
            parties,
            sentence,
            item_index=0,
            when=when,
            item_date=item_date,
        )
        title = _headline(template, parties, sentence.values)
        paragraphs.append(f"{sentence.text} {_follow_up(rng, template.type, parties)}")
        if rng.random() < 0.35:
            extra = rng.choice(universe.templates[_pick_type(rng)])
            extra_parties = [main, *_pick_parties(universe, rng, extra, set(draft.orgs))[1:]]
            when = _when(rng, day, background=True)
            sentence = _deal_sentence(universe, rng, draft, extra, extra_parties, when=when)
            _add_deal(
                draft,
                universe,
                extra,
                extra_parties,
                sentence,
                item_index=0,
                when=when,
                item_date=item_date,
            )
            paragraphs.append(
                f"{sentence.text} That earlier deal gave {main.short or main.name} a foothold "
                "it has built on since."
            )
    # Paragraphs without a deal up to a length drawn from real articles' lengths: every
    # kind once in a shuffled round, then another round, as long as the story runs.
    target = article_words(rng)
    kinds = (k for _ in itertools.count() for k in rng.sample(range(NOISE_KINDS), NOISE_KINDS))
    while _words(paragraphs) < target - 30:
        kind = next(kinds)
        paragraph = _noise_paragraph(universe, rng, draft, main, day, kind)
        if kind != NAMES_OTHERS:  # its sentences name other organisations: kept as written
            paragraph = lengthen(paragraph, rng)
        paragraphs.insert(rng.randint(1, len(paragraphs)), paragraph)
    if dating.dateline:
        paragraphs[0] = dating.dateline + paragraphs[0]
    record = {"title": title, "text": "\n\n".join(paragraphs)}
    if dating.field is not None:
        record["date"] = dating.field
    if dating.url_date is not None or rng.random() < 0.3:
        record["url"] = _url(index, title, dating.url_date)
    return _Written(record, draft, dating, is_digest=False, items=1)


DIGEST_TITLES = (
    "Biopharma deals in brief",
    "Deal roundup: this week in partnering",
    "Licensing, M&A and alliances: the week's news",
    "Dealmaking digest",
)


def _digest_article(universe: Universe, rng: random.Random, index: int) -> _Written:
    """4-8 independent items, each a headline, sometimes a date line, and a short
    paragraph with one deal. No organisation or term repeats across items."""
    draft = _Draft()
    day = _random_day(rng)
    draw = rng.random()
    iso, month = day.isoformat(), f"{day.year}-{day.month:02d}"
    if draw < 0.7:
        dating = _Dating(iso, published=iso, precision="day", source="metadata")
    elif draw < 0.9:
        dating = _Dating(month, published=month, precision="month", source="metadata")
    else:
        dating = _Dating(url_date=day, published=iso, precision="day", source="metadata")
    blocks: list[str] = []
    if rng.random() < 0.5:
        blocks.append("A round-up of partnering and M&A news from across the industry.")
    used_stems: set[str] = set()
    used_terms: set[str] = set()
    count = rng.randint(4, 8)
    for item_index in range(count):
        template = rng.choice(universe.templates[_pick_type(rng)])
        parties = _pick_parties(universe, rng, template, used_stems | draft.orgs.keys())
        used_stems.update(p.stem for p in parties)
        item_day = None
        # Date lines under headlines only when the page's date is in a field: otherwise the
        # reader would take the first of them for the page's date.
        if dating.field is not None and dating.precision == "day" and rng.random() < 0.4:
            item_day = max(FIRST_DATE, day - timedelta(days=rng.randint(0, 6)))
            item_date = (item_day.isoformat(), "day", "text")
        else:
            item_date = (dating.published, dating.precision, dating.source)
        when = _when(rng, item_day or day, background=False) if rng.random() < 0.2 else None
        # No first-mention country forms: a country named in two items would join them.
        sentence = _deal_sentence(
            universe,
            rng,
            draft,
            template,
            parties,
            when=when,
            first_forms=False,
            used_terms=used_terms,
        )
        _add_deal(
            draft,
            universe,
            template,
            parties,
            sentence,
            item_index=item_index,
            when=when,
            item_date=item_date,
        )
        tail = rng.choice(
            (
                "Financial terms were not disclosed.",
                f"The payment due on signing is {_money(rng)}.",
                "",
            )
        )
        block = [_headline(template, parties, sentence.values)]
        if item_day is not None:
            block.append(_long_date(item_day, rng))
        block.append(f"{sentence.text} {tail}".strip())
        blocks.append("\n\n".join(block))
    record = {"title": rng.choice(DIGEST_TITLES), "text": "\n\n".join(blocks)}
    if dating.field is not None:
        record["date"] = dating.field
    if dating.url_date is not None:
        record["url"] = _url(index, record["title"], dating.url_date)
    return _Written(record, draft, dating, is_digest=True, items=count)


def _digest_is_split(written: _Written) -> bool:
    """True when the corpus reader splits the digest into the items meant."""
    texts = split_digest(written.record["text"])
    if texts is None or len(texts) != written.items:
        return False
    return all(d["evidence"] in texts[d["item_index"]] for d in written.draft.deals)


def generate_article(universe: Universe, seed: int, index: int) -> tuple[dict, dict]:
    """The record and ground truth of article ``index`` (0-based) of the corpus."""
    rng = random.Random(f"atlas-bench-article:{seed}:{index}")
    written = None
    if rng.random() < 0.1:
        for _attempt in range(5):
            candidate = _digest_article(universe, rng, index)
            if _digest_is_split(candidate):
                written = candidate
                break
    if written is None:
        written = _regular_article(universe, rng, index)
    record = {
        **written.record,
        "source": SOURCE,
        "synthetic": True,
        "generator": GENERATOR,
        "seed": seed,
        "index": index,
    }
    draft, dating = written.draft, written.dating
    names = list(draft.orgs)
    truth = {
        "id": article_id(record["text"]),
        "index": index,
        "title": record["title"],
        "published": dating.published,
        "date_precision": dating.precision,
        "date_source": dating.source,
        "is_digest": written.is_digest,
        "items": written.items,
        "organisations": names,
        "aliases": {n: draft.aliases[n] for n in names if draft.aliases.get(n)},
        "countries": {n: draft.orgs[n].country for n in names},
        "kinds": {n: draft.orgs[n].kind for n in names},
        "deals": draft.deals,
    }
    return record, truth


def generate(
    articles: int, seed: int, universe: Universe | None = None
) -> Iterator[tuple[dict, dict]]:
    """(record, truth) for each article, streamed."""
    universe = universe or build_universe(articles, seed)
    for index in range(articles):
        yield generate_article(universe, seed, index)


def shard_name(shard: int) -> str:
    return f"shard-{shard:05d}.jsonl"


def write_corpus(
    out: Path, articles: int, seed: int, *, per_shard: int = DEFAULT_PER_SHARD
) -> dict:
    """Write the corpus under ``out``; returns the manifest."""
    started = time.perf_counter()
    (out / "articles").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    universe = build_universe(articles, seed)
    stream = generate(articles, seed, universe)
    deals = digests = shards = 0
    biggest = 0
    from tqdm import tqdm

    with tqdm(total=articles, unit="article", desc="generate", file=sys.stderr) as bar:
        for shard in itertools.count():
            chunk = list(itertools.islice(stream, per_shard))
            if not chunk:
                break
            shards += 1
            name = shard_name(shard)
            with (
                open(out / "articles" / name, "w", encoding="utf-8") as records,
                open(out / "truth" / name, "w", encoding="utf-8") as truths,
            ):
                for line, (record, truth) in enumerate(chunk, start=1):
                    truth = {"file": f"{name}:{line}", **truth}
                    records.write(json.dumps(record, ensure_ascii=False) + "\n")
                    truths.write(json.dumps(truth, ensure_ascii=False) + "\n")
                    deals += len(truth["deals"])
                    digests += truth["is_digest"]
            biggest = max(biggest, (out / "articles" / name).stat().st_size)
            bar.update(len(chunk))
    manifest = {
        "generator": GENERATOR,
        "articles": articles,
        "seed": seed,
        "per_shard": per_shard,
        "shards": shards,
        "deals": deals,
        "digests": digests,
        "organisations": sum(len(p) for p in universe.orgs_by_kind.values()),
        "largest_shard_bytes": biggest,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True, help="how many articles")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--per-shard",
        type=int,
        default=DEFAULT_PER_SHARD,
        help=f"articles per JSONL file (default {DEFAULT_PER_SHARD})",
    )
    args = parser.parse_args(argv)
    if args.articles < 1 or args.per_shard < 1:
        parser.error("--articles and --per-shard must be positive")
    manifest = write_corpus(args.out, args.articles, args.seed, per_shard=args.per_shard)
    print(
        f"{manifest['articles']} articles ({manifest['digests']} digests, {manifest['deals']} "
        f"deals, {manifest['organisations']} organisations) in {manifest['shards']} shards "
        f"under {args.out} (largest {manifest['largest_shard_bytes'] / 1e6:.1f} MB) "
        f"in {manifest['seconds']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
