"""End-to-end extraction on the real spaCy model: seeds, each deal type, non-deals."""

from __future__ import annotations

import pytest

from tests.conftest import make_article

pytestmark = pytest.mark.model

# The deals the project was founded on (issue 2 / issue 3 acceptance): parties as
# canonical lexicon names, and the type each must get.
SEED_DEALS = {
    "000_d1c1c98d28aab052.txt": [
        (
            {"Astellas Pharma", "Japanese Foundation for Cancer Research"},
            "partnership/collaboration",
        ),
        ({"Astellas Pharma", "Yaskawa Electric"}, "joint venture"),
    ],
    "001_9dcebb8680a8a426.txt": [
        ({"Astellas Pharma", "Yaskawa Electric"}, "joint venture"),
        ({"Sawai Pharmaceutical", "Asahi Kasei"}, "settlement/litigation"),
        (
            {"Alfresa Holdings", "Kidswell Bio", "Chiome Bioscience", "Mycenax Biotech"},
            "alliance/consortium",
        ),
        ({"Itochu", "AND Pharma"}, "equity investment/stake"),
        ({"Mochida Pharmaceutical", "AND Pharma"}, "equity investment/stake"),
        ({"Alvotech", "Fuji Pharma"}, "supply/distribution/commercialisation"),
        ({"Sawai Pharmaceutical", "Nichi-Iko Pharmaceutical"}, "partnership/collaboration"),
    ],
    "002_9da3396a4fc6b824.txt": [
        (
            {"Astellas Pharma", "Korea Institute of Startup and Entrepreneurship Development"},
            "partnership/collaboration",
        ),
        ({"Astellas Pharma", "TCUBEiT"}, "partnership/collaboration"),
        ({"Astellas Pharma", "AAVATAR Therapeutics"}, "partnership/collaboration"),
        ({"Astellas Pharma", "Nikon Instruments"}, "partnership/collaboration"),
        ({"Astellas Pharma", "xFOREST Therapeutics"}, "partnership/collaboration"),
    ],
}


@pytest.mark.parametrize("file", sorted(SEED_DEALS))
def test_every_seed_deal_is_found_with_its_type(seed_results, file):
    found = {(frozenset(d.parties), d.type) for d in seed_results[file].deals}
    expected = {(frozenset(parties), deal_type) for parties, deal_type in SEED_DEALS[file]}
    assert expected <= found


def test_seed_deals_are_found_at_precision_090(seed_results):
    """The extraction issue's bar for the founding articles: every deal, precision >= 0.9
    (a trained decision may add a deal the articles do not state; the rules alone were
    exact on these three articles they were written for)."""
    found = {frozenset(d.parties) for r in seed_results.values() for d in r.deals}
    expected = {frozenset(parties) for deals in SEED_DEALS.values() for parties, _ in deals}
    assert expected <= found
    assert len(expected) / len(found) >= 0.9


def test_the_rules_alone_find_exactly_the_seed_deals(rules_extractor):
    from atlas.corpus import read_corpus
    from tests.conftest import SEEDS

    articles = [a for a in read_corpus([SEEDS]) if hasattr(a, "items")]
    for result in rules_extractor.extract_many(articles):
        found = {(frozenset(d.parties), d.type) for d in result.deals}
        expected = {
            (frozenset(parties), deal_type)
            for parties, deal_type in SEED_DEALS[result.article.file]
        }
        assert found == expected


def test_seed_countries_and_areas(seed_results):
    deals = {frozenset(d.parties): d for r in seed_results.values() for d in r.deals}
    alliance = deals[
        frozenset({"Alfresa Holdings", "Kidswell Bio", "Chiome Bioscience", "Mycenax Biotech"})
    ]
    assert set(alliance.countries) == {"Japan", "Taiwan"}
    assert "biosimilars" in alliance.therapeutic_areas
    kised = deals[
        frozenset(
            {"Astellas Pharma", "Korea Institute of Startup and Entrepreneurship Development"}
        )
    ]
    assert set(kised.countries) == {"Japan", "South Korea"}
    assert {"oncology", "gene therapy"} <= set(kised.therapeutic_areas)
    alvotech = deals[frozenset({"Alvotech", "Fuji Pharma"})]
    assert set(alvotech.countries) == {"Iceland", "Japan"}
    settlement = deals[frozenset({"Sawai Pharmaceutical", "Asahi Kasei"})]
    assert "osteoporosis" in settlement.therapeutic_areas


