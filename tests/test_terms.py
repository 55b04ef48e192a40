"""Terms, assets and status of a deal mention (atlas.terms), their JSON and their scoring.

Amount parsing is pure; reading a deal's terms runs the real pipeline over sentences
written for these tests (no text of the labelled sets), with the deals given, so each
test checks the reading and not whether the deal model finds the deal.
"""

from __future__ import annotations

import re

import pytest

from atlas.evaluate import Evaluation, score_article
from atlas.models import Deal, Money, Stake, Terms
from atlas.terms import (
    DealMention,
    ItemReader,
    brand_names,
    find_amounts,
    local_currencies,
    usd_value,
)

# ----------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    "text, value, currency",
    [
        ("paid $1.2B in cash", 1.2e9, "$"),  # a letter for the multiplier
        ("an upfront US$50 million", 5e7, "USD"),
        ("worth ¥10 billion", 1e10, "¥"),  # yen or yuan: the deal's countries decide
        ("a €50m round", 5e7, "EUR"),
        ("for Rs 100 crore", 1e9, "INR"),  # crore = 10 million
        ("Rs. 40 lakh", 4e6, "INR"),
        ("KRW 10 billion", 1e10, "KRW"),  # ISO code before the number
        ("10 billion won", 1e10, "KRW"),  # currency word after it
        ("RMB 300 million", 3e8, "CNY"),
        ("RMB102,420,000", 102_420_000, "CNY"),  # no space, thousands separators
        ("CHF 12 million", 1.2e7, "CHF"),
        ("£3.5bn", 3.5e9, "GBP"),
        ("A$20 million", 2e7, "AUD"),
        ("C$15 million", 1.5e7, "CAD"),
        ("HK$2 billion", 2e9, "HKD"),
        ("4 mln dlrs", 4e6, "$"),  # wire-service shorthand
        ("four mln dlrs", 4e6, "$"),  # a number word
        ("300 billion lire", 3e11, "ITL"),
        ("EU75 million", 7.5e7, "EUR"),
        ("a $67-billion merger", 6.7e10, "$"),
        ("payment of$20 millionand more", 2e7, "$"),  # a scraper's lost spaces
        ("25 million euros", 2.5e7, "EUR"),
        ("640 Billion KRW", 6.4e11, "KRW"),
    ],
)
def test_amounts_with_units_and_currencies(text, value, currency):
    [amount] = find_amounts(text)
    assert amount.value == pytest.approx(value)
    assert amount.currency == currency
    assert amount.text in text


@pytest.mark.parametrize(
    "text",
    [
        "The drug won 3 awards in 2021.",  # "won" as a verb
        "Phase 2 results for ZX-1042 came in 2019.",  # numbers without a currency
        "The company has 1,200 employees and 40 million shares.",
    ],
)
def test_numbers_without_a_currency_are_no_amounts(text):
    assert find_amounts(text) == []


@pytest.mark.parametrize(
    "countries, dollar, yen",
    [
        (("Canada", None), "CAD", "JPY"),  # every known party Canadian
        (("Canada", "United States"), "USD", "JPY"),
        (("Australia", "Australia"), "AUD", "JPY"),
        (("China",), "USD", "CNY"),
        ((None, None), "USD", "JPY"),
    ],
)
def test_a_bare_dollar_or_yen_sign_takes_the_parties_home(countries, dollar, yen):
    assert local_currencies(countries) == {"$": dollar, "¥": yen}


# ----------------------------------------------------------------------------- reading


