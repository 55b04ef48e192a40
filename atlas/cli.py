"""``python -m atlas``: ingest, extract, evaluate, re-extract, jobs and stats."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from tqdm import tqdm

from atlas.models import Article, Rejection
from atlas.result_json import result_as_json


def _read(paths: Sequence[str], rejected: list[tuple[str, str]]) -> Iterator[Article]:
    from atlas.corpus import read_corpus

    for record in read_corpus(paths):
        if isinstance(record, Rejection):
            rejected.append((record.path, record.reason))
        else:
            yield record


def cmd_ingest(args: argparse.Namespace) -> int:
    from atlas.corpus import read_corpus
    from atlas.extract import Extractor
    from atlas.ingest import ingest_articles, os_user
    from atlas.store import is_empty, open_store

    engine = open_store(args.db)
    if args.if_empty and not is_empty(engine):
        print("store already holds articles; nothing to do (drop --if-empty to add more)")
        _prepare_dashboard(engine, quiet=args.quiet)
        return 0
    _refuse_read_only(engine, "take articles")  # before the model takes seconds to load
    extractor = Extractor()
    records = read_corpus(args.paths)  # streamed: memory stays flat in corpus size
    with tqdm(unit="article", desc="ingest", file=sys.stderr, disable=args.quiet) as bar:

        def progress(done: int, total: int, _name: str) -> None:
            bar.total = total or None
            bar.update(done - bar.n)

        report = ingest_articles(
            engine,
            records,
            extractor=extractor,
            progress=progress,
            n_process=args.processes,
            batch_size=args.batch_size,
            started_by=os_user(),
        )
    print(report.summary.line())
    for path, reason in report.summary.rejected or []:
        print(f"  rejected {path}: {reason}")
    _prepare_dashboard(engine, quiet=args.quiet)
    return 0


def _refuse_read_only(engine, what: str) -> None:
    from atlas.store import READ_ONLY_REASON, StoreError, is_read_only

    if is_read_only(engine):
        raise StoreError(f"the store is read-only ({READ_ONLY_REASON}): it cannot {what}")


def _prepare_dashboard(engine, *, quiet: bool) -> None:
    """Build the dashboard's tables now (kept on disk by atlas.snapshot), so the
    app's first page after this ingest need not."""
    import time

    from atlas.snapshot import dashboard_tables

    if not quiet:
        print("preparing the dashboard's tables ...", end=" ", file=sys.stderr, flush=True)
    started = time.perf_counter()
    dashboard_tables(engine)
    if not quiet:
        print(f"done in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def cmd_reextract(args: argparse.Namespace) -> int:
    """Re-extraction is a job (``atlas.jobs``): it holds the store against a second
    one, and its progress shows in the app. In the foreground here, or in a worker
    with ``--background``."""
    from atlas.ingest import os_user
    from atlas.jobs import REEXTRACT, launch, start_job
    from atlas.store import open_store

    engine = open_store(args.db)
    _refuse_read_only(engine, "be re-extracted")
    job = start_job(engine, REEXTRACT, started_by=os_user())
    if args.background:
        launch(engine, job.id)
        print(f"job {job.id} started in the background; follow it: python -m atlas jobs status")
        return 0
    return _run_in_foreground(engine, job.id, quiet=args.quiet, processes=args.processes)


def _run_in_foreground(engine, job_id: int, *, quiet: bool, processes: int) -> int:
    from atlas.jobs import FINISHED, run_job

    with tqdm(unit="article", desc="re-extract", file=sys.stderr, disable=quiet) as bar:

        def progress(done: int, total: int, _name: str) -> None:
            bar.total = total or None
            bar.update(done - bar.n)

        job = run_job(engine, job_id, n_process=processes, progress=progress)
    print(job.line())
    return 0 if job.status == FINISHED else 1


def cmd_jobs(args: argparse.Namespace) -> int:
    """List jobs, show one, cancel or resume one, or run one (the worker's entry)."""
    from atlas.jobs import (
        JobRefused,
        active_job,
        cancel_job,
        get_job,
        latest_job,
        launch,
        list_jobs,
        resume_job,
        run_job,
    )
    from atlas.store import open_store

    engine = open_store(args.db)
    action = args.action or "list"
    if action == "list":
        found = list_jobs(engine, limit=args.limit)
        if not found:
            print("no jobs yet")
        for listed in found:
            print(_job_row(listed))
        return 0
    if action == "run":
        if args.id is None:
            raise JobRefused("which job? python -m atlas jobs run ID")
        run_job(engine, args.id, n_process=args.processes)
        return 0
    if args.id is None:
        job = active_job(engine) if action == "cancel" else latest_job(engine)
        if job is None:
            print("no job is running" if action == "cancel" else "no jobs yet")
            return 1 if action == "cancel" else 0
    else:
        job = get_job(engine, args.id)
        if job is None:
            raise JobRefused(f"there is no job {args.id}")
    if action == "status":
        print(_job_row(job))
        print(f"  {job.line()}")
        return 0
    if action == "cancel":
        job = cancel_job(engine, job.id)
        print(f"job {job.id}: " + ("asked to stop" if job.running else job.status))
        return 0
    # resume
    from atlas.ingest import os_user  # (loads spaCy's modules: not for list and status)

    _refuse_read_only(engine, "resume a job")
    job = resume_job(engine, job.id, started_by=os_user())
    if args.foreground:
        return _run_in_foreground(engine, job.id, quiet=False, processes=args.processes)
    launch(engine, job.id)
    print(f"job {job.id} resumed in the background; follow it: python -m atlas jobs status")
    return 0


def _job_row(job) -> str:
    who = f" by {job.started_by}" if job.started_by else ""
    progress = f"{job.done:,}/{job.total:,}" if job.total else f"{job.done:,}"
    return f"{job.id:>4}  {job.kind:<9} {job.status:<11} {progress:>15}  {job.started_at}{who}"


def cmd_extract(args: argparse.Namespace) -> int:
    from atlas.extract import Extractor

    rejected: list[tuple[str, str]] = []
    articles = list(_read(args.paths, rejected))
    extractor = Extractor()
    for result in extractor.extract_many(articles):
        payload = result_as_json(result)
        print(
            json.dumps(payload, ensure_ascii=False)
            if args.jsonl
            else json.dumps(payload, ensure_ascii=False, indent=2)
        )
    for path, reason in rejected:
        print(f"rejected {path}: {reason}", file=sys.stderr)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from atlas.evaluate import Evaluation, format_report, load_gold, score_article
    from atlas.extract import Extractor

    gold = load_gold(args.gold)
    folder = Path(args.articles)
    rejected: list[tuple[str, str]] = []
    paths = [str(folder / record["file"]) for record in gold]
    articles = {a.file: a for a in _read(paths, rejected)}
    extractor = Extractor()
    evaluation = Evaluation()
    predictions = {
        r.article.file: result_as_json(r) for r in extractor.extract_many(list(articles.values()))
    }
    for record in gold:
        predicted = predictions.get(
            record["file"], {"file": record["file"], "organisations": [], "deals": []}
        )
        score_article(record, predicted, evaluation)
    if args.json:
        print(json.dumps(evaluation.summary(), indent=2))
    else:
        print(format_report(evaluation, verbose=args.verbose))
    for path, reason in rejected:
        print(f"rejected {path}: {reason}", file=sys.stderr)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from atlas.extract import Extractor
    from atlas.learn.training import (
        THRESHOLD_GRID,
        Params,
        best_thresholds,
        cross_validate,
        fit_calibration,
        load_labelled,
        load_seeds,
        prepare_all,
        train,
    )

    extractor = Extractor(models=None)
    print("reading and parsing the labelled sets ...", file=sys.stderr)
    articles = prepare_all(extractor, load_labelled(args.eval_dir))
    seeds = prepare_all(extractor, load_seeds(args.eval_dir))
    params = Params(use_rules=not args.model_only)
    print(f"cross-validating {len(articles)} articles by source ...", file=sys.stderr)
    reports = cross_validate(extractor, articles, params, thresholds=THRESHOLD_GRID)
    params.deal_threshold, params.rule_threshold = best_thresholds(reports)
    chosen = reports[(params.deal_threshold, params.rule_threshold)].overall.summary()
    models = train(extractor, articles + seeds, params)
    models.calibration = fit_calibration(
        reports[(params.deal_threshold, params.rule_threshold)].confidences
    )
    models.info["cross_validation"] = chosen
    models.save(args.out)
    deals = chosen["deals"]
    print(
        f"thresholds: deal {params.deal_threshold}, rule {params.rule_threshold}; "
        f"5-fold CV by source: deal F1 {deals['f1']:.3f} (P {deals['precision']:.3f}, "
        f"R {deals['recall']:.3f}), organisation F1 {chosen['organisations']['f1']:.3f}, "
        f"type accuracy {chosen['deal_type_accuracy']:.3f}"
    )
    print(f"saved {args.out}")
    return 0


def cmd_scoreboard(args: argparse.Namespace) -> int:
    from atlas.learn.scoreboard import scoreboard

    print(
        scoreboard(
            args.eval_dir, check=not args.no_check, progress=lambda m: print(m, file=sys.stderr)
        )
    )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from atlas.store import counts, database_url, open_store

    engine = open_store(args.db)
    from sqlalchemy.engine import make_url

    print(f"store: {make_url(args.db or database_url()).render_as_string(hide_password=True)}")
    found = counts(engine)
    print(f"articles: {found['articles']}")
    print(f"organisations: {found['organisations']}")
    # One deal per agreement, as the dashboard counts them (reports in several articles
    # consolidated, corrections applied), beside the mentions extraction stored.
    from atlas.snapshot import dashboard_tables

    deals, _organisations = dashboard_tables(engine)
    print(f"deals: {len(deals)}")
    print(f"deal mentions: {found['deals']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m atlas", description="Partnership Atlas batch tools"
    )
    parser.add_argument(
        "--db", help="database URL (default: ATLAS_DB_URL or sqlite file data/atlas.db)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_store_commands(sub)
    _add_extraction_commands(sub)
    stats = sub.add_parser("stats", help="counts in the store")
    stats.set_defaults(func=cmd_stats)
    return parser


def _add_store_commands(sub) -> None:
    """ingest, reextract and jobs: the commands that fill the store."""
    ingest = sub.add_parser(
        "ingest", help="read articles, extract organisations and deals, store them"
    )
    ingest.add_argument(
        "paths", nargs="+", help="files or folders (.txt .md .html .json .jsonl .csv)"
    )
    ingest.add_argument(
        "--if-empty", action="store_true", help="only ingest when the store holds no article"
    )
    ingest.add_argument("--processes", type=int, default=1, help="spaCy worker processes")
    ingest.add_argument("--batch-size", type=int, default=32)
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(func=cmd_ingest)

    reextract = sub.add_parser(
        "reextract",
        help="re-run extraction over every stored article (after a lexicon or model change)",
    )
    reextract.add_argument("--quiet", action="store_true")
    reextract.add_argument(
        "--background",
        action="store_true",
        help="run as a background job and return (python -m atlas jobs shows it)",
    )
    reextract.add_argument("--processes", type=int, default=2, help="extraction processes")
    reextract.set_defaults(func=cmd_reextract)

    jobs = sub.add_parser(
        "jobs",
        help="background jobs (re-extraction, large uploads, feed reads): list, status, "
        "cancel, resume",
    )
    jobs.add_argument(
        "action",
        nargs="?",
        choices=["list", "status", "cancel", "resume", "run"],
        help="list (default); status, cancel [ID] (default: the latest / running job); "
        "resume ID; run ID (the worker itself)",
    )
    jobs.add_argument("id", nargs="?", type=int)
    jobs.add_argument("--limit", type=int, default=20, help="jobs listed")
    jobs.add_argument("--processes", type=int, default=2, help="extraction processes")
    jobs.add_argument("--foreground", action="store_true", help="resume here with a progress bar")
    jobs.set_defaults(func=cmd_jobs)


def _add_extraction_commands(sub) -> None:
    """extract, evaluate, train and scoreboard: extraction without the store."""
    extract = sub.add_parser("extract", help="print extraction results without touching the store")
    extract.add_argument("paths", nargs="+")
    extract.add_argument(
        "--jsonl", action="store_true", help="one JSON object per article per line"
    )
    extract.set_defaults(func=cmd_extract)

    evaluate = sub.add_parser("evaluate", help="score extraction against a gold .jsonl file")
    evaluate.add_argument("gold")
    evaluate.add_argument("--articles", required=True, help="folder holding the gold's files")
    evaluate.add_argument(
        "-v", "--verbose", action="store_true", help="per-article misses and false hits"
    )
    evaluate.add_argument("--json", action="store_true", help="print the summary as JSON")
    evaluate.set_defaults(func=cmd_evaluate)

    from atlas.learn.model import MODEL_PATH

    train = sub.add_parser(
        "train", help="train the extraction models on the labelled sets (../shared/eval)"
    )
    train.add_argument("eval_dir", nargs="?", default="../shared/eval")
    train.add_argument("--out", default=str(MODEL_PATH), help="where to write the models")
    train.add_argument(
        "--model-only", action="store_true", help="without the rules' findings as features"
    )
    train.set_defaults(func=cmd_train)

    board = sub.add_parser(
        "scoreboard",
        help="baseline, rules, model and rules+model on every labelled set, in one table",
    )
    board.add_argument("eval_dir", nargs="?", default="../shared/eval")
    board.add_argument("--no-check", action="store_true", help="leave the held-out set out")
    board.set_defaults(func=cmd_scoreboard)


def main(argv: Sequence[str] | None = None) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from atlas.store import StoreError, describe_error

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (StoreError, SQLAlchemyError) as error:
        # A damaged file, a malformed address, a server that refuses, a schema Atlas
        # cannot use: one line saying what and what to do, never the URL's password.
        print(f"error: {describe_error(error)}", file=sys.stderr)
        return 2
