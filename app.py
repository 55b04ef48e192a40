"""Partnership Atlas: the picture frame. Page config, navigation, shared sidebar."""

import streamlit as st

from components import data

st.set_page_config(page_title="Partnership Atlas", page_icon=":material/hub:", layout="wide")


def overview() -> None:
    st.title("Partnership Atlas")
    totals = data.counts()
    if totals["articles"] == 0:
        st.info(
            "The store is empty. Ingest the bundled sample corpus with "
            "`python -m atlas ingest data/articles` (or `make run`), then reload."
        )
        return
    columns = st.columns(3)
    columns[0].metric("Articles", totals["articles"])
    columns[1].metric("Organisations", totals["organisations"])
    columns[2].metric("Deals", totals["deals"])
    frame = data.deals()
    view = frame.assign(parties=frame["parties"].map(" + ".join))
    st.dataframe(
        view[["parties", "type", "deal_date", "evidence", "article_title"]],
        hide_index=True,
        width="stretch",
        key="overview_deals",
    )


page = st.navigation(
    [st.Page(overview, title="Overview", icon=":material/dashboard:", default=True)]
)
page.run()
