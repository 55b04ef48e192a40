"""Uploads (zip included), shared ingest, and RSS/Atom feeds served from localhost."""

from __future__ import annotations

import http.server
import io
import threading
import zipfile

import pytest

from atlas import store
from atlas.feeds import FeedError, add_feed, fetch_feed, list_feeds, parse_feed, record_refresh
from atlas.ingest import ingest_articles, read_uploads
from atlas.models import Article, Rejection
from tests.conftest import SEEDS

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Pharma wire</title>
<item><title>Eisai and Biogen expand alliance</title><link>http://127.0.0.1/a</link>
<pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Eisai and Biogen have formed a strategic alliance in Alzheimer's disease.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description></item>
<item><title>Empty</title><link>http://127.0.0.1/b</link><description></description></item>
</channel></rss>"""


@pytest.fixture(autouse=True)
def local_feeds_allowed(monkeypatch):
    """The feed servers here listen on 127.0.0.1, which fetch_feed refuses by default."""
    monkeypatch.setenv("ATLAS_FEEDS_ALLOW_PRIVATE", "1")


def test_read_uploads_formats_zip_and_bad_files():
    seed = (SEEDS / "000_d1c1c98d28aab052.txt").read_bytes()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("folder/seed.txt", seed)
        zf.writestr("../../evil.txt", b"Takeda has acquired Zentaris Bio for $1 billion.")
        zf.writestr("image.png", b"\x89PNG\r\n\x1a\n")
    records = read_uploads(
        [
            (
                "notes.md",
                b"# Deal\n\nShionogi has signed a licence agreement with Ono Pharmaceutical.\n",
            ),
            ("bundle.zip", archive.getvalue()),
            ("empty.txt", b""),
            ("broken.zip", b"PK\x03\x04 not really"),
        ]
    )
    articles = [r for r in records if isinstance(r, Article)]
    rejected = {r.path: r.reason for r in records if isinstance(r, Rejection)}
    assert {a.file for a in articles} == {
        "notes.md",
        "bundle.zip/folder/seed.txt",
        "bundle.zip/../../evil.txt",
    }
    assert (
        "bundle.zip/image.png" in rejected and "empty.txt" in rejected and "broken.zip" in rejected
    )
    assert all(reason and "\n" not in reason for reason in rejected.values())


def test_ingest_articles_reports_and_dedupes(extractor, memory_store):
    records = read_uploads(
        [("seed.txt", (SEEDS / "000_d1c1c98d28aab052.txt").read_bytes()), ("bad.txt", b"\x00\x01")]
    )
    calls = []
    report = ingest_articles(
        memory_store, records, extractor=extractor, progress=lambda *a: calls.append(a)
    )
    assert report.summary.ingested == 1 and len(report.summary.rejected) == 1
    assert calls and calls[-1][:2] == (1, 1)
    again = ingest_articles(memory_store, records, extractor=extractor)
    assert again.summary.ingested == 0 and again.summary.duplicates == 1
    assert store.counts(memory_store)["deals"] == 2


def test_parse_feed_entries_become_articles():
    parsed = parse_feed(RSS, source_url="http://127.0.0.1/feed")
    assert parsed.title == "Pharma wire"
    article, empty = parsed.records
    assert isinstance(article, Article) and isinstance(empty, Rejection)
    assert article.title == "Eisai and Biogen expand alliance"
    assert article.published == "2025-03-04" and article.url == "http://127.0.0.1/a"
    assert "<script>" not in article.text and "strategic alliance" in article.text


def test_parse_feed_rejects_garbage():
    (only,) = parse_feed(b"this is not xml at all", source_url="x").records
    assert isinstance(only, Rejection)


@pytest.fixture
def feed_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            if self.path == "/feed.xml":
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.end_headers()
                self.wfile.write(RSS)
            else:
                self.send_response(404)
                self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_fetch_feed_from_localhost_and_refresh_adds_only_new(feed_server, extractor, memory_store):
    url = f"{feed_server}/feed.xml"
    feed_id = add_feed(memory_store, url)
    assert add_feed(memory_store, url) == feed_id  # remembered once
    parsed = parse_feed(fetch_feed(url), source_url=url)
    first = ingest_articles(memory_store, parsed.records, extractor=extractor)
    record_refresh(memory_store, feed_id, title=parsed.title, result=first.summary.line())
    assert first.summary.ingested == 1
    second = ingest_articles(
        memory_store, parse_feed(fetch_feed(url), source_url=url).records, extractor=extractor
    )
    assert second.summary.ingested == 0 and second.summary.duplicates == 1
    assert list_feeds(memory_store)[0]["title"] == "Pharma wire"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/feed", "starts with http"),
        ("http://127.0.0.1:9/feed.xml", "cannot connect"),  # nothing listens on the discard port
    ],
)
def test_fetch_feed_fails_cleanly(url, reason):
    with pytest.raises(FeedError, match=reason):
        fetch_feed(url, timeout=3)


def test_fetch_feed_http_error(feed_server):
    with pytest.raises(FeedError, match="HTTP 404"):
        fetch_feed(f"{feed_server}/missing.xml")
