"""Deal triggers: the phrases that state a deal, hedges, and the type a sentence gives.

The phrases themselves live in ``data/lexicon/deal_triggers.csv`` and ``hedges.txt``.
"""

from __future__ import annotations

import re
from itertools import product

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from atlas.lexicon import Lexicon, TriggerEntry
from atlas.models import DEAL_TYPES


def trigger_phrases(entry: TriggerEntry) -> list[list[str]]:
    """Every phrase one trigger row stands for, one lower-case word per token, e.g.
    ``license/licence agreement/deal`` -> ``[["license", "agreement"],
    ["license", "deal"], ["licence", "agreement"], ["licence", "deal"]]``."""
    alternatives = [
        [alt.lower() for alt in spec.split("/") if alt] for spec in entry.pattern.split()
    ]
    return [list(words) for words in product(*alternatives)]


def deal_matcher(nlp: Language, lexicon: Lexicon) -> tuple[PhraseMatcher, dict[int, TriggerEntry]]:
    """One matcher over every trigger; the returned table maps match ids back to rows.

    A PhraseMatcher on the lower-case text, each phrase built token by token (so
    a word such as ``co-develop`` is one token, as written, never re-tokenised): it
    matches exactly the token sequences the rows describe, and cost a fraction of
    spaCy's token Matcher with ``LOWER IN`` patterns (which took about a quarter
    of the extraction time)."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    table: dict[int, TriggerEntry] = {}
    for index, entry in enumerate(lexicon.triggers):
        key = f"atlas_trigger_{index}"
        matcher.add(key, [Doc(nlp.vocab, words=words) for words in trigger_phrases(entry)])
        table[nlp.vocab.strings[key]] = entry
    return matcher, table


def find_triggers(
    sent: Span, matcher: PhraseMatcher, table: dict[int, TriggerEntry]
) -> list[tuple[Span, TriggerEntry]]:
    """Longest non-overlapping trigger phrases in a sentence, in text order."""
    # On a Span, the PhraseMatcher gives offsets into the whole document.
    matches = [(sent.doc[start:end], table[match_id]) for match_id, start, end in matcher(sent)]
    matches.sort(key=lambda m: (-(m[0].end - m[0].start), m[0].start))
    taken: set[int] = set()
    chosen = []
    for span, entry in matches:
        if any(i in taken for i in range(span.start, span.end)):
            continue
        taken.update(range(span.start, span.end))
        chosen.append((span, entry))
    return sorted(chosen, key=lambda m: m[0].start)


def is_hedged(trigger: Span, hedges: frozenset[str], hedging_clause_verbs: frozenset[str]) -> bool:
    """A proposal, plan, rumour, talk or denial rather than an agreement.

    Looks at the trigger's heads ("a merger proposal", "plans to acquire",
    "not interested in buying") and at the modifiers of the trigger and of its
    verb ("may sell", "did not acquire", "potential partnership").
    """
    root = trigger.root
    nodes: list[Token] = [root]
    head = root
    for _ in range(6):
        if head.head.i == head.i:
            break
        if (
            head.dep_ in ("ccomp", "advcl", "relcl", "acl")
            and head.head.lemma_ not in hedging_clause_verbs
        ):
            # A deal in a clause below "said"/"announced" is not hedged by what
            # governs the reporting verb.
            nodes.append(head.head)
            break
        head = head.head
        nodes.append(head)
    inside = set(range(trigger.start, trigger.end))
    for node in nodes:
        if (node.lower_ in hedges or node.lemma_.lower() in hedges) and node.i not in inside:
            return True
        for child in node.children:
            if child.dep_ in ("aux", "neg", "amod", "advmod") and (
                child.lower_ in hedges or child.dep_ == "neg"
            ):
                return True
            if child.dep_ == "det" and child.lower_ == "no":
                return True  # "no deal was ever finalized"
    return False


def precedence(deal_type: str) -> int:
    """Rank of a type, most specific first (``atlas.models.DEAL_TYPES``);
    an unknown type ranks last."""
    return DEAL_TYPES.index(deal_type) if deal_type in DEAL_TYPES else len(DEAL_TYPES)


def refine_type(span: Span, deal_type: str) -> str:
    """ "acquire the exclusive rights" is a licence, "bought 5% of the shares" a stake."""
    if deal_type != "acquisition/merger" or span.root.pos_ != "VERB":
        return deal_type
    for child in span.root.children:
        if child.dep_ == "dobj":
            if child.lemma_ in ("right", "license", "licence"):
                return "licensing"
            if child.lemma_ in (
                "stake",
                "interest",
                "share",
                "position",
                "holding",
                "shareholding",
            ):
                if any(
                    c.lower_ in ("all", "outstanding", "remaining", "entire")
                    for c in child.children
                ):
                    return deal_type  # "acquire all outstanding shares of X" buys the company
                return "equity investment/stake"
    return deal_type


class SentenceTyping:
    """The deal type each trigger of a sentence gives, from the sentence's stated
    (unhedged) triggers.

    A generic "agreement"/"signed" takes the type of the specific phrase beside it
    ("a licence agreement", "signed ... to market and distribute"), and a noun naming
    the agreement wins over a verb ("an exclusive license and collaboration agreement"
    is a licence).
    """

    def __init__(self, stated: list[tuple[Span, TriggerEntry]]) -> None:
        specific = [e.type for _, e in stated if e.type != "other" and e.strength >= 0.6]
        self.sentence_type = min(specific, key=precedence) if specific else "other"
        self.noun_types = [
            e.type
            for _, e in stated
            if e.role == "noun" and e.type != "other" and e.strength >= 0.7
        ]

    def type_for(self, span: Span, entry: TriggerEntry) -> str:
        """The type of the deal one trigger of the sentence states."""
        deal_type = self.sentence_type if entry.type == "other" else refine_type(span, entry.type)
        return min([deal_type, *self.noun_types], key=precedence)


def separate_agreement(text: str, cues: frozenset[str]) -> bool:
    """Does the sentence speak of another agreement than the one in the lede?"""
    return bool(cues.intersection(re.findall(r"[a-z]+", text.lower())))
