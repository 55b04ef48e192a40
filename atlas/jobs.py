"""Long work as a job: a worker process re-extracts the store, ingests a large upload
or reads feeds while the app stays usable, and every page shows how far it got.

- **One job at a time per store.** A job is a row of the ``jobs`` table; starting
  or resuming one takes a lock in the store (SQLite's write lock, a PostgreSQL
  advisory lock), checks that no live job holds the store, and claims it, so two
  sessions or two servers never start two.
- **A worker process** (``python -m atlas jobs run ID``, started by the app or the
  CLI, or run in the foreground by ``python -m atlas reextract``) does the work
  with ``WORKER_PROCESSES`` extraction processes and writes ``done`` of ``total``
  into its row as it goes.
- **Killed is seen as dead.** A job still marked running is alive while its process
  is (its host and pid; on PostgreSQL also an advisory lock its session holds, gone
  with the process wherever it ran; for another host of a SQLite store, a heartbeat
  at most ``STALE_AFTER_S`` old). A dead job is *interrupted*: resume it (the ingest
  skips what is stored under the same fingerprint; a re-extraction skips what it
  did, ``atlas.ingest.articles_to_reextract``) or start another.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, text, update
from sqlalchemy.engine import Connection, make_url

from atlas.models import Article, ArticleItem
from atlas.schema import StoreError, jobs
from atlas.store.rows import inserted_id, now_iso
from atlas.store.runs import host_name

REEXTRACT, UPLOAD, FEEDS = "reextract", "upload", "feeds"
KINDS = (REEXTRACT, UPLOAD, FEEDS)
RUNNING, FINISHED, FAILED, CANCELLED, INTERRUPTED = (
    "running",
    "finished",
    "failed",
    "cancelled",
    "interrupted",
)
WORKER_PROCESSES = 2  # the extraction processes a worker runs (as `ingest --processes 2`)
STALE_AFTER_S = 300  # a job of another host of a SQLite store without a heartbeat this long is dead
HEARTBEAT_S = 10
START_TIMEOUT_S = 120  # a claimed job whose worker has not begun by then is dead
PROGRESS_EVERY_S = 1.0  # the row's progress is written at most this often
ARTICLES_FILE = "articles.jsonl"
# An upload of more articles than this runs as a job; fewer are extracted in the page
# (seconds, with the model the app holds already, and the result shown at once).
INLINE_ARTICLES = 50

# PostgreSQL advisory locks: the claim (one key) and each worker's liveness (per job).
_CLAIM_LOCK = 0x6A6F6273  # "jobs"
_ALIVE_LOCK_CLASS = 0x6A6F6261  # "joba"

_VERBS = {REEXTRACT: "Re-extracting", UPLOAD: "Ingesting", FEEDS: "Reading feeds"}
_NOUNS = {REEXTRACT: "Re-extraction", UPLOAD: "Ingest", FEEDS: "Feed refresh"}


class JobRefused(StoreError):
    """A job that cannot start or resume now, with a one-line reason."""


class JobCancelled(Exception):
    """Raised inside a worker when someone asked its job to stop."""


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    label: str | None
    params: dict
    status: str  # RUNNING, FINISHED, FAILED, CANCELLED, or INTERRUPTED (a dead worker)
    phase: str | None
    total: int | None
    done: int
    done_at_resume: int
    started_at: str
    resumed_at: str | None
    updated_at: str | None
    finished_at: str | None
    host: str | None
    pid: int | None
    started_by: str | None
    cancel_requested: bool
    message: str | None

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    @property
    def resumable(self) -> bool:
        return self.status in (INTERRUPTED, CANCELLED, FAILED)

    def seconds_left(self, now: datetime | None = None) -> float | None:
        """Time left at the speed of this attempt so far; None before it can tell."""
        if not self.total or not self.resumed_at or self.done >= self.total:
            return None
        done_now = self.done - self.done_at_resume
        now = now or datetime.now(UTC)
        elapsed = (now - datetime.fromisoformat(self.resumed_at)).total_seconds()
        if done_now < 1 or elapsed < 5:
            return None
        return (self.total - self.done) * elapsed / done_now

    def line(self, now: datetime | None = None) -> str:
        """One line of plain text saying what the job does or did ("Re-extracting:
        12,400 of 100,000 articles, about 40 min left"). Its label is untrusted:
        escape the line for the sink it goes to."""
        label = f" {self.label}" if self.label and self.kind != REEXTRACT else ""
        if self.status == RUNNING:
            head = f"{_VERBS[self.kind]}{label}"
            if self.cancel_requested:
                return f"{head}: stopping ..."
            if self.phase and self.phase != "extracting":
                return f"{head}: {self.phase} ..."
            if self.total is None:
                return f"{head}: {self.done:,} articles so far"
            left = self.seconds_left(now)
            return f"{head}: {self.done:,} of {self.total:,} articles" + (
                f", {duration_words(left)} left" if left is not None else ""
            )
        counted = f"{self.done:,} of {self.total:,} articles" if self.total else ""
        noun = f"{_NOUNS[self.kind]}{label}"
        if self.status == FINISHED:
            return f"{noun} finished: {self.message or counted}"
        if self.status == CANCELLED:
            return f"{noun} cancelled after {counted or 'no article'}"
        if self.status == FAILED:
            why = f": {self.message}" if self.message else ""
            return f"{noun} failed after {counted or 'no article'}{why}"
        return f"{noun} interrupted after {counted or 'no article'} (its process stopped)"


def duration_words(seconds: float) -> str:
    """'about 40 min', 'about 1 h 20 min', 'less than a minute'."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"about {minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes} min" if minutes else f"about {hours} h"


# ---------------------------------------------------------------- reading jobs


def _job(engine: Engine, row: Mapping[Any, Any]) -> Job:
    values = dict(row)
    values["params"] = json.loads(values.pop("params_json") or "{}")
    values["cancel_requested"] = bool(values["cancel_requested"])
    values["done"] = values["done"] or 0
    values["done_at_resume"] = values["done_at_resume"] or 0
    if values["status"] == RUNNING and not _alive(engine, values):
        values["status"] = INTERRUPTED
    return Job(**values)


def get_job(engine: Engine, job_id: int) -> Job | None:
    with engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
    return _job(engine, row) if row else None


def _job_now(engine: Engine, job_id: int) -> Job:
    """``get_job`` for a job that must exist (one this module has just written)."""
    job = get_job(engine, job_id)
    if job is None:
        raise JobRefused(f"there is no job {job_id}")
    return job


def list_jobs(engine: Engine, *, limit: int = 20, kind: str | None = None) -> list[Job]:
    """The latest jobs (of one kind when given), newest first, each with its status
    as it is now."""
    query = select(jobs).order_by(jobs.c.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(jobs.c.kind == kind)
    with engine.connect() as conn:
        return [_job(engine, row) for row in conn.execute(query).mappings().all()]


def latest_job(engine: Engine) -> Job | None:
    """The newest job (one indexed read): what the app's progress line shows."""
    found = list_jobs(engine, limit=1)
    return found[0] if found else None


def active_job(engine: Engine) -> Job | None:
    """The job that holds the store now, if one does."""
    with engine.connect() as conn:
        return _active(engine, conn)


def _active(engine: Engine, conn: Connection) -> Job | None:
    rows = conn.execute(select(jobs).where(jobs.c.status == RUNNING)).mappings().all()
    for row in rows:
        job = _job(engine, row)
        if job.running:
            return job
    return None


# Worker processes this process started: reaped when looked at, so one that died is
# not kept as a zombie that a liveness check would take for alive.
_children: list[subprocess.Popen] = []


def _reap() -> None:
    for child in list(_children):
        if child.poll() is not None:
            _children.remove(child)


def _pid_alive(pid: int) -> bool:
    _reap()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by another user
        return True
    try:  # a zombie (killed, not yet reaped by its parent) is dead
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def _alive(engine: Engine, row: dict) -> bool:
    """Does the process running this job still run? (See the module's docstring.)"""
    if row.get("phase") == "starting":  # claimed; its worker has not taken it over yet
        if _age(row) > START_TIMEOUT_S:
            return False  # the worker never came (it failed to start)
        return row.get("host") != host_name() or not row.get("pid") or _pid_alive(int(row["pid"]))
    if row.get("host") == host_name() and row.get("pid"):
        return _pid_alive(int(row["pid"]))
    if engine.dialect.name == "postgresql" and row.get("phase") != "starting":
        held = text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = :lock_class AND objid = :job_id AND objsubid = 2 AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        with engine.connect() as conn:
            return bool(
                conn.execute(held, {"lock_class": _ALIVE_LOCK_CLASS, "job_id": row["id"]}).scalar()
            )
    return _age(row) < STALE_AFTER_S


def _age(row: dict) -> float:
    """Seconds since the job's last heartbeat."""
    beat = row.get("updated_at") or row.get("resumed_at") or row["started_at"]
    return (datetime.now(UTC) - datetime.fromisoformat(beat)).total_seconds()


# ---------------------------------------------------------------- claiming the store


def _claim_lock(conn: Connection) -> None:
    """Start the transaction holding the store's job claim until it ends."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_CLAIM_LOCK)))


def _refuse_if_held(engine: Engine, conn: Connection) -> None:
    holder = _active(engine, conn)
    if holder is not None:
        by = f" (started by {holder.started_by})" if holder.started_by else ""
        raise JobRefused(
            f"another job holds this store: job {holder.id}{by}: {holder.line()}; "
            "wait for it or cancel it (python -m atlas jobs cancel)"
        )


def _claim_values(started_by: str | None, done: int) -> dict:
    now = now_iso()
    return {
        "status": RUNNING,
        "phase": "starting",
        "resumed_at": now,
        "updated_at": now,
        "finished_at": None,
        "host": host_name(),
        "pid": os.getpid(),
        "cancel_requested": False,
        "message": None,
        "done_at_resume": done,
        **({"started_by": started_by[:100]} if started_by else {}),
    }


def start_job(
    engine: Engine,
    kind: str,
    *,
    label: str | None = None,
    params: dict | None = None,
    total: int | None = None,
    started_by: str | None = None,
) -> Job:
    """Claim the store for a new job (raises JobRefused while another job is alive).
    The job is marked running by this process until a worker takes it over
    (``spawn_worker`` or ``run_job``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    _refuse_in_memory(engine)
    with engine.connect() as conn:
        _claim_lock(conn)
        _refuse_if_held(engine, conn)
        job_id = inserted_id(
            conn.execute(
                insert(jobs).values(
                    kind=kind,
                    label=(label or "")[:300] or None,
                    params_json=json.dumps(params or {}),
                    total=total,
                    done=0,
                    started_at=now_iso(),
                    started_by=(started_by or "")[:100] or None,
                    **{k: v for k, v in _claim_values(started_by, 0).items() if k != "started_by"},
                )
            )
        )
        conn.commit()
    return _job_now(engine, job_id)


def resume_job(engine: Engine, job_id: int, *, started_by: str | None = None) -> Job:
    """Claim the store again for a stopped job (interrupted, cancelled or failed)."""
    with engine.connect() as conn:
        _claim_lock(conn)
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        if row is None:
            raise JobRefused(f"there is no job {job_id}")
        job = _job(engine, row)
        if not job.resumable:
            raise JobRefused(f"job {job_id} is {job.status}: only a stopped job can be resumed")
        _refuse_if_held(engine, conn)
        conn.execute(
            update(jobs).where(jobs.c.id == job_id).values(**_claim_values(started_by, job.done))
        )
        conn.commit()
    return _job_now(engine, job_id)


def cancel_job(engine: Engine, job_id: int) -> Job:
    """Ask a running job to stop (its worker stops after the article it is on); a
    job whose process is gone is marked cancelled at once."""
    job = get_job(engine, job_id)
    if job is None:
        raise JobRefused(f"there is no job {job_id}")
    with engine.begin() as conn:
        if job.running:
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(cancel_requested=True))
        elif job.status == INTERRUPTED:
            conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values(status=CANCELLED, finished_at=now_iso(), phase=None)
            )
    return _job_now(engine, job_id)


def _refuse_in_memory(engine: Engine) -> None:
    url = engine.url
    if url.get_backend_name() == "sqlite" and (url.database or ":memory:") == ":memory:":
        raise JobRefused("an in-memory store cannot be shared with a worker process")


# ---------------------------------------------------------------- job files


def jobs_folder(url: str) -> Path:
    """Where jobs keep their files (an upload's articles): beside a SQLite store's
    file, else in the user's cache folder, one folder per store address."""
    import hashlib

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database).resolve()
        return path.with_name(f"{path.name}.jobs")
    key = hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "partnership-atlas" / f"jobs-{key}"


