"""The store, corrections and feeds on both backends: a SQLite file and a real
PostgreSQL server (started by ``tests/pg.py``); plus the versioned schema."""

from __future__ import annotations

import secrets
import threading

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from sqlalchemy import Engine, func, inspect, select, text

from atlas import migrations, store
from atlas.corpus import read_corpus
from atlas.corrections import add_correction, apply_corrections, list_corrections
from atlas.feeds import add_feed, list_feeds, record_refresh
from atlas.ingest import ingest_articles, reextract_all
from atlas.models import Article, Deal, ExtractionResult, Mention, ResolvedOrganisation
from tests.conftest import SEEDS
from tests.pg import postgres_cluster  # noqa: F401 - a pytest fixture used by name
from tests.test_store import _batch, _result

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A brand-new empty database on each backend: a SQLite file in tmp, or a new
    database on the test PostgreSQL cluster (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'atlas.db'}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{secrets.token_hex(6)}"
    url = cluster.create_database(name)
    yield url
    cluster.drop_database(name)


@pytest.fixture
def engine(db_url):
    engine = store.open_store(db_url)
    yield engine
    engine.dispose()


def count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def seed_articles():
    return [a for a in read_corpus([SEEDS]) if hasattr(a, "items")]


def view(engine: Engine):
    return apply_corrections(
        store.deals_frame(engine), store.organisations_frame(engine), list_corrections(engine)
    )


# --- the store ---------------------------------------------------------------------


def test_save_query_and_replace(engine):
    store.save_extraction(engine, _result(), fingerprint="f1")
    deals = store.deals_frame(engine)
    assert len(deals) == 1
    row = deals.iloc[0]
    assert row["parties"] == ["Alpha Bio", "Beta Pharma"]
    assert row["party_countries"] == ["Japan", None]
    assert row["therapeutic_areas"] == ["oncology"] and row["countries"] == ["Japan"]
    assert row["deal_date"] == "2025-04" and row["confidence"] == pytest.approx(0.5)
    assert store.counts(engine) == {"articles": 1, "organisations": 2, "deals": 1}

    store.save_extraction(engine, _result(deals=[]), fingerprint="f2")
    assert count(engine, store.articles) == 1
    assert count(engine, store.deals) == 0 and count(engine, store.deal_parties) == 0
    assert count(engine, store.mentions) == 2
    assert count(engine, store.aliases) == 2  # aliases kept once, not added twice
    assert store.stored_fingerprints(engine, ["a1", "zz"]) == {"a1": "f2"}


def test_failed_save_leaves_no_half_article(engine):
    store.save_extraction(engine, _result("a1"), fingerprint="f1")
    broken = _result(
        "a1", deals=[Deal(("Alpha Bio", "Gamma Labs"), "licensing", None)]
    )  # evidence is NOT NULL: fails after the old rows are deleted and the new ones written
    with pytest.raises(Exception):  # noqa: B017 - each backend raises its own IntegrityError
        store.save_extraction(engine, broken, fingerprint="f2")
    # The earlier extraction is intact: the replacement rolled back as a whole.
    assert store.stored_fingerprints(engine, ["a1"]) == {"a1": "f1"}
    assert count(engine, store.deals) == 1 and count(engine, store.mentions) == 2
    with engine.connect() as conn:
        names = set(conn.execute(select(store.organisations.c.name)).scalars())
    assert names == {"Alpha Bio", "Beta Pharma"}
    # And the store still takes writes after the failure.
    store.save_extraction(engine, _result("a2"), fingerprint="f1")
    assert count(engine, store.articles) == 2


def test_organisations_shared_across_articles(engine):
    store.save_extraction(engine, _result("a1"), fingerprint="f")
    store.save_extraction(engine, _result("a2"), fingerprint="f")
    assert count(engine, store.organisations) == 2
    orgs = store.organisations_frame(engine).set_index("name")
    assert orgs.loc["Beta Pharma", "deals"] == 2 and orgs.loc["Beta Pharma", "articles"] == 2
    assert orgs.loc["Alpha Bio", "mentions"] == 2


