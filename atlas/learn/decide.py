"""From a parsed article to organisations and deals, decided by the trained models.

1. Organisation candidates (``atlas.learn.orgs``) are resolved to canonical names and
   each organisation is kept or dropped by the organisation model.
2. In every sentence with a deal trigger, every two kept organisations named or referred
   to (``atlas.learn.coref``) are a deal candidate (``atlas.learn.pairs``), with what the
   rules concluded as features; the deal model gives each a probability.
3. A group is a deal when its best sentence passes the model's threshold; that sentence
   is its evidence, the probability its confidence, and the type model its type.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx
from spacy.tokens import Doc, Span

from atlas.learn.coref import named_mentions, resolve_references
from atlas.learn.model import ExtractionModels
from atlas.learn.orgs import NameWords, OrgCandidate, aggregate, candidate_spans, mention_features
from atlas.learn.pairs import (
    MONEY,
    DealCandidate,
    OrgFacts,
    Participant,
    SentenceFacts,
    group_features,
    pair_features,
)
from atlas.lexicon import TriggerEntry
from atlas.models import Article, ArticleItem, ExtractionResult
from atlas.reading import _is_headline, _item_text, _parse_sentence_date
from atlas.rules.background import (
    ROLE_BACKGROUND,
    ROLE_MAIN,
    background_date,
    clearly_background,
    role_features,
    rule_role,
    stating_triggers,
)
from atlas.rules.context import OrgMention, SentenceContext
from atlas.rules.findings import Finding, sentence_findings
from atlas.rules.parents import subsidiary_parents
from atlas.rules.triggers import find_triggers, is_hedged

# Rules whose statement the parse cannot mislead, too rare in the labelled sets for the
# model to learn how far to trust them: "an Astellas-Yaskawa joint venture" names both
# parties in one hyphenated word before the deal noun. Kept unless the model is sure
# they are wrong (a name that is no organisation, say).
TRUSTED_RULES = frozenset({"hyphen_pair"})
TRUSTED_RULE_THRESHOLD = 0.1
# Most organisations a sentence may pair: deal tables put dozens on one line.
MAX_PARTICIPANTS = 12
ORG_FLAGS = ("lexicon", "org_suffix", "legal_suffix", "origin=org", "institution")


@dataclass
class PreparedArticle:
    """An article's parse and organisation candidates: everything the models read."""

    article: Article
    docs: list[tuple[ArticleItem, Doc]]
    candidates: list[OrgCandidate]
    org_features: dict[str, dict[str, float]]
    headlines: list[set[int]]  # per doc, start tokens of headline sentences
    org_kind: dict[str, str] = field(default_factory=dict)
    # Per item, what every deal's role features share (sentence starts, the lede's
    # organisations, DATE entities): built once, not per deal (``_role_context``).
    role_context: dict[int, tuple] = field(default_factory=dict, repr=False, compare=False)


def name_words(extractor) -> NameWords:
    """The word lists the organisation features look up."""
    lexicon = extractor.lexicon
    words = lexicon.words
    rules = extractor.nlp.get_pipe("atlas_organisations")
    deal_words = frozenset(
        word
        for trigger in lexicon.triggers
        for spec in trigger.pattern.split()
        for word in spec.split("/")
        if word
    )
    return NameWords(
        org_suffixes=words.org_suffixes,
        legal_suffixes=words.legal_suffixes,
        institution_heads=words.institution_heads,
        places=frozenset(rules.places),
        non_organisations=frozenset(rules.non_organisations),
        person_titles=words.person_titles,
        product_nouns=words.product_nouns,
        deal_words=deal_words,
        org_nouns=words.reference_nouns,
        descriptors=words.name_descriptors,
        generic_heads=words.generic_heads,
        drug_name_endings=tuple(words.drug_name_endings),
    )