def read(
    extractor, text: str, deals: list[tuple[str, tuple[str, ...]]], countries=(), *, others=()
):
    """Each deal's details: ``deals`` gives a deal's sentence (its first words are
    enough) and its parties; every occurrence of a party's name, or of one of ``others``
    (organisations in no deal), is its mention."""
    doc = extractor.nlp(text)
    names = {p for _, parties in deals for p in parties} | set(others)
    mentions = []
    for name in names:
        for m in re.finditer(re.escape(name), text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            mentions.append((span.start, span.end, name))
    found = []
    for opening, parties in deals:
        sentence = doc.char_span(
            text.index(opening), text.index(opening) + 1, alignment_mode="expand"
        )[0].sent
        found.append(DealMention(sentence, parties, tuple(countries)))
    reader = ItemReader(doc, mentions, found, extractor.lexicon.words, brands=brand_names([doc]))
    return [reader.read(d) for d in found]


ZK = ("Zorblax Therapeutics", "Kestrel Bio")


@pytest.mark.model
def test_upfront_milestones_and_royalties_in_one_sentence(extractor):
    text = (
        "Zorblax Therapeutics will pay Kestrel Bio $40 million upfront and up to $900 million "
        "in milestone payments, plus tiered royalties on net sales, under a licence agreement."
    )
    [details] = read(extractor, text, [(text, ZK)])
    terms = details.terms
    assert (terms.upfront.amount, terms.upfront.currency) == (40e6, "USD")
    assert (terms.milestones.amount, terms.milestones.currency) == (900e6, "USD")
    assert terms.total_value is None
    assert "royalties" in terms.royalties


@pytest.mark.model
def test_terms_in_the_sentences_after_the_deal_and_milestones_summed(extractor):
    text = (
        "Zorblax Therapeutics and Kestrel Bio signed a licence agreement for KB-217. "
        "Under the terms of the agreement, Kestrel Bio receives an upfront payment of "
        "€25 million. It is eligible for development milestones of up to €150 million and "
        "for sales milestones of up to €200 million."
    )
    [details] = read(extractor, text, [("Zorblax Therapeutics and", ZK)])
    assert (details.terms.upfront.amount, details.terms.upfront.currency) == (25e6, "EUR")
    assert details.terms.milestones.amount == 350e6  # the parts summed
    assert "KB-217" in details.assets


@pytest.mark.model
def test_terms_stated_at_the_opening_of_a_deal_whose_evidence_is_a_later_quote(extractor):
    # the deal's sentence is a quote further down; the opening names both parties and
    # the next sentence gives the terms, before another deal of the item
    text = (
        "Zorblax Therapeutics and Kestrel Bio signed a licence agreement for ZX-1042. "
        "Kestrel Bio receives an upfront payment of $30 million. "
        "Zorblax Therapeutics also has a collaboration with Nimbus Pharma. "
        '"Our alliance with Kestrel Bio brings new medicines to patients," said the head of '
        "Zorblax Therapeutics."
    )
    first, _ = read(
        extractor,
        text,
        [
            ('"Our alliance', ZK),
            ("Zorblax Therapeutics also", ("Zorblax Therapeutics", "Nimbus Pharma")),
        ],
    )
    assert first.terms.upfront.amount == 30e6
    assert "ZX-1042" in first.assets


@pytest.mark.model
def test_another_organisations_figures_end_the_deals_sentences(extractor):
    # the third sentence names a party, but its figure is Nimbus Pharma's, and so is the
    # next sentence's
    text = (
        "Kestrel Bio signed a research collaboration with Zorblax Therapeutics. "
        "Kestrel Bio will receive up to $500 million in milestones. "
        "This follows other deals for Kestrel Bio, including Nimbus Pharma paying "
        "$30 million upfront for rights to its antibody. "
        "That deal came with $200 million in milestones. "
        "Nimbus Pharma also has a licence agreement with Tessel Labs."
    )
    details, _ = read(
        extractor,
        text,
        [("Kestrel Bio signed", ZK), ("Nimbus Pharma also", ("Nimbus Pharma", "Tessel Labs"))],
    )
    assert details.terms.upfront is None
    assert details.terms.milestones.amount == 500e6


@pytest.mark.model
def test_a_price_per_share_and_a_conversion_are_not_terms(extractor):
    text = (
        "Zorblax Therapeutics agreed to acquire Kestrel Bio for $1.1 billion in cash, "
        "or $23.50 per share. Nimbus Pharma bought Tessel Labs for 12 billion yen "
        "($80 million) last year."
    )
    first, second = read(
        extractor,
        text,
        [("Zorblax", ZK), ("Nimbus Pharma bought", ("Nimbus Pharma", "Tessel Labs"))],
    )
    assert first.terms.total_value.amount == 1.1e9
    assert first.terms.upfront is None and first.terms.milestones is None
    assert (second.terms.total_value.amount, second.terms.total_value.currency) == (12e9, "JPY")


@pytest.mark.model
@pytest.mark.parametrize(("ticker", "currency"), [("TSXV: ZBX", "CAD"), ("NASDAQ: ZBX", "USD")])
def test_a_listing_places_a_party_of_unknown_country(extractor, ticker, currency):
    text = (
        f"Zorblax Therapeutics Inc. ({ticker}) has agreed to purchase the assets of "
        "Kestrel Bio Inc for $300,000."
    )
    [details] = read(extractor, text, [(text, ZK)])
    assert details.terms.total_value.currency == currency


@pytest.mark.model
def test_a_market_size_is_not_a_term(extractor):
    text = (
        "Zorblax Therapeutics signed a licence agreement with Kestrel Bio to enter a market "
        "worth $5 billion a year."
    )
    [details] = read(extractor, text, [(text, ZK)])
    assert details.terms.total_value is None


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        # a break fee is paid when the deal dies: it is not the deal's value
        "Zorblax Therapeutics will pay Kestrel Bio a $150 million break fee under the merger "
        "agreement.",
        # yearly research funding is no total
        "Under the licence agreement, Zorblax Therapeutics will fund £50,000 per year of "
        "research at Kestrel Bio.",
        # a party's own financing or loan is not what the deal is worth
        "Zorblax Therapeutics signed a licence agreement with Kestrel Bio, which raised "
        "$28.9 million in funding from investors last year.",
        # an amount per item is no total
        "Zorblax Therapeutics signed a licence agreement with Kestrel Bio, which is entitled "
        "to milestone payments of $10 million each for further indications.",
    ],
)
def test_fees_and_yearly_amounts_are_not_the_deals_value(extractor, text):
    [details] = read(extractor, text, [(text, ZK)])
    terms = details.terms
    assert (terms.total_value, terms.upfront, terms.milestones) == (None, None, None)


