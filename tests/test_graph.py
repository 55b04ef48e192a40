"""The deal graph on hand-made deal frames: nodes, edges, weights, caps, ego graphs, layout.

House style §7: assert on the networkx data, never on HTML; no Streamlit needed.
"""

from __future__ import annotations

import math
import time

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from atlas.graph import (
    LARGE_COMPONENT,
    OTHERS,
    DealGraphParts,
    backbone,
    backbone_caption,
    between,
    build_deal_graph,
    ego_graph,
    is_others,
    layout_positions,
)
from atlas.store import DEALS_FRAME_COLUMNS


def deal(
    deal_id: int, parties: list[str], countries: list, deal_type: str, date=None, **extra
) -> dict:
    row = dict.fromkeys(DEALS_FRAME_COLUMNS)
    row.update(
        deal_id=deal_id,
        deal_key=f"k{deal_id}",
        parties=parties,
        party_countries=countries,
        type=deal_type,
        also_types=[],
        deal_date=date,
        confidence=0.8,
        evidence=f"evidence {deal_id}",
        therapeutic_areas=[],
        countries=sorted({c for c in countries if isinstance(c, str)}),
        item_index=0,
        article_id=f"a{deal_id}",
        article_title=f"Article {deal_id}",
        article_file=f"{deal_id}.txt",
    )
    row.update(extra)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=DEALS_FRAME_COLUMNS)


@pytest.fixture
def deals() -> pd.DataFrame:
    return frame(
        deal(1, ["Astellas", "JFCR"], ["Japan", "Japan"], "partnership/collaboration", "2025-04"),
        deal(2, ["Astellas", "Yaskawa"], ["Japan", "Japan"], "joint venture", "2025-04"),
        deal(3, ["Astellas", "Yaskawa"], ["Japan", "Japan"], "joint venture"),
        deal(4, ["Astellas", "Yaskawa"], ["Japan", "Japan"], "licensing", "2025-12-19"),
        # Four parties: every pair is joined by this one deal.
        deal(
            5,
            ["Alfresa", "Kidswell", "Mycenax", "Chiome"],
            ["Japan", "Japan", "Taiwan", "Japan"],
            "alliance/consortium",
        ),
        deal(6, ["Sawai", "Nichi-Iko"], ["Japan", float("nan")], "partnership/collaboration"),
        deal(7, ["Sawai", "Asahi Kasei"], ["Japan", "Japan"], "settlement/litigation"),
        deal(8, ["KISED", "Astellas"], ["South Korea", "Japan"], "partnership/collaboration"),
    )


@pytest.fixture
def graph(deals) -> nx.Graph:
    return build_deal_graph(deals)


def test_nodes_are_organisations_with_deal_counts_and_countries(graph):
    assert set(graph.nodes) == {
        "Astellas",
        "JFCR",
        "Yaskawa",
        "Alfresa",
        "Kidswell",
        "Mycenax",
        "Chiome",
        "Sawai",
        "Nichi-Iko",
        "Asahi Kasei",
        "KISED",
    }
    assert graph.nodes["Astellas"] == {"country": "Japan", "kind": None, "deals": 5}
    assert graph.nodes["Yaskawa"]["deals"] == 3
    assert graph.nodes["Mycenax"]["country"] == "Taiwan"
    assert graph.nodes["KISED"]["country"] == "South Korea"
    # A missing (NaN) party country stays unknown rather than becoming "nan".
    assert graph.nodes["Nichi-Iko"]["country"] is None


def test_edge_weights_types_and_deals(graph):
    edge = graph.edges["Astellas", "Yaskawa"]
    assert edge["count"] == 3
    # Most frequent type first: it colours the line.
    assert edge["types"] == ["joint venture", "licensing"]
    assert [d["deal_id"] for d in edge["deals"]] == [2, 3, 4]
    assert [d["date_label"] for d in edge["deals"]] == ["Apr 2025", "undated", "19 Dec 2025"]
    first = edge["deals"][0]
    assert first["type"] == "joint venture"
    assert first["evidence"] == "evidence 2"
    assert first["article_title"] == "Article 2"
    assert graph.edges["Astellas", "JFCR"]["count"] == 1
    assert graph.number_of_edges() == 3 + 6 + 2  # Astellas, the alliance, Sawai


