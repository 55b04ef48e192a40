"""Issue 14, points 2 and 3: corrections that showed users wrong data.

2. Merging A into B and then B into A (or renaming B to A's name) swapped the two
   organisations. Such a correction is now refused with a reason, and a loop
   already stored (older data, two people at once) is ignored when applied: the
   earlier correction wins.
3. A lexicon alias that renamed a party changed its deals' keys at the next
   re-extraction: a rejected deal came back, a retype was lost, and both still
   looked active. Deal corrections now follow their deal by article and sentence;
   one that matches nothing is listed as orphaned and can be re-attached or dropped.

End to end: the real spaCy pipeline over the seed articles, real SQLite files and a
real PostgreSQL server (tests/pg.py), and the Corrections page through AppTest.
"""

from __future__ import annotations

import json
import secrets
import shutil
import threading

import pytest
from sqlalchemy import insert
from streamlit.testing.v1 import AppTest

from atlas import store
from atlas.corpus import read_corpus
from atlas.corrections import (
    CorrectionError,
    add_correction,
    apply_corrections,
    corrections_frame,
    list_corrections,
    reattach_correction,
    undo_correction,
)
from atlas.ingest import ingest_articles, reextract_all
from atlas.lexicon import DEFAULT_LEXICON_DIR, add_organisation_entry, load_lexicon
from tests.conftest import ROOT, SEEDS
from tests.pg import (  # noqa: F401 - pytest fixtures used by name
    BACKENDS,
    engine_on_each_backend,
    postgres_cluster,
)


@pytest.fixture(scope="session")
def changed_lexicon(tmp_path_factory):
    """The bundled lexicon plus what a user adds on the Corrections page: an alias
    that gives "AND Pharma" a new canonical name, and "TCUBEiT Inc." as a name that
    is no organisation (its deal with Astellas disappears)."""
    folder = tmp_path_factory.mktemp("lexicon")
    shutil.copytree(DEFAULT_LEXICON_DIR, folder, dirs_exist_ok=True)
    add_organisation_entry("AND Pharmaceutical", aliases=["AND Pharma"], directory=folder)
    with (folder / "non_organisations.txt").open("a", encoding="utf-8") as handle:
        handle.write("\nTCUBEiT Inc.\n")
    return folder


@pytest.fixture(scope="session")
def changed_extractor(changed_lexicon, rules_extractor):
    """The real pipeline under the changed lexicon (rules alone, like ``rules_extractor``)."""
    from atlas.extract import Extractor

    return Extractor(load_lexicon(changed_lexicon), models=None)


def seed_articles():
    return [a for a in read_corpus([SEEDS]) if hasattr(a, "items")]


def view(engine):
    return apply_corrections(
        store.deals_frame(engine), store.organisations_frame(engine), list_corrections(engine)
    )


def deal_of(deals, *parties):
    """The one deal between exactly ``parties``."""
    found = deals[[set(p) == set(parties) for p in deals["parties"]]]
    assert len(found) == 1, (parties, found[["parties", "type"]])
    return found.iloc[0]


def states(engine) -> dict[int, str]:
    frame = corrections_frame(engine)
    return dict(zip(frame["id"], frame["state"], strict=True))


def store_as_older_code(engine, action: str, target: str, payload: dict) -> int:
    """A correction written without the checks and the address this code adds: as an
    older version stored it, or as two people's opposite merges land at once."""
    with engine.begin() as conn:
        return conn.execute(
            insert(store.corrections).values(
                created_at="2025-01-01T00:00:00+00:00",
                action=action,
                target=target,
                payload_json=json.dumps(payload),
                comment="",
            )
        ).inserted_primary_key[0]


# --- 2. merge and rename loops ------------------------------------------------------


