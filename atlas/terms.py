"""A deal mention's terms, assets and status, read from its sentence and what follows it.

Given the parsed item (one news item or digest entry) and the deals found in it, each
deal is read from its evidence sentence and the sentences after it in the same item
("Under the terms of the agreement, ..."), up to the next sentence that states another
of the item's deals or speaks only of other organisations:

- money terms: ``total_value``, ``upfront`` and ``milestones`` (a milestone total given
  in parts is their sum), each an amount in whole currency units with its ISO 4217
  currency and the words that state it; ``equity_pct`` from a stake; ``royalties`` as
  text. Per-share prices, market sizes, revenues, conversions in brackets ("$250 million
  (€223 million)") and amounts nearer another deal's party in the same sentence are not
  this deal's terms.
- assets: development codes ("ABC-123"), international nonproprietary names by their
  stems (-mab, -nib, -parib, -cel ...), names marked ® or ™ anywhere in the article,
  names after a product noun ("the drug Zolvix") and names before a platform noun
  ("its XenoMouse technology"), as written.
- status: ``terminated`` when the sentence ends the agreement, ``completed`` when it
  reports the transfer done ("has acquired", "bought", "completed its acquisition",
  "paid $X for"), else ``agreed``.

Amounts are parsed here rather than by ``quantulum3``: on the labelled sets the focused
parser below reads the notations of deal news that quantulum3 misses or misreads ("€50m",
"Rs 100 crore", "KRW 10 billion", "RMB102,420,000", "A$16.9 million", "15 mln dlrs",
"£1.5bn"), and takes a fraction of its time. The cue words that give an amount its role
are the user's word lists (``data/lexicon/word_lists.toml``, ``term_*`` and
``status_*`` lists). ``usd_value`` converts an amount at the deal's date with the
European Central Bank's rates that ``currencyconverter`` ships (offline).
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from spacy.attrs import IDX, ORTH
from spacy.tokens import Doc, Span, Token

from atlas.lexicon import WordLists
from atlas.models import Money, Stake, Terms

# ----------------------------------------------------------------------------- amounts

# Currency notations before the number, longest first so "US$" is not read as "$".
_PREFIX_CURRENCY = {
    "US$": "USD",
    "U.S.$": "USD",
    "USD": "USD",
    "US $": "USD",
    "A$": "AUD",
    "AU$": "AUD",
    "AUD": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "CDN$": "CAD",
    "Cdn$": "CAD",
    "CAD": "CAD",
    "NZ$": "NZD",
    "NZD": "NZD",
    "HK$": "HKD",
    "HKD": "HKD",
    "NT$": "TWD",
    "TWD": "TWD",
    "S$": "SGD",
    "SGD": "SGD",
    "R$": "BRL",
    "€": "EUR",
    "EUR": "EUR",
    "EU": "EUR",  # "EU328 million", only straight before the digits
    "£": "GBP",
    "GBP": "GBP",
    "Stg": "GBP",
    "¥": "¥",  # yen or yuan: decided by the deal's countries
    "JPY": "JPY",
    "₩": "KRW",
    "KRW": "KRW",
    "RMB": "CNY",
    "CNY": "CNY",
    "Rs.": "INR",
    "Rs": "INR",
    "INR": "INR",
    "₹": "INR",
    "CHF": "CHF",
    "SFr.": "CHF",
    "SFr": "CHF",
    "DKK": "DKK",
    "SEK": "SEK",
    "NOK": "NOK",
    "ILS": "ILS",
    "NIS": "ILS",
    "₪": "ILS",
    "$": "$",  # a dollar: decided by the deal's countries
}
# Currency words after the number ("500 billion lire", "15 mln dlrs"), lower case.
_SUFFIX_CURRENCY = {
    "us dollars": "USD",
    "u.s. dollars": "USD",
    "australian dollars": "AUD",
    "canadian dollars": "CAD",
    "hong kong dollars": "HKD",
    "singapore dollars": "SGD",
    "taiwan dollars": "TWD",
    "new taiwan dollars": "TWD",
    "dollars": "$",
    "dollar": "$",
    "dlrs": "$",
    "euros": "EUR",
    "euro": "EUR",
    "pounds sterling": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "stg": "GBP",
    "yen": "JPY",
    "won": "KRW",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rupees": "INR",
    "lire": "ITL",
    "lira": "ITL",
    "swiss francs": "CHF",
    "french francs": "FRF",
    "francs": "CHF",
    "deutsche marks": "DEM",
    "marks": "DEM",
    "danish kroner": "DKK",
    "norwegian kroner": "NOK",
    "swedish kronor": "SEK",
    "kronor": "SEK",
    "kroner": "DKK",
    "shekels": "ILS",
}
_ISO_SUFFIX = ("USD", "EUR", "GBP", "JPY", "KRW", "CNY", "RMB", "INR", "CHF", "AUD", "CAD")
_MULTIPLIERS = {
    "trillion": 1e12,
    "tn": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "bln": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "mill.": 1e6,
    "mill": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
    "crores": 1e7,
    "crore": 1e7,
    "cr": 1e7,
    "lakhs": 1e5,
    "lakh": 1e5,
    "lacs": 1e5,
}
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "fifty": 50,
    "hundred": 100,
}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUM_WORD = _alternation(_NUMBER_WORDS)
_MULT = _alternation(_MULTIPLIERS)
_PREFIX = _alternation(k for k in _PREFIX_CURRENCY if k != "EU" and k[0].isalpha())
# Symbols may follow a letter: "a payment of$20 million" (a scraper's lost space).
_SYMBOL_PREFIX = _alternation(k for k in _PREFIX_CURRENCY if not k[0].isalpha())
_SUFFIX = _alternation([*_SUFFIX_CURRENCY, *_ISO_SUFFIX])
# Amounts are found from their numbers: a pass for numbers, then the few characters
# around each read for a currency and a multiplier (one regex over the whole text, with
# every notation as an alternative, took most of the reader's time).
_NUMBER = re.compile(
    rf"(?<![\d.,])(?:{_NUM})|(?<![\w-])(?:{_NUM_WORD})(?=\s?-?\s?(?:{_MULT})\b)", re.IGNORECASE
)
_BEFORE = re.compile(
    rf"(?:(?P<symbol>{_SYMBOL_PREFIX})|(?<![A-Za-z])(?P<code>{_PREFIX})|(?<![A-Za-z])(?P<eu>EU))$"
)
_BEFORE_SPACED = re.compile(
    rf"(?:(?P<symbol>{_SYMBOL_PREFIX})|(?<![A-Za-z])(?P<code>{_PREFIX}))\s$"
)
_AFTER = re.compile(
    # "millionin": a scraper ate the space; no other word starts so after an amount
    rf"(?:\s?-?\s?(?:(?P<mult>{_MULT})(?![A-Za-z])|(?P<glued>million|billion|trillion)(?=[a-z])))?"
    rf"(?:\s(?P<post>{_SUFFIX})(?![A-Za-z]))?",
    re.IGNORECASE,
)
# Case matters for these: "M"/"B" but not "m" before a space ("$5 more"), "won" as a verb.
_PERCENT = re.compile(
    rf"(?<![\w.])(?P<num>\d+(?:\.\d+)?|{_NUM_WORD})\s?(?:%|percent\b|per\s?cent\b|pct\b|per-cent\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Amount:
    """A money amount in a text: character offsets, value, currency (``$`` and ``¥``
    until the deal's countries decide) and the words as written."""

    start: int
    end: int
    value: float
    currency: str
    text: str


def _number(text: str) -> float | None:
    word = _NUMBER_WORDS.get(text.lower())
    if word is not None:
        return float(word)
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def find_amounts(text: str) -> list[Amount]:
    """Every money amount in ``text`` with its currency ("$1.2B", "¥10 billion",
    "€50m", "Rs 100 crore", "KRW 10 billion", "10 billion won", "RMB102,420,000")."""
    found = []
    for number in _NUMBER.finditer(text):
        start, end = number.span()
        before = text[max(0, start - 12) : start]
        prefix = _BEFORE.search(before) or _BEFORE_SPACED.search(before)
        after = _AFTER.match(text, end)
        assert after is not None  # every part of _AFTER is optional: it always matches
        mult = after.group("mult") or after.group("glued")
        post = after.group("post")
        currency = None
        if prefix is not None:
            # "EU" only straight before its digits: "EU328 million" (no _BEFORE_SPACED)
            written = prefix.group("symbol") or prefix.group("code") or prefix.groupdict().get("eu")
            if written:
                currency = _PREFIX_CURRENCY[written]
                start -= len(before) - prefix.start()
        if post:
            suffix = _currency_of_suffix(post)
            if currency is None or (currency == "$" and suffix != "$"):
                currency = suffix  # "500 billion lire"; "$5 million Canadian dollars"
        if currency is None:
            continue
        if prefix is None and post and post.lower() in ("won", "yen", "marks") and not mult:
            continue  # "they won 2 awards": amounts in won or yen come in millions
        value = _number(number.group(0))
        if value is None or (prefix is None and not mult and not number.group(0)[0].isdigit()):
            continue  # "one dollar"
        end = after.end()
        if mult:
            if mult in ("m", "b", "k") and text[number.end()].isspace():
                mult = None  # "$5 m" is rare and "m" then may be anything
                end = number.end()
                post = None
            else:
                value *= _MULTIPLIERS[mult.lower()]
        if value <= 0:
            continue
        written_text = text[start:end].rstrip()
        found.append(Amount(start, start + len(written_text), value, currency, written_text))
    return found


def _currency_of_suffix(word: str) -> str:
    key = " ".join(word.lower().split())
    if key == "rmb":
        return "CNY"
    return _SUFFIX_CURRENCY.get(key) or word.upper()


# Where a bare "$" or "¥" is at home: the deal's parties decide.
_LOCAL_DOLLAR = {
    "Canada": "CAD",
    "Australia": "AUD",
    "New Zealand": "NZD",
    "Hong Kong": "HKD",
    "Singapore": "SGD",
    "Taiwan": "TWD",
}


# Dollars written out: "US$", "A$", "C$", "HK$" ...
_DOLLARS = frozenset({"USD", "AUD", "CAD", "NZD", "HKD", "SGD", "TWD"})


# Exchanges whose listing places a company in a country of its own dollar.
_EXCHANGE_COUNTRY = {
    "TSX": "Canada",
    "TSXV": "Canada",
    "CSE": "Canada",
    "ASX": "Australia",
    "NZX": "New Zealand",
    "SGX": "Singapore",
    "HKEX": "Hong Kong",
    "SEHK": "Hong Kong",
    "TWSE": "Taiwan",
    "TPEX": "Taiwan",
}
# A ticker in brackets right after the name: "(TSXV: BIO)", "(ASX:MSB; Nasdaq:MESO)".
_TICKER = re.compile(
    r"^[^()]{0,30}?\(\s*(TSX-?V|TSX|CSE|ASX|NZX|SGX|HKEX|SEHK|TWSE|TPEx)\s*[:.]", re.IGNORECASE
)


def local_currencies(countries: Iterable[str | None]) -> dict[str, str]:
    """What "$" and "¥" mean in a deal of parties from these countries: the local
    dollar when every party whose country is known is at home in one such country,
    else US dollars; yuan for Chinese parties, else yen."""
    known = {c for c in countries if c}
    dollar = _LOCAL_DOLLAR.get(next(iter(known))) if len(known) == 1 else None
    yen = "CNY" if known and known <= {"China", "Hong Kong"} else "JPY"
    return {"$": dollar or "USD", "¥": yen}


# ----------------------------------------------------------------------------- USD


# Irrevocable euro conversion rates (31 December 1998) of the currencies the euro replaced.
_EURO_LEGACY = {
    "ITL": 1936.27,
    "DEM": 1.95583,
    "FRF": 6.55957,
    "ESP": 166.386,
    "NLG": 2.20371,
    "BEF": 40.3399,
    "ATS": 13.7603,
    "FIM": 5.94573,
    "IEP": 0.787564,
    "PTE": 200.482,
}


@cache
def _converter():
    from currency_converter import CurrencyConverter

    # Outside a currency's range the nearest rate is used (fallback_on_wrong_date);
    # a missing day (weekend) takes the rates around it.
    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=True)


