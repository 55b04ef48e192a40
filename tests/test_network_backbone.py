"""The backbone on the Network page and in a company's network: the widget, the
caption, the grey "others" dots drawn escaped, and the browser drawing them.

The graph logic is tested on data in tests/test_graph.py; here the drawing and
the pages."""

from __future__ import annotations

import math

import pytest
from streamlit.testing.v1 import AppTest

from atlas.graph import OTHERS, backbone, build_deal_graph
from components.network import (
    DEFAULT_PARTNERS,
    OTHERS_COLOUR,
    OTHERS_LINE_COLOUR,
    PARTNER_CHOICES,
    network_html,
)
from tests.conftest import ROOT
from tests.test_graph import deal, frame
from tests.test_page_network import HOSTILE, component_html, vis_data

PAGE = str(ROOT / "views" / "network.py")


def hub_with_small_partners(small: int) -> object:
    """A hub with a busy partner (three deals), and ``small`` partners of one deal,
    the first of them named with markup."""
    rows = [deal(i, ["Hub Pharma", "Busy Bio"], ["Japan", "Japan"], "licensing") for i in range(3)]
    names = [HOSTILE] + [f"Small Partner {i:02d}" for i in range(1, small)]
    rows += [
        deal(10 + i, ["Hub Pharma", name], ["Japan", "Japan"], "partnership/collaboration")
        for i, name in enumerate(names)
    ]
    return build_deal_graph(frame(*rows))


def test_others_dot_is_drawn_grey_beside_its_host_with_escaped_names():
    graph = hub_with_small_partners(20)
    view = backbone(graph, max_nodes=2, partners=DEFAULT_PARTNERS)
    assert view.folded == 20
    page = network_html(view.graph)
    assert HOSTILE not in page
    nodes, edges, _ = vis_data(page)
    by_label = {n["label"]: n for n in nodes}
    assert set(by_label) == {"Hub Pharma", "Busy Bio", "20 others"}
    dot = by_label["20 others"]
    assert dot["color"] == OTHERS_COLOUR
    assert "20 organisations with one deal</b>, folded beside Hub Pharma" in dot["title"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in dot["title"]
    assert "and 12 more" in dot["title"]  # eight names listed
    line = next(e for e in edges if e["color"] == OTHERS_LINE_COLOUR)
    assert line["dashes"] is True
    assert "20 organisations with one deal each" in line["title"]
    # Beside its host: closer to it than the host is to its busy partner.
    hub, busy = by_label["Hub Pharma"], by_label["Busy Bio"]
    assert math.dist((dot["x"], dot["y"]), (hub["x"], hub["y"])) < math.dist(
        (busy["x"], busy["y"]), (hub["x"], hub["y"])
    )
    # The legend says what the grey dots are; they are no country of their own.
    assert "others: organisations with one deal, beside their partner" in page
    assert "unknown" not in page.split("atlas-legend", 1)[1].split("</div>", 1)[0]


def test_a_graph_with_a_node_named_like_the_marker_is_not_confused():
    graph = hub_with_small_partners(3)
    graph.add_edge(OTHERS, "Hub Pharma", count=1, types=["licensing"], deals=[])
    graph.nodes[OTHERS].update(deals=1, country=None, kind=None)
    view = backbone(graph, max_nodes=10, partners=None)
    nodes = vis_data(network_html(view.graph))[0]
    assert OTHERS in {n["label"] for n in nodes}


def run_page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at


def test_the_partners_widget_thins_the_links_and_the_caption_says_so(app_env):
    at = run_page()
    assert not at.exception
    widget = at.select_slider(key="network_partners")
    assert widget.value == DEFAULT_PARTNERS
    assert tuple(widget.options) == tuple(str(k) for k in PARTNER_CHOICES)
    before = len(vis_data(component_html(at))[1])
    widget.set_value(1).run()
    assert not at.exception
    after = len(vis_data(component_html(at))[1])
    assert after <= before
    caption = next(c.value for c in at.caption if c.value.startswith("Showing"))
    if "strongest partner " in caption:
        assert f"Showing {after} of " in caption
        assert "raise “Strongest partners each” for more" in caption
    else:
        assert f"and {after} link" in caption
    assert at.query_params["partners"] == "1"


def test_the_partners_setting_comes_back_from_the_url(app_env):
    at = run_page({"partners": "2"})
    assert not at.exception
    assert at.select_slider(key="network_partners").value == 2
    nonsense = run_page({"partners": "99"})
    assert not nonsense.exception
    assert nonsense.select_slider(key="network_partners").value == DEFAULT_PARTNERS


@pytest.mark.parametrize("partners", PARTNER_CHOICES)
def test_every_choice_draws(app_env, partners):
    at = run_page({"partners": str(partners)})
    assert not at.exception
    assert vis_data(component_html(at))[0]


def test_a_hub_of_thousands_of_deals_leaves_every_dot_visible():
    """At 100,000 articles a hub of 4,259 deals got a dot 930 px across; fitting the
    drawing to the canvas then shrank every dot to size 0."""
    graph = hub_with_small_partners(3)
    graph.nodes["Hub Pharma"]["deals"] = 4259
    nodes = vis_data(network_html(graph, width_px=1450, height_px=620))[0]
    sizes = {n["label"]: n["size"] for n in nodes}
    assert min(sizes.values()) >= 4
    assert sizes["Hub Pharma"] == max(sizes.values()) <= 60
