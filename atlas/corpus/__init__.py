"""Read a corpus of news articles into `Article` records.

Inputs are text (.txt/.md/.markdown), HTML (.html/.htm), JSON (.json), JSON Lines (.jsonl)
and CSV (.csv) files, or folders of them. Nothing here raises on bad input: every input that
cannot be read becomes a `Rejection` with a one-line reason a user can act on.

From the text itself the reader takes the source (a bare domain on the first line), the title,
the publication date (only from date-looking positions, never from running prose), a cleaned
body for NLP, and, for digest pages, one item per news item.

The modules, each using only those above it: ``dates`` (dates in text and URLs), ``clean``
(normalisation, markdown, page furniture), ``dateline`` (which line states the publication
date), ``unwrap`` (hard-wrapped lines), ``digest`` (pages of several items), ``text`` (an
article from plain text), ``decode`` (bytes to text), ``markup`` (HTML to text), ``formats``
(files, folders and JSON/JSONL/CSV records).
"""

from atlas.corpus.dates import date_from_url, parse_date
from atlas.corpus.digest import split_digest
from atlas.corpus.formats import DEFAULT_MAX_BYTES, read_corpus, read_file
from atlas.corpus.markup import html_to_text
from atlas.corpus.text import article_id, parse_text_article
from atlas.corpus.unwrap import unwrap_lines

__all__ = [
    "DEFAULT_MAX_BYTES",
    "article_id",
    "date_from_url",
    "html_to_text",
    "parse_date",
    "parse_text_article",
    "read_corpus",
    "read_file",
    "split_digest",
    "unwrap_lines",
]
