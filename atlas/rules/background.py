"""Is a deal what the article reports, or history it mentions in passing?

A deal sentence is *background* when it tells of an agreement made before the news:
"Before this collaboration, X had formed a joint venture with Y", "X, which acquired Y
in 2019, ...", "X previously partnered with Y", "In 2016, X had agreed to buy ...".
Each cue below is a small named function over the parsed sentence; together they are
the features of the learned role model (``atlas.learn``) and, without a model, the
rule ``rule_role`` decides. A background deal is dated only by the text
(``background_date``); the extraction dates it "before the article" otherwise.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from spacy.tokens import Span, Token

ROLE_MAIN = "main"
ROLE_BACKGROUND = "background"

_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def past_perfect(sent: Span) -> bool:
    """Past perfect, "X had formed a joint venture with Y": "had" as the
    auxiliary of a past participle."""
    return any(t.lower_ == "had" and t.dep_ == "aux" and t.head.tag_ == "VBN" for t in sent)


def trigger_heads(sent: Span, triggers: list[Span]) -> list[Token]:
    """The verb each trigger phrase hangs from: the trigger itself when it is a verb
    ("acquired"), else the verb governing its noun ("signed an agreement")."""
    heads = []
    for span in triggers:
        token = span.root
        for _ in range(4):
            if token.pos_ in ("VERB", "AUX") or token.head.i == token.i:
                break
            token = token.head
        heads.append(token)
    return heads


def trigger_tense(head: Token) -> str:
    """The tense of a trigger's verb: "past" (acquired), "perfect" (has acquired),
    "past_perfect" (had acquired), "present" (acquires, is acquiring), "future"
    (will acquire), "participle" (a deal "licensed to Lilly"), "noun" otherwise."""
    if head.pos_ not in ("VERB", "AUX"):
        return "noun"
    aux = {c.lower_ for c in head.children if c.dep_ in ("aux", "auxpass")}
    if "had" in aux:
        return "past_perfect"
    if aux & {"has", "have"}:
        return "perfect"
    if aux & {"will", "would", "shall"}:
        return "future"
    if head.tag_ == "VBD":
        return "past"
    if head.tag_ == "VBN" and not aux:
        return "participle"
    if head.tag_ in ("VBZ", "VBP", "VBG"):
        return "present"
    return "other"


def subordinate_clause(head: Token) -> str | None:
    """How the trigger's clause hangs in the sentence: a relative clause on a party
    ("X, which acquired Y in 2019, ..."), a participle on a noun ("Efpeglenatide,
    licensed to Sanofi, ..."), an adverbial clause ("after X had bought Y", with its
    subordinating word), or None for the main clause."""
    token = head
    for _ in range(6):
        if token.dep_ == "relcl":
            return "relcl"
        if token.dep_ == "acl":
            return "acl"
        if token.dep_ == "advcl":
            mark = next((c.lower_ for c in token.children if c.dep_ == "mark"), "")
            return f"advcl:{mark}" if mark else "advcl"
        if token.dep_ in ("pcomp", "pobj") and token.head.lower_ in ("before", "after", "since"):
            return f"prep:{token.head.lower_}"
        if token.head.i == token.i:
            return None
        token = token.head
    return None


_NESTED_CLAUSES = frozenset({"relcl", "acl", "advcl", "ccomp", "parataxis"})


def clause_text(head: Token) -> str:
    """The words of a trigger's own clause: from its verb (through "agreed to buy") down,
    without the clauses nested in it, so that "X, which acquired Y in 2011, agreed to buy
    Z" gives the purchase of Z no year."""
    while head.dep_ == "xcomp" and head.head.i != head.i:
        head = head.head
    words: list[Token] = []
    stack = [head]
    while stack:
        token = stack.pop()
        words.append(token)
        stack.extend(c for c in token.children if c.dep_ not in _NESTED_CLAUSES)
    return " ".join(t.text for t in sorted(words, key=lambda t: t.i))


def time_preposition(head: Token) -> str | None:
    """A preposition of time on the trigger's clause: "Before this collaboration, X had
    formed ...", "Prior to the merger ...", "Since its 2019 licence ..."."""
    while head.dep_ == "xcomp" and head.head.i != head.i:
        head = head.head
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in ("before", "prior", "since", "until"):
            return child.lower_
    return None


def reported(head: Token) -> bool:
    """Is the trigger's clause what someone says ("X said it had agreed to buy Y")?
    The past perfect there is the news in reported speech, not history."""
    while head.dep_ in ("xcomp", "conj") and head.head.i != head.i:
        head = head.head
    return head.dep_ == "ccomp"


def sentence_years(text: str) -> list[int]:
    """The years a text names ("in 2019", "mid-1997", "its 2021 acquisition")."""
    return [int(y) for y in _YEAR.findall(text)]


def year_relation(text: str, published: str | None) -> str:
    """How the years a text names stand to the article's: "before" when one is earlier,
    "same" when only the article's year, "any" when the article has no date, "after",
    or "none" without a year."""
    years = sentence_years(text)
    if not years:
        return "none"
    if not published or not _YEAR.match(published[:4]):
        return "any"
    article_year = int(published[:4])
    if any(y < article_year for y in years):
        return "before"
    return "same" if any(y == article_year for y in years) else "after"


