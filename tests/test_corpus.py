"""Tests for atlas.corpus: reading files into Articles, metadata from text, digests, dates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas.corpus import (
    article_id,
    date_from_url,
    parse_date,
    parse_text_article,
    read_corpus,
    read_file,
    split_digest,
    unwrap_lines,
)
from atlas.models import Article, ArticleItem, Rejection

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "articles"
SEED_000 = SEEDS / "000_d1c1c98d28aab052.txt"
SEED_001 = SEEDS / "001_9dcebb8680a8a426.txt"
SEED_002 = SEEDS / "002_9da3396a4fc6b824.txt"


def only_article(results: list[Article | Rejection]) -> Article:
    assert len(results) == 1, results
    assert isinstance(results[0], Article), results[0]
    return results[0]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Invented article texts (never copied from third-party material)
# --------------------------------------------------------------------------------------------

PLAIN_TXT = """biopharma-wire.example.com

Orion Labs and Veltra Bio sign oncology licensing pact

March 3, 2025

Orion Labs has licensed its antibody platform to Veltra Bio for solid tumours.

Veltra Bio will pay $40 million upfront, Orion Labs said in a statement.

In March 2019, Orion Labs acquired Kestrel Therapeutics for an undisclosed sum.
"""

MARKDOWN = """# Nordhav Pharma partners with Lumen Institute on rare disease research

