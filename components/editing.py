"""Who may change data: open on a laptop, locked on a team server until an editor unlocks.

With no setting the app is open, exactly as before. A shared password
(``ATLAS_EDITOR_PASSWORD`` in the environment, or at the top of
``.streamlit/secrets.toml``) or an ``[editors]`` table of names and passwords in
secrets.toml makes every page read-only until someone unlocks editing in the
sidebar; the unlock lasts for that browser session (``st.session_state``).

Pages disable their editing controls with :func:`allowed`, and every code path
that writes calls :func:`require` first: a control that slips through, a stale
form, or a password changed since the unlock still cannot write. Passwords are
compared with ``hmac.compare_digest`` and never shown or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

LOCKED_NOTE = "Editing is locked: unlock it in the sidebar"
# A store opened read-only (atlas.store.is_read_only): nobody can edit, whatever the setting.
READ_ONLY_NOTE = (
    "The store is read-only (its file or folder cannot be written): "
    "everything can be read, edits are disabled"
)
PASSWORD_VARIABLE = "ATLAS_EDITOR_PASSWORD"
MAX_NAME_LENGTH = 80
SHARED_EDITOR = "editor"  # who is recorded for a shared password given without a name
FAILED_UNLOCK_DELAY_S = 1.0  # slows guessing; the run that failed waits, nobody else

# (name, fingerprint of the settings unlocked under): a changed password locks again.
_SESSION_KEY = "editing_unlocked"


@dataclass(frozen=True)
class Access:
    """The editors' setting as read for this run."""

    password: str | None = None  # the shared password
    editors: Mapping[str, str] = field(default_factory=dict)  # name -> password
    configured: bool = False  # some setting is present: the app starts locked
    problem: str | None = None  # why the setting is unusable (locked, and nobody can unlock)

    @property
    def open(self) -> bool:
        return not self.configured


def _secrets() -> Mapping:
    """The parsed secrets, {} when there is no secrets file. An unreadable file
    raises: failing open would unlock a team server."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # Streamlit's "no secrets" and "cannot parse" both land here
        if any(Path(p).exists() for p in st.get_option("secrets.files")):
            raise
        return {}


def access() -> Access:
    """Read the editors' setting (environment and ``st.secrets``) for this run."""
    try:
        secrets = _secrets()
    except FileNotFoundError:
        return Access(configured=True, problem="the secrets file cannot be read")
    password = os.environ.get(PASSWORD_VARIABLE) or secrets.get(PASSWORD_VARIABLE) or None
    if password is not None and not isinstance(password, str):
        return Access(configured=True, problem=f"{PASSWORD_VARIABLE} must be a string")
    if "editors" not in secrets:
        return Access(password=password, configured=password is not None)
    table = secrets["editors"]
    if not isinstance(table, Mapping):
        return Access(configured=True, problem="[editors] must be a table of name = password")
    editors = {
        str(name): value for name, value in table.items() if isinstance(value, str) and value
    }
    unusable = len(table) - len(editors)
    problem = f"{unusable} editor(s) in [editors] have no password" if unusable else None
    return Access(password=password, editors=editors, configured=True, problem=problem)


def _fingerprint(settings: Access) -> str:
    """Changes whenever a password or the list changes (kept server-side only)."""
    digest = hashlib.sha256()
    for name, password in sorted(settings.editors.items()):
        digest.update(f"{len(name)}:{name}{len(password)}:{password}".encode())
    digest.update(f"|{settings.password or ''}".encode())
    return digest.hexdigest()


def _same(given: str, expected: str) -> bool:
    # Bytes: compare_digest refuses str holding anything but ASCII.
    return hmac.compare_digest(given.encode(), expected.encode())


def clean_name(name: str) -> str:
    """A name fit to record and show: no control or formatting characters
    (bidirectional overrides included), trimmed, capped."""
    kept = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    return " ".join(kept.split())[:MAX_NAME_LENGTH]


def check(settings: Access, name: str, password: str) -> str | None:
    """The name to record when ``password`` unlocks editing, else None.

    With an ``[editors]`` list the name must be on it with its own password (the
    shared password then opens nothing). With only the shared password, the name
    is what the user typed (self-declared), or ``editor``.
    """
    if settings.problem and not settings.editors:
        return None
    name = clean_name(name)
    if settings.editors:
        matched = None
        for listed, expected in settings.editors.items():
            # Every entry is compared, so the time taken does not tell which names exist.
            if _same(name, clean_name(listed)) & _same(password, expected):
                matched = clean_name(listed)
        return matched
    if settings.password and _same(password, settings.password):
        return name or SHARED_EDITOR
    return None


def editor_name(settings: Access | None = None) -> str | None:
    """Who unlocked editing in this session, None if nobody (or the setting changed since)."""
    settings = settings or access()
    unlocked = st.session_state.get(_SESSION_KEY)
    if not unlocked:
        return None
    name, fingerprint = unlocked
    if (settings.problem and not settings.editors) or fingerprint != _fingerprint(settings):
        del st.session_state[_SESSION_KEY]
        return None
    return name


def _store_read_only() -> bool:
    from components import data

    return data.read_only()


def allowed() -> bool:
    """May this session edit? Always on an open app, never on a read-only store."""
    if _store_read_only():
        return False
    settings = access()
    return settings.open or editor_name(settings) is not None


def require() -> str | None:
    """Call before every write. Returns who to record (None on an open app, where
    nobody signs in); on a locked app it shows the note and stops this run."""
    if _store_read_only():
        st.error(READ_ONLY_NOTE, icon=":material/lock:")
        st.stop()
    settings = access()
    if settings.open:
        return None
    name = editor_name(settings)
    if name is None:
        st.error(LOCKED_NOTE, icon=":material/lock:")
        st.stop()
    return name


def locked_note() -> bool:
    """Show the one-line note when this session may not edit; True when locked."""
    if allowed():
        return False
    st.info(READ_ONLY_NOTE if _store_read_only() else LOCKED_NOTE, icon=":material/lock:")
    return True


def sidebar() -> None:
    """The unlock box (name and password) or who is editing with a lock button.
    Draws nothing on an open app; on a read-only store, the note that edits are disabled."""
    if _store_read_only():
        st.sidebar.info(READ_ONLY_NOTE, icon=":material/lock:")
        return
    settings = access()
    if settings.open:
        return
    with st.sidebar:
        st.divider()
        if settings.problem:
            st.warning(f"Editors' setting: {settings.problem}.", icon=":material/warning:")
        name = editor_name(settings)
        if name is not None:
            st.text(f"Editing as {name}")  # st.text: a name is never read as markdown
            if st.button("Lock editing again", key="editing_lock", icon=":material/lock:"):
                del st.session_state[_SESSION_KEY]
                st.rerun()
            return
        if settings.problem and not settings.editors:
            return
        with st.form("editing_unlock_form", clear_on_submit=True):
            st.caption("The app is read-only until you unlock editing.")
            given_name = st.text_input(
                "Name" if settings.editors else "Your name (for the record, optional)",
                key="editing_name",
                max_chars=MAX_NAME_LENGTH,
            )
            password = st.text_input("Password", type="password", key="editing_password")
            submitted = st.form_submit_button("Unlock editing", icon=":material/lock_open:")
        if submitted:
            unlocked = check(settings, given_name or "", password or "")
            if unlocked is None:
                time.sleep(FAILED_UNLOCK_DELAY_S)
                st.error("Wrong name or password." if settings.editors else "Wrong password.")
                return
            st.session_state[_SESSION_KEY] = (unlocked, _fingerprint(settings))
            st.rerun()
