"""AppTest smoke tests: the app runs on an empty store and on a filled one."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


@pytest.fixture
def app_with_store(tmp_path, monkeypatch):
    def make(fill: bool) -> AppTest:
        url = f"sqlite:///{tmp_path / 'atlas.db'}"
        monkeypatch.setenv("ATLAS_DB_URL", url)
        if fill:
            from atlas import store
            from tests.test_store import _result

            store.save_extraction(store.open_store(url), _result(), fingerprint="f")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        return at

    return make


def test_empty_store_says_so(app_with_store):
    at = app_with_store(False)
    assert not at.exception
    assert any("empty" in info.value for info in at.info)


def test_filled_store_shows_counts(app_with_store):
    at = app_with_store(True)
    assert not at.exception
    assert [m.value for m in at.metric] == ["1", "2", "1"]
