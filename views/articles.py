"""Articles: search the stored articles and read one with its organisations,
countries and dates highlighted, the deals found in it and where its dates came from."""

import pandas as pd
import streamlit as st

from atlas.consolidate import deals_in_article, source_article_ids
from atlas.highlight import article_title, date_source_label, search_articles
from atlas.query import DealFilters, date_label
from atlas.safe_text import plain_text
from components import article_view, data, empty, filters, tables, urlstate

st.title("Articles")
totals = data.counts()
if empty.store_is_empty(totals["deals"], totals["articles"]):
    st.stop()
filters.show_active_filters()


def _listing(deals, active: bool, query: str, digest_only: bool) -> dict:
    """The table, choices and counts for one filter setting and search (computed
    once, not per rerun: 100,000 articles take a second to label)."""
    articles = data.articles()
    if active:
        # With filters set, list the articles their matching deals come from.
        articles = articles[articles["id"].isin(source_article_ids(deals))]
    found = search_articles(articles, query, digest_only=digest_only)
    listed = found.head(tables.MAX_LISTED_ARTICLES)
    titles = pd.Series(
        [
            article_title(title, opening, file)
            for title, opening, file in zip(
                listed["title"],
                listed["opening"] if "opening" in listed.columns else [None] * len(listed),
                listed["file"],
                strict=True,
            )
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
    return {
        "stored": len(articles),
        "found": len(found),
        "table": table,
        "ids": ids,
        "labels": dict(zip(ids, titles, strict=True)),
    }


def _article_deals(deals, article_id: str):
    return deals_in_article(deals, article_id)


current = filters.current()
left, right = st.columns([3, 1], vertical_alignment="bottom")
urlstate.restore("articles_search", "q", parse=lambda v: v[:200])
urlstate.restore("articles_digest_only", "digest", parse=lambda v: v == "1")
query = left.text_input("Search", key="articles_search", placeholder="Title, source or file name")
digest_only = right.checkbox("Digests only", key="articles_digest_only")
urlstate.mirror("q", (query or "").strip())
urlstate.mirror("digest", "1" if digest_only else None)
listing = data.derived(
    "articles.listing", _listing, current, current.active, (query or "").strip(), digest_only
)
if empty.nothing_matches(listing["stored"], what="articles"):
    st.stop()

st.dataframe(
    listing["table"],
    hide_index=True,
    width="stretch",
    key="articles_list",
    column_config={
        "Title": st.column_config.TextColumn("Title", width="large"),
        "Digest": st.column_config.CheckboxColumn("Digest", width="small"),
        "Organisations": st.column_config.NumberColumn("Organisations", width="small"),
        "Deals": st.column_config.NumberColumn("Deals", width="small"),
    },
)
shown = f"{listing['found']:,} of {listing['stored']:,} articles"
if listing["found"] > len(listing["ids"]):
    shown += f"; the newest {len(listing['ids']):,} are listed, search to find the others"
st.caption(shown + (" (with deals matching the sidebar filters)" if current.active else ""))
if not listing["found"]:
    st.info("No article matches the search.", icon=":material/search_off:")
    st.stop()

ids = list(listing["ids"])
labels = dict(listing["labels"])
# A link such as /articles?article=<id> opens that article once, listed or not
# (the URL then follows the selection).
wanted = st.query_params.get("article")
if wanted and wanted not in labels and wanted != st.session_state.get("_articles_from_url"):
    linked = data.article_detail(wanted)
    if linked is not None:
        ids.insert(0, wanted)
        labels[wanted] = plain_text(linked.get("title") or linked.get("file") or wanted)
if wanted in labels and wanted != st.session_state.get("_articles_from_url"):
    st.session_state["articles_selected"] = wanted
    st.session_state["_articles_from_url"] = wanted
if st.session_state.get("articles_selected") not in labels:
    st.session_state["articles_selected"] = ids[0]
selected = st.selectbox(
    "Read article", ids, format_func=lambda i: labels.get(i, i), key="articles_selected"
)
if st.query_params.get("article") != selected:
    st.query_params["article"] = selected
    st.session_state["_articles_from_url"] = selected

detail = data.article_detail(selected)
if detail is None:
    st.warning("This article is no longer in the store.")
    st.stop()
st.divider()
article_view.inject_highlight_style()
article_view.render_article_header(detail)
article_view.render_article_text(detail, mentions=data.mentions(selected))
article_view.render_article_deals(
    data.derived("articles.deals", _article_deals, DealFilters(), selected), key="articles_reader"
)
