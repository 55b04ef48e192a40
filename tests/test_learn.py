"""The learned decision layer: candidates, references, the JSON models, choosing deals,
training and cross-validation. Sentences and names are written for these tests."""

from __future__ import annotations

import json
import math

import pytest
import spacy

from atlas.learn.coref import NamedMention, resolve_references
from atlas.learn.model import ExtractionModels, LinearModel, MulticlassModel
from atlas.learn.pairs import DealCandidate
from atlas.learn.training import (
    LabelledArticle,
    Params,
    cross_validate,
    fit_binary,
    fit_multiclass,
    folds_by_source,
    source_group,
    source_kind,
)
from tests.conftest import make_article

# ----------------------------------------------------------------------------- models


def test_a_fitted_linear_model_scores_as_scikit_learn_does_after_a_json_round_trip():
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = [({"a": 1.0, "b": 1.0}, 1), ({"a": 1.0}, 1), ({"b": 1.0}, 0), ({"c": 1.0}, 0)] * 3
    model = fit_binary(rows, c=1.0, min_count=1)
    restored = LinearModel.from_json(json.loads(json.dumps(model.as_json())))
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([f for f, _ in rows])
    reference = LogisticRegression(C=1.0, max_iter=5000).fit(x, [y for _, y in rows])
    for features, _ in rows[:4]:
        expected = reference.predict_proba(vectorizer.transform([features]))[0, 1]
        assert restored.probability(features) == pytest.approx(expected, abs=1e-6)
    assert restored.probability({"unseen": 1.0}) == pytest.approx(
        1 / (1 + math.exp(-restored.bias))
    )


@pytest.mark.parametrize("linear", [True, False])
def test_boosted_trees_score_as_scikit_learn_does_after_a_json_round_trip(linear):
    import random

    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from atlas.learn.model import BoostedModel, binary_model_from_json
    from atlas.learn.training import fit_boosted

    # An interaction a weighted sum cannot express: a deal when exactly one of a, b holds.
    generator = random.Random(7)
    rows = []
    for _ in range(300):
        features = {k: 1.0 for k in "abcd" if generator.random() < 0.5}
        features["n"] = generator.random()
        rows.append((features, int(("a" in features) != ("b" in features))))
    spec = {"trees": 20, "depth": 2, "rate": 0.2, "min_leaf": 5}
    model = fit_boosted(rows, 1.0, 1, linear=linear, **spec)
    restored = binary_model_from_json(json.loads(json.dumps(model.as_json())))
    assert isinstance(restored, BoostedModel) and len(restored.trees) == 20
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([f for f, _ in rows])
    reference = GradientBoostingClassifier(
        init=LogisticRegression(C=1.0, max_iter=5000) if linear else None,
        n_estimators=20,
        max_depth=2,
        learning_rate=0.2,
        min_samples_leaf=5,
        random_state=0,
    ).fit(x, [y for _, y in rows])
    expected = reference.predict_proba(x)[:, 1]
    for (features, _), p in zip(rows, expected, strict=True):
        assert restored.probability(features) == pytest.approx(p, abs=1e-6)
    if not linear:  # the trees alone learn the interaction
        assert restored.probability({"a": 1.0}) > 0.5 > restored.probability({"a": 1.0, "b": 1.0})


def test_no_trees_asked_gives_the_plain_logistic_model():
    from atlas.learn.training import fit_boosted

    rows = [({"a": 1.0}, 1), ({"b": 1.0}, 0)] * 4
    model = fit_boosted(rows, 1.0, 1, trees=0, depth=2, rate=0.1, min_leaf=1)
    assert type(model) is LinearModel and "trees" not in model.as_json()


def test_a_deal_told_in_many_sentences_weighs_as_much_as_one_told_once():
    from atlas.learn.training import per_deal_weights

    # Rows of deal "a" (four sentences), deal "b" (one), and two negatives.
    rows = ["a", "a", "a", "a", "b", None, None]
    assert per_deal_weights(rows, 0.0) == [1.0] * 7
    weights = per_deal_weights(rows, 1.0)
    # "a" shares one deal's weight among its four rows, as much as "b"'s one row; the
    # positives still weigh five rows in all, and the negatives one each.
    assert weights[:4] == pytest.approx([0.625] * 4) and weights[4] == pytest.approx(2.5)
    assert weights[5:] == [1.0, 1.0]
    assert sum(weights[:5]) == pytest.approx(5.0)
    between = per_deal_weights(rows, 0.75)
    assert weights[0] < between[0] < 1.0 < between[4] < weights[4]
    assert per_deal_weights([None, None]) == [1.0, 1.0]


