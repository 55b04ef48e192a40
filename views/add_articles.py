"""Add articles: upload files (or a zip), paste text, or read RSS/Atom feeds."""

from datetime import date

import pandas as pd
import streamlit as st

from atlas.corpus import parse_text_article
from atlas.feeds import (
    MAX_FEED_BYTES,
    FeedError,
    fetch_feed,
    list_feeds,
    parse_feed,
    refresh_feed,
    remove_feed,
)
from atlas.ingest import (
    MAX_UPLOAD_FILES,
    MAX_UPLOAD_MB,
    MAX_UPLOAD_TOTAL_MB,
    SUPPORTED_SUFFIXES,
    ingest_articles,
    read_uploads,
    upload_size_problem,
)
from atlas.jobs import FEEDS, INLINE_ARTICLES, UPLOAD
from atlas.models import Article, Rejection
from atlas.safe_text import markdown_text, plain_text
from components import data, editing
from components import jobs as background_jobs
from components.tables import article_link, deals_table

st.title("Add articles")
st.caption(
    f"Formats: {', '.join(SUPPORTED_SUFFIXES)} and .zip of them; up to {MAX_UPLOAD_FILES} files of "
    f"{MAX_UPLOAD_MB} MB each, {MAX_UPLOAD_TOTAL_MB} MB in all (zips count unpacked). "
    "Articles already stored are skipped."
)
locked = editing.locked_note()


def run_ingest(records, *, label: str) -> str:
    """Extract with progress, store, then report and refresh every page's data; more
    than ``INLINE_ARTICLES`` articles go to a background job instead. Returns the
    report's line."""
    started_by = editing.require()
    records = list(records)
    if not records:
        st.warning("Nothing to ingest.")
        return "nothing to ingest"
    articles = [r for r in records if isinstance(r, Article)]
    if len(articles) > INLINE_ARTICLES:
        rejected = [(r.path, r.reason) for r in records if isinstance(r, Rejection)]
        line = f"{len(articles):,} articles handed to a background job; rejected {len(rejected)}"
        st.session_state["add_last_report"] = {
            "line": line,
            "rejected": rejected,
            "article_ids": [],
        }
        # Redrawn at the end of this run, once the caller has recorded what it needs.
        st.session_state["add_job_started"] = background_jobs.start(
            UPLOAD, started_by=started_by, label=label, articles=articles
        )
        return line
    with st.status(f"Extracting {markdown_text(label)} ...", expanded=True) as status:
        bar = st.progress(0.0, text="Loading the language model ...")
        extractor = data.extractor()

        def progress(done: int, total: int, name: str) -> None:
            bar.progress(
                done / max(total, 1), text=f"{done} of {total}: {markdown_text(name[:80])}"
            )

        report = ingest_articles(
            data.engine(), records, extractor=extractor, progress=progress, started_by=started_by
        )
        bar.progress(1.0, text="Done")
        summary = report.summary
        stored = summary.ingested + summary.updated
        # A green tick only when something was stored or skipped as already there; an
        # upload whose every file was refused is an error, said as one.
        failed = not stored and not summary.duplicates and bool(summary.rejected)
        status.update(
            label=f"{markdown_text(label)}: {markdown_text(summary.line())}"
            + (" (nothing could be read)" if failed else ""),
            state="error" if failed else "complete",
            expanded=failed,
        )
    data.clear_caches()
    st.session_state["add_last_report"] = {
        "line": report.summary.line(),
        "rejected": list(report.summary.rejected or []),
        "article_ids": report.article_ids,
    }
    return report.summary.line()


def _ingest_feed(records, label: str) -> str:
    return run_ingest(records, label=label)


def _fetch_with_spinner(url: str) -> bytes:
    with st.spinner("Fetching the feed ..."):
        return fetch_feed(url)


def read_feeds(feeds: list[dict], *, by: str | None, label: str) -> None:
    """Fetch, read and ingest feeds in a background job (one at a time per store)."""
    if background_jobs.start(FEEDS, started_by=by, label=label, params={"feeds": feeds}):
        st.rerun()


background_jobs.panel(UPLOAD, key="add_upload_job", locked=locked)
upload_tab, paste_tab, feed_tab = st.tabs(["Upload files", "Paste text", "Feeds"])

with upload_tab:
    uploads = st.file_uploader(
        "Articles",
        accept_multiple_files=True,
        type=[s.lstrip(".") for s in SUPPORTED_SUFFIXES] + ["zip"],
        key="add_upload",
        disabled=locked,
    )
    if st.button(
        "Ingest uploaded files",
        key="add_upload_go",
        type="primary",
        disabled=locked or not uploads,
    ):
        # Sizes first (Streamlit knows them): nothing is read from an upload over the limits.
        problem = upload_size_problem((f.name, f.size) for f in uploads)
        if problem:
            st.error(f"Not ingested: {problem}.")
        else:
            run_ingest(
                read_uploads((f.name, f.getvalue()) for f in uploads),
                label=f"{len(uploads)} file(s)",
            )