def test_a_multi_party_deal_joins_every_pair(graph):
    parties = ["Alfresa", "Kidswell", "Mycenax", "Chiome"]
    pairs = [(a, b) for i, a in enumerate(parties) for b in parties[i + 1 :]]
    assert len(pairs) == 6
    for a, b in pairs:
        assert graph.edges[a, b]["count"] == 1
        assert graph.edges[a, b]["types"] == ["alliance/consortium"]
        assert graph.edges[a, b]["deals"][0]["deal_id"] == 5
    # The deal counts once per organisation, not once per pair.
    assert all(graph.nodes[p]["deals"] == 1 for p in parties)


@pytest.mark.parametrize(
    ("parties", "countries", "nodes", "edges"),
    [
        # A party named twice in one deal must not become a self-loop or count twice.
        (
            ["Astellas", "Astellas", "JFCR"],
            ["Japan", "Japan", "Japan"],
            {"Astellas": 1, "JFCR": 1},
            1,
        ),
        # A single-party deal adds the organisation but no edge.
        (["Solo"], ["Japan"], {"Solo": 1}, 0),
        # Blank and missing names are ignored.
        (["", None, "Solo"], [None, None, "Japan"], {"Solo": 1}, 0),
        # No parties at all: nothing to draw.
        ([], [], {}, 0),
    ],
)
def test_awkward_party_lists(parties, countries, nodes, edges):
    graph = build_deal_graph(frame(deal(1, parties, countries, "licensing")))
    assert {n: graph.nodes[n]["deals"] for n in graph.nodes} == nodes
    assert graph.number_of_edges() == edges
    assert nx.number_of_selfloops(graph) == 0


def test_organisations_frame_gives_kind_and_country():
    deals = frame(deal(1, ["Astellas", "KISED"], [None, None], "partnership/collaboration"))
    organisations = pd.DataFrame(
        {
            "name": ["Astellas", "KISED", "Unrelated"],
            "country": ["Japan", "South Korea", "France"],
            "kind": ["company", "government", "company"],
        }
    )
    graph = build_deal_graph(deals, organisations=organisations)
    assert graph.nodes["KISED"] == {"country": "South Korea", "kind": "government", "deals": 1}
    assert graph.nodes["Astellas"]["kind"] == "company"
    # Only organisations with deals become nodes.
    assert "Unrelated" not in graph


def test_country_falls_back_to_the_first_deal_that_names_one():
    deals = frame(
        deal(1, ["Alvotech", "Fuji"], [None, "Japan"], "licensing"),
        deal(2, ["Alvotech", "Kissei"], ["Iceland", "Japan"], "licensing"),
    )
    assert build_deal_graph(deals).nodes["Alvotech"]["country"] == "Iceland"


def test_empty_frame_gives_an_empty_graph():
    graph = build_deal_graph(pd.DataFrame(columns=DEALS_FRAME_COLUMNS))
    assert graph.number_of_nodes() == 0
    assert layout_positions(graph) == {}
    assert backbone(graph, max_nodes=10, partners=None).hidden == 0


def test_building_does_not_mutate_the_frame(deals):
    before = deals.copy(deep=True)
    build_deal_graph(deals)
    pd.testing.assert_frame_equal(deals, before)


def test_between_returns_the_deals_of_a_pair_in_either_order(graph):
    assert [d["deal_id"] for d in between(graph, "Yaskawa", "Astellas")] == [2, 3, 4]
    assert [d["deal_id"] for d in between(graph, "Sawai", "Nichi-Iko")] == [6]
    assert between(graph, "Sawai", "Astellas") == []
    assert between(graph, "Sawai", "Sawai") == []
    assert between(graph, "Nobody", "Sawai") == []


def test_ego_graph_one_and_two_hops(graph):
    one = ego_graph(graph, "Asahi Kasei", hops=1)
    assert set(one.nodes) == {"Asahi Kasei", "Sawai"}
    two = ego_graph(graph, "Asahi Kasei", hops=2)
    assert set(two.nodes) == {"Asahi Kasei", "Sawai", "Nichi-Iko"}
    astellas = ego_graph(graph, "Astellas")
    assert set(astellas.nodes) == {"Astellas", "JFCR", "Yaskawa", "KISED"}
    # Attributes travel with the nodes and edges.
    assert astellas.edges["Astellas", "Yaskawa"]["count"] == 3
    assert astellas.nodes["Astellas"]["deals"] == 5


