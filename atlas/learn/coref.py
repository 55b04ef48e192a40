"""References to organisations named elsewhere: "the company", "the Japanese drugmaker",
"the two companies", "it", "we".

A quarter of the deals in labelled news have their parties in different sentences
("X signed ... . Under the agreement, the biotech will ..."): a deal candidate must
be able to pair an organisation with one only referred to. Salience and recency are
enough to start: a singular reference takes the organisation that was last a
subject (or last named) before it, preferring one of the country its adjective names;
a plural one takes the organisations of the last sentence that named two or more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

SINGULAR_PRONOUNS = frozenset({"it", "its"})
PLURAL_PRONOUNS = frozenset({"they", "their", "them"})
FIRST_PERSON = frozenset({"we", "our", "us"})


@dataclass(frozen=True)
class NamedMention:
    """An organisation named in the text (after resolution and the organisation model)."""

    canonical: str
    start: int
    end: int
    sentence: int  # index of its sentence in the doc
    is_subject: bool


@dataclass(frozen=True)
class Reference:
    """A token that refers to one or more organisations named elsewhere."""

    token: int
    canonicals: tuple[str, ...]
    kind: str  # "pronoun", "plural_pronoun", "we", "noun", "plural_noun"


def _is_subject(token: Token) -> bool:
    return token.dep_ in ("nsubj", "nsubjpass") or (
        token.dep_ in ("compound", "conj") and token.head.dep_ in ("nsubj", "nsubjpass")
    )


def _reference_kind(token: Token, org_nouns: frozenset[str]) -> str | None:
    word = token.lower_
    if word in SINGULAR_PRONOUNS and token.dep_ in ("nsubj", "nsubjpass", "poss", "dobj"):
        return "pronoun"
    if word in PLURAL_PRONOUNS and token.dep_ in ("nsubj", "nsubjpass", "poss"):
        return "plural_pronoun"
    if word in FIRST_PERSON:
        return "we"
    if token.pos_ != "NOUN" or token.lemma_.lower() not in org_nouns:
        return None
    determiners = {c.lower_ for c in token.children if c.dep_ in ("det", "predet", "nummod")}
    if not determiners & {"the", "both", "two", "three", "these", "this"}:
        return None
    if token.tag_ == "NNS" or determiners & {"both", "two", "three", "these"}:
        return "plural_noun"
    return "noun"


def _country_words(token: Token, country_of: dict[str, str]) -> set[str]:
    """Countries named by the adjectives of "the Japanese drugmaker"."""
    found = set()
    for child in token.children:
        if child.dep_ in ("amod", "compound") and child.text in country_of:
            found.add(country_of[child.text])
    return found


@dataclass
class _Salience:
    """What the sentences read so far make salient: the last subject, the organisations
    named, most recent last, and the last sentence's group of two or more."""

    last_subject: str | None = None
    recent: list[str] = field(default_factory=list)
    last_group: tuple[str, ...] = ()

    def read(self, here: list[NamedMention]) -> None:
        """Take in one sentence's named mentions (in text order)."""
        names = list(dict.fromkeys(m.canonical for m in here))
        if len(names) >= 2:
            self.last_group = tuple(names[:4])
        subjects = [m.canonical for m in here if m.is_subject]
        if subjects:
            self.last_subject = subjects[0]
        for name in names:
            if name in self.recent:
                self.recent.remove(name)
            self.recent.append(name)


def resolve_references(
    sents: list[Span],
    named: list[NamedMention],
    *,
    org_nouns: frozenset[str],
    country_of: dict[str, str],
    org_country: dict[str, str | None],
    main_org: str | None,
) -> dict[int, list[Reference]]:
    """References per sentence index, each resolved to the organisations it means.

    ``country_of`` maps demonyms and country names to countries; ``org_country`` gives
    each organisation's country where known.
    """
    by_sentence: dict[int, list[NamedMention]] = {}
    for mention in named:
        by_sentence.setdefault(mention.sentence, []).append(mention)
    named_tokens = {i for m in named for i in range(m.start, m.end)}
    salience = _Salience()
    out: dict[int, list[Reference]] = {}
    for index, sent in enumerate(sents):
        here = sorted(by_sentence.get(index, []), key=lambda m: m.start)
        refs: list[Reference] = []
        for token in sent:
            if token.i in named_tokens:
                continue
            kind = _reference_kind(token, org_nouns)
            if kind is None:
                continue
            before = [m for m in here if m.end <= token.i]
            target = _reference_target(
                kind, before, token, salience, country_of, org_country, main_org
            )
            if target:
                refs.append(Reference(token.i, tuple(target), kind))
        if refs:
            out[index] = refs
        salience.read(here)
    return out


def _reference_target(
    kind: str,
    before: list[NamedMention],
    token: Token,
    salience: _Salience,
    country_of: dict[str, str],
    org_country: dict[str, str | None],
    main_org: str | None,
) -> tuple[str, ...]:
    """The organisations one reference of ``kind`` means: "we" the article's main
    organisation, a plural the two or more named before it in its sentence (else the
    last group), a singular the salient one (``_singular_target``)."""
    if kind == "we":
        return (main_org,) if main_org else ()
    if kind in ("plural_pronoun", "plural_noun"):
        named_before = tuple(dict.fromkeys(m.canonical for m in before))
        return named_before if len(named_before) >= 2 else salience.last_group
    return _singular_target(
        before, token, salience.last_subject, salience.recent, country_of, org_country, main_org
    )


def _singular_target(
    before: list[NamedMention],
    token: Token,
    last_subject: str | None,
    recent: list[str],
    country_of: dict[str, str],
    org_country: dict[str, str | None],
    main_org: str | None,
) -> tuple[str, ...]:
    countries = _country_words(token, country_of)
    if countries:
        latest_first = [m.canonical for m in reversed(before)] + list(reversed(recent))
        for name in latest_first:
            if org_country.get(name) in countries:
                return (name,)
    subjects_before = [m.canonical for m in before if m.is_subject]
    if subjects_before:
        return (subjects_before[-1],)
    if last_subject:
        return (last_subject,)
    if recent:
        return (recent[-1],)
    return (main_org,) if main_org else ()


def named_mentions(sents: list[Span], spans: list[tuple[int, int, str]]) -> list[NamedMention]:
    """Named organisation mentions with their sentence index and subject role."""
    starts = [s.start for s in sents]
    out = []
    for start, end, canonical in spans:
        index = _sentence_index(starts, start)
        doc = sents[index].doc
        root = doc[start:end].root
        out.append(NamedMention(canonical, start, end, index, _is_subject(root)))
    return out


def _sentence_index(starts: list[int], token: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= token:
            lo = mid
        else:
            hi = mid - 1
    return lo
