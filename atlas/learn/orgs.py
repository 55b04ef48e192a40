"""Organisation candidates and their features.

The pipeline's organisation entities are precise on the names it was tuned on and
miss many others: single-word companies the statistical NER calls people or products
("Zambon", "Polyphor"), hyphenated names it cuts ("Can-Fite" read as "Fite BioPharma"),
names in capitals. Candidates here are every span that could name an organisation: the
pipeline's organisations, its other proper-name entities and runs of proper nouns, with
hyphenated names joined. A trained model (``atlas.learn.model``) then keeps or drops each
organisation from what its mentions look like and where they stand.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import spacy
from spacy.tokens import Doc, Span, Token

# Entity labels whose spans may still be organisations the model mislabelled.
OTHER_NAME_LABELS = frozenset({"PERSON", "PRODUCT", "GPE", "NORP", "FAC", "WORK_OF_ART", "LOC"})
HYPHENS = frozenset({"-", "‐", "–"})
_CAMEL = re.compile(r"[A-Z]?[a-z]+[A-Z][A-Za-z]*")


@dataclass
class OrgCandidate:
    """One span of one item's doc that may name an organisation."""

    item: int  # position of the item (doc) in the article
    start: int  # token offsets in that doc
    end: int
    text: str
    origin: str  # "org" (the pipeline's organisation), "ent_<LABEL>" or "propn"
    lexicon_id: str = ""  # canonical lexicon name or abbreviation long form, if any
    in_headline: bool = False
    features: dict[str, float] = field(default_factory=dict)
    canonical: str = ""  # set once the article's names are resolved


def _name_like(token) -> bool:
    text = token.text
    if not text[:1].isalnum():
        return False
    if token.pos_ == "PROPN":
        return True
    return bool(_CAMEL.fullmatch(text)) and token.pos_ in ("NOUN", "ADJ", "X")


def _joined(doc: Doc, i: int) -> bool:
    """Is token ``i`` written against the next one, with no space ("Can" in "Can-Fite")?"""
    return i < len(doc) and not doc[i].whitespace_


def _extend_hyphens(doc: Doc, start: int, end: int, fixed: set[int]) -> tuple[int, int]:
    """ "Fite BioPharma" -> "Can-Fite BioPharma", "F" -> "F-star": a name cut at a
    hyphen written without spaces. Never across a token of another lexicon name
    ("an Astellas-Yaskawa joint venture" names two organisations)."""
    while (
        start >= 2
        and doc[start - 1].text in HYPHENS
        and _joined(doc, start - 2)
        and _joined(doc, start - 1)
        and doc[start - 2].text[:1].isalnum()
        and start - 2 not in fixed
    ):
        start -= 2
    while (
        end + 1 < len(doc)
        and doc[end].text in HYPHENS
        and _joined(doc, end - 1)
        and _joined(doc, end)
        and doc[end + 1].text[:1].isalnum()
        and end + 1 not in fixed
    ):
        end += 2
    return start, end


def _trim_descriptors(doc: Doc, start: int, end: int, descriptors: frozenset[str]) -> int:
    """The first token of the name once leading descriptors ("CRO", "U.S.-based") are
    dropped."""
    while end - start > 1:
        token = doc[start]
        if token.text in descriptors or token.lower_.endswith("-based"):
            start += 1
        elif (
            end - start > 3 and doc[start + 1].text in HYPHENS and doc[start + 2].lower_ == "based"
        ):
            start += 3  # "U.S.-based" split into three tokens
        else:
            break
    return start