def test_seed_alias_forms_resolve_to_one_organisation(seed_results):
    result = seed_results["000_d1c1c98d28aab052.txt"]
    forms = {m.text for m in result.mentions if m.canonical == "Astellas Pharma"}
    assert {"Astellas Pharma", "Astellas"} <= {f.rstrip("’") for f in forms}
    jfcr = {
        m.text for m in result.mentions if m.canonical == "Japanese Foundation for Cancer Research"
    }
    assert "JFCR" in jfcr
    kised = seed_results["002_9da3396a4fc6b824.txt"]
    assert {m.canonical for m in kised.mentions if m.text in ("KISED", "Astellas Pharma Inc.")} == {
        "Korea Institute of Startup and Entrepreneurship Development",
        "Astellas Pharma",
    }


def test_photo_credits_and_indices_are_not_organisations(seed_results):
    names = {n for r in seed_results.values() for n in r.organisations}
    assert not any("Shutterstock" in n for n in names)
    assert not any("Index" in n or "KOSPI" in n for n in names)


@pytest.mark.parametrize(
    ("sentence", "parties", "deal_type"),
    [
        # Subject and "with" object of a deal noun.
        (
            "Novartis has signed a research collaboration with Kyoto University on kidney disease.",
            {"Novartis", "Kyoto University"},
            "partnership/collaboration",
        ),
        # Licence: the noun phrase beats the generic "agreement".
        (
            "Hanmi Pharmaceutical and Genentech today announced an exclusive license agreement for a KRAS inhibitor.",
            {"Hanmi Pharmaceutical", "Genentech"},
            "licensing",
        ),
        # Joint venture from a verb with a "with" object.
        (
            "Fujifilm formed a joint venture with Kyowa Kirin to make biosimilars.",
            {"Fujifilm", "Kyowa Kirin"},
            "joint venture",
        ),
        # Acquisition: verb with an organisation object, unknown target name.
        (
            "Pfizer has agreed to acquire Zentaris Biotherapeutics for $2 billion in cash.",
            {"Pfizer", "Zentaris Biotherapeutics"},
            "acquisition/merger",
        ),
        # Passive acquisition with "by".
        (
            "Qorvina Medical was acquired by Medtronic in 2021.",
            {"Qorvina Medical", "Medtronic"},
            "acquisition/merger",
        ),
        # Stake: "acquired a stake in" is equity, not an acquisition.
        (
            "Mitsui & Co. acquired a 15% stake in Lumora Therapeutics.",
            {"Mitsui & Co.", "Lumora Therapeutics"},
            "equity investment/stake",
        ),
        # Alliance with coordinated subjects.
        (
            "Eisai and Biogen formed a strategic alliance in Alzheimer's disease.",
            {"Eisai", "Biogen"},
            "alliance/consortium",
        ),
        # Settlement with a possessive party.
        (
            "Teva's settlement with Amgen ends the patent litigation over the biosimilar.",
            {"Teva Pharmaceutical Industries", "Amgen"},
            "settlement/litigation",
        ),
        # Supply/distribution.
        (
            "Celltrion signed a distribution agreement with Medipal Holdings to sell its biosimilars in Japan.",
            {"Celltrion", "Medipal Holdings"},
            "supply/distribution/commercialisation",
        ),
        # Hyphenated compound before the deal noun.
        (
            "The Shionogi-Ono collaboration targets infectious disease.",
            {"Shionogi", "Ono Pharmaceutical"},
            "partnership/collaboration",
        ),
    ],
)
def test_deal_types(extractor, sentence, parties, deal_type):
    result = extractor.extract(make_article(sentence))
    found = {frozenset(d.parties): d.type for d in result.deals}
    resolved = {p if p in result.organisations else p for p in parties}
    match = next(
        (k for k in found if {_short(n) for n in k} == {_short(n) for n in resolved}), None
    )
    assert match is not None, f"no deal between {parties}: {found}"
    assert found[match] == deal_type