def test_the_deal_model_learns_less_from_a_deal_retold_in_many_sentences():
    from atlas.learn.training import per_deal_weights

    # One deal told in six sentences that only name the two; three deals each told once
    # in a sentence that states it; negatives of both kinds.
    deal_of = ["retold"] * 6 + ["b", "c", "d"] + [None] * 10
    rows = (
        [({"named": 1.0}, 1)] * 6
        + [({"signed": 1.0}, 1)] * 3
        + [({"named": 1.0}, 0)] * 8
        + [({"signed": 1.0}, 0)] * 2
    )
    plain = fit_binary(rows, 10.0, 1)
    weighted = fit_binary(rows, 10.0, 1, per_deal_weights(deal_of, 1.0))
    assert weighted.probability({"named": 1.0}) < plain.probability({"named": 1.0}) - 0.1
    assert weighted.probability({"signed": 1.0}) > plain.probability({"signed": 1.0})


def test_a_calibration_lowers_overconfident_probabilities_and_survives_a_round_trip(tmp_path):
    from atlas.learn.training import fit_calibration, reliability

    # Deals said to be 90% sure that are right half the time, and 60% ones right 20%.
    confidences = [(0.9, k % 2 == 0) for k in range(40)] + [(0.6, k % 5 == 0) for k in range(40)]
    calibration = fit_calibration(confidences)
    scaled = ExtractionModels.confidence_of(calibration)
    assert scaled(0.9) == pytest.approx(0.5, abs=0.02)
    assert scaled(0.6) == pytest.approx(0.2, abs=0.02)
    brier, table = reliability(confidences)
    assert brier == pytest.approx((20 * 0.81 + 20 * 0.01 + 8 * 0.16 + 32 * 0.36) / 80)
    assert [(n, share) for _low, _high, n, share in table] == [(40, 0.2), (40, 0.5)]
    assert fit_calibration([(0.9, True)] * 40) is None  # nothing to tell apart


def test_a_multiclass_model_names_the_class_its_words_point_to():
    rows = [({"lemma=stake": 1.0}, "equity"), ({"lemma=buy": 1.0}, "acquisition")] * 4
    rows += [({"lemma=licence": 1.0}, "licensing")] * 4
    model = MulticlassModel.from_json(fit_multiclass(rows, c=1.0, min_count=1).as_json())
    assert model.predict({"lemma=stake": 1.0}) == "equity"
    assert model.predict({"lemma=licence": 1.0}) == "licensing"
    assert sum(model.scores({"lemma=buy": 1.0}).values()) == pytest.approx(1.0)


def test_a_single_class_gives_a_constant_model_instead_of_failing():
    model = fit_binary([({"a": 1.0}, 0), ({"b": 1.0}, 0)], c=1.0, min_count=1)
    assert model.weights == {}
    assert model.probability({"a": 1.0}) < 0.5


def test_models_refuse_a_file_of_another_format(tmp_path):
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"format": 999}), encoding="utf-8")
    with pytest.raises(ValueError, match="format"):
        ExtractionModels.load(path)


def test_the_bundled_models_load_from_plain_json():
    from atlas.learn.model import MODEL_PATH

    models = ExtractionModels.load(MODEL_PATH)
    assert models.organisation.weights and models.deal.weights
    assert set(models.deal_type.classes) <= {
        "partnership/collaboration",
        "licensing",
        "joint venture",
        "acquisition/merger",
        "equity investment/stake",
        "alliance/consortium",
        "settlement/litigation",
        "supply/distribution/commercialisation",
        "other",
    }
    assert 0 < models.deal.threshold < 1 and 0 < models.rule_threshold < 1


# ----------------------------------------------------------------------------- sources


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("SEC filing exhibit (Form 8-K Ex. 99.1, company press release)", "SEC filing"),
        ("news digest (week in review)", "digest"),
        ("deal table (milestone payments)", "digest"),  # a table is a list of deals
        ("company press release (newswire)", "press release"),
        ("stock-exchange announcement", "press release"),
        ("news article (trade press)", "trade press"),
        ("news article", "news"),
    ],
)
def test_source_kinds(kind, expected):
    assert source_kind(kind) == expected


