"""RSS/Atom feeds: each entry becomes an article; feeds are remembered and refreshed.

Fetching reports why it failed (offline, no such host, HTTP error, refused) in one
line, so the app never hangs on a laptop with no network. On a shared server a feed
address is also a way to make the server send requests, so a fetch

- speaks http(s) only, and follows at most ``MAX_REDIRECTS`` redirects, each to
  http(s) again (never ftp:// or file://);
- connects only to public addresses: every host, the first and each one redirected
  to, is resolved and refused when it is private, loopback, link-local or otherwise
  not public, and the connection goes to the address that was checked. The
  environment variable ``ATLAS_FEEDS_ALLOW_PRIVATE`` lifts this: ``1`` for every
  address, or a comma-separated list of addresses and networks (``10.1.2.3``,
  ``192.168.0.0/16``) for an intranet feed server;
- ends after ``FETCH_TIMEOUT`` seconds in all, however slowly the server answers;
- uses no proxy from the environment (a proxy would be the address checked).
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import feedparser
from sqlalchemy import Engine, select, update

from atlas.corpus import html_to_text, parse_text_article
from atlas.models import Article, Rejection
from atlas.schema import feeds
from atlas.store.rows import insert_ignoring_conflicts, now_iso

FETCH_TIMEOUT = 10
MAX_FEED_BYTES = 10_000_000
MAX_REDIRECTS = 5
ALLOW_PRIVATE_VARIABLE = "ATLAS_FEEDS_ALLOW_PRIVATE"
_SCHEMES = ("http", "https")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FeedError(RuntimeError):
    """A feed that could not be fetched or read, with a one-line reason."""


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    records: list[Article | Rejection]


def address_kind(address: IPAddress) -> str | None:
    """Why a feed may not be fetched from ``address`` ("loopback", "private", ...),
    or ``None`` for a public address."""
    if address.version == 6 and address.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_private:
        return "private"
    if address.is_multicast or address.is_reserved or not address.is_global:
        return "non-public"
    return None


def allowed_private() -> Callable[[IPAddress], bool]:
    """Which non-public addresses ``ATLAS_FEEDS_ALLOW_PRIVATE`` lets feeds be read from."""
    value = os.environ.get(ALLOW_PRIVATE_VARIABLE, "").strip()
    if value == "1":
        return lambda address: True
    networks = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            continue  # "0", "no", a typo: allows nothing
    return lambda address: any(address in network for network in networks)


class _Fetch:
    """One fetch: its deadline, and the sockets it opened (shut at the deadline)."""

    def __init__(self, timeout: float) -> None:
        self.deadline = time.monotonic() + timeout
        self.allowed = allowed_private()
        self.expired = False
        # Duplicates of the fetch's sockets: http.client lets go of its socket once the
        # response owns it, and TLS takes the original over; a duplicate still reaches
        # the connection, and cannot be a reused descriptor of something else.
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Fetch:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def _expire(self) -> None:
        # A server dripping one byte every few seconds never trips a socket timeout,
        # which counts per read; shutting the connection ends whatever read is waiting.
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def connection(self, base: type[http.client.HTTPConnection]) -> Callable:
        """A connection class for urllib's ``do_open`` that connects through ``_connect``."""

        def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            connection = base(host, **kwargs)
            # http.client opens its socket through this attribute (HTTPS wraps it after).
            connection._create_connection = self._connect  # type: ignore[attr-defined]
            return connection

        return make

    def _connect(
        self, address: tuple[str, int], timeout: object = None, source: object = None
    ) -> socket.socket:
        """A socket to a checked address of ``host``: the check and the connection use
        the same resolution, so a name cannot resolve to another address in between."""
        host, port = address
        refusal = None
        error: OSError | None = None
        for family, kind, proto, _name, sockaddr in socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        ):
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            why = address_kind(ip)
            if why and not self.allowed(ip):
                named = f"{ip} is" if host.strip("[]") == str(ip) else f"{host} resolves to {ip},"
                refusal = (
                    f"refused: {named} a {why} address; feeds are read from public addresses "
                    f"only (set {ALLOW_PRIVATE_VARIABLE}=1 to allow others)"
                )
                continue
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the fetch's time is up")
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(left)  # reads get the same bound; _expire ends the fetch
                sock.connect(sockaddr)
            except OSError as failure:
                sock.close()
                error = failure
                continue
            with self._lock:
                if self.expired:
                    sock.close()
                    raise TimeoutError("the fetch's time is up")
                self._sockets.append(sock.dup())
            return sock
        if error is not None:
            raise error
        raise FeedError(refusal or f"cannot resolve {host}")


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, fetch: _Fetch) -> None:
        super().__init__()
        self.fetch = fetch

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.fetch.connection(http.client.HTTPConnection), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, fetch: _Fetch) -> None:
        super().__init__()
        self.fetch = fetch

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = self.fetch.connection(http.client.HTTPSConnection)
        # _context is set by HTTPSHandler.__init__ (a default context), not in its stubs
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """urllib's redirects, to http(s) only and at most ``MAX_REDIRECTS`` of them."""

    max_repeats = max_redirections = MAX_REDIRECTS + 1  # the check below speaks first

    def http_error_302(self, req, fp, code, msg, headers):
        target = headers.get("location") or headers.get("uri") or ""
        scheme = urlsplit(target).scheme.lower()
        followed = sum(getattr(req, "redirect_dict", {}).values())
        if scheme and scheme not in _SCHEMES:
            fp.close()
            raise FeedError(
                f"refused: the feed redirects to a {scheme}:// address; "
                "only http:// and https:// are followed"
            )
        if target and followed >= MAX_REDIRECTS:
            fp.close()
            raise FeedError(f"refused: more than {MAX_REDIRECTS} redirects")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener(fetch: _Fetch) -> urllib.request.OpenerDirector:
    """http(s), redirects and HTTP errors; no ftp, file, data or proxy handlers."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        _HTTPHandler(fetch),
        _HTTPSHandler(fetch),
        _RedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.UnknownHandler(),
    ):
        opener.add_handler(handler)
    return opener


def fetch_feed(url: str, *, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The feed's bytes, or a FeedError saying why not; ``timeout`` bounds the whole
    fetch (connecting, redirects, headers and body), not each read."""
    request = _feed_request(url)
    late = f"no complete answer within {timeout:g} s (offline, or a very slow server?)"
    fetch = _Fetch(timeout)
    try:
        with fetch, _opener(fetch).open(request, timeout=timeout) as response:
            data = response.read(MAX_FEED_BYTES + 1)
    except FeedError:
        raise
    except (OSError, http.client.HTTPException) as error:
        raise _fetch_error(error, expired=fetch.expired, late=late) from error
    if fetch.expired:  # the socket was shut mid-body: what arrived is cut short
        raise FeedError(late)
    if len(data) > MAX_FEED_BYTES:
        raise FeedError("the feed is larger than 10 MB")
    return data