def usd_value(money: Money, on: str | None) -> float | None:
    """The amount in US dollars at the deal's date (``YYYY``, ``YYYY-MM`` or
    ``YYYY-MM-DD``; today's last rate when unknown), from the ECB's reference rates.

    The ECB's series start on 4 January 1999 (later for some currencies: INR 2009,
    CNY 2005): an earlier date takes the first rate of the series, so the figure is an
    approximation for comparison, not the rate of the day. Currencies the euro replaced
    (lire, marks, francs ...) go through their fixed euro rate. A currency the ECB does
    not publish (TWD, say) has no USD value: ``None``.
    """
    if money.currency == "USD":
        return float(money.amount)
    amount, currency = float(money.amount), money.currency
    if currency in _EURO_LEGACY:
        amount, currency = amount / _EURO_LEGACY[currency], "EUR"
    converter = _converter()
    if currency not in converter.currencies:
        return None
    date = _date(on)
    return float(converter.convert(amount, currency, "USD", date=date))


def _date(on: str | None) -> dt.date | None:
    if not on:
        return None
    parts = [int(p) for p in re.findall(r"\d+", on)[:3]]
    try:
        year, month, day = (*parts, 1, 1)[:3] if len(parts) < 3 else parts
        return dt.date(year, month or 1, day or 1)
    except (TypeError, ValueError):
        return None


# ----------------------------------------------------------------------------- reading


@dataclass
class DealMention:
    """What the reader needs of one deal of an item: its sentence and its parties."""

    sentence: Span
    parties: tuple[str, ...]
    countries: tuple[str | None, ...] = ()


@dataclass
class DealDetails:
    terms: Terms = field(default_factory=Terms)
    assets: tuple[str, ...] = ()
    status: str = "agreed"


# How many sentences after the deal's own may state its terms.
CONTEXT_SENTENCES = 8
# How many sentences after the deal's own that speak of it may name its assets.
ASSET_SENTENCES = 8
# How far a cue word may stand from its amount, in characters.
_CUE_BEFORE = 70
_CUE_AFTER = 60
_WEAK_CUE = 20
# A payment's kind joined to its figure by a total word, not in a list of kinds.
_JOINED_KIND = re.compile(
    r"\b(milestones?|up-?\s?front)\b(?:(?!\band\b|\bor\b|,)[^.;]){0,30}?"
    r"\b(?:totall?ing|total of|worth|amounting to|aggregating|valued at)\b[^,;]{0,40}$",
    re.IGNORECASE,
)
# What follows an amount that is the sum of the kinds named next: "$20M in up-front
# and milestone payments", "$4.4 billion, including the initial payment".
_COMPONENTS_AFTER = re.compile(
    r"^\s*(?:(?:in|of)\s|,?\s*(?P<including>including|which includes|inclusive of)\b)",
    re.IGNORECASE,
)
_COMPONENTS_END = re.compile(r"[;.]|\bas well as\b|\bplus\b|\bin addition\b", re.IGNORECASE)
# What a clause boundary between an amount and a party adds to their distance.
_CLAUSE_WEIGHT = 80
_CONVERSION_GAP = re.compile(
    r"^\s*(?:\(|,?\s*or\s+|,\s*)\s*(?:about|approximately|approx\.|around|roughly|some|nearly|almost|~|≈|c\.)?\s*$",
    re.IGNORECASE,
)
_UP_TO = re.compile(
    r"(?:up to|as much as|potential(?:ly)?|could (?:be )?(?:worth|reach|exceed)|maximum of)\s*(?:a total of\s*|an additional\s*|approximately\s*|about\s*)?$",
    re.IGNORECASE,
)
_CODE = re.compile(
    r"(?<![\w$€£¥-])(?:[A-Z]{1,6}[- ]?\d{2,7}[A-Za-z]?(?:-\d+)?|[A-Z][a-z]{1,5}[A-Z][A-Za-z]{0,5}-?\d{2,7}"
    r"|[A-Z]{2,5}-?\d[A-Za-z]?|[A-Z]{2,5}-[A-Z]\d{1,3}|[A-Z]{3,6}-\d{1,2})(?![\w$%-]|\.\d)"
)
# What joins two payments of a list: "$40 million upfront, plus $730 million ...".
_LIST_JOIN = re.compile(
    r"^\s*(?:,|;|\band\b|\bplus\b)\s*(?:and|plus|with)?\s*"
    r"(?:an?\s+)?(?:additional|further|another|up to|potential(?:ly)?|as much as)?\s*$",
    re.IGNORECASE,
)
# The words straight after an amount, up to a preposition or punctuation.
_HEAD_WORDS = re.compile(
    r"^[\s-]*(?:(?!(?:in|of|for|to|from|with|and|or|on|at|by|as|plus)\b)[A-Za-z-]+\s*){1,3}",
    re.IGNORECASE,
)
# What may stand between a cue and the amount it introduces: the cue then belongs to
# that amount, not to the one before it.
_LEADS_IN = re.compile(
    r"(?:\s|of|worth|totall?ing|amounting to|:|up to|about|approximately|around|some|an?)*",
    re.IGNORECASE,
)
# What joins a payment's kind to its figure: "upfront payment of", "milestones of up to".
_JOINED_TO = re.compile(
    r"\s*(?:cash\s+)?(?:payments?|fees?)?\s*(?:of|totall?ing|worth|amounting to|:)?\s*"
    r"(?:up to|as much as|about|approximately|around|some|an?|additional|further)?\s*",
    re.IGNORECASE,
)
_MILESTONE_NEXT = re.compile(r"[\s-]*(?:milestones?|based milestones?)\b", re.IGNORECASE)
# A payment verb straight before its amount: "by paying $1.95 billion".
_PAID = re.compile(
    r"\b(?:pa(?:y|ys|id|ying)|pledged?|pledging)\s+(?:about|approximately|around|nearly|some|"
    r"roughly|more than|over|up to|as much as)?\s*$",
    re.IGNORECASE,
)
_OPENS_ON_TOTAL = re.compile(r"\W*(?:the\s+)?(?:total|aggregate|combined)\b", re.IGNORECASE)
# A price straight before its amount: "for approximately $225 million".
_PRICED = re.compile(
    r"\bfor\s+(?:about|approximately|approx\.|around|nearly|some|roughly|an estimated)?\s*$",
    re.IGNORECASE,
)
# What makes an amount a part of the one before it.
_PART_OF = re.compile(r"\s*,?\s*(?:including|of which|which includes?|includes?)\b", re.IGNORECASE)
# A sentence that goes on listing what the one before it named: "These include ...".
_CONTINUES = re.compile(
    r"\s*(?:These|They|Those|This|It)\s+(?:include|includes|including|comprise|comprises|"
    r"covers?|are|is)\b"
)
_EACH = re.compile(r"\s*(?:each|apiece)\b", re.IGNORECASE)
# Words that make a code a target, a gene or an enzyme rather than a product: "the
# KLR-2 Fc fusion protein", "a KRAS-targeted drug", "cytochrome QX450", "inactivating X".
_TARGET_AFTER = re.compile(
    r"[\s-]*(?:Fc\s+)?(?:fusion|targeting|targeted|receptors?|enzymes?|genes?|pathway|"
    r"mutations?|expression|positive|negative|protein|kinase|antagonists?|agonists?|"
    r"inhibitors?|,\s+an?\s+(?:enzyme|protein|receptor|gene|target))\b",
    re.IGNORECASE,
)
_TARGET_BEFORE = re.compile(
    r"\b(?:targeting|against|cytochrome|inactivating|inhibiting|blocking|anti)[\s-]*$",
    re.IGNORECASE,
)
_QUOTES = frozenset({"'", '"', "‘", "’", "“", "”"})
_CODE_PART = re.compile(r"[A-Z][A-Za-z]*")
_WORD = re.compile(r"[A-Za-z]+")


