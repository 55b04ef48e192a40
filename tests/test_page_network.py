"""The Network page: the pyvis rendering (escaped, offline, still) and the page by AppTest.

The component HTML is read back as data: the nodes and edges pyvis serialises
into the page are parsed from it, so tests assert on titles and labels rather
than on markup.
"""

from __future__ import annotations

import json
import re

import networkx as nx
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from atlas.figures.style import type_colour
from atlas.graph import LARGE_COMPONENT, build_deal_graph, layout_positions
from atlas.query import DealFilters
from components.network import DEFAULT_MAX_NODES, MAX_NODES, network_html, node_colours
from tests.conftest import ROOT
from tests.test_graph import deal, frame, scale_free

PAGE = str(ROOT / "views" / "network.py")
JFCR = "Japanese Foundation for Cancer Research"
KISED = "Korea Institute of Startup and Entrepreneurship Development"
HOSTILE = "<img src=x onerror=alert(1)>"


def vis_data(page: str) -> tuple[list[dict], list[dict], dict]:
    """The nodes, edges and options pyvis wrote into the page."""
    nodes = re.search(r"nodes = new vis\.DataSet\((.*?)\);\n", page).group(1)
    edges = re.search(r"edges = new vis\.DataSet\((.*?)\);\n", page).group(1)
    options = re.search(r"var options = (.*?);\n", page).group(1)
    return json.loads(nodes), json.loads(edges), json.loads(options)


def labels(page: str) -> set[str]:
    return {n["label"] for n in vis_data(page)[0]}


@pytest.fixture
def hostile_graph() -> nx.Graph:
    deals = frame(
        deal(
            1,
            [HOSTILE, "Eisai & Co"],
            ["<b>Nowhere</b>", "Japan"],
            "licensing",
            evidence=f"{HOSTILE} licensed <script>alert('xss')</script> to Eisai",
            article_title=f"<a href=javascript:alert(3)>{HOSTILE}</a>",
        ),
        deal(2, ["Eisai & Co", "Astellas"], ["Japan", "Japan"], "joint venture"),
        deal(3, ["Eisai & Co", "Astellas"], ["Japan", "Japan"], "joint venture"),
    )
    return build_deal_graph(deals)


# --- network_html ----------------------------------------------------------------------------


def test_hostile_names_and_evidence_are_escaped(hostile_graph):
    page = network_html(hostile_graph)
    for raw in (HOSTILE, "<script>alert('xss')</script>", "<b>Nowhere</b>", "<a href"):
        assert raw not in page
    nodes, edges, _ = vis_data(page)
    by_label = {n["label"]: n for n in nodes}
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    assert escaped in by_label
    assert escaped in by_label[escaped]["title"]
    assert "&lt;b&gt;Nowhere&lt;/b&gt;" in by_label[escaped]["title"]
    assert "Eisai &amp; Co" in by_label
    title = next(e["title"] for e in edges if e["color"] == type_colour("licensing"))
    assert "&lt;img src=x onerror=alert(1)&gt; licensed &lt;script&gt;" in title
    assert "<img" not in title and "<script" not in title and "<a " not in title
    # pyvis swaps in an innerHTML popup template when a node title says "href".
    assert "div.popup" not in page


def test_legend_is_escaped_too(hostile_graph):
    page = network_html(hostile_graph, colour_by="country")
    legend = re.search(r'<div class="atlas-legend">.*?</div></div>', page, re.DOTALL)
    assert legend
    assert "&lt;b&gt;Nowhere&lt;/b&gt;" in legend.group(0)
    assert "<b>Nowhere</b>" not in page


def test_html_fetches_nothing_remote(hostile_graph):
    page = network_html(hostile_graph)
    lowered = page.lower()
    for attribute in (
        'src="http',
        "src='http",
        'href="http',
        "href='http",
        "src=http",
        "href=http",
    ):
        assert attribute not in lowered
    assert "cdn.jsdelivr" not in lowered and "cdnjs" not in lowered
    # vis-network itself is in line.
    assert "vis.Network" in page and len(page) > 100_000


def test_the_graph_is_not_modified(hostile_graph):
    before = nx.node_link_data(hostile_graph, edges="edges")
    network_html(hostile_graph, colour_by="kind", presenter=True)
    assert nx.node_link_data(hostile_graph, edges="edges") == before


