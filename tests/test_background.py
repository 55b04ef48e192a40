"""Background deals: history an article mentions is ``role`` "background" and dated only
by the text (``atlas.rules.background``). Sentences are written for these tests; the
organisation names are lexicon names."""

from __future__ import annotations

import pytest

from atlas.rules.background import ROLE_BACKGROUND, ROLE_MAIN, background_date, rule_role
from tests.conftest import make_article

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("The venture was formed in 2023.", "2025-04-01", ("2023", "year")),
        ("In December 2019, X acquired Y.", "2024-02-05", ("2019-12", "month")),
        ("X bought Y in mid-1997.", "1998-12", ("1997", "year")),
        ("Its 2021 acquisition by Z closed.", None, ("2021", "year")),
        # A year after the article's is a plan or a target, not the deal's date.
        ("X formed the venture; sales start in 2027.", "2025-01-01", None),
        ("X had formed a joint venture with Y.", "2025-04-01", None),
    ],
)
def test_background_date(text, published, expected):
    assert background_date(text, published) == expected


@pytest.mark.parametrize(
    ("features", "role"),
    [
        ({"past_perfect_unreported": 1.0}, ROLE_BACKGROUND),
        # "X said it had agreed to buy Y": the news in reported speech.
        ({"tense=past_perfect": 1.0}, ROLE_MAIN),
        ({"time_prep=before": 1.0}, ROLE_BACKGROUND),
        ({"year=before": 1.0}, ROLE_BACKGROUND),
        ({"cue=past": 1.0}, ROLE_BACKGROUND),
        ({"clause=advcl:after": 1.0}, ROLE_BACKGROUND),
        ({"tense=perfect": 1.0, "year=same": 1.0, "parties_in_lede": 1.0}, ROLE_MAIN),
    ],
)
def test_rule_role(features, role):
    assert rule_role(features) == role


def _deals(extractor, text: str, published: str = "2024-05-02"):
    result = extractor.extract(make_article(text, published=published))
    return {frozenset(d.parties): d for d in result.deals}


# Each: text, the deal asked about, its role, its date.
CASES = [
    # Past perfect after "Before this collaboration": history, undated by the text.
    (
        "Pfizer today announced that it has signed a licence agreement with Genmab for an"
        " antibody. Before this collaboration, Pfizer had formed a joint venture with Bayer"
        " to develop vaccines.",
        {"Pfizer", "Bayer"},
        ROLE_BACKGROUND,
        None,
    ),
    # The news of the same article stays main and takes the article's date.
    (
        "Pfizer today announced that it has signed a licence agreement with Genmab for an"
        " antibody. Before this collaboration, Pfizer had formed a joint venture with Bayer"
        " to develop vaccines.",
        {"Pfizer", "Genmab"},
        ROLE_MAIN,
        "2024-05-02",
    ),
    # "previously ... in 2019": history with the year the text gives it.
    (
        "Novartis said on Monday it will acquire Ipsen's rare disease unit. Novartis"
        " previously partnered with Roche on eye drugs in 2019.",
        {"Novartis", "F. Hoffmann-La Roche"},
        ROLE_BACKGROUND,
        "2019",
    ),
]


@pytest.mark.parametrize(("text", "parties", "role", "date"), CASES)
@pytest.mark.parametrize("deciding", ["extractor", "rules_extractor"])
def test_deal_role_and_date(request, deciding, text, parties, role, date):
    extractor = request.getfixturevalue(deciding)
    deal = _deals(extractor, text)[frozenset(parties)]
    assert deal.role == role
    assert deal.deal_date == date
    if role == ROLE_BACKGROUND and date is None:
        assert deal.date_source == "before-article"
        assert deal.date_precision is None


def test_a_relative_clauses_year_does_not_date_the_main_deal(rules_extractor):
    """ "Sanofi, which acquired Genzyme in 2011, agreed to buy ...": the year belongs to
    the relative clause, not to the purchase the sentence reports."""
    deals = _deals(
        rules_extractor, "Sanofi, which acquired Genzyme in 2011, agreed today to buy Bioverativ."
    )
    deal = deals[frozenset({"Sanofi", "Bioverativ"})]
    assert deal.role == ROLE_MAIN
    assert deal.deal_date == "2024-05-02"


def test_role_accuracy_is_scored_on_matched_deals():
    from atlas.evaluate import Evaluation, score_article

    gold = {
        "file": "a.txt",
        "organisations": ["Alpha", "Beta", "Gamma"],
        "deals": [
            {"parties": ["Alpha", "Beta"], "type": "licensing", "role": "main"},
            {"parties": ["Alpha", "Gamma"], "type": "joint venture", "role": "background"},
        ],
    }
    predicted = {
        "organisations": ["Alpha", "Beta", "Gamma"],
        "deals": [
            {"parties": ["Alpha", "Beta"], "type": "licensing", "role": "main"},
            {"parties": ["Alpha", "Gamma"], "type": "joint venture", "role": "main"},
        ],
    }
    evaluation = Evaluation()
    report = score_article(gold, predicted, evaluation)
    assert (evaluation.role_counted, evaluation.role_correct) == (2, 1)
    assert evaluation.summary()["role_accuracy"] == 0.5
    assert report.wrong_roles == ["Alpha + Gamma [joint venture] predicted main, gold background"]