def prepare(extractor, article: Article, docs: list[tuple[ArticleItem, Doc]]) -> PreparedArticle:
    """Organisation candidates of every item, resolved to canonical names, with features."""
    from atlas.organisations import strip_possessive

    words = extractor.name_words
    small_words = extractor.lexicon.words.headline_small_words
    candidates: list[OrgCandidate] = []
    headlines: list[set[int]] = []
    noise = extractor.nlp.get_pipe("atlas_organisations")._is_noise
    for k, (_item, doc) in enumerate(docs):
        sents = list(doc.sents)
        starts = [s.start for s in sents]
        heads = {s.start for s in sents if _is_headline(s, small_words)}
        headlines.append(heads)
        for span in candidate_spans(doc, words.descriptors):
            text = strip_possessive(span.text)
            if not text:
                continue
            sent = sents[bisect_right(starts, span.start) - 1]
            in_headline = sent.start in heads
            features = mention_features(
                span, words, in_headline=in_headline, sentence=(sent.start, sent.end)
            )
            if span.label_ != "ORG" and not span.id_ and noise(span):
                # What the pipeline's organisation rules would have thrown away: a
                # ticker, a brand, a code, a place, "Srinivas Sadu, COO, ..."
                features["pipeline_noise"] = 1.0
            candidates.append(
                OrgCandidate(
                    item=k,
                    start=span.start,
                    end=span.end,
                    text=text,
                    origin=span.label_,
                    lexicon_id=span.id_,
                    in_headline=in_headline,
                    features=features,
                )
            )
    hints = {c.text: c.lexicon_id for c in candidates if c.lexicon_id}
    institution_heads = frozenset(h.lower() for h in extractor.lexicon.words.institution_heads)
    resolved = extractor.resolver.resolve_document(
        [c.text for c in candidates], hints=hints, heads=institution_heads
    )
    by_org: dict[str, list[OrgCandidate]] = {}
    kept = []
    for c in candidates:
        canonical = resolved.get(c.text)
        if not canonical:
            continue
        c.canonical = canonical
        kept.append(c)
        by_org.setdefault(canonical, []).append(c)
    org_features: dict[str, dict[str, float]] = {}
    org_kind: dict[str, str] = {}
    brands = frozenset(
        t.text
        for _item, doc in docs
        for t in doc[:-1]
        if doc[t.i + 1].text in ("®", "™") and t.text[:1].isupper()
    )
    for canonical, mentions in by_org.items():
        features = aggregate((m.features for m in mentions), canonical=canonical, brands=brands)
        info = extractor.resolver.describe(canonical)
        if info.in_lexicon:
            features["lexicon"] = 1.0
            features[f"lexicon_kind={info.kind}"] = 1.0
            org_kind[canonical] = info.kind
        org_features[canonical] = features
    return PreparedArticle(article, docs, kept, org_features, headlines, org_kind)


def organisation_probabilities(
    prepared: PreparedArticle, models: ExtractionModels
) -> dict[str, float]:
    return {
        name: models.organisation.probability(features)
        for name, features in prepared.org_features.items()
    }


def _triggers(extractor, sent: Span) -> list[tuple[Span, TriggerEntry, bool]]:
    """The sentence's deal triggers, each with whether it is hedged."""
    clause_verbs = extractor.lexicon.words.hedging_clause_verbs
    return [
        (span, entry, is_hedged(span, extractor.hedges, clause_verbs))
        for span, entry in find_triggers(sent, extractor.matcher, extractor.trigger_table)
    ]


def deal_candidates(
    extractor,
    prepared: PreparedArticle,
    org_probability: dict[str, float],
    threshold: float,
) -> list[DealCandidate]:
    """Every group of kept organisations a sentence with a deal trigger may pair."""
    accepted = {name for name, p in org_probability.items() if p >= threshold}
    orgs = {
        name: OrgFacts(
            frozenset(f for f in ORG_FLAGS if prepared.org_features[name].get(f)),
            prepared.org_kind.get(name),
            org_probability[name],
        )
        for name in accepted
    }
    lexicon = extractor.lexicon
    country_of = {**lexicon.country_by_term}
    org_country = {name: extractor.resolver.describe(name).country for name in accepted}
    member_nouns = extractor.lexicon.words.member_nouns
    out: list[DealCandidate] = []
    for k, (_item, doc) in enumerate(prepared.docs):
        mentions = sorted(
            (c for c in prepared.candidates if c.item == k and c.canonical in accepted),
            key=lambda c: c.start,
        )
        if not mentions:
            continue
        token_org: dict[int, OrgMention] = {}
        for c in mentions:
            mention = OrgMention(c.start, c.end, c.text, c.canonical)
            for i in range(c.start, c.end):
                token_org[i] = mention
        counts = Counter(c.canonical for c in mentions)
        first_seen: dict[str, int] = {}
        for c in mentions:
            first_seen.setdefault(c.canonical, c.start)
        main_org = min(counts, key=lambda c: (-counts[c], first_seen[c]))
        sents = list(doc.sents)
        named = named_mentions(sents, [(c.start, c.end, c.canonical) for c in mentions])
        references = resolve_references(
            sents,
            named,
            org_nouns=extractor.name_words.org_nouns,
            country_of=country_of,
            org_country=org_country,
            main_org=main_org,
        )
        by_sentence: dict[int, list[Participant]] = {}
        for m in named:
            by_sentence.setdefault(m.sentence, []).append(
                Participant(m.canonical, m.start, m.end, "name")
            )
        last_subject: str | None = None
        for index, sent in enumerate(sents):
            ctx = SentenceContext(sent, token_org, main_org, last_subject, extractor.lexicon.words)
            participants = list(by_sentence.get(index, []))
            for ref in references.get(index, []):
                for name in ref.canonicals:
                    participants.append(Participant(name, ref.token, ref.token + 1, ref.kind))
            triggers = _triggers(extractor, sent) if participants else []
            if triggers or (participants and any(t.lower_ in member_nouns for t in sent)):
                out.extend(
                    _sentence_candidates(
                        extractor,
                        k,
                        index,
                        sent,
                        ctx,
                        triggers,
                        participants,
                        main_org,
                        orgs,
                        prepared.headlines[k],
                    )
                )
            subject = ctx.sentence_subject()
            if subject:
                last_subject = subject
    return out


