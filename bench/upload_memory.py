"""Peak memory and time of ingesting the largest upload the app accepts (issue 14, point 4).

    .venv/bin/python bench/upload_memory.py                # the largest file, then the largest zip
    .venv/bin/python bench/upload_memory.py --case file

Each case runs in a fresh child process doing what the Add articles page does with an
upload: the size check, ``read_uploads``, then ``ingest_articles`` into a new SQLite store
under ``bench/out/``. The uploads are built to the limits of ``atlas.ingest``:

- ``file``: one ``.txt`` of exactly ``MAX_UPLOAD_BYTES`` (20 MB), one long article (its
  company runs through every paragraph, so it is not split as a digest);
- ``zip``: one archive under ``MAX_UPLOAD_BYTES`` that unpacks to exactly
  ``MAX_UPLOAD_TOTAL_BYTES`` (50 MB): two 20 MB articles and one of 10 MB.

The text is the seed articles over and over, with one character outside the Basic
Multilingual Plane, so Python holds it at four bytes a character (the worst case).
Peak RSS is the child's own high-water mark (``ru_maxrss``); "model loaded" is its
resident memory once the extractor is built, before the upload is read. Prints one
markdown table.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
CASES = ("file", "zip")


def long_article(size: int, number: int = 0) -> bytes:
    """``size`` bytes of UTF-8 article text: the seed articles repeated, names running
    through it, and one astral character ("📈") that makes it four bytes a character;
    ``number`` makes it another article (articles are known by their text)."""
    seeds = "\n\n".join(p.read_text() for p in sorted((ROOT / "data" / "articles").glob("*.txt")))
    head = f"Astellas 📈 outlook, part {number + 1}.\n\n".encode()
    body = (seeds + "\n\n").encode()
    data = head + body * ((size - len(head)) // len(body) + 1)
    return data[:size].decode("utf-8", errors="ignore").encode()[:size]


def build_upload(case: str) -> list[tuple[str, bytes]]:
    from atlas.ingest import MAX_UPLOAD_BYTES, MAX_UPLOAD_TOTAL_BYTES

    if case == "file":
        data = long_article(MAX_UPLOAD_BYTES)
        return [("largest.txt", data + b" " * (MAX_UPLOAD_BYTES - len(data)))]
    sizes = [MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES, MAX_UPLOAD_TOTAL_BYTES - 2 * MAX_UPLOAD_BYTES]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for number, size in enumerate(sizes):
            data = long_article(size, number)
            zf.writestr(f"long{number}.txt", data + b" " * (size - len(data)))
    assert len(archive.getvalue()) <= MAX_UPLOAD_BYTES
    return [("largest.zip", archive.getvalue())]


def rss_now() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def run_case(case: str) -> dict:
    """In the child: build the upload, then check, read and ingest it."""
    from atlas.extract import Extractor
    from atlas.ingest import ingest_articles, read_uploads, upload_size_problem
    from atlas.store import open_store

    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"upload-{case}.db"
    db.unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{db}")
    extractor = Extractor()
    loaded = rss_now()
    files = build_upload(case)
    upload_bytes = sum(len(data) for _, data in files)
    started = time.perf_counter()
    assert upload_size_problem((name, len(data)) for name, data in files) is None
    records = read_uploads(files)
    del files
    report = ingest_articles(engine, records, extractor=extractor)
    seconds = time.perf_counter() - started
    return {
        "case": case,
        "upload_mb": upload_bytes / 1e6,
        "text_chars": sum(len(r.text) for r in records if hasattr(r, "text")),
        "seconds": seconds,
        "loaded_gib": loaded / 2**30,
        "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 2**30,
        "line": report.summary.line(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, action="append")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child)))
        return
    rows = []
    for case in args.case or CASES:
        done = subprocess.run(
            [sys.executable, __file__, "--child", case],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(
        "| upload | size MB | characters read | seconds | RSS with the model loaded GiB "
        "| peak RSS GiB | result |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['case']} | {row['upload_mb']:.1f} | {row['text_chars']:,} "
            f"| {row['seconds']:.0f} | {row['loaded_gib']:.2f} | {row['peak_gib']:.2f} "
            f"| {row['line']} |"
        )


if __name__ == "__main__":
    main()
