"""The deal network drawn with pyvis (vis-network), self-contained and offline.

``network_html`` turns a graph from ``atlas.graph`` into standalone HTML;
``show_network`` embeds such a page and offers it as a download. Pages build
the HTML inside ``components.data.derived_from_graph`` (``derived_from_index`` for a
company) so a rerun does not lay it out again.

Safety: vis-network shows a string ``title`` with innerText and draws labels on
the canvas, but pyvis' own popup template assigns titles with innerHTML. Every
organisation name, evidence sentence and article title is therefore
``pyvis_text``-escaped (atlas.safe_text) before it enters a title or label, and the small script added
below turns the escaped titles into tooltip elements (the escaping keeps them
inert) and decodes labels to plain text for the canvas (never the DOM).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import jinja2
import networkx as nx
import streamlit as st
from pyvis.edge import Edge
from pyvis.network import Network

from atlas.describe import filters_line, network_file_name
from atlas.figures.style import font_size, type_colour
from atlas.graph import (
    Backbone,
    backbone,
    backbone_caption,
    ego_graph,
    is_others,
    layout_positions,
    others_positions,
)
from atlas.models import ORG_KINDS
from atlas.network_canvas import (
    above_offset,
    canvas_scales,
    dot_shrink,
    fit_positions,
    label_extent,
    label_sides,
    reach,
)
from atlas.pages import KeptDeals
from atlas.pages.companies import CompanyProfile, company_profile
from atlas.safe_text import plain_text, pyvis_text
from components import filters

COLOUR_BY = ("country", "kind")
UNKNOWN = "unknown"
OTHER_COUNTRIES = "other countries"
UNKNOWN_COLOUR = "#BBBBBB"
# The grey "others" dots (small partners folded beside their partner) and their lines.
OTHERS_COLOUR = "#E3E3E3"
OTHERS_LINE_COLOUR = "#B5B5B5"
# Names listed in an "others" dot's tooltip.
MAX_NAMES_IN_TOOLTIP = 8
OTHER_COLOUR = "#8C8C8C"
# Tableau 10 without its grey: distinct on a projector, grey kept for unknown/other.
COUNTRY_PALETTE = (
    "#4E79A7",
    "#F28E2B",
    "#E15759",
    "#76B7B2",
    "#59A14F",
    "#EDC948",
    "#B07AA1",
    "#FF9DA7",
    "#9C755F",
)
KIND_COLOURS = dict(
    zip(ORG_KINDS, ("#4E79A7", "#59A14F", "#E15759", "#F28E2B", "#B07AA1"), strict=True)
)
# The Network page's "Most organisations shown": its default and its largest value.
DEFAULT_MAX_NODES = 150
MAX_NODES = 2000
# The Network page's "Strongest partners each": its choices and its default. Every
# link among 150 organisations of the 100,000-article store is 7,436 lines (no one
# can read them); the largest choice keeps the largest view under 5 MB of HTML.
PARTNER_CHOICES = (1, 2, 3, 4, 5)
DEFAULT_PARTNERS = 3
# The most lines a drawing has (those with most deals): 2,000 organisations with 5
# partners each were 9,965 lines, 7.8 MB of HTML and 4.7 s of CPU.
MAX_LINKS = 6000
SIZE_LABEL = "Most organisations shown"
PARTNERS_LABEL = "Strongest partners each"
# The canvas's width at 1920 px: the whole width presenting, beside the sidebar
# otherwise (a narrower window zooms the drawing out a little).
PAGE_WIDTH_PX = {True: 1700, False: 1450}
# The Companies profile draws the organisation and this many of its most frequent
# partners; a hub's thousands of partners are for the Network page.
EGO_PARTNERS = 40
# A link's tooltip lists this many of its deals, each with this much of its evidence
# and its article's title; a drawing of more than BRIEF_ABOVE_LINKS lines lists the
# brief amounts (the whole HTML stays under 5 MB at the largest view; the deals
# between two organisations are listed in full under the drawing).
TOOLTIP_DEALS, TOOLTIP_EVIDENCE, TOOLTIP_SOURCE = 3, 110, 50
BRIEF_DEALS, BRIEF_EVIDENCE, BRIEF_SOURCE = 2, 80, 0
BRIEF_ABOVE_LINKS = 1000
# A label wraps at this many times its font size ("Korea Institute of Startup and ...").
LABEL_WRAP_EM = 11
# Neighbours are at most this many label sizes apart: a small network stays compact.
MAX_SPACING_EM = 12
# An organisation left unlabelled at the starting zoom (no room for its name) shows
# it once the drawing is zoomed in this far (vis-network's label drawThreshold).
REVEAL_ZOOM = 1.6

_NETWORK_CALL = "network = new vis.Network(container, data, options);"
_REMOTE_TAGS = (
    re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?https?://[^>]*>", re.IGNORECASE | re.DOTALL),
    re.compile(
        r"<script\b[^>]*\bsrc\s*=\s*[\"']?https?://[^>]*>\s*</script>", re.IGNORECASE | re.DOTALL
    ),
)
# The nodes and edges pyvis writes into the page (its template's `|tojson`).
_DATASET = re.compile(r"(?P<head>(?:nodes|edges) = new vis\.DataSet\()(?P<data>.*?)(?P<tail>\);\n)")
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)
# The template keeps a commented-out link to a local vis copy; drop it with the rest.
_TEMPLATE_COMMENT = re.compile(r"<!--\s*<link.*?-->", re.DOTALL)

_STYLE = """
<style>
  body { margin: 0; font-family: "Source Sans Pro", "Helvetica Neue", Arial, sans-serif; }
  #mynetwork { float: none !important; border: 1px solid #e6e6e6 !important; box-sizing: border-box; }
  .atlas-legend { font-size: %(font)dpx; line-height: 1.6; padding: 2px 4px 6px 4px; color: #31333F; }
  .atlas-legend .group { margin-right: 14px; font-weight: 600; }
  .atlas-legend .item { margin-right: 12px; white-space: nowrap; }
  .atlas-legend .dot { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%%;
                       margin-right: 4px; vertical-align: -0.05em; border: 1px solid #666; }
  .atlas-legend .line { display: inline-block; width: 1.6em; height: 4px; margin-right: 4px;
                        vertical-align: 0.2em; }
  div.vis-tooltip { max-width: 460px; white-space: normal !important; font-size: %(font)dpx;
                    font-family: inherit; line-height: 1.35; }
  .atlas-tip ul { margin: 4px 0 0 0; padding-left: 18px; }
</style>
"""

# The heading of a downloaded network (static CSS).
_DOWNLOAD_STYLE = """
<style>
  .atlas-download-head { padding: 8px 4px 4px 4px; color: #31333F; }
  .atlas-download-head h1 { font-size: 26px; margin: 0 0 4px 0; }
  .atlas-download-head p { font-size: 15px; margin: 2px 0; }
</style>
"""

# Titles and labels arrive escaped (see the module docstring).
_SCRIPT = """
                  function atlasTip(escaped) {
                      var box = document.createElement("div");
                      box.className = "atlas-tip";
                      box.innerHTML = escaped;
                      return box;
                  }
                  function atlasText(escaped) {
                      return new DOMParser().parseFromString(escaped, "text/html").documentElement.textContent;
                  }
                  nodes.update(nodes.get().map(function (n) {
                      return {id: n.id, title: atlasTip(n.title), label: atlasText(n.label)};
                  }));
                  edges.update(edges.get().map(function (e) {
                      return {id: e.id, title: atlasTip(e.title)};
                  }));
"""


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def country_ranking(deals) -> tuple[str, ...]:
    """Countries by how many organisations of ``deals`` are based there, most first
    (ties by name): the order that gives countries their colours. Computed from the
    filtered deals, it is the same for the Network page and a company's network, so a
    country has one colour on both."""
    organisations: dict[str, str] = {}
    for parties, homes in zip(
        deals["parties"].tolist(), deals["party_countries"].tolist(), strict=True
    ):
        if not parties or not isinstance(homes, list | tuple):
            continue
        # A party's home sits at its position; a shorter list of homes leaves the rest unknown.
        for name, home in zip(parties, homes, strict=False):
            if isinstance(home, str) and home:
                organisations[name] = home
    counts = Counter(organisations.values())
    return tuple(sorted(counts, key=lambda c: (-counts[c], c)))


def node_colours(
    graph: nx.Graph, *, colour_by: str = "country", ranking: Iterable[str] | None = None
) -> dict[str, str]:
    """Legend entry -> colour for the graph's organisations: countries by
    number of organisations (the rest share "other"), or organisation kinds.
    ``ranking`` (``country_ranking`` of the deals the graph comes from) fixes the
    countries' order, so each keeps its colour whichever part of the graph is drawn."""
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by must be one of {COLOUR_BY}")
    values = Counter(
        graph.nodes[n].get(colour_by) or UNKNOWN for n in graph.nodes if not is_others(n)
    )
    if colour_by == "country" and ranking is not None:
        order = [c for c in ranking if c != UNKNOWN]
        slot = {c: i for i, c in enumerate(order)}
        colours = {
            c: COUNTRY_PALETTE[slot[c]]
            for c in sorted(values, key=lambda c: slot.get(c, len(slot)))
            if c in slot and slot[c] < len(COUNTRY_PALETTE)
        }
        if any(c != UNKNOWN and c not in colours for c in values):
            colours[OTHER_COUNTRIES] = OTHER_COLOUR
        if UNKNOWN in values:
            colours[UNKNOWN] = UNKNOWN_COLOUR
        return colours
    if colour_by == "kind":
        order = [k for k in ORG_KINDS if k in values] + sorted(
            k for k in values if k not in ORG_KINDS and k != UNKNOWN
        )
        colours = {k: KIND_COLOURS.get(k, OTHER_COLOUR) for k in order}
    else:
        ranked = sorted((c for c in values if c != UNKNOWN), key=lambda c: (-values[c], c))
        colours = {c: COUNTRY_PALETTE[i] for i, c in enumerate(ranked[: len(COUNTRY_PALETTE)])}
        if len(ranked) > len(COUNTRY_PALETTE):
            colours[OTHER_COUNTRIES] = OTHER_COLOUR
    if UNKNOWN in values:
        colours[UNKNOWN] = UNKNOWN_COLOUR
    return colours


def _legend_key(value: str | None, colours: dict[str, str]) -> str:
    """The legend entry an organisation's country or kind falls under."""
    value = value or UNKNOWN
    if value in colours:
        return value
    return OTHER_COUNTRIES if OTHER_COUNTRIES in colours else "other"


def _label(name: object, data: dict) -> str:
    """The text under a dot: an organisation's name, or how many an "others" dot holds."""
    if is_others(name):
        return f"{len(data['organisations']):,} others"
    return str(name)


def _others_title(host: str, names: list[str]) -> str:
    listed = ", ".join(pyvis_text(n) for n in names[:MAX_NAMES_IN_TOOLTIP])
    more = len(names) - MAX_NAMES_IN_TOOLTIP
    return (
        f"<b>{len(names):,} organisation{'s' if len(names) != 1 else ''} with one deal</b>,"
        f" folded beside {pyvis_text(host)}: {listed}" + (f" and {more:,} more" if more > 0 else "")
    )


def _node_title(name: object, data: dict) -> str:
    if is_others(name) and isinstance(name, tuple):  # ("others", host)
        return _others_title(name[1], data["organisations"])
    deals = data.get("deals", 0)
    facts = [data.get("country") or "country unknown", data.get("kind") or "kind unknown"]
    return (
        f"<b>{pyvis_text(name)}</b><br>{' · '.join(pyvis_text(f) for f in facts)}"
        f"<br>{deals} deal{'s' if deals != 1 else ''}"
    )


def _edge_title(a: object, b: object, data: dict, *, brief: bool = False) -> str:
    if data.get("others"):
        host = b if is_others(a) else a
        count = int(data.get("count", 0))
        return (
            f"<b>{pyvis_text(host)}</b> – {count:,} organisation{'s' if count != 1 else ''}"
            " with one deal each (its grey dot lists them)"
        )
    deals = data.get("deals", [])
    count = data.get("count", len(deals))
    lines = []
    listed, evidence_chars, source_chars = (
        (BRIEF_DEALS, BRIEF_EVIDENCE, BRIEF_SOURCE)
        if brief
        else (TOOLTIP_DEALS, TOOLTIP_EVIDENCE, TOOLTIP_SOURCE)
    )
    for deal in deals[:listed]:
        evidence = _shorten(deal.get("evidence") or "", evidence_chars)
        source = deal.get("article_title") or ""
        lines.append(
            f"<li><b>{pyvis_text(deal.get('type') or 'other')}</b>, {pyvis_text(deal.get('date_label') or 'undated')}"
            + (f": “{pyvis_text(evidence)}”" if evidence else "")
            + (
                f" <i>({pyvis_text(_shorten(source, source_chars))})</i>"
                if source and source_chars
                else ""
            )
            + "</li>"
        )
    if len(deals) > listed:
        lines.append(f"<li>and {len(deals) - listed} more</li>")
    return (
        f"<b>{pyvis_text(a)}</b> – <b>{pyvis_text(b)}</b>: {count} deal{'s' if count != 1 else ''}"
        f"<ul>{''.join(lines)}</ul>"
    )


def _legend_html(graph: nx.Graph, colours: dict[str, str], *, colour_by: str) -> str:
    """The legend of what is shown, built only from escaped strings and palette constants."""
    used = {
        _legend_key(graph.nodes[n].get(colour_by), colours) for n in graph.nodes if not is_others(n)
    }
    entries = [k for k in colours if k in used] + sorted(used - set(colours))
    node_items = "".join(
        f'<span class="item"><span class="dot" style="background:{colours.get(label, OTHER_COLOUR)}">'
        f"</span>{pyvis_text(label)}</span>"
        for label in entries
    )
    types = Counter(
        data["types"][0]
        for _, _, data in graph.edges(data=True)
        if data.get("types") and not data.get("others")
    )
    edge_items = "".join(
        f'<span class="item"><span class="line" style="background:{type_colour(t)}"></span>{pyvis_text(t)}</span>'
        for t, _ in types.most_common()
    )
    if any(is_others(n) for n in graph.nodes):
        node_items += (
            f'<span class="item"><span class="dot" style="background:{OTHERS_COLOUR}"></span>'
            "others: organisations with one deal, beside their partner</span>"
        )
    lines = [
        f'<div><span class="group">Organisations by {pyvis_text(colour_by)}</span>{node_items}</div>'
    ]
    if edge_items:
        lines.append(f'<div><span class="group">Links by main deal type</span>{edge_items}</div>')
    lines.append(
        '<div><span class="group">Size</span>'
        '<span class="item">dot: number of deals of the organisation</span>'
        '<span class="item">line width: deals between the two</span></div>'
    )
    return f'<div class="atlas-legend">{"".join(lines)}</div>'


# The largest dot's radius grows with the square root of its deals up to this many
# deals (57 px); beyond, every dot of the drawing is scaled down in proportion. At
# 100,000 articles a hub of 4,259 deals was 465 px across, wider than the canvas is
# high, and fitting the drawing shrank every dot to nothing.
LARGEST_DOT_DEALS = 49


def _node_size(deals: int, *, most: int = 1) -> float:
    """A dot's radius in pixels for ``deals``, in a drawing whose busiest has ``most``."""
    damp = min(1.0, math.sqrt(LARGEST_DOT_DEALS / max(most, 1)))
    return round(8 + 7 * math.sqrt(max(deals, 1)) * damp, 1)


def _edge_width(count: int) -> float:
    return round(min(1.5 + 1.5 * (count - 1), 10.0), 1)


def _label_size(presenter: bool) -> int:
    return font_size(presenter) + (4 if presenter else 1)


@functools.cache
def _template_environment(folder: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder))


@functools.cache
def _vis_css(folder: str) -> tuple[str, str]:
    """vis-network's stylesheet as pyvis inlines it, and the part of it a drawing
    without navigation buttons, editing or configurator uses (the tooltip's rule):
    220 KB, mostly inlined button images, become 315 bytes."""
    css = (Path(folder) / "lib" / "vis-9.1.2" / "vis-network.css").read_text(encoding="utf-8")
    used = "".join(
        f"{selectors}{{{body}}}"
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
        if "vis-tooltip" in selectors
    )
    return css, used


def _options(*, presenter: bool) -> dict:
    label_size = _label_size(presenter)
    return {
        "nodes": {
            "font": {"size": label_size, "strokeWidth": 3, "strokeColor": "#ffffff"},
            # Long names ("Korea Institute of Startup and ...") wrap instead of
            # running across their neighbours.
            "widthConstraint": {"maximum": label_size * LABEL_WRAP_EM},
        },
        "edges": {"smooth": False, "color": {"inherit": False}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
        # Every position comes from atlas.graph.layout_positions: vis-network's
        # physics kept the canvas blank for 15 s (26 s on a busy machine) while it
        # settled 2,000 organisations in headless Chromium (bench/network_bench.py).
        "physics": {"enabled": False, "stabilization": {"enabled": False}},
    }


def _compact_json(match: re.Match) -> str:
    """One DataSet's JSON written again without jinja's HTML-safe escapes: every
    "<", ">", "&" and "'" as a six-character escape and every non-ASCII character
    as another doubled the tooltips' size. Text from articles is HTML-escaped
    before it gets here; what a script block cannot hold is "</" and "<!", kept
    escaped, and so are the two line separators older JavaScript ends a line at."""
    data = json.dumps(json.loads(match["data"]), ensure_ascii=False)
    data = data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")  # line ends to JS
    return match["head"] + re.sub(r"<(?=[/!])", r"\\u003c", data) + match["tail"]


def _strip_remote_resources(page: str) -> str:
    for pattern in _REMOTE_TAGS:
        page = pattern.sub("", page)
    return page


def network_html(
    graph: nx.Graph,
    *,
    colour_by: str = "country",
    height_px: int = 650,
    width_px: int | None = None,
    presenter: bool = False,
    colour_basis: nx.Graph | None = None,
    label_first: Iterable[str] = (),
    country_order: Iterable[str] | None = None,
) -> str:
    """Standalone HTML (vis-network inlined, no remote resource) drawing the
    graph: dot size by deals, dot colour by country or kind with a legend,
    line colour by the main deal type, line width by number of deals, and
    tooltips listing each deal's type, date and evidence. The graph is read,
    never modified. ``colour_basis`` (a larger graph the shown one comes
    from) keeps each country's colour the same whichever part is shown.

    The drawing is laid out for a canvas ``width_px`` (the width the page gives
    it; twice and a half the height when not said) by ``height_px``, so it opens at
    a zoom of about 1 and labels are their font size on screen; organisations
    get a label, most deals first (``label_first`` before all), while it has room
    (see ``atlas.network_canvas``); the rest show it when zoomed in."""
    colours = node_colours(
        colour_basis if colour_basis is not None else graph,
        colour_by=colour_by,
        ranking=country_order,
    )
    width_px = width_px or round(height_px * 2.5)
    label_size = _label_size(presenter)
    wrap_px = label_size * LABEL_WRAP_EM
    most = max(
        (int(d or 0) for n, d in graph.nodes(data="deals", default=0) if not is_others(n)),
        default=1,
    )
    radii = {
        # An "others" dot of thousands would dwarf its host: it grows up to 25.
        name: _node_size(
            min(int(data.get("deals", 0)), 25) if is_others(name) else data.get("deals", 0),
            most=most,
        )
        for name, data in graph.nodes(data=True)
    }
    extents = {
        name: label_extent(plain_text(_label(name, data)), font_px=label_size, wrap_px=wrap_px)
        for name, data in graph.nodes(data=True)
    }
    organisations = graph.subgraph(n for n in graph if not is_others(n)).copy()
    layout = layout_positions(organisations, aspect=width_px / height_px)
    layout.update(others_positions(graph, layout))
    fitting = {
        "width_px": width_px,
        "height_px": height_px,
        "max_spacing": label_size * MAX_SPACING_EM,
    }
    # A crowded drawing (hundreds of organisations) packs neighbours closer than a
    # dot is wide: shrink every dot (and line) in proportion, then lay out again.
    _, spacing = canvas_scales(
        layout, {n: reach(radii[n], extents[n]) for n in graph.nodes}, **fitting
    )
    shrink = dot_shrink(spacing, min(radii.values(), default=0.0))
    radii = {name: round(radius * shrink, 1) for name, radius in radii.items()}
    positions = fit_positions(
        layout, {n: reach(radii[n], extents[n]) for n in graph.nodes}, **fitting
    )
    first = [n for n in dict.fromkeys(label_first) if n in graph]
    # Organisations' names before the "others" dots' counts.
    ranked = sorted(graph.nodes, key=lambda n: (is_others(n), -radii[n], -graph.degree(n), str(n)))
    labelled = label_sides(positions, radii, extents, order=list(dict.fromkeys([*first, *ranked])))
    hidden_label = {"label": {"drawThreshold": round(label_size * REVEAL_ZOOM + 1, 1)}}
    net = Network(height=f"{height_px}px", width="100%", cdn_resources="in_line")
    # pyvis makes a new jinja Environment per Network, so its template was compiled
    # again for every drawing (0.35 s); one Environment keeps it compiled.
    net.templateEnv = _template_environment(net.template_dir)
    net.set_options(json.dumps(_options(presenter=presenter)))
    ids = {name: i for i, name in enumerate(graph.nodes)}
    for name, data in graph.nodes(data=True):
        x, y = positions[name]
        extra: dict[str, object]
        if name not in labelled:
            extra = {"scaling": hidden_label}
        elif labelled[name] == "above":
            extra = {"font": {"vadjust": above_offset(radii[name], extents[name])}}
        else:
            extra = {}
        net.add_node(
            ids[name],
            label=pyvis_text(_label(name, data)),
            title=_node_title(name, data),
            color=OTHERS_COLOUR
            if is_others(name)
            else colours.get(_legend_key(data.get(colour_by), colours), OTHER_COLOUR),
            size=radii[name],
            borderWidth=1,
            x=x,
            y=y,
            **extra,
        )
    brief = graph.number_of_edges() > BRIEF_ABOVE_LINKS
    for a, b, data in graph.edges(data=True):
        count = int(data.get("count", len(data.get("deals", []))))
        main_type = (data.get("types") or ["other"])[0]
        # networkx edges are already unique; pyvis' add_edge would re-check every
        # edge against every other (quadratic on a 2,000-organisation graph).
        others = bool(data.get("others"))
        net.edges.append(
            Edge(
                ids[a],
                ids[b],
                title=_edge_title(a, b, data, brief=brief),
                color=OTHERS_LINE_COLOUR if others else type_colour(main_type),
                width=max(round(_edge_width(min(count, 3) if others else count) * shrink, 1), 1.0),
                **({"dashes": True} if others else {}),
            ).options
        )
    page = net.generate_html()
    if _NETWORK_CALL not in page:
        raise RuntimeError("unexpected pyvis template: cannot attach the tooltip script")
    page = page.replace(_NETWORK_CALL, _SCRIPT + "                  " + _NETWORK_CALL, 1)
    page = _DATASET.sub(_compact_json, page, count=2)
    page = _strip_remote_resources(page)
    page = page.replace(*_vis_css(net.template_dir), 1)
    page = _EMPTY_HEADING.sub("", page)
    page = _TEMPLATE_COMMENT.sub("", page)
    page = page.replace("</head>", _STYLE % {"font": font_size(presenter)} + "</head>", 1)
    page = page.replace("<body>", "<body>" + _legend_html(graph, colours, colour_by=colour_by), 1)
    return page


def legend_height_px(*, presenter: bool) -> int:
    """Room the legend above the canvas needs (three short wrapped lines)."""
    return 165 if presenter else 110


def download_page(page: str, *, title: str, lines: Iterable[str] = (), made: date) -> str:
    """A page from ``network_html`` as a file that stands on its own: a heading
    with ``title``, then ``lines`` (the filters it was drawn with, what was left
    out) and the day it was made, all escaped, above the legend."""
    facts = [*lines, f"Made {made.day} {made:%b %Y} with Partnership Atlas"]
    heading = (
        '<header class="atlas-download-head">'
        f"<h1>{pyvis_text(title)}</h1>"
        + "".join(f"<p>{pyvis_text(line)}</p>" for line in facts)
        + "</header>"
    )
    return page.replace("<body>", "<body>" + _DOWNLOAD_STYLE + heading, 1)


def show_network(
    page: str,
    *,
    key: str,
    height_px: int,
    presenter: bool = False,
    title: str,
    subject: str | None = None,
    note: str | None = None,
) -> None:
    """Embed a page from ``network_html`` (drawn ``height_px`` high) and offer it
    as a download (``{key}_download``) headed by ``title``, the sidebar's filters,
    ``note`` and the day, named after ``subject`` (the organisation it centres on;
    None for the whole network) and the day."""
    st.iframe(
        page,
        height=height_px + legend_height_px(presenter=presenter),
        alt="Network of organisations joined by their deals",
    )
    today = date.today()
    lines = [filters_line(filters.current()), *([note] if note else [])]
    st.download_button(
        "Download this network (HTML)",
        data=download_page(page, title=title, lines=lines, made=today),
        file_name=network_file_name(subject, made=today),
        mime="text/html",
        key=f"{key}_download",
        on_click="ignore",
        icon=":material/download:",
    )


def network_view(
    graph: nx.Graph,
    focus: str | None,
    hops: int,
    max_nodes: int,
    partners: int | None,
    colour_by: str,
    presenter: bool,
    height_px: int,
    country_order: Iterable[str],
) -> tuple[str, str]:
    """The Network page's caption and HTML for one view of ``graph`` (the filtered
    deals' whole graph): all of it, or ``focus`` and the organisations within
    ``hops`` deals of it, drawn as its backbone (``atlas.graph.backbone``: at most
    ``max_nodes`` dots, each organisation's ``partners`` strongest links, small
    partners folded into "others"). The page (through ``data.derived_from_graph``,
    which passes its options in this order) and ``bench/network_bench.py`` both draw
    through here."""
    shown = graph if focus is None else ego_graph(graph, focus, hops=hops)
    keep = [] if focus is None else [focus]
    view = backbone(shown, max_nodes=max_nodes, partners=partners, keep=keep, max_links=MAX_LINKS)
    page = network_html(
        view.graph,
        colour_by=colour_by,
        height_px=height_px,
        width_px=PAGE_WIDTH_PX[presenter],
        presenter=presenter,
        colour_basis=graph,
        label_first=keep,
        # the countries' colours, as a company's network on the Companies page has them
        country_order=country_order,
    )
    caption = backbone_caption(
        view, max_nodes=MAX_NODES, partners_label=PARTNERS_LABEL, size_label=SIZE_LABEL
    )
    return caption, page


# A company's network beside its chart; presenting, as tall as the chart with its larger type.
EGO_HEIGHT_PX = {True: 460, False: 330}
# Half the page's width at 1920 px, with and without the sidebar.
EGO_WIDTH_PX = {True: 840, False: 700}


def company_view(
    kept: KeptDeals, organisation: str, presenter: bool, country_order: tuple[str, ...]
) -> tuple[CompanyProfile, str | None, str | None]:
    """Everything the Companies page shows about one organisation under one filter
    setting (``company_profile``), with its network drawn here, once, as HTML (None
    when it has no partner), and a caption when partners were left out."""
    profile = company_profile(kept, organisation, presenter, EGO_PARTNERS)
    if profile.circle is None:
        return profile, None, None
    view = company_backbone(profile.circle, organisation, profile.partners)
    page = None
    if view.graph.number_of_nodes() > 1:
        page = network_html(
            view.graph,
            height_px=EGO_HEIGHT_PX[presenter],
            width_px=EGO_WIDTH_PX[presenter],
            presenter=presenter,
            label_first=[organisation],
            # each country in the colour the Network page gives it
            country_order=country_order,
        )
    return profile, page, company_network_caption(view, partners=len(profile.partners))


def company_backbone(graph: nx.Graph, organisation: str, partners) -> Backbone:
    """A company's network on the Companies page, drawn by the Network page's
    backbone: the organisation with all its links, its ``EGO_PARTNERS`` partners
    with most deals together (``partners``: ``company_partners``' table), each
    partner's ``DEFAULT_PARTNERS`` strongest links, and the partners of one deal
    together folded into one grey "others" dot beside it when there are more."""
    # Deals together, less a fraction by the table's order: ties drawn as listed.
    size = len(partners) + 1
    together = {
        partner: float(count) - i / size
        for i, (partner, count) in enumerate(
            zip(partners["partner"], partners["deals"], strict=True)
        )
    }
    together[organisation] = max(together.values(), default=0.0) + 1
    return backbone(
        ego_graph(graph, organisation, hops=1),
        max_nodes=EGO_PARTNERS + 1,
        partners=DEFAULT_PARTNERS,
        keep=[organisation],
        rank=together,
    )


def company_network_caption(view: Backbone, *, partners: int) -> str | None:
    """What a company's network leaves out, in plain words (None when nothing)."""
    drawn = view.drawn - 1
    parts = []
    if drawn < partners:
        parts.append(f"Its {drawn:,} most frequent partners of {partners:,} are drawn")
    if view.folded:
        parts.append(
            f"{view.folded:,} with one deal together {'is' if view.folded == 1 else 'are'}"
            " folded into the grey “others” dot"
        )
    if view.kept < view.among:
        parts.append(
            f"{view.kept:,} of {view.among:,} links: all of its own and each partner's"
            f" {DEFAULT_PARTNERS} strongest"
        )
    if not parts:
        return None
    hidden = " Focus on it on the Network page to see the rest." if view.hidden else ""
    return "; ".join(parts) + "." + hidden