@pytest.mark.model
def test_a_payment_glued_to_the_next_headline_keeps_its_kind(extractor):
    # scraped headlines run together: "... of USD 290 million Agreement strengthens ..."
    text = (
        "Kestrel Bio to receive an upfront payment of USD 290 million Agreement strengthens "
        "the pipeline of Zorblax Therapeutics."
    )
    [details] = read(extractor, text, [(text, ZK)])
    assert details.terms.upfront.amount == 290e6
    assert details.terms.total_value is None


@pytest.mark.model
@pytest.mark.parametrize(
    "text, upfront, milestones, total",
    [
        # a cue straight after the first payment of a list is that payment's
        (
            "Zorblax Therapeutics licensed a drug from Kestrel Bio for $400 million up front, "
            "plus $730 million in potential milestone payments.",
            400e6,
            730e6,
            None,
        ),
        (
            "Zorblax Therapeutics inked a $12 million upfront, $300 million biobucks deal "
            "with Kestrel Bio.",
            12e6,
            300e6,
            None,
        ),
        # one figure for several kinds of payment is the deal's value
        (
            "Zorblax Therapeutics could pay Kestrel Bio up to $500 million in upfront and "
            "milestone payments under the licence agreement.",
            None,
            None,
            500e6,
        ),
        (
            "Under the licence agreement, Kestrel Bio could receive up to $2 billion from "
            "Zorblax Therapeutics, which includes $50 million in near-term funding.",
            50e6,
            None,
            2e9,
        ),
        # ... but a kind for each figure keeps them apart
        (
            "Zorblax Therapeutics will acquire Kestrel Bio for $200 million in upfront payment "
            "as well as up to $600 million in contingent milestone payments.",
            200e6,
            600e6,
            None,
        ),
        # alone, "a $1 billion biobucks deal" is the deal's value
        (
            "Zorblax Therapeutics signed a $1 billion biobucks deal with Kestrel Bio.",
            None,
            None,
            1e9,
        ),
        # a kind named right before the next amount is that amount's, not this one's
        (
            "Zorblax Therapeutics licensed its patents to Kestrel Bio and will receive a total "
            "of $2.6 million via an immediate payment of $1.4 million and quarterly fees.",
            1.4e6,
            None,
            2.6e6,
        ),
        # a payment on a condition is a milestone, and adds to the milestones named next
        (
            "Zorblax Therapeutics licensed a drug to Kestrel Bio for $5 million upfront and "
            "a further $3 million upon first commercial sale, and up to $20 million in "
            "sales milestones.",
            5e6,
            23e6,
            None,
        ),
        # a kind joined to its figure ("payments of up to") decides over words after it
        (
            "Kestrel Bio will pay Zorblax Therapeutics sales milestone payments of up to "
            "$700 million based on net sales of the drug.",
            None,
            700e6,
            None,
        ),
        (
            "Zorblax Therapeutics will receive an upfront payment of $60 million from Kestrel "
            "Bio, and upon reaching milestones up to $900 million.",
            60e6,
            900e6,
            None,
        ),
        # a part of the payment before it is not the deal's value
        (
            "Zorblax Therapeutics will pay Kestrel Bio an upfront payment of $185 million, "
            "including an equity investment of $113 million, for a potential total "
            "consideration of $748 million.",
            185e6,
            None,
            748e6,
        ),
        # a figure read as the price and again as the upfront payment is the upfront
        (
            "Zorblax Therapeutics came armed with $250 million to buy Kestrel Bio. "
            "Zorblax Therapeutics will pay $250 million upfront for Kestrel Bio.",
            250e6,
            None,
            None,
        ),
        # a payment verb straight before the amount outweighs an exclusion word before it
        (
            "Zorblax Therapeutics secured a place in the migraine market by paying "
            "$1.95 billion to acquire Kestrel Bio.",
            None,
            None,
            1.95e9,
        ),
        # ... but not one after it
        (
            "Zorblax Therapeutics is paying $107 per share to acquire Kestrel Bio.",
            None,
            None,
            None,
        ),
        # a sentence that opens on a total and names the kinds before its amount gives
        # the deal's value, before a fee's
        (
            "Zorblax Therapeutics will pay Kestrel Bio an upfront payment of $3 million, "
            "plus an additional $1 million as a transfer fee to be paid over six months. "
            "Total payments to Kestrel Bio, including the upfront payment and milestone "
            "payments, could exceed $50 million.",
            3e6,
            None,
            50e6,
        ),
    ],
)
def test_lists_of_payments_and_a_deals_value(extractor, text, upfront, milestones, total):
    [details] = read(extractor, text, [(text, ZK)])
    terms = details.terms
    assert (terms.upfront.amount if terms.upfront else None) == upfront
    assert (terms.milestones.amount if terms.milestones else None) == milestones
    assert (terms.total_value.amount if terms.total_value else None) == total


