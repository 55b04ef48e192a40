"""The store: atomic, idempotent ingest and the DataFrames the dashboard reads."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from atlas import store
from atlas.extract import ExtractionResult
from atlas.models import Article, ArticleItem, Deal, Mention
from atlas.organisations import ResolvedOrganisation


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
