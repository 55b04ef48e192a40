"""AppTest behaviour tests for the Companies, Articles and Deals pages, on the
seeded store (three seed articles plus a hostile one) and on an empty store."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from atlas.corpus import article_id
from atlas.query import DealFilters
from tests.conftest import HOSTILE_TEXT, ROOT

PAGES = ("companies", "articles", "deals")
TEXT_DIV = '<div class="atlas-hl-text">'
JFCR = "Japanese Foundation for Cancer Research"
KISED = "Korea Institute of Startup and Entrepreneurship Development"
NOTHING = DealFilters(
    types=("other",), include_undated=False, date_from="1990-01-01", date_to="1990-12-31"
)


def page(name: str, *, filters: DealFilters | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "views" / f"{name}.py"), default_timeout=60)
    if filters is not None:
        at.session_state["atlas_filters"] = filters
    for param, value in (query or {}).items():
        at.query_params[param] = value
    at.run()
    assert not at.exception, at.exception
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table shown with ``column`` (display tables carry no key in AppTest)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def shown_markdown(at: AppTest) -> str:
    return "\n".join(
        [m.value for m in at.markdown]
        + [s.value for s in at.subheader]
        + [t.value for t in at.text]
    )


# --- every page, both stores -------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_page_runs_on_the_seeded_store(app_env, name):
    at = page(name)
    assert at.title[0].value


@pytest.mark.parametrize("name", PAGES)
def test_page_says_the_store_is_empty(empty_app_env, name):
    at = page(name)
    assert any("empty" in info.value for info in at.info)
    assert not at.dataframe


@pytest.mark.parametrize("name", PAGES)
def test_page_survives_filters_that_leave_nothing(app_env, name):
    at = page(name, filters=NOTHING)
    assert at.warning and "match the filters" in at.warning[0].value


# --- Companies ---------------------------------------------------------------------------


def test_companies_defaults_to_the_most_active_and_lists_its_partners(app_env):
    at = page("companies")
    assert at.selectbox(key="companies_organisation").value == "Astellas Pharma"
    partners = table_with(at, "partner")["partner"].tolist()
    assert {JFCR, "Yaskawa Electric", KISED} <= set(partners)
    # The joint venture told by two articles is one deal (with two sources), not two.
    jv = next(d.value for d in at.dataframe if "Sources" in d.value.columns)
    yaskawa = jv[jv["Parties"] == "Astellas Pharma + Yaskawa Electric"]
    assert yaskawa["Sources"].tolist() == [2]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Deals"] == "7"
    assert metrics["Latest deal"] == "19 Dec 2025"
    assert "Astellas, Astellas Pharma Inc" in shown_markdown(at)
    assert at.query_params["company"] == "Astellas Pharma"


def test_companies_profile_shows_articles_areas_deals_and_network(app_env):
    at = page("companies")
    at.selectbox(key="companies_organisation").select("Astellas Pharma").run()
    assert not at.exception
    assert len(table_with(at, "Mentions")) == 3
    assert "oncology" in table_with(at, "area")["area"].tolist()
    deals = table_with(at, "Evidence")
    assert all("Astellas Pharma" in parties for parties in deals["Parties"])
    assert len(at.get("plotly_chart")) == 1
    assert at.download_button(key="companies_ego_download")


def test_companies_selection_by_key(app_env):
    at = page("companies")
    at.selectbox(key="companies_organisation").select("Sawai Pharmaceutical").run()
    assert not at.exception
    assert set(table_with(at, "partner")["partner"]) == {"Asahi Kasei", "Nichi-Iko Pharmaceutical"}
    assert at.query_params["company"] == "Sawai Pharmaceutical"


@pytest.mark.parametrize("link", ["Sawai", "sawai pharmaceutical"])
def test_companies_link_opens_a_profile_by_name_or_alias(app_env, link):
    at = page("companies", query={"company": link})
    assert at.selectbox(key="companies_organisation").value == "Sawai Pharmaceutical"


def test_companies_unknown_link_falls_back_to_the_most_active(app_env):
    at = page("companies", query={"company": "<script>alert(1)</script>"})
    assert at.selectbox(key="companies_organisation").value == "Astellas Pharma"


def test_companies_organisation_without_matching_deals(app_env):
    at = page(
        "companies",
        filters=DealFilters(types=("settlement/litigation",)),
        query={"company": "Astellas Pharma"},
    )
    assert at.selectbox(key="companies_organisation").value == "Astellas Pharma"
    assert any("No deal of this organisation" in info.value for info in at.info)
    assert len(table_with(at, "Mentions")) == 3  # mentions are not deals: still listed


def test_companies_hostile_organisation_is_shown_as_text(app_env):
    at = page("companies")
    hostile = next(o for o in at.selectbox(key="companies_organisation").options if "alert(1)" in o)
    at.selectbox(key="companies_organisation").select(hostile).run()
    assert not at.exception
    assert "<" not in at.subheader[0].value
    assert "&gt;" in at.subheader[0].value
    assert "Eisai" in table_with(at, "partner")["partner"].tolist()


def test_companies_network_of_a_hub_draws_its_most_frequent_partners(app_env, monkeypatch):
    from components import network

    monkeypatch.setattr(network, "EGO_PARTNERS", 2)
    at = page("companies", query={"company": "Astellas Pharma"})
    partners = table_with(at, "partner")
    (frame,) = at.get("iframe")
    drawn = frame.proto.srcdoc
    for name in partners["partner"].head(2):
        assert f'"label": "{name}"' in drawn
    assert f'"label": "{partners["partner"].iloc[-1]}"' not in drawn
    assert any(
        f"Its 2 most frequent partners of {len(partners)} are drawn" in c.value for c in at.caption
    )


# --- Articles ----------------------------------------------------------------------------


def test_articles_lists_every_article(app_env):
    at = page("articles")
    listing = table_with(at, "Date from")
    assert len(listing) == 4
    assert set(listing["Date from"]) == {"from the text", "from a URL in the text", "unknown"}


def test_articles_search_finds_the_jfcr_article_and_reads_it(app_env):
    at = page("articles")
    at.text_input(key="articles_search").input("JFCR").run()
    assert not at.exception
    listing = table_with(at, "Date from")
    assert listing["Title"].tolist() == ["Astellas Pharma and JFCR partner for oncology research"]
    assert listing["Date"].tolist() == ["Apr 2025"]
    shown = shown_markdown(at)
    assert "Apr 2025" in shown and "from a URL in the text" in shown
    deals = table_with(at, "Evidence")
    assert f"Astellas Pharma + {JFCR}" in deals["Parties"].tolist()
    provenance = table_with(at, "Item")
    assert "from a URL in the text" in provenance["Date from"].tolist()
    text = [h.value for h in at.html if h.value.startswith(TEXT_DIV)]
    assert len(text) == 1
    assert 'title="Astellas Pharma">Astellas Pharma</mark>' in text[0]
    assert f'title="{JFCR}">Japanese Foundation for Cancer Research</mark>' in text[0]
    assert '<mark class="atlas-mark atlas-mark-country" title="Japan">Japan</mark>' in text[0]


def test_articles_link_opens_an_article_and_the_url_follows_the_selection(app_env):
    jfcr_id = article_id((ROOT / "data" / "articles" / "000_d1c1c98d28aab052.txt").read_text())
    at = page("articles", query={"article": jfcr_id})
    assert at.selectbox(key="articles_selected").value == jfcr_id
    assert "from a URL in the text" in shown_markdown(at)
    at.selectbox(key="articles_selected").select(article_id(HOSTILE_TEXT)).run()
    assert at.query_params["article"] == article_id(HOSTILE_TEXT)


def test_companies_articles_link_to_the_reader(app_env):
    at = page("companies", query={"company": "JFCR"})
    assert at.selectbox(key="companies_organisation").value == JFCR
    links = table_with(at, "Mentions")["Read"].tolist()
    assert links and all(link.startswith("articles?article=") for link in links)


def test_articles_hostile_article_is_escaped(app_env):
    at = page("articles")
    select = at.selectbox(key="articles_selected")
    assert any("Evil" in label for label in select.options)
    select.select(article_id(HOSTILE_TEXT)).run()
    assert not at.exception
    text = next(h.value for h in at.html if h.value.startswith(TEXT_DIV))
    assert "&lt;script&gt;" in text
    # the organisation mention starts inside the markup: split by a mark, still escaped
    assert "Onerror&lt;img/src=x/onerror=<mark" in text
    assert "&lt;script&gt;alert(" in text
    assert "<script" not in text and "<img" not in text
    for h in at.html:
        assert "<script" not in h.value
    assert "<" not in at.subheader[0].value
    assert "licensing" in table_with(at, "Evidence")["Type"].tolist()


def test_articles_digest_shows_each_item_separately(app_env):
    at = page("articles")
    at.checkbox(key="articles_digest_only").check().run()
    assert not at.exception
    assert len(table_with(at, "Date from")) == 1
    items = [h.value for h in at.html if h.value.startswith(TEXT_DIV)]
    assert len(items) == 12
    assert any("Sawai" in item and "atlas-mark-org" in item for item in items)
    assert "Item 4" in shown_markdown(at)
    assert len(table_with(at, "Evidence")) == 7


def test_articles_search_without_result(app_env):
    at = page("articles")
    at.text_input(key="articles_search").input("' OR 1=1 --").run()
    assert not at.exception
    assert any("No article matches" in info.value for info in at.info)


def test_articles_over_the_list_cap_lists_the_newest_and_a_link_still_opens_any(
    app_env, monkeypatch
):
    from components import tables

    monkeypatch.setattr(tables, "MAX_LISTED_ARTICLES", 2)
    at = page("articles")
    assert len(table_with(at, "Date from")) == 2
    assert any("4 of 4 articles; the newest 2 are listed" in c.value for c in at.caption)
    assert len(at.selectbox(key="articles_selected").options) == 2
    unlisted = article_id(HOSTILE_TEXT)  # undated: listed last
    assert unlisted not in at.selectbox(key="articles_selected").options
    linked = page("articles", query={"article": unlisted})
    assert linked.selectbox(key="articles_selected").value == unlisted
    assert "licensing" in table_with(linked, "Evidence")["Type"].tolist()


def test_articles_filters_keep_the_articles_of_matching_deals(app_env):
    at = page("articles", filters=DealFilters(countries=("Iceland",)))
    assert len(table_with(at, "Date from")) == 1


# --- Deals -------------------------------------------------------------------------------


def test_deals_lists_every_deal_with_downloads(app_env):
    at = page("deals")
    table = table_with(at, "Evidence")
    assert len(table) == 14  # 15 mentions; the Astellas-Yaskawa JV is told by two articles
    assert {
        "Parties",
        "Type",
        "Also",
        "Date",
        "Countries",
        "Areas",
        "Confidence",
        "Article",
    } <= set(table.columns)
    assert at.download_button(key="deals_download_csv")
    assert at.download_button(key="deals_download_excel")


def test_deals_search_sawai(app_env):
    at = page("deals")
    at.text_input(key="deals_search").input("Sawai").run()
    assert not at.exception
    table = table_with(at, "Evidence")
    assert sorted(table["Parties"]) == [
        "Asahi Kasei + Sawai Pharmaceutical",
        "Sawai Pharmaceutical + Nichi-Iko Pharmaceutical",
    ]
    assert at.download_button(key="deals_download_csv")
    assert at.download_button(key="deals_download_excel")


def test_deals_search_without_result(app_env):
    at = page("deals")
    at.text_input(key="deals_search").input("no such company").run()
    assert not at.exception
    assert any("No deal matches" in info.value for info in at.info)


def test_deals_respect_the_sidebar_filters(app_env):
    at = page("deals", filters=DealFilters(countries=("Iceland",)))
    assert table_with(at, "Evidence")["Parties"].tolist() == ["Alvotech + Fuji Pharma"]
