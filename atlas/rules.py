"""Deal rules: trigger phrases, hedges and the type taxonomy's precedence.

Each rule is a small named function with example phrases; the phrases
themselves live in ``data/lexicon/deal_triggers.csv`` and ``hedges.txt``.
"""

from __future__ import annotations

import re
from itertools import product

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from atlas.lexicon import Lexicon, TriggerEntry

# When one sentence states several facets, the most specific names the deal:
# "acquired an 18.7 pct equity interest" is a stake, not an acquisition; a
# "licence and collaboration agreement" is a licence.
TYPE_PRECEDENCE = (
    "settlement/litigation",
    "joint venture",
    "equity investment/stake",
    "licensing",
    "acquisition/merger",
    "alliance/consortium",
    "supply/distribution/commercialisation",
    "partnership/collaboration",
    "other",
)

# Subjects that stand for an organisation named elsewhere.
PRONOUN_SUBJECTS = frozenset({"it", "they", "we", "company", "firm", "group", "companies", "firms"})
# Nouns naming the organisations of a programme run by the article's main party:
# "Two inaugural participants, X and Y, ...".
MEMBER_NOUNS = frozenset(
    {
        "participant",
        "participants",
        "cohort",
        "awardee",
        "awardees",
        "grantee",
        "grantees",
        "selectee",
        "selectees",
    }
)
# Words that say a sentence speaks of another agreement than the one already found
# for the same parties: "previously disclosed", "an additional licensing agreement".
SEPARATE_AGREEMENT_CUES = frozenset(
    {"previously", "earlier", "additional", "prior", "terminate", "existing"}
)


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


def is_hedged(trigger: Span, hedges: frozenset[str]) -> bool:
    """A proposal, plan, rumour, talk or denial rather than an agreement.

    Looks at the trigger's heads ("a merger proposal", "plans to acquire",
    "not interested in buying") and at the modifiers of the trigger and of its
    verb ("may sell", "did not acquire", "potential partnership").
    """
    root = trigger.root
    nodes: list[Token] = [root]
    head = root
    for _ in range(6):
        if head.head is head:
            break
        if head.dep_ in ("ccomp", "advcl", "relcl", "acl") and head.head.lemma_ not in (
            "plan",
            "propose",
            "consider",
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
    return False


def precedence(deal_type: str) -> int:
    return (
        TYPE_PRECEDENCE.index(deal_type) if deal_type in TYPE_PRECEDENCE else len(TYPE_PRECEDENCE)
    )


def separate_agreement(text: str) -> bool:
    """Does the sentence speak of another agreement than the one in the lede?"""
    return bool(SEPARATE_AGREEMENT_CUES.intersection(re.findall(r"[a-z]+", text.lower())))
