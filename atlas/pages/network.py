"""The Network page's lists for one filter setting's deal graph."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from atlas.graph import between


def organisation_names(graph: nx.Graph) -> list[str]:
    """The graph's organisations in name order, any case."""
    return sorted(graph.nodes, key=str.casefold)


def deals_between_organisations(
    graph: nx.Graph, deals: pd.DataFrame, first: str, second: str
) -> pd.DataFrame:
    """The rows of ``deals`` (the frame ``graph`` was built from) that join ``first``
    and ``second`` in the graph."""
    ids = [deal["deal_id"] for deal in between(graph, first, second)]
    return deals[deals["deal_id"].isin(ids)]
