"""Extraction throughput of atlas next to bare ``nlp.pipe`` of the same model, same texts.

    .venv/bin/python bench/throughput.py                     # 1,000 synthetic articles
    .venv/bin/python bench/throughput.py --articles 300 --processes 1

The texts are the synthetic corpus of ``bench/make_corpus.py`` (generated into
``bench/out/`` when missing). "bare" is the packaged ``en_core_web_sm`` pipeline
as loaded, fed the very strings atlas feeds it (one per article item); "atlas" is
``Extractor.extract_many``: the same model plus the lexicon ruler, the organisation
rules, organisation resolution and the deal rules, ending in ``ExtractionResult``s.
The figure is the ratio of their throughputs, measured in one run (bare first,
then atlas, each after a short warm-up), once on one core and once with
``n_process`` workers. Prints one markdown table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atlas.corpus import read_corpus  # noqa: E402
from atlas.extract import Extractor, _item_text  # noqa: E402
from atlas.models import Article, ArticleItem  # noqa: E402
from atlas.nlp import load_language_model  # noqa: E402

OUT = ROOT / "bench" / "out"


def synthetic_corpus(articles: int, *, seed: int = 1) -> Path:
    """The generator's corpus of ``articles`` articles, made once and reused."""
    folder = OUT / f"corpus-{articles}-seed{seed}"
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


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def measure(articles, texts, extractor, bare, *, n_process: int, batch_size: int) -> dict:
    warm_articles = articles[:20]
    # Warm-up: first calls allocate vectors, compile matchers, fork workers' caches.
    for _ in bare.pipe(item_texts(warm_articles, bare.max_length), batch_size=batch_size):
        pass
    for _ in extractor.extract_many(warm_articles, batch_size=batch_size):
        pass

    def run_bare():
        for _ in bare.pipe(texts, batch_size=batch_size, n_process=n_process):
            pass

    deals = 0

    def run_atlas():
        nonlocal deals
        for result in extractor.extract_many(articles, batch_size=batch_size, n_process=n_process):
            deals += len(result.deals)

    return {"bare": timed(run_bare), "atlas": timed(run_atlas), "deals": deals}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
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
            articles, texts, extractor, bare, n_process=n_process, batch_size=args.batch_size
        )
        rows.append((n_process, result))
        print(f"n_process={n_process}: {result}", file=sys.stderr)

    single = rows[0][1]
    print(
        "| run | bare s | bare words/s | atlas s | atlas articles/s | atlas words/s |"
        " ratio atlas/bare | speed-up vs 1 process (bare / atlas) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n_process, result in rows:
        ratio = result["bare"] / result["atlas"]
        speedup = (
            f"{single['bare'] / result['bare']:.2f}× / {single['atlas'] / result['atlas']:.2f}×"
        )
        print(
            f"| {n_process} process{'es' if n_process > 1 else ''} | {result['bare']:.1f} | "
            f"{words / result['bare']:.0f} | {result['atlas']:.1f} | "
            f"{len(articles) / result['atlas']:.1f} | {words / result['atlas']:.0f} | "
            f"{ratio:.2f} | {speedup} |"
        )
    print(f"\n{len(articles)} articles, {words} words; deals found: {rows[0][1]['deals']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