class _Spans:
    """Asset spans of one sentence: a token is taken once, never inside an
    organisation's name."""

    def __init__(self, mention_tokens: set[int]) -> None:
        self.mention_tokens = mention_tokens
        self.found: list[tuple[int, int]] = []
        self.taken: set[int] = set()

    def add(self, start: int, end: int) -> None:
        if start >= end or any(i in self.taken for i in range(start, end)):
            return
        if any(i in self.mention_tokens for i in range(start, end)):
            return  # an organisation's name
        self.taken.update(range(start, end))
        self.found.append((start, end))


class ItemReader:
    """Reads every deal of one parsed item; built once per item."""

    def __init__(
        self,
        doc: Doc,
        mentions: Sequence[tuple[int, int, str]],
        deals: Sequence[DealMention],
        words: WordLists,
        *,
        brands: frozenset[str] = frozenset(),
        text: str | None = None,
    ) -> None:
        self.doc = doc
        self.words = words
        self.deals = list(deals)
        self.mentions = sorted(mentions)  # token start, end, canonical name
        self.mention_starts = [m[0] for m in self.mentions]
        self._names_cache: dict[int, frozenset[str]] = {}
        self.mention_tokens = {i for s, e, _ in self.mentions for i in range(s, e)}
        self.brands = brands
        self.sents = list(doc.sents)
        self.sent_starts = [s.start for s in self.sents]
        self.sent_starts_char = [s.start_char for s in self.sents]
        # Doc.text joins every token on each access: the parsed text, when the caller
        # has it (and its length shows it is the doc's), saves most of the reader's time.
        end = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
        self.text = text if text is not None and len(text) == end else doc.text
        self.amounts = _drop_conversions(self.text, find_amounts(self.text))
        self.amount_starts = [a.start for a in self.amounts]
        self.percents = [
            (m.start(), m.end(), _number(m.group("num")), m.group(0))
            for m in _PERCENT.finditer(self.text)
        ]
        self._cues = _cue_patterns(words)
        self._asset_cache: dict[int, list[tuple[int, int]]] = {}
        self._lower: set[str] | None = None
        self._sums: set[int] = set()  # amounts named as the sum of several payments
        self._persons: set[str] | None = None
        self._party_word_cache: dict[tuple[str, ...], re.Pattern | bool] = {}
        self.token_starts = [int(i) for i in doc.to_array(IDX)] if len(doc) else []
        self._inn_endings = tuple(words.term_inn_stems)
        self._second_endings = tuple(words.term_inn_second_words)
        self._name_nouns = words.product_nouns | words.term_platform_nouns
        self._naming = re.compile(
            rf"(?:(?P<owner>(?<=\w)(?:'s|’s|'|’))|(?i:\b(?:{_alternation(words.term_name_cues)})))"
            r"\s+[\"'“‘]?(?P<name>[A-Z0-9][\w-]*)"
        )

    # ------------------------------------------------------------------ public
    def read(self, deal: DealMention) -> DealDetails:
        statements = self._statements(deal)
        # Spans do not hash by their range: one sentence is one start.
        sentences = list(
            {s.start: s for start in statements for s in self._window(start, deal)}.values()
        )
        stated = {s.start for s in statements}
        seen: list[Amount] = []
        roles: dict[str, list[tuple[Amount, str]]] = {}
        stake: Stake | None = None
        royalties: str | None = None
        for sent in sentences:
            in_evidence = sent.start in stated
            about_it = in_evidence or self._speaks_of(sent, deal)
            amounts = self._amounts_in(sent, deal)
            seen += amounts
            for amount in amounts:
                role, text = self._role(amount, sent, in_evidence=in_evidence)
                if role == "total" and not about_it:
                    continue  # "bringing the offering to $11.5 million": whose?
                if role:
                    roles.setdefault(role, []).append((amount, text))
            if stake is None and in_evidence:
                # Percentages in the sentences after the deal's own are more often
                # another holding, a share of sales or of a vote than the deal's stake
                # (tuning sets: terms accuracy 0.588 with them, 0.601 without).
                stake = self._stake_in(sent, deal)
            if royalties is None:
                royalties = self._royalties_in(sent)
        local = self._local_currencies(seen, deal)
        roles = {
            role: [(_with_currency(a, local.get(a.currency, a.currency)), t) for a, t in found]
            for role, found in roles.items()
        }
        upfront = _first(roles.get("upfront"))
        milestones = _milestones(roles.get("milestones") or [])
        # A sum of the kinds of payment is the deal's value before any other total: "plus
        # $1 million as a fee to be paid ... Total payments, including the upfront and
        # milestone payments, could exceed $50 million"
        totals = sorted(roles.get("total") or [], key=lambda t: t[0].start not in self._sums)
        total = _first(totals)
        if (
            total is not None
            and upfront is not None
            and (upfront.currency, upfront.amount) == (total.currency, total.amount)
        ):
            # "armed with $250 million to buy X" then "$250 million upfront": one payment,
            # named by its kind
            total = None
        terms = Terms(
            total_value=total,
            upfront=upfront,
            milestones=milestones,
            equity_pct=stake,
            royalties=royalties,
        )
        return DealDetails(terms, self._assets(sentences, deal), self._status(deal))

    def _local_currencies(self, amounts: list[Amount], deal: DealMention) -> dict[str, str]:
        """What "$" and "¥" mean for this deal: the one dollar its amounts write out
        ("a $130 million upfront payment ... up to US$1.7 billion" is in US dollars
        whatever the parties' countries), else as the parties' countries say."""
        local = local_currencies(self._countries(deal))
        written = {a.currency for a in amounts if a.currency in _DOLLARS}
        if len(written) == 1:
            local["$"] = written.pop()
        return local

    def _countries(self, deal: DealMention) -> tuple[str | None, ...]:
        """The parties' countries, a party of unknown country placed by the exchange its
        ticker follows its name on: "Biosign Technologies Inc. (TSXV: BIO)"."""
        countries = list(deal.countries) or [None] * len(deal.parties)
        for n, (party, country) in enumerate(zip(deal.parties, countries, strict=False)):
            if country is None:
                countries[n] = self._listed_in(party)
        return tuple(countries)

    def _listed_in(self, party: str) -> str | None:
        for _start, end, name in self.mentions:
            if name == party:
                after = self.text[self.token_starts[end - 1] : self.token_starts[end - 1] + 80]
                m = _TICKER.search(after)
                if m:
                    return _EXCHANGE_COUNTRY[m.group(1).upper().replace("-", "")]
        return None

    # ------------------------------------------------------------------ window
    def _statements(self, deal: DealMention) -> list[Span]:
        """The sentences that state the deal: the first of the item that names all its
        parties and states no other deal of the item, when it comes before the deal's
        own sentence (a quote or an "About ..." paragraph may have been taken for the
        evidence while the opening states the deal and its terms), then its own."""
        index = self._index(deal.sentence)
        parties = set(deal.parties)
        others = {d.sentence.start for d in self.deals if set(d.parties) != parties}
        for sent in self.sents[:index]:
            if sent.start in others:
                continue
            if parties <= self._names_in(sent):
                return [sent, self.sents[index]]
        return [self.sents[index]]

    def _index(self, sentence: Span) -> int:
        return min(bisect_left(self.sent_starts, sentence.start), len(self.sents) - 1)

    def _window(self, sentence: Span, deal: DealMention) -> list[Span]:
        """A sentence that states the deal and the ones after it that go on speaking of it."""
        index = self._index(sentence)
        out = [self.sents[index]]
        other_sentences = {
            d.sentence.start for d in self.deals if set(d.parties) != set(deal.parties)
        }
        if len({d.parties for d in self._deals_in(sentence)}) > 1:
            return out  # what follows a sentence of several deals belongs to none of them
        if not other_sentences:
            # The item's only deal: the whole item speaks of it, nearest sentences first
            # (a headline the body does not repeat is read after the body, see
            # reading._item_text, so the body's opening comes next in reading order).
            following = self.sents[index + 1 :]
            before = self.sents[:index][::-1]
            if index == len(self.sents) - 1:
                following, before = self.sents[:index], []
            out += self._go_on(following, deal, other_sentences)
            out += self._go_on(before, deal, other_sentences)
        else:
            following = self.sents[index + 1 : index + 1 + CONTEXT_SENTENCES]
            out += self._go_on(following, deal, other_sentences)
        return list(dict.fromkeys(out))

    def _go_on(
        self, sentences: Sequence[Span], deal: DealMention, other_sentences: set[int]
    ) -> list[Span]:
        """The sentences, in this order, up to one that states another deal of the item
        or names only other organisations beside figures of their own."""
        parties = set(deal.parties)
        party_words = {p.split()[0].casefold() for p in parties if p.split()}
        out = []
        for sent in sentences:
            if sent.start in other_sentences:
                break
            if _CONTINUES.match(sent.text):
                out.append(sent)  # "These include AB-12, a version of Acme's Zelvora"
                continue
            named = {name for _s, _e, name in self._mentions_in(sent)}
            strangers = {
                n
                for n in named - parties
                if n.split() and n.split()[0].casefold() not in party_words
            }
            if strangers and not named & parties:
                if self._has_figures(sent):
                    break  # another organisation's deal, with its own figures
                continue  # a quote from "Merck Research Laboratories"
            if strangers and self._figures_of(sent, strangers):
                break  # "including Otsuka paying $47 million upfront for ...": theirs
            out.append(sent)
        return out

    def _figures_of(self, sent: Span, strangers: set[str]) -> bool:
        """Whether the sentence's amounts all stand nearer one of these organisations
        than any other organisation named in it."""
        lo = bisect_left(self.amount_starts, sent.start_char)
        hi = bisect_left(self.amount_starts, sent.end_char)
        if lo == hi:
            return False
        named = [
            (self.doc[s].idx, self.doc[e - 1].idx + len(self.doc[e - 1]), name)
            for s, e, name in self._mentions_in(sent)
        ]
        for amount in self.amounts[lo:hi]:
            nearest = min(
                named,
                key=lambda m: max(m[0] - amount.end, amount.start - m[1], 0),
            )
            if nearest[2] not in strangers:
                return False
        return True

    def _speaks_of(self, sent: Span, deal: DealMention) -> bool:
        """Whether a sentence names a party or the agreement ("the transaction")."""
        if any(name in deal.parties for _s, _e, name in self._mentions_in(sent)):
            return True
        if any(t.lower_ in self.words.term_deal_nouns for t in sent):
            return True
        # A party by the first word of its name, which the pipeline may not have tagged:
        # "Allorion received $40 million upfront" after "Allorion Therapeutics".
        pattern = self._party_words(deal.parties)
        return pattern is not None and pattern.search(sent.text) is not None

    def _party_words(self, parties: tuple[str, ...]) -> re.Pattern | None:
        cached = self._party_word_cache.get(parties)
        if cached is None:
            first = {
                w
                for p in parties
                for w in p.split()[:1]
                if len(w) >= 4
                and w[:1].isupper()
                and w.lower() not in self.words.name_stopwords
                and w.lower() not in self.words.term_asset_stop_words
            }
            cached = self._party_word_cache[parties] = (
                re.compile(rf"\b(?:{_alternation(first)})\b") if first else False
            )
        return cached if isinstance(cached, re.Pattern) else None

    def _has_figures(self, sent: Span) -> bool:
        lo = bisect_left(self.amount_starts, sent.start_char)
        if lo < len(self.amounts) and self.amounts[lo].start < sent.end_char:
            return True
        return any(sent.start_char <= p[0] < sent.end_char for p in self.percents)

    def _deals_in(self, sentence: Span) -> list[DealMention]:
        return [d for d in self.deals if d.sentence.start == sentence.start]

    def _mentions_in(self, span: Span) -> list[tuple[int, int, str]]:
        # Bisected: an item naming 10,000 organisations has that many mentions.
        lo = bisect_left(self.mention_starts, span.start)
        hi = bisect_left(self.mention_starts, span.end)
        return self.mentions[lo:hi]

    def _names_in(self, sent: Span) -> frozenset[str]:
        """The organisations a sentence names, once per sentence (``_statements`` asks
        for every sentence before each deal's)."""
        names = self._names_cache.get(sent.start)
        if names is None:
            names = self._names_cache[sent.start] = frozenset(
                name for _s, _e, name in self._mentions_in(sent)
            )
        return names

    # ------------------------------------------------------------------ money
    def _amounts_in(self, sent: Span, deal: DealMention) -> list[Amount]:
        lo = bisect_left(self.amount_starts, sent.start_char)
        hi = bisect_left(self.amount_starts, sent.end_char)
        amounts = self.amounts[lo:hi]
        rivals = self._rivals(sent, deal)
        if not rivals:
            return amounts
        # an amount near no deal's own party (each is named by "the company") is theirs
        # alike, as an asset is
        return [a for a in amounts if self._owner(a.start, sent, [deal, *rivals]) in (deal, None)]

    def _rivals(self, sent: Span, deal: DealMention) -> list[DealMention]:
        """The sentence's other deals that its figures are shared out among; none when
        the sentence gives each the same ("X and Y each acquired a 20% stake in Z")."""
        rivals = [d for d in self._deals_in(sent) if set(d.parties) != set(deal.parties)]
        if rivals and re.search(r"\beach\b", self.text[sent.start_char : sent.end_char], re.I):
            return []
        return rivals

    def _owner(self, char: int, sent: Span, deals: list[DealMention]) -> DealMention | None:
        """The deal whose own party is named nearest this character, counting clause
        boundaries between them: "bought Nutrino for $10 million, and VisionSense ...
        for $75 million"."""
        shared = set.intersection(*(set(d.parties) for d in deals))
        best, best_distance = None, None
        for d in deals:
            own = set(d.parties) - shared
            for start, end, name in self._mentions_in(sent):
                if name not in own:
                    continue
                a, b = self.doc[start].idx, self.doc[end - 1].idx + len(self.doc[end - 1])
                lo, hi = (b, char) if b <= char else (char, a)
                between = self.text[lo:hi]
                distance = (hi - lo) + _CLAUSE_WEIGHT * len(re.findall(r"[,;:(]|\band\b", between))
                distance += 0 if b <= char else 5  # "X for $N" over "$N to X"
                if best_distance is None or distance < best_distance:
                    best, best_distance = d, distance
        return best

    def _role(self, amount: Amount, sent: Span, *, in_evidence: bool) -> tuple[str | None, str]:
        """``total``, ``upfront``, ``milestones`` or ``None`` (no term: a share price,
        a market, revenue), from the nearest cue word on either side, within the
        amount's own stretch of the sentence (not past another amount)."""
        text = self.text
        k, left_lo, left, right, right_hi, next_start = self._stretch(amount, sent)
        if _EACH.match(right):
            return None, amount.text  # "milestone payments of $10 million each": per item
        phrase = amount.text
        up_to = _UP_TO.search(left)
        if up_to:
            phrase = text[left_lo + up_to.start() : amount.end]
        # "$325 million deal", "a $2.6 million licensing agreement": the deal's value.
        head = _HEAD_WORDS.match(right)
        head_words = head.group(0).lower().replace("-", " ").split() if head else []
        if head and any(w in self.words.term_deal_nouns for w in head_words[:3]):
            return self._deal_value_kind(amount, k, left, head.group(0)), phrase
        best = self._nearest_cue(left, right, right_hi == next_start)
        joined = _JOINED_KIND.search(left[-90:])
        if best is not None and best[1] == "total" and joined:
            # "milestone payments totaling up to $9.3 billion": the payments' kind
            # names them, "totaling" only joins; "upfront and milestone payments
            # total $74.5M" names two kinds, and is the total.
            kind = joined.group(1).lower()
            best = (best[0], "upfront" if kind.startswith("up") else "milestones")
        if (best is None or best[1] != "excluded") and self._covers_kinds(amount, sent, left):
            self._sums.add(amount.start)
            return "total", phrase
        if best is None:
            # With no cue, an amount in the deal's own sentence is its value ("bought
            # X for $5 million"); one in a later sentence may be anything but a price
            # ("has licensed the rights to Y for approximately $225 million").
            priced = in_evidence or _PRICED.search(left) is not None
            return ("total" if priced else None), phrase
        return self._cued_role(best[1], k, left, right, left_lo), phrase

    def _stretch(self, amount: Amount, sent: Span) -> tuple[int, int, str, str, int, int]:
        """The amount's own stretch of the sentence, up to the amounts either side: its
        index, where the left part starts, the left and right words, where the right
        part ends and where the next amount starts."""
        text = self.text
        k = self.amount_starts.index(amount.start)
        prev_end = self.amounts[k - 1].end if k > 0 else 0
        next_start = self.amounts[k + 1].start if k + 1 < len(self.amounts) else len(text)
        left_lo = max(sent.start_char, prev_end, amount.start - _CUE_BEFORE)
        right_hi = min(sent.end_char, next_start, amount.end + _CUE_AFTER)
        left = text[left_lo : amount.start]
        if k > 0 and left_lo == prev_end:
            # A cue straight after the amount before belongs to it: "$400 million up
            # front, plus $730 million in potential milestone payments".
            for _role, pattern in self._cues:
                m = pattern.match(left, len(left) - len(left.lstrip()))
                if m and _LIST_JOIN.match(left[m.end() :]):
                    left = left[m.end() :]
                    break
        return k, left_lo, left, text[amount.end : right_hi], right_hi, next_start

    def _deal_value_kind(self, amount: Amount, k: int, left: str, head: str) -> str:
        """The role of an amount before a deal noun: the deal's value, unless a
        payment's kind stands right before it: "an upfront payment of USD 290 million
        Agreement strengthens ..." (a headline glued to the next), or names it in a list
        of payments: "a $12 million upfront, $300 million biobucks deal" (but "a $1
        billion biobucks deal" is the deal's value)."""
        kind = self._kind_before(left[-30:])
        if kind is None and k > 0 and amount.start - self.amounts[k - 1].end <= 25:
            kind = self._kind_before(head)
        return kind or "total"

    def _nearest_cue(self, left: str, right: str, right_to_next: bool) -> tuple[int, str] | None:
        """The nearest cue word to the amount as (distance, role), either side."""
        best: tuple[int, str] | None = None
        for role, pattern in self._cues:
            # A total cue ("for", "paid") is a weaker sign than a payment's kind.
            weight = _WEAK_CUE if role == "total" else 0
            for m in pattern.finditer(left):
                if role == "excluded" and _MILESTONE_NEXT.match(left, m.end()):
                    continue  # "in sales milestones": a kind of milestone, not sales
                distance = len(left) - m.end() + weight
                if role in ("upfront", "milestones") and _JOINED_TO.fullmatch(left, m.end()):
                    distance = -1  # "milestone payments of up to $5.7 billion based on net
                    # sales": the kind joined to its figure decides over words after it
                if best is None or distance < best[0]:
                    best = (distance, role)
            after = pattern.search(right)
            if after and role == "excluded" and _MILESTONE_NEXT.match(right, after.end()):
                after = None
            if after and right_to_next and _LEADS_IN.fullmatch(right, after.end()):
                after = None  # "a total of $2.6 million via an immediate payment of $1.4 million"
            if after and (best is None or after.start() + weight < best[0]):
                best = (after.start() + weight, role)
        return best

    def _cued_role(self, role: str, k: int, left: str, right: str, left_lo: int) -> str | None:
        """The role the nearest cue gives, but for a payment straight before the amount
        or an amount that is part of the one before it."""
        if role == "excluded" and _PAID.search(left) and not self._cues[0][1].search(right[:20]):
            return "total"  # "secured a stake in the migraine market by paying $1.95
            # billion": a payment straight before the amount, whatever came before
        prev_end = self.amounts[k - 1].end if k > 0 else 0
        if role == "total" and k > 0 and left_lo == prev_end and _PART_OF.match(left):
            return None  # "$185 million, including an equity investment of $113 million":
            # a part of the payment before it, not the deal's value
        return None if role == "excluded" else role

    def _covers_kinds(self, amount: Amount, sent: Span, left: str) -> bool:
        """Whether the amount is named as the sum of several kinds of payment: "up to
        $20M in up-front and milestone payments", "upfront, milestones and option fees of
        up to a total of $142 million", "a total of $4.4 billion, including the initial
        payment and milestone payments"."""
        kinds = [p for role, p in self._cues if role in ("upfront", "milestones")]
        after = self.text[amount.end : min(sent.end_char, amount.end + 100)]
        joined = _COMPONENTS_AFTER.match(after)
        if joined:
            named = _COMPONENTS_END.split(after[joined.end() :])[0]
            if joined.group("including"):
                return any(p.search(named) for p in kinds)
            # only up to the next amount: "$200 million in upfront payment as well as up
            # to $625 million in milestones" names one kind each
            k = bisect_left(self.amount_starts, amount.end)
            if k < len(self.amounts) and self.amounts[k].start < amount.end + len(named):
                named = named[: self.amounts[k].start - amount.end - joined.end()]
            return all(p.search(named) for p in kinds)
        if all(p.search(left[-60:]) for p in kinds):
            return True
        # "Total payments to X, including the upfront payment ... and milestone payments,
        # could exceed $50 million": a sentence that opens on a total and names the kinds
        # before its only amount
        k = bisect_left(self.amount_starts, sent.start_char)
        if self.amounts[k].start != amount.start:
            return False
        opening = self.text[sent.start_char : amount.start]
        return bool(_OPENS_ON_TOTAL.match(opening)) and all(p.search(opening) for p in kinds)

    def _kind_before(self, left: str) -> str | None:
        """``upfront`` or ``milestones`` when that payment's cue word ends ``left``'s
        stretch, else ``None``."""
        for role, pattern in self._cues:
            if role in ("upfront", "milestones") and pattern.search(left):
                return role
        return None

    # ------------------------------------------------------------------ stake
    def _stake_in(self, sent: Span, deal: DealMention) -> Stake | None:
        text = self.text
        rivals = self._rivals(sent, deal)
        stake_words = self._stake_pattern
        for start, end, value, written in self.percents:
            if not (sent.start_char <= start < sent.end_char) or value is None:
                continue
            if rivals and self._owner(start, sent, [deal, *rivals]) not in (deal, None):
                continue
            left = text[max(sent.start_char, start - 45) : start]
            right = text[end : min(sent.end_char, end + 40)]
            # distances of the stake words and of the words that make it no stake
            near = [len(left) - m.end() for m in stake_words.finditer(left)]
            near += [m.start() for m in stake_words.finditer(right)]
            bad = [len(left) - m.end() for m in self._not_stake.finditer(left)]
            bad += [m.start() for m in self._not_stake.finditer(right)]
            if not near and re.match(
                r"^\s*of\s+(?:the\s+)?(?:shares|share capital|stock)\b", right
            ):
                near = [0]  # "acquired 100% of the shares"
            if not near and re.match(r"^\s*of\b", right):
                of_party = [
                    m
                    for m in self._mentions_in(sent)
                    if m[2] in deal.parties and 0 <= self.doc[m[0]].idx - end <= 10
                ]
                if of_party:
                    near = [0]  # "the acquisition of 100% of Pharmacare"
            if not near:
                continue
            if bad and min(bad) <= min(near):
                continue
            if 0 < value <= 100:
                stake_text = written
                m = re.match(
                    r"^\s*(?:[a-z-]+\s+){0,2}?(?:stake|equity(?: interest)?|interest|shareholding|holding|of the shares|shares)",
                    right,
                    re.I,
                )
                if m:
                    stake_text = text[start : end + m.end()]
                return Stake(value, stake_text.strip())
        return None

    @property
    def _stake_pattern(self) -> re.Pattern:
        return _words_pattern(self.words.term_stake_words)

    @property
    def _not_stake(self) -> re.Pattern:
        return _words_pattern(self.words.term_not_stake_words)

    # ------------------------------------------------------------------ royalties
    def _royalties_in(self, sent: Span) -> str | None:
        if "royalt" not in self.text[sent.start_char : sent.end_char].lower():
            return None
        for token in sent:
            if token.lemma_.lower() in ("royalty", "royalties") or token.lower_.startswith(
                "royalt"
            ):
                left = token
                while (
                    left.i > sent.start
                    and self.doc[left.i - 1].dep_
                    in (
                        "amod",
                        "compound",
                        "nummod",
                        "npadvmod",
                        "advmod",
                        "punct",
                    )
                    and self.doc[left.i - 1].text not in (",", ";", "(", ")")
                ):
                    left = self.doc[left.i - 1]
                right_end = min(token.right_edge.i + 1, token.i + 10, sent.end)
                return self.doc[left.i : right_end].text.strip(" ,;.")
        return None

    # ------------------------------------------------------------------ assets
    def _assets(self, sentences: list[Span], deal: DealMention) -> tuple[str, ...]:
        rivals = self._deals_in(deal.sentence)
        found: list[str] = []
        # The deal's sentence, then the nearest that go on speaking of it: further away
        # are boilerplate, references and other products of the companies.
        near = [
            sentences[0],
            *(s for s in sentences[1:] if self._speaks_of(s, deal) or _CONTINUES.match(s.text)),
        ]
        near = near[: 1 + ASSET_SENTENCES]
        for n, sent in enumerate(near):
            tied = n == 0 or self._ties_to_a_deal(sent)
            for start, end in self._asset_spans(sent):
                if not tied and not self._named_again(self.doc[start:end].text, near, sent):
                    continue
                if n == 0 and len({d.parties for d in rivals}) > 1:
                    others = [d for d in rivals if set(d.parties) != set(deal.parties)]
                    owner = self._owner(self.doc[start].idx, sent, [deal, *others])
                    if owner is not None and owner is not deal:
                        continue
                if self._owned_by_another(start, deal):
                    continue
                name = self.doc[start:end].text
                if name and name.casefold() not in {f.casefold() for f in found}:
                    found.append(name)
        if len({d.parties for d in rivals}) <= 1:
            for name in self._recurring_names(near[: 1 + ASSET_SENTENCES], deal):
                if name.casefold() not in {f.casefold() for f in found}:
                    found.append(name)
        return tuple(found)

    def _ties_to_a_deal(self, sent: Span) -> bool:
        """Whether a sentence other than the deal's own speaks of an agreement or of
        rights ("The deal grants Lilly rights to X", "These include X"): a party's "lead
        product X" or its "share price" beside "its blocker X" is not the deal's. On the
        six tuning sets this took assets F1 from 0.72 to 0.74, no set lower."""
        if _CONTINUES.match(sent.text):
            return True
        # on the text, not token by token: Token objects are slow to make
        pattern = _words_pattern(self.words.term_deal_nouns | _RIGHTS)
        return pattern.search(self.text, sent.start_char, sent.end_char) is not None

    @staticmethod
    def _named_again(name: str, near: list[Span], sent: Span) -> bool:
        """Whether another of the deal's sentences names it too."""
        return any(other.start != sent.start and name in other.text for other in near)

    def _owned_by_another(self, start: int, deal: DealMention) -> bool:
        """Whether the name follows another organisation's possessive: "a biosimilar of
        Acme's Zelvora" names the product the deal's own is a copy of."""
        if start < 2 or self.doc[start - 1].lower_ not in ("'s", "’s", "'", "’"):
            return False
        k = bisect_right(self.mention_starts, start - 2) - 1
        if k < 0:
            return False
        m_start, m_end, name = self.mentions[k]
        return m_end == start - 1 and name not in deal.parties

    def _recurring_names(self, sentences: list[Span], deal: DealMention) -> list[str]:
        """Unmarked product names: a capitalised word, not an organisation, place or
        person and never written in lower case in the item, that comes back in two or
        more of the deal's sentences, inside them ("licence agreement for Zolvix ...
        commercial sale of Zolvix")."""
        words = self.words
        doc = self.doc
        seen: dict[str, set[int]] = {}
        party = self._party_words(deal.parties)
        for sent in sentences:
            for token in sent[1:]:
                text = token.text
                if (
                    len(text) < 4
                    or not text[:1].isupper()
                    or text.isupper()
                    or not text.isalpha()
                    or text[:-1].isupper()  # "ADCs"
                    or token.pos_ != "PROPN"
                    # "Alzheimer's"
                    or (token.i + 1 < len(doc) and doc[token.i + 1].lower_ in ("'s", "’s"))
                    or token.i in self.mention_tokens
                    or token.ent_type_ in ("GPE", "NORP", "LOC", "DATE", "FAC")
                    or (token.ent_type_ == "PERSON" and text in self._person_words)
                    or token.lower_ in words.term_asset_stop_words
                    or token.lower_ in words.name_stopwords
                    or token.lower_ in words.generic_heads
                    or (party is not None and party.fullmatch(text))
                ):
                    continue
                seen.setdefault(text, set()).add(sent.start)
        lower = self._lower_words
        dictionary = dictionary_words()
        if not dictionary:
            return []  # without a dictionary, "Chief" or "Treasury" would pass
        return [
            w
            for w, where in seen.items()
            if w.lower() not in lower
            and w.lower() not in dictionary
            and not self._speaker(w)
            and (
                len(where) >= 2
                # once among the deal's sentences and again elsewhere in the item
                # ("for Zelvora" in the headline, "Zelvora is ..." in the body): a
                # coined name, not a plural English word
                or (
                    self._sentences_with(w) >= 2
                    and not (w.endswith("s") and w[:-1].lower() in dictionary)
                )
            )
        ]

    def _speaker(self, word: str) -> bool:
        """Whether the item has the word speak or be told: "said Marlowe", "told Reuters",
        "told \"The Ledger\"" (a person or an outlet, not a product)."""
        w = re.escape(word)
        return (
            re.search(
                rf"\b(?:said|says|told)\s+[\"“]?{w}\b|\b{w}[\"”]?\s+(?:said|says|told)\b",
                self.text,
            )
            is not None
        )

    def _sentences_with(self, word: str) -> int:
        """In how many of the item's sentences a word is written."""
        starts = {
            bisect_right(self.sent_starts_char, m.start())
            for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", self.text)
        }
        return len(starts)

    @property
    def _person_words(self) -> set[str]:
        """Words of people's names: every word of a name of two or more words, and one
        word named alone after a title or before "said" (a brand alone is often tagged
        a person: "sales of Zolvix")."""
        if self._persons is None:
            self._persons = {
                t.text
                for ent in self.doc.ents
                if ent.label_ == "PERSON" and len(ent) > 1
                for t in ent
            }
            for ent in self.doc.ents:
                if ent.label_ == "PERSON" and len(ent) == 1:
                    near = self.doc[max(ent.start - 2, 0) : ent.end + 2].text.lower()
                    if "said" in near or "says" in near or "told" in near:
                        self._persons.add(ent.text)
        return self._persons

    @property
    def _lower_words(self) -> set[str]:
        if self._lower is None:
            self._lower = set(re.findall(r"\b[a-z]{4,}\b", self.text))
        return self._lower

    def _asset_spans(self, sent: Span) -> list[tuple[int, int]]:
        """Asset names of a sentence as token spans (read once per sentence)."""
        cached = self._asset_cache.get(sent.start)
        if cached is None:
            cached = self._asset_cache[sent.start] = self._find_asset_spans(sent)
        return cached

    def _find_asset_spans(self, sent: Span) -> list[tuple[int, int]]:
        """Marked names, codes, names a naming phrase or an owner introduces, then names
        by a drug's stem or beside a product or platform noun; a token is taken once."""
        written = self.text[sent.start_char : sent.end_char]
        spans = _Spans(self.mention_tokens)
        self._marked_names(sent, written, spans)
        self._code_names(sent, written, spans)
        self._introduced_names(sent, written, spans)
        self._noun_names(sent, written, spans)
        return sorted(spans.found)

    def _marked_names(self, sent: Span, written: str, spans: _Spans) -> None:
        """Names marked ® or ™ here ("TYVYT®", "HepaGam B®", "Bioral™", "T-ACT(TM)"),
        and words marked so elsewhere in the article."""
        # Token by token only where the text shows a mark or a brand: Token objects are
        # slow to make.
        marks = any(m in written for m in ("®", "™", "(TM)", "(R)")) or any(
            b in written for b in self.brands
        )
        if not marks:
            return
        for token in sent:
            text = token.text
            marked = self._marked(token)
            if text.endswith(("®", "™")) and len(text) > 1:
                marked, text = True, text[:-1]
            if marked and (token.text[:1].isupper() or token.text[:1].isdigit()):
                start = token.i
                while (
                    start - 1 >= sent.start
                    and self.doc[start - 1].text[:1].isupper()
                    and self.doc[start - 1].lower_ not in self.words.term_asset_stop_words
                    and start - 1 not in self.mention_tokens
                    and token.i - start < 2
                ):
                    start -= 1
                spans.add(start, token.i + 1)
            elif text in self.brands and token.text[:1].isupper():
                spans.add(token.i, token.i + 1)

    def _marked(self, token: Token) -> bool:
        """Whether a mark follows the token as a token of its own: "Bioral ™", "T-ACT (TM)"."""
        doc = self.doc
        nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
        return nxt is not None and (
            nxt.text in ("®", "™")
            or (
                nxt.text == "("
                and token.i + 3 < len(doc)
                and doc[token.i + 2].text in ("TM", "R")
                and doc[token.i + 3].text == ")"
            )
        )

    def _code_names(self, sent: Span, written: str, spans: _Spans) -> None:
        """Development codes ("ABC-123"), not a year, a word and a number or a figure."""
        for m in _CODE.finditer(written):
            if not self._is_code(m.group(0)):
                continue
            if _TARGET_AFTER.match(written, m.end()) or _TARGET_BEFORE.search(
                written, 0, m.start()
            ):
                continue  # "a KLR-2 fusion protein", "cytochrome QX450": a target
            span = self.doc.char_span(
                sent.start_char + m.start(), sent.start_char + m.end(), alignment_mode="expand"
            )
            if span is None or any(
                a.start <= span.start_char < a.end for a in self._near_amounts(span)
            ):
                continue
            spans.add(span.start, span.end)

    def _is_code(self, code: str) -> bool:
        words = self.words
        if re.search(r"\s(?:19|20)\d\d$", code):
            return False  # "IASLC 2023", "ACT OF 1934": a year
        if code.split()[0].lower() in words.term_asset_stop_words:
            return False
        if " " in code and _plain_word(code.split()[0].capitalize()):
            return False  # "FUND 100 PERCENT", "Table 2": a word and a number
        prefix = _CODE_PART.match(code)
        if prefix and prefix.group(0).upper() in words.term_code_exclusions:
            return False
        if code.upper() in words.term_code_exclusions:
            return False
        return sum(c.isdigit() for c in code) >= 2 or re.search(r"[A-Z]{2,}", code) is not None

    def _introduced_names(self, sent: Span, written: str, spans: _Spans) -> None:
        """ "Acme's Zelvora", "sold under the trade name Ostrelix": a coined name an
        organisation owns, or one a naming phrase introduces."""
        for m in self._naming.finditer(written):
            if m.group("owner"):
                owner = bisect_right(self.token_starts, sent.start_char + m.start() - 1) - 1
                if owner not in self.mention_tokens:
                    continue  # only an organisation's: not "the company's Board"
            start = end = bisect_right(self.token_starts, sent.start_char + m.start("name")) - 1
            while (
                end < sent.end
                and end - start < 3
                and self._coined(
                    self.doc[end], first=end == start, owned=m.group("owner") is not None
                )
            ):
                end += 1
            spans.add(start, end)

    def _noun_names(self, sent: Span, written: str, spans: _Spans) -> None:
        """Names by a drug's stem, after a product noun or before a platform noun."""
        # Only the tokens the text shows to be a drug name or a product or platform noun.
        nouns = self._name_nouns
        hits = sorted(
            {
                bisect_right(self.token_starts, sent.start_char + m.start()) - 1
                for m in _WORD.finditer(written)
                if m.group(0).lower() in nouns
                or (len(m.group(0)) >= 7 and m.group(0).lower().endswith(self._inn_endings))
            }
        )
        words = self.words
        for i in hits:
            token = self.doc[i]
            lower = token.lower_
            if (
                token.is_alpha
                and len(lower) >= 7
                and lower.endswith(self._inn_endings)
                and lower not in words.term_asset_stop_words
                and token.pos_ != "VERB"
            ):
                self._inn_name(token, sent, spans)
            elif lower in words.product_nouns and token.is_lower and token.i + 1 < sent.end:
                self._after_product_noun(token, sent, spans)
            elif lower in words.term_platform_nouns and token.i - 1 >= sent.start:
                self._before_platform_noun(token, sent, spans)

    def _inn_name(self, token: Token, sent: Span, spans: _Spans) -> None:
        """A drug's nonproprietary name, with its second word and a brand in brackets."""
        doc, words = self.doc, self.words
        start, end = token.i, token.i + 1
        # "patritumab deruxtecan", "remogliflozin etabonate": two-word names
        if (
            end < sent.end
            and doc[end].is_alpha
            and doc[end].is_lower
            and doc[end].lower_.endswith(self._second_endings)
        ):
            end += 1
        spans.add(start, end)
        # "Keytruda (pembrolizumab)", "memantine (Namenda)": its brand beside it
        if start >= 2 and doc[start - 1].text == "(" and _is_name(doc[start - 2], words):
            spans.add(start - 2, start - 1)
        if end + 1 < len(doc) and doc[end].text == "(" and _is_name(doc[end + 1], words):
            spans.add(end + 1, end + 2)

    def _after_product_noun(self, token: Token, sent: Span, spans: _Spans) -> None:
        """ "the drug Zolvix", "its osteoporosis brand Teribone", "brand 'Zolvix'"."""
        doc = self.doc
        at = token.i + 1
        if doc[at].text in _QUOTES and at + 2 < sent.end and doc[at + 2].text in _QUOTES:
            at += 1
        # a plural noun before a capitalised word is more often a title: "the Drugs
        # Controller"
        if _is_name(doc[at], self.words, ("GPE", "NORP", "DATE", "LOC")) and not (
            token.lower_.endswith("s") and _plain_word(doc[at].text)
        ):
            spans.add(at, at + 1)

    def _before_platform_noun(self, token: Token, sent: Span, spans: _Spans) -> None:
        """ "its XenoMouse technology", "the Harbour Mice platform"."""
        doc = self.doc
        end = token.i
        start = end
        while start - 1 >= sent.start and _is_name(doc[start - 1], self.words) and end - start < 3:
            start -= 1
        if (
            start < end
            and not all(doc[i].is_upper and len(doc[i]) <= 4 for i in range(start, end))
            and not (end - start == 1 and _plain_word(doc[start].text))
        ):
            spans.add(start, end)

    def _coined(self, token: Token, *, first: bool, owned: bool = False) -> bool:
        """A word of a coined name: capitalised or with digits, not an English word, an
        organisation, a place, a person or a stop word ("Zelvora", "ZB-11"); the first
        word is no acronym or target either ("the EMA's CHMP", "Lilly's GLP-1 drugs"),
        the next may be ("Zelvora XR")."""
        text = token.text
        if not (
            # a coined name is often tagged a person: judged by _person_words instead
            (
                _is_name(token, self.words, ("GPE", "NORP", "DATE", "LOC"))
                # after an organisation's possessive the tagger's guess matters less:
                # a coined name there is often read as a place or an adjective
                or (owned and first and _is_written_name(token, self.words))
            )
            and token.i not in self.mention_tokens
            and text.replace("-", "").isalnum()
            and not _plain_word(text)
            and text.lower() not in dictionary_words()
            and text.lower() not in self.words.name_stopwords
            and text.lower() not in self.words.generic_heads
            and text not in self._person_words
        ):
            return False
        if not first:
            return True
        prefix = _CODE_PART.match(text)
        return not (text.isupper() and text.isalpha() and len(text) <= 4) and (
            (prefix.group(0) if prefix else text).upper() not in self.words.term_code_exclusions
        )

    def _near_amounts(self, span: Span) -> list[Amount]:
        lo = bisect_left(self.amount_starts, span.start_char - 30)
        return self.amounts[lo : lo + 3]

    # ------------------------------------------------------------------ status
    def _status(self, deal: DealMention) -> str:
        return mention_status(deal.sentence, self.words)


