"""Companies: one organisation's profile: names, country, kind, partners, deals
over time, therapeutic areas, the articles that mention it and its deals."""

import pandas as pd
import streamlit as st

from atlas.dealcard import amount_words, disclosed_value
from atlas.figures.company import (
    build_company_deals_figure,
    company_areas,
    company_partners,
    mentioning_table,
)
from atlas.graph import build_deal_graph
from atlas.highlight import date_source_label
from atlas.query import DealFilters, date_label
from atlas.safe_text import markdown_text, plain_text
from components import curation, data, filters, page
from components import network as network_view
from components.network import (
    company_backbone,
    company_network_caption,
    network_html,
    show_network,
)
from components.tables import article_link, deals_table

KEY = "companies_organisation"


EGO_HEIGHT_PX = 330


def _ego_height(presenter: bool) -> int:
    """Presenting, the network is as tall as the chart beside it with its larger type."""
    return 460 if presenter else EGO_HEIGHT_PX


def _profile(_deals, current, organisation, presenter):
    """Everything the page shows about one organisation under one filter setting;
    its network is drawn here, once, as HTML (None when it has no partner), with a
    caption when partners were left out."""
    # Its deals found from the frame's index (equal to company_deals: tests); the
    # functions below read only its deals, so they are given those alone.
    index, kept = data.deal_index(current)
    own = index.take(index.rows_with_parties(kept, [organisation]))
    partners = company_partners(own, organisation)
    ego_page = None
    ego_caption = None
    figure = None
    if not own.empty:
        figure = build_company_deals_figure(own, organisation, presenter=presenter)
        # Its most frequent partners (the table lists most deals together first) and
        # the links among them; every other partner is there to be folded or counted.
        shown = set(partners["partner"].head(network_view.EGO_PARTNERS))
        circle = {organisation, *shown}
        nearby = index.take(index.rows_with_parties(kept, circle, 2))
        graph = build_deal_graph(
            pd.concat([own, nearby]).drop_duplicates("deal_id"),
            organisations=data.organisations(),
        )
        view = company_backbone(graph, organisation, partners)
        if view.graph.number_of_nodes() > 1:
            ego_page = network_html(
                view.graph,
                height_px=_ego_height(presenter),
                # Half the page's width at 1920 px, with and without the sidebar.
                width_px=840 if presenter else 700,
                presenter=presenter,
                label_first=[organisation],
                # each country in the colour the Network page gives it
                country_order=data.derived(
                    "network.country_order", network_view.country_ranking, current
                ),
            )
        ego_caption = company_network_caption(view, partners=len(partners))
    return own, partners, company_areas(own, organisation), figure, (ego_page, ego_caption)


def _mentioning(_deals, organisation, former_names):
    # Mentions are stored under the extracted names: the current name, and those
    # merged or renamed into it (they live on as its aliases).
    return mentioning_table(data.articles_mentioning((organisation, *former_names)))


def _names(_deals):
    organisations = data.organisations()
    return sorted({str(n) for n in organisations["name"].dropna()}, key=str.casefold)


def _top(_deals, current):
    index, kept = data.deal_index(current)
    top = index.most_active(kept, 1)
    return top["organisation"].iloc[0] if len(top) else None


deals = page.filtered_deals_or_stop("Companies")
current = filters.current()

organisations = data.organisations()
# Store-wide lists: the filters narrow deals, not which organisations exist.
names = data.derived("companies.names", _names, DealFilters())
if not names:
    st.info("No organisation has been found in the stored articles yet.")
    st.stop()


def resolve(requested: str | None) -> str | None:
    """The organisation a link names, by canonical name or alias, any case."""
    if not requested:
        return None
    if requested in names:  # the page writes the canonical name into the URL itself
        return requested
    wanted = requested.strip().casefold()
    for row in organisations.itertuples(index=False):
        if wanted == str(row.name).casefold() or wanted in {
            str(a).casefold() for a in (row.aliases or [])
        }:
            return str(row.name)
    return None


# A link such as /companies?company=Astellas opens that profile once; after
# that the selection is the user's, and it is mirrored into the URL.
from_url = resolve(st.query_params.get("company"))
if from_url and from_url != st.session_state.get("_companies_from_url"):
    st.session_state[KEY] = from_url
    st.session_state["_companies_from_url"] = from_url
if st.session_state.get(KEY) not in names:
    st.session_state[KEY] = data.derived("companies.top", _top, current, current) or names[0]

organisation = st.selectbox(
    "Organisation", names, key=KEY, placeholder="Type to search", help="Type to search"
)
if st.query_params.get("company") != organisation:
    st.query_params["company"] = organisation
    st.session_state["_companies_from_url"] = organisation

profile = organisations[organisations["name"] == organisation].iloc[0]
presenter = filters.presenter_mode()
own, partners, areas, deals_figure, (ego_page, ego_caption) = data.derived(
    "companies.profile", _profile, current, current, organisation, presenter, size="large"
)
mentioning = data.derived(
    "companies.mentioning",
    _mentioning,
    DealFilters(),
    organisation,
    # merged or renamed names live on as aliases of the current name
    tuple(profile["aliases"] or ()),
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
                height_px=_ego_height(presenter),
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
