"""The deal network as a networkx graph (pure networkx and pandas, no Streamlit, no pyvis).

A node is an organisation; an edge joins two organisations that are parties to
at least one deal together and carries those deals. A deal with more than two
parties (an alliance of four, say) joins every pair of its parties.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import shortest_path
from scipy.spatial import KDTree

from atlas.models import DEAL_TYPES
from atlas.query import date_label

# networkx's spring layout leaves its dense solver at 500 organisations; its sparse
# solvers took 11-15 s of CPU on a 2,000-organisation component (bench/network_bench.py),
# so components this large get the faster layout below instead.
LARGE_COMPONENT = 500
_PIVOTS = 50
_SPRING_ITERATIONS = 100
# Above this many organisations (the Network page's larger views) fewer steps: 100
# of them were 60 % of the 4 s of CPU the largest view took (bench/network_bench.py).
_FEWER_STEPS_ABOVE, _FEWER_STEPS = 1000, 60
# Organisations repel only those closer than this (in units of one link length):
# enough to keep dots and labels apart, and it keeps each step linear in size.
_REPULSION_RADIUS = 2.0


def _text(value: object) -> str | None:
    """A clean string, or None for missing values (None, NaN, empty)."""
    if type(value) is str:  # the common case, first: this runs millions of times
        return value.strip() or None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _column(deals: pd.DataFrame, name: str) -> list:
    """A column's values, or Nones for a column the frame lacks."""
    return deals[name].tolist() if name in deals.columns else [None] * len(deals)


_TYPE_RANK = {t: i for i, t in enumerate(DEAL_TYPES)}


def _types_by_frequency(deals: list[dict]) -> list[str]:
    """Distinct deal types, most frequent first; ties in the canonical type order."""
    if len(deals) == 1:
        return [deals[0]["type"]]
    return _types_by_count(Counter(d["type"] for d in deals))


def _types_by_count(counts: Counter) -> list[str]:
    """The types counted, most first; ties in the canonical type order."""
    return sorted(counts, key=lambda t: (-counts[t], _TYPE_RANK.get(t, len(_TYPE_RANK)), t))


def build_deal_graph(
    deals: pd.DataFrame | None,
    *,
    organisations: pd.DataFrame | None = None,
    parts: DealGraphParts | None = None,
    rows: np.ndarray | None = None,
) -> nx.Graph:
    """Organisations joined by the deals they share.

    Node attributes: ``country`` and ``kind`` (from ``organisations`` when given;
    else the country of the party in its first deal that names one, and None),
    ``deals`` (number of deals).
    Edge attributes: ``count`` (number of deals), ``types`` (distinct deal
    types, most frequent first), ``deals`` (one dict per deal: deal_id, type,
    date, date_label, evidence, article_title).

    With ``parts`` (``DealGraphParts`` of a whole frame), the graph of that frame's
    rows at ``rows`` (None: all) is assembled from them; ``deals`` and
    ``organisations`` are then not read (the parts hold what they gave).
    """
    if parts is not None:
        return parts.graph(rows)
    return DealGraphParts(deals, organisations=organisations).graph()


def _known_organisations(
    organisations: pd.DataFrame | None,
) -> dict[str, tuple[str | None, str | None]]:
    """Each organisation's (country, kind) as the organisations table gives them."""
    known: dict[str, tuple[str | None, str | None]] = {}
    if organisations is not None and len(organisations):
        for name, country, kind in zip(
            _column(organisations, "name"),
            _column(organisations, "country"),
            _column(organisations, "kind"),
            strict=True,
        ):
            name = _text(name)
            if name:
                known[name] = (_text(country), _text(kind))
    return known


