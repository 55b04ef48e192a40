"""Deal candidates: groups of organisations in one sentence, with features.

Every two organisations a sentence names or refers to (see ``atlas.learn.coref``) form
a candidate when the sentence holds a deal trigger; groups of three or more come from
the rules ("A, B and C formed a consortium"). A candidate's features say what the rules
concluded (which rule paired them, its trigger, type and hedge), how the two stand in
the parse (their roles, the dependency path between them, the words between them), and
what kind of sentence it is (headline, lede, reported talks, a termination, money).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from atlas.rules.findings import Finding

MONEY = re.compile(
    r"(?:[$€£¥₩]|\b(?:US\$|USD|EUR|JPY|KRW|RMB|CNY|INR)\b)\s?\d|\b\d[\d.,]*\s?(?:million|billion|bn|mn|crore|lakh)\b",
    re.I,
)


@dataclass(frozen=True)
class Participant:
    """An organisation in a sentence: named, or referred to ("the company")."""

    canonical: str
    start: int
    end: int
    via: str  # "name" or the reference kind from atlas.learn.coref


@dataclass
class DealCandidate:
    """Two organisations (``kind`` "pair") or more ("group") a sentence may say made a deal."""

    item: int
    sentence: Span
    parties: tuple[str, ...]
    kind: str = "pair"
    features: dict[str, float] = field(default_factory=dict)
    rule_types: tuple[str, ...] = ()  # types the rules gave this group in this sentence
    probability: float = 0.0
    rule_exact: bool = False  # a rule found a deal between exactly these parties here
    rule: str = ""  # the name of that rule
    trigger: str = ""  # the words that state it, when a rule found it
    # Features for the type model only (what the trigger acts on).
    type_hints: dict[str, float] = field(default_factory=dict)
    # Parties' parents, where a subsidiary acts for one (atlas.rules.parents).
    parents: dict[str, str] = field(default_factory=dict)
    # Where each party is named in the sentence (token start, end), for pairs.
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Once chosen: every candidate of the same parties likely enough to speak of it.
    support: list[DealCandidate] = field(default_factory=list)


@dataclass(frozen=True)
class OrgFacts:
    """What the organisation model saw of one organisation of the article."""

    flags: frozenset[str]  # e.g. "lexicon", "org_suffix", "legal_suffix", "origin=org"
    kind: str | None
    probability: float


@dataclass
class SentenceFacts:
    """What a sentence holds, computed once for all its candidates."""

    sent: Span
    index: int
    headline: bool
    triggers: list[tuple[Span, str, str, float, bool]]  # span, type, role, strength, hedged
    findings: list[Finding]
    words: set[str]  # lower-case lemmas
    money: bool
    paths: Paths = field(default_factory=lambda: Paths())


def _ancestors(token: Token, limit: int = 12) -> list[Token]:
    chain = [token]
    node = token
    for _ in range(limit):
        # spaCy makes a new Token object on each access: compare positions, not identity.
        if node.head.i == node.i:
            break
        node = node.head
        chain.append(node)
    return chain


Path = tuple[list[str], list[str], "Token | None"]


class Paths:
    """Dependency paths within one sentence, each worked out once: every pair of a
    sentence asks for the same few."""

    def __init__(self) -> None:
        self._chains: dict[int, list[Token]] = {}
        self._paths: dict[tuple[int, int], Path] = {}

    def chain(self, token: Token) -> list[Token]:
        chain = self._chains.get(token.i)
        if chain is None:
            chain = self._chains[token.i] = _ancestors(token)
        return chain

    def between(self, a: Token, b: Token) -> Path:
        key = (a.i, b.i)
        path = self._paths.get(key)
        if path is None:
            path = self._paths[key] = _path(self.chain(a), self.chain(b))
        return path


def _path(chain_a: list[Token], chain_b: list[Token]) -> Path:
    index_a = {t.i: k for k, t in enumerate(chain_a)}
    for k, token in enumerate(chain_b):
        if token.i in index_a:
            up_a = [t.dep_ for t in chain_a[: index_a[token.i]]]
            up_b = [t.dep_ for t in chain_b[:k]]
            return up_a, up_b, token
    return [t.dep_ for t in chain_a], [t.dep_ for t in chain_b], None


def dependency_path(a: Token, b: Token, paths: Paths | None = None) -> Path:
    """Dependency labels from each token up to their lowest common ancestor."""
    if paths is not None:
        return paths.between(a, b)
    return _path(_ancestors(a), _ancestors(b))


def _bucket(value: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if value <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def _step(token: Token) -> str:
    """A dependency label, with its preposition for objects ("pobj:with")."""
    if token.dep_ in ("pobj", "pcomp") and token.head.dep_ in ("prep", "agent"):
        return f"pobj:{token.head.lower_}"
    return token.dep_


def trigger_role(token: Token, trigger: Span, paths: Paths | None = None) -> str:
    """How an organisation stands to a deal trigger: "nsubj>" (subject of the trigger
    verb), "pobj:with>" (its partner), "dobj>nsubj" (subject of the verb whose object
    is the trigger noun: "X signed an agreement"), "poss>" ("X's acquisition"), "far"."""
    root = trigger.root
    up_m, up_t, lca = dependency_path(token, root, paths)
    if lca is None or len(up_m) + len(up_t) > 6:
        return "far"
    if token.i in range(trigger.start, trigger.end):
        return "inside"
    # The organisation's own steps, compressed: "pobj" with its "prep" as one step.
    steps: list[str] = []
    node = token
    for _ in range(len(up_m)):
        if node.dep_ == "prep" and steps and steps[-1].startswith("pobj:"):
            node = node.head
            continue
        steps.append(_step(node))
        node = node.head
    down = ".".join(steps[:3])
    up = ".".join(up_t[:2])
    return f"{up}>{down}"


def _tree_distance(a: Token, b: Token, paths: Paths | None = None) -> int:
    up_a, up_b, lca = dependency_path(a, b, paths)
    return len(up_a) + len(up_b) if lca is not None else 99


def pair_features(
    facts: SentenceFacts,
    a: Participant,
    b: Participant,
    *,
    sentence_participants: int,
    main_org: str | None,
    orgs: dict[str, OrgFacts],
    cue_words: dict[str, frozenset[str]],
) -> dict[str, float]:
    """Features of the candidate "a and b made a deal, says this sentence"."""
    f: dict[str, float] = {"bias_pair": 1.0}
    _rule_features(f, facts.findings, {a.canonical, b.canonical})
    live_triggers = _trigger_features(f, facts)
    doc = facts.sent.doc
    root_a = doc[a.start : a.end].root
    root_b = doc[b.start : b.end].root
    _parse_features(f, facts, root_a, root_b, live_triggers)
    if live_triggers:
        _trigger_role_features(f, facts, a, b, (root_a, root_b), live_triggers)
    lo, hi = (a.end, b.start) if a.start <= b.start else (b.end, a.start)
    if hi <= lo:
        f["adjacent"] = 1.0
    elif any(t.text in (";", "|") for t in doc[lo:hi]):
        f["separate_items"] = 1.0  # "Lundbeck, Pfizer ink deals; Confo, Promethera raise cash"
    # The sentence.
    f[f"sentence={_bucket(facts.index, (0, 1, 2, 4, 8))}"] = 1.0
    if facts.headline:
        f["headline"] = 1.0
    f[f"participants={min(sentence_participants, 6)}"] = 1.0
    if facts.money:
        f["money"] = 1.0
    for name, words in cue_words.items():
        if facts.words & words:
            f[f"cue={name}"] = 1.0
    _organisation_features(f, a, b, main_org, orgs)
    return f


def _rule_features(f: dict[str, float], findings: list[Finding], key: set[str]) -> None:
    """What the rules concluded about the two (``key``) and about others of the sentence."""
    together = [x for x in findings if key <= set(x.parties)]
    live = [x for x in together if not x.hedged]
    hedged = [x for x in together if x.hedged]
    if live:
        f["rule_pair"] = 1.0
        if any(set(x.parties) == key for x in live):
            f["rule_exact"] = 1.0
        best = max(live, key=lambda x: x.strength)
        f["rule_strength"] = best.strength
        for x in live:
            f[f"rule={x.rule}"] = 1.0
            f[f"rule_type={x.deal_type}"] = 1.0
            f[f"rule_role={x.trigger_role}"] = 1.0
            f[f"rule_size={min(len(x.parties), 4)}"] = 1.0
    if hedged and not live:
        f["rule_pair_hedged"] = 1.0
        for x in hedged:
            f[f"hedged_rule={x.rule}"] = 1.0
    one_side = [x for x in findings if not x.hedged and len(key & set(x.parties)) == 1]
    if one_side and not live:
        f["rule_other_partner"] = 1.0
        if key <= {p for x in one_side for p in x.parties}:
            # "X and Y each bought a stake in Z", "Two participants, X and Y, joined Z's
            # programme": both deal with someone else, not with each other.
            f["rule_both_elsewhere"] = 1.0
    if findings and not together and not one_side:
        f["rule_elsewhere"] = 1.0


def _trigger_features(f: dict[str, float], facts: SentenceFacts) -> list:
    """The sentence's triggers and what they act on; returns the unhedged ones."""
    live_triggers = [t for t in facts.triggers if not t[4]]
    for span, deal_type, role, _strength, is_hedged in facts.triggers:
        prefix = "hedged_trigger" if is_hedged else "trigger"
        f[f"{prefix}={deal_type}"] = 1.0
        f[f"{prefix}_role={role}"] = 1.0
        if not is_hedged:
            # What the trigger acts on: "acquired a 15% stake", "a co-promotion agreement".
            root = span.root
            f[f"tword={root.lemma_.lower()}"] = 1.0
            for child in root.children:
                if child.dep_ in ("dobj", "attr", "nsubjpass", "compound", "amod"):
                    f[f"tobj={child.lemma_.lower()}"] = 1.0
    if "%" in facts.sent.text or facts.words & {"percent", "pct", "cent"}:
        f["percent"] = 1.0
    if not live_triggers:
        f["no_live_trigger"] = 1.0
    else:
        f["max_trigger_strength"] = max(t[3] for t in live_triggers)
    return live_triggers