@pytest.mark.model
def test_a_price_in_a_later_sentence_is_the_deals_value(extractor):
    # with no cue word, an amount after the deal's sentence is the deal's value only as
    # its price ("for $X"), not as any figure ("sales of $X")
    text = (
        "Zorblax Therapeutics signs licence agreement with Kestrel Bio. "
        "Zorblax Therapeutics has licensed the rights to Kestrel Bio for approximately "
        "$225 million. Kestrel Bio had $40 million in 2023."
    )
    [details] = read(extractor, text, [("Zorblax Therapeutics signs", ZK)])
    assert details.terms.total_value.amount == 225e6


@pytest.mark.model
def test_two_deals_in_one_sentence_each_take_their_own_amount(extractor):
    text = (
        "Orvane Health acquired Pellucid Bio for $120 million and Quillon Labs, a maker of "
        "syringes, for $45 million."
    )
    first, second = read(
        extractor,
        text,
        [(text, ("Orvane Health", "Pellucid Bio")), (text, ("Orvane Health", "Quillon Labs"))],
    )
    assert first.terms.total_value.amount == 120e6
    assert second.terms.total_value.amount == 45e6


@pytest.mark.model
def test_a_sentence_of_two_deals_whose_own_parties_it_does_not_name(extractor):
    # "The company" is the buyer: neither deal's own party is named, so the sentence's
    # figures are not shared out by nearness and each deal keeps them
    text = (
        "Zorblax Therapeutics bought Kestrel Bio for $10 million. "
        "The company also bought a 40% stake in Novamed for $5 million."
    )
    second = text[text.index("The company") :]
    _first, deal, _wrong = read(
        extractor,
        text,
        [
            (text[:20], ZK),
            (second, ("Zorblax Therapeutics", "Novamed")),
            (second, ("Kestrel Bio", "Novamed")),
        ],
    )
    assert deal.terms.total_value.amount == 5e6
    assert deal.terms.equity_pct.value == 40


@pytest.mark.model
def test_two_deals_in_a_sentence_with_the_amounts_before_the_parties(extractor):
    text = (
        "Halvard Pharma sold a diabetes drug for 90 billion won to Orvane Health and an "
        "eye drug for 30 billion won to Quillon Labs."
    )
    first, second = read(
        extractor,
        text,
        [(text, ("Halvard Pharma", "Orvane Health")), (text, ("Halvard Pharma", "Quillon Labs"))],
    )
    assert (first.terms.total_value.amount, first.terms.total_value.currency) == (90e9, "KRW")
    assert second.terms.total_value.amount == 30e9


