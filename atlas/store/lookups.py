"""Counts, ids and single articles read from the store."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import (
    Engine,
    func,
    select,
    true,
)

from atlas.models import Article, ArticleItem
from atlas.schema import (
    article_items,
    articles,
    deal_parties,
    deals,
    ingest_runs,
    mentions,
    organisations,
)
from atlas.store.frames import IDS_BATCH
from atlas.store.runs import run_status


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(articles)).scalar_one() == 0


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "articles": conn.execute(select(func.count()).select_from(articles)).scalar_one(),
            "organisations": conn.execute(
                select(func.count(func.distinct(mentions.c.organisation_id)))
            ).scalar_one(),
            "deals": conn.execute(select(func.count()).select_from(deals)).scalar_one(),
        }


def rows_summary(engine: Engine, *, upto: tuple[int, int] = (0, 0)) -> dict[str, int]:
    """How many deals and mentions are stored and their highest ids, and how many of
    them have an id at most ``upto`` (deals, mentions): ids only grow, so fewer of
    those than before means rows were deleted (a re-extraction, an article replaced);
    and how many articles, and the latest ingest run's id."""
    with engine.connect() as conn:
        found = {}
        for name, table, below in (("deals", deals, upto[0]), ("mentions", mentions, upto[1])):
            # Three reads SQLite answers from the b-tree (a count of all rows, the last
            # id, a range of ids), not one that looks at every row.
            count = conn.execute(select(func.count()).select_from(table)).scalar_one()
            highest = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
            newer = conn.execute(
                select(func.count()).select_from(table).where(table.c.id > below)
            ).scalar_one()
            found[name], found[f"{name}_max"], found[f"{name}_upto"] = (
                int(count),
                int(highest),
                int(count) - int(newer),
            )
        # Every ingest is a run: with the counts above they tell when articles changed.
        found["articles"] = int(
            conn.execute(select(func.count()).select_from(articles)).scalar_one()
        )
        found["runs_max"] = int(
            conn.execute(select(func.coalesce(func.max(ingest_runs.c.id), 0))).scalar_one()
        )
    return found


def deal_ids_naming(engine: Engine, names: Iterable[str]) -> set[int]:
    """Ids of the deals with a party stored under one of ``names``."""
    wanted = sorted(set(names))
    found: set[int] = set()
    with engine.connect() as conn:
        for start in range(0, len(wanted), IDS_BATCH):
            query = (
                select(deal_parties.c.deal_id)
                .join(organisations, organisations.c.id == deal_parties.c.organisation_id)
                .where(organisations.c.name.in_(wanted[start : start + IDS_BATCH]))
            )
            found.update(conn.execute(query).scalars())
    return found


def deal_ids_keyed(engine: Engine, keys: Iterable[str]) -> set[int]:
    """Ids of the deals stored under one of ``keys`` (``deal_key``)."""
    wanted = sorted({k for k in keys if k})
    found: set[int] = set()
    with engine.connect() as conn:
        for start in range(0, len(wanted), IDS_BATCH):
            query = select(deals.c.id).where(
                deals.c.deal_key.in_(wanted[start : start + IDS_BATCH])
            )
            found.update(conn.execute(query).scalars())
    return found


def _deals_of_articles(engine: Engine, article_ids: Iterable[str], column) -> Iterator[tuple]:
    """(deal id, article id, ``column``) of every deal of these articles, read by article
    in batches (an indexed read)."""
    wanted = sorted(article_ids)
    with engine.connect() as conn:
        for start in range(0, len(wanted), IDS_BATCH):
            query = select(deals.c.id, deals.c.article_id, column).where(
                deals.c.article_id.in_(wanted[start : start + IDS_BATCH])
            )
            yield from conn.execute(query)