def _parse_features(
    f: dict[str, float], facts: SentenceFacts, root_a: Token, root_b: Token, live_triggers: list
) -> None:
    """How the two stand in the parse: path length, common ancestor, coordination, distance."""
    first, second = (root_a, root_b) if root_a.i <= root_b.i else (root_b, root_a)
    up_a, up_b, lca = dependency_path(first, second, facts.paths)
    f[f"path_len={_bucket(len(up_a) + len(up_b), (1, 2, 3, 4, 6, 9))}"] = 1.0
    if lca is not None:
        f[f"lca_pos={lca.pos_}"] = 1.0
        if any(s.start <= lca.i < s.end for s, *_ in live_triggers):
            f["lca_is_trigger"] = 1.0
    if root_b in root_a.conjuncts or root_a in root_b.conjuncts:
        f["conjoined"] = 1.0
    distance = abs(second.i - first.i)
    f[f"distance={_bucket(distance, (2, 4, 7, 12, 20, 35))}"] = 1.0


def _trigger_role_features(
    f: dict[str, float],
    facts: SentenceFacts,
    a: Participant,
    b: Participant,
    roots: tuple[Token, Token],
    live_triggers: list,
) -> None:
    """How each of the two stands to the nearest unhedged trigger, and where it is."""
    root_a, root_b = roots
    anchor = min(
        (s for s, *_ in live_triggers),
        key=lambda s: (
            _tree_distance(root_a, s.root, facts.paths)
            + _tree_distance(root_b, s.root, facts.paths)
        ),
    )
    role_a = trigger_role(root_a, anchor, facts.paths)
    role_b = trigger_role(root_b, anchor, facts.paths)
    f[f"trole={role_a}"] = 1.0
    f[f"trole={role_b}"] = 1.0
    low, high = sorted((role_a, role_b))
    f[f"troles={low}|{high}"] = 1.0
    near = [
        min(_tree_distance(r, s.root, facts.paths) for s, *_ in live_triggers)
        for r in (root_a, root_b)
    ]
    f[f"trigger_dist={_bucket(max(near), (1, 2, 3, 5))}"] = 1.0
    f[f"trigger_dist_min={_bucket(min(near), (1, 2, 3, 5))}"] = 1.0
    trigger_first = min(s.start for s, *_ in live_triggers)
    if trigger_first < min(a.start, b.start):
        f["trigger_before_both"] = 1.0
    elif trigger_first > max(a.start, b.start):
        f["trigger_after_both"] = 1.0
    else:
        f["trigger_between"] = 1.0