def job_folder(engine: Engine, job_id: int) -> Path:
    return jobs_folder(engine.url.render_as_string(hide_password=False)) / str(job_id)


def write_articles(folder: Path, records: Iterable[Article]) -> int:
    """Write articles for a worker (one JSON object a line, in a private folder);
    returns how many."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    count = 0
    with (folder / ARTICLES_FILE).open("w", encoding="utf-8") as out:
        for article in records:
            out.write(json.dumps(asdict(article), ensure_ascii=False) + "\n")
            count += 1
    return count


def read_articles(folder: Path) -> Iterator[Article]:
    """The articles ``write_articles`` wrote, one at a time."""
    with (folder / ARTICLES_FILE).open(encoding="utf-8") as lines:
        for line in lines:
            values = json.loads(line)
            values["items"] = tuple(ArticleItem(**item) for item in values.get("items", ()))
            yield Article(**values)


def start_upload_job(
    engine: Engine, articles: list[Article], *, label: str, started_by: str | None
) -> Job:
    """Claim the store for ingesting ``articles`` and hand them to the job's folder."""
    job = start_job(engine, UPLOAD, label=label, total=len(articles), started_by=started_by)
    try:
        write_articles(job_folder(engine, job.id), articles)
    except BaseException as error:
        _finish(engine, job.id, FAILED, f"could not write the articles: {error}")
        raise
    return job