@pytest.mark.model
@pytest.mark.parametrize(
    "text, value",
    [
        ("Nimbus Pharma acquired a 19.9% stake in Tessel Labs for $30 million.", 19.9),
        ("Nimbus Pharma agreed to buy 35 per cent of Tessel Labs.", 35.0),
        ("Nimbus Pharma took an 8 pct equity interest in Tessel Labs.", 8.0),
        ("Tessel Labs will receive a 12% royalty on sales from Nimbus Pharma.", None),
        ("Nimbus Pharma bought Tessel Labs at a 40% premium to its share price.", None),
        # a share price's move is no stake
        ("Tessel Labs saw its shares gain 18% after it licensed a drug to Nimbus Pharma.", None),
    ],
)
def test_stakes_and_percentages_that_are_no_stakes(extractor, text, value):
    [details] = read(extractor, text, [(text, ("Nimbus Pharma", "Tessel Labs"))])
    stake = details.terms.equity_pct
    assert (stake.value if stake else None) == value


@pytest.mark.model
def test_a_canadian_deal_in_dollars_is_in_canadian_dollars(extractor):
    text = "Maplewood Pharma bought Tessel Labs for $30 million."
    [details] = read(
        extractor, text, [(text, ("Maplewood Pharma", "Tessel Labs"))], ("Canada", "Canada")
    )
    assert details.terms.total_value.currency == "CAD"


@pytest.mark.model
def test_a_bare_dollar_follows_the_dollar_the_deal_writes_out(extractor):
    # an Australian party, but the deal's other figure is written in US dollars
    text = (
        "Maplewood Pharma will pay Tessel Labs a $130 million upfront payment. "
        "Tessel Labs may also receive up to US$1.7 billion in milestones."
    )
    [details] = read(
        extractor, text, [(text[:20], ("Maplewood Pharma", "Tessel Labs"))], (None, "Australia")
    )
    assert details.terms.upfront.currency == "USD"
    assert details.terms.milestones.currency == "USD"


@pytest.mark.model
@pytest.mark.parametrize(
    "text, expected, not_expected",
    [
        (
            "Zorblax Therapeutics licensed olvarutinib and the antibody ZX-1042 from Kestrel Bio.",
            {"olvarutinib", "ZX-1042"},
            set(),
        ),
        (
            "Kestrel Bio will sell Veltrava® in Japan under an agreement with Zorblax Therapeutics.",
            {"Veltrava"},
            set(),
        ),
        (
            # a coined name an organisation owns, or one a naming phrase introduces
            "Zorblax Therapeutics will market Kestrel Bio's Veltrava intravenous therapy and "
            "capsules sold under the trade-name Ostrelix in Korea.",
            {"Veltrava", "Ostrelix"},
            set(),
        ),
        (
            # an organisation's officers, boards and acronyms are no products
            "Zorblax Therapeutics's Chief Executive said Kestrel Bio's Board and Kestrel Bio's "
            "CHMP opinion backed the licence.",
            set(),
            {"Chief", "Board", "CHMP"},
        ),
        (
            "Zorblax Therapeutics will use Kestrel Bio's Helixon platform in the collaboration.",
            {"Helixon"},
            set(),
        ),
        (
            # an English word with a capital before a platform noun, or after a plural
            # product noun, is no name
            "Zorblax Therapeutics will use the Kestrel Bio Construct platform after approval "
            "by the Drugs Controller.",
            set(),
            {"Construct", "Controller"},
        ),
        (
            # a product noun in a title or in capitals is no sign of a name: "New Drug
            # Applications", "VACCINE CANDIDATES"; a word and a number is no code
            "Zorblax Therapeutics will file New Drug Applications with Kestrel Bio and FUND "
            "100 PERCENT OF THE VACCINE CANDIDATES.",
            set(),
            {"Applications", "CANDIDATES", "FUND 100"},
        ),
        (
            # more drug-name stems: -apine, -bendazole, -tecan
            "Zorblax Therapeutics licensed zorquetiapine, melbendazole and rilotecan to "
            "Kestrel Bio.",
            {"zorquetiapine", "melbendazole", "rilotecan"},
            set(),
        ),
        (
            # a code a target word follows or precedes is a target, a gene or an enzyme;
            # one after a drug class is the drug
            "Zorblax Therapeutics licensed ZX-1042, targeting cytochrome QX450, from Kestrel "
            "Bio with the KLAR-2 Fc fusion protein and the KRB7-targeted inhibitor ZB-88.",
            {"ZX-1042", "ZB-88"},
            {"QX450", "KLAR-2", "KRB7"},
        ),
        (
            # targets, diseases and years look like codes and are not assets
            "Zorblax Therapeutics and Kestrel Bio agreed in 2024 to develop a PD-1 and GLP-1 "
            "antibody against COVID-19.",
            set(),
            {"PD-1", "GLP-1", "COVID-19"},
        ),
    ],
)
def test_assets_as_written(extractor, text, expected, not_expected):
    [details] = read(extractor, text, [(text, ZK)])
    assert expected <= set(details.assets)
    assert not (not_expected & set(details.assets))
    assert not {"Zorblax Therapeutics", "Kestrel Bio"} & set(details.assets)