@cache
def dictionary_words() -> frozenset[str]:
    """English words (the WordNet index the spaCy model's lemmatizer ships), so that a
    capitalised "Chief" or "Treasury" is not taken for a product name; empty when the
    model has no such table."""
    import importlib.util
    from pathlib import Path

    from spacy.lookups import Lookups

    from atlas.nlp import MODEL_PACKAGES

    for name in MODEL_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for folder in spec.submodule_search_locations:
            for path in Path(folder).glob("*/lemmatizer/lookups/lookups.bin"):
                lookups = Lookups().from_disk(path.parent)
                if lookups.has_table("lemma_index"):
                    index = lookups.get_table("lemma_index")
                    return frozenset(w for _pos, words in index.items() for w in words)
    return frozenset()


def brand_names(docs: Iterable[Doc]) -> frozenset[str]:
    """Words marked ® or ™ anywhere in the article: "Olumiant®" makes every "Olumiant"
    a brand."""
    names = set()
    for doc in docs:
        marks = {doc.vocab.strings.add(m) for m in ("®", "™")}
        # Token objects are slow to make: find the marks in the array of word ids first.
        for i in (i for i, orth in enumerate(doc.to_array(ORTH)) if orth in marks):
            if i > 0 and doc[i - 1].text[:1].isupper():
                names.add(doc[i - 1].text)
    return frozenset(names)