def candidate_spans(doc: Doc, descriptors: frozenset[str] = frozenset()) -> list[Span]:
    """Every span of the doc that could name an organisation, longest first where they overlap."""
    spans: list[Span] = []
    lexicon_tokens = {
        i for e in doc.ents if e.label_ == "ORG" and e.id_ for i in range(e.start, e.end)
    }
    for ent in doc.ents:
        if ent.label_ == "ORG" or ent.label_ in OTHER_NAME_LABELS:
            spans.append(ent)
    covered = {i for s in spans for i in range(s.start, s.end)}
    n = len(doc)
    i = 0
    while i < n:
        if i in covered or not _name_like(doc[i]):
            i += 1
            continue
        j = i + 1
        while j < n and j not in covered:
            if _name_like(doc[j]):
                j += 1
            elif (
                doc[j].text in ("&", "-")
                and j + 1 < n
                and j + 1 not in covered
                and _name_like(doc[j + 1])
            ):
                j += 2
            else:
                break
        spans.append(Span(doc, i, j, label="PROPN"))
        i = j
    out: list[Span] = []
    for span in spans:
        fixed = lexicon_tokens - set(range(span.start, span.end))
        start, end = _extend_hyphens(doc, span.start, span.end, fixed)
        start = _trim_descriptors(doc, start, end, descriptors)
        if (start, end) != (span.start, span.end):
            span = Span(doc, start, end, label=span.label_, span_id=span.id_)
        if any(c.isalpha() for c in span.text):
            out.append(span)
    return spacy.util.filter_spans(out)


def _shape(text: str) -> str:
    shape = re.sub(r"[A-Z]+", "X", text)
    shape = re.sub(r"[a-z]+", "x", shape)
    return re.sub(r"\d+", "d", shape)[:6]


@dataclass(frozen=True)
class NameWords:
    """The lexicon's word lists the features look up (see ``atlas.nlp``)."""

    org_suffixes: frozenset[str]
    legal_suffixes: frozenset[str]
    institution_heads: frozenset[str]
    places: frozenset[str]  # case-folded country names, demonyms and places
    non_organisations: frozenset[str]  # case-folded
    person_titles: frozenset[str]
    product_nouns: frozenset[str]
    deal_words: frozenset[str]  # lower-case single words of deal triggers
    org_nouns: frozenset[str]  # "company", "biotech", "drugmaker"...
    generic_heads: frozenset[str]  # "agreement", "designation": heads of non-names
    drug_name_endings: tuple[str, ...]  # "mab", "nib": endings of drug names
    descriptors: frozenset[str]  # "CRO", "CEO": words before a name, not in it


def mention_features(
    span: Span, words: NameWords, *, in_headline: bool, sentence: tuple[int, int]
) -> dict[str, float]:
    """What one mention looks like and where it stands (``sentence``: its sentence's
    first token and end)."""
    f = _surface_features(span)
    f.update(_edge_word_features(span, words))
    f.update(_word_list_features(span, words, sentence))
    f.update(_neighbour_features(span, words, sentence))
    f.update(_parse_features(span, words, in_headline=in_headline, sentence=sentence))
    return f


