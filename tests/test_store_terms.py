"""A deal's role, status, assets and terms through the store (schema version 5) and
into the Deals page's downloads, on SQLite and PostgreSQL, from the real extraction
of articles written here (invented companies, invented figures)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from atlas import store
from atlas.export import (
    DEAL_DETAIL_COLUMNS,
    deal_details_table,
    deals_to_csv,
    deals_to_excel,
    with_deal_details,
)
from atlas.models import Deal, ExtractionResult, Money, Stake, Terms
from atlas.terms import usd_value
from tests.conftest import make_article
from tests.pg import postgres_cluster  # noqa: F401 - a pytest fixture used by name
from tests.test_backends import db_url  # noqa: F401 - a pytest fixture used by name

# A licence with an upfront and a ceiling of milestones, its asset a development code.
LICENCE_TEXT = (
    "Alderwick Therapeutics has signed a licence agreement with Brennmoor Pharma for "
    "ZK-2291, its oral kinase inhibitor, for an upfront payment of $40 million and up to "
    "$600 million in development and sales milestones.\n\n"
    "Alderwick is also eligible for tiered royalties on net sales."
)
# An acquisition priced in euros: its dollar value depends on the date.
EURO_TEXT = (
    "Quillon Biosciences agreed to acquire Marrowgate Labs for €250 million in cash, "
    "the companies said on Tuesday.\n\n"
    "The deal gives Quillon the antibody platform LumaMab."
)


@pytest.fixture
def engine(db_url):  # noqa: F811 - the fixture imported above
    engine = store.open_store(db_url)
    yield engine
    engine.dispose()


def _only_deal(result: ExtractionResult) -> Deal:
    [deal] = result.deals
    return deal


def test_extracted_terms_round_trip(engine, extractor):
    """What ``extract --jsonl`` writes for each deal is what the store gives back,
    with the disclosed value and upfront in dollars as numbers."""
    from atlas.result_json import result_as_json

    articles = [
        make_article(LICENCE_TEXT, file="licence.txt", published="2024-03-05"),
        make_article(EURO_TEXT, file="euro.txt", published="2016-06-14"),
    ]
    results = list(extractor.extract_many(articles))
    for result in results:
        store.save_extraction(engine, result, fingerprint="f1")
    frame = store.deals_frame(engine)
    assert list(frame.columns) == store.DEALS_FRAME_COLUMNS
    by_file = {row["article_file"]: row for row in frame.to_dict("records")}

    licence = by_file["licence.txt"]
    assert licence["parties"] == ["Alderwick Therapeutics", "Brennmoor Pharma"]
    assert (licence["role"], licence["deal_status"]) == ("main", "agreed")
    assert licence["assets"] == ["ZK-2291"]
    assert licence["terms"] == result_as_json(results[0])["deals"][0]["terms"]
    assert licence["terms"]["upfront"] == {
        "amount": 40_000_000,
        "currency": "USD",
        "text": "$40 million",
        "usd": 40_000_000,
    }
    assert licence["terms"]["milestones"]["amount"] == 600_000_000
    assert "royalties" in licence["terms"]["royalties"]["text"]
    # No total stated: upfront plus the milestones' ceiling.
    assert licence["value_usd"] == 640_000_000.0
    assert licence["upfront_usd"] == 40_000_000.0
    assert licence["article_published"] == "2024-03-05"

    euro = by_file["euro.txt"]
    assert euro["parties"] == ["Quillon Biosciences", "Marrowgate Labs"]
    assert euro["type"] == "acquisition/merger"
    assert euro["terms"]["total_value"]["currency"] == "EUR"
    dollars = usd_value(Money(250_000_000, "EUR", "€250 million"), "2016-06-14")
    assert euro["value_usd"] == round(dollars)
    assert 250_000_000 < euro["value_usd"] < 300_000_000  # the euro above the dollar in 2016
    assert pd.isna(euro["upfront_usd"])
    assert frame["value_usd"].dtype == float


def _result(article_id: str, deals: list[Deal], *, published: str | None = None):
    """An article holding hand-made ``deals`` (values extraction would rarely give)."""
    from atlas.models import Article, ResolvedOrganisation

    article = Article(
        id=article_id,
        file=f"{article_id}.txt",
        text="Alpha Bio, Beta Pharma and Gamma Co.",
        published=published,
        date_precision="day" if published else None,
        date_source="metadata" if published else "none",
    )
    names = dict.fromkeys(p for d in deals for p in d.parties)
    organisations = {n: ResolvedOrganisation(n, None, "company", False) for n in names}
    return ExtractionResult(article, organisations, [], deals)


HOSTILE_ASSETS = (
    '=HYPERLINK("http://evil.example","x")',  # a formula that would call out
    ";-2+3",  # a formula after the ';' that cuts cells in ';' locales
    'quote " and, comma',  # CSV's own separators and quotes
    "line\nbreak\x00nul",  # a newline and a NUL (refused by PostgreSQL)
    "ÄB-12®  日本",  # letters beyond ASCII, a brand mark
)


def test_hand_made_details_round_trip_and_batch_path_agrees(engine):
    """Every value a deal can hold survives the store; an undated background deal
    is valued at its article's date; a currency without an ECB rate has no dollar
    value; the batch writer stores exactly what the single one does."""
    background = Deal(
        ("Alpha Bio", "Beta Pharma"),
        "joint venture",
        "Alpha Bio had formed a joint venture with Beta Pharma.",
        deal_date=None,
        date_source="before-article",
        role="background",
        status="terminated",
        assets=HOSTILE_ASSETS,
        terms=Terms(
            total_value=Money(1e10, "JPY", "¥10 billion"),
            equity_pct=Stake(20.0, "20%"),
        ),
    )
    unpriced = Deal(
        ("Alpha Bio", "Gamma Co"),
        "licensing",
        "Alpha Bio licensed it to Gamma Co.",
        deal_date="2021-05",
        status="completed",
        terms=Terms(upfront=Money(5e8, "TWD", "NT$500 million")),
    )
    result = _result("a1", [background, unpriced], published="2020-02-03")
    store.save_extraction(engine, result, fingerprint="f1")
    first, second = store.deals_frame(engine).to_dict("records")

    assert (first["role"], first["deal_status"]) == ("background", "terminated")
    assert pd.isna(first["deal_date"]) and first["article_published"] == "2020-02-03"
    assert first["assets"] == [a.replace("\x00", "\ufffd") for a in HOSTILE_ASSETS]
    yen = first["terms"]["total_value"]
    assert (yen["amount"], yen["currency"]) == (10_000_000_000, "JPY")
    assert yen["usd"] == round(usd_value(background.terms.total_value, "2020-02-03"))
    assert first["value_usd"] == yen["usd"]
    assert first["terms"]["equity_pct"] == {"value": 20.0, "text": "20%"}

    assert second["deal_status"] == "completed" and second["assets"] == []
    assert second["terms"]["upfront"]["usd"] is None  # the ECB publishes no TWD rate
    assert pd.isna(second["value_usd"]) and pd.isna(second["upfront_usd"])

    other = store.open_store("sqlite://")
    store.save_extractions(other, [result], fingerprint="f1")
    pd.testing.assert_frame_equal(
        store.deals_frame(other).drop(columns=["deal_id", "article_id"]),
        store.deals_frame(engine).drop(columns=["deal_id", "article_id"]),
    )


def test_valuation_date():
    """Money is valued at the deal's own date, else at its digest item's, else at its
    article's: the date the reader is told the deal is before."""
    from atlas.models import Article, ArticleItem

    digest = Article(
        id="d1",
        file="d1.html",
        text="...",
        published="2024-06",
        is_digest=True,
        items=(ArticleItem(0, "a", published="2024-06-03"), ArticleItem(1, "b")),
    )

    def deal(item_index: int, date: str | None = None) -> Deal:
        return Deal(("A", "B"), "licensing", "A and B.", item_index=item_index, deal_date=date)

    assert store.valuation_date(digest, deal(0, "2019")) == "2019"
    assert store.valuation_date(digest, deal(0)) == "2024-06-03"
    assert store.valuation_date(digest, deal(1)) == "2024-06"  # the item has no date
    assert store.valuation_date(digest, deal(7)) == "2024-06"  # no such item