def test_frames_and_detail(engine):
    empty = store.deals_frame(engine)
    assert empty.empty
    store.save_extraction(engine, _result("a1"), fingerprint="f")
    base = _result("a0")
    article = Article(
        id="a0", file="a0.txt", text=base.article.text, title="Undated", is_digest=True
    )
    undated = ExtractionResult(article, base.organisations, base.mentions, base.deals)
    store.save_extraction(engine, undated, fingerprint="f")

    deals = store.deals_frame(engine)
    # The empty frame has the same columns, in the same order, as a full one.
    assert list(empty.columns) == list(deals.columns) == store.DEALS_FRAME_COLUMNS

    articles = store.articles_frame(engine)
    # Newest first and undated last on both backends (PostgreSQL sorts NULL first by default).
    assert list(articles["id"]) == ["a1", "a0"]
    assert [bool(v) for v in articles["is_digest"]] == [False, True]
    assert list(articles["deals"]) == [1, 1] and list(articles["organisations"]) == [2, 2]

    orgs = store.organisations_frame(engine)
    assert list(orgs["name"]) == ["Alpha Bio", "Beta Pharma"]
    assert [bool(v) for v in orgs["in_lexicon"]] == [False, False]
    assert list(orgs["aliases"]) == [[], []]

    mentions = store.mentions_frame(engine, "a1")
    assert list(mentions["organisation"]) == ["Alpha Bio", "Beta Pharma"]
    assert list(mentions["start_char"]) == [0, 29]
    assert len(store.mentions_frame(engine)) == 4

    detail = store.article_detail(engine, "a0")
    assert detail["title"] == "Undated" and detail["is_digest"] is True
    assert detail["metadata"] == {} and detail["items"] == []
    detail = store.article_detail(engine, "a1")
    assert [i["text"] for i in detail["items"]] == ["Alpha Bio has partnered with Beta Pharma."]
    assert store.article_text(engine, "a1").startswith("Alpha Bio")
    assert [a.id for a in store.stored_articles(engine)] == ["a0", "a1"]


def frames(engine: Engine):
    """What the dashboard reads, without surrogate ids and save times."""
    return (
        store.deals_frame(engine).drop(columns=["deal_id"]),
        store.organisations_frame(engine).drop(columns=["id"]),
        store.articles_frame(engine).drop(columns=["ingested_at"]),
        store.mentions_frame(engine),
    )


def test_save_extractions_matches_save_extraction(engine):
    """A batch in one transaction gives what saving its articles one by one gives
    (on SQLite, in memory); a second batch over it replaces, never duplicates."""
    reference = store.open_store("sqlite://")
    for result in [*_batch(), *_batch()]:
        store.save_extraction(reference, result, fingerprint="f")
    assert store.save_extractions(engine, _batch(), fingerprint="f") == 4
    assert store.save_extractions(engine, _batch(), fingerprint="f") == 4
    for mine, theirs in zip(frames(engine), frames(reference), strict=True):
        assert_frame_equal(mine, theirs)
    assert count(engine, store.deals) == 2 and count(engine, store.deal_parties) == 4
    assert count(engine, store.aliases) == count(reference, store.aliases) == 5


def test_stored_fingerprints_in_chunks(engine):
    store.save_extraction(engine, _result("a1"), fingerprint="f1")
    store.save_extraction(engine, _result("a2"), fingerprint="f2")
    ids = [f"missing{i}" for i in range(1200)] + ["a2", "a1"]  # more than one chunk of 500
    assert store.stored_fingerprints(engine, ids) == {"a1": "f1", "a2": "f2"}
    assert store.stored_fingerprints(engine, []) == {}