def test_size_colour_and_width_follow_the_data(hostile_graph):
    nodes, edges, options = vis_data(network_html(hostile_graph))
    by_label = {n["label"]: n for n in nodes}
    assert by_label["Eisai &amp; Co"]["size"] > by_label["Astellas"]["size"]
    colours = node_colours(hostile_graph, colour_by="country")
    assert by_label["Astellas"]["color"] == colours["Japan"]
    assert by_label["Eisai &amp; Co"]["color"] == colours["Japan"]
    widths = {e["color"]: e["width"] for e in edges}
    assert widths[type_colour("joint venture")] > widths[type_colour("licensing")]
    # Small graphs are laid out in Python and drawn still.
    assert options["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in nodes)


def test_colour_by_kind_uses_the_kind():
    deals = frame(deal(1, ["Uni", "Pharma"], ["Japan", "Japan"], "licensing"))
    organisations = pd.DataFrame(
        {"name": ["Uni", "Pharma"], "country": ["Japan", "Japan"], "kind": ["academic", "company"]}
    )
    graph = build_deal_graph(deals, organisations=organisations)
    nodes, _, _ = vis_data(network_html(graph, colour_by="kind"))
    colours = {n["label"]: n["color"] for n in nodes}
    assert colours["Uni"] != colours["Pharma"]
    assert colours == {
        "Uni": node_colours(graph, colour_by="kind")["academic"],
        "Pharma": node_colours(graph, colour_by="kind")["company"],
    }
    with pytest.raises(ValueError):
        network_html(graph, colour_by="size")


@pytest.mark.parametrize("size", [LARGE_COMPONENT, MAX_NODES])
def test_large_networks_are_drawn_still_where_they_were_laid_out(size):
    graph = scale_free(size)
    width, height = 1700, 720
    page = network_html(graph, width_px=width, height_px=height)
    nodes, _, options = vis_data(page)
    # No physics in the browser: it took 15 s to settle 2,000 organisations there.
    assert options["physics"]["enabled"] is False
    assert options["physics"]["stabilization"]["enabled"] is False
    assert 'network.once("stabilizationIterationsDone"' not in page
    assert len(nodes) == size
    expected = layout_positions(graph, aspect=width / height)
    xs = [x for x, _ in expected.values()]
    ys = [y for _, y in expected.values()]
    scale_x = (max(n["x"] for n in nodes) - min(n["x"] for n in nodes)) / (max(xs) - min(xs))
    scale_y = (max(n["y"] for n in nodes) - min(n["y"] for n in nodes)) / (max(ys) - min(ys))
    first = nodes[0]
    shift_x = first["x"] - expected[first["label"]][0] * scale_x
    shift_y = first["y"] + expected[first["label"]][1] * scale_y
    for node in nodes:
        x, y = expected[node["label"]]
        # The layout scaled to the canvas and moved, y flipped (y grows downwards there).
        assert node["x"] == pytest.approx(x * scale_x + shift_x, abs=0.2)
        assert node["y"] == pytest.approx(-y * scale_y + shift_y, abs=0.2)
        # Inside the canvas at vis-network's starting zoom (its fit leaves 10 % around).
        assert abs(node["x"]) < width / 2 / 1.1 and abs(node["y"]) < height / 2 / 1.1


def _star(partners: int) -> nx.Graph:
    return build_deal_graph(
        frame(
            *(
                deal(i, ["Hub Pharma", f"Partner Number {i}"], ["Japan", "Japan"], "licensing")
                for i in range(partners)
            )
        )
    )


def test_a_small_network_labels_every_organisation():
    nodes, _, _ = vis_data(network_html(_star(3), width_px=840, height_px=460, presenter=True))
    assert len(nodes) == 4
    assert all("scaling" not in n for n in nodes)


def test_a_crowded_network_labels_the_largest_and_keeps_the_rest_for_zooming_in():
    graph = _star(40)
    nodes, _, options = vis_data(network_html(graph, width_px=840, height_px=460, presenter=True))
    labelled = {n["label"] for n in nodes if "scaling" not in n}
    assert "Hub Pharma" in labelled
    assert 2 <= len(labelled) < len(nodes)
    font = options["nodes"]["font"]["size"]
    for node in nodes:
        if node["label"] not in labelled:
            # Still named, drawn once zoomed in past the starting zoom (vis-network
            # hides a label whose size on screen is under drawThreshold - 1).
            threshold = node["scaling"]["label"]["drawThreshold"]
            assert font < threshold - 1 < 2 * font
    # A focused organisation is labelled first, whatever its size.
    nodes, _, _ = vis_data(
        network_html(graph, width_px=840, height_px=460, label_first=["Partner Number 17"])
    )
    assert "scaling" not in next(n for n in nodes if n["label"] == "Partner Number 17")


def test_presenter_mode_uses_larger_labels(hostile_graph):
    small = vis_data(network_html(hostile_graph))[2]["nodes"]["font"]["size"]
    large = vis_data(network_html(hostile_graph, presenter=True))[2]["nodes"]["font"]["size"]
    assert large > small


def test_an_empty_graph_still_renders():
    nodes, edges, _ = vis_data(network_html(nx.Graph()))
    assert nodes == [] and edges == []


# --- the page ------------------------------------------------------------------------------


def run_page(filters: DealFilters | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if filters is not None:
        at.session_state["atlas_filters"] = filters
    at.run()
    return at


def component_html(at: AppTest) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1
    return frames[0].proto.srcdoc


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return "\n".join(parts)


def test_empty_store_says_so(empty_app_env):
    at = run_page()
    assert not at.exception
    assert any("empty" in info.value for info in at.info)
    assert not at.get("iframe")


def test_filters_that_leave_nothing_say_so(app_env):
    at = run_page(DealFilters(organisations=("Nobody at all",)))
    assert not at.exception
    assert any("No deals match" in w.value for w in at.warning)
    assert not at.get("iframe")


def test_whole_network_with_download(app_env):
    at = run_page()
    assert not at.exception
    shown = labels(component_html(at))
    assert {"Astellas Pharma", "Sawai Pharmaceutical", "Mycenax Biotech", "Alvotech"} <= shown
    assert at.selectbox(key="network_focus").value == "All organisations"
    assert at.slider(key="network_max_nodes").value == DEFAULT_MAX_NODES
    assert at.slider(key="network_max_nodes").max == MAX_NODES
    assert [b.key for b in at.get("download_button")] == ["network_download"]
    assert any(f"{len(shown)} organisations" in c.value for c in at.caption)


def test_focus_on_astellas(app_env):
    at = run_page()
    at.selectbox(key="network_focus").select("Astellas Pharma").run()
    assert not at.exception
    shown = labels(component_html(at))
    assert {
        "Astellas Pharma",
        JFCR,
        "Yaskawa Electric",
        KISED,
        "TCUBEiT",
        "AAVATAR Therapeutics",
    } <= shown
    assert "Sawai Pharmaceutical" not in shown


def test_two_hops_reach_partners_of_partners(app_env):
    at = run_page()
    at.selectbox(key="network_focus").select("Asahi Kasei").run()
    assert labels(component_html(at)) == {"Asahi Kasei", "Sawai Pharmaceutical"}
    at.radio(key="network_hops").set_value(2).run()
    assert not at.exception
    assert labels(component_html(at)) == {
        "Asahi Kasei",
        "Sawai Pharmaceutical",
        "Nichi-Iko Pharmaceutical",
    }


def test_pair_shows_the_sawai_nichi_iko_deal(app_env):
    at = run_page()
    at.selectbox(key="network_pair_a").select("Sawai Pharmaceutical").run()
    at.selectbox(key="network_pair_b").select("Nichi-Iko Pharmaceutical").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Parties"].tolist() == ["Sawai Pharmaceutical + Nichi-Iko Pharmaceutical"]
    assert table["Type"].tolist() == ["partnership/collaboration"]
    assert "Nichi-Iko" in table["Evidence"].iloc[0]


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ("Sawai Pharmaceutical", "Astellas Pharma", "share no deal"),
        ("Sawai Pharmaceutical", "Sawai Pharmaceutical", "two different"),
    ],
)
def test_pair_without_deals_says_so(app_env, a, b, message):
    at = run_page()
    at.selectbox(key="network_pair_a").select(a).run()
    at.selectbox(key="network_pair_b").select(b).run()
    assert not at.exception
    assert not at.dataframe
    assert any(message in i.value for i in at.info)