@pytest.mark.parametrize(
    ("terms", "value"),
    [
        ({}, None),  # nothing disclosed
        ({"total_value": {"usd": 900}}, 900.0),
        # A stated total wins over its parts (they are in it).
        ({"total_value": {"usd": 900}, "upfront": {"usd": 100}}, 900.0),
        ({"upfront": {"usd": 100}, "milestones": {"usd": 500}}, 600.0),
        ({"milestones": {"usd": 500}}, 500.0),
        # A part without a dollar value: the sum would understate the deal.
        ({"upfront": {"usd": 100}, "milestones": {"usd": None}}, None),
        ({"total_value": {"usd": None}, "upfront": {"usd": 100}}, None),
        ({"equity_pct": {"value": 20.0}}, None),  # a stake alone is no value
    ],
)
def test_disclosed_value_rule(terms, value):
    assert store.disclosed_value_usd(terms) == value


# --- downloads --------------------------------------------------------------------------


def _displayed(deals: pd.DataFrame) -> pd.DataFrame:
    from components.tables import deals_display

    return with_deal_details(deals_display(deals), deals)


@pytest.fixture
def exported_deals(memory_store, extractor) -> pd.DataFrame:
    """The licence article, extracted for real, and a deal with hostile assets."""
    article = make_article(LICENCE_TEXT, file="licence.txt", published="2024-03-05")
    store.save_extractions(memory_store, extractor.extract_many([article]), fingerprint="f1")
    hostile = Deal(
        ("Alpha Bio", "Beta Pharma"),
        "licensing",
        "Alpha Bio licensed it to Beta Pharma.",
        deal_date="2023-01-02",
        assets=HOSTILE_ASSETS[:2],
        terms=Terms(royalties="=1+1 royalties", upfront=Money(5e6, "EUR", "-€5m")),
    )
    store.save_extraction(memory_store, _result("h1", [hostile]), fingerprint="f1")
    return store.deals_frame(memory_store)


