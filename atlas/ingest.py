"""Ingest: articles in, extraction stored. Shared by the CLI and the app's upload page.

Uploads arrive as (name, bytes) pairs; they are written to a private temporary
folder (zip archives unpacked there, with size and path checks) and read with the
same corpus reader the CLI uses, so every format and every rejection reason is
the same wherever an article comes from.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from sqlalchemy import Engine, select, update

from atlas.corpus import read_corpus
from atlas.corrections import record_addresses
from atlas.extract import Extractor, article_chars, bounded_batches
from atlas.models import Article, Rejection
from atlas.store import (
    DUPLICATE,
    INTERRUPTED,
    NEW,
    UPDATED,
    IngestSummary,
    add_to_run,
    articles,
    finish_run,
    ingest_runs,
    save_extraction,
    start_run,
    stored_articles,
    stored_fingerprints,
)

# Upload limits. What an upload costs to ingest grows with its text: the reader holds
# the articles of one upload at once (the largest accepted upload peaks at 1.2 GiB and
# takes minutes: BENCHMARKS.md, "Largest accepted upload"). Bigger corpora go through
# the CLI, which streams them from disk.
MAX_UPLOAD_MB = 20  # per file; also Streamlit's server.maxUploadSize (.streamlit/config.toml)
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1_000_000
MAX_UPLOAD_TOTAL_MB = 50  # one upload, all files together, zips counted unpacked
MAX_UPLOAD_TOTAL_BYTES = MAX_UPLOAD_TOTAL_MB * 1_000_000
MAX_UPLOAD_FILES = 200
MAX_ZIP_MEMBERS = 500
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".csv")

Progress = Callable[[int, int, str], None]


@dataclass
class IngestReport:
    summary: IngestSummary
    article_ids: list[str] = field(default_factory=list)  # ingested or re-extracted now


def _safe_name(name: str) -> str:
    """A file name without folders, drive letters or "..": uploads never escape the temp folder."""
    parts = [
        p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")
    ]
    cleaned = "_".join(parts) or "upload"
    return "".join(c if c.isprintable() and c not in '<>:"|?*' else "_" for c in cleaned)[:150]


def upload_size_problem(sizes: Iterable[tuple[str, int]]) -> str | None:
    """Why a selection of uploads (name, size in bytes) is refused whole, before any
    of it is read; ``None`` when it may be read. Zips are checked again unpacked."""
    sizes = list(sizes)
    if len(sizes) > MAX_UPLOAD_FILES:
        return f"{len(sizes)} files: at most {MAX_UPLOAD_FILES} at once"
    total = sum(size for _, size in sizes)
    if total > MAX_UPLOAD_TOTAL_BYTES:
        return (
            f"the files add up to {total / 1e6:.1f} MB, over the {MAX_UPLOAD_TOTAL_MB} MB "
            "one upload may bring (ingest bigger corpora with python -m atlas ingest)"
        )
    return None


def read_uploads(files: Iterable[tuple[str, bytes]]) -> list[Article | Rejection]:
    """Articles and rejections from uploaded files (zip archives included).

    ``files`` is read one file at a time, each written to disk before the next is
    taken, so a lazy iterable holds one file's bytes at once. A file over
    ``MAX_UPLOAD_BYTES``, past ``MAX_UPLOAD_FILES``, or whose (unpacked) bytes would
    take the upload over ``MAX_UPLOAD_TOTAL_BYTES`` is rejected with its reason.
    """
    results: list[Article | Rejection] = []
    budget = MAX_UPLOAD_TOTAL_BYTES
    with tempfile.TemporaryDirectory(prefix="atlas-upload-") as folder:
        root = Path(folder)
        wanted: list[tuple[Path, str]] = []
        for index, (name, data) in enumerate(files):
            if index >= MAX_UPLOAD_FILES:
                reason = f"too many files: at most {MAX_UPLOAD_FILES} at once"
                results.append(Rejection(name, reason))
                continue
            if len(data) > MAX_UPLOAD_BYTES:
                results.append(Rejection(name, _too_big(len(data))))
                continue
            if name.lower().endswith(".zip"):
                rejections, budget = _unpack_zip(name, data, root / f"zip{index}", wanted, budget)
                results += rejections
                continue
            if len(data) > budget:
                results.append(Rejection(name, _over_total(len(data))))
                continue
            budget -= len(data)
            path = root / f"{index:04d}-{_safe_name(name)}"
            path.write_bytes(data)
            wanted.append((path, name))
        for path, display in wanted:
            for record in read_corpus([path]):
                if isinstance(record, Rejection):
                    results.append(
                        Rejection(
                            display + record.path[len(path.name) :]
                            if record.path.startswith(path.name)
                            else display,
                            record.reason,
                        )
                    )
                else:
                    suffix = (
                        record.file[len(path.name) :] if record.file.startswith(path.name) else ""
                    )
                    results.append(_renamed(record, display + suffix))
    return results


def _too_big(size: int) -> str:
    return f"file is {size / 1e6:.1f} MB, over the {MAX_UPLOAD_MB} MB limit"


def _over_total(size: int, *, unpacked: bool = False) -> str:
    what = "zip unpacks to" if unpacked else "file is"
    return (
        f"{what} {size / 1e6:.1f} MB, more than is left of the {MAX_UPLOAD_TOTAL_MB} MB "
        "one upload may bring (zips count unpacked)"
    )


def _renamed(article: Article, file: str) -> Article:

    return replace(article, file=file)


def _unpack_zip(
    name: str, data: bytes, folder: Path, wanted: list[tuple[Path, str]], budget: int
) -> tuple[list[Rejection], int]:
    """Rejections, and the budget left once the archive's members are unpacked: an
    archive whose members add up to more than the budget is refused whole (sizes
    from its directory; a member that unpacks past its stated size fails its check)."""
    import io

    rejections: list[Rejection] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as error:
        return [Rejection(name, f"not a readable zip archive ({error})")], budget
    if len(members) > MAX_ZIP_MEMBERS:
        reason = f"zip holds {len(members)} files, over the {MAX_ZIP_MEMBERS} limit"
        return [Rejection(name, reason)], budget
    unpacked = sum(m.file_size for m in members)
    if unpacked > budget:
        return [Rejection(name, _over_total(unpacked, unpacked=True))], budget
    budget -= unpacked
    folder.mkdir(parents=True, exist_ok=True)
    for index, member in enumerate(members):
        display = f"{name}/{member.filename}"
        if PurePosixPath(member.filename).name.startswith("."):
            continue
        if not member.filename.lower().endswith(SUPPORTED_SUFFIXES):
            rejections.append(
                Rejection(
                    display,
                    f"unsupported file type {PurePosixPath(member.filename).suffix or '(none)'}",
                )
            )
            continue
        if member.file_size > MAX_UPLOAD_BYTES:
            rejections.append(Rejection(display, _too_big(member.file_size)))
            continue
        try:
            payload = archive.read(member)
        except (zipfile.BadZipFile, OSError, RuntimeError) as error:
            rejections.append(Rejection(display, f"cannot unpack ({error})"))
            continue
        path = folder / f"{index:04d}-{_safe_name(member.filename)}"
        path.write_bytes(payload)
        wanted.append((path, display))
    return rejections, budget


MAX_STARTER_LENGTH = 100  # the store's ingest_runs.started_by column


def os_user() -> str | None:
    """The operating-system account running this process: who the CLI records."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return None


