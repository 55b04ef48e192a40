"""A subsidiary that acts for its parent: both are parties of the deal it makes.

The annotation rule of the labelled sets: "when a subsidiary signs and the text presents
its parent as the announcing company or the seller, both are parties". The shapes:

- "Aurobindo Pharma said its arm Helix Healthcare has entered into an agreement with X"
- "Shanghai Ark announced that its subsidiary Ark Bio signed a licence with X"
- "Aspen Global, a unit of Aspen Pharmacare, will buy the rights from X"
- "J&J's pharma unit Janssen snags the licence from X"
- "Oxford University and its spin-out company Vaccitech announced an agreement with X"

A unit that is what is sold ("Cardinal agreed to sell its unit PTS to Blackstone") acts
for nobody: only a subsidiary in subject position brings its parent along.
"""

from __future__ import annotations

from spacy.tokens import Token

from atlas.rules.context import SentenceContext

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})


def _is_unit_noun(token: Token, units: frozenset[str]) -> bool:
    lemma = token.lemma_.lower()
    if lemma in units:
        return True
    # "its spin-out company Vaccitech"
    return lemma in ("company", "firm") and any(
        t.lemma_.lower() in units or t.lower_.startswith("spin")
        for t in token.subtree
        if t.i < token.i
    )


def _unit_of(root: Token, units: frozenset[str]) -> Token | None:
    """The unit noun naming ``root``'s organisation a subsidiary, if any."""
    if root.dep_ in ("appos", "compound") and _is_unit_noun(root.head, units):
        return root.head  # "its arm Helix", "its subsidiary Ark"
    for child in root.children:
        if child.dep_ in ("appos", "compound") and _is_unit_noun(child, units):
            return child  # "Aspen Global, a unit of ...", "J&J's unit Janssen"
    return None


def _acts(node: Token) -> bool:
    """Is the phrase the subject (or a conjoined subject) of a clause?"""
    for _ in range(3):
        if node.dep_ in SUBJECT_DEPS:
            return True
        if node.dep_ in ("appos", "compound", "conj") and node.head.i != node.i:
            node = node.head
            continue
        return False
    return False


def _owner(ctx: SentenceContext, unit: Token) -> str | None:
    for child in unit.children:
        if child.dep_ == "poss":
            named = ctx.org_at(child)
            if named:
                return named
            if child.lower_ in ("its", "their"):
                return _antecedent(ctx, unit)
        if child.dep_ == "prep" and child.lower_ == "of":
            for pobj in child.children:
                if pobj.dep_ == "pobj" and ctx.org_at(pobj):
                    return ctx.org_at(pobj)
    return None


def _antecedent(ctx: SentenceContext, unit: Token) -> str | None:
    """Who "its" means: the organisation the unit is conjoined with ("Oxford and its
    spin-out"), else the subject of a clause above it ("X said its arm ..."), else the
    nearest organisation before it."""
    if unit.dep_ == "conj" and ctx.org_at(unit.head):
        return ctx.org_at(unit.head)
    node = unit
    for _ in range(6):
        if node.head.i == node.i:
            break
        node = node.head
        for child in node.children:
            if child.dep_ in SUBJECT_DEPS and child.i < unit.i and ctx.org_at(child):
                return ctx.org_at(child)
    before = [m for i, m in ctx.token_org.items() if ctx.sent.start <= i < unit.i]
    return before[-1].canonical if before else None


def subsidiary_parents(ctx: SentenceContext) -> dict[str, str]:
    """Organisation -> its parent, for each subsidiary of the sentence that acts."""
    units = ctx.words.subsidiary_nouns
    parents: dict[str, str] = {}
    seen: set[int] = set()
    # The sentence's own tokens, in order (not every organisation token of the
    # document, sorted, for each sentence: quadratic in an article naming thousands).
    for i in range(ctx.sent.start, ctx.sent.end):
        mention = ctx.token_org.get(i)
        if mention is None or id(mention) in seen:
            continue
        seen.add(id(mention))
        root = ctx.sent.doc[mention.start : mention.end].root
        unit = _unit_of(root, units)
        if unit is None or not (_acts(unit) or _acts(root)):
            continue
        owner = _owner(ctx, unit)
        if owner and owner != mention.canonical:
            parents[mention.canonical] = owner
    return parents
