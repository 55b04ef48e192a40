"""The dashboard's frames read from the store: deals, organisations, articles, mentions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import pandas as pd
from sqlalchemy import (
    Engine,
    func,
    select,
)

from atlas.schema import (
    aliases,
    article_items,
    articles,
    deal_parties,
    deals,
    mentions,
    organisations,
)

DEALS_FRAME_COLUMNS = [
    "deal_id",
    "deal_key",
    "parties",
    "party_countries",
    "type",
    "also_types",
    "deal_date",
    "date_precision",
    "date_source",
    "confidence",
    "evidence",
    "therapeutic_areas",
    "countries",
    "item_index",
    "article_id",
    "article_title",
    "article_file",
    "article_source",
    "article_published",
    "role",
    "deal_status",
    "assets",
    "terms",
    "value_usd",
    "upfront_usd",
]


def _frame(result, convert: dict[str, Callable[[tuple], list]] | None = None) -> pd.DataFrame:
    """A query's rows as a frame, built column by column: given rows (SQLAlchemy
    ``Row`` objects or dicts), pandas probes each one for namedtuple fields, and
    the probes cost more than the query at 177,000 deals. ``convert`` maps a column
    to a function making its cells from the values read (decoded before the frame
    is built: pandas would first copy text into a string array)."""
    keys = list(result.keys())
    rows = result.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in keys]
    convert = convert or {}
    return pd.DataFrame(
        {
            key: convert[key](values) if key in convert else list(values)
            for key, values in zip(keys, columns, strict=True)
        }
    )


def _split_list(values: tuple) -> list[list[str]]:
    """``a|b`` cells as lists."""
    return [[x for x in v.split("|") if x] if v else [] for v in values]


def _json_or(empty: Callable[[], object]) -> Callable[[tuple], list]:
    """Cells decoded from JSON, ``empty()`` where the store holds NULL (it reads
    defaults as NULL: most deals state no terms and no assets)."""
    return lambda values: [empty() if v is None else json.loads(v) for v in values]


def _default(value: str) -> Callable[[tuple], list]:
    """Cells read as NULL where they hold the column's default, given it back."""
    return lambda values: [value if v is None else v for v in values]