@pytest.mark.model
def test_assets_listed_in_the_next_sentence_and_not_another_companys_brand(extractor):
    # "These include ..." goes on from the deal's sentence though it names only other
    # organisations; a brand after another organisation's possessive is the product the
    # deal's asset copies, not the deal's
    text = (
        "Kestrel Bio will license several biosimilar candidates to Zorblax Therapeutics. "
        "These include ZB11, a version of Novamed's Lucetra (ranibizumab)."
    )
    [details] = read(extractor, text, [(text[:20], ZK)], others=("Novamed",))
    assert {"ZB11", "ranibizumab"} <= set(details.assets)
    assert "Lucetra" not in details.assets


@pytest.mark.model
def test_a_later_sentence_names_the_deals_assets_only_when_it_speaks_of_the_deal(extractor):
    # the party's "lead product" in a sentence of no agreement or rights is its own, not
    # the deal's; a sentence of the agreement's rights, or a name the deal's sentences
    # repeat, is the deal's
    text = (
        "Zorblax Therapeutics licensed ZX-1042 from Kestrel Bio. "
        "Kestrel Bio's lead product is the marketed KB-900, approved in 2020. "
        "The agreement also gives Zorblax Therapeutics rights to KB-77 in Japan. "
        "Kestrel Bio expects ZX-1042 to enter Phase 2 trials next year."
    )
    [details] = read(extractor, text, [(text[:20], ZK)])
    assert {"ZX-1042", "KB-77"} <= set(details.assets)
    assert "KB-900" not in details.assets


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        # a coined name after an organisation's possessive, which the tagger may read as
        # an adjective or a place
        "The regulator said Zorblax Therapeutics had agreed to sell Kestrel Bio's Orbatac "
        "heartburn drug to Novamed.",
        "Zorblax Therapeutics will combine Kestrel Bio's Trelassia with its own pill.",
    ],
)
def test_a_name_an_organisation_owns_whatever_its_tag(extractor, text):
    [details] = read(extractor, text, [(text[:20], ZK)], others=("Novamed",))
    name = re.search(r"Bio's (\w+)", text).group(1)
    assert name in details.assets


@pytest.mark.model
def test_an_unmarked_name_that_comes_back_is_an_asset(extractor):
    # "Veltrava" has no ® and no drug-name stem; it recurs in the deal's sentences and is
    # no English word. "Chief" recurs too, and is one.
    text = (
        "Zorblax Therapeutics signed a licence agreement for Veltrava with Kestrel Bio. "
        "Kestrel Bio will pay Chief Scientist fees and sell Veltrava in Japan. "
        "Zorblax Therapeutics receives royalties on Veltrava, its Chief Scientist said."
    )
    [details] = read(extractor, text, [("Zorblax Therapeutics signed", ZK)])
    assert "Veltrava" in details.assets
    assert not {"Chief", "Scientist", "Japan"} & set(details.assets)


@pytest.mark.model
def test_a_name_in_the_deals_sentence_that_the_item_names_again_is_an_asset(extractor):
    # "Veltrava" is named once in the deal's sentence and again in a sentence that does
    # not speak of the deal; "Marlowe", named again but beside a "said", is someone's name
    text = (
        "Marlowe said Zorblax Therapeutics signed a distribution agreement for Veltrava "
        "with Kestrel Bio. "
        "Veltrava is an oral tablet for schizophrenia. "
        "Marlowe told analysts in Osaka."
    )
    [details] = read(extractor, text, [("Zorblax Therapeutics signed", ZK)])
    assert "Veltrava" in details.assets
    assert "Marlowe" not in details.assets