def test_sources_are_grouped_by_site_not_by_page():
    a = source_group({"file": "1.txt", "source_url_or_repo": "https://www.sec.gov/a/b.htm"})
    b = source_group({"file": "2.txt", "source_url_or_repo": "https://sec.gov/c/d.htm"})
    c = source_group({"file": "3.txt", "source_url_or_repo": "https://news.bbc.co.uk/x"})
    assert a == b == "sec.gov"
    assert c == "bbc.co.uk"


def test_folds_never_split_a_source():
    articles = [
        LabelledArticle("s", {"file": f"{i}.txt"}, f"site{i % 7}", "news", article=None)
        for i in range(35)
    ]
    folds = folds_by_source(articles, 5)
    assert sorted(i for fold in folds for i in fold) == list(range(35))
    for fold in folds:
        sites = {articles[i].group for i in fold}
        others = {articles[i].group for f in folds if f is not fold for i in f}
        assert not sites & others


# ----------------------------------------------------------------------------- references

_BLANK = spacy.blank("en")


def test_a_singular_reference_takes_the_last_subject_and_a_plural_one_the_last_pair(extractor):
    doc = extractor.nlp(
        "Zorblax Therapeutics signed a licence agreement with Kestrel Bio. "
        "Under the agreement, the company will pay $10 million. "
        "The two companies will share the profits."
    )
    sents = list(doc.sents)
    named = []
    for name in ("Zorblax Therapeutics", "Kestrel Bio"):
        start = next(t.i for t in doc if t.text == name.split()[0])
        root = doc[start : start + 2].root
        named.append(NamedMention(name, start, start + 2, 0, root.dep_ in ("nsubj", "nsubjpass")))
    refs = resolve_references(
        sents,
        named,
        org_nouns=extractor.lexicon.words.reference_nouns,
        country_of=extractor.lexicon.country_by_term,
        org_country={},
        main_org="Zorblax Therapeutics",
    )
    (company,) = refs[1]
    assert company.canonicals == ("Zorblax Therapeutics",)
    (companies,) = refs[2]
    assert set(companies.canonicals) == {"Zorblax Therapeutics", "Kestrel Bio"}
    assert companies.kind == "plural_noun"


def test_a_reference_with_a_nationality_takes_the_organisation_of_that_country(extractor):
    doc = extractor.nlp(
        "Zorblax Therapeutics licensed its antibody to Kestrel Bio. "
        "The Japanese drugmaker will pay $5 million."
    )
    sents = list(doc.sents)
    zorblax = NamedMention("Zorblax Therapeutics", 0, 2, 0, True)
    kestrel_start = next(t.i for t in doc if t.text == "Kestrel")
    kestrel = NamedMention("Kestrel Bio", kestrel_start, kestrel_start + 2, 0, False)
    refs = resolve_references(
        sents,
        [zorblax, kestrel],
        org_nouns=extractor.lexicon.words.reference_nouns,
        country_of=extractor.lexicon.country_by_term,
        org_country={"Kestrel Bio": "Japan", "Zorblax Therapeutics": "United States"},
        main_org="Zorblax Therapeutics",
    )
    (drugmaker,) = refs[1]
    assert drugmaker.canonicals == ("Kestrel Bio",)


# ----------------------------------------------------------------------------- candidates


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # spaCy splits hyphenated names; the suffix rule alone kept "Tor BioPharma"
        ("Kel-Tor BioPharma Ltd. signed a licence with Vantrix.", "Kel-Tor BioPharma Ltd."),
        # a company-type acronym in front of a name is no part of it
        ("The deal went to CRO Quillon Laboratories last week.", "Quillon Laboratories"),
        # "X-based" describes where a company is
        ("Zorblax bought U.S.-based Pentrel Inc. for $5 million.", "Pentrel Inc."),
    ],
)
def test_organisation_candidates_keep_whole_names(extractor, text, name):
    from atlas.learn.orgs import candidate_spans

    doc = extractor.nlp(text)
    texts = [s.text for s in candidate_spans(doc, extractor.lexicon.words.name_descriptors)]
    assert name in texts


def test_two_lexicon_names_joined_by_a_hyphen_stay_two(extractor):
    from atlas.learn.orgs import candidate_spans

    doc = extractor.nlp("They announced the Astellas-Yaskawa joint venture.")
    texts = {s.text for s in candidate_spans(doc)}
    assert "Astellas-Yaskawa" not in texts


# ----------------------------------------------------------------------------- decisions