@pytest.mark.model
def test_merging_back_is_refused_and_a_stored_loop_does_not_swap(engine, rules_extractor):
    ingest_articles(engine, seed_articles(), extractor=rules_extractor)
    first = add_correction(engine, "merge_org", "Itochu", {"into": "Alvotech"})
    with pytest.raises(CorrectionError, match=f"undo #{first} instead") as refused:
        add_correction(engine, "merge_org", "Alvotech", {"into": "Itochu"})
    assert "\n" not in str(refused.value)
    with pytest.raises(CorrectionError, match=f"#{first}"):
        add_correction(engine, "rename_org", "Alvotech", {"name": "Itochu"})
    assert [c.id for c in list_corrections(engine)] == [first]

    # The loop stored anyway (older data, or both merges at the same moment): the
    # earlier merge holds and nothing swaps.
    back = store_as_older_code(engine, "merge_org", "Alvotech", {"into": "Itochu"})
    deals, orgs = view(engine)
    names = set(orgs["name"])
    assert "Alvotech" in names and "Itochu" not in names
    assert deal_of(deals, "Alvotech", "AND Pharma")["type"] == "equity investment/stake"
    assert deal_of(deals, "Alvotech", "Fuji Pharma")["evidence"].startswith("Alvotech has")
    assert states(engine) == {first: "active", back: f"ignored: it would undo correction #{first}"}
    # Undoing the first lets the second apply: both are now Itochu.
    undo_correction(engine, first)
    _, orgs = view(engine)
    assert "Itochu" in set(orgs["name"]) and "Alvotech" not in set(orgs["name"])


def test_a_loop_through_a_chain_is_refused(memory_store):
    merge = add_correction(memory_store, "merge_org", "Alpha", {"into": "Beta"})
    add_correction(memory_store, "rename_org", "Beta", {"name": "Gamma"})
    with pytest.raises(CorrectionError, match=f"undo #{merge} instead"):
        add_correction(memory_store, "merge_org", "Gamma", {"into": "Alpha"})
    # A name already merged away cannot move again, nor be taken by a rename.
    with pytest.raises(CorrectionError, match=f"undo #{merge} first"):
        add_correction(memory_store, "merge_org", "Alpha", {"into": "Delta"})
    with pytest.raises(CorrectionError, match="Alpha is now Gamma"):
        add_correction(memory_store, "rename_org", "Delta", {"name": "Alpha"})
    add_correction(memory_store, "merge_org", "Delta", {"into": "Alpha"})  # lands in Gamma


