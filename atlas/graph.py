"""The deal network as a networkx graph (pure networkx and pandas, no Streamlit, no pyvis).

A node is an organisation; an edge joins two organisations that are parties to
at least one deal together and carries those deals. A deal with more than two
parties (an alliance of four, say) joins every pair of its parties.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import networkx as nx
import pandas as pd

from atlas.models import DEAL_TYPES
from atlas.query import date_label


def _text(value: object) -> str | None:
    """A clean string, or None for missing values (None, NaN, empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _parties(value: object) -> list[str]:
    """The deal's parties, without blanks or repeats, in their stored order."""
    names = [_text(v) for v in (value if isinstance(value, list | tuple) else [])]
    return list(dict.fromkeys(n for n in names if n))


def _deal_record(row: pd.Series) -> dict:
    deal_date = _text(row.get("deal_date"))
    return {
        "deal_id": row["deal_id"],
        "type": _text(row.get("type")) or "other",
        "date": deal_date,
        "date_label": date_label(deal_date),
        "evidence": _text(row.get("evidence")) or "",
        "article_title": _text(row.get("article_title")) or _text(row.get("article_file")) or "",
    }


def _types_by_frequency(deals: list[dict]) -> list[str]:
    """Distinct deal types, most frequent first; ties in the canonical type order."""
    counts = Counter(d["type"] for d in deals)
    rank = {t: i for i, t in enumerate(DEAL_TYPES)}
    return sorted(counts, key=lambda t: (-counts[t], rank.get(t, len(rank)), t))


def build_deal_graph(deals: pd.DataFrame, *, organisations: pd.DataFrame | None = None) -> nx.Graph:
    """Organisations joined by the deals they share.

    Node attributes: ``country`` and ``kind`` (from ``organisations`` when given;
    else the country of the party in its first deal that names one, and None),
    ``deals`` (number of deals).
    Edge attributes: ``count`` (number of deals), ``types`` (distinct deal
    types, most frequent first), ``deals`` (one dict per deal: deal_id, type,
    date, date_label, evidence, article_title).
    """
    graph = nx.Graph()
    known: dict[str, dict] = {}
    if organisations is not None and len(organisations):
        for row in organisations.itertuples(index=False):
            name = _text(getattr(row, "name", None))
            if name:
                known[name] = {
                    "country": _text(getattr(row, "country", None)),
                    "kind": _text(getattr(row, "kind", None)),
                }
    if deals is None or deals.empty:
        return graph
    for _, row in deals.iterrows():
        parties = _parties(row.get("parties"))
        if not parties:
            continue
        raw_countries = row.get("party_countries")
        countries = list(raw_countries) if isinstance(raw_countries, list | tuple) else []
        record = _deal_record(row)
        stored = [_text(p) for p in row["parties"]]
        for name in parties:
            position = stored.index(name)
            party_country = _text(countries[position]) if position < len(countries) else None
            if name not in graph:
                info = known.get(name, {})
                graph.add_node(name, country=info.get("country"), kind=info.get("kind"), deals=0)
            node = graph.nodes[name]
            node["deals"] += 1
            # The organisations table is authoritative; otherwise the first deal naming a country.
            node["country"] = node["country"] or party_country
        for i, a in enumerate(parties):
            for b in parties[i + 1 :]:
                if graph.has_edge(a, b):
                    graph.edges[a, b]["deals"].append(record)
                else:
                    graph.add_edge(a, b, deals=[record])
    for _, _, data in graph.edges(data=True):
        data["count"] = len(data["deals"])
        data["types"] = _types_by_frequency(data["deals"])
    return graph


def ego_graph(graph: nx.Graph, organisation: str, *, hops: int = 1) -> nx.Graph:
    """The organisation, the organisations within ``hops`` deals of it, and the
    edges among them (a new graph; empty when the organisation is absent)."""
    if hops < 1:
        raise ValueError("hops must be at least 1")
    if organisation not in graph:
        return nx.Graph()
    return nx.ego_graph(graph, organisation, radius=hops).copy()


def between(graph: nx.Graph, a: str, b: str) -> list[dict]:
    """The deals in which both ``a`` and ``b`` are parties (empty when none)."""
    if a == b or not graph.has_edge(a, b):
        return []
    return list(graph.edges[a, b]["deals"])


def cap_graph(graph: nx.Graph, *, max_nodes: int, keep: Iterable[str] = ()) -> tuple[nx.Graph, int]:
    """The ``max_nodes`` organisations with most deals (ties by name) and the
    edges among them, plus how many organisations were left out. Organisations
    in ``keep`` (a focused organisation) stay whatever their rank."""
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    if graph.number_of_nodes() <= max_nodes:
        return graph.copy(), 0
    pinned = [n for n in dict.fromkeys(keep) if n in graph]
    ranked = sorted(graph.nodes, key=lambda n: (-graph.nodes[n].get("deals", 0), str(n)))
    kept = list(pinned)
    for node in ranked:
        if len(kept) >= max(max_nodes, len(pinned)):
            break
        if node not in kept:
            kept.append(node)
    return graph.subgraph(kept).copy(), graph.number_of_nodes() - len(kept)


def _component_layout(graph: nx.Graph, nodes: set, *, seed: int) -> dict[str, tuple[float, float]]:
    """One connected component laid out around (0, 0), with neighbours about
    one unit apart (its radius grows with the square root of its size)."""
    if len(nodes) <= 3:
        # Placed directly: a spring layout per pair would cost more than it adds.
        ordered = sorted(nodes, key=lambda n: (-graph.degree(n), str(n)))
        if len(nodes) == 3 and graph.subgraph(nodes).number_of_edges() == 2:
            ordered = [ordered[1], ordered[0], ordered[2]]  # a path: the hub in the middle
        if len(nodes) == 3 and graph.subgraph(nodes).number_of_edges() == 3:
            return dict(zip(ordered, [(0.0, 0.5), (-0.45, -0.3), (0.45, -0.3)], strict=True))
        xs = (
            [0.0]
            if len(ordered) == 1
            else [i - (len(ordered) - 1) / 2 for i in range(len(ordered))]
        )
        return {node: (x, 0.0) for node, x in zip(ordered, xs, strict=True)}
    radius = 0.5 * math.sqrt(len(nodes))
    positions = nx.spring_layout(graph.subgraph(nodes), seed=seed, weight="count", scale=radius)
    return {node: (float(xy[0]), float(xy[1])) for node, xy in positions.items()}


def layout_positions(
    graph: nx.Graph, *, seed: int = 42, aspect: float = 1.6
) -> dict[str, tuple[float, float]]:
    """Spring-layout coordinates, computed once so the drawing need not simulate
    physics (a 2,000-node graph would otherwise keep moving).

    Each connected component is laid out on its own (networkx would push small
    components to the rim and squash each of them) and the components are
    packed in rows (about ``aspect`` times wider than tall), largest first. Units: neighbouring organisations sit
    about one unit apart; y grows upwards."""
    if graph.number_of_nodes() == 0:
        return {}
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(map(str, c))))
    boxes = []
    for nodes in components:
        local = _component_layout(graph, nodes, seed=seed)
        xs = [x for x, _ in local.values()]
        ys = [y for _, y in local.values()]
        boxes.append((local, min(xs), max(xs), min(ys), max(ys)))
    margin = 1.0
    area = sum((x1 - x0 + margin) * (y1 - y0 + margin) for _, x0, x1, y0, y1 in boxes)
    row_width = max(math.sqrt(area * aspect), max(x1 - x0 + margin for _, x0, x1, _, _ in boxes))
    positions: dict[str, tuple[float, float]] = {}
    cursor_x = cursor_y = row_height = 0.0
    for local, x0, x1, y0, y1 in boxes:
        width, height = x1 - x0 + margin, y1 - y0 + margin
        if cursor_x and cursor_x + width > row_width:
            cursor_x, cursor_y, row_height = 0.0, cursor_y - row_height, 0.0
        for node, (x, y) in local.items():
            positions[node] = (cursor_x + (x - x0) + margin / 2, cursor_y - (y1 - y) - margin / 2)
        cursor_x += width
        row_height = max(row_height, height)
    return positions