def test_cap_shows_top_n_of_m(app_env):
    at = run_page()
    total = len(labels(component_html(at)))
    at.slider(key="network_max_nodes").set_value(10).run()
    assert not at.exception
    nodes = vis_data(component_html(at))[0]
    organisations = {n["label"] for n in nodes if not n["label"].endswith(" others")}
    assert len(organisations) == 10 and "Astellas Pharma" in organisations
    caption = next(c.value for c in at.caption if c.value.startswith("Showing"))
    assert "10 organisations" in caption
    folded = sum(int(n["label"].split()[0]) for n in nodes if n["label"].endswith(" others"))
    hidden = total - 10 - folded
    if folded:
        assert (
            f"{folded} organisations with one deal" in caption or "1 organisation with" in caption
        )
    if hidden:
        assert "not drawn; raise “Most organisations shown” (up to 2,000)" in caption


def test_colour_by_kind(app_env):
    at = run_page()
    at.radio(key="network_colour_by").set_value("kind").run()
    assert not at.exception
    assert "Organisations by kind" in component_html(at)


def test_hostile_article_is_escaped_in_the_component(app_env):
    at = run_page()
    assert not at.exception
    page = component_html(at)
    assert "<img/src=x/onerror" not in page and "<script>alert(" not in page
    _, edges, _ = vis_data(page)
    titles = " ".join(e["title"] for e in edges)
    assert "&lt;img/src=x/onerror=alert(1)&gt;" in titles
    # The evidence's later <script> is past the tooltip's 110 characters here; its
    # escaping is tested on network_html above (test_hostile_names_and_evidence_are_escaped).
    assert "<img" not in all_text(at) and "<script" not in all_text(at)