# ---------------------------------------------------------------- the worker


def spawn_worker(engine: Engine, job_id: int) -> subprocess.Popen:
    """Start ``python -m atlas jobs run JOB`` in its own session (it outlives a page
    that stops, and a Ctrl-C of the app); the store's address goes by the
    environment, never the command line. Its output goes to the job's folder."""
    folder = job_folder(engine, job_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    env = {**os.environ, "ATLAS_DB_URL": engine.url.render_as_string(hide_password=False)}
    root = Path(__file__).resolve().parent.parent
    with (folder / "worker.log").open("ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "atlas", "jobs", "run", str(job_id)],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    _children.append(child)
    # The worker's pid at once: the claim's starter (a CLI that returns now) may end
    # before the worker takes the job over.
    with engine.begin() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(pid=child.pid))
    return child


def launch(engine: Engine, job_id: int) -> subprocess.Popen:
    """``spawn_worker``; a worker that cannot be started fails its job (so the store
    is not held) and raises JobRefused saying why."""
    try:
        return spawn_worker(engine, job_id)
    except OSError as error:
        _finish(engine, job_id, FAILED, f"the worker could not start: {error}")
        raise JobRefused(f"the worker could not start: {error}") from error


class _Reporter:
    """Writes a job's progress into its row (at most every ``PROGRESS_EVERY_S``),
    beats its heart, and tells the worker when it is asked to stop."""

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine = engine
        self.job_id = job_id
        self.last = 0.0
        self.stop = threading.Event()
        self.beat = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self) -> _Reporter:
        self.beat.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()

    def _beat(self) -> None:
        while not self.stop.wait(HEARTBEAT_S):
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        update(jobs).where(jobs.c.id == self.job_id).values(updated_at=now_iso())
                    )
            except Exception:  # noqa: BLE001 - a missed beat is retried; the work goes on
                pass

    def phase(self, phase: str, **values: object) -> None:
        self._write(phase=phase, **values)

    def progress(self, done: int, total: int, _name: str = "") -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_S and done < total:
            return
        self.last = now
        self._write(done=done, total=total or None, phase="extracting")

    def _write(self, **values: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(jobs).where(jobs.c.id == self.job_id).values(updated_at=now_iso(), **values)
            )
            asked = conn.execute(
                select(jobs.c.cancel_requested).where(jobs.c.id == self.job_id)
            ).scalar()
        if asked:
            raise JobCancelled


