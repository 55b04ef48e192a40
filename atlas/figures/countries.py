"""Country figures: deals per country (map or bars) and who deals across borders.

Country names are the canonical names of ``data/lexicon/countries.csv``;
``iso3`` gives their ISO 3166-1 alpha-3 codes (from ``pycountry``), which plotly's
choropleth uses.
A plotly choropleth draws country shapes from a topojson file that the browser
fetches at render time (by default from a CDN), so the page only draws the map
when that file is served locally; ``build_country_bars_figure`` is the
offline fallback.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from atlas.figures.style import font_size
from atlas.query import UNKNOWN_COUNTRY, country_pairs
from atlas.safe_text import plotly_text

# Sequential, colour-blind safe, readable on a projector (light = few deals).
COUNT_SCALE = [[0.0, "#9ecae1"], [0.5, "#2171b5"], [1.0, "#08306b"]]

# The only lexicon country pycountry's lookup cannot find by its name or aliases.
ISO3_NOT_IN_PYCOUNTRY = {"Democratic Republic of the Congo": "COD"}


@lru_cache(maxsize=1)
def iso3_table() -> dict[str, str]:
    """Lexicon country -> ISO 3166-1 alpha-3 code, as ``pycountry`` knows them (by the
    country's name or one of its aliases). "European Union" is no country: no code."""
    import pycountry

    from atlas.lexicon import load_lexicon

    table = dict(ISO3_NOT_IN_PYCOUNTRY)
    for name, aliases in load_lexicon().countries.items():
        for form in (name, *aliases):
            try:
                table.setdefault(name, pycountry.countries.lookup(form).alpha_3)
                break
            except LookupError:
                continue
    return table


def iso3(country: object) -> str | None:
    return iso3_table().get(country) if isinstance(country, str) else None


def country_at(points: list[dict], known: list[str]) -> str | None:
    """The country a click on the map (``location``: an ISO-3 code) or on the
    bars (``y``: the escaped name) picked, if it is one of ``known``."""
    by_code = {code: name for name, code in iso3_table().items()}
    by_label = {plotly_text(c): c for c in known}
    for point in points or []:
        name = by_code.get(str(point.get("location"))) or by_label.get(str(point.get("y")))
        if name in known:
            return name
    return None


def _known(values: object) -> list[str]:
    """A list column's real strings (the store gives NaN for an unknown party country)."""
    if not isinstance(values, list | tuple):
        return []
    return [v for v in values if isinstance(v, str) and v]


def clean_party_countries(deals: pd.DataFrame) -> pd.DataFrame:
    """A copy whose ``party_countries`` lists hold only known countries."""
    if "party_countries" not in deals.columns:
        return deals.assign(party_countries=[[] for _ in range(len(deals))])
    return deals.assign(party_countries=deals["party_countries"].map(_known))


def cross_border_pairs(deals: pd.DataFrame) -> pd.DataFrame:
    """``country_pairs``: a partner of unknown country is paired with ``UNKNOWN_COUNTRY``
    (shown as such in the matrix, left out of the flows), never counted as domestic."""
    if "party_countries" not in deals.columns:
        return country_pairs(clean_party_countries(deals))
    return country_pairs(deals)


def country_deals(deals: pd.DataFrame, country: str) -> pd.DataFrame:
    """The deals that involve ``country``: named in the deal or home of a party."""
    if deals.empty:
        return deals
    involved = _holds(deals["countries"], country)
    if "party_countries" in deals.columns:
        involved |= _holds(deals["party_countries"], country)
    return deals[involved]


def _holds(cells: pd.Series, country: str) -> np.ndarray:
    """Which cells' known countries include ``country`` (``country in _known(cell)``:
    a country is a non-empty string, which no unknown value equals)."""
    if not (isinstance(country, str) and country):
        return np.zeros(len(cells), dtype=bool)
    return np.fromiter(
        (isinstance(v, list | tuple) and country in v for v in cells.tolist()),
        dtype=bool,
        count=len(cells),
    )


def country_organisations(deals: pd.DataFrame, country: str) -> pd.DataFrame:
    """Organisations based in ``country`` (by their party country) with their deal counts."""
    columns = ["organisation", "deals"]
    if deals.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    all_homes = (
        deals["party_countries"].tolist()
        if "party_countries" in deals.columns
        else [None] * len(deals)
    )
    # Only the deals that have a party based there are read party by party (a
    # country's deals are a few thousand of 175,000).
    based = _holds(pd.Series(all_homes, dtype=object), country)
    for deal_id, parties, homes in zip(
        deals["deal_id"].to_numpy()[based].tolist(),
        deals["parties"].to_numpy()[based].tolist(),
        [h for h, b in zip(all_homes, based.tolist(), strict=True) if b],
        strict=True,
    ):
        parties = parties if isinstance(parties, list | tuple) else []
        homes = list(homes) if isinstance(homes, list | tuple) else []
        for i, party in enumerate(parties):
            home = homes[i] if i < len(homes) else None
            if home == country and isinstance(party, str):
                rows.append((party, deal_id))
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows, columns=["organisation", "deal_id"])
    counts = frame.groupby("organisation")["deal_id"].nunique().rename("deals").reset_index()
    return counts.sort_values(["deals", "organisation"], ascending=[False, True]).reset_index(
        drop=True
    )


