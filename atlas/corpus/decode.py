"""Bytes to text: byte-order marks, binary files, detected encodings."""

from __future__ import annotations

import codecs

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1f\x8b", "GZIP archive"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings accepted from detection (Python codec names).
_CJK_ENCODINGS = frozenset(
    {"cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004",
     "iso2022_jp", "cp949", "euc_kr", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950"}
)  # fmt: skip
_ACCEPTED_SINGLE_BYTE = frozenset({"cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2"})
_MAX_CHAOS = 0.1
_MIN_PRINTABLE = 0.95
UNDECODABLE = "not valid text in any supported encoding"


def _printable_ratio(text: str) -> float:
    sample = text[:100_000]
    if not sample:
        return 1.0
    ok = sum(1 for ch in sample if ch.isprintable() or ch in "\n\r\t\f\v")
    return ok / len(sample)


def codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name


def _detect(data: bytes) -> str | None:
    """Decode with charset_normalizer's best guess, only if confident and from a known family."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # noqa: BLE001 - detection is best effort; failure means "reject"
        return None
    if best is None or best.chaos > _MAX_CHAOS:
        return None
    enc = codec_name(best.encoding)
    if enc in _CJK_ENCODINGS:
        tries = [enc]
    else:
        # Western text is overwhelmingly cp1252; on short texts detectors often name a
        # sibling code page (cp1250, cp775), so cp1252 is tried first.
        tries = ["cp1252"] + ([enc] if enc in _ACCEPTED_SINGLE_BYTE else [])
    for candidate in tries:
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if _printable_ratio(text) >= 0.97:
            return text
    return None


def decode_bytes(data: bytes) -> tuple[str | None, str | None]:
    """(text, None) or (None, reason)."""
    if not data:
        return None, "empty file"
    by_bom = _decode_bom(data)
    if by_bom is not None:
        return by_bom
    binary = _binary_kind(data)
    if binary is not None:
        return None, binary
    try:
        return check_text(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return _decode_not_utf8(data, exc)


def _decode_bom(data: bytes) -> tuple[str | None, str | None] | None:
    """The text a byte-order mark announces (or why it is broken); None without a mark."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                return None, f"{UNDECODABLE} (broken {enc.upper().replace('-SIG', '')} text)"
            return check_text(text)
    return None


def _binary_kind(data: bytes) -> str | None:
    """Why `data` is a binary file (its magic bytes, or NUL bytes), or None."""
    for magic, label in MAGIC:
        if data.startswith(magic):
            return f"binary file ({label})"
    if b"RIFF" == data[:4] and data[8:12] == b"WEBP":
        return "binary file (WebP image)"
    if b"\x00" in data:
        return "binary file (contains NUL bytes)"
    return None


def _decode_not_utf8(data: bytes, err: UnicodeDecodeError) -> tuple[str | None, str | None]:
    """Bytes that are not UTF-8: a damaged UTF-8 file is refused, anything else detected."""
    head = data[: err.start]
    if err.reason == "unexpected end of data" and (
        len(data) - err.start >= 2 or any(b >= 0x80 for b in head)
    ):
        return None, f"{UNDECODABLE} (UTF-8 text cut off in the middle of a character)"
    replaced = data.decode("utf-8", "replace")
    bad = replaced.count("\ufffd")
    good = sum(1 for ch in replaced if ord(ch) > 127 and ch != "\ufffd")
    if good >= bad:
        # Real UTF-8 multi-byte characters next to broken ones: a damaged UTF-8 file.
        return None, f"{UNDECODABLE} (invalid UTF-8 byte at position {err.start})"
    text = _detect(data)
    if text is None:
        return None, UNDECODABLE
    return check_text(text)


def check_text(text: str) -> tuple[str | None, str | None]:
    if not text.strip():
        return None, "file contains only whitespace"
    if _printable_ratio(text) < _MIN_PRINTABLE:
        return None, "binary file (mostly non-printable characters)"
    return text, None
