"""Fill a store with synthetic articles and their ground-truth extraction, no NLP.

    .venv/bin/python bench/fill_store.py --articles 100000            # bench/out/fill-100000.db
    .venv/bin/python bench/fill_store.py --corpus bench/out/corpus-10k --db sqlite:////tmp/x.db

Articles come from ``bench/make_corpus.py``: generated on the fly (``--articles``,
``--seed``) or read from its output folder (``--corpus``). Each record goes through the
corpus reader (``atlas.corpus``), so the stored article, its items and its dates are what
``python -m atlas ingest`` would store; the extraction is built from the ground truth
instead of spaCy: its organisations (with country and kind), mentions found by string
search of their names in the item texts, and its deals. Everything is written with
``atlas.store.save_extractions``, ``--batch-size`` articles per transaction, into a store
opened with ``atlas.store.open_store`` (same schema, same indexes). The stream is
generated, read and saved batch by batch, so memory stays flat.

Refuses the user's store (``data/atlas.db`` or whatever ``atlas.store.database_url()``
names) and, without ``--append``, a store that already holds articles. Articles are stored
under the lexicon fingerprint ``synthetic-truth``, so ``atlas ingest`` of the same files
later re-extracts them with the real pipeline instead of skipping them.

Prints the wall and CPU time, the time inside ``save_extractions``, the peak RSS and, for
SQLite, the size of the database file. ``--profile FILE`` writes cProfile stats of the run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402

from atlas.corpus import parse_text_article, read_file  # noqa: E402
from atlas.extract import ExtractionResult  # noqa: E402
from atlas.models import Article, Deal, Mention, Rejection  # noqa: E402
from atlas.organisations import ResolvedOrganisation  # noqa: E402
from bench.make_corpus import (  # noqa: E402
    DEFAULT_PER_SHARD,
    build_universe,
    generate_article,
    shard_name,
)

FINGERPRINT = "synthetic-truth"
DEFAULT_BATCH = 500
OUT = ROOT / "bench" / "out"


# --------------------------------------------------------------------------------------------
# Where articles come from
# --------------------------------------------------------------------------------------------


def article_from_record(record: dict, file: str) -> Article | Rejection:
    """The article ``atlas.corpus`` makes of one JSONL record (title, text, date, source
    and url fields; the other keys are metadata)."""
    fields = ("title", "text", "date", "source", "url")
    return parse_text_article(
        record["text"],
        file=file,
        title=record.get("title"),
        source=record.get("source"),
        url=record.get("url"),
        published=record.get("date"),
        metadata={k: v for k, v in record.items() if k not in fields},
    )


def generated(
    articles: int, seed: int, *, per_shard: int = DEFAULT_PER_SHARD
) -> Iterator[tuple[Article | Rejection, dict]]:
    """(article, truth) for each article of ``make_corpus --articles N --seed S``, named
    as the files that command writes would be."""
    universe = build_universe(articles, seed)
    for index in range(articles):
        record, truth = generate_article(universe, seed, index)
        file = f"{shard_name(index // per_shard)}:{index % per_shard + 1}"
        yield article_from_record(record, file), {"file": file, **truth}


def from_corpus(folder: Path) -> Iterator[tuple[Article | Rejection, dict]]:
    """(article, truth) from a ``make_corpus`` output folder, one shard at a time."""
    shards = sorted((folder / "articles").glob("*.jsonl"))
    if not shards:
        raise SystemExit(f"no articles/*.jsonl under {folder}: not a make_corpus output")
    for shard in shards:
        truths = (folder / "truth" / shard.name).read_text(encoding="utf-8").splitlines()
        records = read_file(shard, name=shard.name)
        if len(records) != len(truths):
            raise SystemExit(f"{shard.name}: {len(records)} records but {len(truths)} truths")
        for record, line in zip(records, truths, strict=True):
            yield record, json.loads(line)


# --------------------------------------------------------------------------------------------
# Ground truth -> ExtractionResult
# --------------------------------------------------------------------------------------------


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def find_mentions(article: Article, forms: dict[str, str]) -> list[Mention]:
    """Every whole-word occurrence of a surface form (``forms``: form -> canonical name)
    in the article's item texts; a longer form wins over one inside it ("Zorvex" in
    "Zorvex Bio")."""
    ordered = sorted(forms, key=len, reverse=True)
    mentions: list[Mention] = []
    for item in article.items:
        text = item.text
        found: list[Mention] = []
        for form in ordered:
            start = text.find(form)
            while start != -1:
                end = start + len(form)
                if (
                    (start == 0 or not _word_char(text[start - 1]))
                    and (end == len(text) or not _word_char(text[end]))
                    and not any(m.start < end and start < m.end for m in found)
                ):
                    found.append(Mention(form, forms[form], start, end, item.index))
                start = text.find(form, start + 1)
        mentions.extend(sorted(found, key=lambda m: m.start))
    return mentions


def _item_of(article: Article, evidence: str, hint: int) -> int:
    """The item holding ``evidence``: the truth's index when it does, else the first that
    does (the reader split differently), else the truth's."""
    items = article.items
    if 0 <= hint < len(items) and evidence in items[hint].text:
        return hint
    return next((item.index for item in items if evidence in item.text), hint)