def test_ego_graph_edge_cases(graph):
    assert ego_graph(graph, "Nobody").number_of_nodes() == 0
    with pytest.raises(ValueError):
        ego_graph(graph, "Astellas", hops=0)
    sub = ego_graph(graph, "Sawai")
    sub.remove_node("Nichi-Iko")
    assert "Nichi-Iko" in graph  # a new graph, not a view


def test_layout_positions_every_node_once_deterministically(graph):
    positions = layout_positions(graph, seed=7)
    assert set(positions) == set(graph.nodes)
    assert positions == layout_positions(graph, seed=7)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in positions.values())
    # No two organisations on the same spot.
    assert len({(round(x, 3), round(y, 3)) for x, y in positions.values()}) == len(positions)


def assert_components_apart(graph: nx.Graph, positions: dict) -> None:
    """The bounding boxes of the connected components do not overlap."""
    boxes = []
    for nodes in nx.connected_components(graph):
        xs = [positions[n][0] for n in nodes]
        ys = [positions[n][1] for n in nodes]
        boxes.append((min(xs), max(xs), min(ys), max(ys)))
    for i, (ax0, ax1, ay0, ay1) in enumerate(boxes):
        for bx0, bx1, by0, by1 in boxes[i + 1 :]:
            assert ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0


def test_layout_keeps_components_apart(graph):
    positions = layout_positions(graph)
    assert_components_apart(graph, positions)


def test_layout_handles_tiny_components():
    graph = nx.Graph()
    graph.add_node("alone", deals=1)
    graph.add_edge("a", "b", count=1)
    graph.add_edges_from([("p", "hub"), ("hub", "q")], count=1)
    graph.add_edges_from([("x", "y"), ("y", "z"), ("x", "z")], count=1)
    positions = layout_positions(graph)
    assert set(positions) == set(graph.nodes)
    # The middle of a three-organisation path sits between the other two.
    xs = sorted([positions["p"][0], positions["hub"][0], positions["q"][0]])
    assert xs[1] == positions["hub"][0]


def scale_free(size: int, *, seed: int = 3) -> nx.Graph:
    """A connected deal network with a few hubs (preferential attachment) and
    some repeated deals, in the shape build_deal_graph gives."""
    graph = nx.relabel_nodes(nx.barabasi_albert_graph(size, 1, seed=seed), lambda n: f"Org {n}")
    for node in graph.nodes:
        graph.nodes[node].update(deals=graph.degree(node), country="Japan", kind=None)
    for i, (_, _, data) in enumerate(graph.edges(data=True)):
        data.update(count=1 + (i % 7 == 0), types=["licensing"], deals=[])
    return graph


def distances(positions: dict, pairs) -> np.ndarray:
    return np.array([math.dist(positions[a], positions[b]) for a, b in pairs])


def test_a_large_component_is_laid_out_readably():
    graph = scale_free(LARGE_COMPONENT + 100)
    positions = layout_positions(graph, seed=7)
    assert set(positions) == set(graph.nodes)
    assert positions == layout_positions(graph, seed=7)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in positions.values())
    nodes = list(graph.nodes)
    points = np.array([positions[n] for n in nodes])
    gaps = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(gaps, np.inf)
    # No organisation hides another: the closest two are a tenth of a link apart at least...
    assert gaps.min() > 0.1
    # ...and most have room for a dot (the partners of a hub start on one spot).
    assert np.median(gaps.min(axis=1)) > 0.4
    # Partners sit about one unit apart, much closer than organisations in general.
    links = distances(positions, graph.edges)
    assert 0.5 < np.median(links) < 3
    assert np.median(links) < 0.2 * np.median(gaps[np.isfinite(gaps)])


