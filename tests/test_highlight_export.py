"""Highlighting article text safely, and exporting deals without formula injection
(pure functions: no Streamlit)."""

from __future__ import annotations

import csv
import html
import io
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from openpyxl import load_workbook

from atlas.export import deals_to_csv, deals_to_excel, search_deals
from atlas.figures.company import (
    build_company_deals_figure,
    company_areas,
    company_deals,
    company_partners,
    mentioning_table,
)
from atlas.highlight import (
    COUNTRY,
    ORG,
    country_spans,
    date_source_label,
    date_spans,
    highlight_spans,
    item_spans,
    mention_spans,
    search_articles,
)
from atlas.safe_text import FORMULA_PREFIXES, csv_cell, excel_cell

HOSTILE = "<script>alert('x')</script> & <img src=x onerror=alert(1)> \"quoted\""
MARK = re.compile(r'<mark class="atlas-mark atlas-mark-[a-z0-9-]+" title="[^"<>]*">|</mark>')


def visible_text(markup: str) -> str:
    """The text a reader sees: our own tags removed, entities decoded."""
    body = markup.removeprefix('<div class="atlas-hl-text">').removesuffix("</div>")
    return html.unescape(MARK.sub("", body))


class TagCollector(HTMLParser):
    """Every element and attribute a browser would build from the markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _value in attrs)


def parsed(markup: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(markup)
    collector.close()
    return collector


# --- highlight_spans -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        # hostile text, no span: all of it escaped
        (HOSTILE, []),
        # a span inside the hostile markup itself
        (HOSTILE, [(1, 7, ORG)]),
        # a hostile label: must not leave the class or title attribute
        ("Astellas and JFCR", [(0, 8, '"><script>alert(1)</script>')]),
        ("Astellas and JFCR", [(0, 8, "<img src=x onerror=alert(1)>")]),
        # a hostile note (the tooltip)
        ("Astellas and JFCR", [(0, 8, ORG, '" onmouseover="alert(1)')]),
        # hostile text inside the highlighted span
        ("<b>Evil</b> Bio", [(0, 15, ORG, "<script>")]),
    ],
)
def test_highlight_escapes_every_text_label_and_note(text, spans):
    markup = highlight_spans(text, spans)
    elements = parsed(markup)
    assert elements.tags <= {"div", "mark"}
    assert elements.attributes <= {"class", "title"}
    assert "<script" not in markup and "<img" not in markup
    assert visible_text(markup) == text


def test_hostile_text_appears_escaped():
    markup = highlight_spans(HOSTILE, [])
    assert "&lt;script&gt;" in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup


def test_hostile_label_keeps_class_clean():
    markup = highlight_spans("Astellas", [(0, 8, "<img src=x onerror=alert(1)>")])
    assert re.search(r'class="atlas-mark atlas-mark-[a-z0-9-]+"', markup)
    assert 'title="&lt;img src=x onerror=alert(1)&gt;"' in markup


def test_spans_mark_the_right_text():
    markup = highlight_spans("Astellas and JFCR in Japan", [(0, 8, ORG), (21, 26, COUNTRY)])
    assert '<mark class="atlas-mark atlas-mark-org" title="ORG">Astellas</mark>' in markup
    assert '<mark class="atlas-mark atlas-mark-country" title="COUNTRY">Japan</mark>' in markup


@pytest.mark.parametrize(
    "span",
    [
        (5, 40, ORG),  # ends past the text
        (30, 35, ORG),  # starts past the text
        (-3, 2, ORG),  # negative start
        (4, 4, ORG),  # empty
        (6, 2, ORG),  # reversed
        ("a", 3, ORG),  # not a number
        (None, 3, ORG),  # missing offset
        (True, 3, ORG),  # bool is not an offset
        (1, 2),  # no label
    ],
)
def test_out_of_range_or_malformed_spans_are_ignored(span):
    text = "Sawai and Nichi-Iko"
    markup = highlight_spans(text, [span])
    assert "<mark" not in markup
    assert visible_text(markup) == text


@pytest.mark.parametrize(
    ("spans", "marked"),
    [
        # same start: the longer wins ("Japanese" country inside an organisation name)
        ([(0, 8, COUNTRY), (0, 39, ORG)], ["Japanese Foundation for Cancer Research"]),
        # partial overlap: the leftmost wins, the other is dropped whole
        ([(9, 19, ORG), (0, 12, ORG)], ["Japanese Fou"]),
        # nested: the outer wins
        ([(0, 39, ORG), (9, 19, ORG)], ["Japanese Foundation for Cancer Research"]),
        # touching spans are both kept
        ([(0, 8, COUNTRY), (8, 19, ORG)], ["Japanese", " Foundation"]),
        # identical spans: the first given wins
        ([(0, 8, COUNTRY), (0, 8, ORG)], ["Japanese"]),
    ],
)
def test_overlapping_spans_keep_text_whole(spans, marked):
    text = "Japanese Foundation for Cancer Research (JFCR)"
    markup = highlight_spans(text, spans)
    assert visible_text(markup) == text
    assert re.findall(r'title="[^"]*">(.*?)</mark>', markup) == marked


def test_identical_spans_first_given_wins():
    markup = highlight_spans("Japanese", [(0, 8, COUNTRY), (0, 8, ORG)])
    assert "atlas-mark-country" in markup and "atlas-mark-org" not in markup


def test_non_string_text_is_empty():
    assert visible_text(highlight_spans(None, [(0, 3, ORG)])) == ""


# --- spans from mentions, the lexicon and date patterns --------------------------------


def mentions_frame(rows):
    return pd.DataFrame(
        rows, columns=["article_id", "item_index", "organisation", "text", "start_char", "end_char"]
    )


def test_mention_spans_keep_their_item_and_drop_offsets_past_the_text():
    text = "Sawai and Nichi-Iko team up."
    mentions = mentions_frame(
        [
            ("a", 0, "Sawai Pharmaceutical", "Sawai", 0, 5),
            ("a", 0, "Nichi-Iko Pharmaceutical", "Nichi-Iko", 10, 19),
            ("a", 1, "Alvotech", "Alvotech", 0, 8),  # another item
            ("a", 0, "Ghost", "Ghost", 25, 40),  # past the end of this item's text
        ]
    )
    spans = mention_spans(mentions, 0, text)
    assert [(text[s:e], note) for s, e, _label, note in spans] == [
        ("Sawai", "Sawai Pharmaceutical"),
        ("Nichi-Iko", "Nichi-Iko Pharmaceutical"),
    ]
    assert mention_spans(mentions.iloc[0:0], 0, text) == []


def test_country_spans_use_lexicon_terms_longest_first_and_whole_words():
    terms = {
        "Japan": "Japan",
        "Japanese": "Japan",
        "Korea": "South Korea",
        "South Korea": "South Korea",
    }
    text = "South Korea's KISED and a Japanese firm in Japan; Japanology is no country."
    found = [(text[s:e], note) for s, e, _label, note in country_spans(text, terms)]
    assert found == [("South Korea", "South Korea"), ("Japanese", "Japan"), ("Japan", "Japan")]
    assert country_spans(text, {}) == []


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("Launched in April 2025, it grew.", ["April 2025"]),
        ("Signed on 19 December 2025 in Tokyo.", ["19 December 2025"]),
        ("Signed on Dec. 3, 2024 and December 19.", ["Dec. 3, 2024", "December 19"]),
        ("Published 2025-12-19.", ["2025-12-19"]),
        ("Results for Q1 2025 and since 2019.", ["Q1 2025", "2019"]),
        # a bare number is not a date, nor a year inside a URL
        ("It employs 2000 people; see /2025/04/ for more.", []),
        # lower-case "may" is a verb
        ("The deal may 2025 close.", []),
    ],
)
def test_date_spans(text, dates):
    assert [text[s:e] for s, e, _label in date_spans(text)] == dates


def test_item_spans_put_organisations_before_countries():
    text = "Astellas and the Japanese Foundation for Cancer Research in April 2025."
    mentions = mentions_frame(
        [
            ("a", 0, "Japanese Foundation for Cancer Research", "x", 17, 56),
            ("a", 0, "Astellas Pharma", "x", 0, 8),
        ]
    )
    spans = item_spans(text, mentions=mentions, country_by_term={"Japanese": "Japan"})
    markup = highlight_spans(text, spans)
    assert "atlas-mark-country" not in markup  # "Japanese" is inside the organisation
    assert markup.count("atlas-mark-org") == 2
    assert '<mark class="atlas-mark atlas-mark-date" title="DATE">April 2025</mark>' in markup


def test_item_spans_drop_countries_overlapping_an_organisation_that_starts_later():
    text = "South Korea's Ministry of SMEs and Startups said so."
    mentions = mentions_frame([("a", 0, "Ministry of SMEs and Startups", "x", 6, 43)])
    terms = {"Korea": "South Korea", "South Korea": "South Korea"}
    markup = highlight_spans(text, item_spans(text, mentions=mentions, country_by_term=terms))
    assert "atlas-mark-country" not in markup
    assert re.findall(r'title="[^"]*">(.*?)</mark>', markup) == [
        "Korea&#x27;s Ministry of SMEs and Startups"
    ]


@pytest.mark.parametrize(
    ("source", "label"),
    [
        ("text", "from the text"),
        ("url", "from a URL in the text"),
        ("metadata", "from metadata"),
        ("none", "unknown"),
        (None, "unknown"),
        (float("nan"), "unknown"),
        ("something-new", "unknown"),
    ],
)
def test_date_source_label(source, label):
    assert date_source_label(source) == label


def articles_frame():
    return pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "file": ["000_jfcr.txt", "001_digest.txt", "hostile.txt"],
            "title": ["Astellas Pharma and JFCR partner", None, "<b>Evil</b> (deal) [x]"],
            "source": ["pharmaceutical-technology.com", None, None],
            "is_digest": [False, True, False],
        }
    )


@pytest.mark.parametrize(
    ("query", "digest_only", "ids"),
    [
        ("", False, ["a", "b", "c"]),
        ("jfcr", False, ["a"]),  # case-insensitive, title
        ("PHARMACEUTICAL-TECH", False, ["a"]),  # source
        ("digest", False, ["b"]),  # file name
        ("(deal) [", False, ["c"]),  # regex metacharacters are literal text
        ("' OR 1=1 --", False, []),  # SQL-looking text is only text
        ("", True, ["b"]),
        ("jfcr", True, []),
    ],
)
def test_search_articles(query, digest_only, ids):
    assert search_articles(articles_frame(), query, digest_only=digest_only)["id"].tolist() == ids


# --- exports -------------------------------------------------------------------------


def deals_frame(rows: list[dict]) -> pd.DataFrame:
    base = {
        "deal_id": 1,
        "parties": ["Sawai Pharmaceutical", "Nichi-Iko Pharmaceutical"],
        "party_countries": ["Japan", "Japan"],
        "type": "partnership/collaboration",
        "also_types": [],
        "deal_date": None,
        "date_precision": None,
        "date_source": "none",
        "confidence": 0.8,
        "evidence": "Sawai and Nichi-Iko are throwing in their lot.",
        "therapeutic_areas": [],
        "countries": ["Japan"],
        "item_index": 0,
        "article_id": "x",
        "article_title": "Digest",
        "article_file": "001.txt",
        "article_source": None,
    }
    return pd.DataFrame([{**base, **row} for row in rows])


def display(deals: pd.DataFrame) -> pd.DataFrame:
    from components.tables import deals_display

    return deals_display(deals)


EXPECTED_COLUMNS = [
    "Parties",
    "Type",
    "Date",
    "Evidence",
    "Countries",
    "Areas",
    "Also",
    "Confidence",
    "Checked",
    "Article",
]
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_excel_cell(value):
    assert excel_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Astellas", "", "a=b", 0.5, -1.0, None])
def test_neutralise_leaves_other_values(value):
    assert excel_cell(value) == value


# Each piece would start a formula in a spreadsheet that cuts the cell at "," or ";"
# (the list separator of German, French and Dutch locales), or trims spaces before it.
@pytest.mark.parametrize(
    ("value", "guarded"),
    [
        ("Weekly;-2+3;@SUM(1+1)", "Weekly;'-2+3;'@SUM(1+1)"),
        ("Sawai,=1+1", "Sawai,'=1+1"),
        ("Deal; +cmd|' /C calc'!A0", "Deal; '+cmd|' /C calc'!A0"),
        ("Licence,  @SUM(A1)", "Licence,  '@SUM(A1)"),
        ("Note;\t=1", "Note;'\t=1"),
        ("  =1+1", "  '=1+1"),
        ("=1;=2", "'=1;'=2"),
    ],
)
def test_csv_neutralises_a_formula_after_a_separator(value, guarded):
    assert csv_cell(value) == guarded


@pytest.mark.parametrize(
    "value", ["Sawai, Nichi-Iko", "Japan; South Korea", "A + B", "x-y;z", "a=b", 0.5, None]
)
def test_csv_leaves_separators_followed_by_text(value):
    assert csv_cell(value) == value


def hostile_deals() -> pd.DataFrame:
    return deals_frame(
        [
            {"deal_id": 1, "evidence": '=HYPERLINK("http://evil","click")', "deal_date": "2025-04"},
            {"deal_id": 2, "parties": ["+Plus Corp", "@At Bio"], "evidence": "-1+1 done"},
            {"deal_id": 3, "article_title": "<script>x</script>", "confidence": 0.25},
        ]
    )


def test_csv_has_the_displayed_columns_and_neutralised_formulas():
    table = display(hostile_deals())
    data = deals_to_csv(table)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == EXPECTED_COLUMNS
    assert len(rows) == 4
    evidence = [r[EXPECTED_COLUMNS.index("Evidence")] for r in rows[1:]]
    assert evidence[0] == '\'=HYPERLINK("http://evil","click")'
    assert evidence[1] == "'-1+1 done"
    assert rows[2][0] == "'+Plus Corp + @At Bio"
    assert rows[1][EXPECTED_COLUMNS.index("Date")] == "Apr 2025"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
    assert table["Evidence"].iloc[0].startswith("=")  # the caller's table is untouched


def test_excel_opens_with_openpyxl_and_holds_text_not_formulas():
    data = deals_to_excel(display(hostile_deals()))
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == EXPECTED_COLUMNS
    assert len(rows) == 4
    assert rows[1][EXPECTED_COLUMNS.index("Evidence")] == '\'=HYPERLINK("http://evil","click")'
    assert rows[2][0] == "'+Plus Corp + @At Bio"
    assert rows[3][EXPECTED_COLUMNS.index("Confidence")] == 0.25
    assert rows[3][EXPECTED_COLUMNS.index("Article")] == "<script>x</script>"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    assert sheet.freeze_panes == "A2"


def test_excel_drops_control_characters_openpyxl_refuses():
    table = display(deals_frame([{"evidence": "bad\x00byte\x1b here"}]))
    sheet = load_workbook(io.BytesIO(deals_to_excel(table))).active
    assert sheet.cell(row=2, column=EXPECTED_COLUMNS.index("Evidence") + 1).value == "badbyte here"


def test_exports_of_an_empty_view_have_headers_only():
    empty = display(deals_frame([{}]).iloc[0:0])
    assert deals_to_csv(empty).decode("utf-8-sig").strip() == ",".join(
        f'"{column}"' for column in EXPECTED_COLUMNS
    )
    sheet = load_workbook(io.BytesIO(deals_to_excel(empty))).active
    assert [c.value for c in sheet[1]] == EXPECTED_COLUMNS
    assert sheet.max_row == 1


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("", [1, 2, 3]),
        ("sawai", [1, 3]),  # a party, any case
        ("ALVOTECH", [2]),
        ("welcomed", [2]),  # the evidence
        ("(.*)", []),  # regex metacharacters are literal text
    ],
)
def test_search_deals(query, ids):
    deals = deals_frame(
        [
            {"deal_id": 1},
            {
                "deal_id": 2,
                "parties": ["Alvotech", "Fuji Pharma"],
                "evidence": "Alvotech welcomed it.",
            },
            {
                "deal_id": 3,
                "parties": ["Asahi Kasei", "Sawai Pharmaceutical"],
                "evidence": "Settled.",
            },
        ]
    )
    assert search_deals(deals, query)["deal_id"].tolist() == ids


def test_search_deals_finds_assets():
    deals = deals_frame(
        [
            {"deal_id": 1, "assets": ["ABX-123", "Zolvira®"]},
            {"deal_id": 2, "assets": []},
            {"deal_id": 3, "assets": float("nan")},  # older rows without assets
        ]
    )
    assert search_deals(deals, "abx-12")["deal_id"].tolist() == [1]
    assert search_deals(deals, "zolvira")["deal_id"].tolist() == [1]


# --- the company profile ---------------------------------------------------------------


def company_frame() -> pd.DataFrame:
    return deals_frame(
        [
            {
                "deal_id": 1,
                "parties": ["Astellas Pharma", "JFCR"],
                "deal_date": "2025-04",
                "therapeutic_areas": ["oncology"],
            },
            {
                "deal_id": 2,
                "parties": ["Astellas Pharma", "Yaskawa Electric"],
                "type": "joint venture",
                "deal_date": None,
                "therapeutic_areas": ["cell therapy"],
            },
            {
                "deal_id": 3,
                "parties": ["Astellas Pharma", "Yaskawa Electric"],
                "type": "joint venture",
                "deal_date": "2025-04",
                "therapeutic_areas": ["cell therapy", "oncology"],
            },
            {"deal_id": 4, "parties": ["Astellas Pharma", "KISED"], "deal_date": "2025-12-19"},
            {"deal_id": 5, "parties": ["Sawai Pharmaceutical", "Asahi Kasei"], "deal_date": "2024"},
        ]
    )


def test_company_deals_and_partners():
    deals = company_frame()
    before = deals.copy(deep=True)
    assert company_deals(deals, "Astellas Pharma")["deal_id"].tolist() == [1, 2, 3, 4]
    partners = company_partners(deals, "Astellas Pharma")
    assert partners.to_dict("records") == [
        {
            "partner": "Yaskawa Electric",
            "deals": 2,
            "types": "joint venture",
            "last_date": "Apr 2025",
        },
        {
            "partner": "KISED",
            "deals": 1,
            "types": "partnership/collaboration",
            "last_date": "19 Dec 2025",
        },
        {
            "partner": "JFCR",
            "deals": 1,
            "types": "partnership/collaboration",
            "last_date": "Apr 2025",
        },
    ]
    assert company_partners(deals, "Nobody").empty
    pd.testing.assert_frame_equal(deals, before)


def test_company_areas_count_deals():
    areas = company_areas(company_frame(), "Astellas Pharma")
    assert areas.to_dict("records") == [
        {"area": "cell therapy", "deals": 2},
        {"area": "oncology", "deals": 2},
    ]
    assert company_areas(company_frame(), "KISED").empty


def _mentioning(article_id, *, title, published, mentions):
    """An article whose text mentions Astellas Pharma (and Sawai) ``mentions`` times."""
    from atlas.models import Article, ArticleItem, ExtractionResult, Mention, ResolvedOrganisation

    text = "Astellas met Sawai; Astellas agreed."
    article = Article(
        id=article_id,
        file=f"{article_id}_digest.txt",
        text=text,
        title=title,
        published=published,
        date_precision="month" if published else None,
        date_source="url" if published else "none",
        items=(ArticleItem(0, text),),
    )
    orgs = {
        "Astellas Pharma": ResolvedOrganisation("Astellas Pharma", "Japan", "company", True),
        "Sawai Pharmaceutical": ResolvedOrganisation(
            "Sawai Pharmaceutical", "Japan", "company", True
        ),
    }
    found = [
        Mention("Astellas", "Astellas Pharma", 0, 8),
        Mention("Astellas", "Astellas Pharma", 20, 28),
    ]
    return ExtractionResult(
        article, orgs, [*found[:mentions], Mention("Sawai", "Sawai Pharmaceutical", 13, 18)], []
    )


def test_company_articles_count_mentions_per_article(memory_store):
    """The Companies page's list: the store counts the mentions, mentioning_table lays
    them out (a title, else the file name; most mentions first)."""
    from atlas import store

    store.save_extraction(
        memory_store,
        _mentioning("a", title="Astellas Pharma and JFCR partner", published="2025-04", mentions=2),
        fingerprint="f",
    )
    store.save_extraction(
        memory_store, _mentioning("b", title=None, published=None, mentions=1), fingerprint="f"
    )
    table = mentioning_table(store.articles_mentioning(memory_store, ["Astellas Pharma"]))
    assert table[["article_id", "title", "date", "mentions"]].to_dict("records") == [
        {
            "article_id": "a",
            "title": "Astellas Pharma and JFCR partner",
            "date": "Apr 2025",
            "mentions": 2,
        },
        {"article_id": "b", "title": "b_digest.txt", "date": "undated", "mentions": 1},
    ]
    assert mentioning_table(store.articles_mentioning(memory_store, ["Nobody"])).empty


def test_company_deals_figure_stacks_years_and_keeps_undated_last():
    figure = build_company_deals_figure(company_frame(), "Astellas Pharma")
    # traces in the one deal-type order (atlas.models.DEAL_TYPES: most specific first)
    assert [trace.name for trace in figure.data] == ["joint venture", "partnership/collaboration"]
    assert list(figure.data[1].x) == ["2025", "undated"]
    assert list(figure.data[1].y) == [2, 0]
    assert list(figure.data[0].y) == [1, 1]
    assert figure.layout.barmode == "stack"
    assert figure.layout.font.size == 13
    assert (
        build_company_deals_figure(
            company_frame(), "Astellas Pharma", presenter=True
        ).layout.font.size
        == 20
    )


def test_company_deals_figure_shows_years_without_deals():
    deals = deals_frame(
        [
            {"deal_id": 1, "parties": ["Astellas Pharma", "JFCR"], "deal_date": "2021-03"},
            {"deal_id": 2, "parties": ["Astellas Pharma", "KISED"], "deal_date": "2024"},
        ]
    )
    figure = build_company_deals_figure(deals, "Astellas Pharma")
    assert list(figure.data[0].x) == ["2021", "2022", "2023", "2024"]
    assert list(figure.data[0].y) == [1, 0, 0, 1]


def test_company_deals_figure_escapes_names():
    deals = deals_frame(
        [{"parties": ["<img src=x onerror=alert(1)>", "Eisai"], "type": "<b>odd</b>"}]
    )
    figure = build_company_deals_figure(deals, "<img src=x onerror=alert(1)>")
    assert "<img" not in figure.layout.title.text
    assert figure.data[0].name == "&lt;b&gt;odd&lt;/b&gt;"
    assert "<b>" not in figure.data[0].hovertemplate


def test_company_deals_figure_ticks_every_deal_only_for_a_few():
    def hub(deals_in_2024: int):
        return deals_frame(
            [
                {"deal_id": i, "parties": ["Hub Bio", f"Partner {i}"], "deal_date": "2024-05"}
                for i in range(deals_in_2024)
            ]
        )

    assert build_company_deals_figure(hub(3), "Hub Bio").layout.yaxis.dtick == 1
    # hundreds of tick labels would be measured by plotly on every redraw
    assert build_company_deals_figure(hub(400), "Hub Bio").layout.yaxis.dtick is None


def test_company_deals_figure_of_no_deals_is_empty():
    assert len(build_company_deals_figure(company_frame(), "Nobody").data) == 0


def split_cells(data: bytes, separator: str) -> list[list[str]]:
    """The CSV read back as a spreadsheet of a locale with ``separator`` as its list
    separator would cut it: quotes respected, as Excel and LibreOffice do."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=separator))


