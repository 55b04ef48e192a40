"""Tables of deals as every page shows them: parties, type, date, evidence (as text)."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from atlas.highlight import plain_text
from atlas.query import date_label

# The Articles page lists the newest this many matches; its search narrows the rest.
MAX_LISTED_ARTICLES = 2000


def deals_display(deals: pd.DataFrame) -> pd.DataFrame:
    """The deals frame flattened for display and export (lists joined, dates labelled)."""
    return pd.DataFrame(
        {
            "Parties": deals["parties"].map(" + ".join).map(plain_text),
            "Type": deals["type"],
            "Also": deals["also_types"].map(", ".join),
            "Date": deals["deal_date"].map(date_label),
            "Countries": deals["countries"].map(", ".join),
            "Areas": deals["therapeutic_areas"].map(", ".join),
            "Confidence": deals["confidence"],
            # machine, confirmed, corrected or manual (added by hand)
            "Status": deals["status"] if "status" in deals.columns else "machine",
            "Evidence": deals["evidence"],
            "Article": deals["article_title"].fillna(deals["article_file"]).map(plain_text),
        }
    )


MAX_TABLE_ROWS = 2_000


def deals_table(
    deals: pd.DataFrame,
    *,
    key: str,
    height: int | str = "auto",
    max_rows: int = MAX_TABLE_ROWS,
    detail: bool = True,
) -> None:
    """A sortable table; st.dataframe renders cell text as text, never as HTML.
    With ``detail``, a click on a row opens the deal's detail under the table (its
    facts, and every source's evidence sentence highlighted in its paragraph).

    Over ``max_rows`` deals, the latest ``max_rows`` are shown and a caption says how
    many are left out: every row is sent to the browser on every rerun, and at
    100,000 articles that alone took seconds. The Deals page exports them all."""
    total = len(deals)
    if total > max_rows:
        deals = deals.sort_values("deal_date", ascending=False, na_position="last").head(max_rows)
        st.caption(
            f"Showing the latest {max_rows:,} of {total:,} deals. Narrow the filters to see "
            "the others, or download them all from the Deals page."
        )
    event = st.dataframe(
        deals_display(deals),
        hide_index=True,
        width="stretch",
        height=height,
        key=key,
        on_select="rerun" if detail else "ignore",
        selection_mode="single-row",
        column_config={
            "Confidence": st.column_config.ProgressColumn(
                "Confidence", min_value=0.0, max_value=1.0, format="%.2f"
            ),
            "Evidence": st.column_config.TextColumn("Evidence", width="large"),
        },
    )
    if not detail:
        return
    # Positions in the frame as given, whatever order the user sorted the table into.
    rows = event.selection.rows if event is not None else []
    if rows and 0 <= rows[0] < len(deals):
        from components.deal_detail import render_deal_detail

        render_deal_detail(deals.iloc[rows[0]].to_dict(), key=key)
    else:
        st.caption("Select a row (the box at its left) to see the deal's detail and its sources.")


def article_link(article_id: str) -> str:
    """The Articles page opened on one article (for a LinkColumn)."""
    return "articles?article=" + quote(str(article_id), safe="")