def _feed_request(url: str) -> urllib.request.Request:
    if urlsplit(url.strip()).scheme.lower() not in _SCHEMES:
        raise FeedError("a feed address starts with http:// or https://")
    try:
        return urllib.request.Request(
            url.strip(), headers={"User-Agent": "PartnershipAtlas/0.1 (+feed reader)"}
        )
    except ValueError as error:
        raise FeedError(f"not a usable feed address ({error})") from error


def _fetch_error(error: Exception, *, expired: bool, late: str) -> FeedError:
    """What a failed fetch says: ``late`` when the whole fetch ran out of time
    (``expired``) or the connection timed out, else why the server or the connection
    failed."""
    if expired:
        return FeedError(late)
    if isinstance(error, urllib.error.HTTPError):
        return FeedError(f"the server answered HTTP {error.code} ({error.reason})")
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            return FeedError(late)
        if isinstance(reason, socket.gaierror):
            return FeedError("cannot resolve the host name (offline, or no such host)")
        return FeedError(f"cannot connect: {reason}")
    if isinstance(error, TimeoutError):
        return FeedError(late)
    return FeedError(f"the connection failed: {error or type(error).__name__}")


def parse_feed(data: bytes, *, source_url: str | None = None) -> ParsedFeed:
    """Articles from a feed document; entries without text are rejected one by one."""
    parsed = feedparser.parse(data)
    if not parsed.entries:
        problem = getattr(parsed, "bozo_exception", None)
        reason = (
            f"not a readable RSS/Atom feed ({problem})" if problem else "the feed has no entries"
        )
        return ParsedFeed(None, [Rejection(source_url or "feed", reason)])
    title = parsed.feed.get("title")
    records: list[Article | Rejection] = []
    for number, entry in enumerate(parsed.entries, start=1):
        name = f"{source_url or 'feed'}#{number}"
        body = ""
        if entry.get("content"):
            body = entry["content"][0].get("value", "")
        body = body or entry.get("summary", "") or entry.get("description", "")
        text = html_to_text(body) if "<" in body else body
        entry_title = html_to_text(entry.get("title", "")) if entry.get("title") else None
        published = None
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:
            published = f"{stamp.tm_year:04d}-{stamp.tm_mon:02d}-{stamp.tm_mday:02d}"
        if not text.strip():
            records.append(Rejection(name, "feed entry has no text"))
            continue
        record = parse_text_article(
            text,
            file=name,
            title=entry_title,
            url=entry.get("link"),
            published=published,
            source=title,
            metadata={"feed": source_url or "", "entry_id": entry.get("id", "")},
        )
        records.append(record)
    return ParsedFeed(title, records)


