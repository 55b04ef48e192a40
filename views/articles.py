"""Articles: search the stored articles and read one with its organisations,
countries and dates highlighted, the deals found in it and where its dates came from."""

import pandas as pd
import streamlit as st

from atlas.highlight import date_source_label, search_articles
from atlas.query import date_label
from components import article_view, data, empty, filters

st.title("Articles")
totals = data.counts()
if empty.store_is_empty(totals["deals"], totals["articles"]):
    st.stop()

current = filters.current()
deals = data.filtered_deals(current)
articles = data.articles()
if current.active:
    # With filters set, list the articles their matching deals come from.
    articles = articles[articles["id"].isin(set(deals["article_id"]))]
if empty.nothing_matches(len(articles), what="articles"):
    st.stop()

left, right = st.columns([3, 1], vertical_alignment="bottom")
query = left.text_input("Search", key="articles_search", placeholder="Title, source or file name")
digest_only = right.checkbox("Digests only", key="articles_digest_only")
found = search_articles(articles, query, digest_only=digest_only)

titles = found["title"].where(found["title"].notna(), found["file"])
st.dataframe(
    pd.DataFrame(
        {
            "Title": titles,
            "Source": found["source"],
            "Date": found["published"].map(lambda v: date_label(v if isinstance(v, str) else None)),
            "Date from": found["date_source"].map(date_source_label),
            "Digest": found["is_digest"].fillna(False).astype(bool),
            "Organisations": found["organisations"],
            "Deals": found["deals"],
        }
    ),
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
shown = f"{len(found)} of {len(articles)} articles"
st.caption(shown + (" (with deals matching the sidebar filters)" if current.active else ""))
if found.empty:
    st.info("No article matches the search.", icon=":material/search_off:")
    st.stop()

ids = found["id"].tolist()
labels = dict(zip(ids, titles.astype(str), strict=True))
# A link such as /articles?article=<id> opens that article once.
wanted = st.query_params.get("article")
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
all_deals = data.deals()
article_view.render_article_deals(
    all_deals[all_deals["article_id"] == selected], key="articles_reader"
)
