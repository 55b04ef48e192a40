"""One organisation's profile: its deals, partners, areas, articles and deals per year."""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from atlas.figures.style import font_size, type_colour
from atlas.models import DEAL_TYPES
from atlas.query import date_label

UNDATED = "undated"


def company_deals(deals: pd.DataFrame, organisation: str) -> pd.DataFrame:
    """The deals ``organisation`` is a party to."""
    if deals.empty:
        return deals.copy()
    involved = deals["parties"].map(lambda parties: organisation in (parties or []))
    return deals[involved.astype(bool)].copy()


def company_partners(deals: pd.DataFrame, organisation: str) -> pd.DataFrame:
    """One row per partner of ``organisation``: number of deals together, the deal
    types, and the date of the latest (as precise as known; "undated" if none)."""
    columns = ["partner", "deals", "types", "last_date"]
    own = company_deals(deals, organisation)
    if own.empty:
        return pd.DataFrame(columns=columns)
    rows = own.assign(partner=own["parties"]).explode("partner")
    rows = rows[rows["partner"].notna() & (rows["partner"] != organisation)]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    records = []
    for partner, group in rows.groupby("partner", sort=False):
        dated = group["deal_date"].dropna()
        # Partial ISO dates sort as text: "2025" < "2025-04" < "2025-04-10".
        latest = max(dated, key=lambda d: (d, len(d))) if len(dated) else None
        records.append(
            {
                "partner": partner,
                "deals": group["deal_id"].nunique(),
                "types": ", ".join(t for t in DEAL_TYPES if t in set(group["type"]))
                or ", ".join(sorted(set(group["type"]))),
                "last_date": date_label(latest),
                "_sort_date": latest or "",
            }
        )
    table = pd.DataFrame(records).sort_values(
        ["deals", "_sort_date", "partner"], ascending=[False, False, True]
    )
    return table[columns].reset_index(drop=True)


def company_areas(deals: pd.DataFrame, organisation: str) -> pd.DataFrame:
    """Therapeutic areas and modalities of ``organisation``'s deals, with counts."""
    own = company_deals(deals, organisation)
    rows = own.assign(area=own["therapeutic_areas"]).explode("area") if len(own) else own
    if len(rows) == 0 or rows["area"].dropna().empty:
        return pd.DataFrame(columns=["area", "deals"])
    rows = rows.dropna(subset=["area"])
    counts = rows.groupby("area")["deal_id"].nunique().rename("deals").reset_index()
    return counts.sort_values(["deals", "area"], ascending=[False, True]).reset_index(drop=True)


def company_articles(
    mentions: pd.DataFrame,
    articles: pd.DataFrame,
    organisation: str,
    *,
    former_names: Iterable[str] = (),
) -> pd.DataFrame:
    """Articles that mention ``organisation`` (from ``store.mentions_frame`` joined
    with ``store.articles_frame``), most mentions first. Mentions are stored
    under the extracted name, so ``former_names`` (names a user merged or
    renamed into this one) count too."""
    columns = ["article_id", "title", "source", "date", "date_source", "mentions"]
    if mentions.empty or articles.empty:
        return pd.DataFrame(columns=columns)
    own = mentions[mentions["organisation"].isin({organisation, *former_names})]
    if own.empty:
        return pd.DataFrame(columns=columns)
    counts = own.groupby("article_id").size().rename("mentions").reset_index()
    joined = counts.merge(articles, left_on="article_id", right_on="id", how="inner")
    table = pd.DataFrame(
        {
            "article_id": joined["article_id"],
            "title": joined["title"].fillna(joined["file"]),
            "source": joined["source"],
            "date": joined["published"].map(
                lambda v: date_label(v if isinstance(v, str) else None)
            ),
            "date_source": joined["date_source"],
            "mentions": joined["mentions"],
            "_published": joined["published"].fillna(""),
        }
    )
    table = table.sort_values(["mentions", "_published"], ascending=[False, False])
    return table[columns].reset_index(drop=True)


def build_company_deals_figure(
    deals: pd.DataFrame, organisation: str, *, presenter: bool = False
) -> go.Figure:
    """Stacked bars: ``organisation``'s deals per year, one colour per deal type;
    undated deals in their own bar at the end rather than left out."""
    own = company_deals(deals, organisation)
    years = own["deal_date"].map(lambda d: d[:4] if isinstance(d, str) and d else UNDATED)
    counts = (
        pd.DataFrame({"year": years, "type": own["type"]})
        .groupby(["year", "type"])
        .size()
        .rename("deals")
        .reset_index()
        if len(own)
        else pd.DataFrame(columns=["year", "type", "deals"])
    )
    order = sorted(y for y in set(counts["year"]) if y != UNDATED)
    if UNDATED in set(counts["year"]):
        order.append(UNDATED)
    present = set(counts["type"])
    types = [t for t in DEAL_TYPES if t in present] + sorted(present - set(DEAL_TYPES))
    figure = go.Figure()
    for deal_type in types:
        rows = counts[counts["type"] == deal_type].set_index("year")["deals"]
        label = html.escape(str(deal_type))
        figure.add_trace(
            go.Bar(
                x=order,
                y=[int(rows.get(year, 0)) for year in order],
                name=label,
                marker_color=type_colour(deal_type),
                hovertemplate=f"%{{x}}: %{{y}} {label}<extra></extra>",
            )
        )
    figure.update_layout(
        title=f"Deals of {html.escape(organisation)} per year",
        barmode="stack",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=320 if not presenter else 420,
        font={"size": font_size(presenter)},
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": order},
        yaxis={"title": "deals", "dtick": 1},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15},
    )
    return figure