def _sentence_candidates(
    extractor,
    item: int,
    index: int,
    sent: Span,
    ctx: SentenceContext,
    triggers: list[tuple[Span, TriggerEntry, bool]],
    participants: list[Participant],
    main_org: str | None,
    orgs: dict[str, OrgFacts],
    headlines: set[int],
) -> list[DealCandidate]:
    findings = sentence_findings(
        ctx, extractor.matcher, extractor.trigger_table, extractor.hedges, triggers
    )
    if not triggers and not findings:
        return []
    # An organisation a rule names that the sentence does not ("it", the article's main
    # organisation for "Two participants, X and Y, ..."): at the rule's trigger.
    present = {p.canonical for p in participants}
    for finding in findings:
        for name in finding.parties:
            if name not in present:
                present.add(name)
                start = finding.trigger_start
                participants = [*participants, Participant(name, start, start + 1, "rule")]
    names = list(dict.fromkeys(p.canonical for p in participants))[:MAX_PARTICIPANTS]
    if len(names) < 2:
        return []
    facts = SentenceFacts(
        sent=sent,
        index=index,
        headline=sent.start in headlines,
        triggers=[(s, e.type, e.role, e.strength, h) for s, e, h in triggers],
        findings=findings,
        words={t.lemma_.lower() for t in sent} | {t.lower_ for t in sent},
        money=bool(MONEY.search(sent.text)),
    )
    by_name: dict[str, list[Participant]] = {}
    for p in participants:
        by_name.setdefault(p.canonical, []).append(p)
    parents = subsidiary_parents(ctx)
    out = []
    for a_name, b_name in combinations(names, 2):
        a, b = _closest(by_name[a_name], by_name[b_name])
        if (a.start, a.end) == (b.start, b.end):
            continue  # both only in one reference ("their partnerships"): no pair stated
        features = pair_features(
            facts,
            a,
            b,
            sentence_participants=len(names),
            main_org=main_org,
            orgs=orgs,
            cue_words=extractor.lexicon.words.cues(),
        )
        rule_types = tuple(
            x.deal_type for x in findings if not x.hedged and {a_name, b_name} <= set(x.parties)
        )
        candidate = DealCandidate(
            item, sent, tuple(sorted((a_name, b_name))), "pair", features, rule_types
        )
        candidate.spans = {a_name: (a.start, a.end), b_name: (b.start, b.end)}
        _take_rule(candidate, findings)
        candidate.parents = {p: parents[p] for p in candidate.parties if p in parents}
        if parents.get(a_name) == b_name or parents.get(b_name) == a_name:
            candidate.features["subsidiary_and_parent"] = 1.0  # "X and its unit Y"
        out.append(candidate)
    for members, source in _groups(sent, participants, findings):
        features = group_features(
            facts,
            members,
            source=source,
            sentence_participants=len(names),
            main_org=main_org,
            cue_words=extractor.lexicon.words.cues(),
        )
        parties = tuple(sorted({m.canonical for m in members}))
        rule_types = tuple(
            x.deal_type for x in findings if not x.hedged and set(x.parties) <= set(parties)
        )
        candidate = DealCandidate(item, sent, parties, "group", features, rule_types)
        _take_rule(candidate, findings)
        candidate.parents = {p: parents[p] for p in candidate.parties if p in parents}
        out.append(candidate)
    for c in out:
        # What the trigger acts on ("a 15% stake") tells the type, not whether these
        # two made the deal; the deal model goes without it (cross-validation: deal F1
        # 0.531 with, 0.544 without these and the word and path features below).
        c.type_hints = {k: v for k, v in c.features.items() if k.startswith(TYPE_ONLY)}
        c.features = {k: v for k, v in c.features.items() if not k.startswith(TYPE_ONLY)}
    return out


TYPE_ONLY = ("tword=", "tobj=", "percent")


def _take_rule(candidate: DealCandidate, findings: list[Finding]) -> None:
    """Mark a candidate the rules state outright, with their party order (the acquirer
    or licensor first) and trigger."""
    parties = set(candidate.parties)
    for finding in findings:
        if not finding.hedged and set(finding.parties) == parties:
            candidate.rule_exact = True
            candidate.rule = finding.rule
            candidate.parties = finding.parties
            candidate.trigger = finding.trigger_text
            return
    for finding in findings:
        if not finding.hedged and parties <= set(finding.parties):
            candidate.trigger = finding.trigger_text
            return