def _surface_features(span: Span) -> dict[str, float]:
    """Where the mention came from and how it is written: capitals, digits, hyphens."""
    text = span.text
    origin = "org" if span.label_ == "ORG" else ("propn" if span.label_ == "PROPN" else "ent")
    f: dict[str, float] = {f"origin={origin}": 1.0, f"label={span.label_}": 1.0}
    if span.id_:
        f["lexicon"] = 1.0
    f[f"ntok={min(len(span), 5)}"] = 1.0
    letters = [c for c in text if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        f["allcaps"] = 1.0
        if len(span) == 1:
            f["acronym"] = 1.0
    if any(_CAMEL.fullmatch(t.text) for t in span):
        f["camel"] = 1.0
    if any(c.isdigit() for c in text):
        f["digit"] = 1.0
    if "-" in text:
        f["hyphen"] = 1.0
    if text[:1].islower():
        f["lower_start"] = 1.0
    f[f"shape={_shape(span[0].text)}"] = 1.0
    return f


def _edge_word_features(span: Span, words: NameWords) -> dict[str, float]:
    """The first and last words of the name, their affixes and what kind of word closes it."""
    last = span[-1].text
    first = span[0].text
    f = {f"last={last.lower()}": 1.0, f"first={first.lower()}": 1.0}
    if len(last) >= 4 and last.isalpha():
        f[f"suffix3={last[-3:].lower()}"] = 1.0
    if len(first) >= 4 and first.isalpha():
        f[f"prefix3={first[:3].lower()}"] = 1.0
    if last in words.org_suffixes:
        f["org_suffix"] = 1.0
    if last in words.legal_suffixes:
        f["legal_suffix"] = 1.0
    if any(t.text in words.institution_heads for t in span):
        f["institution"] = 1.0
    return f


def _word_list_features(
    span: Span, words: NameWords, sentence: tuple[int, int]
) -> dict[str, float]:
    """What the lexicon's word lists say about the name's own words."""
    f: dict[str, float] = {}
    folded = span.text.casefold()
    if folded in words.places:
        f["place"] = 1.0
    elif any(t.text.casefold() in words.places for t in span):
        f["has_place_word"] = 1.0
    if folded in words.non_organisations:
        f["non_organisation"] = 1.0
    lowered = [t.lower_ for t in span]
    if lowered[-1] in words.generic_heads:
        f["generic_head"] = 1.0  # "Orphan Drug Designation", "TYVYT Licensing Agreement"
    if any(w in words.deal_words for w in lowered):
        f["deal_word_inside"] = 1.0
    if any(w.endswith(words.drug_name_endings) for w in lowered if len(w) > 5):
        f["drug_name_ending"] = 1.0  # "pembrolizumab", "osimertinib"
    if _is_dateline_place(span, sentence):
        f["dateline_place"] = 1.0  # "KENILWORTH, N.J. --"
    return f


def _is_dateline_place(span: Span, sentence: tuple[int, int]) -> bool:
    sent_start, sent_end = sentence
    letters = [c for c in span.text if c.isalpha()]
    allcaps = len(letters) > 1 and all(c.isupper() for c in letters)
    return (
        allcaps
        and span.start == sent_start
        and span.end < sent_end
        and span.doc[span.end].text in (",", "-", "—", "–", "(", ":")
    )


def _neighbour_features(
    span: Span, words: NameWords, sentence: tuple[int, int]
) -> dict[str, float]:
    """The words around the mention: the previous and next ones, an apposition, a
    bracket, a product or organisation noun nearby, a brand mark, a possessive."""
    doc = span.doc
    sent_start, sent_end = sentence
    before = doc[span.start - 1] if span.start > 0 else None
    before2 = doc[span.start - 2] if span.start > 1 else None
    after = doc[span.end] if span.end < len(doc) else None
    after2 = doc[span.end + 1] if span.end + 1 < len(doc) else None
    f = {
        f"prev={before.lower_ if before is not None else '<s>'}": 1.0,
        f"next={after.lower_ if after is not None else '</s>'}": 1.0,
    }
    if before2 is not None:
        f[f"prev2={before2.lower_}"] = 1.0
    if after is not None and after.text in (",",) and after2 is not None:
        f.update(_after_comma_features(after2, words))
    if after is not None and after.text == "(":
        f["paren_after"] = 1.0
        if after2 is not None and after2.text[:1].islower():
            f["paren_lower_after"] = 1.0  # "Tysabri (natalizumab)": a brand and its molecule
    window = doc[max(sent_start, span.start - 3) : min(sent_end, span.end + 3)]
    outside = [t.lower_ for t in window if not span.start <= t.i < span.end]
    if any(w in words.product_nouns for w in outside):
        f["near_product_noun"] = 1.0
    if any(w in words.org_nouns for w in outside):
        f["near_org_noun"] = 1.0
    if after is not None:
        f.update(_mark_after_features(after))
    if before is not None:
        f.update(_word_before_features(before, words))
    return f


def _after_comma_features(word: Token, words: NameWords) -> dict[str, float]:
    """ "Harpoon, Inc.", "Jane Doe, CEO", "Zambon, a ..." """
    f: dict[str, float] = {}
    if word.text in words.legal_suffixes:
        f["comma_legal"] = 1.0
    if word.lower_ in words.person_titles:
        f["comma_title"] = 1.0
    if word.lower_ in ("a", "an", "the"):
        f["comma_apposition"] = 1.0
    return f


def _mark_after_features(after: Token) -> dict[str, float]:
    if after.text in ("®", "™"):
        return {"brand_mark": 1.0}
    if after.text in ("'s", "’s", "'", "’"):
        return {"possessive": 1.0}
    return {}


def _word_before_features(before: Token, words: NameWords) -> dict[str, float]:
    f: dict[str, float] = {}
    if before.lower_ in words.product_nouns:
        f["after_product_noun"] = 1.0
    if before.lower_ in words.org_nouns:
        f["after_org_noun"] = 1.0
    if before.lower_ in words.person_titles:
        f["after_title"] = 1.0
    return f


def _parse_features(
    span: Span, words: NameWords, *, in_headline: bool, sentence: tuple[int, int]
) -> dict[str, float]:
    """The mention's role in the parse and its head word, and where its sentence stands."""
    root = span.root
    f = {f"dep={root.dep_}": 1.0}
    # A name that is its sentence's root is its own head: its features then describe
    # the name itself (a headline that is a bare name). Leaving them out, as a
    # position test would, scored lower in cross-validation (deal F1 0.566 against
    # 0.576, P 0.653 against 0.665).
    head = root.head
    f[f"headpos={head.pos_}"] = 1.0
    f[f"head={head.lemma_.lower()}"] = 1.0
    f.update(_head_word_features(root, head, words))
    if root.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "conj", "appos", "poss"):
        f[f"role={root.dep_}"] = 1.0
    if in_headline:
        f["headline"] = 1.0
    if span.start == sentence[0]:
        f["sent_initial"] = 1.0
    return f


