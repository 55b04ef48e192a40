"""The store: atomic, idempotent ingest and the DataFrames the dashboard reads."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from atlas import store
from atlas.models import Article, ArticleItem, Deal, ExtractionResult, Mention, ResolvedOrganisation


def _result(article_id: str = "a1", *, deals: list[Deal] | None = None) -> ExtractionResult:
    article = Article(
        id=article_id,
        file=f"{article_id}.txt",
        text="Alpha Bio has partnered with Beta Pharma.",
        title="Alpha and Beta",
        published="2025-04",
        date_precision="month",
        date_source="url",
        items=(ArticleItem(0, "Alpha Bio has partnered with Beta Pharma."),),
    )
    orgs = {
        "Alpha Bio": ResolvedOrganisation("Alpha Bio", "Japan", "company", False),
        "Beta Pharma": ResolvedOrganisation("Beta Pharma", None, "company", False),
    }
    mentions = [
        Mention("Alpha Bio", "Alpha Bio", 0, 9),
        Mention("Beta Pharma", "Beta Pharma", 29, 40),
    ]
    deals = (
        deals
        if deals is not None
        else [
            Deal(
                ("Alpha Bio", "Beta Pharma"),
                "partnership/collaboration",
                article.text,
                countries=("Japan",),
                therapeutic_areas=("oncology",),
                deal_date="2025-04",
                date_precision="month",
            )
        ]
    )
    return ExtractionResult(article, orgs, mentions, deals)


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_save_and_query(memory_store):
    store.save_extraction(memory_store, _result(), fingerprint="f1")
    deals = store.deals_frame(memory_store)
    assert len(deals) == 1
    row = deals.iloc[0]
    assert row["parties"] == ["Alpha Bio", "Beta Pharma"]
    assert row["therapeutic_areas"] == ["oncology"]
    assert row["deal_date"] == "2025-04" and row["date_precision"] == "month"
    orgs = store.organisations_frame(memory_store).set_index("name")
    assert orgs.loc["Alpha Bio", "deals"] == 1
    assert orgs.loc["Alpha Bio", "country"] == "Japan"
    articles = store.articles_frame(memory_store)
    assert articles.iloc[0]["deals"] == 1 and articles.iloc[0]["date_source"] == "url"
    assert store.counts(memory_store) == {"articles": 1, "organisations": 2, "deals": 1}


def test_saving_again_replaces_not_duplicates(memory_store):
    store.save_extraction(memory_store, _result(), fingerprint="f1")
    store.save_extraction(memory_store, _result(deals=[]), fingerprint="f2")
    assert _count(memory_store, store.articles) == 1
    assert _count(memory_store, store.deals) == 0
    assert _count(memory_store, store.mentions) == 2
    assert store.stored_fingerprints(memory_store, ["a1", "zz"]) == {"a1": "f2"}


def test_failed_save_leaves_no_half_article(memory_store):
    broken = _result(
        deals=[Deal(("Alpha Bio", "Beta Pharma"), "partnership/collaboration", None)]
    )  # evidence NOT NULL
    with pytest.raises(Exception):  # noqa: B017 - any database error will do
        store.save_extraction(memory_store, broken, fingerprint="f1")
    assert _count(memory_store, store.articles) == 0
    assert _count(memory_store, store.mentions) == 0


def test_organisations_are_shared_across_articles(memory_store):
    store.save_extraction(memory_store, _result("a1"), fingerprint="f")
    store.save_extraction(memory_store, _result("a2"), fingerprint="f")
    orgs = store.organisations_frame(memory_store).set_index("name")
    assert orgs.loc["Beta Pharma", "deals"] == 2
    assert orgs.loc["Beta Pharma", "articles"] == 2


def test_stored_articles_round_trip(memory_store):
    store.save_extraction(memory_store, _result(), fingerprint="f")
    (article,) = store.stored_articles(memory_store)
    assert article.items[0].text.startswith("Alpha Bio")
    assert article.published == "2025-04" and article.date_source == "url"


def test_empty_store_frames_have_columns(memory_store):
    assert store.is_empty(memory_store)
    assert "parties" in store.deals_frame(memory_store).columns
    assert "deals" in store.organisations_frame(memory_store).columns
    assert "deals" in store.articles_frame(memory_store).columns


def test_sqlite_file_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    engine = store.open_store(url)
    store.save_extraction(engine, _result(), fingerprint="f")
    engine.dispose()
    assert store.counts(store.open_store(url))["deals"] == 1


# --- save_extractions: a batch in one transaction ------------------------------------------


def _batch() -> list[ExtractionResult]:
    """Articles whose order matters; each is tricky for a batch-wide organisation cache."""
    first = _result("a1")
    # Beta Pharma gets its country from a later article; Gamma Labs is only mentioned;
    # Delta Inc is only a deal party; two deals take the multi-row insert.
    text = "Beta Pharma licensed X to Gamma Labs. Delta Inc sued Beta Pharma."
    second = ExtractionResult(
        Article(id="a2", file="a2.txt", text=text, items=(ArticleItem(0, text),)),
        {"Beta Pharma": ResolvedOrganisation("Beta Pharma", "France", "company", False)},
        [
            Mention("Beta Pharma", "Beta Pharma", 0, 11),
            Mention("Gamma Labs", "Gamma Labs", 25, 35),
            Mention("Beta", "Beta Pharma", 51, 55),
        ],
        [
            Deal(
                ("Beta Pharma", "Gamma Labs"), "licensing", "Beta Pharma licensed X to Gamma Labs."
            ),
            Deal(
                ("Delta Inc", "Beta Pharma"), "settlement/litigation", "Delta Inc sued Beta Pharma."
            ),
        ],
    )
    # Two names of one organisation in one article: the first one's country counts.
    text = "Alpha Bio Inc. and Alpha Bio merged."
    third = ExtractionResult(
        Article(id="a3", file="a3.txt", text=text, items=(ArticleItem(0, text),)),
        {
            "Gamma Labs": ResolvedOrganisation("Gamma Labs", None, "academic", False),
            "Alpha Bio Inc.": ResolvedOrganisation("Alpha Bio Inc.", "Korea", "company", True),
            "Alpha Bio": ResolvedOrganisation("Alpha Bio", "China", "company", False),
        },
        [Mention("Alpha Bio Inc.", "Alpha Bio Inc.", 0, 14)],
        [],
    )
    # a1 again in the same batch, without its deal: it replaces the first one.
    return [first, second, third, _result("a1", deals=[])]


def _dump(engine) -> dict[str, list[tuple]]:
    """Every row of every extraction table, ids included, without the save time."""
    rows = {}
    with engine.connect() as conn:
        for table in (
            store.articles,
            store.article_items,
            store.organisations,
            store.aliases,
            store.mentions,
            store.deals,
            store.deal_parties,
        ):
            columns = [c for c in table.c if c.name != "ingested_at"]
            rows[table.name] = sorted(tuple(r) for r in conn.execute(select(*columns)))
    return rows


def test_save_extractions_stores_what_save_extraction_stores():
    one_by_one, batched = store.open_store("sqlite://"), store.open_store("sqlite://")
    for result in _batch():
        store.save_extraction(one_by_one, result, fingerprint="f", run_id=None)
    assert store.save_extractions(batched, _batch(), fingerprint="f") == 4
    expected = _dump(one_by_one)
    assert _dump(batched) == expected
    # The cases the batch is made of did happen.
    orgs = {row[1]: row for row in expected["organisations"]}
    assert orgs["Beta Pharma"][3] == "France"  # filled in by the second article
    assert orgs["Alpha Bio"][3] == "Japan"  # a3's "Alpha Bio Inc." and "Alpha Bio" change nothing
    assert orgs["Delta Inc"][4] == "company" and orgs["Gamma Labs"][4] == "company"
    assert [row[0] for row in expected["articles"]] == ["a1", "a2", "a3"]
    assert len(expected["deals"]) == 2  # a1's deal was replaced by its deal-less version


def test_save_extractions_on_top_of_stored_articles(memory_store):
    """Re-saving replaces rows, never duplicates them, also when the batch mixes stored
    and new articles and the organisations are already known."""
    store.save_extractions(memory_store, _batch()[:2], fingerprint="f1")
    before = _count(memory_store, store.aliases)
    assert store.save_extractions(memory_store, _batch(), fingerprint="f2") == 4
    reference = store.open_store("sqlite://")
    for result in [*_batch()[:2], *_batch()]:
        store.save_extraction(reference, result, fingerprint="f2")
    assert _dump(memory_store) == _dump(reference)
    assert _count(memory_store, store.articles) == 3
    assert _count(memory_store, store.deals) == 2 and _count(memory_store, store.deal_parties) == 4
    # a3 adds "Gamma Labs" and "Alpha Bio Inc."; everything else was already there.
    assert _count(memory_store, store.aliases) == before + 2
    assert store.stored_fingerprints(memory_store, ["a1", "a2", "a3"]) == dict.fromkeys(
        ("a1", "a2", "a3"), "f2"
    )


def test_save_extractions_is_all_or_nothing(memory_store):
    store.save_extraction(memory_store, _result("a1"), fingerprint="f1")
    broken = _result("a9", deals=[Deal(("Alpha Bio", "Beta Pharma"), "licensing", None)])
    with pytest.raises(Exception):  # noqa: B017 - any database error will do
        store.save_extractions(memory_store, [_result("a1", deals=[]), broken], fingerprint="f2")
    # The batch rolled back as a whole: a1 keeps its deal and fingerprint, a9 is absent.
    assert store.stored_fingerprints(memory_store, ["a1", "a9"]) == {"a1": "f1"}
    assert _count(memory_store, store.deals) == 1
    assert store.save_extractions(memory_store, [], fingerprint="f") == 0