def deals_frame(engine: Engine, ids: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per deal: parties (names and countries), type, date, areas,
    confidence, evidence and the article it comes from; and (schema version 5)
    ``role`` ("main" or "background"), ``deal_status`` (agreed, completed,
    terminated), ``assets`` (list of names as written), ``terms`` (the gold-schema
    dict of ``terms_as_json``, {} when none), ``value_usd`` and ``upfront_usd``
    (floats, NaN when not disclosed; ``disclosed_value_usd``) and
    ``article_published``: the date of the deal's article (of its digest item
    when the item has one), which a background deal without a date of its own
    is shown as before.

    Deals stored before version 5 hold the defaults (main, agreed, no assets, no
    terms) until they are re-extracted.

    ``ids``: only these deals (``atlas.incremental`` reads the deals an edit touches)."""
    if ids is not None:
        return _deals_frame_of(engine, sorted(set(ids)))
    return _deals_frame_query(engine, None)


def _deals_frame_of(engine: Engine, ids: list[int]) -> pd.DataFrame:
    """``deals_frame`` of the deals ``ids`` (sorted), read in batches of bound values."""
    parts = [
        _deals_frame_query(engine, ids[start : start + IDS_BATCH])
        for start in range(0, len(ids), IDS_BATCH)
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=DEALS_FRAME_COLUMNS)
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


# Rows asked for by id go in batches: SQLite allows at most 999 bound values in a
# statement (older builds), PostgreSQL 65,535.
IDS_BATCH = 500


# The deals with their article (and item) fields, and their parties in order.
_DEALS_QUERY = (
    select(
        deals.c.id.label("deal_id"),
        deals.c.deal_key,
        deals.c.type,
        deals.c.also_types,
        deals.c.deal_date,
        deals.c.date_precision,
        deals.c.date_source,
        deals.c.confidence,
        deals.c.evidence,
        deals.c.therapeutic_areas,
        deals.c.countries,
        deals.c.item_index,
        articles.c.id.label("article_id"),
        articles.c.title.label("article_title"),
        articles.c.file.label("article_file"),
        articles.c.source.label("article_source"),
        func.coalesce(article_items.c.published, articles.c.published).label("article_published"),
        # The defaults read as NULL: no text to make for most deals (see _frame).
        func.nullif(deals.c.role, "main").label("role"),
        func.nullif(deals.c.deal_status, "agreed").label("deal_status"),
        func.nullif(deals.c.assets, "").label("assets"),
        func.nullif(deals.c.terms_json, "{}").label("terms"),
        deals.c.value_usd,
        deals.c.upfront_usd,
    )
    .join(articles, articles.c.id == deals.c.article_id)
    .outerjoin(
        article_items,
        (article_items.c.article_id == deals.c.article_id)
        & (article_items.c.item_index == deals.c.item_index),
    )
    .order_by(deals.c.id)
)
_PARTIES_QUERY = (
    select(
        deal_parties.c.deal_id,
        organisations.c.name,
        organisations.c.country,
        deal_parties.c.position,
    )
    .join(organisations, organisations.c.id == deal_parties.c.organisation_id)
    .order_by(deal_parties.c.deal_id, deal_parties.c.position)
)
_DEALS_CONVERT = {
    "also_types": _split_list,
    "therapeutic_areas": _split_list,
    "countries": _split_list,
    "role": _default("main"),
    "deal_status": _default("agreed"),
    "assets": _json_or(list),
    "terms": _json_or(dict),
}


def _deals_frame_query(engine: Engine, ids: list[int] | None) -> pd.DataFrame:
    query, party_query = _DEALS_QUERY, _PARTIES_QUERY
    if ids is not None:
        query = query.where(deals.c.id.in_(ids))
        party_query = party_query.where(deal_parties.c.deal_id.in_(ids))
    with engine.connect() as conn:
        frame = _frame(conn.execute(query), _DEALS_CONVERT)
        parties = conn.execute(party_query).all()
    if frame.empty:
        return pd.DataFrame(columns=DEALS_FRAME_COLUMNS)
    names: dict[int, list[str]] = {}
    countries: dict[int, list[str | None]] = {}
    for deal_id, name, country, _position in parties:
        names.setdefault(deal_id, []).append(name)
        countries.setdefault(deal_id, []).append(country)
    ids = frame["deal_id"].tolist()
    frame["parties"] = [names.get(i, []) for i in ids]
    frame["party_countries"] = [countries.get(i, []) for i in ids]
    for column in ("value_usd", "upfront_usd"):
        frame[column] = frame[column].astype(float)
    return frame[DEALS_FRAME_COLUMNS]


ORGANISATIONS_FRAME_COLUMNS = (
    "id",
    "name",
    "country",
    "kind",
    "in_lexicon",
    "deals",
    "mentions",
    "articles",
    "aliases",
)


def organisations_frame(engine: Engine, ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Organisations with their aliases, mention and deal counts; ``ids``: only these
    organisations (``atlas.incremental`` reads again those an ingest mentioned)."""
    if ids is not None:
        wanted = sorted(set(ids))
        parts = [
            _organisations_frame(engine, wanted[start : start + IDS_BATCH])
            for start in range(0, len(wanted), IDS_BATCH)
        ]
        parts = [p for p in parts if len(p)]
        if not parts:
            return pd.DataFrame(columns=list(ORGANISATIONS_FRAME_COLUMNS))
        frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        return frame.sort_values(["name", "id"], kind="stable").reset_index(drop=True)
    return _organisations_frame(engine, None)


def _organisations_frame(engine: Engine, ids: list[int] | None) -> pd.DataFrame:
    deal_counts = select(deal_parties.c.organisation_id, func.count().label("deals"))
    mention_counts = select(
        mentions.c.organisation_id,
        func.count().label("mentions"),
        func.count(func.distinct(mentions.c.article_id)).label("articles"),
    )
    alias_query = select(aliases.c.organisation_id, aliases.c.alias)
    if ids is not None:
        deal_counts = deal_counts.where(deal_parties.c.organisation_id.in_(ids))
        mention_counts = mention_counts.where(mentions.c.organisation_id.in_(ids))
        alias_query = alias_query.where(aliases.c.organisation_id.in_(ids))
    deals_of = deal_counts.group_by(deal_parties.c.organisation_id).subquery()
    mentions_of = mention_counts.group_by(mentions.c.organisation_id).subquery()
    query = (
        select(
            organisations.c.id,
            organisations.c.name,
            organisations.c.country,
            organisations.c.kind,
            organisations.c.in_lexicon,
            func.coalesce(deals_of.c.deals, 0).label("deals"),
            func.coalesce(mentions_of.c.mentions, 0).label("mentions"),
            func.coalesce(mentions_of.c.articles, 0).label("articles"),
        )
        .outerjoin(deals_of, deals_of.c.organisation_id == organisations.c.id)
        .outerjoin(mentions_of, mentions_of.c.organisation_id == organisations.c.id)
    )
    if ids is not None:
        query = query.where(organisations.c.id.in_(ids))
    with engine.connect() as conn:
        frame = _frame(conn.execute(query))
        alias_rows = conn.execute(alias_query).all()
    if frame.empty:
        return pd.DataFrame(columns=list(ORGANISATIONS_FRAME_COLUMNS))
    # Sorted here, not by the database: SQLite and PostgreSQL collate names differently.
    frame = (
        frame[(frame["mentions"] > 0) | (frame["deals"] > 0)]
        .sort_values(["name", "id"], kind="stable")
        .reset_index(drop=True)
    )
    by_org: dict[int, list[str]] = {}
    for organisation_id, alias in alias_rows:
        by_org.setdefault(organisation_id, []).append(alias)
    frame["aliases"] = [
        sorted(a for a in by_org.get(i, ()) if a != name)
        for i, name in zip(frame["id"].tolist(), frame["name"].tolist(), strict=True)
    ]
    return frame