def deal_ids_in_articles(engine: Engine, keys: dict[str, set[str]]) -> set[int]:
    """Ids of the deals of article ``a`` whose key is in ``keys[a]`` (read by article:
    an indexed read, where a read by key scans every deal)."""
    return {
        deal_id
        for deal_id, article_id, key in _deals_of_articles(engine, keys, deals.c.deal_key)
        if key in keys[article_id]
    }


def deal_ids_in_items(engine: Engine, items: Iterable[tuple[str, int]]) -> set[int]:
    """Ids of the deals of these (article id, item index) places."""
    by_article: dict[str, set[int]] = {}
    for article_id, item_index in items:
        by_article.setdefault(article_id, set()).add(int(item_index))
    return {
        deal_id
        for deal_id, article_id, item_index in _deals_of_articles(
            engine, by_article, deals.c.item_index
        )
        if item_index in by_article[article_id]
    }


def organisations_touched_since(engine: Engine, deal_id: int, mention_id: int) -> set[int]:
    """Ids of the organisations that a deal or mention stored after these ids names."""
    with engine.connect() as conn:
        found = set(
            conn.execute(
                select(deal_parties.c.organisation_id).where(deal_parties.c.deal_id > deal_id)
            ).scalars()
        )
        found.update(
            conn.execute(
                select(mentions.c.organisation_id).where(mentions.c.id > mention_id)
            ).scalars()
        )
    return found


def article_text(engine: Engine, article_id: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            select(articles.c.text).where(articles.c.id == article_id)
        ).scalar_one_or_none()


def stored_articles(engine: Engine, ids: Sequence[str] | None = None) -> list[Article]:
    """Every stored article (or those of ``ids``) rebuilt from the store (for re-extraction)."""

    chosen = articles.c.id.in_(list(ids)) if ids is not None else true()
    with engine.connect() as conn:
        rows = conn.execute(select(articles).where(chosen)).mappings().all()
        item_rows = (
            conn.execute(
                select(article_items)
                .where(article_items.c.article_id.in_(list(ids)) if ids is not None else true())
                .order_by(article_items.c.article_id, article_items.c.item_index)
            )
            .mappings()
            .all()
        )
    # Sorted here: the backends collate file names differently.
    rows = sorted(rows, key=lambda row: (row["file"], row["id"]))
    items: dict[str, list[ArticleItem]] = {}
    for row in item_rows:
        items.setdefault(row["article_id"], []).append(
            ArticleItem(
                row["item_index"],
                row["text"],
                row["title"],
                row["published"],
                row["date_precision"],
                row["date_source"] or "none",
            )
        )
    return [
        Article(
            id=row["id"],
            file=row["file"],
            text=row["text"],
            title=row["title"],
            source=row["source"],
            url=row["url"],
            published=row["published"],
            date_precision=row["date_precision"],
            date_source=row["date_source"],
            is_digest=bool(row["is_digest"]),
            items=tuple(items.get(row["id"], ())),
            metadata=json.loads(row["metadata_json"] or "{}"),
        )
        for row in rows
    ]


def last_run(engine: Engine) -> dict | None:
    """The latest ingest run, its ``status`` as ``run_status`` tells it."""
    with engine.connect() as conn:
        row = (
            conn.execute(select(ingest_runs).order_by(ingest_runs.c.id.desc()).limit(1))
            .mappings()
            .first()
        )
    if row is None:
        return None
    run = dict(row)
    run["status"] = run_status(engine, run)
    return run


def article_detail(engine: Engine, article_id: str) -> dict | None:
    """One article with its text, metadata and items (digest items in order)."""
    with engine.connect() as conn:
        row = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
        if row is None:
            return None
        items = (
            conn.execute(
                select(article_items)
                .where(article_items.c.article_id == article_id)
                .order_by(article_items.c.item_index)
            )
            .mappings()
            .all()
        )
    detail = dict(row)
    detail["metadata"] = json.loads(detail.pop("metadata_json") or "{}")
    detail["items"] = [dict(item) for item in items]
    return detail