def test_a_hub_with_many_partners_gets_them_around_it():
    star = nx.relabel_nodes(nx.star_graph(LARGE_COMPONENT), lambda n: f"Org {n}")
    nx.set_edge_attributes(star, 1, "count")
    positions = layout_positions(star)
    leaves = [n for n in star if n != "Org 0"]
    hub = np.array(positions["Org 0"])
    offsets = np.array([positions[n] for n in leaves]) - hub
    angles = np.arctan2(offsets[:, 1], offsets[:, 0])
    # Every direction from the hub is used: no sector of 45 degrees is empty.
    assert len(np.unique(np.floor((angles + math.pi) / (math.pi / 4)))) == 8
    assert len({(round(x, 2), round(y, 2)) for x, y in positions.values()}) == len(positions)


def test_large_and_small_components_are_kept_apart():
    graph = nx.union(scale_free(LARGE_COMPONENT), scale_free(12, seed=5), rename=("big ", "small "))
    graph.add_edge("pair a", "pair b", count=1)
    positions = layout_positions(graph)
    assert_components_apart(graph, positions)


def test_two_thousand_organisations_are_laid_out_in_seconds():
    graph = scale_free(2000)
    started = time.process_time()
    positions = layout_positions(graph)
    # About 1 s of CPU here; networkx's own solvers took 11-15 s at this size.
    assert time.process_time() - started < 6
    assert len(positions) == 2000


def hub_and_partners(partners: int, *, extra_deals: int = 0) -> nx.Graph:
    """A hub with ``partners`` partners; the first partner has ``extra_deals`` more deals."""
    graph = nx.star_graph(partners)
    nx.set_node_attributes(graph, 1, "deals")
    graph.nodes[0]["deals"] = partners
    graph.nodes[1]["deals"] = 1 + extra_deals
    return graph


def weighted(links: dict[tuple[str, str], int], deals: dict[str, int] | None = None) -> nx.Graph:
    """A graph from ``{(a, b): deals together}``; an organisation's deals are the
    sum over its links unless ``deals`` says otherwise."""
    graph = nx.Graph()
    for (a, b), count in links.items():
        graph.add_edge(a, b, count=count, types=["licensing"], deals=[])
    for node in graph:
        total = sum(graph.edges[node, p]["count"] for p in graph[node])
        graph.nodes[node].update(deals=(deals or {}).get(node, total), country=None, kind=None)
    return graph


def test_backbone_without_limits_draws_everything(graph):
    view = backbone(graph, max_nodes=1000, partners=None)
    assert set(view.graph.nodes) == set(graph.nodes)
    assert set(map(frozenset, view.graph.edges)) == set(map(frozenset, graph.edges))
    assert (view.drawn, view.kept, view.among, view.folded, view.hidden) == (
        graph.number_of_nodes(),
        graph.number_of_edges(),
        graph.number_of_edges(),
        0,
        0,
    )
    view.graph.remove_node("Astellas")
    assert "Astellas" in graph  # a new graph


def test_backbone_keeps_each_organisations_strongest_partners():
    graph = weighted({("A", "B"): 5, ("A", "C"): 3, ("A", "D"): 2, ("B", "C"): 1, ("C", "D"): 1})
    view = backbone(graph, max_nodes=10, partners=1)
    # A's strongest is B; B's is A; C's is A (3 deals); D's is A (2 deals, C has 1).
    assert set(map(frozenset, view.graph.edges)) == {
        frozenset("AB"),
        frozenset("AC"),
        frozenset("AD"),
    }
    assert (view.kept, view.among) == (3, 5)
    # Two each: B-C stays as B's second, C-D as D's second.
    two = backbone(graph, max_nodes=10, partners=2)
    assert two.kept == 5


def test_backbone_ties_go_to_the_busier_partner_then_the_name():
    graph = weighted({("A", "B"): 1, ("A", "C"): 1, ("A", "D"): 1}, deals={"B": 4, "C": 4, "D": 9})
    view = backbone(graph, max_nodes=10, partners=1)
    # B's, C's and D's only partner is A, so all three stay; A alone would keep D.
    assert view.kept == 3
    alone = backbone(graph.subgraph("ABC").copy(), max_nodes=10, partners=1)
    assert alone.kept == 2


