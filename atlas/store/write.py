"""Saving articles and their extractions, one transaction per article (or per batch),
and the values a deal row is written with."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import (
    Engine,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from atlas.models import Article, Deal, ExtractionResult, Terms
from atlas.organisations import normalise_name
from atlas.schema import (
    aliases,
    article_items,
    articles,
    deal_parties,
    deals,
    mentions,
    organisations,
)
from atlas.store.engine import mark_changed
from atlas.store.rows import (
    fit_row,
    insert_if_absent,
    insert_ignoring_conflicts,
    inserted_id,
    now_iso,
)
from atlas.store.runs import count_in_run


def deal_key(article_id: str, item_index: int, evidence: str, parties) -> str:
    """A deal's identity that survives re-extraction: its article, item,
    sentence and parties (case and punctuation folded)."""
    import hashlib

    names = "|".join(sorted(normalise_name(p) for p in parties))
    text = " ".join((evidence or "").split())
    return hashlib.sha1(f"{article_id}|{item_index}|{text}|{names}".encode()).hexdigest()[:20]


def terms_as_json(terms: Terms, on: str | None) -> dict:
    """A deal's terms in the gold schema, money terms with their value in US dollars at
    ``on`` (``usd``, whole dollars, null where the ECB publishes no rate for the
    currency). What ``extract --jsonl`` prints and the store keeps in ``terms_json``."""
    from atlas.terms import usd_value  # spaCy comes with it: not needed to read the store

    out: dict = {}
    for name in ("total_value", "upfront", "milestones"):
        money = getattr(terms, name)
        if money is not None:
            amount = int(money.amount) if float(money.amount).is_integer() else money.amount
            usd = usd_value(money, on)
            out[name] = {
                "amount": amount,
                "currency": money.currency,
                "text": money.text,
                "usd": round(usd) if usd is not None else None,
            }
    if terms.equity_pct is not None:
        out["equity_pct"] = {"value": terms.equity_pct.value, "text": terms.equity_pct.text}
    if terms.royalties:
        out["royalties"] = {"text": terms.royalties}
    return out


def disclosed_value_usd(terms: dict) -> float | None:
    """A deal's disclosed value in US dollars, from its ``terms_as_json`` dict: the
    total value when the text states one, else upfront plus milestones, those of the
    two it states. None when it states none of them, or when a term it states has no
    dollar value (a currency without an ECB rate): a part alone would understate it.

    "up to" ceilings count at their full amount, as deal databases headline them."""
    total = terms.get("total_value")
    if total is not None:
        return _usd(total)
    parts = [terms[name] for name in ("upfront", "milestones") if terms.get(name) is not None]
    values = [_usd(part) for part in parts]
    known = [value for value in values if value is not None]
    if not values or len(known) < len(values):
        return None
    return float(sum(known))


def _usd(money: dict) -> float | None:
    usd = money.get("usd")
    return None if usd is None else float(usd)


def stored_fingerprints(engine: Engine, ids: Iterable[str]) -> dict[str, str]:
    """Extraction fingerprint (lexicon and models) of each stored article among ``ids``."""
    ids = list(ids)
    found: dict[str, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = conn.execute(
                select(articles.c.id, articles.c.lexicon_fingerprint).where(
                    articles.c.id.in_(chunk)
                )
            )
            found.update({row.id: row.lexicon_fingerprint for row in rows})
    return found


# The write path's statements, built once: building and hashing a new statement
# for every row cost more than running it.
_SELECT_ORGANISATION = select(organisations.c.id, organisations.c.country).where(
    organisations.c.key == bindparam("org_key")
)
# Fills a missing country only: another writer may have set one since we looked.
_FILL_COUNTRY = (
    update(organisations)
    .where(organisations.c.id == bindparam("org_id"), organisations.c.country.is_(None))
    .values(country=bindparam("new_country"))
)
# An article's extraction, deleted before a new one is written (its row is kept,
# locked, and updated: deleting it would let a concurrent writer insert it anew).
_DELETE_EXTRACTION = (
    delete(deals).where(deals.c.article_id == bindparam("article_id")),
    delete(mentions).where(mentions.c.article_id == bindparam("article_id")),
    delete(article_items).where(article_items.c.article_id == bindparam("article_id")),
)
_LOCK_ARTICLE = (
    select(articles.c.lexicon_fingerprint)
    .where(articles.c.id == bindparam("article_id"))
    .with_for_update()
)
_INSERT_ITEMS = insert(article_items)
_INSERT_MENTIONS = insert(mentions)
_INSERT_DEAL = insert(deals)
_INSERT_DEALS_RETURNING = insert(deals).returning(deals.c.id, sort_by_parameter_order=True)
_INSERT_PARTIES = insert(deal_parties)


class _OrganisationIds:
    """Organisation ids for the articles of one transaction.

    Each organisation is looked up (or inserted) once per transaction instead of
    once per article, with the result an article-by-article lookup gives: the
    first name of an article that maps to an organisation fills in its country
    if the store has none; later names of the same article change nothing.
    """

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}  # name -> organisations.key
        self._ids: dict[str, int] = {}  # key -> id
        self._has_country: dict[str, bool] = {}
        self._this_article: set[str] = set()
        self.aliases: set[tuple[int, str]] = set()  # (id, alias) written in this transaction

    def start_article(self) -> None:
        self._this_article = set()

    def prefetch(self, conn: Connection, names: Iterable[str]) -> None:
        """Look up the stored organisations among ``names`` in a few queries."""
        keys = sorted({self.key(name) for name in names} - self._ids.keys())
        for start in range(0, len(keys), 500):
            query = select(organisations.c.id, organisations.c.key, organisations.c.country).where(
                organisations.c.key.in_(keys[start : start + 500])
            )
            for row in conn.execute(query):
                self._ids[row.key] = row.id
                self._has_country[row.key] = row.country is not None

    def insert_missing(self, conn: Connection, result: ExtractionResult) -> None:
        """Insert the organisations of ``result`` the store lacks, ordered by key,
        with the values ``id`` would insert (the first name of each key, with its
        details when ``result.organisations`` has them)."""
        named = [
            *result.organisations.items(),
            *((m.canonical, None) for m in result.mentions),
            *((p, None) for d in result.deals for p in d.parties),
        ]
        first: dict[str, tuple[str, object]] = {}
        for name, info in named:
            first.setdefault(self.key(name), (name, info))
        self.prefetch(conn, (name for name, _info in first.values()))
        missing = sorted(key for key in first if key not in self._ids)
        for key in missing:
            insert_ignoring_conflicts(conn, organisations, [self._values(*first[key])])

    def _values(self, name: str, info) -> dict:
        return fit_row(
            organisations,
            {
                "name": name,
                "key": self.key(name),
                "country": getattr(info, "country", None),
                "kind": getattr(info, "kind", "company"),
                "in_lexicon": bool(getattr(info, "in_lexicon", False)),
            },
        )

    def key(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            key = fit_row(organisations, {"key": normalise_name(name) or name.casefold()})["key"]
            self._keys[name] = key
        return key

    def id(self, conn: Connection, name: str, info=None) -> int:
        key = self.key(name)
        if key in self._this_article:
            return self._ids[key]
        self._this_article.add(key)
        values = self._values(name, info)
        org_id = self._ids.get(key)
        if org_id is None:
            row = conn.execute(_SELECT_ORGANISATION, {"org_key": key}).first()
            if row is None:
                # Not insert-then-read-id: another process may be inserting the same
                # organisation right now; whoever commits first wins, both get its id.
                insert_ignoring_conflicts(conn, organisations, [values])
                row = conn.execute(_SELECT_ORGANISATION, {"org_key": key}).one()
            org_id = self._ids[key] = row.id
            self._has_country[key] = row.country is not None
        if values["country"] and not self._has_country[key]:
            conn.execute(_FILL_COUNTRY, {"org_id": org_id, "new_country": values["country"]})
            self._has_country[key] = True
        return org_id


# What saving an article did: stored it for the first time, replaced an earlier
# extraction, or left it as it was (``keep_current``: already stored under the same
# fingerprint, by an earlier run or by another one at the same moment).
NEW, UPDATED, DUPLICATE = "new", "updated", "duplicate"

_RUN_COUNTERS = {NEW: "ingested", UPDATED: "updated", DUPLICATE: "duplicates"}


def save_extraction(
    engine: Engine,
    result: ExtractionResult,
    *,
    fingerprint: str,
    run_id: int | None = None,
    keep_current: bool = False,
) -> str:
    """Store one article and its extraction atomically, replacing any earlier
    extraction of the same article, unless ``keep_current`` and it is stored under
    ``fingerprint`` already. Returns NEW, UPDATED or DUPLICATE.

    Safe to run from several processes at once: the article row is inserted only
    if absent (ON CONFLICT DO NOTHING) and otherwise locked before its extraction
    is replaced, so two writers of one article never collide and exactly one of
    them stores it as NEW. ``run_id``'s counter for the outcome is raised in the
    same transaction, so a run's counts are always what it stored, also when it
    is killed midway."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(3):
        try:
            with engine.begin() as conn:
                outcome = _save_extraction(
                    conn,
                    result,
                    fingerprint=fingerprint,
                    run_id=run_id,
                    ids=_OrganisationIds(),
                    keep_current=keep_current,
                )
                count_in_run(conn, run_id, {_RUN_COUNTERS[outcome]: 1})
                if outcome != DUPLICATE:
                    mark_changed(conn)
            return outcome
        except OperationalError as error:
            # PostgreSQL ends one of two transactions that wait for each other
            # (deadlock, 40P01) or whose snapshot went stale (40001): the work is
            # whole or undone, so trying again is safe.
            if getattr(error.orig, "sqlstate", None) not in ("40P01", "40001") or attempt == 2:
                raise
    raise AssertionError("unreachable")


