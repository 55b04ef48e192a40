"""Background jobs (issue 13, point 4): one job at a time per store, a worker process
that a kill leaves resumable, progress from the CLI and on every page, escaped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select, update

from atlas import jobs, migrations, store
from atlas.cli import main
from atlas.safe_text import markdown_text
from tests.conftest import HOSTILE_TITLE, ROOT, make_article
from tests.pg import engine_on_each_backend, postgres_cluster  # noqa: F401 - fixtures

_STEMS = ["Quil", "Mar", "Tess", "Orv", "Zent", "Kel", "Vard", "Lum", "Sorb", "Nex"]
_ENDS = ["ara", "endo", "aly", "ane", "rix", "ova"]
NAMES = [f"{s}{e} Therapeutics" for s in _STEMS for e in _ENDS]


def invented_articles(count: int) -> list:
    """``count`` short news articles about invented companies, each text its own."""
    return [
        make_article(
            f"{NAMES[i % len(NAMES)]} has signed an exclusive licence agreement with "
            f"{NAMES[(i * 7 + 3) % len(NAMES)]} for programme {i}. The deal covers Japan and "
            f"Europe. Story number {i} was reported on day {i % 28 + 1}.",
            file=f"story{i:04d}.txt",
            published="2025-03-01",
        )
        for i in range(count)
    ]


def filled_store(tmp_path, extractor, count: int) -> str:
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    engine = store.open_store(url)
    for result in extractor.extract_many(invented_articles(count)):
        store.save_extraction(engine, result, fingerprint=extractor.fingerprint)
    engine.dispose()
    return url


def dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


# --- one job at a time, and a dead one seen as dead ----------------------------------


def test_a_second_job_is_refused_while_one_runs_and_allowed_once_it_died(engine):
    first = jobs.start_job(engine, jobs.REEXTRACT, started_by="dan")
    assert first.running and jobs.active_job(engine).id == first.id
    with pytest.raises(jobs.JobRefused, match="another job holds this store"):
        jobs.start_job(engine, jobs.UPLOAD, label="x")
    with pytest.raises(jobs.JobRefused):
        jobs.resume_job(engine, first.id)  # running: nothing to resume
    # Its process killed (a pid that no longer runs): interrupted, and the store is free.
    with engine.begin() as conn:
        conn.execute(
            update(store.jobs)
            .where(store.jobs.c.id == first.id)
            .values(pid=dead_pid(), phase="extracting", done=3, total=10)
        )
    dead = jobs.get_job(engine, first.id)
    assert dead.status == jobs.INTERRUPTED and dead.resumable
    assert dead.line() == "Re-extraction interrupted after 3 of 10 articles (its process stopped)"
    assert jobs.active_job(engine) is None
    second = jobs.start_job(engine, jobs.UPLOAD, label="two files")
    with pytest.raises(jobs.JobRefused):
        jobs.resume_job(engine, first.id)  # the second holds the store now
    jobs.cancel_job(engine, second.id)
    assert jobs.get_job(engine, second.id).cancel_requested


def test_the_latest_job_of_a_kind_is_found_behind_many_of_another(engine):
    """A page's panel shows its own kind's latest job however many others came after."""
    reextraction = jobs.start_job(engine, jobs.REEXTRACT)
    jobs.cancel_job(engine, reextraction.id)
    with engine.begin() as conn:  # ended, so the store is free for the uploads after it
        conn.execute(
            update(store.jobs).where(store.jobs.c.id == reextraction.id).values(pid=dead_pid())
        )
    for n in range(25):
        upload = jobs.start_job(engine, jobs.UPLOAD, label=f"batch {n}")
        with engine.begin() as conn:
            conn.execute(
                update(store.jobs).where(store.jobs.c.id == upload.id).values(pid=dead_pid())
            )
    assert [j.id for j in jobs.list_jobs(engine, limit=1, kind=jobs.REEXTRACT)] == [reextraction.id]
    assert len(jobs.list_jobs(engine, kind=jobs.UPLOAD)) == 20
    assert all(j.kind == jobs.UPLOAD for j in jobs.list_jobs(engine, limit=100, kind=jobs.UPLOAD))


def test_claims_from_many_threads_at_once_start_one_job(engine):
    """Two sessions (or servers) pressing the button together: one job, the rest refused."""
    import threading

    started, refused = [], []

    def claim() -> None:
        try:
            started.append(jobs.start_job(engine, jobs.REEXTRACT).id)
        except jobs.JobRefused:
            refused.append(1)

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(started) == 1 and len(refused) == 5


def test_a_claimed_job_whose_worker_never_came_is_dead(engine):
    job = jobs.start_job(engine, jobs.REEXTRACT)
    long_ago = "2020-01-01T00:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(update(store.jobs).values(updated_at=long_ago, resumed_at=long_ago))
    assert jobs.get_job(engine, job.id).status == jobs.INTERRUPTED


@pytest.mark.parametrize(
    ("done", "total", "seconds", "expected"),
    [
        (12_400, 100_000, 12 * 60, "about 1 h 25 min"),  # hours and minutes
        (500, 1_000, 30 * 60, "about 30 min"),
        (999, 1_000, 60, "less than a minute"),
    ],
)
def test_time_left_comes_from_this_attempts_speed(done, total, seconds, expected):
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 1, 1, tzinfo=UTC)
    job = jobs.Job(
        1, jobs.REEXTRACT, None, {}, jobs.RUNNING, "extracting", total, done, 0,
        "x", (now - timedelta(seconds=seconds)).isoformat(), None, None, None, None, None,
        False, None,
    )  # fmt: skip
    assert job.line(now) == f"Re-extracting: {done:,} of {total:,} articles, {expected} left"


# --- the worker ----------------------------------------------------------------------


def wait_for(condition, *, timeout: float, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(every)
    raise AssertionError("timed out")


@pytest.mark.model
def test_a_killed_reextraction_resumes_and_does_each_article_once(
    tmp_path, rules_extractor, extractor
):
    """The worker runs in its own process; killed mid-way it shows as interrupted,
    cancelled it stops, and resumed it does only what is left: every article is
    re-extracted exactly once over all its attempts."""
    count = 300
    url = filled_store(tmp_path, rules_extractor, count)
    engine = store.open_store(url)
    job = jobs.start_job(engine, jobs.REEXTRACT, started_by="dan")
    worker = jobs.launch(engine, job.id)
    mid = wait_for(
        lambda: (j := jobs.get_job(engine, job.id)).done > 0 and j, timeout=240, every=0.02
    )
    assert mid.running and mid.total == count and mid.done < count
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its extraction processes
    killed = wait_for(lambda: (j := jobs.get_job(engine, job.id)).status != jobs.RUNNING and j,
                      timeout=30)  # fmt: skip
    assert killed.status == jobs.INTERRUPTED and killed.done < count
    assert "interrupted after" in killed.line()

    # Resumed here, in the foreground, and cancelled after some progress.
    jobs.resume_job(engine, job.id, started_by="eve")
    seen: list[int] = []

    def cancel_soon(done: int, total: int, _name: str) -> None:
        seen.append(done)
        if len(seen) == 3:
            jobs.cancel_job(engine, job.id)

    # The worker's pipeline (same lexicon and models: what it did counts as done).
    cancelled = jobs.run_job(engine, job.id, extractor=extractor, n_process=1, progress=cancel_soon)
    assert cancelled.status == jobs.CANCELLED and seen[0] > killed.done - 1

    # Resumed again to the end.
    jobs.resume_job(engine, job.id)
    finished = jobs.run_job(engine, job.id, extractor=extractor, n_process=1)
    assert finished.status == jobs.FINISHED and finished.done == count
    assert finished.started_by == "eve"  # who resumed it last
    since = finished.params["since_run"]
    with engine.connect() as conn:
        updated = conn.execute(
            select(func.sum(store.ingest_runs.c.updated)).where(store.ingest_runs.c.id >= since)
        ).scalar()
        runs = conn.execute(select(func.count()).where(store.ingest_runs.c.id >= since)).scalar()
    assert updated == count and runs == 3  # killed, cancelled, finished: nothing twice
    assert worker.wait(timeout=5) == -signal.SIGKILL
    engine.dispose()


def test_an_upload_job_ingests_its_articles_and_skips_them_the_second_time(
    engine, rules_extractor, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # a server store's job folder
    articles = invented_articles(4)
    job = jobs.start_upload_job(engine, articles, label="four files", started_by="dan")
    assert (jobs.job_folder(engine, job.id) / jobs.ARTICLES_FILE).exists()
    assert list(jobs.read_articles(jobs.job_folder(engine, job.id))) == articles
    done = jobs.run_job(engine, job.id, extractor=rules_extractor, n_process=1)
    assert done.status == jobs.FINISHED and (done.done, done.total) == (4, 4)
    assert done.message.startswith("ingested 4, duplicates skipped 0")
    assert store.counts(engine)["articles"] == 4
    assert not (jobs.job_folder(engine, job.id) / jobs.ARTICLES_FILE).exists()  # not kept
    again = jobs.start_upload_job(engine, articles, label="again", started_by="dan")
    assert jobs.run_job(
        engine, again.id, extractor=rules_extractor, n_process=1
    ).message.startswith("ingested 0, duplicates skipped 4")


def test_an_in_memory_store_refuses_jobs(memory_store):
    with pytest.raises(jobs.JobRefused, match="in-memory"):
        jobs.start_job(memory_store, jobs.REEXTRACT)


# --- schema version 7 ----------------------------------------------------------------


def test_a_version_6_store_gets_the_jobs_table_and_keeps_its_rows(engine):
    from sqlalchemy import inspect, text

    url = engine.url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE jobs"))
        conn.execute(store.schema_info.delete())
        conn.execute(store.schema_info.insert().values(version=6))
    store.save_extraction(engine, _one_result(), fingerprint="f0")
    engine.dispose()
    upgraded = store.open_store(url)
    try:
        assert migrations.current_version(upgraded) == 7
        with upgraded.connect() as conn:
            assert inspect(conn).has_table("jobs")
        assert store.counts(upgraded)["articles"] == 1
        job = jobs.start_job(upgraded, jobs.REEXTRACT)
        assert jobs.list_jobs(upgraded) == [job]
    finally:
        upgraded.dispose()


def _one_result():
    from atlas.models import ExtractionResult

    return ExtractionResult(make_article("Some text.", file="old.txt"), {}, [], [])


# --- the CLI -------------------------------------------------------------------------


def test_cli_lists_shows_cancels_and_refuses(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    assert main(["--db", url, "jobs"]) == 0
    assert "no jobs yet" in capsys.readouterr().out
    assert main(["--db", url, "jobs", "cancel"]) == 1
    assert "no job is running" in capsys.readouterr().out
    engine = store.open_store(url)
    job = jobs.start_job(engine, jobs.UPLOAD, label="feed <b>", started_by="dan", total=40)
    assert main(["--db", url, "jobs"]) == 0
    assert f"{job.id:>4}  upload    running" in capsys.readouterr().out
    assert main(["--db", url, "jobs", "status"]) == 0
    assert "Ingesting feed <b>: starting ..." in capsys.readouterr().out
    # The store is held: a re-extraction is refused in one line, exit code 2.
    assert main(["--db", url, "reextract", "--background"]) == 2
    assert "another job holds this store" in capsys.readouterr().err
    assert main(["--db", url, "jobs", "cancel", str(job.id)]) == 0
    assert "asked to stop" in capsys.readouterr().out
    assert main(["--db", url, "jobs", "resume", "99"]) == 2
    assert "there is no job 99" in capsys.readouterr().err
    engine.dispose()


@pytest.mark.model
def test_cli_reextract_in_the_background_then_status(tmp_path, rules_extractor):
    url = filled_store(tmp_path, rules_extractor, 3)
    env = {**os.environ, "ATLAS_DB_URL": url}
    run = [sys.executable, "-m", "atlas"]
    started = subprocess.run(
        [*run, "reextract", "--background"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert started.returncode == 0 and "started in the background" in started.stdout
    engine = store.open_store(url)
    finished = jobs.wait(engine, jobs.latest_job(engine).id, timeout=300)
    assert finished.status == jobs.FINISHED, finished
    status = subprocess.run(
        [*run, "jobs", "status"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "Re-extraction finished: re-extracted 3 articles" in status.stdout
    engine.dispose()


# --- the app -------------------------------------------------------------------------


@pytest.fixture
def job_store(seeded_db_url, tmp_path, monkeypatch):
    import shutil

    import streamlit as st

    from components import data

    target = tmp_path / "atlas.db"
    shutil.copy(seeded_db_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("ATLAS_DB_URL", url)
    st.cache_data.clear()
    data.clear_caches()
    return url


def test_every_page_shows_the_running_jobs_line_escaped_and_clears_caches_at_its_end(job_store):
    from streamlit.testing.v1 import AppTest

    from components import jobs as job_ui

    engine = store.open_store(job_store)
    hostile = f"{HOSTILE_TITLE} [x](javascript:alert(1))"
    job = jobs.start_job(engine, jobs.FEEDS, label=hostile, started_by="dan")
    with engine.begin() as conn:
        conn.execute(update(store.jobs).values(phase="extracting", done=12, total=40))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    for page in ("views/overview.py", "views/network.py", "views/corrections.py"):
        at.switch_page(page).run()
        assert not at.exception, at.exception
        lines = [c.value for c in at.sidebar.caption]
        expected = markdown_text(f"Reading feeds {hostile}: 12 of 40 articles")
        assert [line for line in lines if line.startswith(expected)], lines  # then time left
        assert at.sidebar.get("progress")[0].value == 30
    # The job ends: the line goes, and the caches are cleared once for the new data.
    cleared = []
    original = job_ui.data.clear_caches
    job_ui.data.clear_caches = lambda: (cleared.append(1), original())[1]
    try:
        jobs._finish(engine, job.id, jobs.FINISHED, "ingested 40")
        at.run()
        at.run()
    finally:
        job_ui.data.clear_caches = original
    assert not at.exception
    assert not [c for c in at.sidebar.caption if "Reading feeds" in c.value]
    assert cleared == [1]
    engine.dispose()


def test_corrections_page_starts_a_job_that_holds_the_store(job_store):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("views/corrections.py").run()
    engine = store.open_store(job_store)
    other = jobs.start_job(engine, jobs.UPLOAD, label="someone else's upload")
    at.button(key="corrections_reextract").click().run()
    assert not at.exception
    assert any("another job holds this store" in w.value for w in at.warning)
    jobs._finish(engine, other.id, jobs.CANCELLED, None)
    at.run()
    # The cancelled upload is no re-extraction: the panel shows nothing of it.
    assert not [b for b in at.button if b.key == "corrections_reextract_job_resume"]
    engine.dispose()