class DealGraphParts:
    """What ``build_deal_graph`` reads from each deal of one frame (its cleaned
    parties, its record, the pairs it joins), kept as arrays so that the graph of
    any subset of the frame's rows (a filter setting) is assembled with numpy
    instead of reading every deal again: ``graph(rows)`` equals
    ``build_deal_graph(deals.iloc[rows], organisations=...)``, node and edge order
    included. Records and the link lists of links whose deals are all kept are
    shared between the graphs it makes (read-only)."""

    def __init__(self, deals: pd.DataFrame, *, organisations: pd.DataFrame | None = None) -> None:
        known = _known_organisations(organisations)
        self.size = 0 if deals is None else len(deals)
        self.names: list[str] = []
        self.known: list[tuple[str | None, str | None]] = []
        self.records: list[dict | None] = [None] * self.size
        self.ends: list[tuple[int, int]] = []
        found = self._read(deals, range(self.size), known, {}, {})
        occ_row, occ_node, occ_country, pair_row, pair_edge = found
        self.occ_row = np.asarray(occ_row, dtype=np.int64)
        self.occ_node = np.asarray(occ_node, dtype=np.int64)
        country_names = sorted({c for c in occ_country if c})
        country_code = {c: i for i, c in enumerate(country_names)}
        self.countries = country_names
        self.occ_country = np.asarray(
            [country_code[c] if c else -1 for c in occ_country], dtype=np.int64
        )
        self.pair_row = np.asarray(pair_row, dtype=np.int64)
        self.pair_edge = np.asarray(pair_edge, dtype=np.int64)
        self._clear_whole()

    def _clear_whole(self) -> None:
        self._whole: nx.Graph | None = None
        self._whole_links: list[list[dict]] | None = None
        self._whole_types: list[list[str]] | None = None
        # (the whole graph of the frame these parts were carried from, the links and
        # the organisations an edit touched): see ``_carried_whole``.
        self._carry: tuple[nx.Graph, np.ndarray, np.ndarray] | None = None

    def _read(
        self,
        deals: pd.DataFrame | None,
        positions: Iterable[int],
        known: dict[str, tuple[str | None, str | None]],
        node_ids: dict[str, int],
        edge_ids: dict[tuple[int, int], int],
    ) -> tuple[list[int], list[int], list[str | None], list[int], list[int]]:
        """Reads ``deals`` (each of its rows is this frame's row at the same place of
        ``positions``): their records into ``records``, organisations and links not
        seen before appended to ``names`` and ``ends`` (``node_ids``, ``edge_ids``:
        those seen, by name and by ends). Returns the occurrences (row, node, country
        named) and pairs (row, link) of those rows, in row order."""
        occ_row: list[int] = []
        occ_node: list[int] = []
        occ_country: list[str | None] = []
        pair_row: list[int] = []
        pair_edge: list[int] = []
        if deals is None or not len(deals):
            return occ_row, occ_node, occ_country, pair_row, pair_edge
        labels = (
            deals["date_label"].tolist()
            if "date_label" in deals.columns
            else [date_label(_text(d)) for d in _column(deals, "deal_date")]
        )
        rows = zip(
            positions,
            _column(deals, "deal_id"),
            _column(deals, "parties"),
            _column(deals, "party_countries"),
            _column(deals, "type"),
            _column(deals, "deal_date"),
            labels,
            _column(deals, "evidence"),
            _column(deals, "article_title"),
            _column(deals, "article_file"),
            strict=True,
        )
        # Plain lists and dicts: a pandas row or a networkx call per deal cost most
        # of a 177,000-deal build.
        for (
            row,
            deal_id,
            stored,
            raw_countries,
            deal_type,
            deal_date,
            label,
            evidence,
            title,
            file,
        ) in rows:
            # Parties without blanks or repeats, in their stored order; each keeps
            # the position of its first appearance (its country sits at the same one).
            cleaned = [_text(v) for v in stored] if isinstance(stored, list | tuple) else []
            parties = list(dict.fromkeys(n for n in cleaned if n))
            if not parties:
                continue
            countries = raw_countries if isinstance(raw_countries, list | tuple) else ()
            deal_date = _text(deal_date)
            self.records[row] = {
                "deal_id": deal_id,
                "type": _text(deal_type) or "other",
                "date": deal_date,
                "date_label": label if isinstance(label, str) else date_label(deal_date),
                "evidence": _text(evidence) or "",
                "article_title": _text(title) or _text(file) or "",
            }
            ids = []
            for name in parties:
                node = node_ids.get(name)
                if node is None:
                    node = node_ids[name] = len(self.names)
                    self.names.append(name)
                    self.known.append(known.get(name, (None, None)))
                ids.append(node)
                position = cleaned.index(name)
                occ_row.append(row)
                occ_node.append(node)
                occ_country.append(
                    _text(countries[position]) if position < len(countries) else None
                )
            for i, a in enumerate(ids):
                for j in range(i + 1, len(ids)):
                    b = ids[j]
                    key = (a, b) if (b, a) not in edge_ids else (b, a)
                    edge = edge_ids.get(key)
                    if edge is None:
                        edge = edge_ids[key] = len(self.ends)
                        self.ends.append(key)
                    pair_row.append(row)
                    pair_edge.append(edge)
        return occ_row, occ_node, occ_country, pair_row, pair_edge

    def updated(
        self,
        deals: pd.DataFrame,
        *,
        organisations: pd.DataFrame | None,
        taken: np.ndarray,
        before: int,
    ) -> DealGraphParts:
        """The parts of ``deals``, a frame spliced from this one's rows
        (``atlas.incremental``): its row ``r`` is this frame's row ``taken[r]`` when
        that is under ``before`` (this frame's size), else a row new to it. Only the
        new rows are read; every graph made equals ``DealGraphParts(deals,
        organisations=organisations)``'s (tests hold them equal), and when this one's
        whole graph was made, the link lists of every link no row joined or left are
        kept, so the new whole graph costs an assembly, not a read of every deal."""
        if before != self.size:
            raise ValueError(f"spliced from {before} rows, but these parts hold {self.size}")
        taken = np.asarray(taken, dtype=np.int64)
        is_old = taken < before
        new_of_old = np.full(self.size, -1, dtype=np.int64)
        new_of_old[taken[is_old]] = np.flatnonzero(is_old)
        added = np.flatnonzero(~is_old)
        known = _known_organisations(organisations)
        new = object.__new__(DealGraphParts)
        new.size = len(taken)
        new.names = list(self.names)
        new.known = [known.get(n, (None, None)) for n in new.names]
        new.ends = list(self.ends)
        records = self.records
        new.records = [records[j] if j < before else None for j in taken.tolist()]
        occ_row, occ_node, occ_country, pair_row, pair_edge = new._read(
            deals.iloc[added],
            added.tolist(),
            known,
            {n: i for i, n in enumerate(new.names)},
            {end: e for e, end in enumerate(new.ends)},
        )
        new.countries = list(self.countries)
        code = {c: i for i, c in enumerate(new.countries)}
        for country in occ_country:
            if country and country not in code:
                code[country] = len(new.countries)
                new.countries.append(country)
        # Old rows' occurrences at their new rows, the new rows' among them: a stable
        # sort by row keeps each row's own order, so the arrays are a rebuild's.
        kept = new_of_old[self.occ_row] >= 0
        rows = np.concatenate([new_of_old[self.occ_row[kept]], np.asarray(occ_row, np.int64)])
        order = np.argsort(rows, kind="stable")
        new.occ_row = rows[order]
        new.occ_node = np.concatenate([self.occ_node[kept], np.asarray(occ_node, np.int64)])[order]
        countries = np.asarray([code[c] if c else -1 for c in occ_country], dtype=np.int64)
        new.occ_country = np.concatenate([self.occ_country[kept], countries])[order]
        left = new_of_old[self.pair_row] < 0
        rows = np.concatenate(
            [new_of_old[self.pair_row[~left]], np.asarray(pair_row, dtype=np.int64)]
        )
        order = np.argsort(rows, kind="stable")
        new.pair_row = rows[order]
        new.pair_edge = np.concatenate(
            [self.pair_edge[~left], np.asarray(pair_edge, dtype=np.int64)]
        )[order]
        new._clear_whole()
        # A link's deals are listed in row order: its list is kept only when the old
        # rows kept their order (an edit's splice does; other moves read them again).
        in_order = bool(np.all(np.diff(taken[is_old]) > 0))
        if self._whole_links is not None and self._whole_types is not None and in_order:
            touched = np.zeros(len(new.ends), dtype=bool)
            touched[self.pair_edge[left]] = True
            touched[np.asarray(pair_edge, dtype=np.int64)] = True
            grown = len(new.ends) - len(self.ends)
            links = [*self._whole_links, *([] for _ in range(grown))]
            types = [*self._whole_types, *([] for _ in range(grown))]
            changed = touched[new.pair_edge]
            fresh: dict[int, list[dict]] = {}
            for edge, row in zip(
                new.pair_edge[changed].tolist(), new.pair_row[changed].tolist(), strict=True
            ):
                fresh.setdefault(edge, []).append(new.records[row])
            for edge in np.flatnonzero(touched).tolist():
                found = fresh.get(edge, [])
                links[edge] = found
                types[edge] = _types_by_frequency(found) if found else []
            new._whole_links, new._whole_types = links, types
            if self._whole is not None:
                # Organisations a row named or stopped naming, or at either end of a
                # touched link, or given another country or kind by the table.
                nodes = np.zeros(len(new.names), dtype=bool)
                nodes[self.occ_node[~kept]] = True
                nodes[np.asarray(occ_node, dtype=np.int64)] = True
                ends = np.asarray(new.ends, dtype=np.int64).reshape(-1, 2)
                nodes[ends[touched].ravel()] = True
                nodes[len(self.names) :] = True
                nodes[: len(self.names)] |= np.fromiter(
                    (a != b for a, b in zip(new.known, self.known, strict=False)),
                    dtype=bool,
                    count=len(self.names),
                )
                new._carry = (self._whole, touched, nodes)
        return new

    def _carried_whole(self) -> nx.Graph:
        """The whole graph after an edit, made from the whole graph before it: an
        organisation the edit did not touch keeps its data and its dict of partners
        (the same objects: every link in it is untouched, in the same order); the
        touched ones are made again. Equal to ``_assemble`` of every row, order
        included (tests hold them equal), for a fraction of its 160,000 links."""
        assert self._carry is not None, "made by updated() only"
        before, touched, nodes = self._carry
        self._carry = None
        names, known, countries = self.names, self.known, self.countries
        present, first = np.unique(self.occ_node, return_index=True)
        order = present[np.argsort(first, kind="stable")]
        deals = np.bincount(self.occ_node, minlength=len(names))
        named = self.occ_country >= 0
        with_country, first_named = np.unique(self.occ_node[named], return_index=True)
        country_of = dict(
            zip(with_country.tolist(), self.occ_country[named][first_named].tolist(), strict=True)
        )
        old_nodes, old_adjacency = before._node, before._adj
        graph = nx.Graph()
        node_attr, adjacency = graph._node, graph._adj
        for node, count in zip(order.tolist(), deals[order].tolist(), strict=True):
            name = names[node]
            if nodes[node]:
                country, kind = known[node]
                if not country and node in country_of:
                    country = countries[country_of[node]]
                node_attr[name] = {"country": country, "kind": kind, "deals": count}
                adjacency[name] = {}
            else:
                node_attr[name] = old_nodes[name]
                adjacency[name] = old_adjacency[name]
        # The touched organisations' links, in the order of their first deal.
        present, first = np.unique(self.pair_edge, return_index=True)
        edges = present[np.argsort(first, kind="stable")]
        ends = np.asarray(self.ends, dtype=np.int64).reshape(-1, 2)
        edges = edges[nodes[ends[edges, 0]] | nodes[ends[edges, 1]]]
        links, types = self._whole_links, self._whole_types
        assert links is not None and types is not None, "kept with the carry"
        for edge in edges.tolist():
            a_node, b_node = self.ends[edge]
            a, b = names[a_node], names[b_node]
            if touched[edge]:
                found = links[edge]
                data = {"deals": found, "count": len(found), "types": types[edge]}
            else:
                data = old_adjacency[a][b]
            if nodes[a_node]:
                adjacency[a][b] = data
            if nodes[b_node]:
                adjacency[b][a] = data
        return graph

    @property
    def whole_made(self) -> bool:
        """Has the whole graph been made (and is it kept)?"""
        return self._whole is not None

    def release(self) -> None:
        """Drops the whole graph's cached networkx views (``edges`` and ``degree`` hold
        the graph itself): with them gone it holds no reference cycle, so reference
        counting frees it even where the cycle collector does not look (a frozen
        object). The graph keeps working: a view is made again when asked for."""
        if self._whole is not None:
            for view in ("edges", "degree", "nodes", "adj"):
                self._whole.__dict__.pop(view, None)
        self._whole = None
        self._whole_links = self._whole_types = None
        self._carry = None

    def graph(self, rows: np.ndarray | None = None) -> nx.Graph:
        """The deal graph of the rows at ``rows`` (positions, ascending; None: every
        row). Every row kept gives the same graph object each time (read-only)."""
        if rows is None or len(rows) == self.size:
            if self._whole is None:
                self._whole = (
                    self._carried_whole()
                    if self._carry is not None
                    else self._assemble(np.ones(self.size, dtype=bool))
                )
            return self._whole
        kept = np.zeros(self.size, dtype=bool)
        kept[np.asarray(rows, dtype=np.int64)] = True
        return self._assemble(kept)

    def _assemble(self, kept: np.ndarray) -> nx.Graph:
        graph = nx.Graph()
        occurrences = kept[self.occ_row]
        nodes = self.occ_node[occurrences]
        if not len(nodes):
            return graph
        deals = np.bincount(nodes, minlength=len(self.names))
        # Nodes in the order their first kept deal names them.
        present, first = np.unique(nodes, return_index=True)
        order = present[np.argsort(first, kind="stable")]
        # A node's country: the organisations table's, else the first kept deal naming one.
        named = occurrences & (self.occ_country >= 0)
        with_country, first_named = np.unique(self.occ_node[named], return_index=True)
        country_of = dict(
            zip(
                with_country.tolist(),
                self.occ_country[named][first_named].tolist(),
                strict=True,
            )
        )
        names, known, countries = self.names, self.known, self.countries
        # Written into the graph's own dicts, as add_nodes_from and add_edges_from
        # leave them (a fresh graph, no repeats, no self-loops): their per-item checks
        # and dict copies were half of assembling 160,000 links (bench/network_bench.py).
        node_attr, adjacency = graph._node, graph._adj
        for node, count in zip(order.tolist(), deals[order].tolist(), strict=True):
            country, kind = known[node]
            if not country and node in country_of:
                country = countries[country_of[node]]
            name = names[node]
            adjacency[name] = {}
            node_attr[name] = {"country": country, "kind": kind, "deals": count}

        pairs = kept[self.pair_row]
        edges = self.pair_edge[pairs]
        if not len(edges):
            return graph
        present, first = np.unique(edges, return_index=True)
        order = present[np.argsort(first, kind="stable")]
        links, types = self._links(edges, self.pair_row[pairs], kept)
        ends = self.ends
        for edge in order.tolist():
            first, second = ends[edge]
            a, b = names[first], names[second]
            found = links[edge]
            adjacency[a][b] = adjacency[b][a] = {
                "deals": found,
                "count": len(found),
                "types": types[edge],
            }
        return graph

    def _links(
        self, edges: np.ndarray, rows: np.ndarray, kept: np.ndarray
    ) -> tuple[
        Mapping[int, list[dict]] | list[list[dict]], Mapping[int, list[str]] | list[list[str]]
    ]:
        """Each kept link's deals and types: the whole graph's lists where every deal
        of the link is kept, else made again from the kept ones."""
        records = self.records
        whole = kept.all()
        if whole and self._whole_links is not None and self._whole_types is not None:
            return self._whole_links, self._whole_types  # kept by ``updated``
        if not whole and self._whole_links is None:
            self.graph()  # the whole graph's lists, made once and shared
        counts = np.bincount(edges, minlength=len(self.ends))
        full = np.bincount(self.pair_edge, minlength=len(self.ends))
        links: dict[int, list[dict]] = {}
        types: dict[int, list[str]] = {}
        if not whole:
            assert self._whole_links is not None and self._whole_types is not None
            complete = np.flatnonzero((counts == full) & (counts > 0))
            for edge in complete.tolist():
                links[edge] = self._whole_links[edge]
                types[edge] = self._whole_types[edge]
        partial = (counts > 0) & (counts < full) if not whole else counts > 0
        wanted = partial[edges]
        for edge, row in zip(edges[wanted].tolist(), rows[wanted].tolist(), strict=True):
            found = links.get(edge)
            if found is None:
                links[edge] = [records[row]]
            else:
                found.append(records[row])
        for edge in np.flatnonzero(partial).tolist():
            types[edge] = _types_by_frequency(links[edge])
        if whole:
            self._whole_links = [links.get(e, []) for e in range(len(self.ends))]
            self._whole_types = [types.get(e, []) for e in range(len(self.ends))]
        return links, types