def test_values_postgresql_would_refuse_are_fitted(engine):
    """SQLite stores anything; PostgreSQL refuses NUL characters in text and text
    longer than a VARCHAR. The store fits both so an article is never lost."""
    base = _result("nul")
    long_name = "Very Long Name " * 30 + "Therapeutics"  # over the 255 of organisations.key
    text_with_nul = "Alpha Bio\x00 has partnered with Beta Pharma."
    article = Article(id="nul", file="nul.txt", text=text_with_nul, title="Nul\x00title")
    orgs = {
        **base.organisations,
        long_name: ResolvedOrganisation(long_name, None, "a kind nobody validated", False),
    }
    mentions = [*base.mentions, Mention(long_name, long_name, 0, 9)]
    deals = [Deal(("Alpha Bio", long_name), "licensing", "Alpha\x00 licensed it.")]
    store.save_extraction(
        engine, ExtractionResult(article, orgs, mentions, deals), fingerprint="f\x00"
    )
    detail = store.article_detail(engine, "nul")
    assert detail["text"] == text_with_nul.replace("\x00", "\ufffd")
    assert len(detail["text"]) == len(text_with_nul)  # mention offsets still point right
    frame = store.deals_frame(engine)
    assert frame.iloc[0]["evidence"] == "Alpha\ufffd licensed it."
    assert frame.iloc[0]["parties"] == ["Alpha Bio", long_name]
    orgs_frame = store.organisations_frame(engine).set_index("name")
    assert orgs_frame.loc[long_name, "kind"] == "a kind nobody va"  # cut to the column's 16


def test_concurrent_ingest_of_the_same_new_organisation(engine):
    """Two writers adding the same new organisation: the second one must not fail
    its article when the first commits (a real risk on a shared PostgreSQL)."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def save(article_id: str) -> None:
        try:
            barrier.wait()
            store.save_extraction(engine, _result(article_id), fingerprint="f")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(f"a{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count(engine, store.articles) == 4
    assert count(engine, store.organisations) == 2
    assert count(engine, store.aliases) == 2


def test_concurrent_batches_of_the_same_new_organisations(engine):
    """Batches keep the organisation inserts conflict-safe: four writers adding the same
    two new organisations at once all commit, and each organisation is stored once."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def save(n: int) -> None:
        try:
            barrier.wait()
            batch = [_result(f"a{n}"), _result(f"b{n}")]
            store.save_extractions(engine, batch, fingerprint="f")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count(engine, store.articles) == 8
    assert count(engine, store.organisations) == 2
    assert count(engine, store.aliases) == 2


# --- ingest, corrections, feeds ----------------------------------------------------------


@pytest.mark.model
def test_ingest_twice_adds_nothing(engine, rules_extractor):
    # The rules alone state exactly the 14 seed deals; what is counted here is the store.
    extractor = rules_extractor
    first = ingest_articles(engine, seed_articles(), extractor=extractor)
    assert first.summary.ingested == 3
    assert store.counts(engine)["deals"] == 14
    before = store.deals_frame(engine)
    second = ingest_articles(engine, seed_articles(), extractor=extractor)
    assert second.summary.ingested == 0 and second.summary.duplicates == 3
    assert store.counts(engine)["articles"] == 3 and store.counts(engine)["deals"] == 14
    assert store.deals_frame(engine).equals(before)
    run = store.last_run(engine)
    assert run["duplicates"] == 3 and run["finished_at"]


@pytest.mark.model
def test_corrections_apply_and_survive_reextraction(engine, rules_extractor):
    extractor = rules_extractor  # exactly the 14 seed deals, see above
    ingest_articles(engine, seed_articles(), extractor=extractor)
    deals, _ = view(engine)
    rejected = deals.iloc[0]["deal_key"]
    retyped = deals.iloc[1]
    new_type = "other" if retyped["type"] != "other" else "licensing"
    a, b = deals.iloc[2]["parties"][:2]
    add_correction(engine, "reject_deal", rejected, comment="not a deal; it's a 'rumour'")
    add_correction(engine, "set_deal_type", retyped["deal_key"], {"type": new_type})
    add_correction(engine, "rename_org", a, {"name": f"{a} (renamed)"})
    add_correction(
        engine,
        "add_deal",
        payload={"parties": [a, b], "type": "licensing", "evidence": "By hand; 100% sure."},
    )

    def check() -> None:
        deals, orgs = view(engine)
        assert rejected not in set(deals["deal_key"])
        assert deals.set_index("deal_key").loc[retyped["deal_key"], "type"] == new_type
        assert f"{a} (renamed)" in set(orgs["name"]) and a not in set(orgs["name"])
        manual = deals[deals["status"] == "manual"]
        assert list(manual["evidence"]) == ["By hand; 100% sure."]
        assert len(deals) == 14  # one rejected, one added

    check()
    assert reextract_all(engine, extractor=extractor) == 3
    assert store.counts(engine)["deals"] == 14
    check()
    assert list_corrections(engine)[0].comment == "not a deal; it's a 'rumour'"


