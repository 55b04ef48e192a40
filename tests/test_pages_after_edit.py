"""After a change every page shows it at once, though the prepared tables are brought
up to date by the change (atlas.incremental) instead of rebuilt: each page, warm
before, shows the new data and none of the old, whether the change was made on the
Corrections page or by another process (the CLI, a background job) behind the
app's back."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

pytestmark = pytest.mark.model

PAGES = ["overview", "timeline", "countries", "network", "companies", "articles", "deals"]
OLD, NEW = "Nichi-Iko Pharmaceutical", "Nichi-Iko Group"


@pytest.fixture
def private_store(seeded_db_url, tmp_path, monkeypatch):
    """A copy of the seeded store this test may change."""
    import streamlit as st

    target = tmp_path / "atlas.db"
    shutil.copy(seeded_db_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("ATLAS_DB_URL", url)
    st.cache_data.clear()
    return url


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def page_text(at: AppTest) -> str:
    """Everything a page shows: tables, choices, texts, charts' and drawings' data."""
    parts = []
    for element in _walk(at._tree):
        value = getattr(element, "value", None)
        if hasattr(value, "to_string"):
            parts.append(value.to_string())
        parts.extend(str(o) for o in getattr(element, "options", None) or ())
        proto = getattr(element, "proto", None)
        if proto is not None:
            parts.append(str(proto))
    return "\n".join(parts)


def visit_every_page(at: AppTest) -> dict[str, str]:
    shown = {}
    for page in PAGES:
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, page
        shown[page] = page_text(at)
    return shown


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    return at


def test_a_correction_changes_every_page_at_once(private_store):
    at = _app()
    before = visit_every_page(at)
    assert all(OLD in text for text in before.values())  # every page shows the name
    visit_every_page(at)  # warm: every page's caches hold the old tables now
    at.switch_page("views/corrections.py").run()
    at.selectbox(key="corrections_org").select(OLD).run()
    at.text_input(key="corrections_org_rename_name").input(NEW)
    at.button(key="FormSubmitter:corrections_org_rename_form-Rename").click().run()
    assert not at.exception
    after = visit_every_page(at)
    for page, text in after.items():
        assert NEW in text and OLD not in text, page
    # Undone: every page as before.
    at.switch_page("views/corrections.py").run()
    at.selectbox(key="corrections_undo_id").select(1).run()
    at.button(key="corrections_undo").click().run()
    for page, text in visit_every_page(at).items():
        assert OLD in text and NEW not in text, page


def test_a_change_made_behind_the_apps_back_shows_on_the_next_run(private_store):
    from atlas import store
    from atlas.corrections import add_correction

    at = _app()
    visit_every_page(at)
    engine = store.open_store(private_store)
    try:
        add_correction(engine, "rename_org", OLD, {"name": NEW})  # no cache cleared
    finally:
        engine.dispose()
    for page, text in visit_every_page(at).items():
        assert NEW in text and OLD not in text, page


def test_while_a_job_rewrites_every_deal_the_held_tables_are_served(private_store, monkeypatch):
    """A re-extraction deletes and writes every deal again as it goes: the app serves
    the tables it holds until the job ends, instead of rebuilding them on every run,
    then shows the job's result."""
    from atlas import incremental, store
    from atlas.corpus import read_corpus
    from atlas.extract import Extractor
    from components import data
    from tests.conftest import SEEDS

    at = _app()
    visit_every_page(at)
    running = [True]
    monkeypatch.setattr(data, "_job_running", lambda engine: running[0])
    builds = []
    build_state = incremental.build_state
    monkeypatch.setattr(incremental, "build_state", lambda *a: builds.append(1) or build_state(*a))
    engine = store.open_store(private_store)
    try:
        # One article extracted again under another lexicon fingerprint: its rows go.
        first = next(a for a in read_corpus([SEEDS]) if hasattr(a, "items"))
        result = next(iter(Extractor().extract_many([first])))
        store.save_extraction(engine, result, fingerprint="another lexicon")
    finally:
        engine.dispose()
    at.switch_page("views/deals.py").run()
    assert not at.exception and builds == []
    running[0] = False  # the job ended
    at.switch_page("views/deals.py").run()
    assert not at.exception and builds == [1]


def test_the_network_after_an_edit_is_carried_over_and_equals_one_read_again(
    private_store, monkeypatch
):
    """After a correction the Network's graph parts and the index's lists are carried
    through the edit's splice (not read from every deal again), and they equal what a
    read of the new deals gives: every graph, whole and under a filter, and the lists."""
    from atlas.graph import DealGraphParts, build_deal_graph
    from atlas.query import DealFilters, DealIndex, filter_deals
    from components import data

    carried = []
    update = DealGraphParts.updated

    def spy(self, *args, **kwargs):
        carried.append(True)
        return update(self, *args, **kwargs)

    monkeypatch.setattr(DealGraphParts, "updated", spy)
    carry = DealIndex.carried

    def index_spy(self, *args, **kwargs):
        carried.append("index")
        return carry(self, *args, **kwargs)

    monkeypatch.setattr(DealIndex, "carried", index_spy)
    at = _app()
    for page in ("network", "countries"):  # the graph parts and the index's lists read
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception
    at.switch_page("views/corrections.py").run()
    at.selectbox(key="corrections_org").select(OLD).run()
    at.text_input(key="corrections_org_rename_name").input(NEW)
    at.button(key="FormSubmitter:corrections_org_rename_form-Rename").click().run()
    at.switch_page("views/network.py").run()
    assert not at.exception and True in carried and "index" in carried
    deals, organisations = data.deals(), data.organisations()
    index = data.deal_index(DealFilters())[0]
    for column in ("countries", "party_countries"):
        codes, lists = index._carried_lists(column)  # made from the index before
        expected_codes, expected_lists = DealIndex(deals).distinct_lists(column)
        assert lists == expected_lists and codes.tolist() == expected_codes.tolist()
    whole = data.deal_graph(DealFilters())
    assert NEW in whole and OLD not in whole
    expected = build_deal_graph(deals, organisations=organisations)
    assert list(whole.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(whole.edges(data=True)) == list(expected.edges(data=True))
    licences = DealFilters(types=("licensing",))
    kept = filter_deals(deals, licences)
    expected = build_deal_graph(kept, organisations=organisations)
    assert list(data.deal_graph(licences).edges(data=True)) == list(expected.edges(data=True))