def _groups(
    sent: Span, participants: list[Participant], findings: list[Finding]
) -> list[tuple[list[Participant], str]]:
    """Groups of three or more organisations that may have made one agreement: the rules'
    groups, lists of coordinated names ("A, B and C"), and a list with the one
    organisation the rules pair its members with ("X partners with A, B and C")."""
    first: dict[str, Participant] = {}
    for p in participants:
        first.setdefault(p.canonical, p)
    out: dict[frozenset[str], str] = {}
    for x in findings:
        if not x.hedged and len(set(x.parties)) >= 3:
            out.setdefault(frozenset(x.parties), "rule")
    for cluster in _coordinated_clusters(sent.doc, [p for p in participants if p.via == "name"]):
        if len(cluster) >= 3:
            out.setdefault(frozenset(cluster), "list")
        if len(cluster) >= 2:
            for partner in _list_partners(cluster, findings):
                out.setdefault(frozenset(cluster | {partner}), "list_with_partner")
    return [
        ([first[name] for name in sorted(group) if name in first], source)
        for group, source in out.items()
        if all(name in first for name in group) and len(group) <= MAX_PARTICIPANTS
    ]


def _coordinated_clusters(doc: Doc, named: list[Participant]) -> list[set[str]]:
    """The named organisations joined by coordination ("A, B and C"), as sets of names."""
    root_of = {p.canonical: doc[p.start : p.end].root for p in named}
    parent = {name: name for name in root_of}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    by_root = {root.i: name for name, root in root_of.items()}
    for name, root in root_of.items():
        for conj in root.conjuncts:
            other = by_root.get(conj.i)
            if other is not None:
                parent[find(other)] = find(name)
    clusters: dict[str, set[str]] = {}
    for name in root_of:
        clusters.setdefault(find(name), set()).add(name)
    return list(clusters.values())


def _list_partners(cluster: set[str], findings: list[Finding]) -> list[str]:
    """The organisations the rules pair with a list's members ("X partners with A and B"),
    unless the rules pair them one by one ("X and Y each bought a stake in Z")."""
    partners = {
        p
        for x in findings
        if not x.hedged and set(x.parties) & cluster
        for p in x.parties
        if p not in cluster
    }
    out = []
    for partner in partners:
        split = [
            set(x.parties)
            for x in findings
            if not x.hedged and len(x.parties) == 2 and partner in x.parties
        ]
        if sum(1 for pair in split if pair & cluster) >= 2:
            continue  # "X and Y each bought a stake in Z": the rules split it
        out.append(partner)
    return out


def _closest(a: list[Participant], b: list[Participant]) -> tuple[Participant, Participant]:
    """The two mentions nearest each other; names before references."""
    pairs = [(x, y) for x in a for y in b if (x.start, x.end) != (y.start, y.end)]
    if not pairs:
        return a[0], b[0]
    return min(
        pairs,
        key=lambda p: (
            (p[0].via != "name") + (p[1].via != "name"),
            abs(p[0].start - p[1].start),
        ),
    )


_WORD = re.compile(r"[a-z][a-z-]+")


def type_features(candidate: DealCandidate) -> dict[str, float]:
    """What the deal type model reads: the evidence sentence's lemmas and trigger types."""
    f: dict[str, float] = {}
    for token in candidate.sentence:
        if token.is_alpha and not token.is_stop:
            f[f"lemma={token.lemma_.lower()}"] = 1.0
    for name, value in candidate.features.items():
        if name.startswith(("trigger=", "rule_type=", "hedged_trigger=", "cue=")):
            f[name] = value
    f.update(candidate.type_hints)
    for deal_type in candidate.rule_types:
        f[f"rule_says={deal_type}"] = 1.0
    if candidate.rule_exact and candidate.rule_types:
        f[f"rule_states={candidate.rule_types[0]}"] = 1.0
    return f


def choose_deals(candidates: list[DealCandidate], models: ExtractionModels) -> list[DealCandidate]:
    """One candidate per group of parties (its best sentence) when it passes its threshold.

    What the rules state outright (a finding with exactly these parties) needs the
    lower ``rule_threshold``; what only the model sees needs the deal or group
    threshold. An accepted group speaks for its members: the pairs inside it from the
    same sentence are not deals of their own."""
    _score(candidates, models)
    outranked = _outranked(candidates, PARTNER_MARGIN)
    accepted = [c for c in candidates if _passes(c, models) and id(c) not in outranked]
    groups, taken = _take_groups(accepted)
    pairs = [
        c
        for c in accepted
        if c.kind == "pair"
        and not any(set(c.parties) <= m for m in taken.get((c.item, c.sentence.start), []))
    ]
    pairs = _merge_cliques(pairs)
    pairs = _merge_stars(pairs)
    best = _best_per_parties(groups + pairs)
    _add_parents(best)
    # Every sentence that speaks of the deal has a say in its type.
    for c in candidates:
        chosen = best.get(frozenset(c.parties))
        if chosen is not None and c.kind == chosen.kind and c.probability >= 0.5:
            chosen.support.append(c)
    return list(best.values())


