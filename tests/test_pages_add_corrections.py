"""AppTest of the Add articles and Corrections pages: uploads with a bad file, paste,
and a correction that shows on every page at once."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.model


@pytest.fixture
def private_store(seeded_db_url, tmp_path, monkeypatch):
    """A copy of the seeded store this test may change."""
    import streamlit as st

    source = seeded_db_url.removeprefix("sqlite:///")
    target = tmp_path / "atlas.db"
    shutil.copy(source, target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("ATLAS_DB_URL", url)
    st.cache_data.clear()
    return url


def table_with(at: AppTest, column: str):
    """The first table showing ``column`` (AppTest does not expose dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def app_on(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page(page).run()
    return at


def test_upload_several_files_with_a_bad_one(empty_app_env):
    at = app_on("views/add_articles.py")
    at.file_uploader(key="add_upload").set_value(
        [
            ("seed.txt", (SEEDS / "000_d1c1c98d28aab052.txt").read_bytes(), "text/plain"),
            (
                "deal.md",
                b"# News\n\nShionogi has signed a licence agreement with Ono Pharmaceutical.\n",
                "text/markdown",
            ),
            ("broken.txt", b"\x00\x01\x02binary", "text/plain"),
        ]
    ).run()
    at.button(key="add_upload_go").click().run()
    assert not at.exception
    report = " ".join(m.value for m in at.markdown)
    assert "ingested 2" in report and "rejected 1" in report
    rejected = table_with(at, "Reason")
    assert list(rejected["File"]) == ["broken.txt"]
    found = table_with(at, "Parties")
    assert "Shionogi + Ono Pharmaceutical" in set(found["Parties"])
    at.switch_page("views/overview.py").run()
    assert next(m.value for m in at.metric if m.label == "Articles") == "2"


def test_paste_text(empty_app_env):
    at = app_on("views/add_articles.py")
    at.text_area(key="add_paste_text").input(
        "Eisai and Biogen have formed a strategic alliance in Alzheimer's disease."
    )
    at.text_input(key="add_paste_title").input("Eisai and Biogen ally")
    at.button(key="FormSubmitter:add_paste_form-Ingest pasted text").click().run()
    assert not at.exception
    found = table_with(at, "Parties")
    assert found.iloc[0]["Type"] == "alliance/consortium"


def test_a_correction_shows_on_every_page(private_store):
    at = app_on("views/corrections.py")
    at.selectbox(key="corrections_org").select("Nichi-Iko Pharmaceutical").run()
    at.text_input(key="corrections_org_rename_name").input("Nichi-Iko Group")
    at.button(key="FormSubmitter:corrections_org_rename_form-Rename").click().run()
    assert not at.exception
    history = table_with(at, "action")
    assert list(history["action"]) == ["rename_org"]
    at.switch_page("views/deals.py").run()
    parties = set(at.dataframe[0].value["Parties"])
    assert "Sawai Pharmaceutical + Nichi-Iko Group" in parties
    assert not any("Nichi-Iko Pharmaceutical" in p for p in parties)
    at.switch_page("views/overview.py").run()
    at.multiselect(key="filter_organisations").set_value(["Nichi-Iko Group"]).run()
    assert next(m.value for m in at.metric if m.label == "Deals") == "1"
    # Undo restores the machine result.
    at.switch_page("views/corrections.py").run()
    at.selectbox(key="corrections_undo_id").select(1).run()
    at.button(key="corrections_undo").click().run()
    at.switch_page("views/deals.py").run()
    assert "Sawai Pharmaceutical + Nichi-Iko Pharmaceutical" in set(
        at.dataframe[0].value["Parties"]
    )


def test_an_upload_whose_every_file_is_refused_is_no_green_tick(empty_app_env):
    at = app_on("views/add_articles.py")
    at.file_uploader(key="add_upload").set_value(
        [("broken.txt", b"\x00\x01\x02binary", "text/plain")]
    ).run()
    at.button(key="add_upload_go").click().run()
    assert not at.exception
    (status,) = at.status
    assert status.proto.icon == ":material/error:"
    assert "nothing could be read" in status.proto.label


def test_a_good_upload_gets_a_green_tick(empty_app_env):
    at = app_on("views/add_articles.py")
    at.file_uploader(key="add_upload").set_value(
        [
            (
                "deal.md",
                b"Shionogi has signed a licence agreement with Ono Pharmaceutical.\n",
                "text/markdown",
            )
        ]
    ).run()
    at.button(key="add_upload_go").click().run()
    (status,) = at.status
    assert status.proto.icon == ":material/check:"


def test_reject_a_deal(private_store):
    at = app_on("views/corrections.py")
    label = next(
        o
        for o in at.selectbox(key="corrections_deal").options
        if o.startswith("Alvotech + Fuji Pharma")
    )
    at.selectbox(key="corrections_deal").select(label).run()
    at.button(key="corrections_deal_reject").click().run()
    assert not at.exception
    at.switch_page("views/deals.py").run()
    assert not any(p.startswith("Alvotech") for p in at.dataframe[0].value["Parties"])


def test_corrections_read_as_plain_sentences_with_an_undo_button_each(private_store):
    at = app_on("views/corrections.py")
    label = next(
        o
        for o in at.selectbox(key="corrections_deal").options
        if o.startswith("Alvotech + Fuji Pharma")
    )
    at.selectbox(key="corrections_deal").select(label).run()
    at.selectbox(key="corrections_deal_type").select("licensing")
    at.button(key="FormSubmitter:corrections_deal_edit_form-Save changes").click().run()
    assert not at.exception
    lines = [m.value for m in at.markdown if m.value.startswith("Retyped")]
    assert len(lines) == 1, [m.value for m in at.markdown]
    line = lines[0]
    # "Retyped Alvotech + Fuji Pharma from supply/... to licensing (3 Dec 2026, 06:50)"
    assert "Alvotech \\+ Fuji Pharma" in line and "to licensing" in line and " from " in line
    assert "{" not in line and "set_deal_type" not in line  # no JSON, no action code
    undo = [b for b in at.button if b.key.startswith("corrections_undo_")]
    assert len(undo) == 1
    undo[0].click().run()
    assert not at.exception
    assert any("undone" in m.value for m in at.markdown if m.value.startswith("Retyped"))
    assert not [b for b in at.button if b.key.startswith("corrections_undo_")]
    at.switch_page("views/deals.py").run()
    shown = at.dataframe[0].value
    alvotech = shown[shown["Parties"].str.startswith("Alvotech")]
    assert "licensing" not in set(alvotech["Type"])


def test_confirm_a_deal_on_the_deals_page(private_store):
    at = app_on("views/deals.py")
    label = next(
        o for o in at.selectbox(key="deals_correct_select").options if "Sawai" in o and "Asahi" in o
    )
    at.selectbox(key="deals_correct_select").select(label).run()
    at.button(key="deals_correct_confirm").click().run()
    assert not at.exception
    shown = table_with(at, "Checked")
    settlement = shown["Parties"].str.contains("Sawai") & shown["Parties"].str.contains("Asahi")
    assert shown.loc[settlement, "Checked"].tolist() == ["confirmed"]


def test_place_an_organisation_on_the_companies_page(private_store):
    at = app_on("views/companies.py")
    at.selectbox(key="companies_organisation").select("TCUBEiT").run()
    at.selectbox(key="companies_correct_set_country").select("South Korea")
    at.button(key="FormSubmitter:companies_correct_set_form-Save").click().run()
    assert not at.exception
    at.switch_page("views/countries.py").run()
    assert not at.exception
    at.switch_page("views/overview.py").run()
    at.multiselect(key="filter_countries").set_value(["South Korea"]).run()
    assert next(m.value for m in at.metric if m.label == "Deals") == "2"  # KISED and now TCUBEiT
