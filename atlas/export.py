"""The Deals page's view: searching it and downloading it as CSV or Excel.

The exports take the table exactly as the page shows it
(``components.tables.deals_display(deals)``), so a download matches the screen,
followed by each deal's status, role, assets and terms (``with_deal_details``).
Cells are untrusted text from the news: whatever a spreadsheet could read as a
formula (text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return)
gets an apostrophe in front, so opening the file never runs anything
(``atlas.safe_text.csv_cell`` and ``excel_cell``).

In the CSV every text field is quoted, and the apostrophe also goes in front of
such a character right after a ``,`` or ``;`` inside a cell (spaces between
allowed, for importers that trim them). Excel reads a CSV with the list separator
of its locale, ``;`` in German, French or Dutch: there this file's quotes fall in
the middle of fields and mean nothing, the row is cut at every ``;``, and
``"Weekly;-2+3"`` would give a cell ``-2+3``; written ``"Weekly;'-2+3"`` it gives
``'-2+3``, text. The Excel workbook holds every text cell as text (never a
formula), so only a cell's start gets the apostrophe there.

Both files are made a piece of ``EXPORT_CHUNK_ROWS`` deals at a time
(``deal_tables``): each piece is displayed, written and dropped before the next, so
only the finished file grows with the deals. The workbook is written in openpyxl's
write-only mode (each row goes to a temporary file, no cell stays in memory) and
holds at most ``EXCEL_MAX_ROWS`` deals: openpyxl writes cells one by one, and past
that size the CSV is the file to use.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from atlas.safe_text import csv_column, excel_cell

_MAX_COLUMN_WIDTH = 80


def _safe_csv_table(table: pd.DataFrame) -> pd.DataFrame:
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = csv_column(safe[column])
    return safe


def search_deals(deals: pd.DataFrame, query: str | None = None) -> pd.DataFrame:
    """Deals whose party names, assets (drug, product or platform names) or evidence
    contain ``query`` (case-insensitive, literal text: no regex, no SQL)."""
    query = (query or "").strip()
    if not query or deals.empty:
        return deals.copy()
    needle = query.casefold()
    in_parties = deals["parties"].map(
        lambda parties: any(needle in str(p).casefold() for p in (parties or []))
    )
    in_evidence = (
        deals["evidence"].astype("string").fillna("").str.contains(query, case=False, regex=False)
    )
    found = in_parties.astype(bool) | in_evidence.astype(bool)
    if "assets" in deals.columns:
        found |= deals["assets"].map(
            lambda assets: (
                isinstance(assets, list | tuple)
                and any(needle in str(a).casefold() for a in assets)
            )
        )
    return deals[found].copy()


# The money terms of ``store.terms_as_json``, and how their columns are headed.
_MONEY_TERMS = (
    ("total_value", "Total value"),
    ("upfront", "Upfront"),
    ("milestones", "Milestones"),
)

DEAL_DETAIL_COLUMNS = (
    "Deal status",
    "Role",
    "Assets",
    *(
        f"{heading}{suffix}"
        for _name, heading in _MONEY_TERMS
        for suffix in ("", " currency", " USD")
    ),
    "Equity %",
    "Royalties",
    "Disclosed value USD",
)


def deal_details_table(deals: pd.DataFrame) -> pd.DataFrame:
    """Each deal's status, role, assets (joined with "; ") and terms, one column per
    figure, as the downloads carry them (``DEAL_DETAIL_COLUMNS``), indexed like
    ``deals``. Amounts are in whole units of their currency, "USD" columns in US
    dollars at the deal's date; a cell is empty where the text states nothing.
    Reads the columns ``store.deals_frame`` gives; a frame without them (hand-made
    deals of older corrections) gets empty cells."""
    size = len(deals)

    def column(name: str, default) -> list:
        if name not in deals.columns:
            return [default] * size
        return [default if _missing(v) else v for v in deals[name].tolist()]

    terms = [t if isinstance(t, dict) else {} for t in column("terms", {})]
    table: dict[str, list] = {
        "Deal status": column("deal_status", None),
        "Role": column("role", None),
        "Assets": ["; ".join(map(str, a)) if a else "" for a in column("assets", [])],
    }
    for name, heading in _MONEY_TERMS:
        money = [t.get(name) or {} for t in terms]
        table[heading] = [m.get("amount") for m in money]
        table[f"{heading} currency"] = [m.get("currency") for m in money]
        table[f"{heading} USD"] = [m.get("usd") for m in money]
    table["Equity %"] = [(t.get("equity_pct") or {}).get("value") for t in terms]
    table["Royalties"] = [(t.get("royalties") or {}).get("text") for t in terms]
    table["Disclosed value USD"] = [
        None if v is None else round(v) for v in column("value_usd", None)
    ]
    return pd.DataFrame(
        {
            name: pd.Series(values, index=deals.index, dtype=_dtype(name, values))
            for name, values in table.items()
        }
    )[list(DEAL_DETAIL_COLUMNS)]


def _dtype(name: str, values: list) -> str:
    """Text columns as objects (the formula guard reads those); figures as nullable
    numbers, whole ones as integers, so an empty cell never turns 40000000 into
    40000000.0 and a spreadsheet still sums them."""
    if name in ("Deal status", "Role", "Assets", "Royalties") or name.endswith(" currency"):
        return "object"
    numbers = [v for v in values if v is not None]
    return "Int64" if all(float(v).is_integer() for v in numbers) else "Float64"


def with_deal_details(table: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """The displayed deals ``table`` with ``deal_details_table(deals)`` after its
    columns: what the Deals page downloads. ``table`` is ``deals`` displayed
    (``components.tables.deals_display``), row for row."""
    details = deal_details_table(deals)
    details.index = table.index
    table = table.copy()
    if "Date" in table.columns and "deal_date" in deals.columns:
        # Dates as ISO text ("2025-04-19", "2025-04", "2025"), which spreadsheets read
        # as dates (deals_to_excel writes them as real date cells), not "19 Apr 2025".
        table["Date"] = [v if isinstance(v, str) and v else None for v in deals["deal_date"]]
    return pd.concat([table, details], axis=1)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


# Rows per piece of a download: the table of each piece is built, written and dropped
# before the next, so an export's working memory does not grow with the deals.
EXPORT_CHUNK_ROWS = 10_000

# The most deals the Excel download holds. Excel itself takes 1,048,576 rows, but
# openpyxl writes a workbook cell by cell (12 to 25 cells a deal, about 0.18 s per
# 1,000 deals here), and Excel opens it the same way: past this size the CSV is the
# file to use. From bench/export_bench.py at 100,000 articles on a 2-core machine:
# 25,000 deals in about 4.6 s and 30 MB besides the file (50,000 took 9 s).
EXCEL_MAX_ROWS = 25_000


def excel_limit_note(rows: int) -> str | None:
    """What the Deals page says when ``rows`` deals are more than the Excel download
    holds; None when they fit."""
    if rows <= EXCEL_MAX_ROWS:
        return None
    return (
        f"The Excel download holds up to {EXCEL_MAX_ROWS:,} deals and these are "
        f"{rows:,}: narrow the filters or the search, or download the CSV, which holds "
        "them all."
    )


def deal_tables(
    deals: pd.DataFrame,
    display: Callable[[pd.DataFrame], pd.DataFrame],
    *,
    chunk_rows: int = EXPORT_CHUNK_ROWS,
) -> Iterator[pd.DataFrame]:
    """The download of ``deals`` a piece at a time: ``with_deal_details(display(piece),
    piece)`` for every ``chunk_rows`` deals in order, ``display`` being the page's
    table (``components.tables.deals_display``). No deals give one empty piece, so the
    file still has its header."""
    for start in range(0, max(len(deals), 1), chunk_rows):
        piece = deals.iloc[start : start + chunk_rows]
        yield with_deal_details(display(piece), piece)


def _pieces(tables: pd.DataFrame | Iterable[pd.DataFrame]) -> Iterable[pd.DataFrame]:
    return [tables] if isinstance(tables, pd.DataFrame) else tables


def _whole_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """Figures with a fraction kept as they are and whole ones as integers, cell by
    cell: a piece of a download whose figures happen to be whole must not write
    ``40000000`` where another writes ``40000000.0``."""
    # The figures of deal_details_table (nullable Float64, Int64 when a piece has only
    # whole ones); a float column of the display (Confidence) is left as it is.
    floats = [c for c in table.columns if isinstance(table[c].dtype, pd.Float64Dtype)]
    if not floats:
        return table
    table = table.copy()
    for column in floats:
        table[column] = pd.Series(
            [
                None if _missing(v) or v is pd.NA else int(v) if v.is_integer() else v
                for v in table[column].astype(object).tolist()
            ],
            index=table.index,
            dtype=object,
        )
    return table


def iter_deals_csv(tables: pd.DataFrame | Iterable[pd.DataFrame]) -> Iterator[bytes]:
    """The deals tables (one, or the pieces of ``deal_tables``) as one CSV, a piece's
    bytes at a time: UTF-8 with a byte-order mark (so Excel reads accents and
    Japanese names correctly), formulas neutralised, every text field quoted (numbers
    are not, so a spreadsheet still reads them as numbers)."""
    for index, table in enumerate(_pieces(tables)):
        safe = _whole_numbers(_safe_csv_table(table))
        text = safe.to_csv(index=False, header=index == 0, quoting=csv.QUOTE_NONNUMERIC)
        yield text.encode("utf-8-sig" if index == 0 else "utf-8")


def deals_to_csv(tables: pd.DataFrame | Iterable[pd.DataFrame]) -> bytes:
    """``iter_deals_csv`` gathered into bytes (what ``st.download_button`` takes);
    the pieces are dropped as they are written."""
    buffer = io.BytesIO()
    for piece in iter_deals_csv(tables):
        buffer.write(piece)
    return buffer.getvalue()


def _excel_value(value: object) -> object:
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return excel_cell(value)
    if hasattr(value, "item"):  # numpy scalars -> Python numbers
        return value.item()
    return value


_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
# How a date cell shows, by the precision the article gives: day, month or year.
_DATE_FORMATS = {3: "yyyy-mm-dd", 2: "mmm yyyy", 1: "yyyy"}


def _excel_date(value: object) -> tuple[dt.date, str] | None:
    """An ISO date of any precision as a date cell and its number format (a month or
    year date is its first day, shown as "Apr 2025" or "2025"); None when not one."""
    found = _ISO_DATE.match(value) if isinstance(value, str) else None
    if not found:
        return None
    parts = [int(p) for p in found.groups() if p]
    try:
        day = dt.date(
            parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1
        )
    except ValueError:
        return None
    return day, _DATE_FORMATS[len(parts)]


class ExcelTooLarge(ValueError):
    """More deals than the Excel download holds (``EXCEL_MAX_ROWS``)."""


def _excel_column(values: pd.Series) -> list:
    """A column's cells as openpyxl writes them; an empty text is no cell at all (None),
    which openpyxl skips: at 20 cells a deal, every cell left out counts."""
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        return [(excel_cell(v) or None) if isinstance(v, str) else _excel_value(v) for v in values]
    return [_excel_value(v) for v in values.tolist()]


def write_deals_excel(
    tables: pd.DataFrame | Iterable[pd.DataFrame],
    file: BinaryIO,
    *,
    sheet_name: str = "Deals",
    max_rows: int = EXCEL_MAX_ROWS,
) -> int:
    """Write the deals tables (one, or the pieces of ``deal_tables``) to ``file`` as an
    .xlsx workbook, in constant memory (openpyxl's write-only mode streams each row
    to disk): one sheet, a frozen header row, column widths read off the first rows,
    formulas neutralised, every text cell stored as text, dates as date cells.
    Returns the rows written; raises ``ExcelTooLarge`` past ``max_rows``."""
    if isinstance(tables, pd.DataFrame) and len(tables) > max_rows:
        raise ExcelTooLarge(f"{len(tables):,} deals; the Excel download holds {max_rows:,}")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])
    rows = 0
    for index, table in enumerate(_pieces(tables)):
        rows += len(table)
        if rows > max_rows:
            # Ends openpyxl's row writer and removes its temporary file.
            workbook.save(io.BytesIO())
            raise ExcelTooLarge(f"{rows:,} deals or more; the Excel download holds {max_rows:,}")
        columns = list(table.columns)
        if index == 0:
            # Widths and panes go before the first row: write-only sheets cannot go back.
            for number, column in enumerate(columns, start=1):
                shown = [len(str(c)) for c in _excel_column(table[column].head(200)) if c]
                longest = max([len(str(column)), *shown])
                width = min(_MAX_COLUMN_WIDTH, max(8, longest + 2))
                sheet.column_dimensions[get_column_letter(number)].width = width
            sheet.freeze_panes = "A2"
            sheet.append([str(c) for c in columns])
        cells = [_excel_column(table[column]) for column in columns]
        if "Date" in columns:
            at = columns.index("Date")
            cells[at] = [_excel_date_cell(sheet, v) for v in cells[at]]
        for row in zip(*cells, strict=True):
            sheet.append(row)
    workbook.save(file)
    return rows


def _excel_date_cell(sheet, value: object) -> object:
    found = _excel_date(value)
    if found is None:
        return value
    cell = WriteOnlyCell(sheet, value=found[0])
    cell.number_format = found[1]
    return cell


def deals_to_excel(
    tables: pd.DataFrame | Iterable[pd.DataFrame],
    *,
    sheet_name: str = "Deals",
    max_rows: int = EXCEL_MAX_ROWS,
) -> bytes:
    """``write_deals_excel`` into bytes (what ``st.download_button`` takes)."""
    buffer = io.BytesIO()
    write_deals_excel(tables, buffer, sheet_name=sheet_name, max_rows=max_rows)
    return buffer.getvalue()
