"""Deal rules: from a parsed sentence to the deals it states and who their parties are.

- ``triggers``: the phrases that state a deal (``data/lexicon/deal_triggers.csv``),
  hedges, and the deal type a sentence gives (type precedence);
- ``context``: who is who in a sentence (organisation tokens, subjects, objects, pronouns);
- ``parties``: the party rules, small named functions tried in order;
- ``findings``: ``sentence_findings``, everything the rules conclude from one sentence.
"""

from atlas.rules.context import OrgMention, SentenceContext
from atlas.rules.findings import Finding, sentence_findings
from atlas.rules.parties import PARTY_RULES, PartyGroup, find_parties, programme_members
from atlas.rules.triggers import (
    SentenceTyping,
    deal_matcher,
    find_triggers,
    is_hedged,
    precedence,
    refine_type,
    separate_agreement,
)

__all__ = [
    "PARTY_RULES",
    "Finding",
    "OrgMention",
    "PartyGroup",
    "SentenceContext",
    "SentenceTyping",
    "deal_matcher",
    "find_parties",
    "find_triggers",
    "is_hedged",
    "precedence",
    "programme_members",
    "refine_type",
    "sentence_findings",
    "separate_agreement",
]
