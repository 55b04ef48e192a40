"""The Companies page's lists and one organisation's profile for one filter setting."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from atlas.figures.company import build_company_deals_figure, company_areas, company_partners
from atlas.graph import build_deal_graph
from atlas.pages import KeptDeals


def organisation_names(kept: KeptDeals) -> list[str]:
    """Every organisation of the store in name order, any case (the filters narrow
    deals, not which organisations exist)."""
    names = kept.organisations["name"].dropna()
    return sorted({str(n) for n in names}, key=str.casefold)


def most_active_organisation(kept: KeptDeals) -> str | None:
    """The organisation with most kept deals (None when no deal names one)."""
    top = kept.index.most_active(kept.rows, 1)
    return str(top["organisation"].iloc[0]) if len(top) else None


def resolve_organisation_link(
    requested: str | None, names: list[str], organisations: pd.DataFrame
) -> str | None:
    """The organisation a link names (``/companies?company=...``), by canonical name
    or alias, any case; None when it names none."""
    if not requested:
        return None
    if requested in names:  # the page writes the canonical name into the URL itself
        return requested
    wanted = requested.strip().casefold()
    for row in organisations.itertuples(index=False):
        if wanted == str(row.name).casefold() or wanted in {
            str(a).casefold() for a in (row.aliases or [])
        }:
            return str(row.name)
    return None


@dataclass(frozen=True)
class CompanyProfile:
    """What the Companies page shows about one organisation under one filter setting."""

    own: pd.DataFrame  # its kept deals
    partners: pd.DataFrame  # company_partners: most deals together first
    areas: pd.DataFrame  # company_areas
    figure: go.Figure | None  # its deals per year (None without deals)
    circle: nx.Graph | None  # the deal graph among it and its busiest partners


def company_profile(
    kept: KeptDeals, organisation: str, presenter: bool, circle_partners: int
) -> CompanyProfile:
    """``organisation``'s kept deals, partners, areas and chart, and the deal graph of
    it and its ``circle_partners`` partners with most deals together (with the links
    among them: every other partner is there to be folded or counted)."""
    # Its deals found from the frame's index (equal to company_deals: tests); the
    # functions below read only its deals, so they are given those alone.
    index, rows = kept.index, kept.rows
    own = index.take(index.rows_with_parties(rows, [organisation]))
    partners = company_partners(own, organisation)
    figure = circle = None
    if not own.empty:
        figure = build_company_deals_figure(own, organisation, presenter=presenter)
        shown = set(partners["partner"].head(circle_partners))
        nearby = index.take(index.rows_with_parties(rows, {organisation, *shown}, 2))
        circle = build_deal_graph(
            pd.concat([own, nearby]).drop_duplicates("deal_id"),
            organisations=kept.organisations,
        )
    return CompanyProfile(own, partners, company_areas(own, organisation), figure, circle)