def unplaced_countries(by_country: pd.DataFrame) -> list[str]:
    """Countries in ``by_country`` a map cannot place (no ISO-3 code, e.g. European Union)."""
    return [c for c in by_country["country"] if iso3(c) is None] if len(by_country) else []


def _layout(figure: go.Figure, *, title: str, height: int, presenter: bool) -> go.Figure:
    figure.update_layout(
        title=title,
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font={"size": font_size(presenter)},
    )
    return figure


def _message_figure(message: str, *, title: str, presenter: bool) -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return _layout(figure, title=title, height=240, presenter=presenter)


def build_choropleth_figure(by_country: pd.DataFrame, *, presenter: bool = False) -> go.Figure:
    """A world map shaded by deals per country (``deals_by_country`` output).

    Needs plotly's ``world_110m`` topojson in the browser: pass
    ``config={"topojsonURL": ...}`` pointing at a local copy when rendering
    offline. Countries without an ISO-3 code are left off the map.
    """
    placed = by_country[by_country["country"].map(iso3).notna()] if len(by_country) else by_country
    figure = go.Figure(
        go.Choropleth(
            locations=[iso3(c) for c in placed["country"]] if len(placed) else [],
            locationmode="ISO-3",
            z=placed["deals"].astype(int).tolist() if len(placed) else [],
            text=[plotly_text(c) for c in placed["country"]] if len(placed) else [],
            hovertemplate="%{text}<br>deals: %{z}<extra></extra>",
            colorscale=COUNT_SCALE,
            zmin=0,
            marker_line_color="#ffffff",
            marker_line_width=0.5,
            colorbar={"title": {"text": "deals"}},
        )
    )
    figure.update_geos(
        showcountries=True,
        countrycolor="#bbbbbb",
        showcoastlines=False,
        showland=True,
        landcolor="#f2f2f2",
        showframe=False,
        projection_type="natural earth",
        fitbounds="locations",  # zoom to the countries with deals
    )
    return _layout(
        figure, title="Deals by country", height=520 if presenter else 440, presenter=presenter
    )


