"""Who may change data (issue 14, point 14): with no setting the app is open as
before; with ``ATLAS_EDITOR_PASSWORD`` or an ``[editors]`` list every editing
control is disabled until a session unlocks, the code that writes refuses a
locked session whatever the client sends, and corrections and ingests record who
made them."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from atlas import store
from atlas.corrections import list_corrections
from components import editing
from tests.conftest import ROOT, SEEDS

PASSWORD = "correct horse ü"  # not ASCII: compare_digest refuses such str, bytes it takes
EDITORS = {"editors": {"alice": "alice-secret", "bob": "bob-secret"}}
UNLOCK = "FormSubmitter:editing_unlock_form-Unlock editing"


# --- the check itself (no app, no model) --------------------------------------------


@pytest.mark.parametrize(
    ("settings", "name", "password", "expected"),
    [
        (editing.Access(password=PASSWORD, configured=True), "", PASSWORD, "editor"),
        (editing.Access(password=PASSWORD, configured=True), " Ann  Lee ", PASSWORD, "Ann Lee"),
        (editing.Access(password=PASSWORD, configured=True), "", "correct horse u", None),
        (editing.Access(password=PASSWORD, configured=True), "", "", None),
        (editing.Access(editors={"alice": "a1"}, configured=True), "alice", "a1", "alice"),
        # Another editor's password, a name not listed, a prefix of the password.
        (
            editing.Access(editors={"alice": "a1", "bob": "b2"}, configured=True),
            "alice",
            "b2",
            None,
        ),
        (editing.Access(editors={"alice": "a1"}, configured=True), "mallory", "a1", None),
        (editing.Access(editors={"alice": "a1"}, configured=True), "alice", "a", None),
        # With a list, the shared password opens nothing: every change has a listed name.
        (
            editing.Access(password="shared", editors={"alice": "a1"}, configured=True),
            "alice",
            "shared",
            None,
        ),
        # A right-to-left override cannot make one name read as another.
        (editing.Access(password="p", configured=True), "\u202eecila", "p", "ecila"),
        # An unreadable setting unlocks nothing.
        (editing.Access(configured=True, problem="the secrets file cannot be read"), "", "", None),
    ],
)
def test_check(settings, name, password, expected):
    assert editing.check(settings, name, password) == expected


def test_no_setting_is_open_and_the_password_variable_locks(monkeypatch):
    monkeypatch.delenv(editing.PASSWORD_VARIABLE, raising=False)
    assert editing.access().open
    monkeypatch.setenv(editing.PASSWORD_VARIABLE, PASSWORD)
    settings = editing.access()
    assert not settings.open and settings.password == PASSWORD


def test_an_unreadable_secrets_file_locks_rather_than_opens(tmp_path, monkeypatch):
    """A typo in secrets.toml must not turn a team server into an open one."""
    import streamlit as st
    from streamlit import config
    from streamlit.runtime.secrets import Secrets

    broken = tmp_path / "secrets.toml"
    broken.write_text('[editors]\nalice = "unterminated\n')
    monkeypatch.delenv(editing.PASSWORD_VARIABLE, raising=False)
    monkeypatch.setattr(st, "secrets", Secrets())
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(broken)])
    try:
        settings = editing.access()
    finally:
        config.set_option("secrets.files", saved)
    assert not settings.open and settings.problem
    assert editing.check(settings, "alice", "unterminated") is None


# --- the app ------------------------------------------------------------------------


@pytest.fixture
def private_store(seeded_db_url, tmp_path, monkeypatch):
    """A copy of the seeded store this test may change, with one saved feed (so the
    Add articles page shows its Refresh and Remove buttons)."""
    import streamlit as st

    from atlas.feeds import add_feed
    from components import data

    target = tmp_path / "atlas.db"
    shutil.copy(seeded_db_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    engine = store.open_store(url)
    add_feed(engine, "http://127.0.0.1:9/feed.xml")
    engine.dispose()
    monkeypatch.setenv("ATLAS_DB_URL", url)
    monkeypatch.delenv(editing.PASSWORD_VARIABLE, raising=False)
    st.cache_data.clear()
    data.clear_caches()
    return url


def open_app(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    if secrets:
        at.secrets.update(secrets)
    return at.run()


def show(at: AppTest, page: str) -> AppTest:
    """Switch page and reveal every form the page has (an organisation and a deal chosen)."""
    at.switch_page(page).run()
    if page == "views/corrections.py":
        at.selectbox(key="corrections_org").select("Nichi-Iko Pharmaceutical").run()
        at.selectbox(key="corrections_deal").select(alvotech(at, "corrections_deal")).run()
    elif page == "views/companies.py":
        at.selectbox(key="companies_organisation").select("Nichi-Iko Pharmaceutical").run()
    elif page == "views/deals.py":
        at.selectbox(key="deals_correct_select").select(alvotech(at, "deals_correct_select")).run()
    assert not at.exception, at.exception
    return at


def alvotech(at: AppTest, key: str) -> str:
    return next(o for o in at.selectbox(key=key).options if o.startswith("Alvotech + Fuji Pharma"))


def unlock(at: AppTest, password: str, name: str = "") -> AppTest:
    at.text_input(key="editing_name").input(name)
    at.text_input(key="editing_password").input(password)
    return at.button(key=UNLOCK).click().run()


def editing_controls(at: AppTest) -> list:
    """Every button and uploader outside the sidebar: on these pages, all edit."""
    return [*at.main.button, *at.main.file_uploader]


def locked_notes(at: AppTest) -> list[str]:
    return [i.value for i in at.main.info if i.value == editing.LOCKED_NOTE]


EDITING_PAGES = [
    "views/add_articles.py",
    "views/corrections.py",
    "views/companies.py",
    "views/deals.py",
]


@pytest.mark.model
@pytest.mark.parametrize("page", EDITING_PAGES)
def test_no_setting_leaves_every_control_as_before(private_store, page):
    at = show(open_app(), page)
    assert not any(t.key in ("editing_name", "editing_password") for t in at.text_input)
    assert not locked_notes(at)
    controls = editing_controls(at)
    assert controls
    # The Add articles upload button waits for files, Undo for a chosen correction:
    # as before; nothing else is disabled.
    waiting = {"add_upload_go", "corrections_undo"}
    assert [c.key for c in controls if c.disabled and c.key not in waiting] == []


@pytest.mark.model
@pytest.mark.parametrize("page", EDITING_PAGES)
def test_password_locks_every_editing_control(private_store, monkeypatch, page):
    monkeypatch.setenv(editing.PASSWORD_VARIABLE, PASSWORD)
    at = show(open_app(), page)
    assert locked_notes(at)
    controls = editing_controls(at)
    assert controls and [c.key or c.label for c in controls if not c.disabled] == []
    # Unlocked, the same controls are live again.
    at = show(unlock(at, PASSWORD), page)
    assert not locked_notes(at)
    waiting = {"add_upload_go", "corrections_undo"}
    assert [c.key for c in editing_controls(at) if c.disabled and c.key not in waiting] == []


@pytest.mark.model
def test_wrong_password_is_refused_and_right_one_unlocks_until_locked_again(
    private_store, monkeypatch
):
    monkeypatch.setenv(editing.PASSWORD_VARIABLE, PASSWORD)
    at = show(open_app(), "views/corrections.py")
    at = unlock(at, "correct horse u")
    assert [e.value for e in at.sidebar.error] == ["Wrong password."]
    assert at.button(key="corrections_deal_reject").disabled
    assert not any(PASSWORD in str(e.value) for e in [*at.error, *at.markdown, *at.text])
    at = unlock(at, PASSWORD, "Dana")
    assert not at.sidebar.error
    assert "Editing as Dana" in [t.value for t in at.sidebar.text]
    assert not at.button(key="corrections_deal_reject").disabled
    at.button(key="editing_lock").click().run()
    assert at.button(key="corrections_deal_reject").disabled
    assert at.text_input(key="editing_password").value == ""  # the form was cleared


@pytest.mark.model
def test_an_editor_from_the_list_is_recorded_and_shown(private_store):
    at = show(open_app(EDITORS), "views/corrections.py")
    at = unlock(at, "bob-secret", "alice")  # bob's password under alice's name
    assert [e.value for e in at.sidebar.error] == ["Wrong name or password."]
    at = show(unlock(at, "alice-secret", "alice"), "views/corrections.py")
    at.button(key="corrections_deal_reject").click().run()
    assert not at.exception
    history = next(d.value for d in at.dataframe if "action" in d.value.columns)
    assert list(history[["action", "by"]].itertuples(index=False, name=None)) == [
        ("reject_deal", "alice")
    ]
    engine = store.open_store(private_store)
    [made] = list_corrections(engine)
    assert made.created_by == "alice" and made.created_at
    # Undo records its editor too.
    at.selectbox(key="corrections_undo_id").select(made.id).run()
    at.button(key="corrections_undo").click().run()
    assert list_corrections(engine)[0].undone_by == "alice"
    engine.dispose()


@pytest.mark.model
def test_an_ingest_records_its_editor(empty_app_env, monkeypatch):
    monkeypatch.delenv(editing.PASSWORD_VARIABLE, raising=False)
    at = open_app(EDITORS)
    at.switch_page("views/add_articles.py").run()
    at = unlock(at, "bob-secret", "bob")
    at.text_area(key="add_paste_text").input(
        "Eisai and Biogen have formed a strategic alliance in Alzheimer's disease."
    )
    at.button(key="FormSubmitter:add_paste_form-Ingest pasted text").click().run()
    assert not at.exception
    engine = store.open_store(empty_app_env)
    run = store.last_run(engine)
    engine.dispose()
    assert run["started_by"] == "bob" and run["started_at"] and run["ingested"] == 1


@pytest.mark.model
def test_changing_the_password_locks_sessions_unlocked_before(private_store, monkeypatch):
    """A session unlocked under the old password still shows live buttons; after the
    password is changed on the server its next click writes nothing."""
    monkeypatch.setenv(editing.PASSWORD_VARIABLE, PASSWORD)
    at = show(unlock(open_app(), PASSWORD, "Dana"), "views/corrections.py")
    button = at.button(key="corrections_deal_reject")
    assert not button.disabled
    monkeypatch.setenv(editing.PASSWORD_VARIABLE, "rotated")
    button.click().run()
    assert locked_notes(at)
    assert at.button(key="corrections_deal_reject").disabled
    assert at.text_input(key="editing_password")  # the unlock box is back
    engine = store.open_store(private_store)
    assert list_corrections(engine) == []
    engine.dispose()


def _write_while_locked(db_url: str) -> None:
    """A page script that calls the correction write path directly."""
    import os

    from components import curation

    os.environ["ATLAS_DB_URL"] = db_url
    curation._record("reject_deal", "some-deal-key")


@pytest.mark.model
def test_a_direct_call_of_the_write_path_while_locked_is_refused(private_store, monkeypatch):
    monkeypatch.setenv(editing.PASSWORD_VARIABLE, PASSWORD)
    at = AppTest.from_function(_write_while_locked, args=(private_store,)).run()
    assert not at.exception
    assert [e.value for e in at.error] == [editing.LOCKED_NOTE]
    engine = store.open_store(private_store)
    assert list_corrections(engine) == []
    engine.dispose()


# --- the command line ---------------------------------------------------------------


@pytest.mark.model
def test_the_cli_records_the_os_user(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seed = next(SEEDS.glob("*.txt"))
    (corpus / seed.name).write_bytes(seed.read_bytes())
    db = f"sqlite:///{tmp_path / 'atlas.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "atlas", "ingest", str(corpus), "--quiet"],
        cwd=ROOT,
        env={"ATLAS_DB_URL": db, "PATH": "/usr/bin:/bin", "LOGNAME": "cli-tester"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    engine = store.open_store(db)
    with engine.connect() as conn:
        who = conn.execute(select(store.ingest_runs.c.started_by)).scalars().all()
    engine.dispose()
    assert who == ["cli-tester"]
