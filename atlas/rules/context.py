"""Who is who in one sentence: organisation tokens, subjects, objects, pronouns.

The party rules (``atlas.rules.parties``) ask these questions of the parse; the
answers are canonical organisation names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Span, Token

from atlas.lexicon import WordLists


@dataclass
class OrgMention:
    start: int  # token index in the doc
    end: int
    text: str
    canonical: str


class SentenceContext:
    """One sentence with its organisations, the article's main organisation and the
    organisation last a sentence's subject (for "it", "the company")."""

    def __init__(
        self,
        sent: Span,
        token_org: dict[int, OrgMention],
        main_org: str | None,
        last_subject: str | None,
        words: WordLists,
    ) -> None:
        self.sent = sent
        self.token_org = token_org
        self.main_org = main_org
        self.last_subject = last_subject
        self.words = words

    def org_at(self, token: Token) -> str | None:
        org = self.token_org.get(token.i)
        return org.canonical if org else None

    def group(
        self, token: Token, *, allow_possessive: bool = True, loose: bool = True
    ) -> list[str]:
        """Organisations a noun phrase names: the token's own and its conjuncts';
        for a common noun ("generics firms Sawai and Nichi-Iko", "firm AND Pharma")
        the first name in its phrase (``loose``), never one inside a
        prepositional phrase or relative clause of it."""
        found: list[str] = []
        for node in [token, *token.conjuncts]:
            org = self.org_at(node)
            if org:
                found.append(org)
            if org and not loose:
                continue
            if not loose:
                continue
            # Every name in the phrase: "Japan's Marubeni and Santen Pharmaceutical"
            # parses with one name as a modifier of the other.
            for child in pruned_subtree(node):
                if child.dep_ == "poss" and not allow_possessive:
                    continue
                mention = self.token_org.get(child.i)
                if mention is None:
                    continue
                found.append(mention.canonical)
                for i in range(mention.start, mention.end):
                    for conj in child.doc[i].conjuncts:
                        other = self.org_at(conj)
                        if other:
                            found.append(other)
        return list(dict.fromkeys(found))

    def resolve_pronoun(self, token: Token, verb: Token) -> list[str]:
        """Organisations a pronoun subject ("it", "they", "we", "the company") of
        ``verb`` stands for."""
        word = token.lower_
        if word == "we" or (
            word in ("company", "firm", "group")
            and any(c.lower_ in ("our",) for c in token.children)
        ):
            return [self.main_org] if self.main_org else []
        # "X and Y announced that they have entered ..." / "X said it acquired ..."
        higher = verb.head
        while (
            higher.i != verb.i
            and higher.dep_ not in ("ROOT",)
            and higher.pos_ not in ("VERB", "AUX")
        ):
            higher = higher.head
        if higher.i != verb.i:
            subjects = self.subjects(higher, depth=1)
            if subjects:
                return subjects if word in ("they", "companies", "firms") else subjects[:1]
        if word in ("they", "companies", "firms"):
            # "X, known as ..., and Y, a ... company, today announced that the
            # companies have ...": the names before the pronoun.
            before = [
                o.canonical for o in self.token_org.values() if self.sent.start <= o.start < token.i
            ]
            before = list(dict.fromkeys(before))
            return before if len(before) >= 2 else []
        fallback = self.last_subject or self.main_org
        return [fallback] if fallback else []

    def subjects(self, verb: Token, depth: int = 0) -> list[str]:
        """Organisations that are the subject of ``verb`` (pronouns resolved);
        an infinitive or conjoined verb takes its governor's subject."""
        found: list[str] = []
        pronoun: Token | None = None
        has_subject = False
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
                has_subject = True
                orgs = self.group(child, allow_possessive=False)
                if orgs:
                    found += orgs
                elif child.lower_ in self.words.pronoun_subjects:
                    pronoun = child
        if found:
            return list(dict.fromkeys(found))
        if pronoun is not None and depth == 0:
            return self.resolve_pronoun(pronoun, verb)
        if (
            not has_subject
            and depth < 2
            and verb.dep_ in ("xcomp", "conj", "advcl", "pcomp", "acl")
            and verb.head.i != verb.i
        ):
            head = verb.head
            if head.pos_ not in ("VERB", "AUX"):
                # "acquire new stock representing a 16 pct interest": the clause
                # hangs on a noun; its verb's subject is the party.
                head = self.governing_verb(head) or head
            return self.subjects(head, depth + 1)
        return []

    def sentence_subject(self) -> str | None:
        """The one organisation the sentence's main verb has as subject, if exactly one."""
        root = self.sent.root
        subjects = self.subjects(root, depth=1)
        return subjects[0] if len(subjects) == 1 else None

    def governing_verb(self, token: Token) -> Token | None:
        """The nearest verb above ``token`` (``token`` itself only when it is the root)."""
        node = token
        for _ in range(8):
            if node.pos_ in ("VERB", "AUX") and node.i != token.i:
                return node
            if node.head.i == node.i:
                return node if node.pos_ in ("VERB", "AUX") else None
            node = node.head
        return None

    def prep_objects(self, head: Token, *, allow_possessive: bool) -> list[str]:
        """Organisations named by the objects of ``head``'s party prepositions
        ("with Y", "between A and B", "in Y", "by Y")."""
        found: list[str] = []
        for child in head.children:
            if (
                child.dep_ == "prep"
                and child.lower_ in self.words.party_prepositions
                or child.dep_ == "agent"
            ):
                for pobj in child.children:
                    if pobj.dep_ in ("pobj", "pcomp"):
                        named = self.group(pobj, allow_possessive=allow_possessive)
                        if not named and child.lower_ == "of":
                            # "acquisition of most of the assets of X"
                            named = self.prep_objects(pobj, allow_possessive=allow_possessive)
                        found += named
                        # "stake in local generics firm AND Pharma": the name is an
                        # apposition or compound of the object noun.
                        for grand in pobj.children:
                            if grand.dep_ in ("appos", "compound", "npadvmod"):
                                found += self.group(grand, allow_possessive=allow_possessive)
        return list(dict.fromkeys(found))

    def mentions_before(self, index: int) -> list[OrgMention]:
        """The sentence's organisation mentions that start before token ``index`` (a
        mention once per token it spans, as ``token_org`` holds them)."""
        return [o for o in self.token_org.values() if self.sent.start <= o.start < index]

    def bystanders(self, excluded: list[str]) -> list[str]:
        """The sentence's other organisations: not in ``excluded`` and not who is
        quoted ("..., president, Emory University, said")."""
        others = [
            o.canonical
            for o in self.token_org.values()
            if self.sent.start <= o.start < self.sent.end
            and o.canonical not in excluded
            and not is_speaker(self.sent.doc[o.start], self.words.reporting_verbs)
        ]
        return list(dict.fromkeys(others))


def is_speaker(token: Token, reporting_verbs: frozenset[str]) -> bool:
    """Is the token part of who is quoted ("..., president, Emory University, said")?"""
    node = token
    for _ in range(8):
        if node.dep_ in ("nsubj", "nsubjpass") and node.head.lemma_ in reporting_verbs:
            # "Kodak said it ..." speaks for itself; "Jane Doe, president, Emory
            # University, said" quotes a person.
            return node.i != token.i and not (token.dep_ == "compound" and token.head.i == node.i)
        if node.head.i == node.i:
            return False
        node = node.head
    return False


def pruned_subtree(node: Token) -> Iterator[Token]:
    """The token's phrase without its prepositional phrases, clauses and possessor chains below them."""
    yield node
    for child in node.children:
        if child.dep_ == "prep" and child.lower_ in ("like", "including", "as"):
            yield from pruned_subtree(child)  # "entities like X and Y", "partners such as X"
            continue
        if child.dep_ in ("prep", "relcl", "acl", "advcl", "ccomp", "agent", "punct", "cc", "conj"):
            continue
        yield from pruned_subtree(child)