def _short(name: str) -> str:
    return name.split()[0].rstrip(",").lower()


@pytest.mark.parametrize(
    "sentence",
    [
        # A proposal is not a deal.
        "Rorvex Pharma said it has received an unsolicited merger proposal from Daiichi Sankyo.",
        # Talks are not a deal.
        "Biogen is in talks to sell its plant to Lonza, people familiar said.",
        # Modal: may.
        "Startups like Quilon Therapeutics and Verasta Bio may attract acquisition interest.",
        # Denial.
        "Squibb said it is not interested in buying Cetus.",
        # Co-mention without an agreement.
        "Takeda and Astellas both reported higher sales in the quarter.",
        # Plans to investigate.
        "Ablynx and Algeta announced plans to investigate synergies between their technologies.",
    ],
)
def test_non_deals(extractor, sentence):
    result = extractor.extract(make_article(sentence))
    assert result.deals == []


def test_each_acquired_a_stake_is_two_deals(extractor):
    result = extractor.extract(
        make_article(
            "Japan's Marubeni and Santen Pharmaceutical have each acquired a 10% stake in Kelvora Pharma."
        )
    )
    assert {frozenset(d.parties) for d in result.deals} == {
        frozenset({"Marubeni", "Kelvora Pharma"}),
        frozenset({"Santen Pharmaceutical", "Kelvora Pharma"}),
    }


def test_country_from_text(extractor):
    result = extractor.extract(
        make_article("Taiwan's Quantora Biologics signed a licence agreement with Eisai.")
    )
    assert result.organisations["Quantora Biologics"].country == "Taiwan"


@pytest.mark.parametrize(
    "text, word",
    [
        ("Basel (Jan. 16)—Korvinel Bio was launched as a combined group.", "Korvinel"),
        ('He called it "a milestone"—Dravena Pharma agreed.', "Dravena"),
        ("Lyon [update]–Ostrava Labs signed the deal.", "Ostrava"),
    ],
)
def test_a_dash_after_a_bracket_or_quote_starts_a_word(extractor, text, word):
    """Trade-press datelines run "(Jan. 16)—Company" together; the company is a word of
    its own, so it can be an organisation, while ranges such as 2019–2020 stay whole."""
    assert word in [t.text for t in extractor.nlp(text)]
    assert "2019–2020" in [t.text for t in extractor.nlp("Sales in 2019–2020 rose.")]


def test_sentence_date_overrides_article_date(extractor):
    article = make_article(
        "In March 2019, Merck Animal Health acquired Scan Aqua AS, a fish health company.",
        published="2024-02-05",
    )
    (deal,) = extractor.extract(article).deals
    assert deal.deal_date == "2019-03"
    assert deal.date_precision == "month"


def test_worker_processes_give_the_same_results_in_the_same_order(extractor, seed_results):
    """``n_process=2`` forks workers that run the pipeline and the rules; what comes back
    must equal the one-process extraction, article by article, in input order."""
    from atlas.corpus import read_corpus
    from tests.conftest import SEEDS

    articles = [a for a in read_corpus([SEEDS]) if hasattr(a, "items")]
    # Three copies with batch_size 1: more chunks than workers, so order is tested.
    many = articles * 3
    results = list(extractor.extract_many(many, n_process=2, batch_size=1))
    assert [r.article.file for r in results] == [a.file for a in many]
    for result in results:
        expected = seed_results[result.article.file]
        assert result.deals == expected.deals
        assert result.mentions == expected.mentions
        assert list(result.organisations) == list(expected.organisations)
