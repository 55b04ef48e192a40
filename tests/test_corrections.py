"""Corrections: recorded apart from extraction, applied on top, undoable, and
still in force after a full re-extraction."""

from __future__ import annotations

import pytest

from atlas import store
from atlas.corrections import (
    CorrectionError,
    add_correction,
    apply_corrections,
    corrected_mentions,
    list_corrections,
    undo_correction,
)
from atlas.models import Deal
from tests.test_store import _result


def view(engine):
    return apply_corrections(
        store.deals_frame(engine), store.organisations_frame(engine), list_corrections(engine)
    )


@pytest.fixture
def filled(memory_store):
    store.save_extraction(memory_store, _result("a1"), fingerprint="f1")
    return memory_store


def key_of(engine) -> str:
    return store.deals_frame(engine).iloc[0]["deal_key"]


def test_machine_result_without_corrections(filled):
    deals, orgs = view(filled)
    assert deals.iloc[0]["status"] == "machine"
    assert set(orgs["name"]) == {"Alpha Bio", "Beta Pharma"}


def test_reject_and_undo(filled):
    correction = add_correction(filled, "reject_deal", key_of(filled), comment="not a deal")
    assert view(filled)[0].empty
    undo_correction(filled, correction)
    deals, _ = view(filled)
    assert len(deals) == 1 and deals.iloc[0]["status"] == "machine"


def test_change_type_and_parties_and_confirm(filled):
    key = key_of(filled)
    add_correction(filled, "set_deal_type", key, {"type": "licensing"})
    add_correction(filled, "set_deal_parties", key, {"parties": ["Alpha Bio", "Gamma Labs"]})
    deals, _ = view(filled)
    row = deals.iloc[0]
    assert row["type"] == "licensing" and row["parties"] == ["Alpha Bio", "Gamma Labs"]
    assert row["status"] == "corrected"


def test_confirm(filled):
    add_correction(filled, "confirm_deal", key_of(filled))
    assert view(filled)[0].iloc[0]["status"] == "confirmed"


def test_merge_moves_deals_and_becomes_an_alias(filled):
    store.save_extraction(
        filled,
        _result(
            "a2",
            deals=[
                Deal(
                    ("BetaPharm", "Delta Co"),
                    "licensing",
                    "BetaPharm licensed Delta Co.",
                )
            ],
        ),
        fingerprint="f1",
    )
    add_correction(filled, "merge_org", "BetaPharm", {"into": "Beta Pharma"})
    deals, orgs = view(filled)
    assert all("BetaPharm" not in parties for parties in deals["parties"])
    beta = orgs.set_index("name").loc["Beta Pharma"]
    assert beta["deals"] == 2
    assert "BetaPharm" in beta["aliases"]


def test_merge_moves_mentions(filled):
    add_correction(filled, "merge_org", "Alpha Bio", {"into": "Beta Pharma"})
    mentions = corrected_mentions(store.mentions_frame(filled), list_corrections(filled))
    assert set(mentions["organisation"]) == {"Beta Pharma"}
    # The deal between them folds into one organisation and is no longer a deal.
    assert view(filled)[0].empty


def test_two_merges_in_a_chain_resolve(filled):
    add_correction(filled, "merge_org", "Alpha Bio", {"into": "Alpha Biotech"})
    add_correction(filled, "rename_org", "Alpha Biotech", {"name": "Alpha Group"})
    deals, orgs = view(filled)
    assert deals.iloc[0]["parties"] == ["Alpha Group", "Beta Pharma"]
    assert "Alpha Group" in set(orgs["name"]) and "Alpha Bio" not in set(orgs["name"])


def test_set_country_and_kind_updates_deal_countries(filled):
    add_correction(filled, "set_org", "Beta Pharma", {"country": "South Korea", "kind": "academic"})
    deals, orgs = view(filled)
    assert orgs.set_index("name").loc["Beta Pharma", "kind"] == "academic"
    assert deals.iloc[0]["countries"] == ["Japan", "South Korea"]


