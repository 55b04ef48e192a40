"""The store under an unlucky or careless team (issue 14, points 1, 11, 12 and 13):
a store deleted and made again, ingests racing each other, broken databases and
addresses, a store on a read-only filesystem. SQLite files and a real PostgreSQL."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from atlas import snapshot, store
from atlas.models import Deal
from tests.conftest import ROOT
from tests.pg import postgres_cluster  # noqa: F401 - a pytest fixture used by name
from tests.test_store import _result

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@dataclass
class Remade:
    """A store address, and a way to delete the store there and leave nothing."""

    url: str
    delete: Callable[[], None]


@pytest.fixture(params=BACKENDS)
def remade(request, tmp_path, monkeypatch) -> Iterator[Remade]:
    """An address on each backend whose store can be deleted: the SQLite file (its
    prepared tables stay beside it in ``atlas.db.cache/``), or a PostgreSQL
    database dropped (its prepared tables stay in the user's cache folder)."""
    monkeypatch.delenv("ATLAS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if request.param == "sqlite":
        path = tmp_path / "atlas.db"

        def delete() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        yield Remade(f"sqlite:///{path}", delete)
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{secrets.token_hex(6)}"
    url = cluster.create_database(name)

    def drop_and_create() -> None:
        cluster.drop_database(name)
        cluster.create_database(name)

    yield Remade(url, drop_and_create)
    cluster.drop_database(name)


def _fill(url: str, prefix: str, deals_each: int) -> None:
    """Three articles (the change counter ends at 3) with ``deals_each`` deals each."""
    engine = store.open_store(url)
    for n in range(3):
        # Three years apart: separate agreements, never one consolidated deal.
        deals = [
            Deal(
                ("Alpha Bio", "Beta Pharma"),
                "licensing",
                f"Alpha Bio licensed asset {n}-{k}.",
                deal_date=str(1980 + 3 * (n * deals_each + k)),
                date_precision="year",
                date_source="sentence",
            )
            for k in range(deals_each)
        ]
        store.save_extraction(engine, _result(f"{prefix}{n}", deals=deals), fingerprint="f")
    assert store.data_generation(engine) == 3
    engine.dispose()


# --- 1. prepared tables of a deleted store ------------------------------------------


def test_prepared_tables_of_a_deleted_store_are_not_served(remade):
    """Same address, same change counter, another store: the old store's prepared
    tables (still on disk) must not be read for the new one."""
    _fill(remade.url, "old", deals_each=4)
    engine = store.open_store(remade.url)
    old_id = store.data_version(engine)[0]
    assert len(snapshot.dashboard_tables(engine)[0]) == 12
    engine.dispose()
    folder = snapshot.cache_dir(remade.url)
    assert list(folder.glob(f"{snapshot.STATE}-*.pickle")), "the old tables are kept on disk"

    remade.delete()
    _fill(remade.url, "new", deals_each=1)
    engine = store.open_store(remade.url)
    try:
        assert store.data_version(engine)[0] != old_id
        deals, _ = snapshot.dashboard_tables(engine)
        assert len(deals) == 3
        assert set(deals["article_id"]) == {"new0", "new1", "new2"}
    finally:
        engine.dispose()


def _overview_deals() -> str:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return next(m.value for m in at.metric if m.label == "Deals")


def test_the_running_app_shows_the_new_store_not_the_deleted_one(remade, monkeypatch):
    """The app keeps its engine and tables in memory across reruns: after the store
    is deleted and made again under the same address it must show the new one."""
    import streamlit as st

    from components import data

    monkeypatch.setenv("ATLAS_DB_URL", remade.url)
    st.cache_data.clear()
    data.clear_caches()
    _fill(remade.url, "old", deals_each=4)
    assert _overview_deals() == "12"
    remade.delete()
    _fill(remade.url, "new", deals_each=1)
    assert _overview_deals() == "3"


# --- 11. ingests racing each other ------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A brand-new database: a SQLite file, or a database on the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'atlas.db'}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{secrets.token_hex(6)}"
    yield cluster.create_database(name)
    cluster.drop_database(name)


def _runs(url: str) -> list[dict]:
    from sqlalchemy import select

    engine = store.open_store(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(store.ingest_runs).order_by(store.ingest_runs.c.id))
            return [dict(row) for row in rows.mappings()]
    finally:
        engine.dispose()


@pytest.mark.model
def test_concurrent_ingests_of_overlapping_folders(db_url, tmp_path):
    """Two `python -m atlas ingest` processes over the same articles at once (one of
    them with ten more): both exit 0, every article is stored once, and the two runs'
    summaries add up to what is stored (an article one run stored is a duplicate to
    the other, never "new" twice)."""
    from tests.test_crash_and_concurrency import _ingest, _state, _write_articles

    shared, extra = tmp_path / "shared", tmp_path / "extra"
    _write_articles(shared, range(0, 30))
    _write_articles(extra, range(30, 40))
    procs = [_ingest(db_url, shared), _ingest(db_url, shared, extra)]
    results = [p.communicate(timeout=600) for p in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err[-3000:]
        assert "Traceback" not in err and "UniqueViolation" not in err, err[-3000:]
    assert _state(db_url)["articles"] == 40
    runs = _runs(db_url)
    assert [r["status"] for r in runs] == ["finished", "finished"]
    assert sum(r["ingested"] for r in runs) == 40
    assert sorted(r["ingested"] + r["duplicates"] for r in runs) == [30, 40]
    assert [r["updated"] for r in runs] == [0, 0]


@pytest.mark.model
def test_a_killed_ingest_shows_as_interrupted_with_what_it_stored(db_url, tmp_path, monkeypatch):
    """SIGKILL leaves no chance to record the end: the run is shown "running" while its
    process lives and "interrupted" after, with the articles it did store (not "0 new"),
    in the store and on the Overview."""
    import signal
    import time

    import streamlit as st

    from components import data
    from tests.test_crash_and_concurrency import _ingest, _write_articles

    folder = tmp_path / "articles"
    _write_articles(folder, range(60))
    engine = store.open_store(db_url)
    proc = _ingest(db_url, folder)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if store.counts(engine)["articles"] >= 5:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed"
    assert store.last_run(engine)["status"] == "running"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    try:
        run = store.last_run(engine)
        stored = store.counts(engine)["articles"]
        assert run["status"] == "interrupted" and not run["finished_at"]
        assert 5 <= run["ingested"] == stored < 60
    finally:
        engine.dispose()
    monkeypatch.setenv("ATLAS_DB_URL", db_url)
    st.cache_data.clear()
    data.clear_caches()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption if c.value.startswith("Last ingest")]
    assert len(captions) == 1 and f"(interrupted): {stored} new" in captions[0], captions


def test_an_ingest_stopped_by_an_error_is_interrupted(tmp_path):
    """An error inside the run (here the extractor's) records the run as interrupted."""
    from atlas.ingest import ingest_articles
    from tests.conftest import make_article

    class Failing:
        fingerprint = "f"

        def extract_many(self, articles, **_options):
            for _article in articles:
                raise RuntimeError("the pipeline broke")
            yield from ()

    engine = store.open_store(f"sqlite:///{tmp_path / 'atlas.db'}")
    with pytest.raises(RuntimeError, match="pipeline broke"):
        ingest_articles(engine, [make_article("Alpha Bio signed.")], extractor=Failing())
    run = store.last_run(engine)
    assert run["status"] == "interrupted" and run["finished_at"]
    engine.dispose()


# --- 12. a broken store or address: one line, one box -----------------------------------

PASSWORD = "s3cretpw"


def _corrupt_file(tmp_path: Path) -> str:
    path = tmp_path / "atlas.db"
    path.write_bytes(b"this is not a database, it was overwritten by accident\n" * 200)
    return f"sqlite:///{path}"


def _version_zero(tmp_path: Path) -> str:
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    engine = store.open_store(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE schema_info SET version = 0"))
    engine.dispose()
    return url


# (id, how the address is made, what the one line must say). Each is a way a team
# has broken it: the reasons must be told apart, and the password never shown.
BROKEN = [
    ("corrupt-file", _corrupt_file, "damaged or not a database"),
    ("version-0", _version_zero, "schema version is 0"),
    ("no-scheme", lambda _tmp: "atlas.db", "not valid"),
    ("bad-port", lambda _tmp: f"postgresql+psycopg://atlas:{PASSWORD}@db:port/atlas", "not valid"),
    ("unknown-kind", lambda _tmp: f"mysqlish://atlas:{PASSWORD}@db/atlas", "kind of database"),
    ("no-driver", lambda _tmp: f"postgresql+psycopg2://atlas:{PASSWORD}@127.0.0.1/atlas", "driver"),
    (
        "refused",
        lambda _tmp: f"postgresql+psycopg://atlas:{PASSWORD}@127.0.0.1:1/atlas",
        "Connection refused",
    ),
]


def _cli(db: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "atlas", "--db", db, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(("make", "says"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
@pytest.mark.parametrize("command", [("stats",), ("ingest", "--quiet", "no-such-folder")])
def test_cli_says_what_is_wrong_in_one_line(tmp_path, make, says, command):
    done = _cli(make(tmp_path), *command)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert says in lines[0], lines[0]
    assert PASSWORD not in done.stderr + done.stdout


@pytest.mark.postgres
def test_cli_version_0_on_postgresql(request):
    from sqlalchemy import text

    cluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{secrets.token_hex(6)}"
    url = cluster.create_database(name)
    try:
        engine = store.open_store(url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE schema_info SET version = 0"))
        engine.dispose()
        done = _cli(url, "stats")
        assert done.returncode == 2
        assert done.stderr.startswith("error: the database's schema version is 0")
        assert len(done.stderr.strip().splitlines()) == 1
        assert cluster.password not in done.stderr
    finally:
        cluster.drop_database(name)


def _everything_shown(at: AppTest) -> str:
    """The text of every element the app drew (protobufs, so nothing is missed)."""

    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return "\n".join(str(getattr(node, "proto", "")) for node in walk(at._tree))


@pytest.mark.parametrize(("make", "says"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
@pytest.mark.parametrize("page", [None, "views/add_articles.py", "views/corrections.py"])
def test_app_shows_one_error_box(tmp_path, monkeypatch, make, says, page):
    import streamlit as st

    from components import data

    monkeypatch.setenv("ATLAS_DB_URL", make(tmp_path))
    st.cache_data.clear()
    data.clear_caches()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    assert len(at.error) == 1
    box = at.error[0].value.replace("\\", "")
    assert box.startswith("The store cannot be opened: ") and says in box, box
    shown = _everything_shown(at)
    assert PASSWORD not in shown and "Traceback" not in shown


# --- 13. a store on a read-only filesystem ----------------------------------------------

# Run inside a private mount namespace where the store's folder is bind-mounted
# read-only: the tests run as root, which chmod does not stop, but a read-only mount
# stops everyone (EROFS). argv: the store's folder, its article and deal counts.
READ_ONLY_CHECK = r"""
import json, os, subprocess, sys
from pathlib import Path

folder, articles, deals = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
url = f"sqlite:///{folder / 'atlas.db'}"
os.environ["ATLAS_DB_URL"] = url
os.environ.pop("ATLAS_CACHE_DIR", None)  # the prepared tables beside the store
try:
    (folder / "probe").write_text("x")
    raise SystemExit("the folder is writable: the check would prove nothing")
except OSError as error:
    assert error.errno == 30, error  # EROFS, also for root

from atlas import snapshot, store
from tests.test_store import _result

engine = store.open_store(url)
assert store.is_read_only(engine)
assert store.counts(engine)["articles"] == articles
assert len(snapshot.dashboard_tables(engine)[0]) == deals
try:
    store.save_extraction(engine, _result("x1"), fingerprint="f")
    raise SystemExit("a write went through")
except Exception as error:
    assert "read-only" in store.describe_error(error), store.describe_error(error)

cli = subprocess.run(
    [sys.executable, "-m", "atlas", "--db", url, "ingest", "--quiet", str(folder)],
    capture_output=True, text=True, check=False,
)
assert cli.returncode == 2 and cli.stderr.count("\n") == 1, cli.stderr
assert "the store is read-only" in cli.stderr and "cannot take articles" in cli.stderr

from streamlit.testing.v1 import AppTest
from components.editing import READ_ONLY_NOTE

at = AppTest.from_file(os.path.abspath("app.py"), default_timeout=90)  # cwd: the project
at.run()
assert not at.exception, at.exception
assert next(m.value for m in at.metric if m.label == "Deals") == str(deals)
assert [i.value for i in at.sidebar.info] == [READ_ONLY_NOTE]
at.switch_page("views/add_articles.py").run()
assert not at.exception, at.exception
assert READ_ONLY_NOTE in [i.value for i in at.main.info]
assert at.button(key="add_upload_go").disabled
for page in ("views/corrections.py", "views/deals.py", "views/companies.py"):
    at.switch_page(page).run()
    assert not at.exception, (page, at.exception)


def write_anyway():
    import streamlit as st
    from components import editing

    editing.require()
    st.write("written")


forced = AppTest.from_function(write_anyway, default_timeout=60)
forced.run()
assert not forced.exception, forced.exception
assert [e.value for e in forced.error] == [READ_ONLY_NOTE]
assert not forced.markdown, "went past the refusal"
print("read-only checks passed")
"""


def _mount_namespaces_work() -> str | None:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("mount"):
        return "needs root with unshare and mount (a read-only bind mount)"
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o ro none /mnt"],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if probe.returncode == 0 else f"cannot mount: {probe.stderr.strip()}"


def _hold_wal(path: Path):
    """A connection that keeps the store's -wal file (and the articles in it) alive:
    written to by others, never checkpointed by its own close while it is open."""
    import sqlite3

    holder = sqlite3.connect(path)
    holder.execute("SELECT count(*) FROM articles").fetchone()
    return holder


@pytest.mark.parametrize("wal", [False, True], ids=["closed-cleanly", "with-wal"])
def test_a_store_on_a_read_only_filesystem_is_read_and_refuses_edits(tmp_path, monkeypatch, wal):
    """A store copied to a read-only filesystem: read (``immutable=1`` when SQLite
    closed it cleanly, ``mode=ro`` when its -wal file holds articles), every page
    works, the app says edits are disabled and refuses one, the CLI refuses an
    ingest in one line."""
    reason = _mount_namespaces_work()
    if reason:
        pytest.skip(reason)
    monkeypatch.delenv("ATLAS_CACHE_DIR", raising=False)  # prepared tables beside the store
    source, view = tmp_path / "source", tmp_path / "view"
    view.mkdir()
    source.mkdir()
    path = source / "atlas.db"
    url = f"sqlite:///{path}"
    store.open_store(url).dispose()
    holder = _hold_wal(path) if wal else None
    _fill(url, "a", deals_each=2)
    engine = store.open_store(url)
    snapshot.dashboard_tables(engine)  # its prepared tables beside it, as ingest leaves them
    engine.dispose()
    assert Path(f"{path}-wal").exists() == wal
    if wal:
        copy = tmp_path / "copy"
        shutil.copytree(source, copy)  # taken while the -wal holds the articles
        holder.close()
        shutil.rmtree(source)
        copy.rename(source)
        assert Path(f"{path}-wal").stat().st_size > 0
    script = tmp_path / "check.py"
    script.write_text(READ_ONLY_CHECK)
    done = subprocess.run(
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            f'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && '
            f'exec "{sys.executable}" "$3" "$2" 3 6',
            "check",
            str(source),
            str(view),
            str(script),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0 and "read-only checks passed" in done.stdout, (
        done.stdout[-2000:] + done.stderr[-4000:]
    )
