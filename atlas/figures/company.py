"""One organisation's profile: its deals, partners, areas, articles and deals per year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from atlas.figures.style import font_size, type_colour
from atlas.models import DEAL_TYPES
from atlas.query import date_label
from atlas.safe_text import plotly_text

UNDATED = "undated"


def company_deals(deals: pd.DataFrame, organisation: str) -> pd.DataFrame:
    """The deals ``organisation`` is a party to."""
    if deals.empty:
        return deals.copy()
    involved = np.fromiter(
        (bool(parties) and organisation in parties for parties in deals["parties"].tolist()),
        dtype=bool,
        count=len(deals),
    )
    return deals[involved].copy()


def company_partners(deals: pd.DataFrame, organisation: str) -> pd.DataFrame:
    """One row per partner of ``organisation``: number of deals together, the deal
    types, and the date of the latest (as precise as known; "undated" if none)."""
    columns = ["partner", "deals", "types", "last_date"]
    own = company_deals(deals, organisation)
    if own.empty:
        return pd.DataFrame(columns=columns)
    # Plain dicts, not a pandas group per partner: a hub has thousands of partners.
    ids: dict[str, set] = {}
    types: dict[str, set] = {}
    latest: dict[str, str] = {}
    rows = zip(
        own["deal_id"].tolist(),
        own["parties"].tolist(),
        own["type"].tolist(),
        own["deal_date"].tolist(),
        strict=True,
    )
    for deal_id, parties, deal_type, deal_date in rows:
        for partner in dict.fromkeys(parties or []):
            if not isinstance(partner, str) or partner == organisation:
                continue
            ids.setdefault(partner, set()).add(deal_id)
            types.setdefault(partner, set()).add(deal_type)
            # Partial ISO dates sort as text: "2025" < "2025-04" < "2025-04-10".
            if isinstance(deal_date, str) and deal_date > latest.get(partner, ""):
                latest[partner] = deal_date
    if not ids:
        return pd.DataFrame(columns=columns)
    partners = list(ids)
    table = pd.DataFrame(
        {
            "partner": partners,
            "deals": [len(ids[p]) for p in partners],
            "types": [
                ", ".join(t for t in DEAL_TYPES if t in types[p])
                or ", ".join(sorted(map(str, types[p])))
                for p in partners
            ],
            "last_date": [date_label(latest.get(p)) for p in partners],
            "_sort_date": [latest.get(p, "") for p in partners],
        }
    ).sort_values(["deals", "_sort_date", "partner"], ascending=[False, False, True])
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


ARTICLE_COLUMNS = ["article_id", "title", "source", "date", "date_source", "mentions"]


def mentioning_table(counted: pd.DataFrame) -> pd.DataFrame:
    """Articles with their mention counts (``store.articles_mentioning``) as the
    Companies page lists them: a title, else the file name; most mentions first,
    then newest."""
    if counted.empty:
        return pd.DataFrame(columns=ARTICLE_COLUMNS)
    table = pd.DataFrame(
        {
            "article_id": counted["article_id"],
            "title": counted["title"].fillna(counted["file"]),
            "source": counted["source"],
            "date": counted["published"].map(
                lambda v: date_label(v if isinstance(v, str) else None)
            ),
            "date_source": counted["date_source"],
            "mentions": counted["mentions"],
            "_published": counted["published"].fillna(""),
        }
    )
    table = table.sort_values(["mentions", "_published"], ascending=[False, False])
    return table[ARTICLE_COLUMNS].reset_index(drop=True)


def build_company_deals_figure(
    deals: pd.DataFrame, organisation: str, *, presenter: bool = False
) -> go.Figure:
    """Stacked bars: ``organisation``'s deals per year (every year from its first deal
    to its last, years without a deal included), one colour per deal type; undated
    deals in their own bar at the end rather than left out."""
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
    dated_years = sorted(int(y) for y in set(counts["year"]) if y != UNDATED and y.isdigit())
    # Every year from the first deal to the last, empty ones included, so gaps show.
    order = [str(y) for y in range(dated_years[0], dated_years[-1] + 1)] if dated_years else []
    if UNDATED in set(counts["year"]):
        order.append(UNDATED)
    present = set(counts["type"])
    types = [t for t in DEAL_TYPES if t in present] + sorted(present - set(DEAL_TYPES))
    tallest = int(counts.groupby("year")["deals"].sum().max()) if len(counts) else 0
    figure = go.Figure()
    for deal_type in types:
        rows = counts[counts["type"] == deal_type].set_index("year")["deals"]
        label = plotly_text(str(deal_type))
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
        title=f"Deals of {plotly_text(organisation)} per year",
        barmode="stack",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=320 if not presenter else 420,
        font={"size": font_size(presenter)},
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": order},
        # One tick per deal reads well for a few; a hub with hundreds a year would get
        # hundreds of tick labels, which plotly measures on every redraw (seconds).
        yaxis={"title": "deals", "dtick": 1 if tallest <= 10 else None, "tickformat": "d"},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15},
    )
    return figure