def ego_graph(graph: nx.Graph, organisation: str, *, hops: int = 1) -> nx.Graph:
    """The organisation, the organisations within ``hops`` deals of it, and the
    edges among them (a new graph; empty when the organisation is absent)."""
    if hops < 1:
        raise ValueError("hops must be at least 1")
    if organisation not in graph:
        return nx.Graph()
    return nx.ego_graph(graph, organisation, radius=hops)  # networkx returns a copy


def between(graph: nx.Graph, a: str, b: str) -> list[dict]:
    """The deals in which both ``a`` and ``b`` are parties (empty when none)."""
    if a == b or not graph.has_edge(a, b):
        return []
    return list(graph.edges[a, b]["deals"])


# A grey dot standing for the small partners folded into it is the node
# ("others", organisation): a tuple, so it can never clash with an organisation's name.
OTHERS = "others"


def is_others(node: object) -> bool:
    """Is ``node`` a grey "others" dot of ``backbone`` (not an organisation)?"""
    return isinstance(node, tuple) and len(node) == 2 and node[0] == OTHERS


@dataclass(frozen=True)
class Backbone:
    """What ``backbone`` draws of a view and what it leaves out (for the caption)."""

    graph: nx.Graph  # to draw: organisations, their kept links, the "others" dots
    organisations: int  # organisations in the view
    drawn: int  # organisations drawn as their own dot
    among: int  # links among the drawn organisations
    kept: int  # of those, the links drawn
    folded: int  # small partners folded into the "others" dot of a drawn organisation
    hidden: int  # organisations neither drawn nor folded into a drawn dot
    most_hidden: int  # the most deals of a hidden organisation (0 when none is)
    partners: int | None  # strongest partners kept per organisation (None: all)
    max_links: int | None  # when links were left out for it: at most this many drawn
    pinned: tuple[str, ...]  # organisations drawn whatever their rank, with all their links