def save_extractions(
    engine: Engine,
    results: Iterable[ExtractionResult],
    *,
    fingerprint: str,
    run_id: int | None = None,
) -> int:
    """Store several articles and their extractions in one transaction (all or
    none), each exactly as ``save_extraction`` stores it, a later one replacing
    an earlier one of the same article; returns how many were given. For bulk
    loads: one commit and one organisation lookup per batch, not per article.

    Meant for one bulk writer: the organisations a batch adds stay locked until
    it commits, so on PostgreSQL two concurrent batches adding the same new
    organisations in opposite orders can deadlock (one of them fails, whole)."""
    results = list(results)
    ids = _OrganisationIds()
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        ids.prefetch(
            conn,
            (
                name
                for r in results
                for name in (
                    *r.organisations,
                    *(m.canonical for m in r.mentions),
                    *(p for d in r.deals for p in d.parties),
                )
            ),
        )
        for result in results:
            outcome = _save_extraction(
                conn, result, fingerprint=fingerprint, run_id=run_id, ids=ids
            )
            counts[_RUN_COUNTERS[outcome]] = counts.get(_RUN_COUNTERS[outcome], 0) + 1
        count_in_run(conn, run_id, counts)
        mark_changed(conn)
    return len(results)


def _save_extraction(
    conn: Connection,
    result: ExtractionResult,
    *,
    fingerprint: str,
    run_id: int | None,
    ids: _OrganisationIds,
    keep_current: bool = False,
) -> str:
    """Write one article's rows from ``result`` inside the caller's transaction;
    returns NEW, UPDATED or DUPLICATE (see ``save_extraction``)."""
    article: Article = result.article
    ids.start_article()
    outcome = _claim_article(conn, _article_row(article, fingerprint, run_id), keep_current)
    if outcome == DUPLICATE:
        return outcome
    # New organisations in one order (by key) in every transaction: two writers
    # adding the same ones never wait for each other in a cycle.
    ids.insert_missing(conn, result)
    _write_items(conn, article)
    _write_aliases(conn, result, ids)
    _write_mentions(conn, result, ids)
    _write_deals(conn, result, ids)
    return outcome


