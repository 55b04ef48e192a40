"""Name normalisation and resolution (no spaCy model needed)."""

import pytest

from atlas.lexicon import load_lexicon
from atlas.organisations import OrganisationResolver, display_name, normalise_name


@pytest.fixture(scope="module")
def resolver():
    return OrganisationResolver(load_lexicon())


@pytest.mark.parametrize(
    ("mention", "key"),
    [
        ("Astellas Pharma Inc.", "astellas pharma"),  # legal suffix with a dot
        ("Astellas’", "astellas"),  # curly possessive without s
        ("Asahi Kasei’s", "asahi kasei"),  # curly possessive
        ("the Japanese Foundation for Cancer Research", "japanese foundation for cancer research"),
        ("Merck & Co., Inc.", "merck and"),  # "& Co., Inc." -> the ampersand survives as "and"
        ("Scan Aqua AS", "scan aqua as"),  # "AS" is not in the suffix list: kept
        ("Biopool AB", "biopool"),  # Swedish suffix
    ],
)
def test_normalise_name(mention, key):
    assert normalise_name(mention) == key


@pytest.mark.parametrize(
    ("mention", "display"),
    [
        ("Harpoon Therapeutics, Inc.", "Harpoon Therapeutics"),
        ("TCUBEiT Inc.", "TCUBEiT"),
        ("Merck & Co.", "Merck & Co."),  # stripping would leave "Merck &"
        ("the Japanese Foundation for Cancer Research", "Japanese Foundation for Cancer Research"),
        ("Mycenax’s", "Mycenax"),
        # legal forms as cleanco knows them: stacked, in capitals, from other countries
        ("Kissei Pharmaceutical Co., Ltd.", "Kissei Pharmaceutical"),
        ("GENSTAR THERAPEUTICS CORPORATION", "GENSTAR THERAPEUTICS"),
        ("InnoKeys PTE Ltd.", "InnoKeys"),
        ("Scan Aqua AS", "Scan Aqua"),
        ("Eli Lilly and Company", "Eli Lilly and Company"),  # not "Eli Lilly and"
        ("Merck & Co., Inc.", "Merck & Co."),
        ("UK", "UK"),  # a one-word name is left alone
    ],
)
def test_display_name(mention, display):
    assert display_name(mention) == display


@pytest.mark.parametrize(
    ("mention", "canonical"),
    [
        # Every alias form of a seed organisation that the lexicon knows.
        ("Astellas", "Astellas Pharma"),
        ("Astellas Pharma", "Astellas Pharma"),
        ("Astellas Pharma Inc.", "Astellas Pharma"),
        ("Astellas’", "Astellas Pharma"),
        ("Astellas’s", "Astellas Pharma"),
        ("Yaskawa Electric Corporation", "Yaskawa Electric"),
        ("Yaskawa", "Yaskawa Electric"),
        ("KISED", "Korea Institute of Startup and Entrepreneurship Development"),
        ("Asahi Kasei’s", "Asahi Kasei"),
        ("Mochida Pharmaceutical", "Mochida Pharmaceutical"),
    ],
)
def test_lexicon_lookup(resolver, mention, canonical):
    assert resolver.lookup(mention) == canonical


def test_fuzzy_match_needs_same_first_word(resolver):
    # A one-letter typo of a lexicon name resolves; a different company does not.
    assert resolver.lookup("Astelas Pharma") == "Astellas Pharma"
    assert resolver.lookup("Boston Biomedical Research") is None


def test_unknown_names_are_created_and_short_forms_join_them(resolver):
    resolved = resolver.resolve_document(
        ["Harpoon Therapeutics, Inc.", "Harpoon", "Quest Blood Substitute Inc", "Quest Blood"]
    )
    assert resolved["Harpoon"] == "Harpoon Therapeutics"
    assert resolved["Harpoon Therapeutics, Inc."] == "Harpoon Therapeutics"
    assert resolved["Quest Blood"] == "Quest Blood Substitute"


def test_full_name_with_suffix_is_not_swallowed_by_a_longer_name(resolver):
    # "CytRx Corp" is the parent of "CytRx Biopool Ltd", not a short form of it.
    resolved = resolver.resolve_document(["CytRx Biopool Ltd", "CytRx Corp"])
    assert resolved["CytRx Corp"] != resolved["CytRx Biopool Ltd"]


def test_abbreviation_hint(resolver):
    resolved = resolver.resolve_document(
        ["Japanese Foundation for Cancer Research", "JFCR"],
        hints={"JFCR": "the Japanese Foundation for Cancer Research"},
    )
    assert resolved["JFCR"] == resolved["Japanese Foundation for Cancer Research"]


@pytest.mark.parametrize(
    ("mentions", "expected"),
    [
        # "the University" after the one university the article names
        (["Cardiff University", "University"], "Cardiff University"),
        # two universities: a bare "University" is nobody in particular
        (["Cardiff University", "Tolvane University", "University"], "University"),
    ],
)
def test_a_bare_institution_head_means_the_one_name_ending_with_it(resolver, mentions, expected):
    resolved = resolver.resolve_document(mentions, heads=frozenset({"university"}))
    assert resolved["University"] == expected
