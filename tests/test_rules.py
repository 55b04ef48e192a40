"""The party rules, one parametrised test each, and the sentence findings, on the real model.

Each case names the trigger it is about and the groups the deciding rule returns (``[]``
when the rule decides the trigger states no deal between named organisations). The
sentences are written for these tests; organisation names are lexicon names.
"""

from __future__ import annotations

import pytest

from atlas import extract
from atlas.rules import PARTY_RULES, SentenceContext, find_triggers, sentence_findings
from atlas.rules.parties import TriggerArguments
from tests.conftest import make_article

pytestmark = pytest.mark.model


@pytest.fixture
def contexts(rules_extractor, monkeypatch):
    """Text -> the sentence contexts the rules extractor builds for it (organisations resolved,
    main organisation and last subject set), recorded as it asks for their findings."""

    def read(text: str) -> list[SentenceContext]:
        seen: list[SentenceContext] = []
        real = extract.sentence_findings

        def recording(ctx, *args):
            seen.append(ctx)
            return real(ctx, *args)

        with monkeypatch.context() as patch:
            patch.setattr(extract, "sentence_findings", recording)
            rules_extractor.extract(make_article(text))
        return seen

    return read


@pytest.fixture
def decide(rules_extractor, contexts):
    """(text, trigger text) -> (name of the rule that decided, its groups)."""

    def run(text: str, trigger: str) -> tuple[str, list[tuple[str, ...]]]:
        for ctx in contexts(text):
            for span, entry in find_triggers(
                ctx.sent, rules_extractor.matcher, rules_extractor.trigger_table
            ):
                if span.text != trigger:
                    continue
                arguments = TriggerArguments(ctx, span, entry.role, entry.type)
                for rule in PARTY_RULES:
                    groups = rule(arguments)
                    if groups is not None:
                        return rule.__name__, groups
                return "no rule", []
        raise AssertionError(f"no trigger {trigger!r} in {text!r}")

    return run


def assert_decided(decide, rule: str, text: str, trigger: str, groups: list[tuple[str, ...]]):
    assert decide(text, trigger) == (rule, groups)


@pytest.mark.parametrize(
    "text, trigger, groups",
    [
        # The hyphenated pair decides before the parse, so the pronoun subject with no
        # organisation to stand for does not matter.
        (
            "They announced the Astellas-Yaskawa joint venture.",
            "joint venture",
            [("Astellas Pharma", "Yaskawa Electric")],
        ),
        # An adjective between the pair and the trigger is skipped.
        (
            "Astellas and Yaskawa Electric formed an Astellas-Yaskawa new joint venture.",
            "joint venture",
            [("Astellas Pharma", "Yaskawa Electric")],
        ),
        # A slash joins the pair as a hyphen does.
        ("The Pfizer/BioNTech alliance makes vaccines.", "alliance", [("Pfizer", "BioNTech")]),
    ],
)
def test_hyphen_pair(decide, text, trigger, groups):
    assert_decided(decide, "hyphen_pair", text, trigger, groups)


@pytest.mark.parametrize(
    "text, trigger",
    [
        # A headline without a verb: the parser tags "Acquires" as a noun, so there is
        # no subject or object to read, though both names are right there.
        ("Acquires Seagen: Pfizer", "Acquires"),
        ("BUYS STAKE IN SEAGEN", "BUYS"),
    ],
)
def test_verb_outside_parse(decide, text, trigger):
    assert_decided(decide, "verb_outside_parse", text, trigger, [])


@pytest.mark.parametrize(
    "text, trigger",
    [
        # The article has a main organisation, but a sentence naming none states no
        # deal of it: the main organisation is only a partner to a named object.
        ("Pfizer reported results. The deal was signed yesterday.", "deal"),
        ("Pfizer reported results. The deal was signed yesterday.", "signed"),
    ],
)
def test_nothing_named(decide, text, trigger):
    assert_decided(decide, "nothing_named", text, trigger, [])


