"""Files and folders to Articles: text, HTML, JSON, JSON Lines and CSV records.

Nothing here raises on bad input: every input that cannot be read becomes a ``Rejection``
with a one-line reason a user can act on."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from atlas.corpus.clean import clean_str
from atlas.corpus.decode import UNDECODABLE, decode_bytes
from atlas.corpus.markup import HTML_HINT_RE, decode_html, html_article
from atlas.corpus.text import parse_text_article
from atlas.models import Article, Rejection

DEFAULT_MAX_BYTES = 20_000_000

TEXT_EXTENSIONS = frozenset({".txt", ".md", ".markdown"})
HTML_EXTENSIONS = frozenset({".html", ".htm"})
SUPPORTED_EXTENSIONS = TEXT_EXTENSIONS | HTML_EXTENSIONS | {".json", ".jsonl", ".csv"}

# Record keys (compared case-insensitively), in order of preference.
TEXT_KEYS = ("text", "body", "content")
TITLE_KEYS = ("title",)
DATE_KEYS = ("date", "published", "published_at")
SOURCE_KEYS = ("source",)
URL_KEYS = ("url", "link")
# A JSON object wrapping its records under one of these keys.
WRAPPER_KEYS = ("articles", "items", "records", "data")

_NO_TEXT_FIELD = "expected one of " + ", ".join(TEXT_KEYS)


def _pick(keys: dict[str, str], wanted: tuple[str, ...], rec: dict, used: set[str]) -> object:
    """First non-empty value among `wanted` keys (case-insensitive); marks the key used."""
    for name in wanted:
        original = keys.get(name)
        if original is None:
            continue
        value = rec[original]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        used.add(original)
        return value
    return None


def _record_article(rec: dict, file: str) -> Article | Rejection:
    keys: dict[str, str] = {}
    for k in rec:
        if isinstance(k, str):
            keys.setdefault(k.strip().lower(), k)
    if not any(k in keys for k in TEXT_KEYS):
        return Rejection(file, f"record has no text field ({_NO_TEXT_FIELD})")
    used: set[str] = set()
    text = _pick(keys, TEXT_KEYS, rec, used)
    if text is None:
        return Rejection(file, "empty text")
    if isinstance(text, list) and all(isinstance(p, str) for p in text):
        text = "\n\n".join(text)  # a list of paragraphs
    if not isinstance(text, str):
        return Rejection(file, f"text field is not a string (got {type(text).__name__})")
    title = _pick(keys, TITLE_KEYS, rec, used)
    published = _pick(keys, DATE_KEYS, rec, used)
    source = _pick(keys, SOURCE_KEYS, rec, used)
    url = _pick(keys, URL_KEYS, rec, used)
    metadata = {k: v for k, v in rec.items() if k not in used}
    fields: dict[str, str | None] = {
        "title": clean_str(title) if isinstance(title, str | int | float) else None,
        "published": clean_str(published) if isinstance(published, str | int) else None,
        "source": clean_str(source) if isinstance(source, str) else None,
        "url": clean_str(url) if isinstance(url, str) else None,
    }
    if HTML_HINT_RE.search(text[:5000]):
        return html_article(text, file, metadata=metadata, **fields)
    return parse_text_article(text, file=file, metadata=metadata, **fields)


def _json_records(obj: object) -> list[object] | str:
    """The records of a JSON document, or a reason why there are none."""
    if isinstance(obj, list):
        return obj if obj else "JSON list is empty"
    if isinstance(obj, dict):
        lower = {k.lower(): k for k in obj if isinstance(k, str)}
        if any(k in lower for k in TEXT_KEYS):
            return [obj]
        for key in WRAPPER_KEYS:
            if key in lower and isinstance(obj[lower[key]], list):
                return obj[lower[key]] or "JSON list is empty"
        return f"JSON object has no text field ({_NO_TEXT_FIELD}) and no articles list"
    return "JSON must be an object or a list of objects"


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "malformed JSON: nested too deeply"
    return f"malformed JSON: {exc}"


def _read_json(text: str, name: str) -> list[Article | Rejection]:
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return [Rejection(name, _json_error(exc))]
    records = _json_records(obj)
    if isinstance(records, str):
        return [Rejection(name, records)]
    single = isinstance(obj, dict) and records and records[0] is obj
    out: list[Article | Rejection] = []
    for n, rec in enumerate(records, 1):
        file = name if single else f"{name}:{n}"
        if not isinstance(rec, dict):
            out.append(Rejection(file, f"record {n} is not a JSON object"))
        else:
            out.append(_record_article(rec, file))
    return out


def _read_jsonl(text: str, name: str) -> list[Article | Rejection]:
    out: list[Article | Rejection] = []
    # Split on "\n" only: JSON strings may legally hold U+2028, which splitlines() breaks on.
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        file = f"{name}:{lineno}"
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError) as exc:
            reason = _json_error(exc)
            if isinstance(exc, json.JSONDecodeError):
                reason = f"malformed JSON: {exc.msg} at column {exc.colno}"
            out.append(Rejection(file, f"JSONL line {lineno}: {reason}"))
            continue
        if not isinstance(rec, dict):
            out.append(Rejection(file, f"JSONL line {lineno}: not a JSON object"))
            continue
        out.append(_record_article(rec, file))
    return out or [Rejection(name, "file contains only whitespace")]


def _csv_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    if "," in header:
        return ","
    counts = {d: header.count(d) for d in ("\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(text: str, name: str, max_bytes: int) -> list[Article | Rejection]:
    # Article bodies easily exceed csv's default 128 KiB field limit.
    if csv.field_size_limit() < max_bytes:
        csv.field_size_limit(min(max_bytes, 2**31 - 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_csv_delimiter(text))
    out: list[Article | Rejection] = []
    header: list[str] | None = None
    last_line = 0
    try:
        for row in reader:
            start_line, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().lstrip("\ufeff") for cell in row]
                lower = {h.lower() for h in header}
                if not any(k in lower for k in TEXT_KEYS):
                    return [Rejection(name, f"CSV has no text column ({_NO_TEXT_FIELD})")]
                continue
            rec: dict[str, object] = {}
            for col, cell in zip(header, row, strict=False):
                if col and col not in rec:
                    rec[col] = cell if cell.strip() else None
            if len(row) > len(header):
                extra = [c for c in row[len(header) :] if c.strip()]
                if extra:
                    rec["extra_cells"] = extra
            rec = {k: v for k, v in rec.items() if v is not None or k.lower() in TEXT_KEYS}
            out.append(_record_article(rec, f"{name}:{start_line}"))
    except csv.Error as exc:
        out.append(Rejection(name, f"malformed CSV at line {reader.line_num}: {exc}"))
    if header is None:
        return [Rejection(name, "CSV has no header row")]
    return out or [Rejection(name, "CSV has a header but no rows")]


# --------------------------------------------------------------------------------------------
# Files and folders
# --------------------------------------------------------------------------------------------


def _size_text(n: int) -> str:
    return f"{n / 1e6:.1f}"


def read_file(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    name: str | None = None,
) -> list[Article | Rejection]:
    """Articles (or Rejections) from one file; `name` is what Article.file and Rejection show."""
    try:
        p = Path(path)
    except TypeError:
        return [Rejection(str(path), "not a file path")]
    display = name or p.name or str(path)
    try:
        if not p.exists():
            return [Rejection(display, "no such file or folder")]
        if p.is_dir():
            return [Rejection(display, "is a folder, not a file")]
        if not p.is_file():
            return [Rejection(display, "not a regular file")]
        ext = p.suffix.lower()
        if ext not in SUPPORTED_EXTENSIONS:
            kind = ext if ext else "(no extension)"
            return [Rejection(display, f"unsupported file type {kind}")]
        size = p.stat().st_size
        if size > max_bytes:
            return [Rejection(display, _too_big(size, max_bytes))]
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat()
    except (OSError, ValueError) as exc:
        return [Rejection(display, f"cannot read file: {getattr(exc, 'strerror', None) or exc}")]
    if len(data) > max_bytes:
        return [Rejection(display, _too_big(len(data), max_bytes))]
    try:
        return _read_bytes(data, display, ext, max_bytes)
    except Exception as exc:  # noqa: BLE001 - never let one file stop a corpus run
        return [Rejection(display, f"could not read file ({type(exc).__name__})")]


def _too_big(size: int, max_bytes: int) -> str:
    return f"file is {_size_text(size)} MB, over the {max_bytes / 1e6:g} MB limit"


def _read_bytes(data: bytes, name: str, ext: str, max_bytes: int) -> list[Article | Rejection]:
    if ext in HTML_EXTENSIONS:
        text, reason = decode_html(data)
    else:
        text, reason = decode_bytes(data)
    if text is None:
        return [Rejection(name, reason or UNDECODABLE)]
    if ext in TEXT_EXTENSIONS:
        return [parse_text_article(text, file=name)]
    if ext in HTML_EXTENSIONS:
        return [html_article(text, name)]
    if ext == ".json":
        return _read_json(text, name)
    if ext == ".jsonl":
        return _read_jsonl(text, name)
    return _read_csv(text, name, max_bytes)


# Files that systems and tools leave in folders, skipped without a word.
_HOUSEKEEPING = frozenset({".ds_store", ".gitkeep", ".gitignore", ".keep", ".localized"})


def _is_housekeeping(name: str) -> bool:
    lowered = name.lower()
    return lowered in _HOUSEKEEPING or lowered.startswith("._")  # "._x": macOS resource forks


def _walk(root: Path) -> tuple[list[tuple[str, Path]], list[Rejection]]:
    """Visible files under `root` as (relative posix name, path), sorted; plus folder errors."""
    files: list[tuple[str, Path]] = []
    errors: list[Rejection] = []

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        try:
            rel = where.relative_to(root).as_posix()
        except ValueError:
            rel = str(where)
        errors.append(Rejection(rel or root.name, f"cannot read folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))  # hidden dirs skipped
        for fname in filenames:
            full = Path(dirpath, fname)
            if fname.startswith("."):
                # Housekeeping files go unmentioned; any other hidden file gets a reason,
                # so a file such as "..report.txt" is never skipped without a word.
                if not _is_housekeeping(fname):
                    errors.append(
                        Rejection(
                            full.relative_to(root).as_posix(),
                            "hidden file (its name starts with a dot): rename it to ingest it",
                        )
                    )
                continue
            files.append((full.relative_to(root).as_posix(), full))
    files.sort(key=lambda f: f[0].split("/"))
    return files, errors


def read_corpus(
    paths: Iterable[str | os.PathLike[str]],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Article | Rejection]:
    """Articles from files and folders (recursive, sorted; hidden folders and housekeeping
    files such as .DS_Store skipped, other hidden files rejected with a reason).

    Never raises on bad input: each unreadable file, record or missing path is a Rejection.
    """
    if isinstance(paths, str | bytes | os.PathLike):
        paths = [paths]  # one path, not an iterable of characters
    for raw in paths:
        try:
            p = Path(raw)
            is_dir, exists = p.is_dir(), p.exists()
        except (TypeError, ValueError, OSError) as exc:
            yield Rejection(str(raw), f"not a usable path ({type(exc).__name__})")
            continue
        if is_dir:
            files, errors = _walk(p)
            yield from errors
            if not files and not errors:
                yield Rejection(str(raw), "folder contains no files")
            for rel, full in files:
                yield from read_file(full, max_bytes=max_bytes, name=rel)
        elif exists:
            yield from read_file(p, max_bytes=max_bytes, name=p.name)
        else:
            yield Rejection(str(raw), "no such file or folder")
