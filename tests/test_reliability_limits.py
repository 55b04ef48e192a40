"""Issue 14, points 4, 5, 6 and 9: long texts are parsed in bounded pieces, uploads are
limited before they are read, and feed fetches are bounded in time and in where they go.

The feed tests run real HTTP servers on loopback addresses (threading ``http.server``).
"""

from __future__ import annotations

import http.server
import ipaddress
import socket
import threading
import time
import tomllib
from collections.abc import Iterator

import pytest

from atlas.feeds import MAX_REDIRECTS, FeedError, address_kind, fetch_feed
from tests.conftest import ROOT

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Pharma wire</title>
<item><title>Eisai and Biogen</title><link>http://example.org/a</link>
<description>Eisai and Biogen have formed a strategic alliance.</description></item>
</channel></rss>"""


# --------------------------------------------------------------------------------------------
# Feeds: real servers on loopback
# --------------------------------------------------------------------------------------------


class _Server:
    """A threading HTTP server on ``host``; ``routes`` maps a path to a handler
    function ``(request_handler) -> None``; ``hits`` lists the paths asked for."""

    def __init__(self, host: str, routes: dict) -> None:
        hits: list[str] = []
        self.hits = hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                hits.append(self.path)
                route = routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client hung up, as it should when time is up

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _feed(handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", str(len(RSS)))
    handler.end_headers()
    handler.wfile.write(RSS)


def _redirect(location: str):
    def route(handler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def _drip_body(handler) -> None:
    """Headers at once, then the feed one byte every 0.5 s (about 2 minutes in all):
    each read gets a byte well within any per-read timeout."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", str(len(RSS)))
    handler.end_headers()
    for byte in RSS:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.5)


def _drip_headers(handler) -> None:
    """The status line and headers themselves one byte every 0.5 s."""
    head = b"HTTP/1.1 200 OK\r\n" + b"".join(
        f"X-Padding-{i}: {'x' * 20}\r\n".encode() for i in range(20)
    )
    for byte in head:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.5)


@pytest.fixture
def server() -> Iterator[_Server]:
    """127.0.0.1 serving a feed, slow answers and redirects (routes added by tests)."""
    routes = {"/feed.xml": _feed, "/drip-body": _drip_body, "/drip-headers": _drip_headers}
    running = _Server("127.0.0.1", routes)
    running.routes = routes
    yield running
    running.close()


@pytest.fixture
def allow_loopback(monkeypatch):
    monkeypatch.setenv("ATLAS_FEEDS_ALLOW_PRIVATE", "1")


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_a_server_dripping_bytes_cannot_hold_the_fetch_past_its_time(server, allow_loopback, path):
    # One byte every 0.5 s never trips a per-read timeout of 2 s; the whole fetch must
    # still end at 2 s (the answer would take about two minutes).
    started = time.monotonic()
    with pytest.raises(FeedError, match=r"within 2 s") as caught:
        fetch_feed(server.url + path, timeout=2)
    assert time.monotonic() - started < 10
    assert "\n" not in str(caught.value)


def test_a_redirect_to_ftp_is_refused_and_not_followed(server, allow_loopback):
    # Something listens where the ftp:// redirect points: it must never be contacted.
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    server.routes["/to-ftp"] = _redirect(f"ftp://127.0.0.1:{listener.getsockname()[1]}/feed")
    try:
        with pytest.raises(FeedError, match=r"^refused: the feed redirects to a ftp:// address"):
            fetch_feed(server.url + "/to-ftp", timeout=3)
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_a_redirect_to_a_private_address_is_refused_after_the_redirect(server, monkeypatch):
    # Only 127.0.0.1 is allowed; the feed redirects to 127.0.0.2, where a real server
    # would answer. The address is checked again after the redirect, before connecting.
    monkeypatch.setenv("ATLAS_FEEDS_ALLOW_PRIVATE", "127.0.0.1")
    inner = _Server("127.0.0.2", {"/feed.xml": _feed})
    server.routes["/to-inner"] = _redirect(f"{inner.url}/feed.xml")
    try:
        assert fetch_feed(server.url + "/feed.xml", timeout=3) == RSS  # the first hop is fine
        with pytest.raises(FeedError, match=r"^refused: 127\.0\.0\.2 is a loopback address"):
            fetch_feed(server.url + "/to-inner", timeout=3)
        assert server.hits[-1] == "/to-inner"
        assert inner.hits == []
    finally:
        inner.close()