def test_feeds_table(engine):
    first = add_feed(engine, "http://127.0.0.1:9/feed.xml", title="Local")
    assert add_feed(engine, "  http://127.0.0.1:9/feed.xml  ") == first  # same feed, same row
    second = add_feed(engine, "http://127.0.0.1:9/other.xml?q='%_")
    record_refresh(engine, second, title="Other", result="2 new")
    feeds = list_feeds(engine)
    assert [f["url"] for f in feeds] == [
        "http://127.0.0.1:9/feed.xml",
        "http://127.0.0.1:9/other.xml?q='%_",
    ]
    assert feeds[1]["title"] == "Other" and feeds[1]["last_result"] == "2 new"


# Input a user can type: each reaches the database as a bound value, never as SQL.
HOSTILE_VALUES = [
    "'; DROP TABLE deals; --",  # statement injection
    "x' OR '1'='1",  # tautology
    "%",  # LIKE wildcard: must not match everything
    "_",  # LIKE single-character wildcard
    'a1" OR "1"="1',  # double quotes
    "a1\\",  # backslash escape
    "a1'",  # one unbalanced quote
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_values_find_nothing_and_break_nothing(engine, value):
    store.save_extraction(engine, _result("a1"), fingerprint="f1")
    assert store.article_detail(engine, value) is None
    assert store.article_text(engine, value) is None
    assert store.stored_fingerprints(engine, [value, f"{value}a1"]) == {}
    assert store.mentions_frame(engine, value).empty
    # Stored as a value, the text comes back exactly.
    add_feed(engine, value)
    assert [f["url"] for f in list_feeds(engine)] == [value.strip()]
    add_correction(engine, "reject_deal", value, comment=value)
    assert list_corrections(engine)[0].target == value
    assert len(view(engine)[0]) == 1  # no deal has that key: nothing rejected
    # Everything still there.
    assert store.counts(engine) == {"articles": 1, "organisations": 2, "deals": 1}
    assert store.article_detail(engine, "a1")["id"] == "a1"
    assert inspect(engine).has_table("deals")


@pytest.mark.postgres
@pytest.mark.model
def test_backends_agree_on_the_seed_corpus(tmp_path, request, extractor):
    """The same ingest gives the same frames on SQLite and PostgreSQL."""
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{secrets.token_hex(6)}"
    engines = [
        store.open_store(f"sqlite:///{tmp_path / 'a.db'}"),
        store.open_store(cluster.create_database(name)),
    ]
    try:
        frames = []
        for engine in engines:
            ingest_articles(engine, seed_articles(), extractor=extractor)
            frames.append(
                (
                    store.deals_frame(engine).drop(columns=["deal_id"]),
                    store.organisations_frame(engine).drop(columns=["id"]),
                    store.articles_frame(engine).drop(columns=["ingested_at"]),
                    store.mentions_frame(engine),
                )
            )
        for lite, pg in zip(*frames, strict=True):
            assert_frame_equal(lite, pg)
    finally:
        for engine in engines:
            engine.dispose()
        cluster.drop_database(name)


def test_articles_mentioning_counts_by_article(engine):
    store.save_extraction(engine, _result("a1"), fingerprint="f1")
    store.save_extraction(engine, _result("a2"), fingerprint="f1")
    found = store.articles_mentioning(engine, ["Alpha Bio", "Nobody"])
    assert sorted(found["article_id"]) == ["a1", "a2"]
    assert found["mentions"].tolist() == [1, 1]
    assert set(found.columns) >= {"title", "file", "source", "published", "date_source"}
    assert store.articles_mentioning(engine, []).empty
    assert store.articles_mentioning(engine, ["' OR 1=1 --", 'Alpha"; DROP TABLE x']).empty


# --- versioned schema ---------------------------------------------------------------------


def add_language_column(conn) -> None:
    conn.execute(text("ALTER TABLE articles ADD COLUMN language VARCHAR(8)"))
    conn.execute(text("UPDATE articles SET language = 'en'"))


LATEST = migrations.latest_version()
NEXT = LATEST + 1
WITH_LANGUAGE = (*migrations.MIGRATIONS, (NEXT, add_language_column))


def test_new_database_is_stamped_latest(engine):
    assert migrations.current_version(engine) == migrations.latest_version()
    with engine.connect() as conn:
        assert conn.execute(select(store.schema_info.c.version)).scalars().all() == [
            migrations.latest_version()
        ]
    assert migrations.upgrade(engine) == []  # up to date: nothing to do


def test_first_start_from_several_processes_at_once(db_url):
    """The app and a CLI ingest starting together on a brand-new database: the
    schema is created once, and every one of them gets a working store."""
    errors: list[BaseException] = []
    engines: list[Engine] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        try:
            barrier.wait()
            engines.append(store.open_store(db_url))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        with engines[0].connect() as conn:
            assert conn.execute(select(store.schema_info.c.version)).scalars().all() == [LATEST]
        store.save_extraction(engines[1], _result(), fingerprint="f")
        assert store.counts(engines[2])["deals"] == 1
    finally:
        for engine in engines:
            engine.dispose()


def test_upgrade_adds_column_and_keeps_rows(engine, db_url):
    store.save_extraction(engine, _result("a1"), fingerprint="f1")
    store.save_extraction(engine, _result("a2"), fingerprint="f1")
    assert migrations.current_version(engine) == LATEST
    assert migrations.upgrade(engine, WITH_LANGUAGE) == [NEXT]
    assert migrations.current_version(engine) == NEXT
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, language FROM articles ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("a1", "en"), ("a2", "en")]
    assert store.counts(engine) == {"articles": 2, "organisations": 2, "deals": 2}
    # Up to date now: left alone.
    with engine.begin() as conn:
        conn.execute(text("UPDATE articles SET language = 'fr' WHERE id = 'a2'"))
    assert migrations.upgrade(engine, WITH_LANGUAGE) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT language FROM articles WHERE id = 'a2'")).scalar() == "fr"
    # This code only knows the versions up to LATEST: it refuses the newer database.
    engine.dispose()
    with pytest.raises(
        migrations.SchemaError, match=f"schema version {NEXT}, newer than this Atlas"
    ):
        store.open_store(db_url)


