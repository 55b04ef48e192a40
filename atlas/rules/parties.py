"""Who the parties of a deal trigger are: small named rules, tried in order.

Each rule looks at one trigger in its sentence (``TriggerArguments``: the trigger,
the organisations its verb has as subjects and those the parse gives it as objects)
and returns ``None`` when it does not apply, so that the next rule is tried, or the
party groups it decides on. An empty list is a decision too: the parse says this
trigger states no deal between named organisations ("A and B each acquired shares"
names no deal between A and B), and no later rule is tried.

``find_parties`` runs the rules and tags every group with the rule that found it;
``programme_members`` is the one rule that needs no trigger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Span, Token

from atlas.rules.context import SentenceContext

Groups = list[tuple[str, ...]]


@dataclass(frozen=True)
class PartyGroup:
    """The organisations one deal binds, and the name of the rule that found them."""

    parties: tuple[str, ...]
    rule: str


class TriggerArguments:
    """A trigger in its sentence, with the organisations the parse gives it.

    ``subjects`` are the organisations that are the subject of the trigger's verb
    (pronouns resolved); ``objects`` are those the trigger or its verb takes as
    objects, possessors and prepositional objects, never a subject. Each is worked
    out once, when a rule first asks for it.
    """

    def __init__(self, ctx: SentenceContext, trigger: Span, role: str, deal_type: str) -> None:
        self.ctx = ctx
        self.trigger = trigger
        self.role = role
        self.deal_type = deal_type

    @property
    def is_verb(self) -> bool:
        """Does the trigger name the act ("acquire")?"""
        return self.role == "verb"

    @property
    def is_noun(self) -> bool:
        """Does the trigger name the agreement ("licence agreement")? A role the trigger
        file names that is neither is read like a noun but gets no noun-only rule."""
        return self.role == "noun"

    @cached_property
    def verb(self) -> Token | None:
        root = self.trigger.root
        if self.is_verb and root.pos_ in ("VERB", "AUX"):
            return root
        return self.ctx.governing_verb(root)

    @cached_property
    def subjects(self) -> list[str]:
        return self.ctx.subjects(self.verb) if self.verb is not None else []

    @cached_property
    def objects(self) -> list[str]:
        found = self._verb_objects() if self.is_verb else self._noun_objects()
        # "X, a subsidiary of Y, has acquired ...": subjects are never objects.
        return [o for o in dict.fromkeys(found) if o not in self.subjects]

    @cached_property
    def bystanders(self) -> list[str]:
        """The sentence's organisations that are no object (nor who is quoted)."""
        return self.ctx.bystanders(self.objects)

    def _verb_objects(self) -> list[str]:
        ctx, verb, span = self.ctx, self.verb, self.trigger
        assert verb is not None
        objects: list[str] = []
        for child in verb.children:
            if child.dep_ in ("dobj", "attr", "oprd"):
                objects += ctx.group(child, allow_possessive=False)
                for grand in child.children:
                    if grand.dep_ == "prep" and grand.lower_ == "of":
                        objects += [
                            o
                            for p in grand.children
                            if p.dep_ == "pobj"
                            for o in ctx.group(p, allow_possessive=False)
                        ]
        objects += ctx.prep_objects(verb, allow_possessive=False)
        if span.end - span.start > 1:
            objects += ctx.prep_objects(span[-1], allow_possessive=False)
        return objects

    def _noun_objects(self) -> list[str]:
        ctx, verb, span = self.ctx, self.verb, self.trigger
        root = span.root
        objects: list[str] = []
        for child in root.children:
            if child.dep_ == "poss" and child.lower_ in ("its", "their") and not self.subjects:
                # "Farapulse—prior to its 2021 acquisition by Boston Scientific"
                earlier = ctx.mentions_before(child.i)
                if earlier:
                    objects.append(max(earlier, key=lambda o: o.start).canonical)
            elif child.dep_ == "poss":
                objects += ctx.group(child)
            named = ctx.org_at(child) if child.dep_ == "compound" else None
            if named:
                objects.append(named)
        objects += ctx.prep_objects(root, allow_possessive=True)
        if span.end - span.start > 1:
            objects += ctx.prep_objects(span[-1], allow_possessive=True)
        if verb is not None:
            objects += ctx.prep_objects(verb, allow_possessive=False)
        return objects


