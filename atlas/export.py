"""The Deals page's view: searching it and downloading it as CSV or Excel.

The exports take the table exactly as the page shows it
(``components.tables.deals_display(deals)``), so a download matches the screen.
Cells are untrusted text from the news: a cell a spreadsheet would read as a
formula (``=``, ``+``, ``-``, ``@``, or a leading tab or carriage return) gets a
leading apostrophe in both formats, so opening the file never runs anything.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_MAX_COLUMN_WIDTH = 80


def neutralise_formula(value: object) -> object:
    """``'=HYPERLINK(...)`` for ``=HYPERLINK(...)``; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _safe_table(table: pd.DataFrame) -> pd.DataFrame:
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_formula)
    return safe


def search_deals(deals: pd.DataFrame, query: str | None = None) -> pd.DataFrame:
    """Deals whose party names or evidence contain ``query`` (case-insensitive,
    literal text: no regex, no SQL)."""
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
    return deals[in_parties.astype(bool) | in_evidence.astype(bool)].copy()


def deals_to_csv(table: pd.DataFrame) -> bytes:
    """The displayed deals table as UTF-8 CSV (with a byte-order mark so Excel
    reads accents and Japanese names correctly), formulas neutralised."""
    return _safe_table(table).to_csv(index=False).encode("utf-8-sig")


def _excel_value(value: object) -> object:
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if isinstance(value, str):
        # openpyxl refuses control characters; they carry nothing a reader needs.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if hasattr(value, "item"):  # numpy scalars -> Python numbers
        return value.item()
    return value


def deals_to_excel(table: pd.DataFrame, *, sheet_name: str = "Deals") -> bytes:
    """The displayed deals table as an .xlsx workbook: one sheet, a frozen
    header row, readable column widths, formulas neutralised and every text
    cell stored as text."""
    safe = _safe_table(table)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name[:31]
    sheet.append([str(c) for c in safe.columns])
    for row in safe.itertuples(index=False, name=None):
        sheet.append([_excel_value(v) for v in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                # Belt and braces: never let openpyxl store a string as a formula.
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for index, column in enumerate(safe.columns, start=1):
        longest = max(
            [len(str(column))] + [len(str(v)) for v in safe[column].head(200) if v is not None]
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(
            _MAX_COLUMN_WIDTH, max(8, longest + 2)
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
