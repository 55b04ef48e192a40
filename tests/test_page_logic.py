"""What the Articles, Deals, Corrections, Overview and Add articles pages compute,
tested without Streamlit on a real store (the seed articles and a hostile one,
extracted by the real pipeline) and a feed served from localhost."""

from __future__ import annotations

import http.server
import threading

import pandas as pd
import pytest
from sqlalchemy import create_engine

from atlas import snapshot, store
from atlas.consolidate import source_article_ids
from atlas.feeds import FeedError, list_feeds, refresh_feed
from atlas.listings import (
    article_listing,
    choose_article,
    deal_choices,
    deal_label,
    deal_search,
)
from atlas.overview import last_ingest_markdown, overview_summary, year_span
from atlas.query import latest_first
from atlas.safe_text import markdown_text
from tests.conftest import HOSTILE_TITLE


@pytest.fixture(scope="module")
def seeded(seeded_db_url):
    engine = create_engine(seeded_db_url)
    try:
        yield snapshot.dashboard_state(engine).deals, store.articles_frame(engine), engine
    finally:
        engine.dispose()


# --- Articles -------------------------------------------------------------------------------


def test_article_listing_lists_every_article_with_its_title_as_text(seeded):
    _deals, articles, _engine = seeded
    listing = article_listing(articles, limit=100)
    assert listing.stored == listing.found == len(articles) == 4
    assert listing.ids == articles["id"].tolist()
    assert list(listing.table.columns) == [
        "Title",
        "Source",
        "Date",
        "Date from",
        "Digest",
        "Organisations",
        "Deals",
    ]
    # a title is shown as text: markup stays as its characters
    assert HOSTILE_TITLE in listing.table["Title"].tolist()
    assert listing.labels == dict(zip(listing.ids, listing.table["Title"], strict=True))


def test_article_listing_searches_limits_and_follows_the_filtered_deals(seeded):
    deals, articles, _engine = seeded
    found = article_listing(articles, query="evil", limit=100)
    assert (found.stored, found.found) == (4, 1)
    assert found.table["Title"].tolist() == [HOSTILE_TITLE]
    limited = article_listing(articles, limit=2)
    assert limited.found == 4 and len(limited.ids) == len(limited.table) == 2
    one_deal = deals[deals["parties"].map(lambda p: "Eisai" in p)]
    sources = source_article_ids(one_deal)
    filtered = article_listing(articles, source_ids=sources, limit=100)
    assert set(filtered.ids) == sources and filtered.stored == len(sources) < 4
    assert article_listing(articles, digest_only=True, limit=100).found == int(
        articles["is_digest"].fillna(False).sum()
    )


def test_choose_article_opens_a_link_once_then_follows_the_selection(seeded):
    _deals, articles, engine = seeded
    listing = article_listing(articles, query="evil", limit=100)
    unlisted = next(i for i in articles["id"] if i not in listing.labels)

    def detail(article_id):
        return store.article_detail(engine, article_id)

    opened = choose_article(
        listing.ids, listing.labels, selected=None, link=unlisted, from_link=None, detail=detail
    )
    assert opened.ids[0] == unlisted and opened.selected == unlisted
    assert opened.from_link == unlisted and unlisted in opened.labels
    assert unlisted not in listing.ids and unlisted not in listing.labels  # not changed
    # the same link on the next run no longer forces the selection
    later = choose_article(
        listing.ids,
        listing.labels,
        selected=listing.ids[0],
        link=unlisted,
        from_link=unlisted,
        detail=detail,
    )
    assert later.selected == listing.ids[0] and unlisted not in later.ids
    # an unknown id opens nothing; the first listed article is shown
    missing = choose_article(
        listing.ids, listing.labels, selected=None, link="nope", from_link=None, detail=detail
    )
    assert missing.selected == listing.ids[0] and missing.from_link is None


# --- Deals and Corrections ------------------------------------------------------------------


def test_deal_search_finds_newest_first_and_labels_the_rows_shown(seeded):
    deals, _articles, _engine = seeded
    everything = deal_search(deals, "", limit=2)
    assert everything.found["deal_key"].tolist() == latest_first(deals)["deal_key"].tolist()
    assert len(everything.choices) == 2
    assert list(everything.choices.values()) == everything.found.index[:2].tolist()
    eisai = deal_search(deals, "eisai", limit=100)
    assert len(eisai.found) and all(
        "eisai" in (" ".join(p) + str(e)).casefold()
        for p, e in zip(eisai.found["parties"], eisai.found["evidence"], strict=True)
    )
    assert deal_search(deals, "no such words anywhere", limit=100).found.empty