def _is_merger(trigger: Span, subjects: list[str], objects: list[str]) -> bool:
    # "merger with A and its affiliate B" is one deal; more than four names are a list.
    return (
        any(t.lemma_ in ("merger", "merge") for t in trigger) and len(subjects) + len(objects) <= 4
    )


def _pairs(subjects: list[str], objects: list[str]) -> Groups:
    return [(s, o) for s in subjects for o in objects if s != o]


# --------------------------------------------------------------------------- rules


def hyphen_pair(t: TriggerArguments) -> Groups | None:
    """Two names joined by a hyphen or slash before the trigger: "an Astellas-Yaskawa
    joint venture", "the Astellas-KISED collaboration", "the A/B alliance"."""
    ctx, span = t.ctx, t.trigger
    doc = span.doc
    i = span.start - 1
    while i >= ctx.sent.start and doc[i].pos_ in ("ADJ",) and i > span.start - 3:
        i -= 1  # "an Astellas-Yaskawa new joint venture"
    right = ctx.token_org.get(i)
    if right is None:
        return None
    j = right.start - 1
    if j > ctx.sent.start and doc[j].text in ("-", "–", "/"):
        left = ctx.token_org.get(j - 1)
        if left is not None and left.canonical != right.canonical:
            return [(left.canonical, right.canonical)]
    return None


def verb_outside_parse(t: TriggerArguments) -> Groups | None:
    """A verb trigger in a line the parser gives no verb (a headline whose "Buys" it
    tags as a noun): no parties."""
    return [] if t.is_verb and t.verb is None else None


def nothing_named(t: TriggerArguments) -> Groups | None:
    """Neither a subject nor an object is an organisation ("The deal was signed
    yesterday"): no parties."""
    return [] if not t.subjects and not t.objects else None


def object_without_subject(t: TriggerArguments) -> Groups | None:
    """A verb with one organisation and no organisation subject ("Private investors
    acquired Y"): no parties."""
    return [] if not t.subjects and t.is_verb and len(t.objects) < 2 else None


def passive_product_subject(t: TriggerArguments) -> Groups | None:
    """A passive verb whose subject is the thing dealt, not an organisation, and whose
    organisations are all objects: "Molnupiravir was licensed to A by B", "The drug was
    acquired from A by B"."""
    if t.subjects or not t.is_verb or len(t.objects) < 2:
        return None
    verb = t.verb
    assert verb is not None
    pronouns = t.ctx.words.pronoun_subjects
    if any(
        c.dep_ == "nsubjpass" and c.lower_ not in pronouns
        for v in (verb, verb.head if verb.dep_ == "conj" else verb)
        for c in v.children
    ):
        return [tuple(t.objects)]
    return None


def between_objects(t: TriggerArguments) -> Groups | None:
    """Two or more object organisations and no subject, and either no other
    organisation in the sentence or a "between": "an agreement between A and B",
    "A's licence with B", "the deal between A and B, advised by C"."""
    if t.subjects or len(t.objects) < 2:
        return None
    if not t.bystanders or any(token.lower_ == "between" for token in t.ctx.sent):
        return [tuple(t.objects)]
    return None


def sentence_partner(t: TriggerArguments) -> Groups | None:
    """No organisation subject, and exactly one organisation in the sentence besides
    the objects: it is the other party. "X said the partnership with Y covers three
    drugs" (X is the subject of "said", not of "covers"); "Under the deal with Y, the
    oncology unit of X will sell the drug"."""
    if t.subjects or len(t.bystanders) != 1:
        return None
    partner = t.bystanders
    if _is_merger(t.trigger, partner, t.objects):
        return [(*partner, *t.objects)]
    return _pairs(partner, t.objects)


def main_org_partner(t: TriggerArguments) -> Groups | None:
    """A deal noun with an object but no subject and no other organisation in the
    sentence: the article's main organisation is the other party. "The collaboration
    with Y will focus on oncology" in an article about X."""
    main_org = t.ctx.main_org
    if (
        t.subjects
        or t.bystanders
        or not t.objects
        or not main_org
        or main_org in t.objects
        or not t.is_noun
    ):
        return None
    if _is_merger(t.trigger, [main_org], t.objects):
        return [(main_org, *t.objects)]
    return _pairs([main_org], t.objects)