def test_failed_migration_rolls_back(engine):
    store.save_extraction(engine, _result("a1"), fingerprint="f1")

    def half_done(conn) -> None:
        conn.execute(text("ALTER TABLE articles ADD COLUMN language VARCHAR(8)"))
        conn.execute(text("UPDATE articles SET no_such_column = 1"))

    with pytest.raises(Exception):  # noqa: B017 - the database's own error
        migrations.upgrade(engine, (*migrations.MIGRATIONS, (NEXT, half_done)))
    assert migrations.current_version(engine) == LATEST
    columns = {c["name"] for c in inspect(engine).get_columns("articles")}
    assert "language" not in columns  # the ALTER was rolled back with the step
    assert migrations.upgrade(engine, WITH_LANGUAGE) == [NEXT]
    assert store.counts(engine)["articles"] == 1


# Columns each version added to tables that existed before it: dropped again to
# make a database as that version's predecessor left it.
ADDED_COLUMNS = {
    3: {"data_state": ("store_id",), "ingest_runs": ("status", "host", "pid")},
    4: {"corrections": ("created_by", "undone_by"), "ingest_runs": ("started_by",)},
    5: {
        "deals": ("role", "deal_status", "assets", "terms_json", "value_usd", "upfront_usd"),
    },
}
# Tables each version added (version 2's data_state is handled apart).
ADDED_TABLES = {6: ("saved_views",), 7: ("jobs",)}