def _sign_run(engine: Engine, run_id: int, started_by: str | None) -> None:
    """Record who started the run (a column apart from what ``start_run`` writes)."""
    if started_by:
        with engine.begin() as conn:
            conn.execute(
                update(ingest_runs)
                .where(ingest_runs.c.id == run_id)
                .values(started_by=started_by[:MAX_STARTER_LENGTH])
            )


# Text characters one chunk of ingest holds at most (besides its first article):
# 500 articles of a few KB each, not 500 files of 20 MB.
CHUNK_CHARS = 10_000_000


def _chunks(
    records: Iterable[Article | Rejection], size: int, max_chars: int = CHUNK_CHARS
) -> Iterator[list[Article | Rejection]]:
    """Successive lists of up to ``size`` records whose articles' text adds up to at
    most ``max_chars`` characters (a longer first article goes alone)."""
    return bounded_batches(records, size=size, max_chars=max_chars, chars=_record_chars)


def _record_chars(record: Article | Rejection) -> int:
    return article_chars(record) if isinstance(record, Article) else 0


def _new_articles(
    engine: Engine,
    records: Iterable[Article | Rejection],
    chunk_size: int,
    fingerprint: str,
    summary: IngestSummary,
    run_id: int,
) -> Iterator[Article]:
    """The articles of ``records`` to extract, ``chunk_size`` at a time: not seen
    before in this run and not stored under ``fingerprint``; rejections and skipped
    duplicates counted in ``summary`` and in the run's row as they happen."""
    seen: set[str] = set()
    for chunk in _chunks(records, chunk_size):
        rejected = [(r.path, r.reason) for r in chunk if isinstance(r, Rejection)]
        summary.rejected.extend(rejected)
        chunk_articles = [r for r in chunk if isinstance(r, Article)]
        known = stored_fingerprints(engine, [a.id for a in chunk_articles])
        wanted: list[Article] = []
        for article in chunk_articles:
            if article.id in seen or known.get(article.id) == fingerprint:
                summary.duplicates += 1
                continue
            seen.add(article.id)
            wanted.append(article)
        # Counted in the store as they happen: a run stopped midway still shows them.
        skipped = len(chunk_articles) - len(wanted)
        add_to_run(engine, run_id, duplicates=skipped, rejected=len(rejected))
        yield from wanted


