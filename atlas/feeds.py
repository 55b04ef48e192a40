"""RSS/Atom feeds: each entry becomes an article; feeds are remembered and refreshed.

Fetching has a short timeout and reports why it failed (offline, no such host,
HTTP error) in one line, so the app never hangs on a laptop with no network.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

import feedparser
from sqlalchemy import Engine, select, update

from atlas.corpus import html_to_text, parse_text_article
from atlas.models import Article, Rejection
from atlas.store import _insert_ignoring_conflicts, _now, feeds

FETCH_TIMEOUT = 10
MAX_FEED_BYTES = 10_000_000


class FeedError(RuntimeError):
    """A feed that could not be fetched or read, with a one-line reason."""


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    records: list[Article | Rejection]


def fetch_feed(url: str, *, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The feed's bytes, or a FeedError saying why not."""
    if not url.lower().startswith(("http://", "https://")):
        raise FeedError("a feed address starts with http:// or https://")
    request = urllib.request.Request(
        url, headers={"User-Agent": "PartnershipAtlas/0.1 (+feed reader)"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            data = response.read(MAX_FEED_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise FeedError(f"the server answered HTTP {error.code} ({error.reason})") from error
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, socket.gaierror):
            raise FeedError("cannot resolve the host name (offline, or no such host)") from error
        if isinstance(reason, TimeoutError | socket.timeout):
            raise FeedError(f"no answer within {timeout:g} s (offline?)") from error
        raise FeedError(f"cannot connect: {reason}") from error
    except TimeoutError as error:
        raise FeedError(f"no answer within {timeout:g} s (offline?)") from error
    except OSError as error:
        raise FeedError(f"cannot connect: {error}") from error
    if len(data) > MAX_FEED_BYTES:
        raise FeedError("the feed is larger than 10 MB")
    return data


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
        _insert_ignoring_conflicts(conn, feeds, [{"url": url, "title": title, "added_at": _now()}])
        return conn.execute(select(feeds.c.id).where(feeds.c.url == url)).scalar_one()


def list_feeds(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(feeds).order_by(feeds.c.id)).mappings()]


def record_refresh(engine: Engine, feed_id: int, *, title: str | None, result: str) -> None:
    with engine.begin() as conn:
        values = {"refreshed_at": _now(), "last_result": result}
        if title:
            values["title"] = title
        conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))


def remove_feed(engine: Engine, feed_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(feeds.delete().where(feeds.c.id == feed_id))
