"""The benchmark's synthetic corpus (bench/make_corpus.py) and store filler (bench/fill_store.py):
reproducible, fictional, complete, and read by the corpus reader as its truth says."""

from __future__ import annotations

import json
import re

import pytest

from atlas import store
from atlas.corpus import read_corpus
from atlas.lexicon import DEFAULT_LEXICON_DIR, load_lexicon
from atlas.models import DEAL_TYPES, Article, Rejection
from atlas.organisations import normalise_name
from bench import fill_store, make_corpus


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(DEFAULT_LEXICON_DIR)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """120 articles in three shards, written the way the command writes them."""
    out = tmp_path_factory.mktemp("corpus")
    manifest = make_corpus.write_corpus(out, 120, seed=3, per_shard=50)
    truths = [
        json.loads(line)
        for shard in sorted((out / "truth").glob("*.jsonl"))
        for line in shard.read_text(encoding="utf-8").splitlines()
    ]
    return out, manifest, truths


def test_same_seed_same_corpus_other_seed_other_corpus():
    first = list(make_corpus.generate(30, seed=11))
    assert list(make_corpus.generate(30, seed=11)) == first
    assert list(make_corpus.generate(30, seed=12)) != first


def test_no_organisation_is_in_the_lexicon(lexicon):
    universe = make_corpus.build_universe(3000, seed=1, lexicon=lexicon)
    taken = {normalise_name(form) for e in lexicon.organisations for form in (e.name, *e.aliases)}
    taken_words = {word for key in taken for word in key.split()}
    orgs = [org for pool in universe.orgs_by_kind.values() for org in pool]
    assert len(orgs) == make_corpus.organisation_count(3000)
    assert {org.kind for org in orgs} == {"company", "academic", "investor", "other"}
    for org in orgs:
        assert normalise_name(org.name) not in taken, org.name
        assert org.stem.casefold() not in taken_words, org.stem
        assert org.country in lexicon.countries and org.country != "European Union"
    assert len({org.name for org in orgs}) == len(orgs)


def test_every_trigger_is_in_the_lexicon_under_its_type(lexicon):
    templates = make_corpus.deal_templates()
    assert set(templates) == set(DEAL_TYPES)
    for deal_type, group in templates.items():
        for template in group:
            assert template.type == deal_type
            assert make_corpus.trigger_row(lexicon, deal_type, template.trigger), template.text


def test_every_deal_type_countries_and_areas_appear():
    deals = [d for _, truth in make_corpus.generate(400, seed=5) for d in truth["deals"]]
    assert {d["type"] for d in deals} == set(DEAL_TYPES)
    assert len({c for d in deals for c in d["countries"]}) >= 30
    assert len({a for d in deals for a in d["therapeutic_areas"]}) >= 25
    assert {len(d["parties"]) for d in deals} == {2, 3}
    assert {d["date_source"] for d in deals} >= {"sentence", "metadata", "text", "none"}


def test_the_reader_reads_what_the_truth_says(corpus):
    out, manifest, truths = corpus
    assert manifest["articles"] == len(truths) == 120 and manifest["shards"] == 3
    records = list(read_corpus([out / "articles"]))
    assert not [r for r in records if isinstance(r, Rejection)]
    assert len(records) == len(truths)
    for article, truth in zip(records, truths, strict=True):
        assert (article.file, article.id) == (truth["file"], truth["id"])
        assert (article.published, article.date_precision, article.date_source) == (
            truth["published"],
            truth["date_precision"],
            truth["date_source"],
        ), article.file
        assert article.is_digest == truth["is_digest"] and len(article.items) == truth["items"]
        assert article.source == "synthetic" and article.metadata["synthetic"] is True
        for deal in truth["deals"]:
            assert deal["evidence"] in article.items[deal["item_index"]].text
            assert set(deal["parties"]) <= set(truth["organisations"])
    kinds = {(t["is_digest"], t["date_precision"]) for t in truths}
    assert {(True, "day"), (False, "day"), (False, "month"), (False, None)} <= kinds