def test_redirects_are_capped(server, allow_loopback):
    # A chain of exactly MAX_REDIRECTS redirects is followed; one more is refused.
    for hop in range(MAX_REDIRECTS + 1):
        server.routes[f"/hop{hop}"] = _redirect(f"/hop{hop + 1}")
    server.routes[f"/hop{MAX_REDIRECTS}"] = _feed
    assert fetch_feed(server.url + "/hop0", timeout=5) == RSS
    server.routes[f"/hop{MAX_REDIRECTS}"] = _redirect(f"/hop{MAX_REDIRECTS + 1}")
    server.routes[f"/hop{MAX_REDIRECTS + 1}"] = _feed
    server.hits.clear()
    with pytest.raises(FeedError, match=rf"^refused: more than {MAX_REDIRECTS} redirects"):
        fetch_feed(server.url + "/hop0", timeout=5)
    assert f"/hop{MAX_REDIRECTS + 1}" not in server.hits


def test_an_endless_redirect_loop_is_refused(server, allow_loopback):
    server.routes["/loop"] = _redirect("/loop")
    with pytest.raises(FeedError, match=r"more than \d+ redirects"):
        fetch_feed(server.url + "/loop", timeout=5)


def test_private_addresses_need_the_environment_switch(server, monkeypatch):
    monkeypatch.delenv("ATLAS_FEEDS_ALLOW_PRIVATE", raising=False)
    with pytest.raises(FeedError, match=r"^refused: 127\.0\.0\.1 is a loopback address") as no:
        fetch_feed(server.url + "/feed.xml", timeout=3)
    assert "ATLAS_FEEDS_ALLOW_PRIVATE=1" in str(no.value) and "\n" not in str(no.value)
    port = server.url.rsplit(":", 1)[1]
    with pytest.raises(FeedError, match=r"^refused: localhost resolves to [\d.:a-f]+, a loopback"):
        fetch_feed(f"http://localhost:{port}/feed.xml", timeout=3)
    assert server.hits == []  # refused before connecting
    for value in ("0", "yes", "10.0.0.0/8"):  # not "1", not this address: still refused
        monkeypatch.setenv("ATLAS_FEEDS_ALLOW_PRIVATE", value)
        with pytest.raises(FeedError, match="refused"):
            fetch_feed(server.url + "/feed.xml", timeout=3)
    for value in ("1", "127.0.0.1", "10.0.0.0/8, 127.0.0.0/8"):
        monkeypatch.setenv("ATLAS_FEEDS_ALLOW_PRIVATE", value)
        assert fetch_feed(server.url + "/feed.xml", timeout=3) == RSS
    assert server.hits == ["/feed.xml"] * 3


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped: the IPv4 address decides
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata services
        ("fe80::1", "link-local"),
        ("0.0.0.0", "private"),  # "this host" on Linux
        ("100.64.0.1", "non-public"),  # carrier-grade NAT: not private, not public
        ("224.0.0.1", "non-public"),
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_address_kinds(address, kind):
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "javascript:x"])
def test_only_http_addresses_are_fetched(url):
    with pytest.raises(FeedError, match="starts with http"):
        fetch_feed(url, timeout=3)


# --------------------------------------------------------------------------------------------
# Upload limits
# --------------------------------------------------------------------------------------------


def test_streamlit_refuses_uploads_over_the_per_file_limit():
    # Streamlit holds an upload whole in memory before the page sees it; its own limit
    # (MiB) must be the real one, not its default of 200.
    from atlas.ingest import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    assert MAX_UPLOAD_BYTES <= MAX_UPLOAD_MB * 1024 * 1024


def test_the_size_check_refuses_a_selection_before_any_of_it_is_read():
    from atlas.ingest import MAX_UPLOAD_FILES, upload_size_problem

    assert upload_size_problem([("a.txt", 20_000_000), ("b.zip", 20_000_000)]) is None
    over = upload_size_problem([(f"{i}.txt", 18_000_000) for i in range(3)])
    assert over and over.startswith("the files add up to 54.0 MB, over the 50 MB")
    many = upload_size_problem([(f"{i}.txt", 10) for i in range(MAX_UPLOAD_FILES + 1)])
    assert many == f"{MAX_UPLOAD_FILES + 1} files: at most {MAX_UPLOAD_FILES} at once"