def _plain_word(text: str) -> bool:
    """An English word written with a capital ("Construct", "Delivery"), not a coined
    name ("XenoMouse", "Bioral", "ZX-1042")."""
    return text.isalpha() and text[1:] == text[1:].lower() and text.lower() in dictionary_words()


def _is_name(
    token: Token,
    words: WordLists,
    not_kinds: tuple[str, ...] = ("GPE", "NORP", "DATE", "PERSON", "LOC"),
) -> bool:
    text = token.text
    return (
        len(text) > 1
        and (text[:1].isupper() or text[:1].isdigit())
        and (
            token.pos_ == "PROPN" or any(c.isdigit() for c in text) or text[1:] != text[1:].lower()
        )
        and any(c.isalpha() for c in text)
        and token.lower_ not in words.term_asset_stop_words
        and token.ent_type_ not in not_kinds
    )


def _is_written_name(token: Token, words: WordLists) -> bool:
    """A capitalised word of letters (and digits) whatever its tag: "Orbatac", "Trelassia"."""
    text = token.text
    return (
        len(text) > 2
        and text[:1].isupper()
        and text[1:2].isalnum()
        and token.pos_ in ("PROPN", "NOUN", "ADJ")
        and token.lower_ not in words.term_asset_stop_words
        and token.ent_type_ not in ("DATE", "NORP", "LOC")
    )