def _score(candidates: list[DealCandidate], models: ExtractionModels) -> None:
    """Each candidate's probability: the deal model's for a pair; for a group the group
    model's or the mean of its member pairs' of the same sentence, whichever is higher."""
    pair_p: dict[tuple[int, int, frozenset[str]], float] = {}
    for c in candidates:
        c.support = []
        if c.kind == "pair":
            c.probability = models.deal.probability(c.features)
            pair_p[(c.item, c.sentence.start, frozenset(c.parties))] = c.probability
    for c in candidates:
        if c.kind == "group":
            members = [
                pair_p.get((c.item, c.sentence.start, frozenset(pair)), 0.0)
                for pair in combinations(c.parties, 2)
            ]
            c.probability = max(models.group.probability(c.features), sum(members) / len(members))


def _passes(c: DealCandidate, models: ExtractionModels) -> bool:
    """Does the candidate reach its threshold (a trusted rule's, a rule's, the group's or
    the deal model's), with the margin its deal type needs?"""
    if c.rule in TRUSTED_RULES:
        return c.probability >= TRUSTED_RULE_THRESHOLD
    if c.rule_exact:
        limit = models.rule_threshold
    else:
        limit = models.group.threshold if c.kind == "group" else models.deal.threshold
    if c.probability < limit:
        return False
    # The type model is asked only of what passes the threshold.
    return c.probability >= limit + TYPE_MARGINS.get(deal_type_of(c, models), 0.0)


def _take_groups(
    accepted: list[DealCandidate],
) -> tuple[list[DealCandidate], dict[tuple[int, int], list[set[str]]]]:
    """The accepted groups, best first (a rule's before the model's), none overlapping
    another taken from the same sentence; and per sentence, the members taken."""
    taken: dict[tuple[int, int], list[set[str]]] = {}
    groups = []
    for g in sorted(
        (c for c in accepted if c.kind == "group"), key=lambda c: (-c.rule_exact, -c.probability)
    ):
        where = (g.item, g.sentence.start)
        members = set(g.parties)
        if any(members & other for other in taken.get(where, [])):
            continue  # an overlapping group of the same sentence was preferred
        taken.setdefault(where, []).append(members)
        groups.append(g)
    return groups, taken


def _best_per_parties(candidates: list[DealCandidate]) -> dict[frozenset[str], DealCandidate]:
    """Per set of parties, its best candidate (a rule's first, then the most probable)."""
    best: dict[frozenset[str], DealCandidate] = {}
    for c in candidates:
        key = frozenset(c.parties)
        if key not in best or (c.rule_exact, c.probability) > (
            best[key].rule_exact,
            best[key].probability,
        ):
            best[key] = c
    return best


# Types the deal model over-predicts need this much more than their threshold: a list
# of consortium members or a joint venture's owners pair everyone named. Cross-validation
# (thresholds 0.7/0.5): predicted alliance/consortium deals were right 7 times in 21 and
# joint ventures 5 in 12 without; deal F1 0.570 (P 0.643) without, 0.573 (P 0.655) at
# 0.2, 0.576 (P 0.665) at 0.3.
TYPE_MARGINS: dict[str, float] = {"alliance/consortium": 0.3, "joint venture": 0.3}


# A pair of a sentence whose log-odds fall this far below those of another pair of the
# same sentence sharing one of its organisations is that organisation's wrong partner
# ("X, advised by Y, signed with Z": Y and Z). Cross-validation with the deal model's
# C 0.15: deal F1 0.557 (P 0.608) without, 0.560 (P 0.624) at 1.0, 0.550 at 2.0.
PARTNER_MARGIN = 1.0


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _outranked(candidates: list[DealCandidate], margin: float) -> set[int]:
    """Pairs of a sentence whose log-odds are more than ``margin`` below those of another
    pair of the same sentence sharing one of their organisations: that organisation's
    partner is the other one. A pair the rules state outright is never outranked."""
    by_sentence: dict[tuple[int, int], list[DealCandidate]] = {}
    for c in candidates:
        if c.kind == "pair":
            by_sentence.setdefault((c.item, c.sentence.start), []).append(c)
    out = set()
    for pairs in by_sentence.values():
        if len(pairs) < 2:
            continue
        best: dict[str, float] = {}
        for c in pairs:
            for name in c.parties:
                best[name] = max(best.get(name, -99.0), _logit(c.probability))
        for c in pairs:
            if c.rule_exact:
                continue
            if any(_logit(c.probability) < best[name] - margin for name in c.parties):
                out.add(id(c))
    return out