def _host(graph: nx.Graph, node: str, deals: Mapping[str, int], drawn: set) -> str | None:
    """The drawn partner a small organisation is folded beside (most deals together,
    then most deals, then by name), or None when it has none."""
    return min(
        (p for p in graph[node] if p in drawn),
        key=lambda p: (-graph.edges[node, p].get("count", 1), -deals[p], str(p)),
        default=None,
    )


def _strongest(links: Mapping[str, dict], k: int, deals: Mapping[str, int]) -> list[str]:
    """Of ``links`` (partner -> link data), the ``k`` partners with most deals
    together (ties: the busier partner, then by name)."""
    return heapq.nsmallest(k, links, key=lambda p: (-links[p].get("count", 1), -deals[p], str(p)))


def backbone(
    graph: nx.Graph,
    *,
    max_nodes: int,
    partners: int | None,
    keep: Iterable[str] = (),
    rank: Mapping[str, float] | None = None,
    max_links: int | None = None,
) -> Backbone:
    """The readable part of a dense view: at most ``max_nodes`` dots, and of the
    links among them each organisation's ``partners`` strongest (most deals
    together; a link stays when it is among the strongest of either end), and
    of those at most ``max_links``: the links with most deals.

    Organisations are drawn by ``rank`` (default: their number of deals), highest
    first; those in ``keep`` (a focused organisation) always, with every link.
    When the view holds more than ``max_nodes`` organisations, each small one
    (rank 1: one deal) left out is folded into one grey "others" dot (node
    ``(OTHERS, host)``, see ``is_others``) beside the drawn partner it has most
    deals with (such dots are not organisations: they come on top of
    ``max_nodes``). The graph given is not changed; node and link data are
    shared with it (read-only)."""
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    if partners is not None and partners < 1:
        raise ValueError("partners must be at least 1 (None for all)")
    deals = {n: int(d or 0) for n, d in graph.nodes(data="deals", default=0)}
    score = rank if rank is not None else deals
    pinned = tuple(n for n in dict.fromkeys(keep) if n in graph)
    pinned_set = set(pinned)
    ranked = sorted(
        (n for n in graph if n not in pinned_set),
        key=lambda n: (-score.get(n, 0), -deals[n], str(n)),
    )
    small = (
        {n for n in ranked if score.get(n, 0) <= 1}
        if graph.number_of_nodes() > max_nodes
        else set()
    )
    drawn = [*pinned, *ranked[: max(max_nodes - len(pinned), 0)]]
    drawn_set = set(drawn)
    folded_into = {}
    for node in small:
        if node not in drawn_set:
            host = _host(graph, node, deals, drawn_set)
            if host is not None:
                folded_into[node] = host
    hosts = set(folded_into.values())
    # Plain dicts of each drawn organisation's links to the others drawn: a networkx
    # subgraph view filters every neighbour of a hub on each access.
    among = {}
    for node in drawn:
        partners_of = graph.adj[node]
        # A hub's thousands of partners, or the drawn ones: whichever is fewer.
        among[node] = (
            {p: partners_of[p] for p in drawn_set if p in partners_of and p != node}
            if len(partners_of) > len(drawn_set)
            else {p: data for p, data in partners_of.items() if p in drawn_set}
        )
    links: set[tuple[str, str]] = set()
    for node in drawn:
        mine = among[node]
        strongest = (
            mine if partners is None or node in pinned_set else _strongest(mine, partners, deals)
        )
        links.update((node, p) if (p, node) not in links else (p, node) for p in strongest)
    links_capped = max_links is not None and len(links) > max_links
    if max_links is not None and links_capped:
        # A focused organisation's links first, then by deals, by the busier end, by names.
        links = set(
            heapq.nsmallest(
                max_links,
                links,
                key=lambda link: (
                    not pinned_set.intersection(link),
                    -among[link[0]][link[1]].get("count", 1),
                    -max(deals[link[0]], deals[link[1]]),
                    sorted(map(str, link)),
                ),
            )
        )
    shown = nx.Graph()
    shown.add_nodes_from((n, graph.nodes[n]) for n in drawn)
    shown.add_edges_from((a, b, graph.edges[a, b]) for a, b in links)
    folded = 0
    by_host: dict[str, list[str]] = {}
    for node, host in folded_into.items():
        by_host.setdefault(host, []).append(node)
    for host in drawn:
        if host not in hosts:
            continue
        names = sorted(by_host[host], key=str.casefold)
        folded += len(names)
        types = Counter((graph.edges[n, host].get("types") or ["other"])[0] for n in names)
        dot = (OTHERS, host)
        shown.add_node(dot, organisations=names, deals=len(names), country=None, kind=None)
        shown.add_edge(
            host,
            dot,
            count=len(names),
            types=_types_by_count(types),
            deals=[],
            others=True,
        )
    hidden = [n for n in graph if n not in shown and folded_into.get(n) not in hosts]

    return Backbone(
        graph=shown,
        organisations=graph.number_of_nodes(),
        drawn=len(drawn),
        among=sum(map(len, among.values())) // 2,
        kept=len(links),
        folded=folded,
        hidden=len(hidden),
        most_hidden=max((deals[n] for n in hidden), default=0),
        partners=partners,
        max_links=max_links if links_capped else None,
        pinned=pinned,
    )


