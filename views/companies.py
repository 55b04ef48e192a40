"""Companies: one organisation's profile: names, country, kind, partners, deals
over time, therapeutic areas, the articles that mention it and its deals."""

import pandas as pd
import streamlit as st

from atlas.dealcard import amount_words, disclosed_value
from atlas.figures.company import mentioning_table
from atlas.highlight import date_source_label
from atlas.pages.companies import (
    most_active_organisation,
    organisation_names,
    resolve_organisation_link,
)
from atlas.query import DealFilters, date_label
from atlas.safe_text import markdown_text, plain_text
from components import curation, data, filters, page
from components.network import EGO_HEIGHT_PX, company_view, country_ranking, show_network
from components.tables import article_link, deals_table

KEY = "companies_organisation"

page.open_or_stop("Companies")
current = filters.current()

organisations = data.organisations()
# Store-wide lists: the filters narrow deals, not which organisations exist.
names = data.derived_from_index(organisation_names, DealFilters())
if not names:
    st.info("No organisation has been found in the stored articles yet.")
    st.stop()

# A link such as /companies?company=Astellas opens that profile once; after
# that the selection is the user's, and it is mirrored into the URL.
from_url = resolve_organisation_link(st.query_params.get("company"), names, organisations)
if from_url and from_url != st.session_state.get("_companies_from_url"):
    st.session_state[KEY] = from_url
    st.session_state["_companies_from_url"] = from_url
if st.session_state.get(KEY) not in names:
    st.session_state[KEY] = data.derived_from_index(most_active_organisation, current) or names[0]

organisation = st.selectbox(
    "Organisation", names, key=KEY, placeholder="Type to search", help="Type to search"
)
if st.query_params.get("company") != organisation:
    st.query_params["company"] = organisation
    st.session_state["_companies_from_url"] = organisation

profile = organisations[organisations["name"] == organisation].iloc[0]
presenter = filters.presenter_mode()
# Once per filter setting, shared with the Network page (a country has one colour on both).
country_order = data.derived(country_ranking, current)
company, ego_page, ego_caption = data.derived_from_index(
    company_view, current, organisation, presenter, country_order, size="large"
)
own, partners, areas, deals_figure = company.own, company.partners, company.areas, company.figure
# Mentions are stored under the extracted names: the current name, and those merged
# or renamed into it (they live on as its aliases).
mentioning = mentioning_table(
    data.articles_mentioning((organisation, *tuple(profile["aliases"] or ())))
)

st.subheader(markdown_text(organisation))
aliases = [a for a in (profile["aliases"] or []) if a != organisation]
country = profile["country"] if isinstance(profile["country"], str) else "unknown"
kind = profile["kind"] if isinstance(profile["kind"], str) else "unknown"
st.markdown(
    f"**Country:** {markdown_text(country)} · **Kind:** {markdown_text(kind)}  \n"
    f"**Also written:** {markdown_text(', '.join(aliases)) if aliases else 'no other name seen'}"
)

dated = own["deal_date"].dropna()
disclosed_total, disclosed = disclosed_value(own)
columns = st.columns(5)
columns[0].metric("Deals", len(own))
columns[1].metric("Partners", len(partners))
columns[2].metric("Articles mentioning it", len(mentioning))
columns[3].metric(
    "Latest deal", date_label(max(dated, key=lambda d: (d, len(d)))) if len(dated) else "–"
)
columns[4].metric(
    "Disclosed deal value",
    amount_words(disclosed_total, "US$") if disclosed else "–",
    help=f"The sum over the {disclosed} of its {len(own)} matching deals that disclose a value "
    "(the total, or upfront plus milestones), in US dollars at each deal's date.",
)


if own.empty:
    st.info(
        "No deal of this organisation matches the filters in the sidebar.",
        icon=":material/filter_alt_off:",
    )
else:
    chart, network = st.columns(2)
    chart.plotly_chart(deals_figure, key="companies_deals_per_year")
    if ego_page is not None:
        with network:
            show_network(
                ego_page,
                key="companies_ego",
                height_px=EGO_HEIGHT_PX[presenter],
                presenter=presenter,
                title=f"{organisation} and its partners",
                subject=organisation,
                note=ego_caption,
            )
            if ego_caption:
                st.caption(ego_caption)

    st.markdown("#### Partners")
    st.dataframe(
        partners,
        hide_index=True,
        width="stretch",
        key="companies_partners",
        column_config={
            "partner": st.column_config.TextColumn("Partner", width="large"),
            "deals": st.column_config.NumberColumn("Deals", format="%d", width="small"),
            "types": st.column_config.TextColumn("Deal types", width="medium"),
            "last_date": st.column_config.TextColumn("Latest deal", width="small"),
        },
    )

left, right = st.columns([1, 2])
with left:
    st.markdown("#### Therapeutic areas and modalities")
    if areas.empty:
        st.caption("No therapeutic area was named in its deals.")
    else:
        st.dataframe(
            areas,
            hide_index=True,
            width="stretch",
            key="companies_areas",
            column_config={
                "area": "Area",
                "deals": st.column_config.ProgressColumn(
                    "Deals", min_value=0, max_value=int(areas["deals"].max()), format="%d"
                ),
            },
        )
with right:
    st.markdown("#### Articles mentioning it")
    if mentioning.empty:
        st.caption("No stored article mentions it.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Title": mentioning["title"].map(plain_text),
                    "Source": mentioning["source"],
                    "Date": mentioning["date"],
                    "Date from": mentioning["date_source"].map(date_source_label),
                    "Mentions": mentioning["mentions"],
                    "Read": mentioning["article_id"].map(article_link),
                }
            ),
            hide_index=True,
            width="stretch",
            key="companies_articles",
            column_config={
                "Title": st.column_config.TextColumn("Title", width="medium"),
                "Source": st.column_config.TextColumn("Source", width="small"),
                "Date": st.column_config.TextColumn("Date", width="small"),
                "Date from": st.column_config.TextColumn("Date from", width="small"),
                "Mentions": st.column_config.NumberColumn("Mentions", width="small"),
                "Read": st.column_config.LinkColumn("Read", display_text="Open", width="small"),
            },
        )

if not own.empty:
    st.markdown("#### Its deals")
    deals_table(own, key="companies_deals")

with st.expander(f"Correct {markdown_text(organisation)}", icon=":material/edit:"):
    curation.organisation_form(organisation, organisations, key="companies_correct")
    st.caption("Every correction is listed, and can be undone, on the Corrections page.")
