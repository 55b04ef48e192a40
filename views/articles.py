"""Articles: search the stored articles and read one with its organisations,
countries and dates highlighted, the deals found in it and where its dates came from."""

import streamlit as st

from atlas.consolidate import deals_in_article, source_article_ids
from atlas.listings import ArticleListing, article_listing, choose_article
from atlas.query import DealFilters
from components import article_view, data, empty, filters, tables, urlstate

st.title("Articles")
totals = data.counts()
if empty.store_is_empty(totals["deals"], totals["articles"]):
    st.stop()
filters.show_active_filters()


def _listing(deals, active: bool, query: str, digest_only: bool) -> ArticleListing:
    """Computed once per filter setting and search, not per rerun: 100,000 articles
    take a second to label."""
    return article_listing(
        data.articles(),
        query=query,
        digest_only=digest_only,
        source_ids=source_article_ids(deals) if active else None,
        limit=tables.MAX_LISTED_ARTICLES,
    )


current = filters.current()
left, right = st.columns([3, 1], vertical_alignment="bottom")
urlstate.restore("articles_search", "q", parse=lambda v: v[:200])
urlstate.restore("articles_digest_only", "digest", parse=lambda v: v == "1")
query = left.text_input("Search", key="articles_search", placeholder="Title, source or file name")
digest_only = right.checkbox("Digests only", key="articles_digest_only")
urlstate.mirror("q", (query or "").strip())
urlstate.mirror("digest", "1" if digest_only else None)
listing = data.derived(_listing, current, current.active, (query or "").strip(), digest_only)
if empty.nothing_matches(listing.stored, what="articles"):
    st.stop()

st.dataframe(
    listing.table,
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
shown = f"{listing.found:,} of {listing.stored:,} articles"
if listing.found > len(listing.ids):
    shown += f"; the newest {len(listing.ids):,} are listed, search to find the others"
st.caption(shown + (" (with deals matching the sidebar filters)" if current.active else ""))
if not listing.found:
    st.info("No article matches the search.", icon=":material/search_off:")
    st.stop()

# A link such as /articles?article=<id> opens that article once, listed or not
# (the URL then follows the selection).
choice = choose_article(
    listing.ids,
    listing.labels,
    selected=st.session_state.get("articles_selected"),
    link=st.query_params.get("article"),
    from_link=st.session_state.get("_articles_from_url"),
    detail=data.article_detail,
)
st.session_state["articles_selected"] = choice.selected
st.session_state["_articles_from_url"] = choice.from_link
labels = choice.labels
selected = st.selectbox(
    "Read article", choice.ids, format_func=lambda i: labels.get(i, i), key="articles_selected"
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
    data.derived(deals_in_article, DealFilters(), selected), key="articles_reader"
)