def _finish(engine: Engine, job_id: int, status: str, message: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(
                status=status,
                finished_at=now_iso(),
                updated_at=now_iso(),
                phase=None,
                message=message,
            )
        )


def _hold_alive_lock(engine: Engine, job_id: int):
    """On PostgreSQL, a session-level lock this process holds while it runs the job:
    another host sees it gone when the process is."""
    if engine.dialect.name != "postgresql":
        return None
    holder = engine.connect()
    holder.execute(select(func.pg_advisory_lock(_ALIVE_LOCK_CLASS, job_id)))
    holder.commit()
    return holder


def _terminate(_signum, _frame) -> None:
    raise SystemExit(143)  # unwinds through the ingest, which records its run interrupted


def _do_work(engine: Engine, job: Job, extractor, report, reporter, n_process: int) -> str | None:
    """The job's work (its kind's function in ``_WORK``), then the dashboard's tables
    prepared on disk; returns the job's closing message."""
    if extractor is None:
        from atlas.extract import Extractor  # spaCy loads here, in the worker only

        extractor = Extractor()
    reporter.phase("loading the language model")
    message = _WORK[job.kind](engine, job, extractor, report, reporter, n_process)
    from atlas.snapshot import cache_dir, dashboard_state

    if cache_dir(engine.url.render_as_string(hide_password=False)) is not None:
        # Kept on disk, so the app's next start reads one file. (A running
        # app brings its own tables up to date by the job's new deals.)
        reporter.phase("preparing the dashboard")
        dashboard_state(engine, keep=True)
    return message


