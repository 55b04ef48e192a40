"""Length of articles and of sentences: the real evaluation texts next to the synthetic corpus.

    .venv/bin/python bench/corpus_stats.py                         # ../shared/eval dev + train-*
    .venv/bin/python bench/corpus_stats.py --synthetic 1000        # + the generator's corpus

Reads every article of the evaluation sets ``dev`` and ``train-a`` to ``train-e``
(never ``check``, the held-out set) through ``atlas.corpus.read_corpus``, as Atlas
reads them, and prints for each set and for all of them: article length in words
(whitespace-separated, the article's whole text) as min / quartiles / mean / p90 /
max and the share over 800 words, and sentence length in tokens (``en_core_web_sm``'s
tokens and sentence boundaries) as median / p90 / p99 / max and the share over 60
and over 120 tokens. Then the parameters of a log-normal fitted to the lengths of
the ``dev`` articles (mean and standard deviation of ln words; the train sets are
mostly excerpts of about 2,000 characters, so only dev has whole articles), which ``bench/make_corpus.py``
draws its lengths from (``LENGTH_LOG_MEAN``, ``LENGTH_LOG_SD``).

The texts are read for these counts only: nothing of them is printed or kept.
With ``--synthetic N`` the same figures for the first N articles of the
generator's corpus (seed 1), so the two can be compared line by line.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EVAL = ROOT.parent / "shared" / "eval"
SETS = ("dev", "train-a", "train-b", "train-c", "train-d", "train-e")  # never "check"


def eval_texts(folder: Path) -> list[str]:
    from atlas.corpus import read_corpus
    from atlas.models import Article

    return [r.text for r in read_corpus([folder]) if isinstance(r, Article)]


def synthetic_texts(articles: int, seed: int = 1) -> list[str]:
    from bench import make_corpus

    return [record["text"] for record, _truth in make_corpus.generate(articles, seed)]


def quantile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def sentence_lengths(texts: list[str]) -> list[int]:
    from atlas.nlp import load_language_model

    nlp = load_language_model()
    lengths = []
    for doc in nlp.pipe(texts, batch_size=16):
        lengths += [sum(not t.is_space for t in sent) for sent in doc.sents]
    return [n for n in lengths if n]


def article_row(name: str, texts: list[str]) -> str:
    words = [len(t.split()) for t in texts]
    q1, median, q3 = statistics.quantiles(words, n=4) if len(words) > 1 else (words[0],) * 3
    over = sum(w > 800 for w in words)
    return (
        f"| {name} | {len(words)} | {min(words)} | {q1:.0f} | {median:.0f} | {q3:.0f} | "
        f"{statistics.mean(words):.0f} | {quantile(words, 0.9):.0f} | {max(words)} | "
        f"{over} ({over / len(words):.0%}) |"
    )


def sentence_row(name: str, lengths: list[int]) -> str:
    return (
        f"| {name} | {len(lengths)} | {statistics.median(lengths):.0f} | "
        f"{statistics.mean(lengths):.1f} | {quantile(lengths, 0.9)} | {quantile(lengths, 0.99)} | "
        f"{max(lengths)} | {sum(n > 60 for n in lengths) / len(lengths):.1%} | "
        f"{sum(n > 120 for n in lengths) / len(lengths):.2%} |"
    )


def lognormal_fit(words: list[int]) -> tuple[float, float]:
    logs = [math.log(w) for w in words if w > 0]
    return statistics.mean(logs), statistics.stdev(logs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=EVAL, help="the evaluation data folder")
    parser.add_argument("--synthetic", type=int, default=0, help="also N generated articles")
    parser.add_argument(
        "--sets", default=",".join(SETS), help=f"evaluation sets, of {', '.join(SETS)}"
    )
    args = parser.parse_args(argv)

    groups: dict[str, list[str]] = {}
    for name in [n for n in args.sets.split(",") if n in SETS]:  # never "check"
        if (args.eval / name).is_dir():
            groups[name] = eval_texts(args.eval / name)
    real = [t for texts in groups.values() for t in texts]
    groups["all real"] = real
    if args.synthetic:
        groups[f"synthetic ({args.synthetic}, seed 1)"] = synthetic_texts(args.synthetic)

    print("Article length, words\n")
    print("| set | articles | min | q1 | median | q3 | mean | p90 | max | over 800 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, texts in groups.items():
        print(article_row(name, texts))

    print("\nSentence length, tokens (en_core_web_sm sentences, spaces not counted)\n")
    print("| set | sentences | median | mean | p90 | p99 | max | over 60 | over 120 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, texts in groups.items():
        print(sentence_row(name, sentence_lengths(texts)), flush=True)

    # The train-* texts are mostly excerpts of about 2,000 characters (the eval README):
    # whole articles' lengths are dev's.
    whole = groups.get("dev") or real
    mu, sigma = lognormal_fit([len(t.split()) for t in whole])
    print(
        f"\nlog-normal fit of the dev articles' lengths ({len(whole)} whole articles): "
        f"ln(words) mean {mu:.3f}, sd {sigma:.3f} (median {math.exp(mu):.0f} words, "
        f"mean {math.exp(mu + sigma**2 / 2):.0f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