def test_deal_label_names_parties_type_date_and_sources():
    row = pd.Series(
        {
            "parties": ["Eisai", "Biogen"],
            "type": "licensing",
            "deal_date": "2025-04",
            "before_date": None,
            "n_sources": 3,
        }
    )
    assert deal_label(row).startswith("Eisai + Biogen · licensing · ")
    assert deal_label(row).endswith(" · 3 sources")
    assert "sources" not in deal_label({**row, "n_sources": 1})


def test_deal_choices_offers_the_latest_sorted_by_label(seeded):
    deals, _articles, _engine = seeded
    every = deal_choices(deals, "", limit=500)
    assert every.matching == len(deals) == len(every.labels)
    assert list(every.labels) == sorted(every.labels)
    few = deal_choices(deals, "", limit=1)
    assert few.matching == len(deals) and len(few.labels) == 1
    (index,) = few.labels.values()
    assert deals.loc[index, "deal_date"] == deals["deal_date"].dropna().max()
    assert deal_choices(deals, "eisai", limit=500).matching < len(deals)


# --- Overview -------------------------------------------------------------------------------


def test_overview_summary_counts_the_deals(seeded):
    deals, articles, _engine = seeded
    summary = overview_summary(deals)
    assert summary.deals == len(deals)
    assert summary.organisations == len({p for parties in deals["parties"] for p in parties})
    assert summary.articles == len(source_article_ids(deals)) <= len(articles)
    assert summary.latest["deal_key"].tolist() == latest_first(deals, 10)["deal_key"].tolist()
    empty = overview_summary(deals.iloc[0:0])
    assert (empty.deals, empty.organisations, empty.span, empty.articles) == (0, 0, "–", 0)


@pytest.mark.parametrize(
    ("dates", "span"),
    [
        (["2024-05", "2025-01-02", None], "2024–2025"),
        (["2025", "2025-12-31"], "2025"),  # one year, however precise
        ([None, None], "–"),
    ],
)
def test_year_span(dates, span):
    assert year_span(pd.Series(dates, dtype=object)) == span


def test_last_ingest_line_escapes_the_time_and_says_a_run_stopped():
    run = {
        "started_at": "[x](http://evil.example)",
        "status": "interrupted",
        "ingested": 5,
        "updated": 1,
        "duplicates": 2,
        "rejected": 0,
    }
    line = last_ingest_markdown(run)
    assert line.startswith(f"Last ingest {markdown_text(run['started_at'])} (interrupted): ")
    assert line.endswith("5 new, 1 re-extracted, 2 duplicates skipped, 0 rejected.")
    assert "(still running)" in last_ingest_markdown({**run, "status": "running"})


# --- Add articles: a feed -------------------------------------------------------------------

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire of the test</title>
<item><title>Velcora licenses its antibody</title><link>http://127.0.0.1/v</link>
<pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate>
<description>Velcora Biologics has signed a licence agreement with Shionogi.</description></item>
</channel></rss>"""


@pytest.fixture
def feed_url(monkeypatch):
    monkeypatch.setenv("ATLAS_FEEDS_ALLOW_PRIVATE", "1")  # the server below is local

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200 if self.path == "/feed.xml" else 503)
            self.end_headers()
            if self.path == "/feed.xml":
                self.wfile.write(FEED)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_refresh_feed_ingests_and_records_the_result_once(feed_url, extractor, memory_store):
    first = refresh_feed(memory_store, f" {feed_url}/feed.xml ", extractor)
    assert first.title == "Wire of the test" and first.result.startswith("ingested 1")
    (feed,) = list_feeds(memory_store)
    assert feed["url"] == f"{feed_url}/feed.xml" and feed["id"] == first.feed_id
    assert (feed["title"], feed["last_result"]) == ("Wire of the test", first.result)
    assert store.counts(memory_store)["articles"] == 1
    again = refresh_feed(memory_store, f"{feed_url}/feed.xml", extractor)
    assert again.feed_id == first.feed_id and "duplicates skipped 1" in again.result
    assert list_feeds(memory_store)[0]["last_result"] == again.result


def test_refresh_feed_records_a_failure_and_raises(feed_url, extractor, memory_store):
    with pytest.raises(FeedError, match="503"):
        refresh_feed(memory_store, f"{feed_url}/down.xml", extractor)
    (feed,) = list_feeds(memory_store)
    assert feed["last_result"].startswith("failed: ") and "503" in feed["last_result"]


def test_refresh_feed_hands_the_records_to_the_callers_ingest(feed_url, memory_store):
    handed = []

    def ingest(records, label):
        handed.append((len(records), label))
        return "handed to a background job"

    done = refresh_feed(memory_store, f"{feed_url}/feed.xml", ingest=ingest)
    assert handed == [(1, "Wire of the test")]
    assert done.result == "handed to a background job"
    assert list_feeds(memory_store)[0]["last_result"] == done.result
    with pytest.raises(ValueError):
        refresh_feed(memory_store, f"{feed_url}/feed.xml")