@pytest.mark.parametrize(
    "text, trigger",
    [
        # The buyer is not an organisation: one named party is no deal.
        ("Private investors acquired Seagen last year.", "acquired"),
        # The comma cuts the infinitive from its subject in the parse.
        ("Pfizer, to acquire Seagen", "acquire"),
    ],
)
def test_object_without_subject(decide, text, trigger):
    assert_decided(decide, "object_without_subject", text, trigger, [])


@pytest.mark.parametrize(
    "text, trigger, groups",
    [
        # The subject is the product; both organisations are objects ("to", "by").
        (
            "The antibody was licensed to Bayer by Novartis in 2020.",
            "licensed",
            [("Bayer", "Novartis")],
        ),
        (
            "The drug was licensed to Merck by Ridgeback Biotherapeutics.",
            "licensed",
            [("Merck & Co.", "Ridgeback Biotherapeutics")],
        ),
        # Not only licences: any passive verb with the thing dealt as its subject.
        ("The drug was acquired from Bayer by Novartis.", "acquired", [("Bayer", "Novartis")]),
    ],
)
def test_passive_product_subject(decide, text, trigger, groups):
    assert_decided(decide, "passive_product_subject", text, trigger, groups)


@pytest.mark.parametrize(
    "text, trigger, groups",
    [
        ("The merger of Bayer and Monsanto closed in 2018.", "merger", [("Bayer", "Monsanto")]),
        # A third organisation in the sentence, but "between" names the parties.
        (
            "According to Sanofi, the agreement between Bayer and Genentech covers oncology.",
            "agreement",
            [("Bayer", "Genentech")],
        ),
    ],
)
def test_between_objects(decide, text, trigger, groups):
    assert_decided(decide, "between_objects", text, trigger, groups)


@pytest.mark.parametrize(
    "text, trigger, groups",
    [
        # Novartis is the subject of "said", not of the deal's verb ("covers"): the one
        # other organisation of the sentence. It speaks for itself, so it is no
        # quoted speaker.
        (
            "Novartis said the partnership with Galapagos covers three drugs.",
            "partnership",
            [("Novartis", "Galapagos")],
        ),
    ],
)
def test_sentence_partner(decide, text, trigger, groups):
    assert_decided(decide, "sentence_partner", text, trigger, groups)


@pytest.mark.parametrize(
    "text, trigger, groups",
    [
        # The sentence names one organisation; the article's main one (named in the
        # sentence before) is the other party.
        (
            "Pfizer reported strong sales. The collaboration with BioNTech will focus on vaccines.",
            "collaboration",
            [("Pfizer", "BioNTech")],
        ),
    ],
)
def test_main_org_partner(decide, text, trigger, groups):
    assert_decided(decide, "main_org_partner", text, trigger, groups)


@pytest.mark.parametrize(
    "text, trigger, groups",
    [
        # Two other organisations in a clause of the deal noun: not parties, and too
        # many to say which one would be the partner.
        (
            "The licence with Genentech and Monsanto, reported by Sanofi and Bayer, "
            "is worth $1 billion.",
            "licence",
            [("Genentech", "Monsanto")],
        ),
        # The possessor and the "with" object are the parties; the bidders are not.
        (
            "Bayer's licence with Galapagos, which Sanofi and Novartis also bid for, "
            "covers Europe.",
            "licence",
            [("Bayer", "Galapagos")],
        ),
        # One object and no one to pair it with: no deal.
        (
            "The licence with Genentech, reported by Sanofi and Bayer, is worth $1 billion.",
            "licence",
            [],
        ),
    ],
)
def test_objects_only(decide, text, trigger, groups):
    assert_decided(decide, "objects_only", text, trigger, groups)


@pytest.mark.parametrize(
    "text, trigger",
    [
        # Each bought shares of someone the sentence does not name: no deal between them.
        ("Bayer and Novartis each acquired shares.", "acquired"),
        # "signed" is a verb of the generic type; its object is the agreement, and the
        # noun trigger "licence agreements" states the deals.
        ("Bayer and Novartis signed licence agreements with Genentech.", "signed"),
    ],
)
def test_asymmetric_without_object(decide, text, trigger):
    assert_decided(decide, "asymmetric_without_object", text, trigger, [])