def _head_word_features(root: Token, head: Token, words: NameWords) -> dict[str, float]:
    """What the mention's head says: a deal word, a verb of saying, an organisation or
    product noun."""
    f: dict[str, float] = {}
    if head.lower_ in words.deal_words or head.lemma_.lower() in words.deal_words:
        f["head_deal_word"] = 1.0
    if head.dep_ == "prep" and head.head.lemma_.lower() in words.deal_words:
        f["prep_of_deal_word"] = 1.0
    if head.lemma_ in ("say", "announce", "report", "tell", "state"):
        f["subject_of_saying"] = 1.0 if root.dep_ == "nsubj" else 0.0
    if head.lower_ in words.org_nouns:
        f["head_org_noun"] = 1.0
    if head.lower_ in words.product_nouns:
        f["head_product_noun"] = 1.0
    return f


def aggregate(
    mentions: Iterable[dict[str, float]], *, canonical: str, brands: frozenset[str] = frozenset()
) -> dict[str, float]:
    """One organisation's features from all its mentions in an article: a feature
    is on when any mention has it; counts are logged. ``brands`` are the words the
    article marks ® or ™ anywhere."""
    mentions = list(mentions)
    f: dict[str, float] = {}
    if brands and any(w in brands for w in canonical.split()):
        f["brand_in_article"] = 1.0
    for m in mentions:
        for key, value in m.items():
            if value > f.get(key, 0.0):
                f[key] = value
    body = sum(1 for m in mentions if "headline" not in m)
    f["log_mentions"] = math.log1p(len(mentions))
    f["log_body_mentions"] = math.log1p(body)
    if body == 0:
        f["only_headline"] = 1.0
    if len(mentions) == 1:
        f["single_mention"] = 1.0
    f[f"canon_ntok={min(len(canonical.split()), 5)}"] = 1.0
    return f