def test_download_columns(exported_deals):
    table = _displayed(exported_deals)
    assert list(table.columns[-len(DEAL_DETAIL_COLUMNS) :]) == list(DEAL_DETAIL_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(deals_to_csv(table).decode("utf-8-sig"))))
    licence = next(r for r in rows if "Alderwick" in r["Parties"])
    assert {k: licence[k] for k in DEAL_DETAIL_COLUMNS} == {
        "Deal status": "agreed",
        "Role": "main",
        "Assets": "ZK-2291",
        "Total value": "",
        "Total value currency": "",
        "Total value USD": "",
        "Upfront": "40000000",
        "Upfront currency": "USD",
        "Upfront USD": "40000000",
        "Milestones": "600000000",
        "Milestones currency": "USD",
        "Milestones USD": "600000000",
        "Equity %": "",
        "Royalties": "tiered royalties on net sales",
        "Disclosed value USD": "640000000",
    }
    sheet = load_workbook(io.BytesIO(deals_to_excel(table))).active
    header = [c.value for c in sheet[1]]
    cells = {
        row[header.index("Parties")]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    [licence_row] = [v for k, v in cells.items() if "Alderwick" in k]
    # Numbers stay numbers in the workbook, to sort and sum.
    assert licence_row["Upfront USD"] == 40_000_000
    assert licence_row["Disclosed value USD"] == 640_000_000
    assert licence_row["Total value"] is None


def test_download_neutralises_hostile_assets_and_terms(exported_deals):
    table = _displayed(exported_deals)
    text = deals_to_csv(table).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    hostile = next(r for r in rows if r["Parties"] == "Alpha Bio + Beta Pharma")
    assert hostile["Assets"] == '\'=HYPERLINK("http://evil.example","x"); ;\'-2+3'
    assert hostile["Royalties"] == "'=1+1 royalties"
    # Every text field quoted in the file itself.
    raw = next(csv.reader(io.StringIO(text.splitlines()[0])))
    assert raw[-1] == "Disclosed value USD"
    for line in text.splitlines()[1:]:
        assert line.startswith('"')
    # Excel in a ';' locale cuts the CSV row at every ';': no piece starts a formula.
    for line in text.splitlines():
        for piece in line.split(";"):
            assert not piece.strip(' "').startswith(("=", "+", "-", "@"))
    sheet = load_workbook(io.BytesIO(deals_to_excel(table))).active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    [hostile_row] = [
        row
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[header.index("Parties")] == "Alpha Bio + Beta Pharma"
    ]
    assert hostile_row[header.index("Assets")].startswith("'=HYPERLINK(")
    assert hostile_row[header.index("Royalties")] == "'=1+1 royalties"
    assert hostile_row[header.index("Upfront currency")] == "EUR"


def test_details_of_a_frame_without_them():
    """A frame missing the columns (hand-made deals of an older correction, say) gets
    empty cells, not an error."""
    frame = pd.DataFrame({"parties": [["A", "B"]]}, index=[7])
    details = deal_details_table(frame)
    assert list(details.index) == [7]
    row = details.iloc[0]
    assert row["Assets"] == ""
    assert all(pd.isna(v) for k, v in row.items() if k != "Assets")


def test_downloads_write_real_dates(exported_deals):
    """Dates were text ("5 Mar 2024"); the CSV now carries ISO dates a spreadsheet reads
    as dates and the workbook real date cells formatted to the date's precision."""
    import datetime as dt

    table = _displayed(exported_deals)
    iso = [v for v in table["Date"] if v]
    assert iso and all(len(v) in (4, 7, 10) and v[:4].isdigit() for v in iso)
    sheet = load_workbook(io.BytesIO(deals_to_excel(table))).active
    header = [c.value for c in sheet[1]]
    column = header.index("Date")
    cells = [row[column] for row in sheet.iter_rows(min_row=2) if row[column].value is not None]
    assert cells and all(isinstance(c.value, dt.datetime) for c in cells)
    assert {c.number_format for c in cells} <= {"yyyy-mm-dd", "mmm yyyy", "yyyy"}
    assert deals_to_csv(table).decode("utf-8-sig").count(iso[0]) >= 1