@pytest.mark.parametrize(
    "text, trigger, groups",
    [
        # "merge" is symmetric although its type is an asymmetric one.
        (
            "Daiichi Sankyo and AstraZeneca merged last year.",
            "merged",
            [("Daiichi Sankyo", "AstraZeneca")],
        ),
        # Three subjects form one consortium, not three pairs.
        (
            "Pfizer, BioNTech and Moderna formed a consortium.",
            "consortium",
            [("Pfizer", "BioNTech", "Moderna")],
        ),
        # One company merging with no one named: no deal.
        ("Pfizer merged last year.", "merged", []),
    ],
)
def test_symmetric_subjects(decide, text, trigger, groups):
    assert_decided(decide, "symmetric_subjects", text, trigger, groups)


@pytest.mark.parametrize(
    "text, trigger, groups",
    [
        # One agreement of three parties, not two deals with Galapagos.
        (
            "Bayer and Novartis signed a licence agreement with Galapagos.",
            "licence agreement",
            [("Bayer", "Novartis", "Galapagos")],
        ),
    ],
)
def test_co_signatories(decide, text, trigger, groups):
    assert_decided(decide, "co_signatories", text, trigger, groups)


@pytest.mark.parametrize(
    "text, trigger, groups",
    [
        # The affiliate joins the one merger; "its" must not add the subject twice.
        (
            "Takeda completed its merger with Shire and its affiliate Baxalta.",
            "merger",
            [("Takeda Pharmaceutical", "Shire", "Baxalta")],
        ),
    ],
)
def test_merger_group(decide, text, trigger, groups):
    assert_decided(decide, "merger_group", text, trigger, groups)


@pytest.mark.parametrize(
    "text, trigger, groups",
    [
        ("Pfizer has acquired Seagen for $43 billion.", "acquired", [("Pfizer", "Seagen")]),
        # The noun trigger takes the subject of its verb ("signed") and its "with" object.
        (
            "Novartis signed a licence agreement with Galapagos.",
            "licence agreement",
            [("Novartis", "Galapagos")],
        ),
        # A plural "agreements": each subject signed its own, so no co-signatories.
        (
            "Bayer and Novartis signed licence agreements with Genentech.",
            "licence agreements",
            [("Bayer", "Genentech"), ("Novartis", "Genentech")],
        ),
        # More than four names are a list of mergers, not one.
        (
            "Bayer merged with Monsanto, Novartis, Sanofi and Genentech.",
            "merged",
            [
                ("Bayer", "Monsanto"),
                ("Bayer", "Novartis"),
                ("Bayer", "Sanofi"),
                ("Bayer", "Genentech"),
            ],
        ),
    ],
)
def test_subject_object_pairs(decide, text, trigger, groups):
    assert_decided(decide, "subject_object_pairs", text, trigger, groups)


def test_every_party_rule_has_a_test():
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert {rule.__name__ for rule in PARTY_RULES} <= tested


@pytest.mark.parametrize(
    "text, groups",
    [
        # The members are named in an apposition of "participants"; the programme's
        # organisation (the article's main one) is in the sentence before.
        (
            "Astellas runs a startup accelerator in Tokyo. Two inaugural participants, "
            "Pfizer and Moderna, joined the programme this year.",
            [("Astellas Pharma", "Pfizer"), ("Astellas Pharma", "Moderna")],
        ),
    ],
)
def test_programme_members(rules_extractor, contexts, text, groups):
    from atlas.rules import programme_members

    found = [pair for ctx in contexts(text) for _, pair in programme_members(ctx)]
    assert found == groups
    deals = rules_extractor.extract(make_article(text)).deals
    assert [(d.parties, d.trigger) for d in deals] == [(g, "participant") for g in groups]


# --- sentence findings ------------------------------------------------------------------