def build_country_bars_figure(by_country: pd.DataFrame, *, presenter: bool = False) -> go.Figure:
    """Horizontal bars of deals per country, most first: the map's offline stand-in."""
    if not len(by_country):
        return _message_figure("No countries", title="Deals by country", presenter=presenter)
    ordered = by_country.sort_values(["deals", "country"], ascending=[True, False])
    counts = ordered["deals"].astype(int)
    figure = go.Figure(
        go.Bar(
            x=counts.tolist(),
            y=[plotly_text(c) for c in ordered["country"]],
            orientation="h",
            marker={
                "color": counts.tolist(),
                "colorscale": COUNT_SCALE,
                "cmin": 0,
                "line": {"color": "#08306b"},
            },
            text=counts.tolist(),
            textposition="outside",
            hovertemplate="%{y}<br>deals: %{x}<extra></extra>",
        )
    )
    figure.update_xaxes(title="deals", rangemode="tozero")
    return _layout(
        figure,
        title="Deals by country",
        height=max(240, (34 if presenter else 28) * len(ordered) + 90),
        presenter=presenter,
    )


def pair_matrix(pairs: pd.DataFrame) -> pd.DataFrame:
    """A symmetric country x country table of deal counts (each deal counted
    once per pair, shown in both halves); domestic deals on the diagonal.
    Countries are ordered by their total deals, most first; ``UNKNOWN_COUNTRY``
    (partners whose country is not known) last."""
    if not len(pairs):
        return pd.DataFrame(dtype=int)
    totals: dict[str, int] = {}
    for row in pairs.itertuples():
        totals[row.source] = totals.get(row.source, 0) + int(row.deals)
        if row.target != row.source:
            totals[row.target] = totals.get(row.target, 0) + int(row.deals)
    # unknown country last, whatever its count: it is not a country to compare
    order = sorted(totals, key=lambda c: (c == UNKNOWN_COUNTRY, -totals[c], c))
    position = {country: i for i, country in enumerate(order)}
    cells = np.zeros((len(order), len(order)), dtype=int)
    for source, target, deals in zip(
        pairs["source"].tolist(), pairs["target"].tolist(), pairs["deals"].tolist(), strict=True
    ):
        cells[position[source], position[target]] = int(deals)
        cells[position[target], position[source]] = int(deals)
    return pd.DataFrame(cells, index=order, columns=order)


# A matrix of more countries, or a sankey of more pairs, is unreadable on a screen
# and slow to draw (197 countries and 8,800 pairs at 100,000 articles).
MATRIX_COUNTRIES = 15
SANKEY_PAIRS = 30


def build_country_matrix_figure(
    pairs: pd.DataFrame, *, presenter: bool = False, max_countries: int = MATRIX_COUNTRIES
) -> go.Figure:
    """A heatmap of deals between the parties' countries (``country_pairs`` output);
    empty cells are pairs with no deal, the diagonal holds domestic deals. Only the
    ``max_countries`` countries with most deals are drawn (``across_borders_note``
    says what is left out)."""
    title = "Deals between countries"
    matrix = pair_matrix(pairs)
    if matrix.empty:
        return _message_figure("No parties with a known country", title=title, presenter=presenter)
    matrix = matrix.iloc[:max_countries, :max_countries]
    labels = [plotly_text(c) for c in matrix.index]
    z = [[(v if v else None) for v in row] for row in matrix.to_numpy().tolist()]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=labels,
            colorscale=COUNT_SCALE,
            zmin=0,
            texttemplate="%{z}",
            hovertemplate="%{y} – %{x}<br>deals: %{z}<extra></extra>",
            hoverongaps=False,
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": "deals"}},
        )
    )
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(type="category")
    size = (70 if presenter else 56) * len(labels) + 160
    return _layout(figure, title=title, height=min(900, max(300, size)), presenter=presenter)


def across_borders_note(
    pairs: pd.DataFrame,
    *,
    max_countries: int = MATRIX_COUNTRIES,
    max_pairs: int = SANKEY_PAIRS,
) -> str | None:
    """What the matrix and the sankey leave out, in a sentence; None when nothing."""
    countries = len(set(pairs["source"]) | set(pairs["target"])) if len(pairs) else 0
    cross = int((pairs["source"] != pairs["target"]).sum()) if len(pairs) else 0
    parts = []
    if countries > max_countries:
        parts.append(
            f"the matrix shows the {max_countries} countries with most deals, of {countries}"
        )
    if cross > max_pairs:
        parts.append(f"the flows show the {max_pairs} busiest pairs of countries, of {cross:,}")
    if not parts:
        return None
    return "Kept readable: " + "; ".join(parts) + ". Narrow the filters to see others."


