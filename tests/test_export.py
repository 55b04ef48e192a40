"""Downloads made a piece at a time (``atlas.export.deal_tables``): the CSV and the
workbook of many pieces are the files of one table, the Excel download stops at its
limit and says so, and the Deals page builds no file until a button is clicked."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from atlas import export
from atlas.export import (
    EXCEL_MAX_ROWS,
    ExcelTooLarge,
    deal_tables,
    deals_to_csv,
    deals_to_excel,
    excel_limit_note,
    iter_deals_csv,
    with_deal_details,
)
from atlas.safe_text import csv_cell
from components.tables import deals_display


def deal(number: int, **changes) -> dict:
    row = {
        "deal_id": number,
        "parties": [f"Company {number}", "Partner Bio"],
        "party_countries": ["Japan", "Germany"],
        "type": "licensing",
        "also_types": [],
        "deal_date": f"2025-04-{number % 28 + 1:02d}",
        "date_precision": "day",
        "date_source": "text",
        "before_date": None,
        "confidence": 0.8,
        "evidence": f"Company {number} licensed a compound to Partner Bio.",
        "therapeutic_areas": ["oncology"],
        "countries": ["Japan", "Germany"],
        "article_file": f"a{number}.txt",
        "article_title": f"Article {number}",
        "status": "machine",
        "deal_status": "agreed",
        "role": "main",
        "assets": [],
        "terms": {},
        "value_usd": float("nan"),
    }
    return {**row, **changes}


def many_deals() -> pd.DataFrame:
    """Seven deals whose pieces of two differ: whole and fractional figures, a month
    and a year date, no date, hostile text, a control character hiding a formula."""
    rows = [deal(n) for n in range(7)]
    rows[0]["terms"] = {"upfront": {"amount": 40_000_000, "currency": "USD", "usd": 40_000_000}}
    rows[0]["value_usd"] = 40_000_000.0
    # In another piece than deal 0: its figures have a fraction, deal 0's are whole.
    rows[3]["terms"] = {"upfront": {"amount": 2_500_000.5, "currency": "EUR", "usd": 2_700_000.5}}
    rows[3]["value_usd"] = 2_700_000.5
    rows[4]["deal_date"], rows[4]["date_precision"] = "2024-11", "month"
    rows[5]["deal_date"], rows[5]["date_precision"] = "2023", "year"
    rows[6]["deal_date"], rows[6]["date_source"] = None, "none"
    rows[1]["evidence"] = '=HYPERLINK("http://evil.example","x")'
    rows[2]["evidence"] = "\x01=1+1"  # "=1+1" once openpyxl's refused characters go
    rows[2]["parties"] = ["-Minus Corp", "Partner Bio"]
    rows[4]["assets"] = ["ZK-1;@SUM(1)"]
    return pd.DataFrame(rows)


def whole_table(deals: pd.DataFrame) -> pd.DataFrame:
    return with_deal_details(deals_display(deals), deals)


def sheet_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


# --- pieces -------------------------------------------------------------------------------


def test_pieces_cover_every_deal_in_order_and_an_empty_view_keeps_its_header():
    deals = many_deals()
    pieces = list(deal_tables(deals, deals_display, chunk_rows=3))
    assert [len(p) for p in pieces] == [3, 3, 1]
    assert pd.concat(pieces)["Parties"].tolist() == whole_table(deals)["Parties"].tolist()
    [empty] = list(deal_tables(deals.iloc[0:0], deals_display, chunk_rows=3))
    assert empty.empty and list(empty.columns) == list(pieces[0].columns)


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 7, 100])
def test_csv_of_pieces_is_the_csv_of_the_whole_table(chunk_rows):
    deals = many_deals()
    whole = deals_to_csv(whole_table(deals))
    assert deals_to_csv(deal_tables(deals, deals_display, chunk_rows=chunk_rows)) == whole
    streamed = list(iter_deals_csv(deal_tables(deals, deals_display, chunk_rows=chunk_rows)))
    assert len(streamed) == -(-len(deals) // chunk_rows)
    assert b"".join(streamed) == whole


def test_csv_writes_whole_figures_whole_in_every_piece():
    # Deal 0's piece has whole figures only, deal 3's a fraction: neither turns the
    # other's numbers into "40000000.0".
    text = deals_to_csv(deal_tables(many_deals(), deals_display, chunk_rows=2))
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0]["Upfront"] == "40000000" and rows[0]["Disclosed value USD"] == "40000000"
    assert rows[3]["Upfront"] == "2500000.5" and rows[3]["Upfront USD"] == "2700000.5"
    assert rows[1]["Upfront"] == ""


def test_csv_of_pieces_neutralises_formulas_in_every_piece():
    text = deals_to_csv(deal_tables(many_deals(), deals_display, chunk_rows=2))
    assert text.startswith(b"\xef\xbb\xbf") and text.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[1]["Evidence"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[2]["Parties"] == "'-Minus Corp + Partner Bio"
    assert rows[4]["Assets"] == "ZK-1;'@SUM(1)"
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",  # a formula at the start
        "Weekly;-2+3;@SUM(1+1)",  # after each ";" (Excel in a ";" locale cuts there)
        "a, =b,  +c",  # spaces between the "," and the formula, which importers trim
        "=,=;=",  # separators and formula characters back to back
        "; ;=x",  # a separator followed by one that is not a formula
        "\t=1\r=2",  # tab and carriage return start formulas too
        "Arrow-head; co-develop, 2025-04",  # hyphens inside words are no formula
        "日本;-円",  # not only ASCII
        "",
    ],
)
def test_arrow_text_columns_are_neutralised_like_any_other(text):
    # Display columns are Arrow strings, neutralised by pyarrow (RE2, no look-ahead);
    # detail columns are Python objects, neutralised by csv_cell.
    arrow = pd.DataFrame({"Cell": pd.Series([text, None], dtype="string[pyarrow]")})
    python = pd.DataFrame({"Cell": pd.Series([text, None], dtype=object)})
    assert deals_to_csv(arrow) == deals_to_csv(python)
    row = next(csv.DictReader(io.StringIO(deals_to_csv(arrow).decode("utf-8-sig"))))
    assert row["Cell"] == csv_cell(text)


# --- Excel ---------------------------------------------------------------------------------


def test_workbook_of_pieces_holds_the_csv_columns_and_rows():
    deals = many_deals()
    rows = sheet_rows(deals_to_excel(deal_tables(deals, deals_display, chunk_rows=2)))
    csv_rows = list(csv.reader(io.StringIO(deals_to_csv(whole_table(deals)).decode("utf-8-sig"))))
    assert rows[0] == csv_rows[0]
    assert len(rows) == len(deals) + 1
    assert [r[0] for r in rows[1:]] == [r[0] for r in csv_rows[1:]]
    upfront = rows[0].index("Upfront")
    assert rows[1][upfront] == 40_000_000 and rows[4][upfront] == 2_500_000.5


def test_workbook_dates_are_date_cells_at_their_precision():
    sheet = load_workbook(
        io.BytesIO(deals_to_excel(deal_tables(many_deals(), deals_display, chunk_rows=2)))
    ).active
    header = [c.value for c in sheet[1]]
    dates = [row[header.index("Date")] for row in sheet.iter_rows(min_row=2)]
    assert dates[0].value == dt.datetime(2025, 4, 1) and dates[0].number_format == "yyyy-mm-dd"
    assert dates[4].value == dt.datetime(2024, 11, 1) and dates[4].number_format == "mmm yyyy"
    assert dates[5].value == dt.datetime(2023, 1, 1) and dates[5].number_format == "yyyy"
    assert dates[6].value is None
    assert sheet.freeze_panes == "A2"


def test_workbook_holds_no_formula_even_behind_a_control_character():
    sheet = load_workbook(
        io.BytesIO(deals_to_excel(deal_tables(many_deals(), deals_display, chunk_rows=3)))
    ).active
    header = [c.value for c in sheet[1]]
    evidence = [row[header.index("Evidence")].value for row in sheet.iter_rows(min_row=2)]
    assert evidence[1] == '\'=HYPERLINK("http://evil.example","x")'
    assert evidence[2] == "'=1+1"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")))


def test_excel_stops_at_its_limit():
    deals = many_deals()
    assert len(sheet_rows(deals_to_excel(whole_table(deals), max_rows=7))) == 8
    with pytest.raises(ExcelTooLarge):
        deals_to_excel(deal_tables(deals, deals_display, chunk_rows=3), max_rows=6)


def test_the_limit_is_said_in_words_only_past_it():
    assert excel_limit_note(EXCEL_MAX_ROWS) is None
    note = excel_limit_note(EXCEL_MAX_ROWS + 1)
    assert f"{EXCEL_MAX_ROWS:,} deals" in note and f"{EXCEL_MAX_ROWS + 1:,}" in note
    assert "CSV" in note and "narrow the filters" in note


def test_the_workbook_is_written_row_by_row(monkeypatch):
    # Write-only (constant-memory) mode: a normal workbook would keep every cell.
    made = []
    real = export.Workbook

    def workbook(*args, **kwargs):
        made.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(export, "Workbook", workbook)
    deals_to_excel(whole_table(many_deals()))
    assert made == [{"write_only": True}]


# --- the Deals page's buttons (AppTest) -----------------------------------------------------


def deals_page():
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "views" / "deals.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def builds(monkeypatch):
    """Every file the Deals page's buttons build, by kind."""
    from components import downloads

    made = []
    for name in ("deals_csv", "deals_excel"):
        real = getattr(downloads, name)
        monkeypatch.setattr(
            downloads, name, lambda deals, real=real, name=name: made.append(name) or real(deals)
        )
    return made


def test_the_deals_page_builds_no_file_until_a_click(app_env, builds):
    at = deals_page()
    at.text_input(key="deals_search").input("Sawai").run()
    at.run()
    assert not at.exception
    assert at.download_button(key="deals_download_csv")
    excel = at.download_button(key="deals_download_excel")
    assert not excel.proto.disabled
    assert builds == []
    assert not [c for c in at.caption if "Excel download holds" in c.value]


def test_the_deals_page_offers_no_excel_past_its_limit_and_says_why(app_env, monkeypatch):
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 3)
    at = deals_page()
    shown = len(at.dataframe[0].value)
    assert shown > 3
    assert not at.download_button(key="deals_download_csv").proto.disabled
    assert at.download_button(key="deals_download_excel").proto.disabled
    [note] = [c.value for c in at.caption if "Excel download holds" in c.value]
    assert f"up to 3 deals and these are {shown}" in note and "CSV" in note
    # A search that leaves 3 or fewer deals gives Excel back.
    at.text_input(key="deals_search").input("Sawai").run()
    assert not at.download_button(key="deals_download_excel").proto.disabled
    assert not [c for c in at.caption if "Excel download holds" in c.value]