def _add_parents(best: dict[frozenset[str], DealCandidate]) -> None:
    """A subsidiary acting for its parent brings the parent into the deal ("X said its
    arm Y signed with Z" is one deal of X, Y and Z); a deal of the same sentence whose
    parties the extended one holds is the same agreement."""
    for key, c in list(best.items()):
        missing = [q for q in c.parents.values() if q not in c.parties]
        if not missing:
            continue
        c.parties = tuple(dict.fromkeys((*c.parties, *missing)))
        if len(c.parties) > 2:
            c.kind = "group"
        del best[key]
        best.setdefault(frozenset(c.parties), c)
    where: dict[tuple[int, int], list[frozenset[str]]] = {}
    for key, c in best.items():
        where.setdefault((c.item, c.sentence.start), []).append(key)
    for keys in where.values():
        for key in keys:
            if any(key < other for other in keys if other in best):
                best.pop(key, None)


def _by_sentence(pairs: list[DealCandidate]) -> list[list[DealCandidate]]:
    """The pairs grouped by their sentence, in the order they come."""
    by_sentence: dict[tuple[int, int], list[DealCandidate]] = {}
    for c in pairs:
        by_sentence.setdefault((c.item, c.sentence.start), []).append(c)
    return list(by_sentence.values())


def _merge_cliques(pairs: list[DealCandidate]) -> list[DealCandidate]:
    """Three or more organisations of one sentence that the model pairs with each other
    ("A, B and C formed a consortium") made one agreement, not three: the pairs of a
    clique become one group. A hub paired with others who are not paired among
    themselves ("X acquired A for $1m and B for $2m") keeps its separate deals, and so
    do pairs the rules state one by one ("X and Y each bought a stake in Z")."""
    merged: set[int] = set()
    groups: list[DealCandidate] = []
    for found in _by_sentence(pairs):
        if len(found) < 3:
            continue
        graph = nx.Graph()
        for c in found:
            graph.add_edge(*c.parties, candidate=c)
        used: set[str] = set()
        for clique in sorted(nx.find_cliques(graph), key=len, reverse=True):
            if len(clique) < 3 or used & set(clique):
                continue
            edges = [graph.edges[a, b]["candidate"] for a, b in combinations(clique, 2)]
            if any(e.rule_exact for e in edges):
                continue
            used |= set(clique)
            best = max(edges, key=lambda e: e.probability)
            groups.append(
                DealCandidate(
                    best.item,
                    best.sentence,
                    tuple(sorted(clique)),
                    "group",
                    dict(best.features),
                    best.rule_types,
                    sum(e.probability for e in edges) / len(edges),
                )
            )
            merged |= {id(e) for e in edges}
    return [c for c in pairs if id(c) not in merged] + groups


# "A and B each took a stake in X": one deal each, never one group.
# ("licensed from both A and B" is one agreement: cross-validation deal F1 0.567 with
# "both" here, 0.570 without.)
SEPARATE_WORDS = frozenset({"each", "respectively", "separately", "separate"})


def _coordinated(c: DealCandidate, d: DealCandidate, x: str, y: str) -> bool:
    doc = c.sentence.doc
    if x not in c.spans or y not in d.spans:
        return False
    rx = doc[slice(*c.spans[x])].root
    ry = doc[slice(*d.spans[y])].root
    return rx.i != ry.i and (ry in rx.conjuncts or rx in ry.conjuncts)


def _plural_trigger(sent: Span, cluster: list[DealCandidate]) -> bool:
    """Is the deal word a plural noun ("collaborations with A, B and C", "ink deals"):
    one deal with each, not one with all?"""
    words = {w.lower() for c in cluster for w in c.trigger.split()}
    return any(t.tag_ in ("NNS", "NNPS") and t.lower_ in words for t in sent)