def run_job(
    engine: Engine,
    job_id: int,
    *,
    extractor=None,
    n_process: int = WORKER_PROCESSES,
    progress=None,
) -> Job:
    """Do the job's work in this process (the worker's body, or the CLI's foreground
    re-extraction): take the job over, run it to its end, record how it ended and
    prepare the dashboard's tables. ``progress(done, total, name)`` is told too."""
    job = get_job(engine, job_id)
    if job is None:
        raise JobRefused(f"there is no job {job_id}")
    with engine.begin() as conn:  # this process runs it now
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(host=host_name(), pid=os.getpid(), phase="loading the language model")
        )
    holder = _hold_alive_lock(engine, job_id)
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    try:
        with _Reporter(engine, job_id) as reporter:

            def report(done: int, total: int, name: str) -> None:
                reporter.progress(done, total, name)
                if progress:
                    progress(done, total, name)

            try:
                message = _do_work(engine, job, extractor, report, reporter, n_process)
            except JobCancelled:
                _finish(engine, job_id, CANCELLED, None)
            except (KeyboardInterrupt, SystemExit):
                _finish(engine, job_id, INTERRUPTED, None)
                raise
            except Exception as error:  # noqa: BLE001 - told in the job's row, then raised
                _finish(engine, job_id, FAILED, f"{type(error).__name__}: {error}"[:500])
                raise
            else:
                _finish(engine, job_id, FINISHED, message)
                # An upload's articles are stored now; the copy handed over is not kept.
                (job_folder(engine, job_id) / ARTICLES_FILE).unlink(missing_ok=True)
    finally:
        if holder is not None:
            holder.close()
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    return _job_now(engine, job_id)


def _reextract(engine, job, extractor, report, reporter, n_process) -> str:
    from atlas.ingest import reextract_all

    since = job.params.get("since_run")

    def remember(run_id: int) -> None:
        if since is None:  # the first attempt's run: a resume skips what it and later did
            params = {**job.params, "since_run": run_id}
            with engine.begin() as conn:
                conn.execute(
                    update(jobs).where(jobs.c.id == job.id).values(params_json=json.dumps(params))
                )

    count = reextract_all(
        engine,
        extractor=extractor,
        progress=report,
        started_by=job.started_by,
        n_process=n_process,
        since_run=since,
        on_run=remember,
    )
    return f"re-extracted {count:,} articles" + (" (resumed)" if since is not None else "")


def _ingest(engine, job, extractor, report, n_process, records) -> str:
    from atlas.ingest import ingest_articles

    result = ingest_articles(
        engine,
        records,
        extractor=extractor,
        progress=report,
        n_process=n_process,
        started_by=job.started_by,
    )
    return result.summary.line()


def _upload(engine, job, extractor, report, reporter, n_process) -> str:
    folder = job_folder(engine, job.id)
    if not (folder / ARTICLES_FILE).exists():
        raise JobRefused(f"the upload's articles are not in {folder} (started on another host?)")
    total = job.total or 0

    def counted(done: int, _total: int, name: str) -> None:
        report(done, total, name)

    return _ingest(engine, job, extractor, counted, n_process, read_articles(folder))


def _feeds(engine, job, extractor, report, reporter, n_process) -> str:
    from atlas.feeds import FeedError, fetch_feed, parse_feed, record_refresh

    records = []
    failures: list[str] = []
    read: list[tuple[int, str | None]] = []
    for feed in job.params.get("feeds", []):
        reporter.phase(f"fetching {len(read) + len(failures) + 1} of {len(job.params['feeds'])}")
        try:
            parsed = parse_feed(fetch_feed(feed["url"]), source_url=feed["url"])
        except FeedError as error:
            record_refresh(engine, feed["id"], title=None, result=f"failed: {error}")
            failures.append(f"{feed['url']}: {error}")
            continue
        records += parsed.records
        read.append((feed["id"], parsed.title))
    total = sum(isinstance(r, Article) for r in records)
    reporter.phase("extracting", total=total, done=0)
    line = _ingest(engine, job, extractor, lambda d, _t, n: report(d, total, n), n_process, records)
    for feed_id, title in read:
        record_refresh(engine, feed_id, title=title, result=line)
    return line + (f"; {len(failures)} feed(s) could not be read" if failures else "")


_WORK = {REEXTRACT: _reextract, UPLOAD: _upload, FEEDS: _feeds}


def wait(engine: Engine, job_id: int, *, timeout: float, every: float = 0.5) -> Job | None:
    """The job once it is no longer running, or as it is after ``timeout`` seconds
    (None when there is no such job)."""
    deadline = time.monotonic() + timeout
    while True:
        job = get_job(engine, job_id)
        if job is None or not job.running or time.monotonic() > deadline:
            return job
        time.sleep(every)