def ingest_articles(
    engine: Engine,
    records: Iterable[Article | Rejection],
    *,
    extractor: Extractor,
    progress: Progress | None = None,
    n_process: int = 1,
    batch_size: int = 32,
    chunk_size: int = 500,
    started_by: str | None = None,
) -> IngestReport:
    """Extract and store articles; skip ones already stored under this lexicon;
    re-extract ones stored under another. Each article is its own transaction.

    ``records`` is consumed as a stream: articles are checked against the store
    ``chunk_size`` at a time just before they are extracted, so memory does not
    grow with the corpus and a re-run after an interruption skips what was stored.
    ``progress(done, total, name)`` gets ``total`` 0 when ``records`` has no length.
    ``started_by`` is recorded with the run (the editor, or the OS user for the CLI).
    """
    summary = IngestSummary(rejected=[])
    total = sum(isinstance(r, Article) for r in records) if isinstance(records, Sized) else 0
    fingerprint = extractor.fingerprint

    # Articles stored under another lexicon are re-extracted below: corrections made
    # before deal addresses were kept get one now, so they follow their deals.
    record_addresses(engine)
    run_id = start_run(engine)
    _sign_run(engine, run_id, started_by)
    report = IngestReport(summary)
    try:
        new = _new_articles(engine, records, chunk_size, fingerprint, summary, run_id)
        results = extractor.extract_many(new, n_process=n_process, batch_size=batch_size)
        for result in results:
            # keep_current: another ingest may have stored this article since the
            # check above; then it is a duplicate here, not new twice.
            outcome = save_extraction(
                engine, result, fingerprint=fingerprint, run_id=run_id, keep_current=True
            )
            _count(summary, outcome)
            if outcome != DUPLICATE:
                report.article_ids.append(result.article.id)
            if progress:
                done = summary.ingested + summary.updated + summary.duplicates
                progress(done, total, result.article.title or result.article.file)
    except BaseException:
        # Stopped (Ctrl-C, a stopped page, an error): say so, keeping what was stored.
        _end_interrupted(engine, run_id, summary)
        raise
    finish_run(engine, run_id, summary)
    return report


def _count(summary: IngestSummary, outcome: str) -> None:
    if outcome == NEW:
        summary.ingested += 1
    elif outcome == UPDATED:
        summary.updated += 1
    else:
        summary.duplicates += 1


def _end_interrupted(engine: Engine, run_id: int, summary: IngestSummary) -> None:
    try:
        finish_run(engine, run_id, summary, status=INTERRUPTED)
    except Exception:  # noqa: BLE001 - the store may be what failed; the first error counts
        pass


# Articles read from the store at once by a re-extraction (not all 100,000).
REEXTRACT_CHUNK = 200


def articles_to_reextract(
    engine: Engine, *, fingerprint: str, since_run: int | None = None
) -> tuple[list[str], int]:
    """The ids of the stored articles a re-extraction has still to do, and how many
    articles the store holds. ``since_run`` is the first ingest run of a re-extraction
    that was stopped: an article that run or a later one stored under ``fingerprint``
    is done (resuming after a kill), one stored before it or under another lexicon
    or model is not."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(articles.c.id, articles.c.ingest_run_id, articles.c.lexicon_fingerprint)
        ).all()
    todo = sorted(
        row.id
        for row in rows
        if since_run is None
        or row.lexicon_fingerprint != fingerprint
        or (row.ingest_run_id or 0) < since_run
    )
    return todo, len(rows)


def reextract_all(
    engine: Engine,
    *,
    extractor: Extractor,
    progress: Progress | None = None,
    started_by: str | None = None,
    n_process: int = 1,
    batch_size: int = 32,
    since_run: int | None = None,
    on_run: Callable[[int], None] | None = None,
) -> int:
    """Run extraction again over every stored article (after a lexicon or model change);
    corrections live apart and apply to the new result. Returns the count re-extracted.

    Articles are read from the store ``REEXTRACT_CHUNK`` at a time as extraction
    needs them, so memory does not grow with the store. ``since_run`` resumes a
    stopped re-extraction (``articles_to_reextract``); ``progress(done, total, name)``
    then counts the articles done before from the start. ``on_run(run_id)`` is told
    the ingest run this re-extraction records (a job keeps the first to resume by)."""
    todo, total = articles_to_reextract(
        engine, fingerprint=extractor.fingerprint, since_run=since_run
    )
    already = total - len(todo)
    summary = IngestSummary(rejected=[])
    record_addresses(engine)  # older corrections learn their deal's address first
    run_id = start_run(engine)
    _sign_run(engine, run_id, started_by)
    if on_run:
        on_run(run_id)

    def stored() -> Iterator[Article]:
        for start in range(0, len(todo), REEXTRACT_CHUNK):
            yield from stored_articles(engine, todo[start : start + REEXTRACT_CHUNK])

    try:
        results = extractor.extract_many(stored(), n_process=n_process, batch_size=batch_size)
        for done, result in enumerate(results, start=already + 1):
            outcome = save_extraction(
                engine, result, fingerprint=extractor.fingerprint, run_id=run_id
            )
            _count(summary, outcome)
            if progress:
                progress(done, total, result.article.title or result.article.file)
    except BaseException:
        _end_interrupted(engine, run_id, summary)
        raise
    finish_run(engine, run_id, summary)
    return summary.updated + summary.ingested