def make_old_store(db_url: str, version: int) -> None:
    """A database in the schema of ``version`` (stamped so): today's tables, less
    the tables and columns later versions added."""
    from sqlalchemy import create_engine

    old = create_engine(db_url)
    with old.begin() as conn:
        later = {t for added in range(version + 1, LATEST + 1) for t in ADDED_TABLES.get(added, ())}
        tables = [
            t
            for t in store.metadata.sorted_tables
            if (version >= 2 or t is not store.data_state) and t.name not in later
        ]
        store.metadata.create_all(conn, tables=tables)
        for added in range(version + 1, LATEST + 1):
            for table, columns in ADDED_COLUMNS.get(added, {}).items():
                if table == "data_state" and version < 2:
                    continue
                for column in columns:
                    conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        conn.execute(store.schema_info.insert().values(version=version))
    old.dispose()


def test_a_version_1_store_is_upgraded_to_the_change_counter_and_keeps_its_rows(db_url):
    """A team's store made by the first release (no ``data_state``) gets the counter
    on the next start, its rows intact, and writes count from there."""
    from sqlalchemy import create_engine, insert

    make_old_store(db_url, 1)
    old = create_engine(db_url)
    with old.begin() as conn:
        conn.execute(
            insert(store.articles).values(
                id="old1", file="old.txt", text="Old text.", ingested_at="2025-01-01T00:00:00"
            )
        )
    old.dispose()
    engine = store.open_store(db_url)
    try:
        assert migrations.current_version(engine) == LATEST
        assert store.data_generation(engine) == 0
        assert len(store.data_version(engine)[0]) == 32  # version 3 gave it an id
        assert count(engine, store.articles) == 1
        store.save_extraction(engine, _result("a1"), fingerprint="f1")
        assert store.data_generation(engine) == 1
        assert count(engine, store.articles) == 2
    finally:
        engine.dispose()


def test_a_version_2_store_gets_an_id_and_run_statuses_and_keeps_its_rows(db_url):
    """Version 3 on a store with rows: a random store id (another for another
    store), the change counter kept, finished runs "finished" and runs that never
    recorded an end "interrupted"; then new runs and writes work."""
    from sqlalchemy import create_engine

    make_old_store(db_url, 2)
    old = create_engine(db_url)
    with old.begin() as conn:
        conn.execute(text("INSERT INTO data_state (id, generation) VALUES (1, 7)"))
        conn.execute(
            text(
                "INSERT INTO ingest_runs (started_at, finished_at, ingested) VALUES "
                "('2025-01-01T00:00:00', '2025-01-01T00:01:00', 5), "
                "('2025-01-02T00:00:00', NULL, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO articles (id, file, text, ingested_at, ingest_run_id, "
                "date_source, is_digest, metadata_json, lexicon_fingerprint) VALUES "
                "('old1', 'old.txt', 'Old text.', '2025-01-01T00:00:30', 1, 'none', "
                "false, '{}', 'f0')"
            )
        )
    old.dispose()
    engine = store.open_store(db_url)
    try:
        assert migrations.current_version(engine) == LATEST
        store_id, generation = store.data_version(engine)
        assert generation == 7 and len(store_id) == 32 and int(store_id, 16) >= 0
        with engine.connect() as conn:
            statuses = conn.execute(
                select(store.ingest_runs.c.status).order_by(store.ingest_runs.c.id)
            ).scalars()
            assert list(statuses) == ["finished", "interrupted"]
        # Kept, and marked for re-extraction by version 5 (its deals lack their terms).
        assert store.stored_fingerprints(engine, ["old1"]) == {"old1": ""}
        store.save_extraction(engine, _result("a1"), fingerprint="f1")
        assert store.data_version(engine) == (store_id, 8)
        assert migrations.upgrade(engine) == []
        assert store.data_version(engine)[0] == store_id  # written once, never again
    finally:
        engine.dispose()
    other = store.open_store("sqlite://")
    assert store.data_version(other)[0] not in (None, store_id)


