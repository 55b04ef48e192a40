"""Prepared tables kept on disk (atlas.snapshot): used while the store is unchanged,
rebuilt after any write, a code change or a damaged file, never in the way."""

from __future__ import annotations

import logging

import pytest
from pandas.testing import assert_frame_equal

from atlas import snapshot, store
from atlas.corrections import add_correction, undo_correction
from tests.test_store import _result


@pytest.fixture
def file_store(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    engine = store.open_store(f"sqlite:///{tmp_path / 'atlas.db'}")
    store.save_extraction(engine, _result("a1"), fingerprint="f1")
    yield engine
    engine.dispose()


def counting(builds: list):
    def build(engine):
        builds.append(store.data_generation(engine))
        return snapshot._build_dashboard_tables(engine)

    return build


def test_an_unchanged_store_is_read_from_the_file_and_equals_a_fresh_build(file_store):
    builds: list[int] = []
    first = snapshot.prepared(file_store, "t", counting(builds))
    again = snapshot.prepared(file_store, "t", counting(builds))
    assert builds == [1]
    fresh = snapshot._build_dashboard_tables(file_store)
    for kept, built in zip(again, fresh, strict=True):
        assert_frame_equal(kept, built)
    assert first[0]["parties"].tolist() == [["Alpha Bio", "Beta Pharma"]]


def test_every_kind_of_write_makes_it_rebuild(file_store):
    builds: list[int] = []
    prepared = lambda: snapshot.prepared(file_store, "t", counting(builds))  # noqa: E731
    prepared()
    store.save_extraction(file_store, _result("a2"), fingerprint="f1")
    deals, _ = prepared()
    # The same deal reported by a second article: one deal, two sources.
    assert deals["n_sources"].tolist() == [2]
    correction = add_correction(file_store, "rename_org", "Alpha Bio", {"name": "Alpha"})
    deals, organisations = prepared()
    assert "Alpha" in set(organisations["name"])
    undo_correction(file_store, correction)
    deals, organisations = prepared()
    assert "Alpha Bio" in set(organisations["name"])
    prepared()
    assert builds == [1, 2, 3, 4]
    # one file per table: the older ones are gone
    folder = snapshot.cache_dir(file_store.url.render_as_string(hide_password=False))
    store_id = store.data_version(file_store)[0]
    assert [p.name for p in folder.glob("t-*.pickle")] == [
        f"t-{store_id}-4-{snapshot.code_digest()}.pickle"
    ]


def test_other_code_rebuilds(file_store, monkeypatch):
    builds: list[int] = []
    snapshot.prepared(file_store, "t", counting(builds))
    monkeypatch.setattr(snapshot, "code_digest", lambda: "another-version")
    snapshot.prepared(file_store, "t", counting(builds))
    assert builds == [1, 1]


def test_a_damaged_file_is_rebuilt_with_a_warning(file_store, caplog):
    builds: list[int] = []
    snapshot.prepared(file_store, "t", counting(builds))
    folder = snapshot.cache_dir(file_store.url.render_as_string(hide_password=False))
    (path,) = folder.glob("t-*.pickle")
    path.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="atlas.snapshot"):
        deals, _ = snapshot.prepared(file_store, "t", counting(builds))
    assert builds == [1, 1] and len(deals) == 1
    assert "unreadable, rebuilding" in caplog.text
    snapshot.prepared(file_store, "t", counting(builds))
    assert builds == [1, 1]  # the rebuilt file is good again


def test_a_folder_that_cannot_be_written_only_costs_the_speed_up(file_store, tmp_path, caplog):
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the folder should be")
    builds: list[int] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATLAS_CACHE_DIR", str(blocker))
        with caplog.at_level(logging.WARNING, logger="atlas.snapshot"):
            deals, _ = snapshot.prepared(file_store, "t", counting(builds))
            snapshot.prepared(file_store, "t", counting(builds))
    assert len(deals) == 1 and builds == [1, 1]
    assert "could not keep prepared table" in caplog.text


def test_where_files_go(tmp_path, monkeypatch):
    monkeypatch.delenv("ATLAS_CACHE_DIR", raising=False)
    assert snapshot.cache_dir("sqlite://") is None
    assert snapshot.cache_dir("sqlite:///:memory:") is None
    beside = snapshot.cache_dir(f"sqlite:///{tmp_path / 'atlas.db'}")
    assert beside == tmp_path / "atlas.db.cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    server = snapshot.cache_dir("postgresql+psycopg://atlas:secret@db.example/atlas")
    assert server.parent == tmp_path / "xdg" / "partnership-atlas"
    assert "secret" not in str(server)
    other = snapshot.cache_dir("postgresql+psycopg://atlas:secret@db.example/other")
    assert other != server
    monkeypatch.setenv("ATLAS_CACHE_DIR", "off")
    assert snapshot.cache_dir(f"sqlite:///{tmp_path / 'atlas.db'}") is None


def test_an_in_memory_store_keeps_no_file(memory_store, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    store.save_extraction(memory_store, _result("a1"), fingerprint="f1")
    deals, _ = snapshot.dashboard_tables(memory_store)
    assert len(deals) == 1
    assert not (tmp_path / "cache").exists()
