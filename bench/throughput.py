"""Extraction throughput of atlas next to bare spaCy of the same model, same texts, interleaved.

    .venv/bin/python bench/throughput.py                      # 300 synthetic articles, 3 rounds
    .venv/bin/python bench/throughput.py --articles 200 --chunk 25 --rounds 2 --processes 1

The texts are the synthetic corpus of ``bench/make_corpus.py`` (generated into
``bench/out/`` when missing; its articles and sentences are as long as real news). "bare"
is the packaged ``en_core_web_sm`` pipeline as loaded, fed the very strings atlas feeds it
(one per article item); "atlas" is ``Extractor.extract_many``: the same model plus the
lexicon ruler, the organisation rules, organisation resolution and the deal rules, ending
in ``ExtractionResult``s.

The two are timed interleaved, so a change of machine load hits both: the articles are
cut into chunks of ``--chunk``, and each chunk is run by both, bare first on one chunk and
atlas first on the next (the order flips again every round), for ``--rounds`` rounds. Each
side's wall time and CPU time (this process and its children: ``os.times``) are summed
over every chunk and round, and each round's wall-time ratio is printed as well, so the
spread shows. Once on one process and once with ``--processes`` workers; with workers,
both sides do the same: forked workers (``multiprocessing`` "fork") each take a bounded
batch of whole articles (``atlas.extract.bounded_batches``), run the pipeline (bare) or
the pipeline and the rules (atlas) on it and send back small results (bare: each text's
token and entity counts, not the ``Doc``; atlas: its ``ExtractionResult``s).

Prints one markdown table; the ratio is bare seconds over atlas seconds (atlas's
throughput as a share of bare spaCy's), in wall and in CPU time.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atlas.corpus import read_corpus  # noqa: E402
from atlas.extract import (  # noqa: E402
    BATCH_CHARS,
    Extractor,
    _item_text,
    article_chars,
    bounded_batches,
)
from atlas.models import Article, ArticleItem  # noqa: E402
from atlas.nlp import load_language_model  # noqa: E402

OUT = ROOT / "bench" / "out"

_BARE = None  # the bare pipeline, set in the parent before the workers are forked


def synthetic_corpus(articles: int, *, seed: int = 1) -> Path:
    """The generator's corpus of ``articles`` articles, made once per version of the
    generator and reused."""
    generator = hashlib.sha256((ROOT / "bench" / "make_corpus.py").read_bytes()).hexdigest()
    folder = OUT / f"corpus-{articles}-seed{seed}-{generator[:8]}"
    if not (folder / ".complete").exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "make_corpus.py"),
                "--articles",
                str(articles),
                "--seed",
                str(seed),
                "--out",
                str(folder),
            ],
            check=True,
            stdout=sys.stderr,  # its summary line is not part of the table
        )
        (folder / ".complete").write_text("")
    return folder / "articles"  # the ground truth sits beside it, in truth/


def load_articles(folder: Path, limit: int) -> list[Article]:
    found = []
    for record in read_corpus([folder]):
        if isinstance(record, Article):
            found.append(record)
            if len(found) == limit:
                break
    return found


def item_texts(articles: list[Article], max_length: int) -> list[str]:
    """Exactly the strings ``Extractor.extract_many`` hands to ``nlp.pipe``."""
    texts = []
    for article in articles:
        items = article.items or (ArticleItem(0, article.text, article.title),)
        texts += [_item_text(item)[:max_length] for item in items]
    return texts


def _bare_chunk(chunk: list[Article], batch_size: int) -> list[tuple[int, int]]:
    """Runs in a forked worker: the bare pipeline over one batch of articles; sends back
    each text's token and entity counts (small, as atlas's results are)."""
    assert _BARE is not None
    texts = item_texts(chunk, _BARE.max_length)
    return [(len(doc), len(doc.ents)) for doc in _BARE.pipe(texts, batch_size=batch_size)]


def run_bare(bare, articles: list[Article], *, n_process: int, batch_size: int) -> int:
    """The bare pipeline over ``articles``; returns the entities found."""
    global _BARE
    if n_process == 1:
        texts = item_texts(articles, bare.max_length)
        return sum(len(doc.ents) for doc in bare.pipe(texts, batch_size=batch_size))
    # As atlas does it (atlas.extract.Extractor._extract_in_workers): forked workers,
    # bounded batches of whole articles, at most two per worker in flight.
    _BARE = bare
    batches = bounded_batches(articles, size=batch_size, max_chars=BATCH_CHARS, chars=article_chars)
    found = 0
    in_flight: deque = deque()
    with multiprocessing.get_context("fork").Pool(n_process) as pool:
        while True:
            while len(in_flight) < 2 * n_process:
                batch = next(batches, None)
                if batch is None:
                    break
                in_flight.append(pool.apply_async(_bare_chunk, (batch, batch_size)))
            if not in_flight:
                break
            found += sum(ents for _tokens, ents in in_flight.popleft().get())
    return found


def run_atlas(extractor, articles: list[Article], *, n_process: int, batch_size: int) -> int:
    """Atlas over ``articles``; returns the deals found."""
    return sum(
        len(result.deals)
        for result in extractor.extract_many(articles, batch_size=batch_size, n_process=n_process)
    )


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed(run: Callable[[], int]) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    found = run()
    return time.perf_counter() - wall, cpu_seconds() - cpu, found


def measure(
    articles: list[Article],
    extractor,
    bare,
    *,
    n_process: int,
    batch_size: int,
    chunk: int,
    rounds: int,
) -> dict:
    """Both sides over every chunk, interleaved, ``rounds`` times: summed wall and CPU
    seconds per side, and each round's wall-time ratio (bare / atlas)."""
    warm = articles[:10]  # first calls allocate vectors and compile matchers
    run_bare(bare, warm, n_process=1, batch_size=batch_size)
    run_atlas(extractor, warm, n_process=1, batch_size=batch_size)
    chunks = [articles[i : i + chunk] for i in range(0, len(articles), chunk)]
    totals = {side: {"wall": 0.0, "cpu": 0.0, "found": 0} for side in ("bare", "atlas")}
    round_ratios = []
    for number in range(rounds):
        this_round = {"bare": 0.0, "atlas": 0.0}
        for index, part in enumerate(chunks):
            order = ("bare", "atlas") if (index + number) % 2 == 0 else ("atlas", "bare")
            for side in order:
                if side == "bare":
                    wall, cpu, found = timed(
                        lambda p=part: run_bare(bare, p, n_process=n_process, batch_size=batch_size)
                    )
                else:
                    wall, cpu, found = timed(
                        lambda p=part: run_atlas(
                            extractor, p, n_process=n_process, batch_size=batch_size
                        )
                    )
                totals[side]["wall"] += wall
                totals[side]["cpu"] += cpu
                totals[side]["found"] += found
                this_round[side] += wall
        round_ratios.append(this_round["bare"] / this_round["atlas"])
        print(
            f"n_process={n_process} round {number + 1}: bare {this_round['bare']:.1f} s, "
            f"atlas {this_round['atlas']:.1f} s, ratio {round_ratios[-1]:.2f}",
            file=sys.stderr,
            flush=True,
        )
    return {**totals, "round_ratios": round_ratios}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--chunk", type=int, default=50, help="articles per interleaved chunk")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2, help="workers for the second row")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--corpus", type=Path, help="a folder of articles instead of the generator")
    args = parser.parse_args(argv)

    folder = args.corpus or synthetic_corpus(args.articles)
    articles = load_articles(folder, args.articles)
    extractor = Extractor()
    bare = load_language_model()
    texts = item_texts(articles, extractor.nlp.max_length)
    words = sum(len(text.split()) for text in texts)
    print(
        f"{len(articles)} articles, {len(texts)} texts, {words} words from {folder}; "
        f"bare pipes: {', '.join(bare.pipe_names)}; atlas pipes: {', '.join(extractor.nlp.pipe_names)}",
        file=sys.stderr,
    )

    rows = []
    for n_process in dict.fromkeys((1, args.processes)):
        result = measure(
            articles,
            extractor,
            bare,
            n_process=n_process,
            batch_size=args.batch_size,
            chunk=args.chunk,
            rounds=args.rounds,
        )
        rows.append((n_process, result))

    single = rows[0][1]
    done = words * args.rounds
    print(
        f"{len(articles)} articles ({words:,} words) in chunks of {args.chunk}, bare and "
        f"atlas interleaved, {args.rounds} rounds; seconds summed over the rounds; CPU is "
        "this process and its workers\n"
    )
    print(
        "| run | bare wall s | bare CPU s | atlas wall s | atlas CPU s | atlas words/s (wall) |"
        " ratio atlas/bare, wall | ratio, CPU | ratio per round (wall) |"
        " speed-up vs 1 process, wall (bare / atlas) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n_process, result in rows:
        bare_side, atlas_side = result["bare"], result["atlas"]
        speedup = (
            f"{single['bare']['wall'] / bare_side['wall']:.2f}× / "
            f"{single['atlas']['wall'] / atlas_side['wall']:.2f}×"
        )
        spread = ", ".join(f"{r:.2f}" for r in result["round_ratios"])
        print(
            f"| {n_process} process{'es' if n_process > 1 else ''} | {bare_side['wall']:.1f} | "
            f"{bare_side['cpu']:.1f} | {atlas_side['wall']:.1f} | {atlas_side['cpu']:.1f} | "
            f"{done / atlas_side['wall']:.0f} | {bare_side['wall'] / atlas_side['wall']:.2f} | "
            f"{bare_side['cpu'] / atlas_side['cpu']:.2f} | {spread} "
            f"(median {statistics.median(result['round_ratios']):.2f}) | {speedup} |"
        )
    print(f"\ndeals found by atlas per round: {single['atlas']['found'] // args.rounds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