def test_a_version_3_store_records_editors_and_keeps_its_rows(db_url, rules_extractor):
    """Version 4 on a store with a correction and a run: both kept, their editor
    unknown (NULL); then corrections, undos and runs record who made them."""
    from sqlalchemy import create_engine

    from atlas.corrections import undo_correction

    make_old_store(db_url, 3)
    old = create_engine(db_url)
    with old.begin() as conn:
        conn.execute(text("INSERT INTO data_state (id, generation, store_id) VALUES (1, 2, 'x')"))
        conn.execute(
            text(
                "INSERT INTO ingest_runs (started_at, finished_at, status) VALUES "
                "('2025-01-01T00:00:00', '2025-01-01T00:01:00', 'finished')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO corrections (created_at, action, target, payload_json, comment) "
                "VALUES ('2025-01-01T00:02:00', 'rename_org', 'Alpha Bio', "
                "'{\"name\": \"Alpha\"}', 'old')"
            )
        )
    old.dispose()
    engine = store.open_store(db_url)
    try:
        assert migrations.current_version(engine) == LATEST
        [old_correction] = list_corrections(engine)
        assert (old_correction.payload, old_correction.comment) == ({"name": "Alpha"}, "old")
        assert old_correction.created_by is None
        assert store.last_run(engine)["started_by"] is None
        made = add_correction(engine, "reject_deal", "k1", by="alice")
        undo_correction(engine, made, by="bob")
        assert [(c.created_by, c.undone_by) for c in list_corrections(engine)] == [
            (None, None),
            ("alice", "bob"),
        ]
        reextract_all(engine, extractor=rules_extractor, started_by="carol")
        assert store.last_run(engine)["started_by"] == "carol"
    finally:
        engine.dispose()


def test_a_version_4_store_gets_deal_details_and_keeps_its_rows(db_url, rules_extractor):
    """Version 5 on a store with a deal: the deal kept with the defaults (main,
    agreed, no assets, no terms), its article marked for re-extraction (an ingest
    of it is no longer a duplicate); re-extraction then fills the new columns."""
    from sqlalchemy import create_engine

    from tests.test_store_terms import LICENCE_TEXT

    make_old_store(db_url, 4)
    old = create_engine(db_url)
    with old.begin() as conn:
        conn.execute(text("INSERT INTO data_state (id, generation, store_id) VALUES (1, 3, 'x')"))
        conn.execute(
            text(
                "INSERT INTO articles (id, file, text, published, ingested_at, date_source, "
                "is_digest, metadata_json, lexicon_fingerprint) VALUES ('old1', 'old.txt', "
                ":text, '2024-03-05', '2025-01-01T00:00:30', 'metadata', false, '{}', 'f0')"
            ),
            {"text": LICENCE_TEXT},
        )
        conn.execute(
            text(
                "INSERT INTO organisations (name, key, kind, in_lexicon) VALUES "
                "('Alpha Bio', 'alpha bio', 'company', false), "
                "('Beta Pharma', 'beta pharma', 'company', false)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO deals (article_id, item_index, type, also_types, evidence, "
                "deal_date, confidence, trigger, deal_key, therapeutic_areas, countries) "
                "VALUES ('old1', 0, 'licensing', '', 'Alpha Bio licensed it to Beta Pharma.', "
                "'2024-03-05', 0.9, 'licensed', 'k-old', '', '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO deal_parties (deal_id, organisation_id, position) "
                "SELECT d.id, o.id, CASE WHEN o.name = 'Alpha Bio' THEN 0 ELSE 1 END "
                "FROM deals d, organisations o"
            )
        )
    old.dispose()
    engine = store.open_store(db_url)
    try:
        assert migrations.current_version(engine) == LATEST
        assert store.data_version(engine) == ("x", 3)
        [deal] = store.deals_frame(engine).to_dict("records")
        assert (deal["deal_key"], deal["parties"]) == ("k-old", ["Alpha Bio", "Beta Pharma"])
        assert (deal["role"], deal["deal_status"], deal["assets"], deal["terms"]) == (
            "main",
            "agreed",
            [],
            {},
        )
        assert pd.isna(deal["value_usd"]) and pd.isna(deal["upfront_usd"])
        assert deal["article_published"] == "2024-03-05"
        assert store.stored_fingerprints(engine, ["old1"]) == {"old1": ""}
        reextract_all(engine, extractor=rules_extractor)
        [deal] = store.deals_frame(engine).to_dict("records")
        assert deal["terms"]["upfront"]["usd"] == 40_000_000
        assert deal["value_usd"] == 40_000_000 + 600_000_000
        assert deal["assets"] == ["ZK-2291"]
    finally:
        engine.dispose()


