"""Tables of deals as every page shows them: parties, type, date, evidence (as text)."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from atlas.query import date_label


def deals_display(deals: pd.DataFrame) -> pd.DataFrame:
    """The deals frame flattened for display and export (lists joined, dates labelled)."""
    return pd.DataFrame(
        {
            "Parties": deals["parties"].map(" + ".join),
            "Type": deals["type"],
            "Also": deals["also_types"].map(", ".join),
            "Date": deals["deal_date"].map(date_label),
            "Countries": deals["countries"].map(", ".join),
            "Areas": deals["therapeutic_areas"].map(", ".join),
            "Confidence": deals["confidence"],
            # machine, confirmed, corrected or manual (added by hand)
            "Status": deals["status"] if "status" in deals.columns else "machine",
            "Evidence": deals["evidence"],
            "Article": deals["article_title"].fillna(deals["article_file"]),
        }
    )


def deals_table(deals: pd.DataFrame, *, key: str, height: int | str = "auto") -> None:
    """A sortable table; st.dataframe renders cell text as text, never as HTML."""
    st.dataframe(
        deals_display(deals),
        hide_index=True,
        width="stretch",
        height=height,
        key=key,
        column_config={
            "Confidence": st.column_config.ProgressColumn(
                "Confidence", min_value=0.0, max_value=1.0, format="%.2f"
            ),
            "Evidence": st.column_config.TextColumn("Evidence", width="large"),
        },
    )


def article_link(article_id: str) -> str:
    """The Articles page opened on one article (for a LinkColumn)."""
    return "articles?article=" + quote(str(article_id), safe="")