def findings_of(rules_extractor, contexts, text):
    return [
        finding
        for ctx in contexts(text)
        for finding in sentence_findings(
            ctx, rules_extractor.matcher, rules_extractor.trigger_table, rules_extractor.hedges
        )
    ]


def test_hedged_findings_are_flagged_and_left_out_of_the_deals(rules_extractor, contexts):
    text = "Pfizer plans to acquire Seagen."
    (finding,) = findings_of(rules_extractor, contexts, text)
    assert finding.hedged and finding.parties == ("Pfizer", "Seagen")
    assert (finding.rule, finding.trigger_text, finding.trigger_role) == (
        "subject_object_pairs",
        "acquire",
        "verb",
    )
    assert rules_extractor.extract(make_article(text)).deals == []


def test_finding_type_is_the_sentence_type_and_trigger_type_the_rows(rules_extractor, contexts):
    # "acquired" with the rights as its object is a licence; the noun trigger says so too.
    text = "Novartis acquired the exclusive rights from Galapagos."
    (finding,) = findings_of(rules_extractor, contexts, text)
    assert (finding.deal_type, finding.trigger_type) == ("licensing", "licensing")
    assert finding.trigger_text == "exclusive rights"
    # A generic verb trigger takes the type of the specific noun beside it.
    text = "Pfizer signed a supply agreement with Seagen."
    types = {
        (f.trigger_text, f.trigger_type, f.deal_type)
        for f in findings_of(rules_extractor, contexts, text)
    }
    assert (
        "supply agreement",
        "supply/distribution/commercialisation",
        "supply/distribution/commercialisation",
    ) in types


def test_programme_members_only_count_in_a_sentence_without_another_deal(rules_extractor, contexts):
    text = (
        "Astellas signed a partnership with Nikon, and two participants, Pfizer and Moderna, "
        "joined the programme."
    )
    rules = [f.rule for f in findings_of(rules_extractor, contexts, text)]
    assert rules == ["subject_object_pairs", "programme_members", "programme_members"]
    deals = rules_extractor.extract(make_article(text)).deals
    assert [d.parties for d in deals] == [("Astellas Pharma", "Nikon")]


@pytest.mark.parametrize(
    ("text", "parents"),
    [
        # the announcing company and "its arm": both are parties of the arm's deal
        (
            "Zorblax Therapeutics said its arm Kestrel Bio has entered into an agreement "
            "with Corvane plc.",
            {"Kestrel Bio": "Zorblax Therapeutics"},
        ),
        # "a unit of": an apposition names the parent
        (
            "Kestrel Bio, a unit of Zorblax Therapeutics, will buy the rights from Corvane.",
            {"Kestrel Bio": "Zorblax Therapeutics"},
        ),
        # "and its spin-out company": the conjoined subject is the parent
        (
            "Tolvane University and its spin-out company Kestrel Bio announced an agreement "
            "with Corvane.",
            {"Kestrel Bio": "Tolvane University"},
        ),
        # a unit that is sold acts for nobody
        (
            "Zorblax Therapeutics agreed to sell its unit, Kestrel Bio, to Corvane.",
            {},
        ),
    ],
)
def test_subsidiary_parents(contexts, text, parents):
    from atlas.rules.parents import subsidiary_parents

    found = {}
    for ctx in contexts(text):
        found.update(subsidiary_parents(ctx))
    assert found == parents


# ----------------------------------------------------------------------------- token identity


def test_tokens_are_compared_by_position_not_identity(extractor):
    """spaCy makes a new Token object on each access, so ``a is b`` never holds between
    two tokens: a subject of "said" is the company speaking for itself, not a quoted
    person's affiliation."""
    from atlas.rules.context import is_speaker

    doc = extractor.nlp("Eli Lilly said it acquired Nimbus.")
    eli = doc[0]
    assert eli.dep_ == "compound" and eli.head.dep_ == "nsubj"
    assert not is_speaker(eli, frozenset({"say"}))
    quoted = extractor.nlp("Jane Doe, president, Emory University, said the deal closed.")
    emory = next(t for t in quoted if t.text == "University")
    assert is_speaker(emory, frozenset({"say"}))