def test_a_version_5_store_gets_saved_views_and_keeps_its_rows(db_url):
    """Version 6 on a store with an article and a correction: both kept, the change
    counter untouched, and views can be saved, ordered and stepped through."""
    from sqlalchemy import create_engine

    from atlas.saved_views import list_views, move_view, save_view, step_from

    make_old_store(db_url, 5)
    old = create_engine(db_url)
    with old.begin() as conn:
        assert not inspect(conn).has_table("saved_views")
        conn.execute(text("INSERT INTO data_state (id, generation, store_id) VALUES (1, 7, 'x')"))
        conn.execute(
            text(
                "INSERT INTO articles (id, file, text, ingested_at, date_source, is_digest, "
                "metadata_json, lexicon_fingerprint) VALUES ('old1', 'old.txt', 'Some text.', "
                "'2025-01-01T00:00:30', 'none', false, '{}', 'f0')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO corrections (created_at, action, target, payload_json, comment, "
                "created_by) VALUES ('2025-01-02T00:00:00', 'rename_org', 'A', '{}', '', 'dan')"
            )
        )
    old.dispose()
    engine = store.open_store(db_url)
    try:
        assert migrations.current_version(engine) == LATEST
        assert store.data_version(engine) == ("x", 7)
        assert store.counts(engine)["articles"] == 1
        assert [c.created_by for c in list_corrections(engine)] == ["dan"]
        assert list_views(engine) == []
        first, _ = save_view(engine, "First", "timeline", {"period": "Quarter"}, by="dan")
        second, _ = save_view(engine, "Second", "network", {"focus": "Astellas"})
        move_view(engine, second.id, -1)
        views = list_views(engine)
        assert [v.name for v in views] == ["Second", "First"]
        assert step_from(views, second.id, +1).params == {"period": ("Quarter",)}
        assert store.data_version(engine) == ("x", 7)  # views are no data change
    finally:
        engine.dispose()


def test_every_write_counts_and_reads_do_not(engine):
    assert store.data_generation(engine) == 0
    store.save_extraction(engine, _result("a1"), fingerprint="f1")
    assert store.data_generation(engine) == 1
    store.save_extractions(engine, [_result("a2"), _result("a3")], fingerprint="f1")
    assert store.data_generation(engine) == 2
    correction = add_correction(engine, "rename_org", "Alpha Bio", {"name": "Alpha"})
    assert store.data_generation(engine) == 3
    from atlas.corrections import undo_correction

    undo_correction(engine, correction)
    assert store.data_generation(engine) == 4
    view(engine)
    store.articles_frame(engine)
    assert store.data_generation(engine) == 4


def test_bad_migration_lists_are_refused(engine):
    with pytest.raises(ValueError, match="1, 2, 3"):
        migrations.upgrade(engine, ((1, None), (3, add_language_column)))
    with pytest.raises(ValueError, match="needs a step"):
        migrations.upgrade(engine, ((1, None), (2, None)))