# How much of an article's text ``articles_frame`` carries, to name untitled ones.
OPENING_CHARS = 90


def articles_frame(engine: Engine) -> pd.DataFrame:
    """Articles with their metadata and organisation and deal counts (no text)."""
    deal_counts = (
        select(deals.c.article_id, func.count().label("deals"))
        .group_by(deals.c.article_id)
        .subquery()
    )
    org_counts = (
        select(
            mentions.c.article_id,
            func.count(func.distinct(mentions.c.organisation_id)).label("organisations"),
        )
        .group_by(mentions.c.article_id)
        .subquery()
    )
    query = (
        select(
            articles.c.id,
            articles.c.file,
            articles.c.title,
            articles.c.source,
            articles.c.url,
            articles.c.published,
            articles.c.date_precision,
            articles.c.date_source,
            articles.c.is_digest,
            articles.c.ingested_at,
            articles.c.ingest_run_id,
            # the opening words, which name an article that has no title
            func.substr(articles.c.text, 1, OPENING_CHARS).label("opening"),
            func.coalesce(org_counts.c.organisations, 0).label("organisations"),
            func.coalesce(deal_counts.c.deals, 0).label("deals"),
        )
        .outerjoin(deal_counts, deal_counts.c.article_id == articles.c.id)
        .outerjoin(org_counts, org_counts.c.article_id == articles.c.id)
    )
    with engine.connect() as conn:
        frame = _frame(conn.execute(query))
    if frame.empty:
        return pd.DataFrame(columns=list(query.selected_columns.keys()))
    # Newest first, undated last, then by file: sorted here because the backends
    # disagree on where NULLs go and how text collates.
    frame = frame.sort_values("file", kind="stable")
    return frame.sort_values(
        "published", ascending=False, na_position="last", kind="stable"
    ).reset_index(drop=True)


def articles_mentioning(engine: Engine, names: Iterable[str]) -> pd.DataFrame:
    """The articles that mention any organisation stored under one of ``names``,
    each with how many times (``mentions``): article_id, title, file, source,
    published, date_source, mentions. Counted by the database, so a hub
    mentioned in thousands of articles costs one grouped query."""
    names = sorted({str(n) for n in names if n})
    columns = ["article_id", "title", "file", "source", "published", "date_source", "mentions"]
    if not names:
        return pd.DataFrame(columns=columns)
    query = (
        select(
            articles.c.id.label("article_id"),
            articles.c.title,
            articles.c.file,
            articles.c.source,
            articles.c.published,
            articles.c.date_source,
            func.count().label("mentions"),
        )
        .select_from(mentions)
        .join(organisations, organisations.c.id == mentions.c.organisation_id)
        .join(articles, articles.c.id == mentions.c.article_id)
        .where(organisations.c.name.in_(names))
        # The other columns depend on the primary key (PostgreSQL accepts that too).
        .group_by(articles.c.id)
    )
    with engine.connect() as conn:
        frame = _frame(conn.execute(query))
    return frame if len(frame) else pd.DataFrame(columns=columns)


def mentions_frame(engine: Engine, article_id: str | None = None) -> pd.DataFrame:
    """Organisation mentions (character offsets into the item text), optionally of one article."""
    query = (
        select(
            mentions.c.article_id,
            mentions.c.item_index,
            organisations.c.name.label("organisation"),
            organisations.c.country,
            mentions.c.text,
            mentions.c.start_char,
            mentions.c.end_char,
        )
        .join(organisations, organisations.c.id == mentions.c.organisation_id)
        .order_by(mentions.c.article_id, mentions.c.item_index, mentions.c.start_char)
    )
    if article_id is not None:
        query = query.where(mentions.c.article_id == article_id)
    with engine.connect() as conn:
        frame = _frame(conn.execute(query))
    if frame.empty:
        return pd.DataFrame(
            columns=[
                "article_id",
                "item_index",
                "organisation",
                "country",
                "text",
                "start_char",
                "end_char",
            ]
        )
    return frame