def test_csv_quotes_text_and_guards_formulas_for_semicolon_locales():
    table = display(
        deals_frame(
            [
                {"deal_id": 1, "article_title": "Weekly;-2+3;@SUM(1+1)"},
                {"deal_id": 2, "evidence": "Sawai,=1+1 and Nichi-Iko; +2"},
                {"deal_id": 3, "parties": ["Acme; -Corp", "Beta"], "confidence": 0.5},
            ]
        )
    )
    data = deals_to_csv(table)
    text = data.decode("utf-8-sig")
    # every text field is quoted, numbers are not
    assert "\"Weekly;'-2+3;'@SUM(1+1)\"" in text
    assert ",0.5," in text
    for separator in (",", ";"):
        for row in split_cells(data, separator):
            for cell in row:
                assert not cell.lstrip(" ").startswith(FORMULA_PREFIXES), (separator, cell)
    rows = split_cells(data, ",")
    assert rows[0] == EXPECTED_COLUMNS
    assert rows[1][EXPECTED_COLUMNS.index("Article")] == "Weekly;'-2+3;'@SUM(1+1)"
    assert rows[2][EXPECTED_COLUMNS.index("Evidence")] == "Sawai,'=1+1 and Nichi-Iko; '+2"
    assert rows[3][0] == "Acme; '-Corp + Beta"
    assert rows[3][EXPECTED_COLUMNS.index("Confidence")] == "0.5"
    # the ";" reading does cut these rows: the pieces are there, each guarded
    semicolon_cells = [cell for row in split_cells(data, ";") for cell in row]
    assert "'-2+3" in semicolon_cells and "'@SUM(1+1)\"" in semicolon_cells