def test_choices_gone_after_a_filter_change_are_reset(app_env):
    at = run_page()
    at.selectbox(key="network_focus").select("Astellas Pharma").run()
    at.selectbox(key="network_pair_a").select("Astellas Pharma").run()
    at.session_state["atlas_filters"] = DealFilters(organisations=("Sawai Pharmaceutical",))
    at.run()
    assert not at.exception
    assert at.selectbox(key="network_focus").value == "All organisations"
    assert at.selectbox(key="network_pair_a").value is None
    assert labels(component_html(at)) == {
        "Sawai Pharmaceutical",
        "Nichi-Iko Pharmaceutical",
        "Asahi Kasei",
    }


def test_reruns_reuse_the_graph_and_the_drawing(app_env, monkeypatch):
    """Choosing a pair reruns the page; the graph and its layout are not rebuilt,
    and they are rebuilt only for a new view (another colouring here)."""
    import atlas.graph
    import components.network

    built, drawn = [], []
    build, draw = atlas.graph.build_deal_graph, components.network.network_html

    def counting_build(*args, **kwargs):
        built.append(1)
        return build(*args, **kwargs)

    def counting_draw(*args, **kwargs):
        drawn.append(1)
        return draw(*args, **kwargs)

    monkeypatch.setattr(atlas.graph, "build_deal_graph", counting_build)
    monkeypatch.setattr(components.network, "network_html", counting_draw)
    at = run_page()
    first = component_html(at)
    at.selectbox(key="network_pair_a").select("Sawai Pharmaceutical").run()
    at.selectbox(key="network_pair_b").select("Nichi-Iko Pharmaceutical").run()
    assert not at.exception
    assert (len(built), len(drawn)) == (1, 1)
    assert component_html(at) == first
    at.radio(key="network_colour_by").set_value("kind").run()
    assert (len(built), len(drawn)) == (1, 2)
    assert component_html(at) != first


def test_a_country_has_one_colour_on_the_network_page_and_in_a_company_network():
    """The Companies network ranked countries among its own few organisations, so
    Japan could be blue on the Network page and orange in a company's circle."""
    import networkx as nx
    import pandas as pd

    from components.network import country_ranking, node_colours

    deals = pd.DataFrame(
        {
            "parties": [["A", "B"], ["C", "D"], ["E", "F"], ["A", "G"]],
            "party_countries": [
                ["Japan", "Japan"],
                ["Japan", "South Korea"],
                ["Iceland", "Iceland"],
                ["Japan", "Iceland"],
            ],
        }
    )
    ranking = country_ranking(deals)
    assert ranking == ("Iceland", "Japan", "South Korea")  # three each: by name
    whole = nx.Graph()
    for name, country in zip(
        "ABCDEFG", ["Japan"] * 3 + ["South Korea", "Iceland", "Iceland", "Iceland"], strict=True
    ):
        whole.add_node(name, country=country)
    circle = whole.subgraph(["C", "D"])  # one Japanese and one Korean organisation
    everywhere = node_colours(whole, ranking=ranking)
    in_circle = node_colours(circle, ranking=ranking)
    assert in_circle["Japan"] == everywhere["Japan"]
    assert in_circle["South Korea"] == everywhere["South Korea"]
    # without the shared ranking the circle's own counts decide, and the colours differ
    assert node_colours(circle)["South Korea"] != everywhere["South Korea"]