def objects_only(t: TriggerArguments) -> Groups | None:
    """No subject and two or more other organisations around, none of them the
    partner: the objects are the parties when there are two or more ("The licence with
    A and B, reported by C and D, is worth $1 billion"), else none."""
    if t.subjects:
        return None
    return [tuple(t.objects)] if len(t.objects) >= 2 else []


def asymmetric_without_object(t: TriggerArguments) -> Groups | None:
    """Subjects but no object for a verb whose parties play different roles: "A and B
    each acquired shares" needs the object it does not name here. "A and B merged"
    is symmetric and left to the next rule."""
    if (
        not t.objects
        and t.is_verb
        and t.deal_type in t.ctx.words.asymmetric_types
        and t.trigger.root.lemma_ != "merge"
    ):
        return []
    return None


def symmetric_subjects(t: TriggerArguments) -> Groups | None:
    """Subjects and no object: together they are the parties. "A and B merged", "A and
    B formed an alliance", "A, B and C launched a consortium"."""
    if t.objects:
        return None
    return [tuple(t.subjects)] if len(t.subjects) >= 2 else []


def co_signatories(t: TriggerArguments) -> Groups | None:
    """Two or more subjects sign one agreement with one object: a single deal of all
    of them. "A and B signed a licence agreement with C". Not when each subject has
    its own ("A and B each signed ...", "... agreements with C", "respectively")."""
    if t.is_noun and len(t.subjects) >= 2 and len(t.objects) == 1:
        each = (
            any(token.lower_ in ("each", "both", "respectively") for token in t.ctx.sent)
            or t.trigger.root.tag_ == "NNS"
        )
        if not each:
            return [(*t.subjects, *t.objects)]
    return None


def merger_group(t: TriggerArguments) -> Groups | None:
    """A merger binds everyone it names (up to four): "X completed its merger with A
    and its affiliate B" is one deal of X, A and B."""
    if _is_merger(t.trigger, t.subjects, t.objects):
        return [(*t.subjects, *t.objects)]
    return None


def subject_object_pairs(t: TriggerArguments) -> Groups | None:
    """Each subject with each object: "X acquired Y", "X signed a licence with Y",
    "X and Y each took a stake in Z" (X with Z, Y with Z)."""
    return _pairs(t.subjects, t.objects)


PartyRule = Callable[[TriggerArguments], Groups | None]

# The order is the decision procedure: earlier rules see the cases later ones
# would get wrong (a hyphen pair before the parse, vetoes before fallbacks).
PARTY_RULES: tuple[PartyRule, ...] = (
    hyphen_pair,
    verb_outside_parse,
    nothing_named,
    object_without_subject,
    passive_product_subject,
    between_objects,
    sentence_partner,
    main_org_partner,
    objects_only,
    asymmetric_without_object,
    symmetric_subjects,
    co_signatories,
    merger_group,
    subject_object_pairs,
)


def find_parties(
    ctx: SentenceContext, trigger: Span, role: str, deal_type: str = "other"
) -> list[PartyGroup]:
    """The party groups a trigger states, each tagged with the rule that found it
    (no group when the parse names none)."""
    arguments = TriggerArguments(ctx, trigger, role, deal_type)
    for rule in PARTY_RULES:
        groups = rule(arguments)
        if groups is not None:
            return [PartyGroup(tuple(group), rule.__name__) for group in groups]
    return []


def programme_members(ctx: SentenceContext) -> list[tuple[Token, tuple[str, str]]]:
    """Each named member of a programme partners with the article's main organisation:
    "Two inaugural participants, X and Y, will join", "the awardees include X". Each
    pair comes with the member noun that names them."""
    if not ctx.main_org:
        return []
    found: list[tuple[Token, tuple[str, str]]] = []
    for token in ctx.sent:
        if token.lower_ in ctx.words.member_nouns and token.pos_ == "NOUN":
            for child in token.children:
                if child.dep_ in ("appos", "conj", "prep"):
                    phrase = child if child.dep_ != "prep" else next(iter(child.children), child)
                    for member in ctx.group(phrase):
                        if member != ctx.main_org:
                            found.append((token, (ctx.main_org, member)))
    return found