def _with_currency(amount: Amount, currency: str) -> Amount:
    return Amount(amount.start, amount.end, amount.value, currency, amount.text)


def _first(found: list[tuple[Amount, str]] | None) -> Money | None:
    if not found:
        return None
    amount, text = found[0]
    return Money(_whole(amount.value), amount.currency, text, text.lower() != amount.text.lower())


def _whole(value: float) -> float:
    return float(round(value))


def _milestones(found: list[tuple[Amount, str]]) -> Money | None:
    """One milestone figure, or the sum of its parts ("up to $210 million in development
    milestones ... up to $180 million in sales milestones" is $390 million); a figure
    repeated, or one that is the sum of the others, is not added again."""
    if not found:
        return None
    currency = found[0][0].currency
    parts: list[tuple[Amount, str]] = []
    for amount, text in found:
        if amount.currency != currency:
            continue
        if any(abs(amount.value - p.value) <= 0.005 * p.value for p, _ in parts):
            continue
        parts.append((amount, text))
    values = [p.value for p, _ in parts]
    largest = max(values)
    rest = sum(values) - largest
    if len(values) > 1 and abs(largest - rest) <= 0.01 * largest:
        total = largest
    else:
        total = sum(values)
    text = " ... ".join(t for _, t in parts)
    return Money(_whole(total), currency, text, True)


