"""Shared fixtures: the real pipeline (loaded once), in-memory stores, the seed corpus."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "articles"
SHARED_EVAL = ROOT.parent / "shared" / "eval"

# Tests must never write into the user's default store, nor its prepared tables
# (atlas.snapshot) into the user's cache folder.
os.environ.setdefault("ATLAS_DB_URL", "sqlite://")
os.environ.setdefault("ATLAS_CACHE_DIR", tempfile.mkdtemp(prefix="atlas-test-cache-"))


@pytest.fixture(scope="session")
def extractor():
    from atlas.extract import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def rules_extractor(extractor):
    """The same pipeline deciding by the rules alone (no trained models)."""
    from atlas.extract import Extractor

    return Extractor(extractor.lexicon, extractor.nlp, models=None)


@pytest.fixture(scope="session")
def seed_results(extractor):
    from atlas.corpus import read_corpus

    articles = [a for a in read_corpus([SEEDS]) if hasattr(a, "items")]
    return {r.article.file: r for r in extractor.extract_many(articles)}


@pytest.fixture
def memory_store():
    from atlas.store import open_store

    return open_store("sqlite://")


def make_article(
    text: str, *, file: str = "test.txt", title: str | None = None, published: str | None = None
):
    """An article through the real corpus reader, as ingest would see it."""
    from atlas.corpus import parse_text_article

    return parse_text_article(text, file=file, title=title, published=published)


# An article whose organisation name, evidence sentence and title carry markup:
# every page must show it as text and never run it.
HOSTILE_TEXT = (
    "Onerror<img/src=x/onerror=alert(1)>Bio Therapeutics has signed a licence agreement with Eisai "
    "for its oncology antibody <script>alert('xss')</script>.\n\n"
    "The companies said the deal covers Japan."
)
HOSTILE_TITLE = "<b>Evil</b> <script>alert(2)</script> deal"


@pytest.fixture(scope="session")
def seeded_db_url(tmp_path_factory, rules_extractor):
    """A SQLite file holding the three seed articles plus one hostile article,
    extracted with the real pipeline (built once per test session)."""
    from atlas.corpus import read_corpus
    from atlas.store import open_store, save_extraction

    folder = tmp_path_factory.mktemp("seeded")
    url = f"sqlite:///{folder / 'atlas.db'}"
    engine = open_store(url)
    articles = [a for a in read_corpus([SEEDS]) if hasattr(a, "items")]
    articles.append(make_article(HOSTILE_TEXT, file="hostile.txt", title=HOSTILE_TITLE))
    # The rules alone: the pages' tests count what these four articles state, and must
    # not move when the trained models are retrained.
    for result in rules_extractor.extract_many(articles):
        save_extraction(engine, result, fingerprint=rules_extractor.fingerprint)
    engine.dispose()
    return url


@pytest.fixture
def app_env(seeded_db_url, monkeypatch):
    """Point the app at the seeded store and start with empty Streamlit caches."""
    import streamlit as st

    from components import data

    monkeypatch.setenv("ATLAS_DB_URL", seeded_db_url)
    st.cache_data.clear()
    data.clear_caches()  # the deals frames are held by cache_resource
    return seeded_db_url


@pytest.fixture
def empty_app_env(tmp_path, monkeypatch):
    import streamlit as st

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    from components import data

    monkeypatch.setenv("ATLAS_DB_URL", url)
    st.cache_data.clear()
    data.clear_caches()
    return url
