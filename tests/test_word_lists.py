"""The word lists of ``data/lexicon/word_lists.toml``: bundled defaults, a user's folder
without the file or with only some lists, and the pipeline reading them."""

from __future__ import annotations

import shutil
from dataclasses import fields

import pytest

from atlas.lexicon import (
    DEFAULT_LEXICON_DIR,
    LexiconError,
    WordLists,
    bundled_word_lists,
    current_word_lists,
    load_lexicon,
    load_word_lists,
)
from tests.conftest import make_article


def test_the_bundled_file_defines_every_list():
    words = bundled_word_lists()
    for field in fields(WordLists):
        assert getattr(words, field.name), field.name
    assert "Therapeutics" in words.org_suffixes and "Inc." in words.legal_suffixes
    assert "acquisition/merger" in words.asymmetric_types


def test_a_folder_without_the_file_uses_the_bundled_lists(tmp_path):
    (tmp_path / "organisations.csv").write_text("name,aliases,country,kind\nZorblax,,,company\n")
    lexicon = load_lexicon(tmp_path)
    assert [o.name for o in lexicon.organisations] == ["Zorblax"]
    assert lexicon.words == bundled_word_lists()


def test_a_file_with_some_lists_keeps_the_bundled_rest(tmp_path):
    (tmp_path / "word_lists.toml").write_text(
        '# only what I tune\nmember_nouns = ["participant", "fellow"]\n', encoding="utf-8"
    )
    words = load_word_lists(tmp_path)
    assert words.member_nouns == frozenset({"participant", "fellow"})
    assert words.org_suffixes == bundled_word_lists().org_suffixes


@pytest.mark.parametrize(
    "text, message",
    [
        ('member_noun = ["fellow"]\n', "unknown word list 'member_noun'"),
        ('member_nouns = "fellow"\n', "member_nouns must be a list of strings"),
        ('member_nouns = ["fellow"\n', "word_lists.toml"),
    ],
)
def test_a_misspelt_or_malformed_list_is_refused(tmp_path, text, message):
    (tmp_path / "word_lists.toml").write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        load_word_lists(tmp_path)


def test_the_corpus_reader_takes_the_lists_of_the_lexicon_folder(tmp_path, monkeypatch):
    (tmp_path / "word_lists.toml").write_text('multiword_countries = ["atlantis"]\n')
    monkeypatch.setenv("ATLAS_LEXICON_DIR", str(tmp_path))
    assert current_word_lists().multiword_countries == frozenset({"atlantis"})
    monkeypatch.setenv("ATLAS_LEXICON_DIR", str(DEFAULT_LEXICON_DIR))
    assert "south korea" in current_word_lists().multiword_countries


@pytest.mark.model
def test_the_pipeline_reads_the_lists_of_its_lexicon(tmp_path, rules_extractor):
    from atlas.extract import Extractor

    extractor = rules_extractor  # the rules alone, so the name suffix alone decides

    shutil.copytree(DEFAULT_LEXICON_DIR, tmp_path / "lexicon")
    folder = tmp_path / "lexicon"
    # The statistical model misses this name; a name suffix the user adds finds it.
    text = "Pfizer signed a supply agreement with Tessel Werke for its tablets."
    assert extractor.extract(make_article(text)).deals == []
    (folder / "word_lists.toml").write_text('org_suffixes = ["Werke"]\n', encoding="utf-8")
    deals = Extractor(load_lexicon(folder), models=None).extract(make_article(text)).deals
    assert [d.parties for d in deals] == [("Pfizer", "Tessel Werke")]


@pytest.mark.parametrize(
    "name, aliases, message",
    [
        ("Kelvora\u202e amrahP", (), None),  # a right-to-left override is dropped
        ("K" * 201, (), "at most 200"),
        ("Kelvora Pharma", ("Kel\nvora",), "line break"),
        ("Kelvora|Pharma", (), "'|'"),
        ("  ", (), "empty"),
        ("Astellas", (), "already in the lexicon"),
    ],
)
def test_names_added_to_the_lexicon_are_cleaned_or_refused(tmp_path, name, aliases, message):
    from atlas.lexicon import add_organisation_entry

    shutil.copytree(DEFAULT_LEXICON_DIR, tmp_path / "lexicon")
    folder = tmp_path / "lexicon"
    if message is None:
        entry = add_organisation_entry(name, aliases=list(aliases), directory=folder)
        assert entry.name == "Kelvora amrahP"
        assert "Kelvora amrahP" in {e.name for e in load_lexicon(folder).organisations}
    else:
        with pytest.raises(LexiconError, match=message):
            add_organisation_entry(name, aliases=list(aliases), directory=folder)