@pytest.mark.parametrize(
    ("text", "parties", "deal_type"),
    [
        # a reporting verb and a that-clause between the parties and the trigger
        (
            "Zorblax Therapeutics said on Thursday that it had agreed to buy Kestrel Bio "
            "for $900 million.",
            {"Zorblax Therapeutics", "Kestrel Bio"},
            "acquisition/merger",
        ),
        # an appositive ticker and defined terms before the trigger
        (
            'Vantrix Pharma, Inc. (NASDAQ: VTRX) ("Vantrix" or the "Company") today announced '
            "that it has entered into an exclusive licensing agreement with Corvane plc "
            '("Corvane"), under which Corvane will receive rights to develop VTX-101.',
            {"Vantrix Pharma", "Corvane"},
            "licensing",
        ),
        (
            "Marlow Biotech signed a distribution agreement with Pentara Healthcare to sell "
            "its vaccines in India.",
            {"Marlow Biotech", "Pentara Healthcare"},
            "supply/distribution/commercialisation",
        ),
    ],
)
def test_textbook_announcements_are_found_with_their_type(extractor, text, parties, deal_type):
    deals = extractor.extract(make_article(text)).deals
    found = {frozenset(d.parties): d for d in deals}
    assert frozenset(parties) in found, deals
    deal = found[frozenset(parties)]
    assert deal.type == deal_type
    assert 0.0 < deal.confidence <= 1.0


def test_a_rejected_offer_is_no_deal(extractor):
    text = "Kelvar Bio rejected a takeover offer from Dunmore Pharma on Monday."
    assert extractor.extract(make_article(text)).deals == []


def _candidate(doc, parties, p, *, rule_exact=False):
    c = DealCandidate(0, doc[0 : len(doc)], tuple(parties), "pair", {}, (), p)
    c.rule_exact = rule_exact
    return c


def test_organisations_all_paired_with_each_other_in_a_sentence_made_one_agreement():
    from atlas.learn.decide import _merge_cliques

    doc = _BLANK("A, B and C formed a consortium.")
    pairs = [_candidate(doc, pair, 0.9) for pair in (("A", "B"), ("A", "C"), ("B", "C"))]
    (group,) = _merge_cliques(pairs)
    assert group.kind == "group" and set(group.parties) == {"A", "B", "C"}


def test_a_hub_with_separate_partners_keeps_separate_deals():
    from atlas.learn.decide import _merge_cliques

    doc = _BLANK("X bought A for $1m and B for $2m and C for $3m.")
    pairs = [_candidate(doc, pair, 0.9) for pair in (("X", "A"), ("X", "B"), ("X", "C"))]
    assert {frozenset(c.parties) for c in _merge_cliques(pairs)} == {
        frozenset(p) for p in (("X", "A"), ("X", "B"), ("X", "C"))
    }


def test_pairs_the_rules_state_one_by_one_are_not_merged():
    from atlas.learn.decide import _merge_cliques

    doc = _BLANK("X and Y each bought a stake in Z.")
    pairs = [
        _candidate(doc, ("X", "Z"), 0.9, rule_exact=True),
        _candidate(doc, ("Y", "Z"), 0.9, rule_exact=True),
        _candidate(doc, ("X", "Y"), 0.8),
    ]
    assert len(_merge_cliques(pairs)) == 3


def test_an_over_predicted_type_needs_more_than_the_threshold():
    from atlas.learn.decide import TYPE_MARGINS, choose_deals

    margin = TYPE_MARGINS["joint venture"]
    assert margin > 0
    deal_type = MulticlassModel(
        classes=["joint venture", "licensing"],
        weights={"rule_says=joint venture": [4.0, -4.0], "rule_says=licensing": [-4.0, 4.0]},
        biases=[0.0, 0.0],
    )
    # The deal model reads one feature, "p", as the log-odds it gives.
    models = ExtractionModels(
        organisation=LinearModel({}, 0.0),
        deal=LinearModel({"p": 1.0}, 0.0, threshold=0.7),
        group=LinearModel({}, 0.0, threshold=0.7),
        deal_type=deal_type,
    )

    def chosen(text, p):
        doc = _BLANK(text)
        c = _candidate(doc, ("Zorblax", "Kestrel"), 0.0, rule_exact=True)
        c.features = {"p": math.log(p / (1 - p))}
        c.rule_types = ("joint venture",) if "venture" in text else ("licensing",)
        return [x.parties for x in choose_deals([c], models)]

    # A deal the rules state: the rule threshold, plus the margin for its type.
    just_above = models.rule_threshold + margin / 2
    assert chosen("Zorblax and Kestrel signed a licence.", just_above)
    assert not chosen("Zorblax and Kestrel formed a joint venture.", just_above)
    assert chosen("Zorblax and Kestrel formed a joint venture.", just_above + margin)