def test_excel_guards_the_same_cells_and_stores_them_as_text():
    table = display(deals_frame([{"article_title": "Weekly;-2+3;@SUM(1+1)"}]))
    sheet = load_workbook(io.BytesIO(deals_to_excel(table))).active
    cell = sheet.cell(row=2, column=EXPECTED_COLUMNS.index("Article") + 1)
    assert cell.value == "Weekly;-2+3;@SUM(1+1)"  # a workbook cell is never cut
    assert cell.data_type == "s"
    first = sheet.cell(row=2, column=1)
    assert first.data_type == "s" and not str(first.value).startswith(FORMULA_PREFIXES)


def test_untitled_articles_are_named_by_their_opening_words():
    from atlas.highlight import article_title

    assert article_title("  A  title ", None, "x.txt") == "A title"
    assert article_title(None, "Alpha Bio and\nBeta Pharma sign a licence.", "3f9a.txt") == (
        "(untitled) Alpha Bio and Beta Pharma sign a licence."
    )
    long = "word " * 40
    named = article_title(float("nan"), long, "3f9a.txt")
    assert named.startswith("(untitled) word") and named.endswith("…") and len(named) < 100
    assert article_title(None, None, "3f9a.txt") == "3f9a.txt"
    assert article_title(None, "\u202eevil", "f") == "(untitled) evil"  # bidi stripped