def extraction_from_truth(article: Article, truth: dict) -> ExtractionResult:
    """What a perfect extractor would return for ``article``."""
    countries = truth.get("countries", {})
    kinds = truth.get("kinds", {})
    organisations = {
        name: ResolvedOrganisation(name, countries.get(name), kinds.get(name, "company"), False)
        for name in truth["organisations"]
    }
    forms = {name: name for name in organisations}
    for name, aliases in truth.get("aliases", {}).items():
        forms.update({alias: name for alias in aliases})
    deals = [
        Deal(
            parties=tuple(d["parties"]),
            type=d["type"],
            evidence=d["evidence"],
            item_index=_item_of(article, d["evidence"], d.get("item_index", 0)),
            therapeutic_areas=tuple(d.get("therapeutic_areas", ())),
            countries=tuple(d.get("countries", ())),
            deal_date=d.get("deal_date"),
            date_precision=d.get("date_precision"),
            date_source=d.get("date_source") or "none",
            confidence=float(d.get("confidence", 0.5)),
            trigger=d.get("trigger", ""),
        )
        for d in truth["deals"]
    ]
    return ExtractionResult(article, organisations, find_mentions(article, forms), deals)


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------


def _store_key(url: str) -> str:
    """A comparable identity of a database URL: the real path of a SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            return "sqlite://:memory:"
        return "sqlite:///" + os.path.realpath(database)
    return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=False)


def refuse_user_store(url: str) -> None:
    """SystemExit when ``url`` is the user's store: ``data/atlas.db`` or the store
    ``atlas.store.database_url()`` names (``ATLAS_DB_URL``)."""
    from atlas.store import DEFAULT_DB_PATH, database_url

    target = _store_key(url)
    memory = target == "sqlite://:memory:"
    for user in (f"sqlite:///{DEFAULT_DB_PATH}", database_url()):
        if not memory and target == _store_key(user):
            raise SystemExit(
                f"refusing to fill {url}: it is the app's store ({user}). "
                "Pass --db with a throwaway store, e.g. under bench/out/ or /tmp."
            )


def default_db(articles: int | None, corpus: Path | None) -> str:
    name = f"fill-{articles}" if articles else f"fill-{corpus.name if corpus else 'corpus'}"
    return f"sqlite:///{OUT / name}.db"


def _batches(
    pairs: Iterable[tuple[Article | Rejection, dict]], size: int
) -> Iterator[list[tuple[Article | Rejection, dict]]]:
    iterator = iter(pairs)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _sqlite_size(url: str) -> int | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    path = Path(parsed.database)
    if not path.exists():
        return None
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(
    url: str,
    pairs: Iterable[tuple[Article | Rejection, dict]],
    *,
    total: int | None,
    batch_size: int = DEFAULT_BATCH,
    append: bool = False,
) -> dict:
    """Save every (article, truth) pair into the store at ``url``; returns the numbers."""
    from tqdm import tqdm

    from atlas.store import (
        IngestSummary,
        counts,
        finish_run,
        is_empty,
        open_store,
        save_extractions,
        start_run,
    )

    refuse_user_store(url)
    engine = open_store(url)
    try:
        if not append and not is_empty(engine):
            raise SystemExit(f"{url} already holds articles; pass --append to add to it")
        summary = IngestSummary(rejected=[])
        run_id = start_run(engine)
        started = time.perf_counter()
        cpu_started = time.process_time()
        saving = 0.0
        with tqdm(total=total, unit="article", desc="fill", file=sys.stderr) as bar:
            for chunk in _batches(pairs, batch_size):
                results = []
                for article, truth in chunk:
                    if isinstance(article, Rejection):
                        summary.rejected.append((article.path, article.reason))
                    else:
                        results.append(extraction_from_truth(article, truth))
                before = time.perf_counter()
                summary.ingested += save_extractions(
                    engine, results, fingerprint=FINGERPRINT, run_id=run_id
                )
                saving += time.perf_counter() - before
                bar.update(len(chunk))
        finish_run(engine, run_id, summary)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        stored = counts(engine)
    finally:
        engine.dispose()
    return {
        "articles": summary.ingested,
        "rejected": len(summary.rejected),
        "stored": stored,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "save_seconds": saving,
        "peak_rss_mb": peak_rss_mb(),
        "db_bytes": _sqlite_size(url),
        "rejections": summary.rejected[:5],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--articles", type=int, help="generate this many articles")
    source.add_argument("--corpus", type=Path, help="a make_corpus.py output folder")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--db", help="store URL (default sqlite:///bench/out/fill-<N>.db); never the app's store"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH,
        help=f"articles per transaction (default {DEFAULT_BATCH})",
    )
    parser.add_argument("--append", action="store_true", help="add to a store holding articles")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the run here")
    args = parser.parse_args(argv)
    if (args.articles is not None and args.articles < 1) or args.batch_size < 1:
        parser.error("--articles and --batch-size must be positive")
    url = args.db or default_db(args.articles, args.corpus)
    refuse_user_store(url)
    if args.articles:
        pairs: Iterable = generated(args.articles, args.seed)
        total = args.articles
    else:
        pairs = from_corpus(args.corpus)
        manifest = args.corpus / "manifest.json"
        total = json.loads(manifest.read_text())["articles"] if manifest.exists() else None

    def run() -> dict:
        return fill(url, pairs, total=total, batch_size=args.batch_size, append=args.append)

    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        numbers = profiler.runcall(run)
        profiler.dump_stats(args.profile)
    else:
        numbers = run()
    stored = numbers["stored"]
    rate = numbers["articles"] / numbers["seconds"] if numbers["seconds"] else 0.0
    print(f"store: {url}")
    print(
        f"saved {numbers['articles']} articles ({numbers['rejected']} rejected); the store "
        f"holds {stored['articles']} articles, {stored['organisations']} organisations, "
        f"{stored['deals']} deals"
    )
    print(
        f"time: {numbers['seconds']:.1f} s wall ({rate:.0f} articles/s), "
        f"{numbers['cpu_seconds']:.1f} s CPU, {numbers['save_seconds']:.1f} s in "
        f"save_extractions (batches of {args.batch_size})"
    )
    print(f"peak RSS: {numbers['peak_rss_mb']:.0f} MB")
    if numbers["db_bytes"] is not None:
        print(f"database file: {numbers['db_bytes'] / 1e6:.1f} MB")
    for path, reason in numbers["rejections"]:
        print(f"  rejected {path}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
