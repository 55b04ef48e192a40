"""From an article to its organisations and deals.

The spaCy pipeline (``atlas.nlp``) tags organisations; this module resolves them
to canonical names, finds the sentences that state an agreement between them
and decides who the parties are from the parse (``atlas.rules``: the subject
of the deal verb, the objects of "with/between/in/from/by", possessors of the
deal noun ("Sawai's settlement"), hyphenated pairs ("an Astellas-Yaskawa joint
venture")), then dates, areas and countries, and merges the facets of one
agreement. Co-mention without an agreement is not a deal.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TypeVar

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from atlas.learn.decide import decide_article, name_words, prepare
from atlas.learn.model import MODEL_PATH, ExtractionModels
from atlas.lexicon import Lexicon, load_lexicon
from atlas.models import Article, ArticleItem, Deal, ExtractionResult, Mention, ResolvedOrganisation
from atlas.nlp import build_pipeline
from atlas.organisations import OrganisationResolver, strip_possessive
from atlas.reading import _is_headline, _item_text, _parse_sentence_date
from atlas.rules import (
    Finding,
    OrgMention,
    SentenceContext,
    deal_matcher,
    find_triggers,
    precedence,
    programme_members,
    sentence_findings,
    separate_agreement,
)
from atlas.rules.background import (
    ROLE_BACKGROUND,
    background_date,
    role_features,
    rule_role,
    stating_triggers,
)
from atlas.terms import DealMention, ItemReader, brand_names

# Memory of the statistical pipeline grows with the characters it is handed at once,
# so no text over WINDOW_CHARS and no batch over BATCH_CHARS goes to nlp.pipe. Normal
# articles (the longest of the evaluation sets has 19,000 characters) are never cut.
WINDOW_CHARS = 50_000
BATCH_CHARS = 100_000
# Components that see a long text whole, after its windows are stitched.
_WHOLE_DOC_COMPONENTS = ("atlas_organisations",)

_Context = TypeVar("_Context")
_Item = TypeVar("_Item")

_WORKER_EXTRACTOR: Extractor | None = None  # set in the parent just before forking workers


def _extract_chunk(chunk: list[Article], batch_size: int) -> list[ExtractionResult]:
    """Runs in a forked worker: the parent's extractor, one chunk of articles."""
    assert _WORKER_EXTRACTOR is not None
    return list(_WORKER_EXTRACTOR._extract_here(chunk, batch_size))


BUNDLED_MODELS = "bundled"


