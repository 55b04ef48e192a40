"""Shared fixtures: the real pipeline (loaded once), in-memory stores, the seed corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "articles"
SHARED_EVAL = ROOT.parent / "shared" / "eval"

# Tests must never write into the user's default store.
os.environ.setdefault("ATLAS_DB_URL", "sqlite://")


@pytest.fixture(scope="session")
def extractor():
    from atlas.extract import Extractor

    return Extractor()


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