def date_words(sent: Span, months: frozenset[str], dates: list[Span] | None = None) -> set[str]:
    """Lower-case words of the sentence's DATE entities ("last year", "two years ago",
    "today"; a month name is "month"): the model learns which point back in time.
    ``dates``: the document's DATE entities in order, when the caller has them
    (``Span.ents`` walks every entity of the document: per deal of an article naming
    thousands of organisations that was quadratic)."""
    lower_months = {m.lower() for m in months}
    if dates is None:
        found = [ent for ent in sent.ents if ent.label_ == "DATE"]
    else:
        first = bisect_left([d.start for d in dates], sent.start)
        found = []
        for ent in dates[first:]:
            if ent.start >= sent.end:
                break
            if ent.end <= sent.end:
                found.append(ent)
    return {
        "month" if t.lower_ in lower_months else t.lower_
        for ent in found
        if ent.label_ == "DATE"
        for t in ent
        if t.is_alpha and (not t.is_stop or t.lower_ in ("last", "ago", "earlier", "previous"))
    }


def adverbs(sent: Span) -> set[str]:
    """The sentence's adverbs ("previously", "also", "already", "recently", "now")."""
    return {t.lemma_.lower() for t in sent if t.pos_ == "ADV" and t.is_alpha}


def stating_triggers(triggers: list[Span], trigger_text: str) -> list[Span]:
    """The triggers that state the deal (those of its rule, when a rule found it): in
    "X, which acquired Y in 2011, agreed to buy Z" the purchase of Z is not history."""
    own = [t for t in triggers if trigger_text and t.text in trigger_text]
    return own or triggers


def role_features(
    sent: Span,
    triggers: list[Span],
    *,
    published: str | None,
    past_words: frozenset[str],
    months: frozenset[str],
    sentence_index: int,
    parties_in_lede: bool,
    dates: list[Span] | None = None,
) -> dict[str, float]:
    """What the role model reads of a deal's evidence sentence (``dates``: the
    document's DATE entities, see ``date_words``)."""
    f: dict[str, float] = {"bias_role": 1.0}
    if past_perfect(sent):
        f["past_perfect"] = 1.0
    heads = trigger_heads(sent, triggers)
    for head in heads[:2]:
        tense = trigger_tense(head)
        f[f"tense={tense}"] = 1.0
        if tense == "past_perfect" and not reported(head):
            f["past_perfect_unreported"] = 1.0
        preposition = time_preposition(head)
        if preposition:
            f[f"time_prep={preposition}"] = 1.0
        clause = subordinate_clause(head)
        if clause:
            f[f"clause={clause}"] = 1.0
    if not heads:
        f["no_trigger"] = 1.0
    text = " ".join(clause_text(head) for head in heads[:2]) if heads else sent.text
    f[f"year={year_relation(text, published)}"] = 1.0
    for word in date_words(sent, months, dates):
        f[f"date_word={word}"] = 1.0
    for word in adverbs(sent):
        f[f"adverb={word}"] = 1.0
    lemmas = {t.lemma_.lower() for t in sent} | {t.lower_ for t in sent}
    if lemmas & past_words:
        f["cue=past"] = 1.0
    f[f"position={min(sentence_index, 4)}"] = 1.0
    if parties_in_lede:
        f["parties_in_lede"] = 1.0
    return f


# Signs of history the role model may have seen too rarely to trust: they decide
# alone (tuning sets' matched deals, cross-validated: 0.772 right with them beside the
# model, 0.769 the model alone, 0.711 all "main").
CLEAR_SIGNS = ("past_perfect_unreported", "time_prep=before", "time_prep=prior", "year=before")


def clearly_background(features: dict[str, float]) -> bool:
    """The past perfect outside reported speech, "before/prior to ...", or a year before
    the article's on the deal's own clause."""
    return any(features.get(sign) for sign in CLEAR_SIGNS)


def rule_role(features: dict[str, float]) -> str:
    """The role without a trained model: background on a clear sign of history (the
    trigger in the past perfect outside reported speech, "before ...", a year before the
    article's, "previously", "after X had ...")."""
    signs = (
        *CLEAR_SIGNS,
        "cue=past",
        "clause=advcl:after",
        "clause=prep:after",
    )
    return ROLE_BACKGROUND if any(features.get(s) for s in signs) else ROLE_MAIN


_MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
_BACKGROUND_DATE = re.compile(
    r"\b(?i:in|since|from|during|of)\s+(?:(?i:early|mid|late)[- ])?"
    r"(?:(?P<month>[A-Z][a-z]{2,8})\.?\s+)?(?P<year>(?:19|20)\d\d)\b"
    r"|\b(?:mid|early|late)-(?P<year2>(?:19|20)\d\d)\b"
    r"|\b(?P<year3>(?:19|20)\d\d)\s+(?:acquisition|merger|purchase|deal|agreement|license|licence|partnership|collaboration|buyout|takeover)",
)


def background_date(text: str, published: str | None) -> tuple[str, str] | None:
    """The date a sentence gives a past deal, with its precision: "formed in 2023" ->
    ("2023", "year"), "in December 2019" -> ("2019-12", "month"); a year after the
    article's is not the deal's."""
    for match in _BACKGROUND_DATE.finditer(text):
        year = match.group("year") or match.group("year2") or match.group("year3")
        if published and published[:4].isdigit() and int(year) > int(published[:4]):
            continue
        month = match.group("month")
        if month and month.lower()[:3] in (m[:3] for m in _MONTH_NAMES):
            number = next(i for i, m in enumerate(_MONTH_NAMES) if m[:3] == month.lower()[:3])
            return f"{year}-{number + 1:02d}", "month"
        return year, "year"
    return None
