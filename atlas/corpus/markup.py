"""HTML to text: the main text and metadata of a page (trafilatura, with a fallback)."""

from __future__ import annotations

import codecs
import json
import re
from html.parser import HTMLParser

from atlas.corpus.clean import MARKUP_TAG_RE, clean_str
from atlas.corpus.decode import MAGIC, check_text, codec_name, decode_bytes
from atlas.corpus.text import collapse_blank, parse_text_article
from atlas.models import Article, Rejection

# A "<" that does not open a complete tag before the next "<" is text, not markup.
_LONE_LT_RE = re.compile(r"<(?![A-Za-z/!?][^<>]*>)")


def _strip_comments(html: str) -> str:
    """Remove <!-- --> comments in one linear pass; an unclosed comment runs to the end."""
    parts: list[str] = []
    i = 0
    while True:
        j = html.find("<!--", i)
        if j < 0:
            parts.append(html[i:])
            break
        parts.append(html[i:j])
        k = html.find("-->", j + 4)
        if k < 0:
            break
        parts.append(" ")
        i = k + 3
    return "".join(parts)


def _defuse_html(html: str) -> str:
    """Comments out, stray "<" escaped: HTMLParser rescans unfinished constructs quadratically."""
    return _LONE_LT_RE.sub("&lt;", _strip_comments(html))


HTML_HINT_RE = re.compile(r"<(?:html|body|p|div|br|article|span|h[1-6]|a\s)[\s>/]", re.I)


class _TextDump(HTMLParser):
    """Fallback HTML to text: keeps visible text, drops scripts, styles, frames and nav."""

    SKIP = frozenset(
        {"script", "style", "iframe", "noscript", "template", "svg", "nav", "footer", "aside",
         "form", "button", "select", "object", "embed", "canvas", "head", "math"}
    )  # fmt: skip
    BLOCK = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
         "header", "blockquote", "pre", "ul", "ol", "table", "dd", "dt", "figcaption", "hr",
         "main", "title"}
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.skip_depth = 0
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self.SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        elif self.skip_depth == 0:
            self.parts.append(data)


def _fallback_html(html: str) -> tuple[str, str | None]:
    parser = _TextDump()
    try:
        parser.feed(_defuse_html(html))
        parser.close()
    except Exception:  # noqa: BLE001 - malformed markup: keep what was parsed so far
        pass
    raw = "".join(parser.parts)
    lines = [" ".join(ln.split()) for ln in raw.split("\n")]
    text = collapse_blank("\n\n".join(ln for ln in lines if ln))
    return text, clean_str("".join(parser.title_parts))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (feed summaries): tags, scripts and styles dropped."""
    return _fallback_html(html)[0]


def _html_extract(html: str) -> tuple[str, dict[str, str]]:
    """(main text, metadata with title/date/url/author/sitename/description)."""
    text = ""
    meta: dict[str, str] = {}
    try:
        import trafilatura

        raw = trafilatura.extract(
            html,
            output_format="json",
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            # Only declared dates (meta tags, structured data), no guessing from the page text.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        if raw:
            data = json.loads(raw)
            text = data.get("text") or ""
            for key, out in (
                ("title", "title"), ("date", "date"), ("source", "url"), ("author", "author"),
                ("sitename", "sitename"), ("source-hostname", "sitename"),
                ("description", "description"), ("excerpt", "description"),
            ):  # fmt: skip
                value = clean_str(data.get(key))
                if value and out not in meta:
                    meta[out] = value
    except Exception:  # noqa: BLE001 - trafilatura can choke on odd markup; fall back below
        text = ""
    if not text.strip():
        text, fallback_title = _fallback_html(html)
        if fallback_title and "title" not in meta:
            meta["title"] = fallback_title
    # Belt and braces: no markup may reach Article.text, even escaped markup shown as text.
    text = collapse_blank(MARKUP_TAG_RE.sub(" ", _strip_comments(text)))
    return text, {k: MARKUP_TAG_RE.sub(" ", v).strip() for k, v in meta.items()}


def html_article(
    html: str,
    file: str,
    *,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    published: str | None = None,
    metadata: dict | None = None,
) -> Article | Rejection:
    """Article from HTML; fields given by a record win over the page's own metadata."""
    text, meta = _html_extract(html)
    if not text.strip():
        return Rejection(file, "no article text found in the HTML")
    extra = {k: meta[k] for k in ("author", "sitename", "description") if k in meta}
    url = url or meta.get("url")
    return parse_text_article(
        text,
        file=file,
        title=title or meta.get("title"),
        source=source or (None if url else meta.get("sitename")),
        url=url,
        published=published or meta.get("date"),
        metadata={**extra, **(metadata or {})},
    )


def _charset_from_meta(data: bytes) -> str | None:
    m = re.search(rb"<meta[^>]{0,200}charset=[\"']?([A-Za-z0-9_.:-]{1,40})", data[:4096], re.I)
    return codec_name(m.group(1).decode("ascii")) if m else None


def decode_html(data: bytes) -> tuple[str | None, str | None]:
    declared = _charset_from_meta(data)
    if declared and declared not in ("utf-8", "utf_8") and not data.startswith(codecs.BOM_UTF8):
        for magic, label in MAGIC:
            if data.startswith(magic):
                return None, f"binary file ({label})"
        try:
            return check_text(data.decode(declared))
        except (UnicodeDecodeError, LookupError):
            pass
    return decode_bytes(data)