![](https://news.example.org/wp-content/uploads/2024/11/lab-photo.jpg)

Nordhav Pharma has agreed a [research collaboration](https://news.example.org/deals/nordhav-lumen/)
with the Lumen Institute to study inherited metabolic disorders.

Nordhav Pharma will fund three postdoctoral positions at the Lumen Institute.
"""

HOSTILE_HTML = """<!doctype html>
<html><head>
<title>Kairo Therapeutics buys Penfold Bio | Example Pharma News</title>
<meta property="og:url" content="https://pharma.example.net/news/kairo-penfold">
<meta property="article:published_time" content="2025-06-02T08:30:00Z">
<script>window.steal = "<p>STOLEN-SCRIPT-TEXT</p>"; alert("x")</script>
<style>body { color: red } /* STYLE-TEXT */</style>
</head><body>
<nav><a href="/">Home</a> <a href="/deals">Deals</a></nav>
<article>
<h1>Kairo Therapeutics buys Penfold Bio</h1>
<p>Kairo Therapeutics has agreed to acquire Penfold Bio for $310 million in cash, the companies
said on Monday, adding a late-stage kidney disease candidate to its pipeline.</p>
<script>document.write("<div>INJECTED-BY-SCRIPT</div>")</script>
<p>Penfold Bio shareholders will also receive contingent value rights tied to approval of the
candidate in the United States and Europe.</p>
<iframe src="https://ads.example.com/frame">IFRAME-TEXT</iframe>
<p>The transaction is expected to close in the third quarter, subject to regulatory review.</p>
</article>
<footer>Copyright Example Pharma News</footer>
</body></html>
"""

DIGEST_BULLETS = """Deals in brief

- Halden Bio has signed a licensing agreement with Marrow Pharma for a gene therapy vector.
- Quillon Health and Sterna Diagnostics have formed a joint venture for companion tests.
- Obrecht Capital led a $60 million Series B round in Tanager Therapeutics.
- Vessel Biologics acquired the antibody unit of Pelham Labs for an undisclosed amount.
- Corvid Medical entered a distribution pact with Lindqvist Surgical in the Nordics.
"""

DIGEST_BLOCKS = """Weekly deal roundup

Arden Pharma licenses asthma drug to Bexley Bio

Country
Germany

April 7, 2025

Arden Pharma has granted Bexley Bio exclusive European rights to its inhaled asthma drug.

Tolland Genomics raises $25 million

Country
United Kingdom

April 8, 2025

Tolland Genomics closed a $25 million financing led by Wexford Ventures.

Marlowe Vaccines in alliance with Ostrava University

Country
Czech Republic

Marlowe Vaccines will co-develop a measles vaccine with Ostrava University.

Pryor Devices buys Quenby Imaging

Country
United States

Pryor Devices acquired Quenby Imaging, a maker of portable ultrasound probes.
"""

PRESS_RELEASE = """Helix Partners and Dunmore Pharma announce oncology collaboration

Helix Partners and Dunmore Pharma today announced a collaboration to develop antibody-drug
conjugates for solid tumours. Helix Partners will contribute its linker platform.

Under the agreement, Dunmore Pharma will pay Helix Partners $75 million upfront. Helix Partners
is eligible for milestone payments of up to $1.2 billion.

"This collaboration expands our pipeline," said the chief executive of Dunmore Pharma.

Helix Partners will lead discovery work, while Dunmore Pharma will run clinical development.

Dunmore Pharma and Helix Partners will share commercial rights in Japan.

About Helix Partners

Helix Partners is a biotechnology company based in Boston.

About Dunmore Pharma

Dunmore Pharma is a specialty pharmaceutical company with products in 40 countries.
"""

REUTERS_LIKE = """14-APR-1988 09:12:05.33
VANTOR <VNT> TAKES STAKE IN BIOLINE
    DENVER, April 14 - Vantor Corp said it has acquired a 12 pct
stake in Bioline Inc, a developer of diagnostic reagents for
blood banks, for about eight mln dlrs.
    Vantor said the investment gives it the right to market two
Bioline reagents in North America.
 Reuter
"""


# --------------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------------


def test_plain_text_file(tmp_path: Path) -> None:
    # Source line, title, a date-only line and a prose date about an older deal.
    art = only_article(read_file(write(tmp_path, "orion.txt", PLAIN_TXT)))
    assert art.file == "orion.txt"
    assert art.source == "biopharma-wire.example.com"
    assert art.title == "Orion Labs and Veltra Bio sign oncology licensing pact"
    assert (art.published, art.date_precision, art.date_source) == ("2025-03-03", "day", "text")
    assert art.text == PLAIN_TXT  # the original text is kept for display
    assert not art.is_digest
    (item,) = art.items
    assert item.index == 0 and item.title == art.title and item.published == "2025-03-03"
    # Source, title and date-only lines are not body text.
    assert "biopharma-wire" not in item.text
    assert "March 3, 2025" not in item.text
    assert item.text.startswith("Orion Labs has licensed")


def test_markdown_file(tmp_path: Path) -> None:
    # Heading marker, image line, a link whose URL must vanish and a wrapped sentence.
    art = only_article(read_file(write(tmp_path, "nordhav.md", MARKDOWN)))
    assert art.title == "Nordhav Pharma partners with Lumen Institute on rare disease research"
    # Date from the uploaded image's URL; the link to another story is not used.
    assert (art.published, art.date_precision, art.date_source) == ("2024-11", "month", "url")
    body = art.items[0].text
    assert "](" not in body and "http" not in body and "![" not in body
    assert "agreed a research collaboration with the Lumen Institute" in body


def test_html_with_hostile_script(tmp_path: Path) -> None:
    # Scripts, styles, iframes and nav must not leak; title/date/url come from page metadata.
    art = only_article(read_file(write(tmp_path, "kairo.html", HOSTILE_HTML)))
    for leaked in ("STOLEN", "INJECTED", "STYLE-TEXT", "IFRAME-TEXT", "alert(", "<", ">"):
        assert leaked not in art.text
        assert all(leaked not in item.text for item in art.items)
    assert "Kairo Therapeutics has agreed to acquire Penfold Bio" in art.text
    assert art.title == "Kairo Therapeutics buys Penfold Bio"
    assert art.url == "https://pharma.example.net/news/kairo-penfold"
    assert art.source == "pharma.example.net"
    assert (art.published, art.date_source) == ("2025-06-02", "metadata")
    assert not art.items[0].text.startswith("Kairo Therapeutics buys")  # title not in body


@pytest.mark.parametrize(
    "html",
    [
        # Too little text for trafilatura: the stdlib fallback must still drop the script.
        "<html><body><script>var a='SECRET'</script><p>Acme signs deal with Beta.</p></body></html>",
        # Unclosed tags and a noscript block.
        "<div><p>Acme signs deal with Beta.<noscript>SECRET</noscript><p>More text",
        # Escaped markup shown as text must not come back as a tag.
        "<p>&lt;script&gt;SECRET&lt;/script&gt; Acme signs deal with Beta.</p>",
    ],
)
def test_html_fallback_has_no_markup(tmp_path: Path, html: str) -> None:
    art = only_article(read_file(write(tmp_path, "small.htm", html)))
    assert "Acme signs deal with Beta." in art.text
    assert "<" not in art.text and ">" not in art.text
    assert "var a" not in art.text


RECORD_1 = {
    "title": "Sorrel Bio joins Tamsin Pharma in vaccine alliance",
    "body": "Sorrel Bio and Tamsin Pharma formed an alliance to develop RSV vaccines.",
    "Published_At": "2025-02-11",
    "link": "https://wire.example.com/2025/02/11/sorrel-tamsin",
    "author": "Desk",
}
RECORD_2 = {
    "Text": "Wren Therapeutics licensed a kinase inhibitor from Ivel Labs.",
    "date": "not a date",
    "url": "https://wire.example.com/2024/09/wren-ivel",
}


@pytest.mark.parametrize(
    ("name", "payload", "expected_files"),
    [
        # A list of records: each record is its own article, named name:n.
        ("list.json", [RECORD_1, RECORD_2], ["list.json:1", "list.json:2"]),
        # One bare object: the file itself is the article.
        ("one.json", RECORD_1, ["one.json"]),
        # The common {"articles": [...]} wrapper.
        ("wrapped.json", {"articles": [RECORD_1, RECORD_2]}, ["wrapped.json:1", "wrapped.json:2"]),
    ],
)
def test_json_shapes(tmp_path: Path, name: str, payload: object, expected_files: list[str]) -> None:
    results = read_file(write(tmp_path, name, json.dumps(payload)))
    assert [r.file for r in results if isinstance(r, Article)] == expected_files
    first = results[0]
    assert isinstance(first, Article)
    # Keys are matched case-insensitively; unknown keys go to metadata.
    assert first.title == RECORD_1["title"]
    assert first.text == RECORD_1["body"]
    assert (first.published, first.date_source) == ("2025-02-11", "metadata")
    assert first.url == RECORD_1["link"]
    assert first.source == "wire.example.com"
    assert first.metadata == {"author": "Desk"}


def test_json_record_with_unparseable_date_falls_back_to_url(tmp_path: Path) -> None:
    # "not a date" must not become a date; the record's URL gives the month instead.
    art = only_article(read_file(write(tmp_path, "r.json", json.dumps(RECORD_2))))
    assert (art.published, art.date_precision, art.date_source) == ("2024-09", "month", "metadata")
    assert art.metadata["date_unparsed"] == "not a date"


def test_json_record_with_html_body(tmp_path: Path) -> None:
    # Exports often carry HTML bodies; markup must be stripped like an .html file.
    rec = {"content": "<p>Acme signs deal with Beta.</p><script>SECRET()</script>"}
    art = only_article(read_file(write(tmp_path, "h.json", json.dumps(rec))))
    assert art.text == "Acme signs deal with Beta."


def test_jsonl_with_bad_line(tmp_path: Path) -> None:
    # Good lines still yield articles; the bad line is its own Rejection; blanks skipped.
    # record_3 holds a raw U+2028, legal inside a JSON string: it must not split the line.
    record_3 = '{"text": "Ivel Labs\u2028licensed a drug to Wren."}'
    lines = [json.dumps(RECORD_1), "", "{not json", json.dumps([1, 2]), record_3]
    results = read_file(write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n"))
    assert [type(r).__name__ for r in results] == ["Article", "Rejection", "Rejection", "Article"]
    bad = results[1]
    assert isinstance(bad, Rejection)
    assert bad.path == "feed.jsonl:3"
    assert bad.reason.startswith("JSONL line 3: malformed JSON")
    assert results[2].path == "feed.jsonl:4" and "not a JSON object" in results[2].reason
    assert results[3].file == "feed.jsonl:5"
    assert "Ivel Labs" in results[3].text


def test_csv_extra_columns_and_ragged_rows(tmp_path: Path) -> None:
    # Column names in any case, an extra column, a short row, a long row, a multi-line cell.
    content = (
        "Title,Content,Date,Region\n"
        "Alder signs pact,Alder Bio signed a pact with Brisk Pharma.,2025-01-09,EU\n"
        "Short row,Corvin Labs licensed an antibody to Dace Bio.\n"
        'Long row,"Ember Health bought Finch Devices.\nThe deal closed today.",2024-12-01,US,spare\n'
        ",,,\n"
    )
    results = read_file(write(tmp_path, "deals.csv", content))
    arts = [r for r in results if isinstance(r, Article)]
    assert [a.file for a in arts] == ["deals.csv:2", "deals.csv:3", "deals.csv:4"]
    assert arts[0].metadata == {"Region": "EU"}
    assert (arts[0].published, arts[0].date_source) == ("2025-01-09", "metadata")
    assert arts[1].published is None and arts[1].title == "Short row"
    assert arts[2].metadata == {"Region": "US", "extra_cells": ["spare"]}
    assert "Finch Devices" in arts[2].text


def test_csv_large_field(tmp_path: Path) -> None:
    # Article bodies exceed the csv module's default 128 KiB field limit.
    body = "Gale Pharma signed a deal. " * 8000
    art = only_article(read_file(write(tmp_path, "big.csv", f'text\n"{body}"\n')))
    assert len(art.text) == len(body)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            "title,date\nA,2025-01-01\n",
            "CSV has no text column (expected one of text, body, content)",
        ),
        ("text\n", "CSV has a header but no rows"),
    ],
)
def test_csv_rejections(tmp_path: Path, content: str, reason: str) -> None:
    assert read_file(write(tmp_path, "x.csv", content)) == [Rejection("x.csv", reason)]


# --------------------------------------------------------------------------------------------
# The three seed articles
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "source", "title", "published", "precision", "date_source"),
    [
        # Bare domain on line 1; the only date is in an uploaded image's URL.
        (
            SEED_000,
            "pharmaceutical-technology.com",
            "Astellas Pharma and JFCR partner for oncology research",
            "2025-04",
            "month",
            "url",
        ),
        # Boilerplate header lines and a prose date ("Launched in April 2025") only: no date.
        (SEED_001, None, None, None, None, "none"),
        # Newsletter boilerplate, no title; repeated "Dec.19 2025" lines at the end.
        (SEED_002, None, None, "2025-12-19", "day", "text"),
    ],
)
def test_seed_metadata(
    path: Path,
    source: str | None,
    title: str | None,
    published: str | None,
    precision: str | None,
    date_source: str,
) -> None:
    art = only_article(read_file(path))
    assert art.file == path.name
    assert art.source == source
    assert art.title == title
    assert (art.published, art.date_precision, art.date_source) == (
        published,
        precision,
        date_source,
    )


def test_seed_001_is_a_digest() -> None:
    # One-line news items with no titles, after "ADVERTISEMENT / Japan / Country" furniture.
    art = only_article(read_file(SEED_001))
    assert art.is_digest
    assert 10 <= len(art.items) <= 12
    assert [item.index for item in art.items] == list(range(len(art.items)))
    texts = [item.text for item in art.items]
    assert not any(t in ("ADVERTISEMENT", "Japan", "Country") for t in texts)
    assert any(t.startswith("Alfresa Holdings") for t in texts)
    assert all(item.title is None and item.published is None for item in art.items)
    assert split_digest(SEED_001.read_text(encoding="utf-8")) == texts


@pytest.mark.parametrize(
    "path",
    [
        SEED_000,  # short paragraphs, but "Astellas" runs through most of them
        SEED_002,  # long paragraphs continuing one story, plus a three-bullet list
    ],
)
def test_seeds_000_and_002_are_not_digests(path: Path) -> None:
    art = only_article(read_file(path))
    assert not art.is_digest
    assert len(art.items) == 1
    assert art.items[0].text and art.items[0].published == art.published
    assert split_digest(path.read_text(encoding="utf-8")) is None


def test_seed_bodies_are_clean() -> None:
    art000 = only_article(read_file(SEED_000))
    body = art000.items[0].text
    assert "pharmaceutical-technology.com" not in body.split("\n")[0]
    assert "![" not in body and "https://" not in body
    assert "had formed a joint venture with Yaskawa Electric Corporation" in body
    assert "Read full news in source page" not in body
    body002 = only_article(read_file(SEED_002)).items[0].text
    assert "Dec.19 2025" not in body002
    assert "AInvest Newsletter" not in body002
    assert "No comments yet" not in body002


# --------------------------------------------------------------------------------------------
# Digests
# --------------------------------------------------------------------------------------------


def test_bullet_digest() -> None:
    # Markdown bullet list of unrelated deals under a section label.
    art = parse_text_article(DIGEST_BULLETS, file="brief.md")
    assert isinstance(art, Article) and art.is_digest
    assert [i.text.split()[0] for i in art.items] == [
        "Halden",
        "Quillon",
        "Obrecht",
        "Vessel",
        "Corvid",
    ]
    assert art.title == "Deals in brief"


def test_headline_block_digest_with_item_dates() -> None:
    # "headline / Country / <country> / date / paragraph" blocks; dates belong to their item.
    art = parse_text_article(DIGEST_BLOCKS, file="roundup.txt")
    assert isinstance(art, Article) and art.is_digest
    assert [i.title for i in art.items] == [
        "Arden Pharma licenses asthma drug to Bexley Bio",
        "Tolland Genomics raises $25 million",
        "Marlowe Vaccines in alliance with Ostrava University",
        "Pryor Devices buys Quenby Imaging",
    ]
    assert [i.published for i in art.items[:2]] == ["2025-04-07", "2025-04-08"]
    assert art.items[0].date_source == "text"
    # No own date: the item inherits the page date (here the first date line).
    assert art.items[2].published == art.published == "2025-04-07"
    assert all("Country" not in i.text and "Germany" not in i.text for i in art.items)


def test_paragraph_digest_with_one_headlined_item() -> None:
    # One-paragraph items; a lone headline line above one item becomes that item's title.
    text = (
        "Sector news\n\n"
        "Brindle Pharma has acquired Caskey Labs for $90 million in cash.\n\n"
        "Dorrit Bio and Eames Health signed a supply agreement for insulin pens.\n\n"
        "Fallow Genomics licenses sequencing assay to Garnet Diagnostics\n\n"
        "Fallow Genomics granted Garnet Diagnostics rights to sell its assay in Asia.\n\n"
        "Harrow Vaccines raised $30 million from Ingle Capital.\n"
    )
    art = parse_text_article(text, file="news.txt")
    assert isinstance(art, Article) and art.is_digest
    assert art.title == "Sector news"
    assert [i.title for i in art.items] == [
        None,
        None,
        "Fallow Genomics licenses sequencing assay to Garnet Diagnostics",
        None,
    ]
    assert art.items[2].text.startswith("Fallow Genomics granted")


@pytest.mark.parametrize(
    "text",
    [
        PRESS_RELEASE,  # "About X" sections look like blocks, but the main names repeat
        REUTERS_LIKE,  # wrapped, indented paragraphs of one story
        "Acme Bio signed a deal with Brant Pharma.",  # a single paragraph
    ],
)
def test_ordinary_articles_are_not_digests(text: str) -> None:
    assert split_digest(text) is None
    art = parse_text_article(text, file="x.txt")
    assert isinstance(art, Article) and not art.is_digest and len(art.items) == 1


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dec.19 2025", ("2025-12-19", "day")),  # no space after the dot, no comma
        ("Dec. 19, 2025", ("2025-12-19", "day")),
        ("December 19, 2025", ("2025-12-19", "day")),
        ("Sept. 4, 2024", ("2024-09-04", "day")),  # four-letter abbreviation
        ("19 December 2025", ("2025-12-19", "day")),
        ("19 Dec 2025", ("2025-12-19", "day")),
        ("Friday, 19 Dec. 2025", ("2025-12-19", "day")),  # weekday prefix
        ("2025-12-19", ("2025-12-19", "day")),
        ("2025/12/19", ("2025-12-19", "day")),
        ("2025-12-19T08:30:00Z", ("2025-12-19", "day")),  # ISO timestamp from a feed
        ("5-MAR-1987 12:50:39.09", ("1987-03-05", "day")),  # Reuters header
        ("April 2025", ("2025-04", "month")),
        ("2025-04", ("2025-04", "month")),
        ("2025", ("2025", "year")),  # a whole-string year (metadata field)
        ("19/12/2025", ("2025-12-19", "day")),  # day > 12: unambiguous
        ("03/04/2025", None),  # March 4 or 3 April: never guess
        ("Feb 30, 2025", None),  # impossible day
        ("2025-02-30", None),  # impossible day must not degrade to "2025-02"
        ("2023-02-29", None),  # not a leap year
        ("13/13/2025", None),
        ("Marketing 2025", None),  # "Mar" inside a word is not a month
        ("revenue of 2025 units", None),  # a number in prose is not a year
        ("", None),
        ("no date here", None),
    ],
)
def test_parse_date(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example.com/2025/04/", ("2025-04", "month")),
        ("https://x.example.com/2025/04/19/deal-news/", ("2025-04-19", "day")),
        ("https://x.example.com/news/acme-beta-deal-2025-04-19", ("2025-04-19", "day")),
        # WordPress upload path; the "24" site id and image size are not dates.
        (
            "https://x.example.com/wp-content/uploads/sites/24/2025/04/img-430x241.jpg",
            ("2025-04", "month"),
        ),
        ("https://x.example.com/2025/13/story", None),  # month 13
        ("https://x.example.com/news/12345/story", None),
        ("", None),
    ],
)
def test_date_from_url(url: str, expected: tuple[str, str] | None) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Only prose mentions other events: no article date.
        ("Zeta Bio signed the licence on Dec. 29, 2022, and extended it today.", None),
        ("In March 2019, Zeta Bio acquired Omega Labs.\n\nThe two firms now merge.", None),
        # A line that is only a date (with weekday) counts.
        (
            "Zeta Bio buys Omega\n\nTuesday, June 3, 2025\n\nZeta Bio bought Omega Labs.",
            "2025-06-03",
        ),
        # Labelled lines count; "Published" beats an "Updated" line above it.
        (
            "Updated: June 9, 2025\nPublished: June 2, 2025\n\nZeta Bio bought Omega Labs.",
            "2025-06-02",
        ),
        # Wire dateline in the opening lines.
        (
            "BASEL, Switzerland, May 12, 2025 /PRNewswire/ -- Zeta Bio bought Omega Labs.",
            "2025-05-12",
        ),
        # Reuters: header line with the year, yearless dateline below.
        (REUTERS_LIKE, "1988-04-14"),
        # A timestamped byline beats a bare "today's date" banner at the top of the page.
        (
            "Monday, May 4, 2026\nZeta buys Omega\n  - March 2, 2025, 10:15\n\nZeta bought Omega.",
            "2025-03-02",
        ),
        # A conference call date deep inside the text is not a publication date.
        ("Zeta Bio bought Omega Labs. " * 40 + "A call is set for May 5, 2025 at 8:00 a.m.", None),
    ],
)
def test_text_dates_only_from_date_positions(text: str, expected: str | None) -> None:
    art = parse_text_article(text, file="d.txt")
    assert isinstance(art, Article)
    assert art.published == expected
    assert art.date_source == ("text" if expected else "none")


def test_explicit_published_wins_over_text() -> None:
    # A date given by a record or a user is metadata and beats text heuristics.
    art = parse_text_article(
        "March 3, 2025\n\nZeta Bio bought Omega Labs.", file="p", published="2025-03-05"
    )
    assert isinstance(art, Article)
    assert (art.published, art.date_source) == ("2025-03-05", "metadata")


# A paragraph of body text for the date-position tests below.
_BODY = (
    "Zeta Bio has granted Omega Labs exclusive rights to its kidney drug in Asia, the two "
    "companies said, with $20 million due upfront."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Chinese/Japanese and Korean dates: digits with year/month/day characters.
        ("2016年 4月 29日", ("2016-04-29", "day")),
        ("2024년 11월 5일", ("2024-11-05", "day")),
        ("2016年4月", ("2016-04", "month")),
        # A site name glued to the date by scraping: no word boundary before the month.
        ("biotechnewsMarch 4, 2025", ("2025-03-04", "day")),
        # Capitalised ordinal suffix in a shouted dateline.
        ("7TH NOVEMBER 2024", ("2024-11-07", "day")),
        # The en-US date-time form (seconds, capital AM/PM) says month first ...
        ("4/7/2019 11:05:09 PM", ("2019-04-07", "day")),
        # ... a plain clock time does not, so the ambiguous date stays undecided.
        ("4/7/2019 11:05 pm", None),
        ("4/7/2019 23:05", None),
        # Dotted numeric dates are day first (the European form); slashes stay undecided.
        ("04.03.2025", ("2025-03-04", "day")),
    ],
)
def test_parse_date_more_shapes(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Wire tag in brackets between the date and the dashes.
        ("OSLO, Norway, Jan. 09, 2024 (GLOBE NEWSWIRE) -- " + _BODY, "2024-01-09"),
        # Date inside the wire's parentheses, the dash after the closing bracket.
        ("HALIFAX, NOVA SCOTIA--(Marketwire - Feb. 2, 2010) - " + _BODY, "2010-02-02"),
        # Marketwire's numeric dateline: month first, two-digit year.
        ("(Agency) - DENVER, CO -- (Marketwire) -- 02/15/12 -- " + _BODY, "2012-02-15"),
        # Em dash dateline after a two-word capitalised place and a country.
        (
            "Omega licenses drug\n\nREHOVOT NORTH, Israel, July 3, 2019 \u2014 " + _BODY,
            "2019-07-03",
        ),
        # Place with a dash, a weekday, and a bracketed wire tag on a line of its own.
        ("OSAKA-Friday 6 March 2020 [ wire ]\n" + _BODY, "2020-03-06"),
        # A line that is a place and a date, no dash.
        ("Zeta buys Omega\nPerth, Australia, 14 May 1999\n" + _BODY, "1999-05-14"),
        ("Zeta buys Omega\nNEWS RELEASE, STOCKHOLM 2ND JUNE 2022\n" + _BODY, "2022-06-02"),
        # Colon after an Indian-style dateline, a spaced slash after a Swiss one, and a
        # dotted numeric date in a German one.
        ("PUNE, India, March 3, 2025: " + _BODY, "2025-03-03"),
        ("Zug, Switzerland, 5 May 2025 / " + _BODY, "2025-05-05"),
        ("Zeta buys Omega\n\nHamburg, 04.03.2025 - " + _BODY, "2025-03-04"),
        # The text opens with a date run into the body (a scraped header without a newline).
        ("Feb. 26, 2018 Licensing " + _BODY, "2018-02-26"),
        # A "By:" byline above the date line is not a filing's signature block.
        ("Zeta buys Omega\n\nBy: Jane Doe\nMarch 3, 2025\n\n" + _BODY, "2025-03-03"),
        # A heading that ends in its date after a separator.
        ("Bio Deal Blog\n\nFriday Deal Digest: June 6, 2014\n\n" + _BODY, "2014-06-06"),
        ("Health Briefs Vol. 3 no.12 - April 4 2008\n\n" + _BODY, "2008-04-04"),
        # Issue furniture around a month.
        ("Issue No. 88, May 2001\n\nZeta buys Omega\n\n" + _BODY, "2001-05"),
        ("from the June 2004 issue\n\nZeta buys Omega\n\n" + _BODY, "2004-06"),
        # Site name glued to the date on the first line.
        ("biotechnewsMarch 4, 2025\n" + _BODY, "2025-03-04"),
        # "By" with the author missing, and a time zone written in mixed case.
        ("Zeta buys Omega\nBy June 2, 2023 (Gmt+09:00)\n" + _BODY, "2023-06-02"),
        # Timestamp with slashes and a relative age.
        ("Zeta buys Omega\nApril 3, 2018 / 9:41 AM / 2 months ago\n\n" + _BODY, "2018-04-03"),
        # Other label words: "Last Update" in a bullet, "publication date".
        ("Zeta buys Omega\n\n  \u2022 Last Update: 2021-09-30\n\n" + _BODY, "2021-09-30"),
        ("Zeta buys Omega\n\npublication date: Nov 2, 2022\n\n" + _BODY, "2022-11-02"),
        # CJK header with a weekday and a clock time after the date.
        (
            "\u65b0\u95fb | 2015年 8月 7日 星期五 10:05 BJT\n\nZeta buys Omega\n\n" + _BODY,
            "2015-08-07",
        ),
        # en-US timestamp under the headline.
        ("Zeta buys Omega\n4/7/2019 11:05:09 PM\n" + _BODY, "2019-04-07"),
        # A category after the date, and a byline before it.
        ("Zeta buys Omega\nFeb. 26, 2018 Licensing\n\n" + _BODY, "2018-02-26"),
        ("Zeta buys Omega\nBy Jane Doe | March 3, 2025\n\n" + _BODY, "2025-03-03"),
        # A later update on the same line is not the publication date.
        ("Zeta buys Omega\nMarch 3, 2025 | Updated March 5, 2025 10:15\n\n" + _BODY, "2025-03-03"),
        (
            "Zeta buys Omega\nUpdated: March 5, 2025 | Published: March 3, 2025\n\n" + _BODY,
            "2025-03-03",
        ),
    ],
)
def test_text_dates_from_datelines_and_headers(text: str, expected: str) -> None:
    art = parse_text_article(text, file="d.txt")
    assert isinstance(art, Article)
    assert (art.published, art.date_source) == (expected, "text")


_COVER_PAGE = (
    "FORM 6-K\n\n" + "Indicate by check mark whether the registrant files reports.\n\n" * 12
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A filing's cover page pushes the release's dateline past the header zone; the
        # signature's "Date:" is the filing's date, not the release's.
        (
            _COVER_PAGE + "By: /s/ Jane Doe\nName: Jane Doe\nTitle: CFO\nDate: April 9, 2015\n\n"
            "Zeta buys Omega\nKiryat Gat, Israel \u2014 April 2, 2015 \u2014 " + _BODY,
            "2015-04-02",
        ),
        # A wire service's tag beside the place is not part of it.
        (_COVER_PAGE + "SAN DIEGO (BUSINESS WIRE), May 5, 2025 -- " + _BODY, "2025-05-05"),
        (_COVER_PAGE + "BOSTON, MA [ wire ] March 3, 2024 - " + _BODY, "2024-03-03"),
        # Prose that opens with the date of an event is not a dateline.
        ("On March 25, 2025, " + _BODY, None),
        ("March 25, 2025, " + _BODY, None),
        # A period given as a range is data, not a date line.
        ("Zeta buys back shares\n\nPeriod\nMay 10, 2024 to November 6, 2024\n\n" + _BODY, None),
        # A form field naming what its date is of.
        ("Date of Report (earliest event): September 1, 2002\n\n" + _BODY, None),
        # A headline ending in a date is not a dateline.
        ("Results for the Quarter Ended March 31, 2025\n\n" + _BODY, None),
        # A title-case heading with a dash is not a place: the date line above it wins.
        ("March 9, 2015\n\nWeekly Deal Review - March 8, 2015\n\n" + _BODY, "2015-03-09"),
        # "Today's date" banner above the title; the article's date is under the title.
        ("Wednesday, 4 June 2025\nMenu\nZeta buys Omega\n\n2 June 2025\n\n" + _BODY, "2025-06-02"),
        # A sidebar of other stories (headline / date pairs) above the article.
        (
            "Latest news\nAcme buys Beta\nMarch 1, 2025\nGamma licenses Delta\nFebruary 28, 2025"
            "\n\nZeta buys Omega\nMarch 3, 2025\n\n" + _BODY,
            "2025-03-03",
        ),
        # Stories listed with their own dates and sources: no date of the page.
        (
            "May 6, 2021 - Pharma Wire\n" + _BODY + "\nMay 4, 2021 - Biotech Daily\n" + _BODY,
            None,
        ),
        # A newsletter of headline / date / paragraph items under its own heading.
        (
            "Pacific Biotech Fortnightly\n\nZeta signs with Omega\n3 May, 2022\n"
            + _BODY
            + "\n\nAcme signs with Beta\n3 May, 2022\n"
            + _BODY,
            None,
        ),
        # The same shape under the page's title is the article's date line.
        ("Zeta signs with Omega\n3 May, 2022\n" + _BODY + "\n\nMore text.\n" + _BODY, "2022-05-03"),
    ],
)
def test_text_dates_skip_furniture(text: str, expected: str | None) -> None:
    art = parse_text_article(text, file="d.txt")
    assert isinstance(art, Article)
    assert art.published == expected


# --------------------------------------------------------------------------------------------
# Line unwrapping and ids
# --------------------------------------------------------------------------------------------


def test_unwrap_reuters_paragraphs() -> None:
    # Indented lines start paragraphs; wrapped continuation lines join; the short header and
    # headline lines stay alone; "Reuter" is not glued to the sentence above.
    assert unwrap_lines(REUTERS_LIKE) == (
        "14-APR-1988 09:12:05.33\n"
        "VANTOR <VNT> TAKES STAKE IN BIOLINE\n"
        "DENVER, April 14 - Vantor Corp said it has acquired a 12 pct stake in Bioline Inc, a "
        "developer of diagnostic reagents for blood banks, for about eight mln dlrs.\n"
        "Vantor said the investment gives it the right to market two Bioline reagents in "
        "North America.\n"
        "Reuter"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A headline right above a paragraph (capitalised next line, short for the text's width).
        (
            "Zeta buys Omega in all-cash deal worth $2 billion\n" + "Zeta Bio said. " * 30,
            2,
        ),
        # Paragraph-per-line text: long lines ending in punctuation are never joined.
        ("First paragraph is long enough to be prose.\nSecond paragraph follows here.", 2),
        # A list item is never glued to the line above it.
        ("The deal includes the following terms without a colon\n- upfront payment", 2),
    ],
)
def test_unwrap_keeps_separate_lines(text: str, expected: int) -> None:
    assert len(unwrap_lines(text).split("\n")) == expected


def test_same_article_same_id(tmp_path: Path) -> None:
    # Same content under other file names, with other wrapping, case, NBSPs and CRLFs.
    wrapped = REUTERS_LIKE
    unwrapped = unwrap_lines(REUTERS_LIKE)
    crlf = REUTERS_LIKE.replace("\n", "\r\n").replace("Vantor said", "VANTOR\u00a0said")
    ids = {article_id(wrapped), article_id(unwrapped), article_id(crlf)}
    assert len(ids) == 1
    (the_id,) = ids
    assert len(the_id) == 16 and int(the_id, 16) >= 0
    a = only_article(read_file(write(tmp_path, "a.txt", wrapped)))
    b = only_article(read_file(write(tmp_path, "sub/b.md", unwrapped)))
    assert a.id == b.id == the_id
    # Markdown link URLs and image lines do not change the id.
    assert article_id("See [the deal](https://a.example/x) now.") == article_id("See the deal now.")
    assert article_id("![](https://a.example/i.png)\nText.") == article_id("Text.")
    assert article_id("Acme buys Beta.") != article_id("Acme buys Gamma.")


# --------------------------------------------------------------------------------------------
# Encodings and bad inputs
# --------------------------------------------------------------------------------------------

JAPANESE = "アステラス製薬は、がん研究会と腫瘍学の共同研究で提携したと発表した。\n両者は共通の関心に基づきプロジェクトを選定し、新薬の開発を加速する。\n"
WESTERN = (
    "Café Müller AG signed a “strategic” deal with Société Pharma in Zürich — worth €5 million.\n"
)


@pytest.mark.parametrize(
    ("data", "expected_text"),
    [
        (JAPANESE.encode("cp932"), JAPANESE),  # Shift-JIS family, detected with confidence
        (WESTERN.encode("cp1252"), WESTERN),  # Windows Western, curly quotes and euro sign
        (JAPANESE.encode("utf-16"), JAPANESE),  # UTF-16 with BOM (has NUL bytes, still text)
        (b"\xef\xbb\xbf" + WESTERN.encode(), WESTERN),  # UTF-8 with BOM
    ],
)
def test_accepted_encodings(tmp_path: Path, data: bytes, expected_text: str) -> None:
    art = only_article(read_file(write(tmp_path, "enc.txt", data)))
    assert art.text == expected_text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t\r\n  ", "file contains only whitespace"),
        ("blank16.txt", " \n".encode("utf-16"), "file contains only whitespace"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file (PNG image)"),
        ("doc.md", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>", "binary file (PDF document)"),
        ("arch.json", b"PK\x03\x04\x14\x00\x06\x00", "binary file (ZIP archive)"),
        ("nul.txt", b"Acme\x00Beta\x00deal", "binary file (contains NUL bytes)"),
        # Real UTF-8 text cut mid-character: reject rather than invent a character.
        (
            "cut.txt",
            ("Société Pharma signed a deal in Zürich. " * 4 + "提携").encode()[:-2],
            "not valid text in any supported encoding (UTF-8 text cut off in the middle of a character)",
        ),
        # UTF-8 with a damaged byte in the middle.
        (
            "damaged.txt",
            "Société Pharma signed a deal in Zürich. ".encode() * 4 + b"\xff\xfe" + b" more",
            "not valid text in any supported encoding (invalid UTF-8 byte at position 172)",
        ),
        ("control.txt", bytes(range(1, 9)) * 20, "binary file (mostly non-printable characters)"),
        ("bad.json", b"", "empty file"),
        (
            "bad2.json",
            b"{'single': 'quotes'}",
            "malformed JSON: Expecting property name enclosed in double quotes at line 1 column 2",
        ),
        ("bad3.json", b"[]", "JSON list is empty"),
        ("bad4.json", b"42", "JSON must be an object or a list of objects"),
        (
            "bad5.json",
            b'{"headline": "x"}',
            "JSON object has no text field (expected one of text, body, content) and no articles list",
        ),
        (
            "only-furniture.txt",
            b"ADVERTISEMENT\nComments\n",
            "no article text left after removing title, date and boilerplate",
        ),
        ("report.docx", b"PK\x03\x04", "unsupported file type .docx"),
        ("README", b"hello", "unsupported file type (no extension)"),
    ],
)
def test_bad_inputs_are_rejected(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    assert read_file(write(tmp_path, name, data)) == [Rejection(name, reason)]


def test_record_level_rejections(tmp_path: Path) -> None:
    # Bad records are rejected one by one; good ones still come through.
    payload = [
        {"text": "Acme signed a deal with Beta."},
        {"text": "   "},
        {"title": "x"},
        "str",
        {"text": 5},
    ]
    results = read_file(write(tmp_path, "mixed.json", json.dumps(payload)))
    assert isinstance(results[0], Article)
    assert results[1:] == [
        Rejection("mixed.json:2", "empty text"),
        Rejection("mixed.json:3", "record has no text field (expected one of text, body, content)"),
        Rejection("mixed.json:4", "record 4 is not a JSON object"),
        Rejection("mixed.json:5", "text field is not a string (got int)"),
    ]


def test_oversized_file(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.txt", b"a" * 2_530)
    assert read_file(path, max_bytes=2_000) == [
        Rejection("huge.txt", "file is 0.0 MB, over the 0.002 MB limit")
    ]
    path = write(tmp_path, "big.txt", b"Acme signs deal. " * 1_500_000)  # 25.5 MB
    assert list(read_corpus([path])) == [
        Rejection("big.txt", "file is 25.5 MB, over the 20 MB limit")
    ]


def test_missing_path() -> None:
    assert list(read_corpus(["/no/such/place/x.txt"])) == [
        Rejection("/no/such/place/x.txt", "no such file or folder")
    ]


# --------------------------------------------------------------------------------------------
# Folders
# --------------------------------------------------------------------------------------------


def test_read_corpus_folder(tmp_path: Path) -> None:
    # Recursive, sorted, hidden folders and housekeeping files skipped, other hidden
    # files rejected with a reason (first, with the folder's errors), names relative
    # to the folder.
    write(tmp_path, "b.txt", "Brant Pharma signed a deal with Cole Bio.")
    write(tmp_path, "a/z.md", "Zeta Bio signed a deal with Omega Labs.")
    write(tmp_path, "a/c.txt", "")
    write(tmp_path, ".hidden.txt", "Hidden Pharma signed a deal.")
    write(tmp_path, ".DS_Store", b"\x00\x00\x00\x01Bud1")
    write(tmp_path, ".git/x.txt", "Hidden folder text.")
    write(tmp_path, "notes.docx", b"PK\x03\x04")
    results = list(read_corpus([tmp_path, tmp_path / "b.txt", tmp_path / "gone.txt"]))
    names = [r.file if isinstance(r, Article) else r.path for r in results]
    assert names == [
        ".hidden.txt",
        "a/c.txt",
        "a/z.md",
        "b.txt",
        "notes.docx",
        "b.txt",
        str(tmp_path / "gone.txt"),
    ]
    assert results[0] == Rejection(
        ".hidden.txt", "hidden file (its name starts with a dot): rename it to ingest it"
    )
    assert results[1] == Rejection("a/c.txt", "empty file")
    assert results[4] == Rejection("notes.docx", "unsupported file type .docx")
    assert isinstance(results[2], Article) and isinstance(results[3], Article)
    # The same article read twice gets the same id (the store dedupes on it).
    assert results[3].id == results[5].id


def test_read_corpus_accepts_a_single_path_and_empty_folder(tmp_path: Path) -> None:
    # A lone path (not a list) must not be iterated character by character.
    path = write(tmp_path, "one.txt", "Acme Bio signed a deal with Brant Pharma.")
    assert [r.file for r in read_corpus(path)] == ["one.txt"]  # type: ignore[arg-type]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert list(read_corpus([empty])) == [Rejection(str(empty), "folder contains no files")]


# --------------------------------------------------------------------------------------------
# Properties: never raise
# --------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_text_article_never_raises(text: str) -> None:
    result = parse_text_article(text, file="prop.txt")
    assert isinstance(result, Article | Rejection)
    if isinstance(result, Article):
        assert result.items and all(isinstance(i, ArticleItem) for i in result.items)
        assert all(i.text.strip() for i in result.items)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Acme Bio",
                "signed",
                "a deal",
                "\n",
                "\n\n",
                "- ",
                "March 3, 2025",
                "    ",
                ".",
                "Country",
                "## ",
                "![](http://a.b/2025/01/x.png)",
                "[link](http://x.y)",
                "Dec.19 2025",
                "Japan",
                "\u00a0",
                "Published:",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_parse_text_article_never_raises_on_article_like_text(text: str) -> None:
    # Random mixes of the structures the heuristics look at (dates, bullets, labels, links).
    result = parse_text_article(text, file="prop.txt")
    assert isinstance(result, Article | Rejection)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=2_000),
    ext=st.sampled_from([".txt", ".md", ".html", ".json", ".jsonl", ".csv"]),
)
def test_read_file_never_raises(tmp_path: Path, data: bytes, ext: str) -> None:
    path = tmp_path / f"prop{ext}"
    path.write_bytes(data)
    results = read_file(path)
    assert results and all(isinstance(r, Article | Rejection) for r in results)
    assert all(r.reason for r in results if isinstance(r, Rejection))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_parse_date_returns_valid_iso_or_none(text: str) -> None:
    result = parse_date(text)
    if result is not None:
        iso, precision = result
        assert precision in ("day", "month", "year")
        assert len(iso) == {"day": 10, "month": 7, "year": 4}[precision]