def _article_row(article: Article, fingerprint: str, run_id: int | None) -> dict:
    return fit_row(
        articles,
        {
            "id": article.id,
            "file": article.file,
            "title": article.title,
            "source": article.source,
            "url": article.url,
            "published": article.published,
            "date_precision": article.date_precision,
            "date_source": article.date_source,
            "is_digest": article.is_digest,
            "text": article.text,
            "metadata_json": json.dumps(article.metadata, default=str, ensure_ascii=False),
            "lexicon_fingerprint": fingerprint,
            "ingest_run_id": run_id,
            "ingested_at": now_iso(),
        },
    )


def _claim_article(conn: Connection, row: dict, keep_current: bool) -> str:
    """Write the article's own row: NEW when inserted, UPDATED when an earlier
    extraction was deleted and the row updated, DUPLICATE (nothing written) when
    ``keep_current`` and it is stored under the same fingerprint."""
    # Inserted when absent; when another transaction is inserting it, PostgreSQL
    # waits for that one to end instead of failing. RETURNING tells whether it was
    # inserted (rowcount does not, on psycopg).
    claim = insert_if_absent(conn, articles).returning(articles.c.id)
    if conn.execute(claim, row).first() is not None:
        return NEW
    # Stored already: lock the row (SQLite's write lock is already held), then look
    # at what is stored now, which another writer may just have written.
    stored = conn.execute(_LOCK_ARTICLE, {"article_id": row["id"]}).scalar_one()
    if keep_current and stored == row["lexicon_fingerprint"]:
        return DUPLICATE
    for statement in _DELETE_EXTRACTION:
        conn.execute(statement, {"article_id": row["id"]})
    conn.execute(
        update(articles)
        .where(articles.c.id == row["id"])
        .values({k: v for k, v in row.items() if k != "id"})
    )
    return UPDATED


def _write_items(conn: Connection, article: Article) -> None:
    if not article.items:
        return
    conn.execute(
        _INSERT_ITEMS,
        [
            fit_row(
                article_items,
                {
                    "article_id": article.id,
                    "item_index": item.index,
                    "title": item.title,
                    "published": item.published,
                    "date_precision": item.date_precision,
                    "date_source": item.date_source,
                    "text": item.text,
                },
            )
            for item in article.items
        ],
    )


