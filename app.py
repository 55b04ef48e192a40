"""Partnership Atlas: the picture frame. Page config, navigation, shared sidebar filters."""

import os
import sys
import time
from pathlib import Path

import streamlit as st

from atlas.safe_text import markdown_text
from components import data, editing, filters, saved_views
from components import jobs as background_jobs

started = time.perf_counter()
presenting = filters.presenter_requested()
st.set_page_config(
    page_title="Partnership Atlas",
    page_icon=str(Path(__file__).parent / "static" / "icon.png"),
    layout="wide",
    initial_sidebar_state="collapsed" if presenting else "auto",
)

PAGES = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("views/timeline.py", title="Timeline", icon=":material/timeline:"),
    st.Page("views/countries.py", title="Countries", icon=":material/public:"),
    st.Page("views/network.py", title="Network", icon=":material/hub:"),
    st.Page("views/companies.py", title="Companies", icon=":material/business:"),
    st.Page("views/articles.py", title="Articles", icon=":material/article:"),
    st.Page("views/deals.py", title="Deals", icon=":material/handshake:"),
    st.Page("views/add_articles.py", title="Add articles", icon=":material/upload_file:"),
    st.Page("views/corrections.py", title="Corrections", icon=":material/edit_note:"),
]

# Presenting, the pages stay one click away in a compact bar at the top (the
# sidebar, with the filters, starts collapsed).
page = st.navigation(PAGES, position="top" if presenting else "sidebar")
# A store that cannot be opened (a damaged file, a malformed address, a schema Atlas
# cannot use) is one clear box on every page, not a traceback; never a password.
if problem := data.store_problem():
    st.error(f"The store cannot be opened: {markdown_text(problem)}", icon=":material/error:")
    st.stop()
with st.sidebar:  # a running job's progress, on every page (it refreshes itself)
    background_jobs.progress_line()
filters.sidebar(data.filter_choices())
editing.sidebar()
filters.apply_presenter_style()
saved_views.render(PAGES, page)  # the sidebar's saved views; presenting, next/previous
try:
    page.run()
finally:
    data.collect_garbage()
    # Server-side time of each script run, for the load test (`ATLAS_LOG_RUNS=1`):
    # it tells time spent here from time spent drawing in the browser.
    if os.environ.get("ATLAS_LOG_RUNS"):
        elapsed = time.perf_counter() - started
        sys.stderr.write(f"atlas-run /{page.url_path} {elapsed:.3f}\n")
