"""The store: articles, organisations, aliases, mentions, deals and deal parties.

SQLAlchemy Core over a SQLite file under ``data/`` by default, or any database
named by ``ATLAS_DB_URL`` (PostgreSQL for a team). Every article is written in
one transaction with its extraction, so a stopped ingest never leaves half an
article; an article already stored under the same lexicon is skipped.

The schema is versioned (``atlas/migrations.py``): ``open_store`` creates it in a
new database and upgrades an older one. Both backends behave the same: values
are fitted to the column sizes PostgreSQL enforces, NUL characters (which
PostgreSQL refuses in text) are replaced, organisations are inserted so that two
processes ingesting the same new organisation at once do not collide, and
frames are sorted in Python rather than by the database's collation.

The modules: ``engine`` (opening, errors, read-only files, the change counter), ``rows``
(values every backend accepts), ``runs`` (ingest runs), ``write`` (saving extractions),
``frames`` (the dashboard's frames) and ``lookups`` (counts, ids, single articles). The
tables are defined in ``atlas.schema``, shared with ``atlas.migrations``; they are named
here too, as ``store.<table>``.
"""

from atlas.schema import (
    StoreError,
    aliases,
    article_items,
    articles,
    corrections,
    data_state,
    deal_parties,
    deals,
    feeds,
    ingest_runs,
    jobs,
    mentions,
    metadata,
    new_store_id,
    organisations,
    saved_views,
    schema_info,
)
from atlas.store.engine import (
    DEFAULT_DB_PATH,
    READ_ONLY_REASON,
    data_generation,
    data_version,
    database_url,
    describe_error,
    hide_password,
    is_read_only,
    mark_changed,
    open_store,
    sqlite_file,
)
from atlas.store.frames import (
    DEALS_FRAME_COLUMNS,
    IDS_BATCH,
    OPENING_CHARS,
    ORGANISATIONS_FRAME_COLUMNS,
    articles_frame,
    articles_mentioning,
    deals_frame,
    mentions_frame,
    organisations_frame,
)
from atlas.store.lookups import (
    article_detail,
    article_text,
    counts,
    deal_ids_in_articles,
    deal_ids_in_items,
    deal_ids_keyed,
    deal_ids_naming,
    is_empty,
    last_run,
    organisations_touched_since,
    rows_summary,
    stored_articles,
)
from atlas.store.runs import (
    FINISHED,
    INTERRUPTED,
    RUNNING,
    IngestSummary,
    add_to_run,
    finish_run,
    run_status,
    start_run,
)
from atlas.store.write import (
    DUPLICATE,
    NEW,
    UPDATED,
    deal_key,
    disclosed_value_usd,
    save_extraction,
    save_extractions,
    stored_fingerprints,
    terms_as_json,
    valuation_date,
)

__all__ = [
    "DEALS_FRAME_COLUMNS",
    "DEFAULT_DB_PATH",
    "DUPLICATE",
    "FINISHED",
    "IDS_BATCH",
    "INTERRUPTED",
    "IngestSummary",
    "NEW",
    "OPENING_CHARS",
    "ORGANISATIONS_FRAME_COLUMNS",
    "READ_ONLY_REASON",
    "RUNNING",
    "StoreError",
    "UPDATED",
    "add_to_run",
    "aliases",
    "article_detail",
    "article_items",
    "article_text",
    "articles",
    "articles_frame",
    "articles_mentioning",
    "corrections",
    "counts",
    "data_generation",
    "data_state",
    "data_version",
    "database_url",
    "deal_ids_in_articles",
    "deal_ids_in_items",
    "deal_ids_keyed",
    "deal_ids_naming",
    "deal_key",
    "deal_parties",
    "deals",
    "deals_frame",
    "describe_error",
    "disclosed_value_usd",
    "feeds",
    "finish_run",
    "hide_password",
    "ingest_runs",
    "is_empty",
    "is_read_only",
    "jobs",
    "last_run",
    "mark_changed",
    "mentions",
    "mentions_frame",
    "metadata",
    "new_store_id",
    "open_store",
    "organisations",
    "organisations_frame",
    "organisations_touched_since",
    "rows_summary",
    "run_status",
    "save_extraction",
    "save_extractions",
    "saved_views",
    "schema_info",
    "sqlite_file",
    "start_run",
    "stored_articles",
    "stored_fingerprints",
    "terms_as_json",
    "valuation_date",
]