def _write_aliases(conn: Connection, result: ExtractionResult, ids: _OrganisationIds) -> None:
    """Each organisation's name and the surface forms it was mentioned by, as aliases
    (those this transaction has not written yet)."""
    surfaces: dict[str, set[str]] = {}
    for m in result.mentions:
        surfaces.setdefault(m.canonical, set()).add(m.text)
    alias_rows: dict[tuple[int, str], dict] = {}
    for name, info in result.organisations.items():
        org_id = ids.id(conn, name, info)
        for alias in sorted(surfaces.get(name, set()) | {name}):
            row = fit_row(aliases, {"organisation_id": org_id, "alias": alias})
            pair = (org_id, row["alias"])
            if pair not in ids.aliases:
                alias_rows.setdefault(pair, row)
    insert_ignoring_conflicts(conn, aliases, list(alias_rows.values()))
    ids.aliases.update(alias_rows)


def _write_mentions(conn: Connection, result: ExtractionResult, ids: _OrganisationIds) -> None:
    if not result.mentions:
        return
    article_id = result.article.id
    conn.execute(
        _INSERT_MENTIONS,
        [
            fit_row(
                mentions,
                {
                    "article_id": article_id,
                    "item_index": m.item_index,
                    "organisation_id": ids.id(conn, m.canonical),
                    "text": m.text,
                    "start_char": m.start,
                    "end_char": m.end,
                },
            )
            for m in result.mentions
        ],
    )


def _write_deals(conn: Connection, result: ExtractionResult, ids: _OrganisationIds) -> None:
    """The deals of ``result`` and their parties (in the order the deal names them)."""
    if not result.deals:
        return
    deal_rows = [_deal_row(result.article, deal) for deal in result.deals]
    if len(deal_rows) > 1 and conn.dialect.insert_executemany_returning_sort_by_parameter_order:
        deal_ids = conn.execute(_INSERT_DEALS_RETURNING, deal_rows).scalars().all()
    else:
        deal_ids = [inserted_id(conn.execute(_INSERT_DEAL, row)) for row in deal_rows]
    party_rows = [
        {"deal_id": deal_id, "organisation_id": ids.id(conn, party), "position": position}
        for deal_id, deal in zip(deal_ids, result.deals, strict=True)
        for position, party in enumerate(dict.fromkeys(deal.parties))
    ]
    if party_rows:
        conn.execute(_INSERT_PARTIES, party_rows)


def _deal_row(article: Article, deal: Deal) -> dict:
    return fit_row(
        deals,
        {
            **_deal_details(deal, valuation_date(article, deal)),
            "article_id": article.id,
            "item_index": deal.item_index,
            "type": deal.type,
            "also_types": "|".join(deal.also_types),
            "evidence": deal.evidence,
            "deal_date": deal.deal_date,
            "date_precision": deal.date_precision,
            "date_source": deal.date_source,
            "confidence": deal.confidence,
            "trigger": deal.trigger,
            "deal_key": deal_key(article.id, deal.item_index, deal.evidence, deal.parties),
            "therapeutic_areas": "|".join(deal.therapeutic_areas),
            "countries": "|".join(deal.countries),
        },
    )


def valuation_date(article: Article, deal: Deal) -> str | None:
    """The date a deal's money is valued at in US dollars: the deal's own date, else
    (an undated deal, such as one mentioned as history) its item's, else its article's."""
    if deal.deal_date:
        return deal.deal_date
    item = next((i for i in article.items if i.index == deal.item_index), None)
    return (item.published if item is not None else None) or article.published


def _deal_details(deal: Deal, on: str | None) -> dict:
    """The columns of version 5 for ``deal``, its money valued in dollars at ``on``."""
    terms = terms_as_json(deal.terms, on) if deal.terms else {}
    upfront = terms.get("upfront")
    return {
        "role": deal.role,
        "deal_status": deal.status,
        "assets": _json_text(list(deal.assets)) if deal.assets else "",
        "terms_json": _json_text(terms),
        "value_usd": disclosed_value_usd(terms),
        "upfront_usd": None if upfront is None else _usd(upfront),
    }


def _json_text(value: list | dict) -> str:
    """``value`` as JSON, NUL characters in its strings replaced as ``fit_row`` replaces
    them in text columns (JSON would keep them, escaped, and bring them back)."""

    def clean(item):
        if isinstance(item, str):
            return item.replace("\x00", "\ufffd")
        if isinstance(item, dict):
            return {key: clean(v) for key, v in item.items()}
        if isinstance(item, list):
            return [clean(v) for v in item]
        return item

    return json.dumps(clean(value), ensure_ascii=False)
