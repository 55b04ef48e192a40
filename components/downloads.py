"""The Deals page's download buttons: CSV of every deal shown, Excel up to a size.

Both files are made only when their button is clicked (``st.download_button`` runs a
callable ``data`` on the click, in its own thread), so a rerun of the page builds
nothing; and they are made a piece of ``atlas.export.EXPORT_CHUNK_ROWS`` deals at a
time (``atlas.export.deal_tables``), so only the finished file grows with the deals.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas import export
from atlas.export import deal_tables, deals_to_csv, deals_to_excel, excel_limit_note
from components.tables import deals_display

CSV_MIME = "text/csv"
EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def deals_csv(deals: pd.DataFrame) -> bytes:
    """The CSV the Deals page downloads for ``deals`` (the table as shown, then each
    deal's status, role, assets and terms)."""
    return deals_to_csv(deal_tables(deals, deals_display))


def deals_excel(deals: pd.DataFrame) -> bytes:
    """The workbook the Deals page downloads for ``deals`` (the CSV's columns);
    ``atlas.export.ExcelTooLarge`` past ``atlas.export.EXCEL_MAX_ROWS`` deals."""
    if len(deals) > export.EXCEL_MAX_ROWS:  # before building any of it
        raise export.ExcelTooLarge(f"{len(deals):,} deals")
    return deals_to_excel(deal_tables(deals, deals_display))


def deal_downloads(deals: pd.DataFrame, *, key: str) -> None:
    """ "Download CSV" and "Download Excel" for every row of ``deals`` (not only those
    the table shows); Excel greyed out, with the limit said in words, past
    ``atlas.export.EXCEL_MAX_ROWS`` deals. Keys ``{key}_csv`` and ``{key}_excel``."""
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(
        "Download CSV",
        data=lambda: deals_csv(deals),
        file_name="partnership-atlas-deals.csv",
        mime=CSV_MIME,
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    too_many = excel_limit_note(len(deals))
    right.download_button(
        "Download Excel",
        data=lambda: deals_excel(deals),
        file_name="partnership-atlas-deals.xlsx",
        mime=EXCEL_MIME,
        key=f"{key}_excel",
        on_click="ignore",
        icon=":material/download:",
        disabled=too_many is not None,
        help=too_many or f"Holds up to {export.EXCEL_MAX_ROWS:,} deals",
    )
    if too_many:
        st.caption(too_many)
