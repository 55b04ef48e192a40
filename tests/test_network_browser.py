"""The backbone's drawing in a real browser (Debian Chromium, Playwright): the grey
"others" dot shows the names folded into it as text, hostile ones inert, nothing
leaves the machine, and the canvas is painted."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas.graph import OTHERS, backbone
from components.network import DEFAULT_PARTNERS, network_html
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, is_outside
from tests.test_network_backbone import hub_with_small_partners
from tests.test_page_network import HOSTILE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium: apt-get install chromium"),
]


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_the_others_dot_tooltip_lists_hostile_names_as_text(browser, tmp_path):
    view = backbone(hub_with_small_partners(20), max_nodes=2, partners=DEFAULT_PARTNERS)
    assert (OTHERS, "Hub Pharma") in view.graph
    file = tmp_path / "network.html"
    file.write_text(network_html(view.graph, width_px=900, height_px=500), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    requests, dialogs, errors = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(file.as_uri())
        page.wait_for_function("() => typeof network !== 'undefined' && network.getScale() > 0")
        page.wait_for_timeout(300)
        # The dots are painted: a hub of three-plus deals is not shrunk to nothing.
        painted = page.evaluate(
            """() => {
                const canvas = document.querySelector('#mynetwork canvas');
                const pixels = canvas.getContext('2d')
                    .getImageData(0, 0, canvas.width, canvas.height).data;
                let count = 0;
                for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) count += 1;
                return count;
            }"""
        )
        assert painted > 500
        # Hover the grey dot: its tooltip lists the folded names.
        where = page.evaluate(
            """() => {
                const id = network.body.data.nodes.get()
                    .find((n) => n.label.endsWith(' others')).id;
                const at = network.getPositions([id])[id];
                const dom = network.canvasToDOM(at);
                const box = document.querySelector('#mynetwork canvas').getBoundingClientRect();
                return {x: box.left + dom.x, y: box.top + dom.y};
            }"""
        )
        page.mouse.move(where["x"] + 1, where["y"] + 1)
        tip = page.locator("div.vis-tooltip")
        tip.wait_for(state="visible", timeout=5000)
        text = tip.inner_text()
        assert "20 organisations with one deal" in text
        assert HOSTILE in text  # shown as text ...
        assert tip.locator("img").count() == 0  # ... never made an element
        assert page.locator("img").count() == 0
    finally:
        context.close()
    assert not dialogs and not errors
    assert not [url for url in requests if is_outside(url) and not url.startswith("file:")]