with paste_tab:
    with st.form("add_paste_form"):
        text = st.text_area("Article text", height=240, key="add_paste_text")
        title = st.text_input("Title (optional)", key="add_paste_title")
        left, right = st.columns(2)
        published = left.date_input(
            "Date (optional)", value=None, key="add_paste_date", max_value=date(2100, 1, 1)
        )
        source = right.text_input("Source (optional)", key="add_paste_source")
        url = st.text_input("URL (optional)", key="add_paste_url")
        submitted = st.form_submit_button("Ingest pasted text", type="primary", disabled=locked)
    if submitted:
        if not text.strip():
            st.error("The text is empty.")
        else:
            record = parse_text_article(
                text,
                file=f"pasted: {title.strip() or text.strip()[:40]}",
                title=title.strip() or None,
                published=published.isoformat() if published else None,
                source=source.strip() or None,
                url=url.strip() or None,
            )
            run_ingest([record], label="pasted text")

with feed_tab:
    with st.form("add_feed_form", clear_on_submit=True):
        feed_url = st.text_input(
            "Feed address (RSS or Atom)", key="add_feed_url", placeholder="https://…/feed.xml"
        )
        add = st.form_submit_button("Add and read feed", disabled=locked)
    if add and feed_url.strip():
        editing.require()
        # A new feed is fetched here (one bounded fetch, its error said at once) and its
        # articles go through run_ingest: a long feed becomes a background job.
        # Refreshing saved feeds is a job whole (below).
        try:
            refresh_feed(data.engine(), feed_url, ingest=_ingest_feed, fetch=_fetch_with_spinner)
        except FeedError as error:
            st.error(f"Feed saved, but it could not be read now: {markdown_text(error)}")

    feed_file = st.file_uploader(
        "…or a feed file", type=["xml", "rss", "atom"], key="add_feed_file", disabled=locked
    )
    if feed_file is not None and st.button(
        "Read feed file", key="add_feed_file_go", disabled=locked
    ):
        if feed_file.size > MAX_FEED_BYTES:
            st.error(
                f"Not read: the feed file is {feed_file.size / 1e6:.1f} MB, "
                f"over the {MAX_FEED_BYTES // 1_000_000} MB limit."
            )
        else:
            parsed = parse_feed(feed_file.getvalue(), source_url=feed_file.name)
            run_ingest(parsed.records, label=parsed.title or feed_file.name)

    feeds = list_feeds(data.engine())
    if feeds:
        st.subheader("Saved feeds")
        background_jobs.panel(FEEDS, key="add_feeds_job", locked=locked)
        if st.button(
            "Refresh all feeds",
            key="add_feeds_refresh_all",
            disabled=locked,
            icon=":material/sync:",
        ):
            read_feeds(
                [{"id": f["id"], "url": f["url"]} for f in feeds],
                by=editing.require(),
                label=f"{len(feeds)} feeds",
            )
        for feed in feeds:
            cols = st.columns([5, 1, 1])
            cols[0].text(
                plain_text(
                    f"{feed['title'] or feed['url']}\n{feed['url']}\nlast: {feed['last_result'] or 'never read'}"
                )
            )
            if cols[1].button("Refresh", key=f"add_feed_refresh_{feed['id']}", disabled=locked):
                read_feeds(
                    [{"id": feed["id"], "url": feed["url"]}],
                    by=editing.require(),
                    label=feed["title"] or feed["url"],
                )
            if cols[2].button("Remove", key=f"add_feed_remove_{feed['id']}", disabled=locked):
                editing.require()
                remove_feed(data.engine(), feed["id"])
                st.rerun()

if st.session_state.pop("add_job_started", False):
    st.rerun()  # the job's line in the sidebar and its panel above

report = st.session_state.get("add_last_report")
if report:
    st.divider()
    st.subheader("Last ingest")
    st.markdown(markdown_text(report["line"]))
    if report["rejected"]:
        st.dataframe(
            pd.DataFrame(
                [(plain_text(f), plain_text(r)) for f, r in report["rejected"]],
                columns=["File", "Reason"],
            ),
            hide_index=True,
            width="stretch",
            key="add_rejected",
        )
    new_articles = data.articles()
    new_articles = new_articles[new_articles["id"].isin(report["article_ids"])]
    if len(new_articles):
        st.dataframe(
            pd.DataFrame(
                {
                    "Article": new_articles["title"].fillna(new_articles["file"]).map(plain_text),
                    "Deals": new_articles["deals"],
                    "Read": new_articles["id"].map(article_link),
                }
            ),
            hide_index=True,
            width="stretch",
            key="add_new_articles",
            column_config={"Read": st.column_config.LinkColumn("Read", display_text="Open")},
        )
    found = data.deals_of_articles(report["article_ids"])
    if len(found):
        st.write(f"{len(found)} deal(s) found in the new articles:")
        deals_table(found, key="add_found_deals")
        st.page_link(
            "views/articles.py", label="Read them on the Articles page", icon=":material/article:"
        )
    elif report["article_ids"]:
        st.info("No deals found in the new articles.")