def _star(nlp, text, hub, partners, trigger):
    """The pairs of ``hub`` with each partner, as the deal model would accept them."""
    doc = nlp(text)

    def span(name):
        start = next(t.i for t in doc if t.text == name)
        return start, start + 1

    pairs = []
    for partner in partners:
        c = _candidate(doc, (hub, partner), 0.9, rule_exact=True)
        c.spans = {hub: span(hub), partner: span(partner)}
        c.trigger = trigger
        pairs.append(c)
    return pairs


@pytest.mark.model
def test_one_deal_with_coordinated_partners_is_one_group(extractor):
    from atlas.learn.decide import _merge_stars

    pairs = _star(
        extractor.nlp,
        "Zorblax signed a licence agreement with Kestrel and Quorra.",
        "Zorblax",
        ("Kestrel", "Quorra"),
        "signed a licence agreement",
    )
    (group,) = _merge_stars(pairs)
    assert group.kind == "group"
    assert set(group.parties) == {"Zorblax", "Kestrel", "Quorra"}
    assert group.trigger == "signed a licence agreement"


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        # A plural deal word: one agreement with each.
        ("Zorblax signed licence agreements with Kestrel and Quorra.", "signed licence agreements"),
        # The sentence says the deals are separate.
        ("Kestrel and Quorra each took a stake in Zorblax.", "took a stake"),
    ],
)
def test_separate_deals_with_coordinated_partners_stay_pairs(extractor, text, trigger):
    from atlas.learn.decide import _merge_stars

    pairs = _star(extractor.nlp, text, "Zorblax", ("Kestrel", "Quorra"), trigger)
    assert {frozenset(c.parties) for c in _merge_stars(pairs)} == {
        frozenset(("Zorblax", "Kestrel")),
        frozenset(("Zorblax", "Quorra")),
    }


# ----------------------------------------------------------------------------- training

ARTICLES = [
    (
        "Zorblax Therapeutics signed a licence agreement with Kestrel Bio for its lung cancer "
        "antibody. Kestrel Bio will pay $20 million upfront.",
        [("Zorblax Therapeutics", "Kestrel Bio", "licensing")],
        ["Zorblax Therapeutics", "Kestrel Bio"],
    ),
    (
        "Helmora Biosciences has acquired Quellan Labs for $45 million in cash. The deal "
        "closed on Friday, Helmora Biosciences said.",
        [("Helmora Biosciences", "Quellan Labs", "acquisition/merger")],
        ["Helmora Biosciences", "Quellan Labs"],
    ),
    (
        "Ostrava Pharma and Belmont Biologics announced a research collaboration on "
        "antibodies. Shares of Dunmore Pharma fell 3%.",
        [("Ostrava Pharma", "Belmont Biologics", "partnership/collaboration")],
        ["Ostrava Pharma", "Belmont Biologics"],
    ),
    (
        "Kelvar Bio rejected a takeover offer from Dunmore Pharma. Analysts at Pentara "
        "Capital expect more bids.",
        [],
        ["Kelvar Bio", "Dunmore Pharma"],
    ),
    (
        "Marlow Biotech signed a distribution agreement with Pentara Healthcare. Finch "
        "Health reported quarterly sales.",
        [("Marlow Biotech", "Pentara Healthcare", "supply/distribution/commercialisation")],
        ["Marlow Biotech", "Pentara Healthcare", "Finch Health"],
    ),
]


@pytest.fixture
def labelled(rules_extractor):
    from atlas.learn.training import prepare_all

    out = []
    for n in range(2):  # two copies, from two sites, so every fold has both labels
        for i, (text, deals, orgs) in enumerate(ARTICLES):
            gold = {
                "file": f"{n}-{i}.txt",
                "organisations": orgs,
                "deals": [{"parties": [a, b], "type": t, "role": "main"} for a, b, t in deals],
                "published": None,
            }
            article = make_article(text, file=gold["file"])
            out.append(LabelledArticle("toy", gold, f"site{n}-{i}", "news", article))
    return prepare_all(rules_extractor, out)