def test_add_deal_by_hand(filled):
    add_correction(
        filled,
        "add_deal",
        payload={
            "parties": ["Alpha Bio", "Omega Trust"],
            "type": "equity investment/stake",
            "evidence": "Omega Trust bought 5% of Alpha Bio.",
            "deal_date": "2025-06",
        },
    )
    deals, _ = view(filled)
    manual = deals[deals["status"] == "manual"].iloc[0]
    assert manual["parties"] == ["Alpha Bio", "Omega Trust"] and manual["deal_date"] == "2025-06"


def test_corrections_survive_re_extraction(filled):
    key = key_of(filled)
    add_correction(filled, "set_deal_type", key, {"type": "alliance/consortium"})
    add_correction(filled, "merge_org", "Beta Pharma", {"into": "Beta Holdings"})
    # A re-extraction (new lexicon fingerprint) rewrites every extraction row.
    store.save_extraction(filled, _result("a1"), fingerprint="f2")
    deals, _ = view(filled)
    assert deals.iloc[0]["type"] == "alliance/consortium"
    assert deals.iloc[0]["parties"] == ["Alpha Bio", "Beta Holdings"]


@pytest.mark.parametrize(
    ("action", "target", "payload"),
    [
        ("merge_org", "A", {"into": "A"}),  # into itself
        ("rename_org", "A", {"name": "  "}),
        ("set_deal_type", "k", {"type": "friendship"}),
        ("set_deal_parties", "k", {"parties": ["A", "A"]}),
        ("add_deal", "", {"parties": ["A", "B"], "type": "licensing", "evidence": ""}),
        ("drop_table", "x", {}),
    ],
)
def test_bad_corrections_are_refused(memory_store, action, target, payload):
    with pytest.raises(CorrectionError):
        add_correction(memory_store, action, target, payload)


def test_every_action_reads_as_a_sentence():
    from atlas.correction_words import action_text, describe, when
    from atlas.corrections import Correction

    def made(action, target="", payload=None, **extra):
        return Correction(
            id=1,
            created_at="2026-12-02T10:42:05+00:00",
            action=action,
            target=target,
            payload=payload or {},
            comment="",
            undone_at=None,
            **extra,
        )

    address = {"address": {"parties": ["Eisai", "Novartis"], "evidence": "..."}}
    assert when("2026-12-02T10:42:05+00:00") == "2 Dec 2026, 10:42"
    assert (
        describe(
            made(
                "set_deal_type",
                "k",
                {"type": "partnership/collaboration", "from": "other", **address},
            )
        )
        == "Retyped Eisai + Novartis from other to partnership/collaboration (2 Dec 2026, 10:42)"
    )
    assert (
        action_text(made("merge_org", "Eisai Co", {"into": "Eisai"}))
        == "Merged Eisai Co into Eisai"
    )
    assert action_text(made("rename_org", "Eisai", {"name": "Eisai Pharma"})) == (
        "Renamed Eisai to Eisai Pharma"
    )
    assert action_text(made("set_org", "Eisai", {"country": "Japan", "kind": "company"})) == (
        "Set Eisai's country to Japan and kind to company"
    )
    assert (
        action_text(made("reject_deal", "k", address)) == "Rejected Eisai + Novartis as not a deal"
    )
    members = {"members": [{"deal_key": "k2"}], **address}
    assert action_text(made("confirm_deal", "k", members)) == (
        "Confirmed Eisai + Novartis (all 2 articles reporting it)"
    )
    assert action_text(made("add_deal", "", {"parties": ["A", "B"], "type": "licensing"})) == (
        "Added a licensing deal between A + B"
    )
    assert action_text(made("merge_deals", "k", members)) == (
        "Merged 2 reports of Eisai + Novartis into one deal"
    )
    undone = Correction(
        id=2,
        created_at="2026-12-02T10:42:05+00:00",
        action="reject_deal",
        target="k",
        payload=address,
        comment="not a deal",
        undone_at="2026-12-02T11:00:00+00:00",
        created_by="alice",
        undone_by="bob",
    )
    assert describe(undone) == (
        "Rejected Eisai + Novartis as not a deal (2 Dec 2026, 10:42, by alice): “not a deal”"
        " — undone 2 Dec 2026, 11:00 by bob"
    )
    assert describe(made("reject_deal", "k", address), "orphaned").endswith(
        "matches no deal since a re-extraction"
    )