def test_a_pinned_organisation_keeps_every_link():
    graph = weighted({("F", "X"): 1, ("X", "Y"): 5, ("F", "Y"): 1, ("Y", "Z"): 5, ("X", "Z"): 5})
    view = backbone(graph, max_nodes=10, partners=1, keep=["F"])
    assert graph.has_edge("F", "X") and view.graph.has_edge("F", "X")
    assert view.graph.has_edge("F", "Y")
    assert view.pinned == ("F",)


def test_small_partners_are_folded_beside_their_partner_when_the_view_is_capped():
    links = {("Hub", f"One {i:02d}"): 1 for i in range(30)}
    links |= {("Hub", "Big"): 4, ("Big", "Mid"): 2, ("Mid", "Lone"): 1, ("P", "Q"): 1}
    graph = weighted(links)
    view = backbone(graph, max_nodes=4, partners=None)
    dot = (OTHERS, "Hub")
    assert is_others(dot) and dot in view.graph
    assert view.graph.nodes[dot]["organisations"] == [f"One {i:02d}" for i in range(30)]
    assert view.graph.edges["Hub", dot]["count"] == 30
    assert view.graph.edges["Hub", dot]["others"] is True
    # Four organisations by deals (Lone first by name of those with one deal), and
    # the grey dot beside Hub. P and Q, one deal with each other, have no drawn
    # partner to be folded beside.
    assert {n for n in view.graph if not is_others(n)} == {"Hub", "Big", "Mid", "Lone"}
    assert view.graph.number_of_nodes() == 5
    assert (view.drawn, view.folded, view.hidden, view.most_hidden) == (4, 30, 2, 1)
    # One fewer: Lone is folded beside Mid.
    narrower = backbone(graph, max_nodes=3, partners=None)
    assert narrower.graph.nodes[(OTHERS, "Mid")]["organisations"] == ["Lone"]
    assert (narrower.folded, narrower.hidden) == (31, 2)
    assert not is_others("others") and not is_others(("others", "a", "b"))


def test_nothing_is_folded_when_everything_fits():
    graph = weighted({("Hub", f"One {i}"): 1 for i in range(5)})
    view = backbone(graph, max_nodes=6, partners=1)
    assert view.folded == 0 and not any(is_others(n) for n in view.graph)
    assert view.graph.number_of_nodes() == 6


def test_backbone_refuses_nonsense():
    graph = weighted({("A", "B"): 1})
    with pytest.raises(ValueError):
        backbone(graph, max_nodes=0, partners=1)
    with pytest.raises(ValueError):
        backbone(graph, max_nodes=5, partners=0)


def test_backbone_rank_decides_who_is_drawn():
    graph = weighted({("Me", "A"): 1, ("Me", "B"): 3, ("A", "C"): 9})
    together = {"Me": 100, "A": 1, "B": 3, "C": 0}
    view = backbone(graph, max_nodes=2, partners=None, keep=["Me"], rank=together)
    # C has most deals but none with Me; A's one deal with Me is folded beside it.
    assert {n for n in view.graph if not is_others(n)} == {"Me", "B"}
    assert view.graph.nodes[(OTHERS, "Me")]["organisations"] == ["A"]


def test_the_caption_says_what_is_left_out_and_how_to_see_it():
    links = {("Hub", f"One {i:02d}"): 1 for i in range(30)}
    links |= {("Hub", "Big"): 4, ("Big", "Mid"): 2, ("Hub", "Mid"): 1, ("Mid", "Lone"): 1}
    links |= {("Small", "Lone"): 1, ("Small", "Other"): 1}
    view = backbone(weighted(links), max_nodes=4, partners=1)
    caption = backbone_caption(view, max_nodes=2000, partners_label="K", size_label="N")
    assert caption.startswith(
        "Showing 3 of 4 links among 4 organisations: each organisation's strongest partner"
        " (most deals together); raise “K” for more."
    )
    assert "30 organisations with one deal are folded into grey “others” dots" in caption
    assert (
        "2 organisations with at most 2 deals each are not drawn; raise “N” (up to 2,000)"
        in caption
    )
    assert caption.endswith("drag to pan, scroll to zoom.")


def test_the_caption_of_a_view_drawn_whole():
    view = backbone(weighted({("A", "B"): 2}), max_nodes=10, partners=3)
    caption = backbone_caption(view, max_nodes=2000, partners_label="K", size_label="N")
    assert caption.startswith("Showing 2 organisations and 1 link. Hover")
    assert "not drawn" not in caption and "folded" not in caption