def _drop_conversions(text: str, amounts: list[Amount]) -> list[Amount]:
    """Amounts that only restate the one before in another currency: "$250 million
    (€223 million)", "29.5 billion won, or C$30 million"."""
    out: list[Amount] = []
    for amount in amounts:
        if out and amount.currency != out[-1].currency:
            gap = text[out[-1].end : amount.start]
            if len(gap) <= 20 and _CONVERSION_GAP.match(gap):
                continue
        out.append(amount)
    return out


@cache
def _words_pattern(words: frozenset[str]) -> re.Pattern:
    return re.compile(rf"\b(?:{_alternation(words)})\b", re.IGNORECASE)


def _cue_patterns(words: WordLists) -> list[tuple[str, re.Pattern]]:
    return [
        ("excluded", _words_pattern(words.term_excluded_cues)),
        ("upfront", _words_pattern(words.term_upfront_cues)),
        ("milestones", _words_pattern(words.term_milestone_cues)),
        ("total", _words_pattern(words.term_total_cues)),
    ]


# ----------------------------------------------------------------------------- status


def mention_status(sentence: Span, words: WordLists) -> str:
    """``terminated``, ``completed`` or ``agreed``, as this sentence reports the deal."""
    if _terminated(sentence, words):
        return "terminated"
    if _completed(sentence, words):
        return "completed"
    return "agreed"


