"""What the Timeline, Countries, Companies and Network pages compute (atlas.pages),
tested without Streamlit on the seeded store: each equals the plain function on the
filtered frame, under several filter settings."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from sqlalchemy import create_engine

from atlas import snapshot
from atlas.figures.company import company_deals, company_partners
from atlas.figures.countries import country_deals, country_organisations, cross_border_pairs
from atlas.figures.timeline import default_swimlanes, undated_deals
from atlas.graph import build_deal_graph
from atlas.pages import KeptDeals
from atlas.pages import companies as company_page
from atlas.pages import countries as country_page
from atlas.pages import network as network_page
from atlas.pages import timeline as timeline_page
from atlas.query import DealFilters, DealIndex, deals_by_country, filter_deals, party_names

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def tables(seeded_db_url) -> tuple[pd.DataFrame, pd.DataFrame]:
    engine = create_engine(seeded_db_url)
    try:
        state = snapshot.dashboard_state(engine)
        return state.deals, state.organisations
    finally:
        engine.dispose()


def _settings(deals: pd.DataFrame) -> list[DealFilters]:
    busiest_type = deals["type"].value_counts().index[0]
    country = deals["countries"].explode().dropna().value_counts().index[0]
    return [
        DealFilters(),
        DealFilters(types=(busiest_type,)),
        DealFilters(countries=(country,)),
        DealFilters(types=("no such type",)),  # nothing kept
    ]


def _cases(tables):
    deals, organisations = tables
    index = DealIndex(deals)
    for setting in _settings(deals):
        kept = KeptDeals(index, index.positions(setting), organisations)
        yield setting, kept, filter_deals(deals, setting)


def test_kept_deals_give_the_filtered_frame(tables):
    for setting, kept, plain in _cases(tables):
        assert kept.frame()["deal_id"].tolist() == plain["deal_id"].tolist(), setting
        assert kept.has_column("party_countries") and not kept.has_column("no such column")


def test_timeline_splits_dated_from_undated_and_offers_the_busiest_lanes(tables):
    for setting, kept, plain in _cases(tables):
        dated, undated = timeline_page.dated_and_undated(kept)
        expected = undated_deals(plain)
        assert undated["deal_id"].tolist() == expected["deal_id"].tolist(), setting
        assert dated == len(plain) - len(expected), setting
        names, lanes = timeline_page.lane_choices(kept)
        with_dates = plain[plain["deal_date"].notna()]
        assert names == party_names(with_dates), setting
        assert lanes == default_swimlanes(with_dates), setting


def test_timeline_swimlanes_name_the_lanes_with_more_deals_than_drawn(tables, monkeypatch):
    import atlas.figures.timeline

    _setting, kept, _plain = next(_cases(tables))
    names, lanes = timeline_page.lane_choices(kept)
    figure, crowded = timeline_page.swimlanes(kept, tuple(lanes), False)
    assert crowded == [] and figure.data
    monkeypatch.setattr(atlas.figures.timeline, "MAX_LANE_DEALS", 1)
    _figure, crowded = timeline_page.swimlanes(kept, tuple(lanes), False)
    assert crowded and set(crowded) <= set(lanes)


def test_countries_count_pair_and_list_a_country(tables):
    for setting, kept, plain in _cases(tables):
        assert_frame_equal(country_page.by_country(kept), deals_by_country(plain), obj=str(setting))
        pairs = country_page.country_pairs_of(kept)
        assert country_page.country_pairs_of(kept) is pairs  # counted once per setting
        expected_pairs = cross_border_pairs(plain)
        assert sorted(map(tuple, pairs.values.tolist())) == sorted(
            map(tuple, expected_pairs.values.tolist())
        ), setting
        names, busiest = country_page.pair_choices(kept)
        assert names == sorted(set(pairs["source"]) | set(pairs["target"]))
        if busiest is not None:
            cross = pairs[pairs["source"] != pairs["target"]]
            assert (
                cross["deals"].max() == pairs.set_index(["source", "target"]).loc[busiest, "deals"]
            )
        for country in deals_by_country(plain)["country"].head(3):
            organisations, involved = country_page.one_country(kept, country)
            assert_frame_equal(
                organisations.reset_index(drop=True),
                country_organisations(plain, country).reset_index(drop=True),
                check_dtype=False,
            )
            assert set(involved["deal_id"]) == set(country_deals(plain, country)["deal_id"])


def test_companies_names_most_active_and_links(tables):
    deals, organisations = tables
    _setting, kept, _plain = next(_cases(tables))
    names = company_page.organisation_names(kept)
    assert names == sorted(names, key=str.casefold) and len(names) == len(set(names))
    top = company_page.most_active_organisation(kept)
    assert top == deals["parties"].explode().value_counts().index[0]
    with_alias = organisations[organisations["aliases"].map(lambda a: len(a or []) > 0)].iloc[0]
    alias = next(a for a in with_alias["aliases"] if a != with_alias["name"])
    resolve = company_page.resolve_organisation_link
    assert resolve(alias.upper(), names, organisations) == with_alias["name"]
    assert resolve(top, names, organisations) == top
    assert resolve("<script>alert(1)</script>", names, organisations) is None
    assert resolve(None, names, organisations) is None


def test_a_company_profile_holds_its_deals_partners_and_circle(tables):
    for setting, kept, plain in _cases(tables):
        for organisation in party_names(plain)[:3]:
            profile = company_page.company_profile(kept, organisation, False, 2)
            expected = company_deals(plain, organisation)
            assert set(profile.own["deal_id"]) == set(expected["deal_id"]), setting
            assert_frame_equal(profile.partners, company_partners(expected, organisation))
            assert profile.figure is not None and profile.circle is not None
            assert organisation in profile.circle
    _setting, kept, _plain = next(_cases(tables))
    nobody = company_page.company_profile(kept, "No such organisation", False, 2)
    assert nobody.own.empty and nobody.figure is None and nobody.circle is None


def test_network_names_and_the_deals_between_two_organisations(tables):
    deals, organisations = tables
    graph = build_deal_graph(deals, organisations=organisations)
    names = network_page.organisation_names(graph)
    assert names == sorted(graph.nodes, key=str.casefold)
    a, b = max(graph.edges, key=lambda edge: len(graph.edges[edge]["deals"]))
    shared = network_page.deals_between_organisations(graph, deals, a, b)
    assert len(shared) and all({a, b} <= set(parties) for parties in shared["parties"])
    assert network_page.deals_between_organisations(graph, deals, a, a).empty