def test_the_caption_at_the_largest_size_points_elsewhere():
    graph = weighted({("Hub", f"Org {i}"): 2 for i in range(12)})
    view = backbone(graph, max_nodes=10, partners=None)
    caption = backbone_caption(view, max_nodes=10, partners_label="K", size_label="N")
    assert "3 organisations with at most 2 deals each are not drawn" in caption
    assert "focus on one organisation or narrow the filters to see them" in caption


def test_at_most_max_links_are_drawn_those_with_most_deals_and_the_focus_first():
    graph = weighted({("A", "B"): 5, ("C", "D"): 4, ("E", "F"): 3, ("F", "G"): 1})
    view = backbone(graph, max_nodes=10, partners=None, max_links=2)
    assert set(map(frozenset, view.graph.edges)) == {frozenset("AB"), frozenset("CD")}
    assert view.max_links == 2
    caption = backbone_caption(view, max_nodes=2000, partners_label="K", size_label="N")
    assert "Showing 2 of 4 links" in caption and "and of those the 2 with most deals" in caption
    assert "raise “K”" not in caption
    focused = backbone(graph, max_nodes=10, partners=None, keep=["G"], max_links=2)
    assert frozenset("FG") in set(map(frozenset, focused.graph.edges))
    assert backbone(graph, max_nodes=10, partners=None, max_links=4).max_links is None


