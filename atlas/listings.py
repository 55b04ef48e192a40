"""What the Articles, Deals and Corrections pages list and offer: the article table
and which article a link opens, the deals a search finds and the labels a select
box offers for them (pure pandas; the pages draw the results).

Labels and cells are shown as text (tables, select box options), so titles and
names go through ``atlas.safe_text.plain_text`` only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from atlas.export import search_deals
from atlas.highlight import article_title, date_source_label, search_articles
from atlas.query import date_label, deal_date_label, latest_first
from atlas.safe_text import plain_text

# --- articles -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleListing:
    """The Articles page's table for one filter setting and search."""

    stored: int  # articles stored (with filters set: those the matching deals come from)
    found: int  # of those, the ones the search finds
    table: pd.DataFrame  # the listed ones (at most the listing's limit), newest first
    ids: list[str]  # their ids, in the table's order
    labels: dict[str, str]  # id -> title, as the select box shows it


def article_listing(
    articles: pd.DataFrame,
    *,
    query: str = "",
    digest_only: bool = False,
    source_ids: Collection[str] | None = None,
    limit: int,
) -> ArticleListing:
    """The stored ``articles`` (only ``source_ids`` when given: the articles the
    filtered deals come from) that ``query`` finds, the first ``limit`` of them as
    a table of title, source, date, where the date came from, digest, organisations
    and deals."""
    if source_ids is not None:
        articles = articles[articles["id"].isin(source_ids)]
    found = search_articles(articles, query, digest_only=digest_only)
    listed = found.head(limit)
    openings = listed["opening"] if "opening" in listed.columns else [None] * len(listed)
    titles = pd.Series(
        [
            article_title(title, opening, file)
            for title, opening, file in zip(listed["title"], openings, listed["file"], strict=True)
        ],
        index=listed.index,
        dtype=object,
    )
    table = pd.DataFrame(
        {
            "Title": titles,
            "Source": listed["source"].map(
                lambda v: plain_text(v) if isinstance(v, str) and v.strip() else "unknown"
            ),
            "Date": listed["published"].map(
                lambda v: date_label(v if isinstance(v, str) else None)
            ),
            "Date from": listed["date_source"].map(date_source_label),
            "Digest": listed["is_digest"].fillna(False).astype(bool),
            "Organisations": listed["organisations"],
            "Deals": listed["deals"],
        }
    )
    ids = listed["id"].tolist()
    return ArticleListing(
        stored=len(articles),
        found=len(found),
        table=table,
        ids=ids,
        labels=dict(zip(ids, titles, strict=True)),
    )


@dataclass(frozen=True)
class ArticleChoice:
    """The articles the reader offers and the one it shows."""

    ids: list[str]
    labels: dict[str, str]
    selected: str
    from_link: str | None  # the last article a link opened (it opens once)


def choose_article(
    ids: Sequence[str],
    labels: Mapping[str, str],
    *,
    selected: str | None,
    link: str | None,
    from_link: str | None,
    detail: Callable[[str], Mapping[str, Any] | None],
) -> ArticleChoice:
    """Which article the reader shows. A link (``/articles?article=<id>``) opens its
    article once, listed or not: an unlisted one that ``detail`` finds is offered
    first; ``from_link`` remembers it so the selection is free again afterwards.
    Otherwise the ``selected`` article stays, or the first listed one is shown."""
    ids, labels = list(ids), dict(labels)
    if link and link not in labels and link != from_link:
        linked = detail(link)
        if linked is not None:
            ids.insert(0, link)
            labels[link] = plain_text(linked.get("title") or linked.get("file") or link)
    if link in labels and link != from_link:
        selected, from_link = link, link
    if selected not in labels:
        selected = ids[0]
    return ArticleChoice(ids, labels, selected, from_link)


# --- deals ----------------------------------------------------------------------------------


def deal_label(row: pd.Series | Mapping[str, Any]) -> str:
    """A deal in one line, as a select box offers it: "A + B · licensing · April 2025",
    with " · 3 sources" when several articles report it."""
    sources = row.get("n_sources")
    told = f" · {int(sources)} sources" if isinstance(sources, int | float) and sources > 1 else ""
    when = deal_date_label(row.get("deal_date"), row.get("before_date"))
    return f"{' + '.join(row['parties'])} · {row['type']} · {when}{told}"


def deal_labels(deals: pd.DataFrame) -> dict[str, object]:
    """``deal_label`` -> the deal's index, for every deal in ``deals``."""
    return {deal_label(row): index for index, row in deals.iterrows()}


@dataclass(frozen=True)
class DealSearch:
    """The Deals page for one filter setting and search."""

    found: pd.DataFrame  # the deals the search finds, newest first
    choices: dict[str, object]  # label -> index of the first ``limit`` (those the table shows)


def deal_search(deals: pd.DataFrame, query: str, limit: int) -> DealSearch:
    """The deals ``query`` finds (``search_deals``), newest first, and labels for
    the first ``limit`` of them: the ones the page's table shows and offers to correct."""
    found = latest_first(search_deals(deals, query))
    return DealSearch(found, deal_labels(found.head(limit)))


@dataclass(frozen=True)
class DealChoices:
    labels: dict[str, object]  # label -> index, sorted by label
    matching: int  # the deals the search finds, offered or not


def deal_choices(deals: pd.DataFrame, query: str, limit: int) -> DealChoices:
    """The latest ``limit`` deals ``query`` finds (every deal without a query), for a
    select box: only the dates are sorted, not every column (177,000 deals)."""
    found = search_deals(deals, query) if query else deals
    latest = found["deal_date"].sort_values(ascending=False, na_position="last").index
    labels = deal_labels(found.loc[latest[:limit]])
    return DealChoices(dict(sorted(labels.items())), len(found))