def others_positions(
    graph: nx.Graph, layout: Mapping[str, tuple[float, float]], *, gap: float = 0.7
) -> dict[tuple[str, str], tuple[float, float]]:
    """Where ``backbone``'s grey "others" dots go, given the organisations' layout:
    ``gap`` links from their host, away from the host's drawn partners (below it
    when it has none). Placed after the layout, not in it: a dot per organisation
    would double the organisations the layout moves."""
    placed = {}
    for dot in graph:
        if not is_others(dot):
            continue
        host = dot[1]
        hx, hy = layout[host]
        partners = [layout[p] for p in graph[host] if not is_others(p) and p in layout]
        dx, dy = (
            (
                hx - sum(x for x, _ in partners) / len(partners),
                hy - sum(y for _, y in partners) / len(partners),
            )
            if partners
            else (0.0, -1.0)
        )
        length = math.hypot(dx, dy)
        if length < 1e-9:
            dx, dy, length = 0.0, -1.0, 1.0
        placed[dot] = (hx + gap * dx / length, hy + gap * dy / length)
    return placed


def backbone_caption(
    view: Backbone, *, max_nodes: int, partners_label: str, size_label: str
) -> str:
    """The line above a drawing from ``backbone``, in plain words: which links and
    organisations are drawn, what is folded or left out, and which control
    (``partners_label``, ``size_label``: the widgets' names; the page allows at
    most ``max_nodes``) shows more."""
    s = lambda n, word: f"{n:,} {word}{'' if n == 1 else 's'}"  # noqa: E731
    sentences = []
    capped = view.max_links is not None
    if view.kept < view.among:
        strongest = (
            "strongest partner" if view.partners == 1 else f"{view.partners} strongest partners"
        )
        also = f", and every link of {', '.join(view.pinned)}" if view.pinned else ""
        sentences.append(
            f"Showing {view.kept:,} of {s(view.among, 'link')} among {s(view.drawn, 'organisation')}: "
            f"each organisation's {strongest} (most deals together){also}"
            + (
                f", and of those the {view.kept:,} with most deals"
                if capped
                else f"; raise “{partners_label}” for more"
            )
        )
    else:
        sentences.append(f"Showing {s(view.drawn, 'organisation')} and {s(view.kept, 'link')}")
    if view.folded:
        sentences.append(
            f"{s(view.folded, 'organisation')} with one deal "
            f"{'is' if view.folded == 1 else 'are'} folded into grey “others” dots beside their partner"
        )
    if view.hidden:
        how = (
            f"raise “{size_label}” (up to {max_nodes:,}) or focus on one organisation"
            if view.drawn < max_nodes
            else "focus on one organisation or narrow the filters"
        )
        sentences.append(
            f"{s(view.hidden, 'organisation')} with at most {s(view.most_hidden, 'deal')} "
            f"{'each ' if view.hidden > 1 else ''}{'is' if view.hidden == 1 else 'are'} not drawn; "
            f"{how} to see {'it' if view.hidden == 1 else 'them'}"
        )
    sentences.append("Hover a dot or a line for details; drag to pan, scroll to zoom.")
    return ". ".join(sentences)


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
    if len(nodes) >= LARGE_COMPONENT:
        return _large_component_layout(graph, nodes, seed=seed)
    radius = 0.5 * math.sqrt(len(nodes))
    positions = nx.spring_layout(graph.subgraph(nodes), seed=seed, weight="count", scale=radius)
    return {node: (float(xy[0]), float(xy[1])) for node, xy in positions.items()}