def test_training_and_cross_validation_run_end_to_end(rules_extractor, labelled, tmp_path):
    from atlas.learn.training import train

    params = Params(min_count=1)
    models = train(rules_extractor, labelled, params)
    path = tmp_path / "models.json"
    models.save(path)
    restored = ExtractionModels.load(path)
    assert restored.deal.weights == pytest.approx(models.deal.weights)
    # Every labelled deal is the news here: the role model learns "main".
    assert restored.role is not None and restored.role.bias < 0
    reports = cross_validate(
        rules_extractor, labelled, params, folds=2, thresholds=[(0.5, 0.3), (0.9, 0.9)]
    )
    assert set(reports) == {(0.5, 0.3), (0.5, 0.5), (0.9, 0.9)}
    scored = reports[(0.5, 0.3)].overall
    assert len(scored.articles) == len(labelled)
    assert scored.deals.tp + scored.deals.fn == 8  # every gold deal counted once
    assert scored.role_counted == scored.deals.tp


@pytest.mark.parametrize(
    ("text", "name", "feature"),
    [
        (
            "Zorblax signed the Quellan Licensing Agreement with Kestrel.",
            "Quellan Licensing Agreement",
            "generic_head",
        ),
        ("Kestrel Bio launched Travolizumab in Japan.", "Travolizumab", "drug_name_ending"),
        (
            "KENILWORTH, N.J. -- Zorblax Therapeutics said on Monday it would hire.",
            "KENILWORTH",
            "dateline_place",
        ),
    ],
)
def test_organisation_features_see_what_is_no_organisation(extractor, text, name, feature):
    from atlas.learn.orgs import candidate_spans, mention_features

    doc = extractor.nlp(text)
    span = next(s for s in candidate_spans(doc) if s.text == name)
    sent = span.sent
    features = mention_features(
        span, extractor.name_words, in_headline=False, sentence=(sent.start, sent.end)
    )
    assert features.get(feature) == 1.0


def test_a_pair_far_less_likely_than_its_organisations_best_pair_is_outranked():
    from atlas.learn.decide import _outranked

    doc = _BLANK("Zorblax, advised by Pentara, signed a licence with Kestrel.")
    best = _candidate(doc, ("Zorblax", "Kestrel"), 0.95)
    adviser = _candidate(doc, ("Pentara", "Kestrel"), 0.75)  # logit 1.1 vs 2.9
    close = _candidate(doc, ("Pentara", "Zorblax"), 0.9)  # logit 2.2: within the margin
    stated = _candidate(doc, ("Pentara", "Zorblax"), 0.6, rule_exact=True)
    out = _outranked([best, adviser, close], 1.0)
    assert _outranked([best, adviser, close], 2.0) == set()
    assert out == {id(adviser)}
    assert _outranked([best, adviser, stated], 1.0) == {id(adviser)}  # a rule's pair stays


@pytest.mark.parametrize(
    ("text", "name", "trigger", "expected"),
    [
        # The subject of the verb whose object is the deal noun: the path runs through
        # the sentence's root, where a walk up the parse must stop.
        (
            "Zorblax signed a licence agreement with Kestrel Bio.",
            "Zorblax",
            "agreement",
            "dobj>nsubj",
        ),
        ("Zorblax signed a licence agreement with Kestrel Bio.", "Bio", "agreement", ">pobj:with"),
        ("Zorblax acquired Kestrel Bio on Monday.", "Zorblax", "acquired", ">nsubj"),
        ("Zorblax acquired Kestrel Bio on Monday.", "Bio", "acquired", ">dobj"),
    ],
)
def test_how_an_organisation_stands_to_the_trigger(extractor, text, name, trigger, expected):
    from atlas.learn.pairs import trigger_role

    doc = extractor.nlp(text)
    token = next(t for t in doc if t.text == name)
    verb = next(t for t in doc if t.text == trigger)
    assert trigger_role(token, doc[verb.i : verb.i + 1]) == expected


def test_a_subsidiary_acting_for_its_parent_brings_the_parent_into_the_deal():
    from atlas.learn.decide import _add_parents

    doc = _BLANK("Zorblax said its arm Kestrel signed a licence with Corvane.")
    deal = _candidate(doc, ("Kestrel", "Corvane"), 0.9)
    deal.parents = {"Kestrel": "Zorblax"}
    unit_and_parent = _candidate(doc, ("Zorblax", "Corvane"), 0.8)  # the same agreement
    best = {frozenset(c.parties): c for c in (deal, unit_and_parent)}
    _add_parents(best)
    assert list(best) == [frozenset({"Kestrel", "Corvane", "Zorblax"})]
    assert best[frozenset({"Kestrel", "Corvane", "Zorblax"})].kind == "group"
