"""Everything the rules conclude from one sentence, hedged statements included.

``sentence_findings`` is the one entry point for a whole sentence: the extractor keeps
the findings that are not hedged (``atlas.extract``), and a learned model may use all
of them, with the rule and trigger behind each, as features.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.matcher import PhraseMatcher
from spacy.tokens import Span

from atlas.lexicon import TriggerEntry
from atlas.rules.context import SentenceContext
from atlas.rules.parties import find_parties, programme_members
from atlas.rules.triggers import SentenceTyping, find_triggers, is_hedged

# What a programme member finding says: the member noun is no trigger of the lexicon.
PROGRAMME_TRIGGER = "participant"
PROGRAMME_TYPE = "partnership/collaboration"
PROGRAMME_STRENGTH = 0.4


@dataclass(frozen=True)
class Finding:
    """One group of parties the rules found for one trigger of a sentence.

    ``deal_type`` is the type the sentence gives the deal (the trigger's type refined
    by its object and by the sentence's other stated triggers); ``trigger_type`` is
    the trigger row's own type. ``hedged`` marks a proposal, plan, rumour, talk or
    denial ("plans to acquire"); ``trigger_start`` is the trigger's first token in
    the doc.
    """

    parties: tuple[str, ...]
    deal_type: str
    strength: float
    trigger_text: str
    trigger_role: str
    trigger_type: str
    rule: str
    hedged: bool
    trigger_start: int


def sentence_findings(
    ctx: SentenceContext,
    matcher: PhraseMatcher,
    table: dict[int, TriggerEntry],
    hedges: frozenset[str],
    triggers: list[tuple[Span, TriggerEntry, bool]] | None = None,
) -> list[Finding]:
    """Every finding of a sentence, in trigger order, hedged ones flagged.

    Types come from the stated (unhedged) triggers only, so a hedged "proposed
    merger" does not retype the licence the sentence states. Programme members
    ("Two participants, X and Y, ...") come last, as ``programme_members`` findings;
    the extractor keeps them only for a sentence with no other deal. ``triggers``
    (each with whether it is hedged) may be given when the caller has found them already.
    """
    if triggers is None:
        triggers = [
            (span, entry, is_hedged(span, hedges, ctx.words.hedging_clause_verbs))
            for span, entry in find_triggers(ctx.sent, matcher, table)
        ]
    typing = SentenceTyping([(span, entry) for span, entry, hedged in triggers if not hedged])
    findings: list[Finding] = []
    for span, entry, hedged in triggers:
        groups = find_parties(ctx, span, entry.role, entry.type)
        if not groups:
            continue
        deal_type = typing.type_for(span, entry)
        for group in groups:
            parties = tuple(dict.fromkeys(group.parties))
            if len(parties) < 2:
                continue
            findings.append(
                Finding(
                    parties=parties,
                    deal_type=deal_type,
                    strength=entry.strength,
                    trigger_text=span.text,
                    trigger_role=entry.role,
                    trigger_type=entry.type,
                    rule=group.rule,
                    hedged=hedged,
                    trigger_start=span.start,
                )
            )
    for noun, parties in programme_members(ctx):
        findings.append(
            Finding(
                parties=parties,
                deal_type=PROGRAMME_TYPE,
                strength=PROGRAMME_STRENGTH,
                trigger_text=PROGRAMME_TRIGGER,
                trigger_role="noun",
                trigger_type=PROGRAMME_TYPE,
                rule=programme_members.__name__,
                hedged=False,
                trigger_start=noun.i,
            )
        )
    return findings