def _pivot_mds(adjacency: csr_array, *, pivots: int) -> np.ndarray:
    """Coordinates whose distances approximate the number of links between
    organisations (pivot MDS, Brandes and Pich 2006): breadth-first distances
    from ``pivots`` organisations, each the farthest from those chosen before,
    starting from row 0; then the two main axes of the centred distances."""
    size = adjacency.shape[0]
    count = min(pivots, size)
    distances = np.empty((size, count))
    nearest = np.full(size, np.inf)
    pivot = 0
    for column in range(count):
        distances[:, column] = shortest_path(adjacency, unweighted=True, indices=pivot)
        nearest = np.minimum(nearest, distances[:, column])
        pivot = int(np.argmax(nearest))
    squared = distances**2
    centred = -0.5 * (
        squared - squared.mean(axis=0) - squared.mean(axis=1)[:, None] + squared.mean()
    )
    left, singular, _ = np.linalg.svd(centred, full_matrices=False)
    coords = left[:, :2] * singular[:2]
    # Singular vectors have no preferred sign: fix it so a graph always looks the same.
    largest = np.abs(coords).argmax(axis=0)
    return coords * np.where(coords[largest, [0, 1]] < 0, -1.0, 1.0)


def _spring_with_local_repulsion(
    coords: np.ndarray, a: np.ndarray, b: np.ndarray, weights: np.ndarray, *, iterations: int
) -> np.ndarray:
    """Fruchterman-Reingold steps (links pull with d², organisations push with
    1/d, ideal link length 1) in which only organisations closer than
    ``_REPULSION_RADIUS`` push each other (found with a k-d tree, as in
    Fruchterman and Reingold's grid variant); the step shrinks as it goes."""
    size = len(coords)
    coords = coords.copy()
    for step in range(iterations):
        limit = 1.0 - step / iterations + 0.02
        moves = np.zeros_like(coords)
        pairs = KDTree(coords).query_pairs(_REPULSION_RADIUS, output_type="ndarray")
        if len(pairs):
            i, j = pairs[:, 0], pairs[:, 1]
            delta = coords[i] - coords[j]
            push = delta / np.maximum((delta**2).sum(axis=1), 1e-4)[:, None]
            for axis in (0, 1):
                moves[:, axis] += np.bincount(i, push[:, axis], size)
                moves[:, axis] -= np.bincount(j, push[:, axis], size)
        delta = coords[a] - coords[b]
        pull = delta * (weights * np.sqrt((delta**2).sum(axis=1)))[:, None]
        for axis in (0, 1):
            moves[:, axis] += np.bincount(b, pull[:, axis], size)
            moves[:, axis] -= np.bincount(a, pull[:, axis], size)
        length = np.maximum(np.sqrt((moves**2).sum(axis=1)), 1e-9)
        coords += moves * (np.minimum(length, limit) / length)[:, None]
    return coords


