"""Bad input: every unreadable file gets one clear reason, every good one is ingested once.

The corpus is generated under tmp_path by the tests (no committed binaries).
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas.corpus import DEFAULT_MAX_BYTES, parse_text_article, read_corpus
from atlas.models import Article, Rejection

ROOT = Path(__file__).resolve().parent.parent

PHARMA = (
    "Daiichi Sankyo has signed a licence agreement with Merck for an oncology antibody. "
    "The companies said the deal covers Japan and Europe.\n"
)
JAPANESE = (
    "武田薬品工業はアステラス製薬と抗がん剤の共同開発で提携したと発表した。"
    "Takeda has partnered with Astellas on an oncology programme.\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip_of_random_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("noise.bin", random.Random(5).randbytes(2000))
    return buffer.getvalue()


HTML = """<html><head><title>Lonza partners with Moderna</title>
<style>body { color: red } .secret-style-text { display: none }</style>
<script>var secretScriptText = "alert('x')";</script></head>
<body><iframe src="https://ads.example/frame">secretIframeText</iframe>
<article><h1>Lonza partners with Moderna</h1>
<p>Lonza has signed a manufacturing agreement with Moderna for its mRNA vaccine.</p>
<script>document.write("secretInlineScript")</script>
</article></body></html>"""

# (relative path, bytes, expected: "ok" or a fragment of the rejection reason)
CASES: list[tuple[str, bytes, str]] = [
    # Zero bytes: nothing to decode, must not become an empty article.
    ("empty.txt", b"", "empty file"),
    # Only whitespace and a BOM: decodes fine, but there is no text.
    ("blank.md", b"\xef\xbb\xbf  \n\t\n   \n", "only whitespace"),
    # Binary content behind a text extension: magic bytes must win over the name.
    ("picture.txt", PNG, "binary file (PNG image)"),
    ("report.txt", PDF, "binary file (PDF document)"),
    ("archive-named.txt", _zip_of_random_bytes(), "binary file (ZIP archive)"),
    # A zip given to the folder reader (zips are an upload feature, not a corpus format).
    ("bundle.zip", _zip_of_random_bytes(), "unsupported file type .zip"),
    # UTF-8 cut in the middle of a multi-byte character (a truncated download).
    ("truncated.txt", PHARMA.encode() + "武田薬品".encode()[:-1], "cut off"),
    # Legacy Japanese encoding: detectable, so decoded rather than rejected.
    ("shift-jis.txt", JAPANESE.encode("cp932"), "ok"),
    # UTF-16 with a BOM: the BOM names the encoding.
    ("utf16-bom.txt", PHARMA.encode("utf-16"), "ok"),
    # UTF-16 without a BOM: NUL bytes everywhere, no safe way to tell; rejected.
    ("utf16-nobom.txt", PHARMA.encode("utf-16-le"), "NUL bytes"),
    # Scripts, styles, iframes, noscript: text kept, none of their content.
    ("page.html", HTML.encode(), "ok"),
    # Malformed JSON: reason names the position.
    ("broken.json", b'{"title": "x", "text": "Pfizer partners', "malformed JSON"),
    # CSV with ragged rows but no text column at all.
    ("ragged.csv", b"title,date\nA,2024-01-01,extra\nB\n", "no text column"),
    # Names that look like path tricks: must stay ordinary file names.
    # Read when named; inside a folder it is a hidden file, rejected with a reason.
    ("..name.txt", b"Roche has partnered with Genmab on bispecific antibodies.\n", "ok"),
    (
        "a b/\u00fc/\u00e9t\u00e9 r\u00e9sum\u00e9 \U0001f48a.txt",
        PHARMA.replace("Merck", "Sanofi").encode(),
        "ok",
    ),
    # Names with quotes, angle brackets, emoji, right-to-left text and zero-width characters.
    (
        "hostile names.md",
        (
            'Acme "Quoted" Bio has partnered with <Angle> Pharma \U0001f9ea on vaccines.\n'
            "\u0634\u0631\u0643\u0629 \u0627\u0644\u062f\u0648\u0627\u0621 signed a licence agreement "
            "with \u05d8\u05d1\u05e2 Pharmaceuticals and Zero\u200bWidth\u200d Therapeutics.\n"
        ).encode(),
        "ok",
    ),
]
JSONL_GOOD = [
    {
        "title": "Bayer and Bicycle",
        "text": "Bayer has partnered with Bicycle Therapeutics on radioligands.",
    },
    {
        "title": "Novo buys Catalent",
        "text": "Novo Holdings agreed to acquire Catalent for $16.5 billion.",
    },
]


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _build_corpus(folder: Path, *, big: bool) -> dict[str, str]:
    """Write the bad-input corpus; return name -> expected outcome."""
    expected: dict[str, str] = {}
    for name, data, outcome in CASES:
        _write(folder, name, data)
        expected[name] = "hidden file" if name.startswith(".") else outcome
    # What macOS leaves behind in a folder: skipped without a word.
    _write(folder, ".DS_Store", b"\x00\x00\x00\x01Bud1" + bytes(64))
    # One bad line among good ones: the good lines are still ingested.
    lines = [json.dumps(JSONL_GOOD[0]), "{not json", json.dumps(JSONL_GOOD[1])]
    _write(folder, "feed.jsonl", "\n".join(lines).encode())
    expected["feed.jsonl:1"] = "ok"
    expected["feed.jsonl:2"] = "JSONL line 2: malformed JSON"
    expected["feed.jsonl:3"] = "ok"
    if big:
        # 50 MB: over the 20 MB limit; the reason gives the size.
        with (folder / "huge.txt").open("wb") as fh:
            fh.truncate(50_000_000)
        expected["huge.txt"] = "file is 50.0 MB, over the 20 MB limit"
        # Just under the limit: a saved web page whose inline script is most of the bytes.
        head = b"<html><head><title>Big page</title><script>var blob='"
        tail = (
            b"';</script></head><body><p>Bristol Myers Squibb has signed a collaboration "
            b"agreement with BioNTech on a bispecific antibody.</p></body></html>"
        )
        padding = DEFAULT_MAX_BYTES - len(head) - len(tail) - 10
        _write(folder, "just-under.html", head + b"A" * padding + tail)
        expected["just-under.html"] = "ok"
    return expected


def _outcomes(records: list[Article | Rejection]) -> dict[str, str]:
    return {
        r.path if isinstance(r, Rejection) else r.file: r.reason
        if isinstance(r, Rejection)
        else "ok"
        for r in records
    }


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_bad_input_has_its_reason(tmp_path, name, data, expected):
    path = _write(tmp_path, name, data)
    records = list(read_corpus([path]))  # named explicitly, so even a dot-file is read
    assert len(records) == 1, records
    (record,) = records
    if expected == "ok":
        assert isinstance(record, Article), record
        assert record.file == path.name
    else:
        assert isinstance(record, Rejection)
        assert expected in record.reason
        assert "\n" not in record.reason and record.path == path.name


def test_decoded_encodings_keep_their_text(tmp_path):
    _write(tmp_path, "sjis.txt", JAPANESE.encode("cp932"))
    _write(tmp_path, "u16.txt", PHARMA.encode("utf-16"))
    by_file = {a.file: a for a in read_corpus([tmp_path])}
    assert "武田薬品工業" in by_file["sjis.txt"].text
    assert "Daiichi Sankyo" in by_file["u16.txt"].text


def test_html_keeps_text_and_drops_scripts_styles_iframes(tmp_path):
    _write(tmp_path, "page.html", HTML.encode())
    (article,) = read_corpus([tmp_path])
    body = " ".join(item.text for item in article.items)
    assert "manufacturing agreement with Moderna" in body
    for hidden in ("secret", "<", "color: red", "alert"):
        assert hidden not in body, hidden


def test_size_limit_boundary(tmp_path):
    (tmp_path / "over.txt").write_bytes(b"x" * (DEFAULT_MAX_BYTES + 1))
    small = list(read_corpus([tmp_path], max_bytes=1000))
    assert _outcomes(small)["over.txt"] == "file is 20.0 MB, over the 0.001 MB limit"


@pytest.mark.model
def test_whole_batch_through_the_cli(tmp_path):
    """A real `python -m atlas ingest` over the whole batch, twice."""
    folder = tmp_path / "corpus"
    expected = _build_corpus(folder, big=True)
    db = f"sqlite:///{tmp_path / 'atlas.db'}"
    command = [sys.executable, "-m", "atlas", "--db", db, "ingest", str(folder), "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert first.returncode == 0, first.stderr
    rejected = {}
    for line in first.stdout.splitlines():
        if line.startswith("  rejected "):
            path, _, reason = line[len("  rejected ") :].partition(": ")
            assert path not in rejected, f"two reasons for {path}"
            rejected[path] = reason
    bad = {k: v for k, v in expected.items() if v != "ok"}
    good = {k for k, v in expected.items() if v == "ok"}
    assert set(rejected) == set(bad), (rejected, bad)
    for path, fragment in bad.items():
        assert fragment in rejected[path], (path, rejected[path])
    assert f"ingested {len(good)}," in first.stdout, first.stdout
    assert "Traceback" not in first.stderr, first.stderr

    from atlas.store import articles_frame, open_store

    engine = open_store(db)
    stored = set(articles_frame(engine)["file"])
    assert stored == good
    second = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert second.returncode == 0, second.stderr
    assert "ingested 0," in second.stdout and f"duplicates skipped {len(good)}" in second.stdout
    assert len(articles_frame(engine)) == len(good)
    engine.dispose()


def _many_organisations_text(n: int) -> str:
    sentences = [
        f"Company{i:05d} Therapeutics has partnered with Company{i + 1:05d} Therapeutics "
        "on an oncology antibody."
        for i in range(1, n + 1, 2)
    ]
    return "Partnership round-up\n\n" + " ".join(sentences) + "\n"


def _extract_and_store(extractor, n: int) -> tuple[float, int, int]:
    from atlas.store import counts, open_store, save_extraction

    article = parse_text_article(_many_organisations_text(n), file="many.txt")
    assert isinstance(article, Article)
    started = time.perf_counter()
    result = extractor.extract(article)
    engine = open_store("sqlite://")
    save_extraction(engine, result, fingerprint=extractor.fingerprint)
    elapsed = time.perf_counter() - started
    found = counts(engine)
    print(f"{n} organisation names: extracted and stored in {elapsed:.1f} s")
    return elapsed, found["organisations"], found["deals"]


@pytest.mark.model
def test_article_naming_many_organisations(extractor):
    # Hundreds of names: anything quadratic per organisation shows up here first.
    _elapsed, orgs, deals = _extract_and_store(extractor, 600)
    assert orgs >= 590 and deals >= 290


@pytest.mark.model
def test_article_naming_ten_thousand_organisations(extractor):
    _elapsed, orgs, deals = _extract_and_store(extractor, 10_000)
    assert orgs >= 9_900 and deals >= 4_900


@pytest.mark.model
def test_item_longer_than_the_pipeline_limit_is_extracted(extractor):
    # spaCy raises E088 on a text over nlp.max_length; one such article must not stop an
    # ingest. The limit is lowered here so the test stays quick; the code path is the same.
    text = "Pfizer has signed a licence agreement with Genmab for an antibody.\n\n" + (
        "Filler sentence about the weather in the region. " * 200
    )
    article = parse_text_article(text, file="long.txt")
    saved = extractor.nlp.max_length
    extractor.nlp.max_length = 5_000
    try:
        result = extractor.extract(article)
    finally:
        extractor.nlp.max_length = saved
    assert len(article.items[0].text) > 5_000
    assert {p for d in result.deals for p in d.parties} >= {"Pfizer", "Genmab"}


@pytest.mark.model
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text())
def test_reader_and_extractor_never_raise(extractor, text):
    record = parse_text_article(text, file="fuzz.txt")
    assert isinstance(record, Article | Rejection)
    if isinstance(record, Article):
        result = extractor.extract(record)
        assert result.article is record
    else:
        assert record.reason and "\n" not in record.reason