def add_feed(engine: Engine, url: str, *, title: str | None = None) -> int:
    """Remember a feed once; two people adding the same address at once get one row."""
    url = url.strip()
    with engine.begin() as conn:
        insert_ignoring_conflicts(
            conn, feeds, [{"url": url, "title": title, "added_at": now_iso()}]
        )
        return conn.execute(select(feeds.c.id).where(feeds.c.url == url)).scalar_one()


def list_feeds(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(feeds).order_by(feeds.c.id)).mappings()]


def record_refresh(engine: Engine, feed_id: int, *, title: str | None, result: str) -> None:
    with engine.begin() as conn:
        values = {"refreshed_at": now_iso(), "last_result": result}
        if title:
            values["title"] = title
        conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))


def remove_feed(engine: Engine, feed_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(feeds.delete().where(feeds.c.id == feed_id))


# --- reading a feed into the store ----------------------------------------------------------
# (Imported with the section that uses them, kept apart from the fetching above.)
from atlas.extract import Extractor  # noqa: E402
from atlas.ingest import ingest_articles  # noqa: E402

FeedIngest = Callable[[list[Article | Rejection], str], str]


@dataclass(frozen=True)
class FeedRefresh:
    feed_id: int
    title: str | None  # the feed's own title, when it gives one
    result: str  # the line recorded as the feed's last result


def _extracting(engine: Engine, extractor: Extractor, *, started_by: str | None) -> FeedIngest:
    """A ``FeedIngest`` extracting and storing the records here and now."""

    def ingest(records: list[Article | Rejection], _label: str) -> str:
        report = ingest_articles(engine, records, extractor=extractor, started_by=started_by)
        return report.summary.line()

    return ingest


def refresh_feed(
    engine: Engine,
    url: str,
    extractor: Extractor | None = None,
    *,
    ingest: FeedIngest | None = None,
    fetch: Callable[[str], bytes] = fetch_feed,
    started_by: str | None = None,
) -> FeedRefresh:
    """Remember the feed at ``url`` (once), fetch and read it, ingest its articles
    and record how that went as the feed's last result (once, whatever happened).

    The articles are extracted with ``extractor``, or handed to ``ingest(records,
    label)``, which returns the line to record: the Add articles page's, which shows
    progress and hands a long feed to a background job. ``fetch`` is ``fetch_feed``
    or a caller's wrapper of it (the page's spinner). A feed that cannot be fetched
    or read raises ``FeedError`` once its failure is recorded."""
    if ingest is None:
        if extractor is None:
            raise ValueError("give an extractor or an ingest")
        ingest = _extracting(engine, extractor, started_by=started_by)
    elif extractor is not None:
        raise ValueError("give an extractor or an ingest, not both")
    url = url.strip()
    feed_id = add_feed(engine, url)
    try:
        parsed = parse_feed(fetch(url), source_url=url)
    except FeedError as error:
        record_refresh(engine, feed_id, title=None, result=f"failed: {error}")
        raise
    result = ingest(parsed.records, parsed.title or "feed")
    record_refresh(engine, feed_id, title=parsed.title, result=result)
    return FeedRefresh(feed_id, parsed.title, result)