def _large_component_layout(
    graph: nx.Graph, nodes: set, *, seed: int
) -> dict[str, tuple[float, float]]:
    """A big connected component laid out in about a second of CPU at 2,000
    organisations: pivot MDS for the overall shape, then spring steps with
    local repulsion to spread out the partners of each hub. Neighbours end up
    about one unit apart, as in ``_component_layout``."""
    order = sorted(nodes, key=lambda n: (-graph.degree(n), str(n)))
    index = {node: i for i, node in enumerate(order)}
    links = list(graph.subgraph(nodes).edges(data="count", default=1))
    a = np.array([index[u] for u, _, _ in links])
    b = np.array([index[v] for _, v, _ in links])
    # Repeat partners sit closer, but a tenth deal should not pull harder than a third.
    weights = np.array([min(float(count or 1), 3.0) for _, _, count in links])
    adjacency = csr_array(
        (np.ones(2 * len(links)), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(len(order), len(order)),
    )
    coords = _pivot_mds(adjacency, pivots=_PIVOTS)
    coords /= max(float(np.median(np.sqrt(((coords[a] - coords[b]) ** 2).sum(axis=1)))), 1e-9)
    # Organisations with the same partners (the deals of one hub) start on one spot.
    coords += np.random.default_rng(seed).uniform(-0.5, 0.5, coords.shape)
    coords = _spring_with_local_repulsion(
        coords,
        a,
        b,
        weights,
        iterations=_SPRING_ITERATIONS if len(order) <= _FEWER_STEPS_ABOVE else _FEWER_STEPS,
    )
    return {node: (float(coords[i, 0]), float(coords[i, 1])) for node, i in index.items()}


def layout_positions(
    graph: nx.Graph, *, seed: int = 42, aspect: float = 1.6
) -> dict[str, tuple[float, float]]:
    """Spring-layout coordinates, computed once so the drawing need not simulate
    physics (a 2,000-node graph would otherwise keep moving).

    Each connected component is laid out on its own (networkx would push small
    components to the rim and squash each of them); those of ``LARGE_COMPONENT``
    organisations or more by ``_large_component_layout``. The components are
    packed in rows (about ``aspect`` times wider than tall), largest first.
    Units: neighbouring organisations sit about one unit apart; y grows upwards."""
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
