"""Text normalisation, markdown and page furniture (boilerplate) of a text's lines."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from atlas.lexicon import current_word_lists

# A complete markup tag: no page or record may bring one into an article's text.
MARKUP_TAG_RE = re.compile(r"</?[A-Za-z][^<>]{0,2000}>|<![A-Za-z][^<>]{0,2000}>")
SPACE_TABLE = str.maketrans(
    {
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
        "\u3000": " ", "\t": "    ", "\u2028": "\n", "\u2029": "\n", "\x0b": "\n",
        "\x0c": "\n", "\x85": "\n", "\u200b": None, "\u200c": None, "\u200d": None,
        "\u2060": None, "\ufeff": None,
    }
)  # fmt: skip

# Quantifiers are bounded so hostile input (a line of a million "[") cannot make scans quadratic.
MD_IMAGE_LINE_RE = re.compile(
    r"^[ \t]*!\[[^\[\]\n]{0,500}\]\([^()\[\]\n]{0,2000}\)[ \t]*$", re.MULTILINE
)
MD_IMAGE_RE = re.compile(
    r"!\[[^\[\]\n]{0,500}\]\(\s*<?(?P<url>[^()\[\]\s<>]{0,2000})>?(?:\s+\"[^\"\n]{0,500}\")?\s*\)"
)
MD_LINK_RE = re.compile(
    r"(?<!!)\[(?P<text>[^\[\]\n]{0,500})\]\(\s*<?[^()\[\]\s<>]{0,2000}>?(?:\s+\"[^\"\n]{0,500}\")?\s*\)"
)
BARE_URL_RE = re.compile(r"https?://[^\s<>()\[\]]+", re.IGNORECASE)
IMAGE_EXT_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)", re.IGNORECASE)
URL_LINE_RE = re.compile(
    r"^\s*(?:(?:source|url|link|original)\s*:\s*)?<?(?P<url>https?://\S+?)>?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
SOURCE_LINE_RE = re.compile(
    r"^(?P<scheme>https?://)?(?:www\.)?"
    r"(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?P<path>/\S*)?$",
    re.IGNORECASE,
)
BULLET_RE = re.compile(r"^(?:[-*\u2022\u25aa\u25cf\u2013]|\d{1,2}[.)])\s+")
_MD_MARKERS_RE = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?)")
TERMINAL = tuple(".!?:\"\u201d'\u2019")

# Lines that are page furniture, never title or body. Matched against the whole line,
# case-insensitively, after trimming punctuation at both ends. Kept short on purpose.
_BOILERPLATE_RE = re.compile(
    r"^(?:"
    + "|".join(
        (
            r"advertisements?|advertising|sponsored(?: content)?|country|countries|region",
            r"(?:press|news) release",
            r"[\w&' ]{0,40} newsletter",
            r"daily [\w&' ]{0,40} headlines?\b.{0,60}",
            r"(?:subscribe|sign up|sign in|log ?in)\b.{0,60}|register(?: now| here| for free)?",
            r"(?:no )?comments?(?: yet)?(?: \(\d+\))?|leave a (?:comment|reply)",
            r"share(?: this)?(?: article| story| post)?(?: on [\w ]{1,20})?|print|e-?mail|tweet",
            r"read (?:the )?(?:full|more)\b.{0,60}",
            r"related(?: articles| news| stories| content| posts)?|recommended(?: for you)?",
            r"(?:skip|jump) to (?:main )?content|back to top|menu|home|search",
            r"(?:accept|manage) cookies.{0,60}|click here\b.{0,60}|follow us\b.{0,60}",
            r"by (?-i:[A-Z])[\w.'\u2019 -]{1,60}",
        )
    )
    + r")$",
    re.IGNORECASE,
)
# Latin script only: a short CJK heading has no spaces but is not a single word.
_SINGLE_WORD_RE = re.compile(r"^[A-Za-z\u00c0-\u024f][\w'\u2019&-]{0,24}$")


def normalise(text: str) -> str:
    """Unify newlines and exotic spaces so line-based rules see plain text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(SPACE_TABLE)


def _strip_md(line: str) -> str:
    """Drop markdown heading/quote markers and bold markers from one line."""
    line = _MD_MARKERS_RE.sub("", line)
    return line.replace("**", "").replace("__", "").strip()


def is_boilerplate(line: str) -> bool:
    s = line.strip().strip("*_#|:;,.-\u2013\u2014\u2022 ").strip()
    if not s:
        return False
    # A lone country on a line is a tag/label, not news. Single words are covered generally.
    if _BOILERPLATE_RE.match(s) or s.casefold() in current_word_lists().multiword_countries:
        return True
    return bool(_SINGLE_WORD_RE.match(s))


def is_image_line(line: str) -> bool:
    return bool(MD_IMAGE_LINE_RE.match(line))


def inline_clean(line: str) -> str:
    """Markdown images out, links to their text, heading/bold markers off."""
    line = MD_IMAGE_RE.sub("", line)
    line = MD_LINK_RE.sub(lambda m: m.group("text"), line)
    return _strip_md(line) if line.strip() else ""


def title_like(s: str) -> bool:
    return (
        3 <= len(s) <= 200
        and len(s.split()) >= 2
        and not s.endswith((".", ":", ",", ";"))
        and not BULLET_RE.match(s)
        and not BARE_URL_RE.match(s)
        and any(ch.isalpha() for ch in s)
    )


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "://" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host[4:] if host.startswith("www.") else host


def clean_str(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None