def _same_graph(made: nx.Graph, expected: nx.Graph) -> None:
    """Equal nodes and links with their data, in the same order (the layout follows it)."""
    assert list(made.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(made.edges(data=True)) == list(expected.edges(data=True))
    assert [list(made.adj[n]) for n in made] == [list(expected.adj[n]) for n in expected]


def test_the_graph_of_some_rows_equals_the_graph_built_from_those_rows():
    """A filter's graph comes from the whole frame's parts: it must be the graph the
    filtered deals alone make, including each organisation's first country named (a
    country first named by a deal the filter leaves out must not show) and the order."""
    rng = np.random.default_rng(7)
    names = [f"Org {i}" for i in range(12)]
    homes = ["Japan", "France", None, "Brazil"]
    rows = []
    for i in range(120):
        parties = list(rng.choice(names, size=int(rng.integers(1, 5))))
        countries = [homes[int(rng.integers(0, 4))] for _ in parties]
        deal_type = ["licensing", "acquisition/merger", "joint venture"][i % 3]
        rows.append(deal(i, parties, countries, deal_type, f"20{10 + i % 15}"))
    rows.append(deal(500, ["", None], [None, None], "licensing"))  # names no organisation
    deals = frame(*rows)
    organisations = pd.DataFrame(
        {"name": ["Org 1", "Org 5"], "country": ["Iceland", None], "kind": ["company", "academic"]}
    )
    parts = DealGraphParts(deals, organisations=organisations)
    for _ in range(25):
        kept = np.flatnonzero(rng.random(len(deals)) < rng.choice([0.05, 0.3, 0.8, 0.97]))
        expected = build_deal_graph(deals.iloc[kept], organisations=organisations)
        _same_graph(parts.graph(kept), expected)
    whole = parts.graph()
    assert parts.graph(np.arange(len(deals))) is whole  # every row: the same graph
    _same_graph(whole, build_deal_graph(deals, organisations=organisations))
    assert parts.graph(np.array([], dtype=int)).number_of_nodes() == 0


def test_released_parts_let_reference_counting_free_the_whole_graph(deals):
    """The app freezes the whole graph out of the cycle collector's reach; when the
    deals change it is released, and must then go without that collector."""
    import gc
    import weakref

    parts = DealGraphParts(deals)
    whole = parts.graph()
    assert whole.number_of_edges() and dict(whole.degree) and list(whole.edges)  # views made
    gone = weakref.ref(whole)
    del whole
    gc.disable()
    try:
        parts.release()
        assert gone() is None
    finally:
        gc.enable()
    assert parts.graph().number_of_edges()  # made again on demand


def _random_deals(rng: np.random.Generator, count: int, *, first_id: int) -> list[dict]:
    names = [f"Org {i}" for i in range(14)]
    homes = ["Japan", "France", None, "Brazil", "Chile"]
    rows = []
    for i in range(count):
        parties = list(rng.choice(names, size=int(rng.integers(1, 5))))
        countries = [homes[int(rng.integers(0, len(homes)))] for _ in parties]
        deal_type = ["licensing", "acquisition/merger", "joint venture"][int(rng.integers(0, 3))]
        rows.append(deal(first_id + i, parties, countries, deal_type, f"20{10 + i % 15}"))
    return rows


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("whole_made", [True, False], ids=["whole graph made", "parts only"])
def test_parts_carried_through_a_splice_equal_parts_read_again(seed, whole_made):
    """An edit splices the deals frame (rows dropped, rows added, the rest moved):
    the parts carried over (``updated``) must give every graph that parts read from
    the new frame give, order included, whichever rows left a link (a link may lose
    all its deals, or some with no new one joining it) and whatever organisations
    table comes with it (an organisation given a country)."""
    rng = np.random.default_rng(seed)
    old = frame(*_random_deals(rng, 90, first_id=0))
    old_orgs = pd.DataFrame({"name": ["Org 1"], "country": ["Iceland"], "kind": ["company"]})
    parts = DealGraphParts(old, organisations=old_orgs)
    if whole_made:
        parts.graph()
    new_rows = frame(*_random_deals(rng, int(rng.integers(0, 12)), first_id=1000))
    new_rows.loc[len(new_rows)] = deal(2000, ["Org 99", "Org 3"], [None, "Peru"], "licensing")
    joined = pd.concat([old, new_rows], ignore_index=True)
    kept = np.flatnonzero(rng.random(len(old)) > rng.choice([0.02, 0.3]))
    added = len(old) + np.arange(len(new_rows))
    if seed % 3:
        # As an edit splices: the rows kept stay in order, new ones go in between.
        places = np.sort(rng.choice(len(kept) + len(added), size=len(added), replace=False))
        taken = np.empty(len(kept) + len(added), dtype=np.int64)
        is_new = np.zeros(len(taken), dtype=bool)
        is_new[places] = True
        taken[is_new], taken[~is_new] = added, kept
    else:
        taken = rng.permutation(np.concatenate([kept, added]))  # any other order
    spliced = joined.iloc[taken].reset_index(drop=True)
    orgs = pd.DataFrame(
        {"name": ["Org 1", "Org 2"], "country": ["Iceland", "Kenya"], "kind": ["company", None]}
    )
    carried = parts.updated(spliced, organisations=orgs, taken=taken, before=len(old))
    read = DealGraphParts(spliced, organisations=orgs)
    _same_graph(carried.graph(), read.graph())
    for share in (0.05, 0.4, 0.9):
        rows = np.flatnonzero(rng.random(len(spliced)) < share)
        _same_graph(carried.graph(rows), read.graph(rows))
    with pytest.raises(ValueError):
        parts.updated(spliced, organisations=orgs, taken=taken, before=len(old) + 1)


def test_a_graph_written_into_networkx_dicts_equals_one_built_through_its_api():
    """The parts write nodes and links straight into the graph's dicts (networkx's own
    add_nodes_from/add_edges_from cost half the assembly): the result must be the graph
    those calls build, links shared by both ends, and work with networkx's functions."""
    rng = np.random.default_rng(11)
    deals = frame(*_random_deals(rng, 80, first_id=0))
    made = DealGraphParts(deals).graph()
    built = nx.Graph()
    built.add_nodes_from(made.nodes(data=True))
    built.add_edges_from(made.edges(data=True))
    assert list(made.nodes(data=True)) == list(built.nodes(data=True))
    assert nx.utils.graphs_equal(made, built)  # nodes, links and their data
    for a, b in made.edges:
        assert made.adj[a][b] is made.adj[b][a]  # one data dict per link, as networkx keeps
    assert dict(made.degree) == dict(built.degree)
    assert nx.utils.graphs_equal(made.copy(), built)
    hub = max(made.degree, key=lambda item: item[1])[0]
    assert nx.utils.graphs_equal(ego_graph(made, hub), ego_graph(built, hub))
