"""Background jobs in the app: the progress line every page shows in the sidebar,
and a page's panel that starts, cancels or resumes its kind of job (``atlas.jobs``).

The line is a fragment that reruns itself every ``POLL_S`` seconds while a job
runs, so the page around it stays as it is and usable. When the job ends the
caches are cleared (once per process, whichever session sees it first) and the
page is drawn again with the new data.
"""

from __future__ import annotations

import streamlit as st

from atlas import jobs
from atlas.safe_text import markdown_text
from components import data, editing

POLL_S = 2.0

# How the latest job stood when this process last looked: (job id, how it ended), or
# None for no job. A change clears the caches; the first look only remembers (a
# process starting has nothing cached from before).
_seen: dict[str, tuple | None] = {}


def _latest() -> jobs.Job | None:
    try:
        return jobs.latest_job(data.engine())
    except Exception:  # noqa: BLE001 - the store's own problem is told by app.py; no line then
        return None


def _caches_follow(job: jobs.Job | None) -> None:
    """Clear the caches once after a job ends (its articles are new data), whichever
    session of this process sees it first, and whoever started the job."""
    marker = None if job is None else (job.id, job.status, job.finished_at)
    first_look = "job" not in _seen
    changed = _seen.get("job") != marker
    _seen["job"] = marker
    if changed and not first_look and job is not None and not job.running:
        data.clear_caches()


def progress_line() -> None:
    """The running job's line and bar (call inside the sidebar); nothing when none runs."""
    job = _latest()
    _caches_follow(job)
    if job is not None and job.running:
        _live_line()


@st.fragment(run_every=POLL_S)
def _live_line() -> None:
    job = _latest()
    if job is None or not job.running:
        _caches_follow(job)
        st.rerun(scope="app")  # the page again, with the job's data and without this line
        return
    draw_progress(job)


def draw_progress(job: jobs.Job) -> None:
    """One job's line (escaped: its label may be a feed's title) and its bar."""
    st.caption(markdown_text(job.line()))
    share = job.done / job.total if job.total else 0.0
    st.progress(min(max(share, 0.0), 1.0))


def latest_of(kind: str) -> jobs.Job | None:
    found = jobs.list_jobs(data.engine(), limit=1, kind=kind)
    return found[0] if found else None


def start(
    kind: str,
    *,
    started_by: str | None,
    label: str | None = None,
    params: dict | None = None,
    articles: list | None = None,
) -> bool:
    """Claim the store for a job and start its worker; says why not when another
    job holds the store. True when started (the caller reruns to show the line)."""
    engine = data.engine()
    try:
        if articles is not None:
            job = jobs.start_upload_job(engine, articles, label=label or "", started_by=started_by)
        else:
            job = jobs.start_job(engine, kind, label=label, params=params, started_by=started_by)
        jobs.launch(engine, job.id)
    except jobs.JobRefused as error:
        st.warning(f"Not started: {markdown_text(error)}", icon=":material/schedule:")
        return False
    return True


def panel(kind: str, *, key: str, locked: bool) -> None:
    """The latest job of ``kind``: while it runs, its progress and a Cancel button;
    stopped (interrupted, cancelled, failed), what it did and Resume; finished, its result."""
    job = latest_of(kind)
    if job is None:
        return
    if job.running:
        _running_panel(job.id, key=key, locked=locked)
        return
    if job.status == jobs.FINISHED:
        st.caption(markdown_text(f"Last: {job.line()} ({job.finished_at})"))
        return
    box, button = st.columns([5, 1], vertical_alignment="center")
    box.warning(markdown_text(job.line()), icon=":material/pause_circle:")
    if button.button("Resume", key=f"{key}_resume", disabled=locked):
        by = editing.require()
        try:
            jobs.resume_job(data.engine(), job.id, started_by=by)
            jobs.launch(data.engine(), job.id)
        except jobs.JobRefused as error:
            st.warning(f"Not resumed: {markdown_text(error)}")
        else:
            st.rerun()


@st.fragment(run_every=POLL_S)
def _running_panel(job_id: int, *, key: str, locked: bool) -> None:
    job = jobs.get_job(data.engine(), job_id)
    if job is None or not job.running:
        st.rerun(scope="app")
        return
    with st.container(border=True):
        draw_progress(job)
        st.caption(
            "Runs in the background: other pages stay usable, and the sidebar shows its "
            "progress on every page."
        )
        if st.button(
            "Cancel", key=f"{key}_cancel", disabled=locked or job.cancel_requested, type="secondary"
        ):
            editing.require()
            jobs.cancel_job(data.engine(), job_id)
            st.rerun(scope="fragment")