def _merge_stars(pairs: list[DealCandidate]) -> list[DealCandidate]:
    """One organisation paired with two or more coordinated others of the same sentence
    ("X licensed rights from A and B", "developed with A and B") made one agreement
    with all of them: the pairs become one group, unless the sentence says the deals
    are separate ("A and B each took a stake in X")."""
    merged: set[int] = set()
    groups: list[DealCandidate] = []
    for found in _by_sentence(pairs):
        if len(found) < 2:
            continue
        sent = found[0].sentence
        if any(t.lower_ in SEPARATE_WORDS for t in sent):
            continue
        hubs = Counter(name for c in found for name in c.parties)
        for hub, n in hubs.most_common():
            if n < 2:
                break
            edges = [c for c in found if hub in c.parties and id(c) not in merged]
            other = {id(c): next(p for p in c.parties if p != hub) for c in edges}
            cluster: list[DealCandidate] = []
            for c in edges:
                for d in edges:
                    if c is not d and _coordinated(c, d, other[id(c)], other[id(d)]):
                        cluster.append(c)
                        break
            if len(cluster) < 2:
                continue
            if _plural_trigger(sent, cluster):
                continue
            best = max(cluster, key=lambda e: e.probability)
            parties = tuple(sorted({hub, *(other[id(c)] for c in cluster)}))
            group = DealCandidate(
                best.item,
                best.sentence,
                parties,
                "group",
                dict(best.features),
                best.rule_types,
                sum(e.probability for e in cluster) / len(cluster),
            )
            group.trigger = best.trigger
            group.parents = {k: v for c in cluster for k, v in c.parents.items()}
            groups.append(group)
            merged |= {id(c) for c in cluster}
    return [c for c in pairs if id(c) not in merged] + groups


# The lede: an item's first sentences, where the news is told.
LEDE_SENTENCES = 2


def deal_role_features(
    extractor, prepared: PreparedArticle, candidate: DealCandidate
) -> dict[str, float]:
    """The role model's features of a deal candidate (``atlas.rules.background``)."""
    item, doc = prepared.docs[candidate.item]
    sent = candidate.sentence
    starts, in_lede, dates = _role_context(prepared, candidate.item)
    index = bisect_right(starts, sent.start) - 1
    published = item.published or prepared.article.published
    return role_features(
        sent,
        stating_triggers(
            [span for span, _entry, _hedged in _triggers(extractor, sent)], candidate.trigger
        ),
        published=published,
        past_words=extractor.lexicon.words.cue_past,
        months=extractor.lexicon.words.months,
        sentence_index=index,
        parties_in_lede=all(p in in_lede for p in candidate.parties),
        dates=dates,
    )


def _role_context(prepared: PreparedArticle, item_index: int) -> tuple:
    """The item's sentence starts, the organisations named in its lede (its first
    sentences or a headline) and its DATE entities, computed once per item."""
    if item_index not in prepared.role_context:
        _item, doc = prepared.docs[item_index]
        starts = [s.start for s in doc.sents]
        lede_end = starts[LEDE_SENTENCES] if len(starts) > LEDE_SENTENCES else len(doc)
        heads = prepared.headlines[item_index]
        in_lede = {
            c.canonical
            for c in prepared.candidates
            if c.item == item_index
            and (c.start < lede_end or starts[bisect_right(starts, c.start) - 1] in heads)
        }
        dates = [ent for ent in doc.ents if ent.label_ == "DATE"]
        prepared.role_context[item_index] = (starts, in_lede, dates)
    return prepared.role_context[item_index]


def deal_role(extractor, prepared: PreparedArticle, candidate, models: ExtractionModels) -> str:
    """Whether the article reports the deal ("main") or mentions it as history
    ("background"): the role model, with the clear signs of history deciding alone."""
    features = deal_role_features(extractor, prepared, candidate)
    if models.role is None:
        return rule_role(features)
    if clearly_background(features) or models.role.probability(features) >= models.role.threshold:
        return ROLE_BACKGROUND
    return ROLE_MAIN


def decide_article(extractor, prepared: PreparedArticle, models: ExtractionModels):
    """The article's organisations and deals as the models decide them."""
    org_p, candidates = score_candidates(extractor, prepared, models)
    return article_result(extractor, prepared, models, org_p, choose_deals(candidates, models))


def score_candidates(
    extractor, prepared: PreparedArticle, models: ExtractionModels
) -> tuple[dict[str, float], list[DealCandidate]]:
    """Organisation probabilities and the article's deal candidates."""
    org_p = organisation_probabilities(prepared, models)
    candidates = deal_candidates(extractor, prepared, org_p, models.party_threshold)
    if not models.use_rules:
        candidates = without_rule_findings(candidates)
    return org_p, candidates


# Features that carry what the rules concluded; the model-only variant goes without.
RULE_FEATURE_PREFIXES = ("rule", "hedged_rule", "group_rule", "group_findings", "group_source=rule")


def without_rule_findings(candidates: list[DealCandidate]) -> list[DealCandidate]:
    """The candidates as the model-only variant sees them: nothing the rules concluded."""
    out = []
    for c in candidates:
        if c.features.get("group_source=rule"):
            continue
        c.features = {
            k: v for k, v in c.features.items() if not k.startswith(RULE_FEATURE_PREFIXES)
        }
        c.rule_types = ()
        c.rule_exact = False
        out.append(c)
    return out