def _organisation_features(
    f: dict[str, float],
    a: Participant,
    b: Participant,
    main_org: str | None,
    orgs: dict[str, OrgFacts],
) -> None:
    """What the organisation model saw of the two, and how they are named."""
    for side in (a, b):
        if side.via != "name":
            f[f"via={side.via}"] = 1.0
    if main_org in {a.canonical, b.canonical}:
        f["with_main_org"] = 1.0
    unknown = OrgFacts(frozenset(), None, 0.5)
    info = [orgs.get(a.canonical, unknown), orgs.get(b.canonical, unknown)]
    for name in ("lexicon", "org_suffix", "legal_suffix", "origin=org", "institution"):
        count = sum(1 for i in info if name in i.flags)
        f[f"both_{name}" if count == 2 else f"{count}_{name}"] = 1.0
    for i in info:
        if i.kind:
            f[f"kind={i.kind}"] = 1.0
    f["min_org_p"] = min(i.probability for i in info)
    first_a = a.canonical.split()[0].casefold()
    first_b = b.canonical.split()[0].casefold()
    if first_a == first_b:
        f["same_first_word"] = 1.0  # a parent and its subsidiary, or one name split in two


def group_features(
    facts: SentenceFacts,
    members: list[Participant],
    *,
    source: str,
    sentence_participants: int,
    main_org: str | None,
    cue_words: dict[str, frozenset[str]],
) -> dict[str, float]:
    """Features of the candidate "these three or more made one agreement"."""
    doc = facts.sent.doc
    names = {m.canonical for m in members}
    f: dict[str, float] = {"bias_group": 1.0, f"group_source={source}": 1.0}
    f[f"group_size={min(len(names), 6)}"] = 1.0
    _group_rule_features(f, facts.findings, names)
    covered = [x for x in facts.findings if not x.hedged and set(x.parties) <= names]
    f[f"group_findings={min(len(covered), 3)}"] = 1.0
    if len(names) == sentence_participants:
        f["group_all_participants"] = 1.0
    else:
        f[f"group_left_out={min(sentence_participants - len(names), 3)}"] = 1.0
    for _span, deal_type, _role, _strength, is_hedged in facts.triggers:
        f[f"{'hedged_' if is_hedged else ''}trigger={deal_type}"] = 1.0
    if facts.headline:
        f["headline"] = 1.0
    f[f"sentence={_bucket(facts.index, (0, 1, 2, 4, 8))}"] = 1.0
    if main_org in names:
        f["with_main_org"] = 1.0
    if facts.money:
        f["money"] = 1.0
    for name, words in cue_words.items():
        if facts.words & words:
            f[f"cue={name}"] = 1.0
    first = min(m.start for m in members)
    last = max(m.end for m in members)
    for token in doc[max(facts.sent.start, first - 3) : last]:
        if token.lower_ in GROUP_WORDS:
            f[f"group_word={token.lower_}"] = 1.0
    return f


# Words near a list of organisations that say they are members of one thing.
GROUP_WORDS = frozenset(
    {
        "like",
        "including",
        "include",
        "includes",
        "such",
        "among",
        "join",
        "joined",
        "joins",
        "members",
        "member",
        "partners",
        "consortium",
    }
)


def _group_rule_features(f: dict[str, float], findings: list[Finding], names: set[str]) -> None:
    """The rules' findings of exactly these parties."""
    exact = [x for x in findings if set(x.parties) == names]
    if exact:
        f["rule_group"] = 1.0
        for x in exact:
            f[f"group_rule={x.rule}"] = 1.0
            f[f"group_rule_type={x.deal_type}"] = 1.0
            if x.hedged:
                f["group_rule_hedged"] = 1.0