def test_the_add_page_refuses_an_upload_over_the_total_without_ingesting(empty_app_env):
    from streamlit.testing.v1 import AppTest

    from atlas import store

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("views/add_articles.py").run()
    files = [(f"part{i}.txt", b"Pfizer licensed it. " * 900_000, "text/plain") for i in range(3)]
    at.file_uploader(key="add_upload").set_value(files).run()
    next(b for b in at.button if b.label == "Ingest uploaded files").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Not ingested: the files add up to 54.0 MB, over the 50 MB one upload may bring "
        "(ingest bigger corpora with python -m atlas ingest)."
    ]
    assert store.counts(store.open_store(empty_app_env))["articles"] == 0


def test_a_zip_that_unpacks_past_the_upload_total_is_refused_whole():
    # 60 MB of text in a zip of about 60 KB: refused from its directory, nothing unpacked.
    import io
    import zipfile

    from atlas.ingest import read_uploads
    from atlas.models import Rejection

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):
            zf.writestr(f"long{i}.txt", b"a" * 20_000_000)
    assert len(archive.getvalue()) < 200_000
    (only,) = read_uploads([("bomb.zip", archive.getvalue())])
    assert isinstance(only, Rejection) and only.path == "bomb.zip"
    assert only.reason == (
        "zip unpacks to 60.0 MB, more than is left of the 50 MB one upload may bring "
        "(zips count unpacked)"
    )


def test_files_past_the_upload_total_are_rejected_one_by_one(monkeypatch):
    # The total is lowered so the files stay small; the code path is the same.
    import io
    import zipfile

    from atlas import ingest
    from atlas.models import Article, Rejection

    monkeypatch.setattr(ingest, "MAX_UPLOAD_TOTAL_BYTES", 300)
    text = b"Shionogi has signed a licence agreement with Ono Pharmaceutical.\n"  # 66 bytes
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", text)
        zf.writestr("b.txt", text)
    pulled: list[str] = []

    def files():  # a lazy iterable, as the page passes it
        for name, data in [
            ("one.txt", text),
            ("pair.zip", archive.getvalue()),  # 132 bytes unpacked: 198 used
            ("two.txt", text),  # 264
            ("three.txt", text),  # 330: over
            ("huge.txt", b"x" * (ingest.MAX_UPLOAD_BYTES + 1)),
        ]:
            pulled.append(name)
            yield name, data

    records = ingest.read_uploads(files())
    kept = sorted(r.file for r in records if isinstance(r, Article))
    rejected = {r.path: r.reason for r in records if isinstance(r, Rejection)}
    assert kept == ["one.txt", "pair.zip/a.txt", "pair.zip/b.txt", "two.txt"]
    assert rejected == {
        "three.txt": "file is 0.0 MB, more than is left of the 50 MB one upload may bring "
        "(zips count unpacked)",
        "huge.txt": "file is 20.0 MB, over the 20 MB limit",
    }
    assert len(pulled) == 5


# --------------------------------------------------------------------------------------------
# Long texts: parsed in bounded windows, stitched back
# --------------------------------------------------------------------------------------------

FILLER = (
    "Analysts at Pfizer said the regional market for generic medicines grew slowly last year.",
    "Pfizer said the weather in the region stayed mild through the spring.",
    "Pfizer said hospital budgets were under pressure as costs for staff and energy rose again.",
    "Pfizer and several trade groups asked regulators to publish clearer guidance on pricing.",
)


def long_article_text(paragraphs: int = 60) -> str:
    """One article of about 15,000 characters (no digest: Pfizer runs through it) with
    deals at its start, middle and end, and an abbreviation defined at the start and
    used at the end."""
    parts = [
        "Pfizer has signed a licence agreement with Genmab for an antibody.",
        "The Japanese Foundation for Cancer Research (JFCR) opened a new laboratory in Tokyo.",
    ]
    for i in range(paragraphs):
        parts.append(" ".join(FILLER[(i + k) % 4] for k in range(3)))
        if i == paragraphs // 2:
            parts.append("Shionogi has signed a licence agreement with Ono Pharmaceutical.")
    parts.append("JFCR signed a research collaboration agreement with Eisai.")
    parts.append("Takeda has acquired Zentaris Bio for $1 billion.")
    return "\n\n".join(parts) + "\n"


def _shape(result) -> tuple[list, list]:
    deals = sorted((d.parties, d.type, d.evidence, d.item_index) for d in result.deals)
    mentions = [(m.text, m.canonical, m.start, m.end, m.item_index) for m in result.mentions]
    return deals, mentions


