"""Tables of deals as every page shows them: parties, type, date, evidence (as text)."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from atlas.query import deal_date_label, latest_first
from atlas.safe_text import plain_text

# The Articles page lists the newest this many matches; its search narrows the rest.
MAX_LISTED_ARTICLES = 2000


def deals_display(deals: pd.DataFrame) -> pd.DataFrame:
    """The deals frame flattened for display and export (lists joined, dates labelled);
    the evidence sentence right after the date, so it is on screen without scrolling."""
    return pd.DataFrame(
        {
            "Parties": deals["parties"].map(" + ".join).map(plain_text),
            "Type": deals["type"],
            # "before Apr 2025" for a deal known only as history in an article of then
            "Date": [
                deal_date_label(d, b)
                for d, b in zip(
                    deals["deal_date"],
                    deals["before_date"] if "before_date" in deals.columns else [None] * len(deals),
                    strict=True,
                )
            ],
            "Evidence": deals["evidence"],
            "Countries": deals["countries"].map(", ".join),
            "Areas": deals["therapeutic_areas"].map(", ".join),
            "Also": deals["also_types"].map(", ".join),
            "Confidence": deals["confidence"],
            # machine, confirmed, corrected or manual (added by hand)
            "Checked": deals["status"] if "status" in deals.columns else "machine",
            "Article": deals["article_title"].fillna(deals["article_file"]).map(plain_text),
        }
    )


def _column(deals: pd.DataFrame, name: str, default=None) -> list:
    return deals[name].tolist() if name in deals.columns else [default] * len(deals)


def deals_screen(deals: pd.DataFrame) -> pd.DataFrame:
    """``deals_display`` with what a reader scans for after the evidence: the deal's status,
    its disclosed value (US$ million, sortable), its assets and how many articles
    report it. (The downloads carry these too, as ``atlas.export.with_deal_details``.)"""
    table = deals_display(deals)
    values = pd.to_numeric(pd.Series(_column(deals, "value_usd"), index=deals.index), "coerce")
    extra = {
        "Status": [v if isinstance(v, str) else "agreed" for v in _column(deals, "deal_status")],
        "Value (US$ M)": (values / 1e6).round(1),
        "Assets": [
            ", ".join(map(plain_text, a)) if isinstance(a, list | tuple) else ""
            for a in _column(deals, "assets")
        ],
        "Sources": [int(n) if pd.notna(n) else 1 for n in _column(deals, "n_sources", 1)],
    }
    at = list(table.columns).index("Evidence") + 1
    for offset, (name, values) in enumerate(extra.items()):
        table.insert(at + offset, name, list(values))
    return table


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
        deals = latest_first(deals, max_rows)
        st.caption(
            f"Showing the latest {max_rows:,} of {total:,} deals. Narrow the filters to see "
            "the others, or download them all from the Deals page."
        )
    event = st.dataframe(
        deals_screen(deals),
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
            # a long name no longer pushes the evidence off the screen
            "Parties": st.column_config.TextColumn("Parties", width="medium"),
            "Evidence": st.column_config.TextColumn("Evidence", width="large"),
            "Value (US$ M)": st.column_config.NumberColumn(
                "Value (US$ M)",
                format="%.1f",
                help="Disclosed value in millions of US dollars at the deal's date",
            ),
            "Sources": st.column_config.NumberColumn(
                "Sources", help="How many articles report this deal"
            ),
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