def test_articles_are_news_sized_and_the_truth_is_self_consistent(corpus, lexicon):
    out, _manifest, truths = corpus
    scanner = make_corpus.TermScanner(lexicon)
    lengths = []
    for shard in sorted((out / "articles").glob("*.jsonl")):
        for line in shard.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            lengths.append(len(record["text"].split()))
            assert len(line.encode()) < 20_000  # far below the reader's 20 MB per file
    deals = [d for t in truths for d in t["deals"]]
    assert sum(bool(d["therapeutic_areas"]) for d in deals) > 0.6 * len(deals)
    lengths.sort()
    assert 250 <= lengths[len(lengths) // 2] <= 550
    assert lengths[-1] > 800  # some long ones, as in real news
    for truth in truths:
        for deal in truth["deals"]:
            # The areas are those of the lexicon terms the evidence sentence holds.
            assert tuple(deal["therapeutic_areas"]) == scanner.labels(deal["evidence"])
            assert deal["countries"] == sorted({truth["countries"][p] for p in deal["parties"]})


def test_fill_store_builds_the_truth_extraction(corpus, tmp_path):
    out, _manifest, truths = corpus
    pairs = list(fill_store.from_corpus(out))
    for article, truth in pairs[:40]:
        assert isinstance(article, Article)
        result = fill_store.extraction_from_truth(article, truth)
        assert set(result.organisations) == set(truth["organisations"])
        for mention in result.mentions:
            text = article.items[mention.item_index].text
            assert text[mention.start : mention.end] == mention.text
            assert mention.canonical in result.organisations
        names = {m.canonical for m in result.mentions}
        assert {p for d in truth["deals"] for p in d["parties"]} <= names
    url = f"sqlite:///{tmp_path / 'fill.db'}"
    numbers = fill_store.fill(url, pairs, total=len(pairs), batch_size=50)
    assert numbers["articles"] == 120 and numbers["rejected"] == 0
    assert numbers["stored"]["deals"] == sum(len(t["deals"]) for t in truths)
    with pytest.raises(SystemExit, match="already holds articles"):
        fill_store.fill(url, pairs[:1], total=1)


def test_generated_articles_are_the_ones_the_reader_makes_of_the_files(corpus):
    """fill_store --articles parses records in memory; it must store what reading the
    written files gives (and so what ``atlas ingest`` stores)."""
    out, _manifest, _truths = corpus
    in_memory = list(fill_store.generated(120, 3, per_shard=50))
    from_files = list(fill_store.from_corpus(out))
    assert in_memory == from_files


@pytest.mark.parametrize(
    "url",
    [
        f"sqlite:///{store.DEFAULT_DB_PATH}",  # the app's default file
        f"sqlite:///{store.DEFAULT_DB_PATH.parent}/../data/atlas.db",  # the same file, spelt otherwise
        "ENV",  # whatever ATLAS_DB_URL names
    ],
)
def test_fill_store_refuses_the_users_store(url, monkeypatch, tmp_path):
    if url == "ENV":
        url = f"sqlite:///{tmp_path / 'team.db'}"
        monkeypatch.setenv("ATLAS_DB_URL", url)
    with pytest.raises(SystemExit, match=re.escape("refusing to fill")):
        fill_store.refuse_user_store(url)
    fill_store.refuse_user_store(f"sqlite:///{tmp_path / 'bench.db'}")  # a throwaway store is fine


def test_lengths_follow_the_real_distributions():
    """Article words and sentence tokens are drawn from the fits to ../shared/eval that
    bench/corpus_stats.py prints (dev articles: median 383, mean 760, 35% over 800;
    sentences: median 27, p99 118, up to 245 tokens)."""
    import random
    import statistics

    rng = random.Random(5)
    words = [make_corpus.article_words(rng) for _ in range(5000)]
    assert 330 <= statistics.median(words) <= 480
    assert 600 <= statistics.mean(words) <= 900
    assert 0.22 <= sum(w > 800 for w in words) / len(words) <= 0.40
    assert max(words) <= make_corpus.LENGTH_WORDS[1]
    tokens = sorted(make_corpus.sentence_tokens(rng) for _ in range(20000))
    assert 25 <= tokens[len(tokens) // 2] <= 29
    assert 100 <= tokens[int(0.99 * len(tokens))] <= 130
    assert tokens[-1] <= 245


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("Shares of Zorvix rose 12% in early trading.", False),
        # ends in a name, whose full stop may be its own ("Inc.")
        ("The drug was discovered at Zorvix Inc.", True),
        # a quote stays as said
        ('"We expect to move quickly," said Ana Kolar.', True),
    ],
)
def test_lengthen_adds_clauses_only_where_safe(sentence, kept):
    import random

    rng = random.Random(1)
    for _ in range(50):
        longer = make_corpus.lengthen(sentence, rng)
        if kept:
            assert longer == sentence
        else:
            assert longer.startswith(sentence[:-1]) and longer.endswith(".")
    if not kept:
        assert any(len(make_corpus.lengthen(sentence, rng).split()) > 60 for _ in range(300))


def test_clauses_name_nothing_atlas_reads_as_a_deal_an_area_or_a_place(lexicon):
    scanner = make_corpus.TermScanner(lexicon)
    places = {
        make_corpus._tokens(form)
        for country, aliases in lexicon.countries.items()
        for form in (country, *aliases, *lexicon.places.get(country, ()))
    }
    for clause in make_corpus.CLAUSES:
        tokens = make_corpus._tokens(clause)
        assert scanner.labels(clause) == (), clause
        runs = {tokens[i:j] for i in range(len(tokens)) for j in range(i + 1, len(tokens) + 1)}
        assert not places & runs, clause
        for trigger in lexicon.triggers:
            pattern = [set(part.split("/")) for part in trigger.pattern.casefold().split()]
            assert not any(
                all(tokens[i + j] in pattern[j] for j in range(len(pattern)))
                for i in range(len(tokens) - len(pattern) + 1)
            ), (clause, trigger.pattern)