def _negated_or_pending(
    token: Token, words: WordLists, pending: frozenset[str] | None = None
) -> bool:
    """ "did not terminate", "may terminate", "agreed to acquire", "expects to close"."""
    pending = words.status_pending_words if pending is None else pending
    for t in (token, *token.ancestors):
        for child in t.children:
            if child.dep_ == "neg" or child.lower_ in words.cue_negation:
                return True
            if child.dep_ in ("aux", "auxpass") and child.lower_ in pending:
                return True
        if t.i != token.i and t.lemma_.lower() in pending:
            return True
        if t.dep_ in ("ROOT",) or t.pos_ == "NOUN" and t.i != token.i:
            break
    return False


def _about_a_deal(token: Token, words: WordLists) -> bool:
    """Whether a termination or completion word acts on an agreement ("terminated the
    licence", "completion of the merger", "the deal was cancelled")."""
    related = [*token.subtree]
    if token.dep_ in ("amod", "compound"):
        related.append(token.head)
    for t in (*related, token.head):
        if t.lemma_.lower() in words.term_deal_nouns or t.lower_ in words.term_deal_nouns:
            return True
        if t.lower_ in ("rights", "offer", "round", "financing"):
            return True
    return False


def _terminated(sentence: Span, words: WordLists) -> bool:
    for token in sentence:
        lemma = token.lemma_.lower()
        # phrasal verbs by their particle: "called off", "fell through", "handed back"
        particles = [c.lower_ for c in token.children if c.dep_ in ("prt", "prep", "advmod")]
        if (
            lemma not in words.status_terminated_words
            and token.lower_ not in words.status_terminated_words
            and not any(f"{lemma} {p}" in words.status_terminated_words for p in particles)
        ):
            continue
        if token.pos_ not in ("VERB", "NOUN"):
            continue
        right = token.doc[token.i + 1 : token.i + 3].text.lower()
        if right.startswith(("fee", "payment", "right", "provision", "clause", "date")):
            continue  # "a termination fee", "termination rights"
        # "agreed to terminate", "would end the deal" end it all the same; only a
        # condition or a possibility does not: "may terminate", "if ... terminated".
        if _negated_or_pending(token, words, _MERE_POSSIBILITY):
            continue
        if _about_a_deal(token, words):
            return True
    return False


# What a transfer verb may act on without the transfer being a completed deal.
_RIGHTS = frozenset({"right", "rights", "licence", "license"})
_MERE_POSSIBILITY = frozenset({"may", "might", "can", "could", "if", "unless", "right"})


def _completed(sentence: Span, words: WordLists) -> bool:
    for token in sentence:
        lemma = token.lemma_.lower()
        if lemma in words.status_completion_words and token.pos_ in ("VERB", "NOUN"):
            if token.pos_ == "VERB" and token.tag_ not in ("VBD", "VBN"):
                continue
            if not _negated_or_pending(token, words) and _about_a_deal(token, words):
                return True
        if lemma in words.status_transfer_verbs and token.pos_ == "VERB":
            if any(c.dep_ == "dobj" and c.lemma_.lower() in _RIGHTS for c in token.children):
                continue  # "acquired the rights to market X": a licence, entered into
            if token.tag_ == "VBD" or (
                token.tag_ == "VBN"
                and (
                    any(c.dep_ in ("aux", "auxpass") for c in token.children)
                    or token.dep_ in ("acl", "relcl", "advcl")
                )
            ):
                if not _negated_or_pending(token, words):
                    return True
    return False


__all__ = [
    "Amount",
    "DealDetails",
    "brand_names",
    "DealMention",
    "ItemReader",
    "find_amounts",
    "local_currencies",
    "mention_status",
    "usd_value",
]