def sankey_links(pairs: pd.DataFrame) -> pd.DataFrame:
    """Cross-border pairs as left-to-right links: the partner with more
    cross-border deals on the left (ties alphabetical), so a hub such as Japan
    fans out to its partners. Columns ``left``, ``right``, ``deals``."""
    columns = ["left", "right", "deals"]
    cross = (
        pairs[
            (pairs["source"] != pairs["target"])
            & (pairs["source"] != UNKNOWN_COUNTRY)
            & (pairs["target"] != UNKNOWN_COUNTRY)
        ]
        if len(pairs)
        else pairs
    )
    if not len(cross):
        return pd.DataFrame(columns=columns)
    totals: dict[str, int] = {}
    for row in cross.itertuples():
        for country in (row.source, row.target):
            totals[country] = totals.get(country, 0) + int(row.deals)

    def rank(country: str) -> tuple[int, str]:
        return (-totals[country], country)

    records = [
        {
            "left": min(row.source, row.target, key=rank),
            "right": max(row.source, row.target, key=rank),
            "deals": int(row.deals),
        }
        for row in cross.itertuples()
    ]
    links = pd.DataFrame(records, columns=columns)
    links["_rank"] = links["left"].map(rank)
    return (
        links.sort_values(["_rank", "deals", "right"], ascending=[True, False, True])
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def busiest_links(links: pd.DataFrame, max_pairs: int) -> pd.DataFrame:
    """The ``max_pairs`` links with most deals, in ``sankey_links``' order."""
    if len(links) <= max_pairs:
        return links
    kept = links.sort_values("deals", ascending=False, kind="stable").head(max_pairs).index
    return links.loc[sorted(kept)].reset_index(drop=True)


def build_country_sankey_figure(
    pairs: pd.DataFrame, *, presenter: bool = False, max_pairs: int = SANKEY_PAIRS
) -> go.Figure:
    """A sankey of cross-border deals: each link one pair of countries, its width
    the number of deals between them, the busier country on the left. Domestic
    deals are not drawn (the matrix shows them). Only the ``max_pairs`` busiest
    pairs are drawn."""
    title = "Cross-border deals"
    links = busiest_links(sankey_links(pairs), max_pairs)
    if not len(links):
        return _message_figure("No cross-border deals", title=title, presenter=presenter)
    # A country may sit on both sides (a hub for some pairs, a partner in others): two nodes.
    lefts = list(dict.fromkeys(links["left"]))
    rights = list(dict.fromkeys(links["right"]))
    left_index = {c: i for i, c in enumerate(lefts)}
    right_index = {c: len(lefts) + i for i, c in enumerate(rights)}
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [plotly_text(c) for c in lefts + rights],
                "pad": 18,
                "thickness": 18,
                "color": "#2171b5",
                "line": {"color": "#08306b", "width": 0.5},
                "hovertemplate": "%{label}<br>cross-border deals: %{value}<extra></extra>",
            },
            link={
                "source": [left_index[c] for c in links["left"]],
                "target": [right_index[c] for c in links["right"]],
                "value": links["deals"].tolist(),
                "color": "rgba(33, 113, 181, 0.3)",
                "hovertemplate": "%{source.label} – %{target.label}<br>deals: %{value}<extra></extra>",
            },
        )
    )
    rows = max(len(lefts), len(rights))
    return _layout(
        figure,
        title=title,
        height=max(260, (60 if presenter else 48) * rows + 100),
        presenter=presenter,
    )
