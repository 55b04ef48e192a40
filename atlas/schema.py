"""The store's tables, and what both the store and its migrations need: the error
they raise and the random id a new store gets (here so ``atlas.store`` and
``atlas.migrations`` do not import each other)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message is one line for the user
    (no traceback, no password)."""


metadata = MetaData()

schema_info = Table("schema_info", metadata, Column("version", Integer, nullable=False))

# One row (id 1): a counter every write of articles, extractions or corrections adds
# one to (schema version 2), and a random id written once when the store is made
# (version 3). Prepared tables kept on disk and in the app are keyed by both, so a
# store deleted and made again under the same path or URL never gets the old one's.
data_state = Table(
    "data_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("generation", BigInteger, nullable=False),
    Column("store_id", String(32)),
)

# status (version 3): "running" until the run ends "finished", or "interrupted" when it
# stopped on an error; a run killed outright stays "running", and host and pid (on
# PostgreSQL also a lock its session holds) tell that it is gone (``run_status``).
ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("ingested", Integer, default=0),
    Column("updated", Integer, default=0),
    Column("duplicates", Integer, default=0),
    Column("rejected", Integer, default=0),
    Column("status", String(16)),
    Column("host", String(255)),
    Column("pid", Integer),
    # Who started the run (version 4): the unlocked editor, or the OS user for the CLI.
    Column("started_by", String(100)),
)

# Long work run by a worker process (version 7, ``atlas/jobs.py``): re-extraction, a
# large upload, a feed refresh. At most one runs per store; ``done`` of ``total``
# articles, rewritten as it goes, is the progress every page and ``python -m atlas
# jobs`` show. ``label`` may hold a feed's title or an upload's file names: untrusted.
jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("label", Text),
    Column("params_json", Text, nullable=False, default="{}"),
    Column("status", String(16), nullable=False),
    Column("phase", String(32)),
    Column("total", Integer),
    Column("done", Integer, nullable=False, default=0),
    Column("done_at_resume", Integer, nullable=False, default=0),
    Column("started_at", String(32), nullable=False),
    Column("resumed_at", String(32)),
    Column("updated_at", String(32)),
    Column("finished_at", String(32)),
    Column("host", String(255)),
    Column("pid", Integer),
    Column("started_by", String(100)),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("message", Text),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("file", Text, nullable=False),
    Column("title", Text),
    Column("source", Text),
    Column("url", Text),
    Column("published", String(10)),
    Column("date_precision", String(8)),
    Column("date_source", String(16), nullable=False, default="none"),
    Column("is_digest", Boolean, nullable=False, default=False),
    Column("text", Text, nullable=False),
    Column("metadata_json", Text, nullable=False, default="{}"),
    Column("lexicon_fingerprint", String(32), nullable=False, default=""),
    Column("ingest_run_id", Integer, ForeignKey("ingest_runs.id")),
    Column("ingested_at", String(32), nullable=False),
)

article_items = Table(
    "article_items",
    metadata,
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("item_index", Integer, primary_key=True),
    Column("title", Text),
    Column("published", String(10)),
    Column("date_precision", String(8)),
    Column("date_source", String(16)),
    Column("text", Text, nullable=False),
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("key", String(255), nullable=False, unique=True),
    Column("country", Text),
    Column("kind", String(16), nullable=False, default="company"),
    Column("in_lexicon", Boolean, nullable=False, default=False),
)

aliases = Table(
    "aliases",
    metadata,
    Column(
        "organisation_id",
        Integer,
        ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("alias", String(255), primary_key=True),
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("item_index", Integer, nullable=False, default=0),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Index("ix_mentions_article", "article_id"),
    Index("ix_mentions_organisation", "organisation_id"),
)

deals = Table(
    "deals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("item_index", Integer, nullable=False, default=0),
    Column("type", String(48), nullable=False),
    Column("also_types", Text, nullable=False, default=""),
    Column("evidence", Text, nullable=False),
    Column("deal_date", String(10)),
    Column("date_precision", String(8)),
    Column("date_source", String(16)),
    Column("confidence", Float, nullable=False, default=0.5),
    Column("trigger", Text, nullable=False, default=""),
    # Stable across re-extraction of the same sentence; corrections point at it.
    Column("deal_key", String(40), nullable=False, default=""),
    Column("therapeutic_areas", Text, nullable=False, default=""),
    Column("countries", Text, nullable=False, default=""),
    # Version 5: what the deal is and where it stands, as its mention reports it.
    # "main" or "background" (mentioned as history), atlas.models.DEAL_ROLES.
    Column("role", String(16), nullable=False, default="main", server_default="main"),
    # agreed, completed or terminated (atlas.models.DEAL_STATUSES). Not "status": the
    # corrected deals frame has a "status" of its own (machine, confirmed, ...).
    Column("deal_status", String(16), nullable=False, default="agreed", server_default="agreed"),
    # The assets as written, a JSON list ("" for none): names may hold any character.
    Column("assets", Text, nullable=False, default="", server_default=""),
    # The terms in the gold schema (``terms_as_json``), "{}" for none.
    Column("terms_json", Text, nullable=False, default="{}", server_default="{}"),
    # For sorting and filtering without reading JSON (``disclosed_value_usd``).
    Column("value_usd", Float),
    Column("upfront_usd", Float),
    Index("ix_deals_article", "article_id"),
    Index("ix_deals_date", "deal_date"),
    Index("ix_deals_type", "type"),
)

deal_parties = Table(
    "deal_parties",
    metadata,
    Column("deal_id", Integer, ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
    Index("ix_deal_parties_organisation", "organisation_id"),
)


corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", String(32), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text, nullable=False, default=""),
    Column("payload_json", Text, nullable=False, default="{}"),
    Column("comment", Text, nullable=False, default=""),
    Column("undone_at", String(32)),
    # Who made and who undid it (version 4); NULL on an open app, where nobody signs in.
    Column("created_by", String(100)),
    Column("undone_by", String(100)),
)


feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("title", Text),
    Column("added_at", String(32), nullable=False),
    Column("refreshed_at", String(32)),
    Column("last_result", Text),
)


# Named views of the dashboard (page and URL parameters) in a presenter's running
# order (version 6); kept in the store so everyone using a team server shares them.
# Read and written by ``atlas/saved_views.py``.
saved_views = Table(
    "saved_views",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    # The running order: views are shown by position, then id (two saved at once may tie).
    Column("position", Integer, nullable=False, default=0),
    Column("page", String(100), nullable=False),  # the page's URL path ("" for Overview)
    Column("params_json", Text, nullable=False, default="{}"),
    Column("created_at", String(32), nullable=False),
    # Who saved it (or last saved over it); NULL on an open app, where nobody signs in.
    Column("created_by", String(100)),
)


def new_store_id() -> str:
    """A random id for a new store (written once, when the store is made)."""
    import uuid

    return uuid.uuid4().hex