@pytest.mark.model
def test_a_recurring_name_that_is_told_or_speaks_is_no_asset(extractor):
    # "Vendara" recurs in the deal's sentences, as the outlet told of it
    text = (
        "Zorblax Therapeutics told Vendara it signed a licence agreement with Kestrel Bio "
        "for Veltrava. Kestrel Bio told Vendara the Veltrava deal was worth $5 million."
    )
    [details] = read(extractor, text, [("Zorblax Therapeutics told", ZK)])
    assert "Veltrava" in details.assets
    assert "Vendara" not in details.assets


@pytest.mark.model
def test_a_recurring_name_at_the_very_end_of_the_text(extractor):
    # the last word of an item has no word after it to look at
    text = "Zorblax Therapeutics licensed Veltrava to Kestrel Bio. Kestrel Bio sells Veltrava"
    [details] = read(extractor, text, [("Zorblax", ZK)])
    assert "Veltrava" in details.assets


@pytest.mark.model
def test_a_party_named_by_its_first_word_speaks_of_the_deal(extractor):
    text = (
        "Zorblax Therapeutics and Kestrel Bio signed a licence agreement. "
        "Later on, Zorblax received rights to the antibody ZX-1042."
    )
    [details] = read(extractor, text, [("Zorblax Therapeutics and", ZK)])
    assert "ZX-1042" in details.assets


@pytest.mark.model
@pytest.mark.parametrize(
    "text, status",
    [
        ("Zorblax Therapeutics has agreed to acquire Kestrel Bio.", "agreed"),
        ("Zorblax Therapeutics signed a licence agreement with Kestrel Bio.", "agreed"),
        ("Zorblax Therapeutics completed its acquisition of Kestrel Bio.", "completed"),
        ("Zorblax Therapeutics has acquired Kestrel Bio.", "completed"),
        ("Zorblax Therapeutics bought Kestrel Bio for $5 million.", "completed"),
        (
            "Zorblax Therapeutics terminated its licence agreement with Kestrel Bio.",
            "terminated",
        ),
        (
            "Zorblax Therapeutics and Kestrel Bio agreed to terminate their merger agreement.",
            "terminated",
        ),
        (
            "Zorblax Therapeutics signed a licence agreement with Kestrel Bio that either party "
            "may terminate.",
            "agreed",
        ),
        (
            "Zorblax Therapeutics will pay Kestrel Bio a termination fee if the merger fails.",
            "agreed",
        ),
        # rights bought or sold are a licence entered into, not a completed transfer
        ("Zorblax Therapeutics acquired the rights to market Veltrava from Kestrel Bio.", "agreed"),
        ("Zorblax Therapeutics sold the worldwide rights to ZX-1042 to Kestrel Bio.", "agreed"),
        # a verb ends the deal with its particle
        ("The merger of Zorblax Therapeutics and Kestrel Bio fell through in May.", "terminated"),
        ("Zorblax Therapeutics called off its merger with Kestrel Bio.", "terminated"),
    ],
)
def test_status_of_a_single_mention(extractor, text, status):
    [details] = read(extractor, text, [(text, ZK)])
    assert details.status == status


# ----------------------------------------------------------------------------- the pipeline


@pytest.mark.model
def test_the_seed_stakes_carry_twenty_percent(seed_results):
    """The bundled article in which two companies each take a 20% stake in a third."""
    deals = [d for r in seed_results.values() for d in r.deals]
    stakes = {frozenset(d.parties): d.terms.equity_pct for d in deals if "AND Pharma" in d.parties}
    for buyer in ("Itochu", "Mochida Pharmaceutical"):
        stake = stakes.get(frozenset({buyer, "AND Pharma"}))
        assert stake is not None and stake.value == 20, stakes


@pytest.mark.model
def test_the_rules_path_fills_terms_too(rules_extractor):
    from tests.conftest import make_article

    text = (
        "Zorblax Therapeutics signed a licence agreement with Kestrel Bio for ZX-1042.\n\n"
        "Kestrel Bio will receive an upfront payment of $12 million."
    )
    result = rules_extractor.extract(make_article(text))
    [deal] = [d for d in result.deals if len(d.parties) == 2]
    assert deal.terms.upfront.amount == 12e6
    assert "ZX-1042" in deal.assets


# ----------------------------------------------------------------------------- JSON and USD