def deal_type_of(candidate: DealCandidate, models: ExtractionModels) -> str:
    """The type the sentences stating a deal give it, each weighed by its probability;
    where a rule states the deal, its type has ``rule_type_weight`` of that sentence's say."""
    weight = models.rule_type_weight
    totals: dict[str, float] = {}
    for c in candidate.support or [candidate]:
        for deal_type, p in models.deal_type.scores(type_features(c)).items():
            if c.rule_exact and c.rule_types:
                # The type a rule states outright has a share of the vote.
                p = (1 - weight) * p + (weight if deal_type == c.rule_types[0] else 0.0)
            totals[deal_type] = totals.get(deal_type, 0.0) + p * max(c.probability, 0.01)
    return max(totals, key=totals.__getitem__)


def article_result(
    extractor,
    prepared: PreparedArticle,
    models: ExtractionModels,
    org_p: dict[str, float],
    chosen: list[DealCandidate],
):
    """The extraction result: kept organisations, their mentions, the chosen deals."""
    from atlas.models import Deal, Mention

    chosen = sorted(chosen, key=lambda c: (c.item, c.sentence.start))
    kept = {name for name, p in org_p.items() if p >= models.organisation.threshold}
    kept |= {name for c in chosen for name in c.parties}
    organisations = {}
    mentions = []
    for k, (item, doc) in enumerate(prepared.docs):
        item_orgs = [
            OrgMention(c.start, c.end, c.text, c.canonical)
            for c in prepared.candidates
            if c.item == k and c.canonical in kept
        ]
        for org in item_orgs:
            if org.canonical not in organisations:
                organisations[org.canonical] = extractor.resolver.describe(org.canonical)
            span = doc[org.start : org.end]
            mentions.append(
                Mention(span.text, org.canonical, span.start_char, span.end_char, item.index)
            )
        extractor._countries_from_text(doc, item_orgs, organisations)
    deals = []
    article = prepared.article
    item_areas: dict[int, list[str]] = {}
    details = _deal_details(extractor, prepared, chosen, kept, organisations)
    for c, detail in zip(chosen, details, strict=True):
        item, doc = prepared.docs[c.item]
        if c.item not in item_areas:
            item_areas[c.item] = [a for a, _ in Counter(extractor._areas(doc)).most_common(3)]
        published = item.published or article.published
        role = deal_role(extractor, prepared, c, models)
        if role == ROLE_BACKGROUND:
            # History is dated only by the text: else "before the article".
            explicit = _parse_sentence_date(c.sentence.text) or background_date(
                c.sentence.text, published
            )
            precision, date_source = None, "before-article"
            published = None
        else:
            explicit = _parse_sentence_date(c.sentence.text)
            precision = item.date_precision or article.date_precision
            date_source = item.date_source if item.published else article.date_source
        deal_type = deal_type_of(c, models)
        countries = {organisations[p].country for p in c.parties if p in organisations}
        deals.append(
            Deal(
                parties=c.parties,
                type=deal_type,
                evidence=c.sentence.text.strip(),
                item_index=item.index,
                therapeutic_areas=tuple(extractor._areas(c.sentence) or item_areas[c.item]),
                countries=tuple(sorted(x for x in countries if x)),
                deal_date=explicit[0] if explicit else published,
                date_precision=explicit[1] if explicit else precision,
                date_source="sentence" if explicit else date_source,
                confidence=round(models.confidence(c.probability), 2),
                trigger=c.trigger,
                also_types=tuple(t for t in dict.fromkeys(c.rule_types) if t != deal_type),
                terms=detail.terms,
                assets=detail.assets,
                status=detail.status,
                role=role,
            )
        )
    return ExtractionResult(article, organisations, mentions, deals)


def _deal_details(extractor, prepared: PreparedArticle, chosen, kept, organisations) -> list:
    """Terms, assets and status of each chosen deal (``atlas.terms``), every item's
    deals read together so that a sentence of several deals shares its amounts out."""
    from atlas.terms import DealMention, ItemReader, brand_names

    brands = brand_names(doc for _item, doc in prepared.docs)
    readers: dict[int, ItemReader] = {}
    by_item: dict[int, list[DealMention]] = {}
    mentions = []
    for c in chosen:
        countries = tuple(
            organisations[p].country if p in organisations else None for p in c.parties
        )
        mention = DealMention(c.sentence, tuple(c.parties), countries)
        by_item.setdefault(c.item, []).append(mention)
        mentions.append((c.item, mention))
    for k, item_deals in by_item.items():
        readers[k] = ItemReader(
            prepared.docs[k][1],
            [
                (m.start, m.end, m.canonical)
                for m in prepared.candidates
                if m.item == k and m.canonical in kept
            ],
            item_deals,
            extractor.lexicon.words,
            brands=brands,
            text=_item_text(prepared.docs[k][0])[: extractor.nlp.max_length],
        )
    return [readers[k].read(mention) for k, mention in mentions]