@pytest.mark.model
def test_a_long_text_is_parsed_in_bounded_windows_and_finds_the_same_deals(
    extractor, memory_store, monkeypatch
):
    from atlas import extract, store
    from atlas.ingest import ingest_articles
    from tests.conftest import make_article

    article = make_article(long_article_text(), file="long.txt")
    (item,) = article.items or [article]
    assert 12_000 < len(item.text) < 50_000  # one item, under WINDOW_CHARS: parsed whole
    whole = extractor.extract(article)

    # Windows of 3,000 characters, batches of 6,000: the text needs six windows or more.
    monkeypatch.setattr(extract, "WINDOW_CHARS", 3_000, raising=False)
    monkeypatch.setattr(extract, "BATCH_CHARS", 6_000, raising=False)
    handed: list[tuple[list[int], int]] = []
    real_pipe = extractor.nlp.pipe

    def recording_pipe(texts, **options):
        # What spaCy is handed, call by call; the real pipeline does the work.
        texts = list(texts)
        lengths = [len(t[0] if options.get("as_tuples") else t) for t in texts]
        handed.append((lengths, options["batch_size"]))
        return real_pipe(texts, **options)

    monkeypatch.setattr(extractor.nlp, "pipe", recording_pipe)
    report = ingest_articles(memory_store, [article], extractor=extractor)
    windowed = extractor.extract(article)

    lengths = [n for call, _ in handed for n in call]
    assert len(lengths) >= 2 * 6 and max(lengths) <= 3_000
    for call, batch_size in handed:  # spaCy batches batch_size texts at a time
        assert all(sum(call[i : i + batch_size]) <= 6_000 for i in range(0, len(call), batch_size))
    # The deals at the start, middle and end, the same as when the text is parsed whole;
    # every mention at the same offsets; the abbreviation defined in the first window
    # still names its organisation in the last.
    assert _shape(windowed) == _shape(whole)
    assert {d.parties for d in windowed.deals} >= {
        ("Pfizer", "Genmab"),
        ("Shionogi", "Ono Pharmaceutical"),
        ("Japanese Foundation for Cancer Research", "Eisai"),
    }
    assert all(item.text[m.start : m.end] == m.text for m in windowed.mentions)
    assert report.summary.ingested == 1
    assert store.counts(memory_store)["deals"] == len(windowed.deals) >= 4


@pytest.mark.parametrize(
    ("text", "cuts"),
    [
        # after the last paragraph break in the second half of the window
        ("aaaa\n\nbbbb\n\ncc", ["aaaa\n\nbbbb\n\n", "cc"]),
        # no paragraph break: after a line break, else a sentence end, else a space
        ("aaaaaa\nbbbbbbbbb", ["aaaaaa\n", "bbbbbbbbb"]),
        ("Aaaaaaa. Bbbbbbbbbb", ["Aaaaaaa. ", "Bbbbbbbbbb"]),
        ("aaaaaaa bbbbbbbbbb", ["aaaaaaa ", "bbbbbbbbbb"]),
        # no break at all, or only in the first half (no tiny windows): a hard cut
        ("a" * 25, ["a" * 12, "a" * 12, "a"]),
        ("aa\n\nbbbbbbbbbbbbbbb", ["aa\n\nbbbbbbbb", "bbbbbbb"]),
        ("short", ["short"]),
    ],
)
def test_windows_cover_the_text_and_cut_at_breaks(text, cuts):
    from atlas.extract import _windows

    pieces = [text[start:end] for start, end in _windows(text, 12)]
    assert pieces == cuts and "".join(pieces) == text


def test_ingest_chunks_are_bounded_by_characters_as_well_as_count():
    from atlas.ingest import _chunks
    from atlas.models import Article, Rejection

    def article(n: int, chars: int) -> Article:
        return Article(id=str(n), file=f"{n}.txt", text="x" * chars)

    records = [article(0, 600), Rejection("bad", "r"), article(1, 300), article(2, 300)]
    records += [article(3, 5_000)] + [article(n, 10) for n in range(4, 9)]
    chunks = list(_chunks(records, 4, max_chars=1_000))
    assert [[getattr(r, "id", "-") for r in chunk] for chunk in chunks] == [
        ["0", "-", "1"],  # 900 characters: the next 300 would pass 1,000
        ["2"],
        ["3"],  # longer than the bound: alone
        ["4", "5", "6", "7"],  # four records at most
        ["8"],
    ]