class Extractor:
    """Runs the pipeline, the deal rules and the trained decision models over articles.

    ``models`` are the trained models of ``atlas.learn`` (``make train``): by default the
    bundled ``data/models/extraction.json``; ``None`` decides by the rules alone.
    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        nlp: Language | None = None,
        *,
        models: ExtractionModels | str | None = BUNDLED_MODELS,
    ) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.nlp = nlp or build_pipeline(self.lexicon)
        self.resolver = OrganisationResolver(self.lexicon)
        self.matcher, self.trigger_table = deal_matcher(self.nlp, self.lexicon)
        self.hedges = frozenset(h.lower() for h in self.lexicon.hedges)
        self.area_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.area_labels: dict[int, str] = {}
        for entry in self.lexicon.areas:
            key = self.nlp.vocab.strings.add(f"atlas_area_{entry.label}")
            self.area_labels[key] = entry.label
            self.area_matcher.add(
                f"atlas_area_{entry.label}", [self.nlp.make_doc(t) for t in entry.terms]
            )
        self.country_terms = self.lexicon.country_by_term
        self.place_terms = self.lexicon.country_by_place
        self.name_words = name_words(self)
        if models == BUNDLED_MODELS:
            models = ExtractionModels.load() if MODEL_PATH.exists() else None
        self.models: ExtractionModels | None = models  # type: ignore[assignment]
        # What produced a stored extraction: the lexicon and the models. An article stored
        # under another fingerprint is extracted again when it is ingested again.
        self.fingerprint = (
            self.lexicon.fingerprint
            if self.models is None
            else f"{self.lexicon.fingerprint}-{self.models.digest()}"
        )

    # ------------------------------------------------------------------ public
    def extract(self, article: Article) -> ExtractionResult:
        return next(self.extract_many([article]))

    def extract_many(
        self, articles: Iterable[Article], *, batch_size: int = 32, n_process: int = 1
    ) -> Iterator[ExtractionResult]:
        """Extract from many articles, streaming their item texts through ``nlp.pipe``.

        With ``n_process`` > 1 whole articles go to forked worker processes, each
        running the pipeline and the rules (spaCy's own ``n_process`` would parallelise
        only the pipeline and leave the rules, about half the work, on one core).
        Results come back in input order; a bounded number of chunks is in flight, so
        memory does not grow with the input.
        """
        if n_process > 1 and "fork" in multiprocessing.get_all_start_methods():
            yield from self._extract_in_workers(articles, batch_size, n_process)
            return
        yield from self._extract_here(articles, batch_size)

    def _extract_in_workers(
        self, articles: Iterable[Article], batch_size: int, n_process: int
    ) -> Iterator[ExtractionResult]:
        global _WORKER_EXTRACTOR
        _WORKER_EXTRACTOR = self  # inherited by the forked workers: no model reload
        context = multiprocessing.get_context("fork")
        chunks = bounded_batches(
            articles, size=batch_size, max_chars=BATCH_CHARS, chars=article_chars
        )
        in_flight: deque = deque()
        with context.Pool(n_process) as pool:
            while True:
                while len(in_flight) < 2 * n_process:
                    chunk = next(chunks, None)
                    if chunk is None:
                        break
                    in_flight.append(pool.apply_async(_extract_chunk, (chunk, batch_size)))
                if not in_flight:
                    break
                yield from in_flight.popleft().get()

    def _extract_here(
        self, articles: Iterable[Article], batch_size: int
    ) -> Iterator[ExtractionResult]:
        for article, docs in self.parse_many(articles, batch_size=batch_size):
            yield self._article_result(article, docs)

    def parse_many(
        self, articles: Iterable[Article], *, batch_size: int = 32
    ) -> Iterator[tuple[Article, list[tuple[ArticleItem, Doc]]]]:
        """Each article with its items' docs, the items streamed through ``nlp.pipe``."""
        # Contexts are article numbers; each article waits here until its docs are back.
        pending: dict[int, Article] = {}

        def texts() -> Iterator[tuple[str, tuple[int, int]]]:
            for number, article in enumerate(articles):
                pending[number] = article
                items = article.items or (ArticleItem(0, article.text, article.title),)
                for position, item in enumerate(items):
                    # Past nlp.max_length an item goes unread rather than taking minutes:
                    # a prefix keeps every mention offset valid.
                    yield _item_text(item)[: self.nlp.max_length], (number, position)

        current: int | None = None
        docs: list[tuple[ArticleItem, Doc]] = []
        for doc, (number, position) in self._pipe(texts(), batch_size=batch_size):
            if current is not None and number != current:
                yield pending.pop(current), docs
                docs = []
            current = number
            article = pending[number]
            items = article.items or (ArticleItem(0, article.text, article.title),)
            docs.append((items[position], doc))
        if current is not None:
            yield pending.pop(current), docs

    def _pipe(
        self, texts: Iterable[tuple[str, _Context]], *, batch_size: int
    ) -> Iterator[tuple[Doc, _Context]]:
        """``nlp.pipe`` in batches of at most ``batch_size`` texts and ``BATCH_CHARS``
        characters: the statistical pipeline's memory grows with the characters of a
        batch (about 3 GB for one 1 MB text). A text over ``WINDOW_CHARS`` is parsed
        in windows (``_parse_long``)."""
        batch: list[tuple[str, _Context]] = []
        chars = 0
        for text, context in texts:
            long = len(text) > WINDOW_CHARS
            if batch and (long or len(batch) >= batch_size or chars + len(text) > BATCH_CHARS):
                yield from self.nlp.pipe(batch, as_tuples=True, batch_size=len(batch))
                batch, chars = [], 0
            if long:  # after the batch before it: docs come back in input order
                yield self._parse_long(text), context
                continue
            batch.append((text, context))
            chars += len(text)
        if batch:
            yield from self.nlp.pipe(batch, as_tuples=True, batch_size=len(batch))

    def _parse_long(self, text: str) -> Doc:
        """One doc for a long text, parsed window by window and stitched back.

        Windows end at a paragraph or line break where one is near (a line break
        always ends a sentence here, so no sentence is cut), else after a sentence
        end, else at a space. The stitched doc has the text's exact characters, so
        every offset holds; the organisation rules, which link abbreviations and
        names across the whole text, run once on it rather than per window.
        """
        rules = [name for name in _WHOLE_DOC_COMPONENTS if name in self.nlp.pipe_names]
        pieces = [text[start:end] for start, end in _windows(text, WINDOW_CHARS)]
        per_batch = max(1, BATCH_CHARS // WINDOW_CHARS)
        parts = list(self.nlp.pipe(pieces, batch_size=per_batch, disable=rules))
        doc = Doc.from_docs(parts, ensure_whitespace=False, exclude=["tensor"])  # type: ignore[call-arg]  # spaCy accepts it; its stub lags
        for name in rules:
            doc = self.nlp.get_pipe(name)(doc)
        return doc

    # ---------------------------------------------------------------- internal
    def _article_result(
        self, article: Article, docs: list[tuple[ArticleItem, Doc]]
    ) -> ExtractionResult:
        if self.models is not None:
            return decide_article(self, prepare(self, article, docs), self.models)
        return self._rules_result(article, docs)

    def _rules_result(
        self, article: Article, docs: list[tuple[ArticleItem, Doc]]
    ) -> ExtractionResult:
        """Organisations the pipeline tags and deals the rules state, nothing learned."""
        surface: list[str] = []
        hints: dict[str, str] = {}
        org_ents = _confirmed_organisations(
            [doc for _, doc in docs], self.lexicon.words.headline_small_words
        )
        for ents in org_ents:
            for ent in ents:
                text = strip_possessive(ent.text)
                surface.append(text)
                if ent.id_:
                    hints[text] = ent.id_
        resolved = self.resolver.resolve_document(surface, hints=hints)
        brands = brand_names(doc for _item, doc in docs)
        organisations: dict[str, ResolvedOrganisation] = {}
        mentions: list[Mention] = []
        deals: list[Deal] = []
        for (item, doc), ents in zip(docs, org_ents, strict=True):
            orgs = [
                OrgMention(
                    ent.start,
                    ent.end,
                    strip_possessive(ent.text),
                    resolved[strip_possessive(ent.text)],
                )
                for ent in ents
                if strip_possessive(ent.text) in resolved
            ]
            for org in orgs:
                if org.canonical not in organisations:
                    organisations[org.canonical] = self.resolver.describe(org.canonical)
                span = doc[org.start : org.end]
                mentions.append(
                    Mention(span.text, org.canonical, span.start_char, span.end_char, item.index)
                )
            self._countries_from_text(doc, orgs, organisations)
            deals.extend(self._item_deals(article, item, doc, orgs, organisations, brands))
        for deal in deals:
            countries = [organisations[p].country for p in deal.parties if p in organisations]
            deal.countries = tuple(sorted({c for c in countries if c}))
        return ExtractionResult(article, organisations, mentions, deals)

    def _countries_from_text(
        self, doc: Doc, orgs: list[OrgMention], organisations: dict[str, ResolvedOrganisation]
    ) -> None:
        """Countries the text gives organisations the lexicon does not place:
        "Taiwan's Mycenax", "Karo Bio of Sweden", "X, a Chinese biotech"."""
        # Place entities are looked up once per doc: doc.ents rebuilds its tuple on every
        # access, which made this loop quadratic on articles naming thousands of companies.
        places = [e for e in doc.ents if e.label_ in ("GPE", "NORP", "LOC")]
        for org in orgs:
            info = organisations[org.canonical]
            if info.country:
                continue
            country = self._country_near(doc, org, places)
            if country:
                organisations[org.canonical] = replace(info, country=country)

    def _country_of_span(self, span: Span) -> str | None:
        text = span.text
        return (
            self.country_terms.get(text)
            or self.place_terms.get(text)
            or (
                span.ent_id_
                if span.label_ in ("GPE", "NORP") and span.ent_id_ in self.lexicon.countries
                else None
            )
        )

    def _country_near(self, doc: Doc, org: OrgMention, places: list[Span]) -> str | None:
        ents_before = [
            e
            for e in places
            if e.end <= org.start and org.start - e.end <= 2 and e.label_ in ("GPE", "NORP")
        ]
        for ent in ents_before:
            between = doc[ent.end : org.start].text.strip()
            if between in ("’s", "'s", "") or ent.label_ == "NORP":
                country = self._country_of_span(ent)
                if country:
                    return country
        window = doc[org.end : min(len(doc), org.end + 8)]
        if (
            len(window) >= 2
            and window[0].lower_ in ("of", "in", ",")
            or (len(window) >= 3 and window[0].lower_ == "based" and window[1].lower_ == "in")
        ):
            for ent in (e for e in places if e.start >= window.start and e.end <= window.end):
                if ent.label_ in ("GPE", "NORP", "LOC"):
                    country = self._country_of_span(ent)
                    if country:
                        return country
            for token in window:
                country = self.country_terms.get(token.text) or self.place_terms.get(token.text)
                if country and token.text[:1].isupper():
                    return country
        return None

    def _areas(self, span: Span | Doc) -> list[str]:
        found: list[str] = []
        for match_id, _start, _end in self.area_matcher(span):
            label = self.area_labels.get(match_id)
            if label and label not in found:
                found.append(label)
        return found

    def _item_deals(
        self,
        article: Article,
        item: ArticleItem,
        doc: Doc,
        orgs: list[OrgMention],
        organisations: dict[str, ResolvedOrganisation],
        brands: frozenset[str] = frozenset(),
    ) -> list[Deal]:
        if len({o.canonical for o in orgs}) < 1:
            return []
        token_org: dict[int, OrgMention] = {}
        for org in orgs:
            for i in range(org.start, org.end):
                token_org[i] = org
        counts = Counter(o.canonical for o in orgs)
        first_seen: dict[str, int] = {}
        for o in orgs:
            first_seen.setdefault(o.canonical, o.start)
        main_org = min(counts, key=lambda c: (-counts[c], first_seen[c])) if counts else None
        item_areas = [a for a, _ in Counter(self._areas(doc)).most_common(3)]
        published = item.published or article.published
        precision = item.date_precision or article.date_precision
        date_source = item.date_source if item.published else article.date_source

        deals: list[Deal] = []
        sentence_of: dict[int, Span] = {}
        last_subject: str | None = None
        sents = list(doc.sents)
        lede_end = sents[2].start if len(sents) > 2 else len(doc)
        in_lede = {o.canonical for o in orgs if o.start < lede_end}
        for index, sent in enumerate(sents):
            ctx = SentenceContext(sent, token_org, main_org, last_subject, self.lexicon.words)
            found = self._sentence_deals(ctx)
            for parties, deal_type, strength, trigger in found:
                areas = self._areas(sent) or item_areas
                role = rule_role(
                    role_features(
                        sent,
                        stating_triggers(
                            [s for s, _ in find_triggers(sent, self.matcher, self.trigger_table)],
                            trigger,
                        ),
                        published=published,
                        past_words=self.lexicon.words.cue_past,
                        months=self.lexicon.words.months,
                        sentence_index=index,
                        parties_in_lede=all(p in in_lede for p in parties),
                    )
                )
                explicit = _parse_sentence_date(sent.text)
                deal_date, deal_precision, deal_source = published, precision, date_source
                if role == ROLE_BACKGROUND:
                    # History is dated only by the text: else "before the article".
                    explicit = explicit or background_date(sent.text, published)
                    deal_date, deal_precision, deal_source = None, None, "before-article"
                deals.append(
                    Deal(
                        parties=parties,
                        type=deal_type,
                        evidence=sent.text.strip(),
                        item_index=item.index,
                        therapeutic_areas=tuple(areas),
                        deal_date=explicit[0] if explicit else deal_date,
                        date_precision=explicit[1] if explicit else deal_precision,
                        date_source="sentence" if explicit else deal_source,
                        confidence=round(strength, 2),
                        trigger=trigger,
                        role=role,
                    )
                )
                sentence_of[id(deals[-1])] = sent
            subject = ctx.sentence_subject()
            if subject:
                last_subject = subject
        merged = _merge_item_deals(deals, doc, self.lexicon.words.separate_agreement_cues)
        # Terms, assets and status (atlas.terms), the item's deals read together.
        mentions = [
            DealMention(
                sentence_of[id(deal)],
                deal.parties,
                tuple(
                    organisations[p].country if p in organisations else None for p in deal.parties
                ),
            )
            for deal in merged
        ]
        spans = [(o.start, o.end, o.canonical) for o in orgs]
        text = _item_text(item)[: self.nlp.max_length]
        reader = ItemReader(doc, spans, mentions, self.lexicon.words, brands=brands, text=text)
        for deal, mention in zip(merged, mentions, strict=True):
            details = reader.read(mention)
            deal.terms, deal.assets, deal.status = details.terms, details.assets, details.status
        return merged

    def _sentence_deals(
        self, ctx: SentenceContext
    ) -> list[tuple[tuple[str, ...], str, float, str]]:
        """The sentence's stated deals, one per group of parties: the most specific
        type when several triggers name the same parties (the first of equals);
        programme members only in a sentence with no other deal."""
        results: dict[frozenset[str], tuple[tuple[str, ...], str, float, str]] = {}

        def add(finding: Finding) -> None:
            key = frozenset(finding.parties)
            previous = results.get(key)
            if previous is None or precedence(finding.deal_type) < precedence(previous[1]):
                results[key] = (
                    finding.parties,
                    finding.deal_type,
                    finding.strength,
                    finding.trigger_text,
                )

        stated = [
            f
            for f in sentence_findings(ctx, self.matcher, self.trigger_table, self.hedges)
            if not f.hedged
        ]
        for finding in stated:
            if finding.rule != programme_members.__name__:
                add(finding)
        if not results:
            for finding in stated:
                if finding.rule == programme_members.__name__:
                    add(finding)
        return list(results.values())


def _confirmed_organisations(docs: list[Doc], small_words: frozenset[str]) -> list[list[Span]]:
    """Organisation entities per doc; a name found only in headlines must be
    in the lexicon or also appear in running text."""
    from atlas.organisations import normalise_name

    flagged: list[list[tuple[Span, bool]]] = []
    confirmed: set[str] = set()
    # "Olumiant®" anywhere in the article marks every "Olumiant" as a brand.
    brands = {
        t.text
        for doc in docs
        for t in doc[:-1]
        if doc[t.i + 1].text in ("®", "™") and t.text[:1].isupper()
    }
    for doc in docs:
        heads = {s.start for s in doc.sents if _is_headline(s, small_words)}
        entries = []
        for ent in doc.ents:
            if ent.label_ != "ORG":
                continue
            in_headline = ent.sent.start in heads
            entries.append((ent, in_headline))
            if not in_headline:
                confirmed.add(normalise_name(ent.text))
        flagged.append(entries)
    result = []
    for entries in flagged:
        keep = []
        for ent, in_headline in entries:
            key = normalise_name(ent.text)
            if not ent.id_ and ent.text in brands:
                continue
            if (
                not in_headline
                or ent.id_
                or key in confirmed
                or any(c.startswith(key + " ") for c in confirmed)
            ):
                keep.append(ent)
        result.append(keep)
    return result


def article_chars(article: Article) -> int:
    """The characters of text an article brings (its items repeat a digest's body)."""
    return len(article.text) + sum(len(item.text) for item in article.items)


def bounded_batches(
    items: Iterable[_Item], *, size: int, max_chars: int, chars: Callable[[_Item], int]
) -> Iterator[list[_Item]]:
    """Successive lists of at most ``size`` items whose ``chars`` add up to at most
    ``max_chars`` (an item longer than that goes alone)."""
    batch: list[_Item] = []
    total = 0
    for item in items:
        length = chars(item)
        if batch and (len(batch) >= size or total + length > max_chars):
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += length
    if batch:
        yield batch


def _windows(text: str, size: int) -> list[tuple[int, int]]:
    """Contiguous ``(start, end)`` pieces of at most ``size`` characters that together
    are ``text``: cut after the last paragraph break in the window's second half, else
    the last line break, sentence end or space; a hard cut only in text without any."""
    bounds: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > size:
        limit = start + size
        cut = limit
        for separator in ("\n\n", "\n", ". ", " "):
            found = text.rfind(separator, start + size // 2, limit)
            if found != -1:
                cut = found + len(separator)
                break
        bounds.append((start, cut))
        start = cut
    bounds.append((start, len(text)))
    return bounds


def _merge_item_deals(deals: list[Deal], doc: Doc, cues: frozenset[str]) -> list[Deal]:
    """One record per agreement: later sentences about the same parties add
    facets (``also_types``) unless they speak of another agreement."""
    merged: list[Deal] = []
    for deal in deals:
        key = frozenset(deal.parties)
        target = next((m for m in merged if frozenset(m.parties) == key), None)
        separate = False
        if target is not None:
            same_date = _same_date(deal.deal_date, target.deal_date)
            separate = not same_date or (
                separate_agreement(deal.evidence, cues)
                and deal.type == target.type
                and deal.evidence != target.evidence
            )
        if target is None or separate:
            merged.append(deal)
            continue
        if deal.type != target.type and deal.type not in target.also_types and deal.type != "other":
            if target.type == "other":
                target.type = deal.type
            else:
                target.also_types = (*target.also_types, deal.type)
        target.confidence = max(target.confidence, deal.confidence)
        target.therapeutic_areas = tuple(
            dict.fromkeys((*target.therapeutic_areas, *deal.therapeutic_areas))
        )
    return merged


def _same_date(a: str | None, b: str | None) -> bool:
    """Dates at different precision agree when one is a prefix of the other."""
    if not a or not b:
        return True
    return a.startswith(b) or b.startswith(a)


__all__ = ["ExtractionResult", "Extractor"]