def test_result_json_writes_terms_assets_and_status_in_the_gold_schema():
    from atlas.result_json import terms_as_json

    terms = Terms(
        total_value=Money(5e8, "USD", "$500 million"),
        upfront=Money(2e7, "EUR", "€20 million"),
        equity_pct=Stake(19.9, "19.9% stake"),
        royalties="tiered royalties",
    )
    out = terms_as_json(terms, "2020-06-15")
    assert out["total_value"] == {
        "amount": 500_000_000,
        "currency": "USD",
        "text": "$500 million",
        "usd": 500_000_000,
    }
    assert out["upfront"]["amount"] == 20_000_000 and 20e6 < out["upfront"]["usd"] < 25e6
    assert out["equity_pct"] == {"value": 19.9, "text": "19.9% stake"}
    assert out["royalties"] == {"text": "tiered royalties"}
    assert "milestones" not in out
    assert terms_as_json(Terms(), None) == {}


def test_a_deal_without_terms_keeps_working():
    deal = Deal(("A", "B"), "licensing", "A licensed it to B.")
    assert not deal.terms and deal.assets == () and deal.status == "agreed"


@pytest.mark.parametrize(
    "money, on, low, high",
    [
        (Money(1e6, "USD", ""), "1987-03", 1e6, 1e6),  # dollars are dollars at any date
        (Money(1e6, "EUR", ""), "2020-06", 1.05e6, 1.2e6),
        (Money(1e9, "JPY", ""), "2015", 7e6, 9.5e6),
        # before 1999: the ECB's first rate; lire through their fixed euro rate
        (Money(1e9, "ITL", ""), "1987-05", 4e5, 7e5),
        (Money(1e6, "GBP", ""), "1995-01-01", 1.4e6, 1.8e6),
    ],
)
def test_usd_at_the_deal_date(money, on, low, high):
    assert low <= usd_value(money, on) <= high


def test_a_currency_without_ecb_rates_has_no_usd_value():
    assert usd_value(Money(1e9, "TWD", ""), "2023-05") is None


# ----------------------------------------------------------------------------- scoring


def _gold(terms: dict, assets: list[str], status: str) -> dict:
    return {
        "file": "a.txt",
        "organisations": ["Alpha", "Beta"],
        "deals": [
            {
                "parties": ["Alpha", "Beta"],
                "type": "licensing",
                "terms": terms,
                "assets": assets,
                "status": status,
            }
        ],
    }


def _predicted(terms: dict, assets: list[str], status: str | None) -> dict:
    deal = {"parties": ["Alpha", "Beta"], "type": "licensing", "terms": terms, "assets": assets}
    if status:
        deal["status"] = status
    return {"file": "a.txt", "organisations": ["Alpha", "Beta"], "deals": [deal]}


def test_terms_are_scored_over_the_terms_either_side_states():
    gold = _gold(
        {
            "upfront": {"amount": 100_000_000, "currency": "USD", "text": "$100 million"},
            "milestones": {"amount": 1_000_000_000, "currency": "USD", "text": "$1 billion"},
            "equity_pct": {"value": 20, "text": "20%"},
            "royalties": {"text": "royalties"},  # text only: not counted
        },
        [],
        "agreed",
    )
    predicted = _predicted(
        {
            "upfront": {"amount": 100_500_000, "currency": "USD"},  # within 1 %
            "milestones": {"amount": 1_000_000_000, "currency": "EUR"},  # other currency
            "equity_pct": {"value": 20.4},  # within half a point
            "total_value": {"amount": 5, "currency": "USD"},  # gold states none
        },
        [],
        None,
    )
    evaluation = Evaluation()
    score_article(gold, predicted, evaluation)
    assert (evaluation.terms_correct, evaluation.terms_counted) == (2, 4)
    assert evaluation.status_accuracy == 1.0  # no status predicted counts as agreed


def test_assets_by_case_folded_containment_and_status_accuracy():
    gold = _gold({}, ["Veltrava", "ZX-1042"], "completed")
    predicted = _predicted({}, ["veltrava®", "ZX-1042 tablets", "Helixon"], "agreed")
    evaluation = Evaluation()
    score_article(gold, predicted, evaluation)
    assert (evaluation.assets.tp, evaluation.assets.fp, evaluation.assets.fn) == (2, 1, 0)
    assert evaluation.status_accuracy == 0.0
    summary = evaluation.summary()
    assert summary["terms_accuracy"] == 1.0 and summary["terms_counted"] == 0