def test_a_stored_three_step_loop_resolves_without_swapping(memory_store):
    from atlas.corrections import name_map

    for target, into in (("A", "B"), ("B", "C"), ("C", "A")):
        store_as_older_code(memory_store, "merge_org", target, {"into": into})
    assert name_map(list_corrections(memory_store)) == {"A": "C", "B": "C"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_opposite_merges_at_the_same_moment_cannot_both_pass(backend, tmp_path, request):
    """Two editors merge Alpha into Beta and Beta into Alpha at once: the check and the
    write are one locked step, so exactly one is recorded."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'atlas.db'}"
    else:
        url = request.getfixturevalue("postgres_cluster").create_database(
            f"test_{secrets.token_hex(6)}"
        )
    engines = [store.open_store(url) for _ in range(2)]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def merge(engine, target, into):
        start.wait()
        try:
            add_correction(engine, "merge_org", target, {"into": into})
            outcomes.append("recorded")
        except CorrectionError:
            outcomes.append("refused")

    for _ in range(5):
        outcomes.clear()
        threads = [
            threading.Thread(target=merge, args=(engines[0], "Alpha", "Beta")),
            threading.Thread(target=merge, args=(engines[1], "Beta", "Alpha")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["recorded", "refused"]
        for correction in list_corrections(engines[0], include_undone=False):
            undo_correction(engines[0], correction.id)
    for engine in engines:
        engine.dispose()


# --- 3. corrections through re-extraction -------------------------------------------


@pytest.mark.model
def test_corrections_follow_their_deal_when_a_lexicon_alias_renames_a_party(
    engine, rules_extractor, changed_extractor
):
    ingest_articles(engine, seed_articles(), extractor=rules_extractor)
    deals, _ = view(engine)
    # Two deals quoting the same sentence, sharing the party that gets renamed.
    itochu = deal_of(deals, "Itochu", "AND Pharma")
    mochida = deal_of(deals, "Mochida Pharmaceutical", "AND Pharma")
    rejected = add_correction(engine, "reject_deal", itochu["deal_key"])
    retyped = add_correction(
        engine, "set_deal_type", mochida["deal_key"], {"type": "acquisition/merger"}
    )

    assert reextract_all(engine, extractor=changed_extractor) == 3
    machine = store.deals_frame(engine)
    renamed = deal_of(machine, "Mochida Pharmaceutical", "AND Pharmaceutical")
    assert renamed["deal_key"] != mochida["deal_key"]  # the attack: every key changed
    deals, _ = view(engine)
    assert not any(set(p) == {"Itochu", "AND Pharmaceutical"} for p in deals["parties"])
    now = deal_of(deals, "Mochida Pharmaceutical", "AND Pharmaceutical")
    assert (now["type"], now["status"]) == ("acquisition/merger", "corrected")
    assert len(deals) == len(machine) - 1
    assert states(engine) == {rejected: "active", retyped: "active"}

    # Corrections made before addresses were kept (key only) catch up before the next
    # re-extraction renames the party back.
    legacy = store_as_older_code(engine, "confirm_deal", now["deal_key"], {})
    assert reextract_all(engine, extractor=rules_extractor) == 3
    deals, _ = view(engine)
    back = deal_of(deals, "Mochida Pharmaceutical", "AND Pharma")
    assert (back["type"], back["status"]) == ("acquisition/merger", "corrected")
    assert not any(set(p) == {"Itochu", "AND Pharma"} for p in deals["parties"])
    assert states(engine) == {rejected: "active", retyped: "active", legacy: "active"}


@pytest.mark.model
def test_a_correction_whose_deal_is_gone_is_orphaned_then_reattached_or_dropped(
    engine, rules_extractor, changed_extractor
):
    ingest_articles(engine, seed_articles(), extractor=rules_extractor)
    deals, _ = view(engine)
    tcubeit = deal_of(deals, "Astellas Pharma", "TCUBEiT")
    confirmed = add_correction(engine, "confirm_deal", tcubeit["deal_key"], comment="checked")
    retyped = add_correction(engine, "set_deal_type", tcubeit["deal_key"], {"type": "licensing"})
    # Recorded by older code and its deal renamed since: no address to follow.
    legacy = store_as_older_code(
        engine, "reject_deal", store.deal_key("x", 0, "gone", ["A", "B"]), {}
    )
    reextract_all(engine, extractor=changed_extractor)

    assert states(engine) == {confirmed: "orphaned", retyped: "orphaned", legacy: "orphaned"}
    deals, _ = view(engine)
    # The deal quoting the same sentence with another party is not taken instead.
    aavatar = deal_of(deals, "Astellas Pharma", "AAVATAR Therapeutics")
    assert (aavatar["status"], aavatar["type"]) == ("machine", "partnership/collaboration")

    moved = reattach_correction(engine, confirmed, aavatar["deal_key"])
    undo_correction(engine, retyped)  # "drop"
    undo_correction(engine, legacy)
    deals, _ = view(engine)
    assert deal_of(deals, "Astellas Pharma", "AAVATAR Therapeutics")["status"] == "confirmed"
    assert states(engine) == {
        confirmed: "undone",
        retyped: "undone",
        legacy: "undone",
        moved: "active",
    }
    new = list_corrections(engine)[-1]
    assert (new.action, new.comment, new.payload["reattached_from"]) == (
        "confirm_deal",
        "checked",
        confirmed,
    )
    with pytest.raises(CorrectionError, match="no longer in the store"):
        reattach_correction(engine, moved, tcubeit["deal_key"])


def test_an_organisation_correction_naming_no_organisation_is_orphaned(memory_store):
    from tests.test_store import _result

    store.save_extraction(memory_store, _result("a1"), fingerprint="f1")
    gone = add_correction(memory_store, "set_org", "Alfa Bio", {"kind": "academic"})
    chained = add_correction(memory_store, "rename_org", "Beta Pharma", {"name": "Beta"})
    on_new_name = add_correction(memory_store, "set_org", "Beta", {"kind": "investor"})
    assert states(memory_store) == {gone: "orphaned", chained: "active", on_new_name: "active"}
    moved = reattach_correction(memory_store, gone, "Alpha Bio")
    _, orgs = view(memory_store)
    assert orgs.set_index("name").loc["Alpha Bio", "kind"] == "academic"
    assert states(memory_store)[moved] == "active"
    # Re-attaching is checked like a new correction: Beta Pharma was renamed already.
    ghost = add_correction(memory_store, "merge_org", "Ghost", {"into": "Alpha Bio"})
    assert states(memory_store)[ghost] == "orphaned"
    with pytest.raises(CorrectionError, match=f"renamed Beta by correction #{chained}"):
        reattach_correction(memory_store, ghost, "Beta Pharma")


# --- the Corrections page -----------------------------------------------------------


@pytest.fixture
def orphaned_store(seeded_db_url, tmp_path, monkeypatch, changed_extractor):
    """A copy of the seeded store with two corrections on the Astellas-TCUBEiT deal,
    re-extracted under the changed lexicon: both are orphaned."""
    import streamlit as st

    from components import data

    target = tmp_path / "atlas.db"
    shutil.copy(seeded_db_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    engine = store.open_store(url)
    key = deal_of(store.deals_frame(engine), "Astellas Pharma", "TCUBEiT")["deal_key"]
    add_correction(engine, "confirm_deal", key)
    add_correction(engine, "set_deal_type", key, {"type": "licensing"})
    reextract_all(engine, extractor=changed_extractor)
    engine.dispose()
    monkeypatch.setenv("ATLAS_DB_URL", url)
    monkeypatch.delenv("ATLAS_EDITOR_PASSWORD", raising=False)
    st.cache_data.clear()
    data.clear_caches()
    return url


def history_of(at: AppTest):
    return next(d.value for d in at.dataframe if "state" in d.value.columns)


@pytest.mark.model
def test_corrections_page_shows_orphans_and_reattaches_or_drops_them(orphaned_store):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("views/corrections.py").run()
    assert not at.exception
    assert list(history_of(at)["state"]) == ["orphaned", "orphaned"]
    assert at.selectbox(key="corrections_orphan_id").options == [
        "#1 confirm_deal · Astellas Pharma + TCUBEiT",
        "#2 set_deal_type · Astellas Pharma + TCUBEiT",
    ]
    at.selectbox(key="corrections_orphan_id").select_index(0).run()
    choices = at.selectbox(key="corrections_orphan_deal").options
    # Only deals of the same article are offered.
    assert all("Astellas Pharma" in c for c in choices) and len(choices) == 4
    aavatar = next(c for c in choices if "AAVATAR" in c)
    at.selectbox(key="corrections_orphan_deal").select(aavatar).run()
    at.button(key="corrections_orphan_reattach").click().run()
    assert not at.exception
    assert list(history_of(at)["state"]) == ["undone", "orphaned", "active"]

    at.selectbox(key="corrections_orphan_id").select_index(0).run()
    at.button(key="corrections_orphan_drop").click().run()
    assert not at.exception
    assert list(history_of(at)["state"]) == ["undone", "undone", "active"]
    assert not any(s.key == "corrections_orphan_id" for s in at.selectbox)

    at.switch_page("views/deals.py").run()
    shown = next(d.value for d in at.dataframe if "Checked" in d.value.columns)
    row = shown[shown["Parties"].str.contains("AAVATAR")]
    assert list(row["Checked"]) == ["confirmed"]


@pytest.fixture
def private_store(seeded_db_url, tmp_path, monkeypatch):
    import streamlit as st

    from components import data

    target = tmp_path / "atlas.db"
    shutil.copy(seeded_db_url.removeprefix("sqlite:///"), target)
    monkeypatch.setenv("ATLAS_DB_URL", f"sqlite:///{target}")
    monkeypatch.delenv("ATLAS_EDITOR_PASSWORD", raising=False)
    st.cache_data.clear()
    data.clear_caches()
    return f"sqlite:///{target}"


@pytest.mark.model
def test_corrections_page_refuses_a_rename_that_swaps_back_in_one_line(private_store):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("views/corrections.py").run()
    at.selectbox(key="corrections_org").select("Itochu").run()
    at.selectbox(key="corrections_org_merge_into").select("Alvotech")
    at.button(key="FormSubmitter:corrections_org_merge_form-Merge").click().run()
    assert "Itochu" not in at.selectbox(key="corrections_org").options
    # Giving Alvotech the merged name back would swap the two organisations.
    at.selectbox(key="corrections_org").select("Alvotech").run()
    at.text_input(key="corrections_org_rename_name").input("Itochu")
    at.button(key="FormSubmitter:corrections_org_rename_form-Rename").click().run()
    assert not at.exception
    assert [e.value.replace("\\", "") for e in at.error] == [
        "Not recorded: that would swap them back: Itochu was merged into Alvotech by "
        "correction #1; undo #1 instead"
    ]
    assert list(history_of(at)["action"]) == ["merge_org"]
