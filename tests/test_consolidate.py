"""One record per agreement (issue 16, point 1; issue 12, item 5).

End to end: short articles written for these tests (invented companies) through the
real pipeline (``atlas.extract.Extractor``) into a real SQLite store, then the
dashboard's tables (``atlas.snapshot._build_dashboard_tables``: corrections, then
consolidation). The grouping rules themselves are also checked on small frames,
table-driven, where a real article could not isolate one rule.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from atlas import snapshot, store
from atlas.consolidate import (
    ADDED_COLUMNS,
    FOLLOW_UP_DAYS,
    WAVE_DAYS,
    consolidate,
    deals_in_article,
    party_key,
)
from atlas.corrections import (
    CorrectionError,
    add_correction,
    corrections_frame,
    list_corrections,
    undo_correction,
)
from atlas.ingest import ingest_articles, reextract_all
from atlas.lexicon import DEFAULT_LEXICON_DIR, add_organisation_entry, load_lexicon
from tests.conftest import SEEDS, make_article

QORVANE, HELMBRIDGE = "Qorvane Therapeutics", "Helmbridge Pharma"

# The same licence told by three outlets in their own words, over one week.
THREE_OUTLETS = [
    (
        "wire.txt",
        "2024-03-04",
        "Qorvane Therapeutics signs licence with Helmbridge Pharma",
        "Qorvane Therapeutics has signed a licence agreement with Helmbridge Pharma for "
        "QRV-101, its experimental antibody for lung cancer.\n\nHelmbridge Pharma will pay "
        "$40 million upfront, the companies said.",
    ),
    (
        "trade.txt",
        "2024-03-05",
        "Helmbridge Pharma licenses lung cancer antibody",
        "Helmbridge Pharma has licensed the rights to QRV-101 from Qorvane Therapeutics in a "
        "deal worth up to $600 million.\n\nThe antibody is in phase 2 trials.",
    ),
    (
        "weekly.txt",
        "2024-03-11",
        "Helmbridge bets on Qorvane",
        "Osaka-based Helmbridge Pharma and Qorvane Therapeutics entered into an exclusive "
        "licensing agreement covering QRV-101 in Asia, the two companies announced on Monday.",
    ),
]
# Another licence between the same two, three years earlier, for another candidate.
OLDER_LICENCE = (
    "older.txt",
    "2021-06-10",
    "Qorvane and Helmbridge team up on kidney disease",
    "Qorvane Therapeutics and Helmbridge Pharma signed a licence agreement for QRV-007, a "
    "kidney disease candidate.",
)
ACQUISITION = (
    "bid.txt",
    "2026-09-01",
    "Helmbridge to buy Qorvane",
    "Helmbridge Pharma agreed to acquire Qorvane Therapeutics for $2.1 billion in cash.",
)
COMPLETION = (
    "closing.txt",
    "2026-12-15",
    "Helmbridge closes Qorvane deal",
    "Helmbridge Pharma has completed its acquisition of Qorvane Therapeutics, the company "
    "said on Tuesday.",
)
# The licence recalled as history, with no date of its own.
RECALLED = (
    "profile.txt",
    "2025-02-01",
    "Qorvane names a chief executive",
    "Qorvane Therapeutics named a new chief executive on Friday. Last year the company had "
    "signed a licence agreement with Helmbridge Pharma for QRV-101.\n\nThe new chief "
    "executive joins from a large drugmaker.",
)


def articles(*specs):
    return [
        make_article(text, file=file, title=title, published=published)
        for file, published, title, text in specs
    ]


def dashboard(engine) -> pd.DataFrame:
    return snapshot._build_dashboard_tables(engine)[0]


def between(deals: pd.DataFrame, *parties: str) -> pd.DataFrame:
    wanted = party_key(parties)
    return deals[[party_key(p) == wanted for p in deals["parties"]]]


def source_files(deal) -> list[str]:
    return [s["article_file"] for s in deal["sources"]]


@pytest.fixture
def engine(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path / 'atlas.db'}")
    yield engine
    engine.dispose()


# --- end to end: real extraction, real store ----------------------------------------


@pytest.mark.model
def test_the_same_deal_from_three_outlets_is_one_deal_with_three_sources(engine, extractor):
    ingest_articles(engine, articles(*THREE_OUTLETS), extractor=extractor)
    assert len(between(store.deals_frame(engine), QORVANE, HELMBRIDGE)) == 3  # three mentions
    deals = between(dashboard(engine), QORVANE, HELMBRIDGE)
    assert len(deals) == 1
    deal = deals.iloc[0]
    assert deal["n_sources"] == 3
    assert source_files(deal) == ["wire.txt", "trade.txt", "weekly.txt"]  # earliest first
    assert deal["deal_date"] == "2024-03-04"  # the first announcement
    assert deal["type"] == "licensing"
    assert deal["article_file"] == "wire.txt"  # the representative: the earliest report
    assert sorted(deal["deal_keys"]) == sorted(s["deal_key"] for s in deal["sources"])
    assert [a.casefold() for a in deal["assets"]] == ["qrv-101"]
    # Terms from every source: the upfront of the first, the total of the second.
    assert set(deal["terms"]) >= {"upfront", "total_value"}
    assert deal["terms"]["upfront"]["amount"] == 40_000_000
    assert deal["terms"]["total_value"]["amount"] == 600_000_000


@pytest.mark.model
def test_agreements_years_apart_and_a_later_acquisition_stay_apart(engine, extractor):
    ingest_articles(
        engine, articles(OLDER_LICENCE, *THREE_OUTLETS, ACQUISITION), extractor=extractor
    )
    deals = between(dashboard(engine), QORVANE, HELMBRIDGE).sort_values("deal_date")
    assert deals[["deal_date", "type", "n_sources"]].values.tolist() == [
        ["2021-06-10", "licensing", 1],
        ["2024-03-04", "licensing", 3],
        ["2026-09-01", "acquisition/merger", 1],
    ]


@pytest.mark.model
def test_a_completion_article_moves_the_deal_to_completed(engine, extractor):
    ingest_articles(engine, articles(ACQUISITION), extractor=extractor)
    (status,) = between(dashboard(engine), QORVANE, HELMBRIDGE)["deal_status"]
    assert status == "agreed"
    ingest_articles(engine, articles(COMPLETION), extractor=extractor)
    deals = between(dashboard(engine), QORVANE, HELMBRIDGE)
    assert len(deals) == 1
    deal = deals.iloc[0]
    assert deal["deal_status"] == "completed"
    assert deal["deal_date"] == "2026-09-01"  # still the announcement's date
    assert source_files(deal) == ["bid.txt", "closing.txt"]


@pytest.mark.model
def test_an_undated_background_mention_joins_the_deal_and_keeps_its_date(engine, extractor):
    ingest_articles(engine, articles(RECALLED), extractor=extractor)
    alone = between(dashboard(engine), QORVANE, HELMBRIDGE).iloc[0]
    # Known only as history: no date of its own, "before" the article that recalls it.
    assert (alone["role"], alone["deal_date"], alone["before_date"]) == (
        "background",
        None,
        "2025-02-01",
    )
    assert alone["date_label"] == "before 1 Feb 2025"
    ingest_articles(engine, articles(*THREE_OUTLETS), extractor=extractor)
    deals = between(dashboard(engine), QORVANE, HELMBRIDGE)
    assert len(deals) == 1
    deal = deals.iloc[0]
    assert deal["n_sources"] == 4
    assert (deal["deal_date"], deal["before_date"], deal["role"]) == ("2024-03-04", None, "main")
    assert source_files(deal)[-1] == "profile.txt"


@pytest.mark.model
def test_the_bundled_corpus_has_the_astellas_yaskawa_joint_venture_once(engine, extractor):
    from atlas.corpus import read_corpus

    ingest_articles(
        engine, [a for a in read_corpus([SEEDS]) if hasattr(a, "items")], extractor=extractor
    )
    assert len(between(store.deals_frame(engine), "Astellas Pharma", "Yaskawa Electric")) == 2
    deals = between(dashboard(engine), "Astellas Pharma", "Yaskawa Electric")
    assert len(deals) == 1
    deal = deals.iloc[0]
    assert deal["type"] == "joint venture"
    assert deal["n_sources"] == 2
    # One article recalls it as history, the other is undated: not dated April 2025.
    assert (deal["deal_date"], deal["before_date"], deal["date_label"]) == (
        None,
        "2025-04",
        "before Apr 2025",
    )
    assert len({s["article_id"] for s in deal["sources"]}) == 2
    # The network's link between them is one deal.
    from atlas.graph import build_deal_graph

    graph = build_deal_graph(dashboard(engine))
    assert graph.edges["Astellas Pharma", "Yaskawa Electric"]["count"] == 1
    # Each article that reports it lists it, with its own sentence.
    for source in deal["sources"]:
        shown = between(deals_in_article(dashboard(engine), source["article_id"]), *deal["parties"])
        assert shown["evidence"].tolist() == [source["evidence"]]


@pytest.fixture(scope="module")
def renaming_extractor(tmp_path_factory, rules_extractor):
    """The pipeline under a lexicon where a user made "Helmbridge Pharma" an alias of
    "Helmbridge Pharmaceutical": a re-extraction renames the party and so changes
    every key of its mentions."""
    from atlas.extract import Extractor

    folder = tmp_path_factory.mktemp("lexicon")
    shutil.copytree(DEFAULT_LEXICON_DIR, folder, dirs_exist_ok=True)
    add_organisation_entry(
        "Helmbridge Pharmaceutical", aliases=[HELMBRIDGE], country="Japan", directory=folder
    )
    return Extractor(load_lexicon(folder), models=None)


@pytest.mark.model
def test_a_split_and_a_merge_survive_re_extraction(engine, rules_extractor, renaming_extractor):
    ingest_articles(engine, articles(OLDER_LICENCE, *THREE_OUTLETS), extractor=rules_extractor)
    deals = between(dashboard(engine), QORVANE, HELMBRIDGE)
    assert sorted(deals["n_sources"]) == [1, 3]
    wave = deals[deals["n_sources"] == 3].iloc[0]
    older = deals[deals["n_sources"] == 1].iloc[0]
    trade = next(s for s in wave["sources"] if s["article_file"] == "trade.txt")
    split = add_correction(engine, "split_deal", trade["deal_key"], {"from": wave["deal_key"]})
    # As the deal form does it: the deal as it is now (two sources) with the older one.
    wave = (
        between(dashboard(engine), QORVANE, HELMBRIDGE).set_index("deal_key").loc[wave["deal_key"]]
    )
    assert len(wave["deal_keys"]) == 2
    merged = add_correction(
        engine, "merge_deals", wave.name, {"members": [*wave["deal_keys"], older["deal_key"]]}
    )

    def grouping(helmbridge: str) -> list[list[str]]:
        deals = between(dashboard(engine), QORVANE, helmbridge)
        return sorted(sorted(source_files(row)) for _, row in deals.iterrows())

    expected = [["older.txt", "weekly.txt", "wire.txt"], ["trade.txt"]]
    assert grouping(HELMBRIDGE) == expected
    before = set(store.deals_frame(engine)["deal_key"])

    assert reextract_all(engine, extractor=renaming_extractor) == 4
    assert not before & set(store.deals_frame(engine)["deal_key"])  # every key changed
    assert grouping("Helmbridge Pharmaceutical") == expected
    states = dict(zip(*corrections_frame(engine)[["id", "state"]].T.values, strict=True))
    assert states == {split: "active", merged: "active"}

    reextract_all(engine, extractor=rules_extractor)  # and back
    assert grouping(HELMBRIDGE) == expected
    # Undone, the machine's grouping is back.
    undo_correction(engine, merged)
    undo_correction(engine, split)
    assert grouping(HELMBRIDGE) == [["older.txt"], ["trade.txt", "weekly.txt", "wire.txt"]]


@pytest.mark.model
def test_a_correction_on_a_consolidated_deal_applies_to_every_source_and_undoes_as_one(
    engine, extractor
):
    ingest_articles(engine, articles(*THREE_OUTLETS), extractor=extractor)
    deal = between(dashboard(engine), QORVANE, HELMBRIDGE).iloc[0]
    others = [k for k in deal["deal_keys"] if k != deal["deal_key"]]
    retyped = add_correction(
        engine,
        "set_deal_type",
        deal["deal_key"],
        {"type": "partnership/collaboration", "members": others},
    )
    after = between(dashboard(engine), QORVANE, HELMBRIDGE)
    assert after[["type", "status", "n_sources"]].values.tolist() == [
        ["partnership/collaboration", "corrected", 3]
    ]
    listed = corrections_frame(engine).set_index("id").loc[retyped]
    assert listed["change"].endswith("(all 3 sources)")
    rejected = add_correction(engine, "reject_deal", deal["deal_key"], {"members": others})
    assert between(dashboard(engine), QORVANE, HELMBRIDGE).empty
    undo_correction(engine, rejected)
    assert len(between(dashboard(engine), QORVANE, HELMBRIDGE)) == 1


@pytest.mark.model
def test_a_merge_of_deals_between_different_organisations_is_refused(engine, extractor):
    ingest_articles(engine, articles(THREE_OUTLETS[0]), extractor=extractor)
    ingest_articles(
        engine,
        [
            make_article(
                "Qorvane Therapeutics has signed a licence agreement with Brightmoor Biologics "
                "for QRV-101 in Europe.",
                file="europe.txt",
                published="2024-03-06",
            )
        ],
        extractor=extractor,
    )
    deals = dashboard(engine)
    ours = between(deals, QORVANE, HELMBRIDGE).iloc[0]
    theirs = between(deals, QORVANE, "Brightmoor Biologics").iloc[0]
    with pytest.raises(CorrectionError, match="same organisations"):
        add_correction(engine, "merge_deals", ours["deal_key"], {"members": [theirs["deal_key"]]})
    # Once the user makes the parties the same, the merge is accepted.
    add_correction(engine, "merge_org", "Brightmoor Biologics", {"into": HELMBRIDGE})
    add_correction(engine, "merge_deals", ours["deal_key"], {"members": [theirs["deal_key"]]})
    (sources,) = between(dashboard(engine), QORVANE, HELMBRIDGE)["n_sources"]
    assert sources == 2
    assert corrections_frame(engine)["change"].iloc[-1] == "merged into one deal: 2 sources"
    assert list_corrections(engine)[-1].members[0][1]["evidence"].startswith("Qorvane")


# --- the rules, one at a time, on small frames ----------------------------------------


def mention(key: str, deal_date: str | None, **fields) -> dict:
    row = {
        "deal_id": len(key),
        "deal_key": key,
        "parties": ["Alpha Bio", "Beta Pharma"],
        "party_countries": ["Japan", None],
        "type": "licensing",
        "also_types": [],
        "deal_date": deal_date,
        "date_precision": None,
        "date_source": "text" if deal_date else None,
        "confidence": 0.5,
        "evidence": f"sentence {key}",
        "therapeutic_areas": [],
        "countries": ["Japan"],
        "item_index": 0,
        "article_id": f"article-{key}",
        "article_title": f"Title {key}",
        "article_file": f"{key}.txt",
        "article_source": "Wire",
        "article_published": deal_date,
        "role": "main",
        "deal_status": "agreed",
        "assets": [],
        "terms": {},
        "value_usd": None,
        "upfront_usd": None,
        "status": "machine",
    }
    row.update(fields)
    return row


def groups(rows: list[dict], **options) -> list[list[str]]:
    frame = consolidate(pd.DataFrame(rows), **options)
    return sorted(sorted(keys) for keys in frame["deal_keys"])


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            [mention("a", "2024-03-04"), mention("b", "2024-05-20")],
            [["a", "b"]],
            id="one news wave",
        ),
        pytest.param(
            [
                mention("a", "2024-03-04"),
                mention("b", "2024-03-04", parties=["Beta pharma", "ALPHA BIO"]),
            ],
            [["a", "b"]],
            id="parties compared as a set, case-folded",
        ),
        pytest.param(
            [
                mention("a", "2024-01-04"),
                mention("b", "2024-01-04", parties=["Alpha Bio", "Gamma"]),
            ],
            [["a"], ["b"]],
            id="other parties",
        ),
        pytest.param(
            [mention("a", "2021-03-04"), mention("b", "2024-03-04")],
            [["a"], ["b"]],
            id="years apart",
        ),
        pytest.param(
            [mention("a", "2024-01-01"), mention("b", "2024-01-01", type="acquisition/merger")],
            [["a"], ["b"]],
            id="a licence and an acquisition",
        ),
        pytest.param(
            [
                mention("a", "2024-01-01"),
                mention(
                    "b", "2024-01-02", type="equity investment/stake", also_types=["licensing"]
                ),
                mention("c", "2024-01-03", type="other"),
            ],
            [["a", "b", "c"]],
            id="a type among the other's also_types, and 'other', fit",
        ),
        pytest.param(
            [
                mention("a", "2024-01-01", assets=["QRV-101"]),
                mention("b", "2024-01-02", assets=["qrv-101 tablets"]),
                mention("c", "2024-01-03", assets=["QRV-007"]),
                mention("d", "2024-01-01"),
            ],
            [["a", "b", "d"], ["c"]],
            id="assets: one containing the other overlaps; none named fits the nearest",
        ),
        pytest.param(
            [
                mention("a", "2024-01-01", type="acquisition/merger"),
                mention("b", "2025-06-01", type="acquisition/merger", deal_status="completed"),
                mention("c", "2022-01-01", type="acquisition/merger"),
            ],
            [["a", "b"], ["c"]],
            id="a completion within two years joins; an older announcement does not",
        ),
        pytest.param(
            [
                mention("a", "2024-01-01", type="acquisition/merger"),
                mention(
                    "b",
                    "2026-06-01",
                    type="acquisition/merger",
                    deal_status="completed",
                ),
            ],
            [["a"], ["b"]],
            id="a completion more than two years later is another deal",
        ),
        pytest.param(
            [
                mention("a", "2023"),
                mention("b", "2023-02-10"),
                mention("c", "2023-11-20"),
            ],
            [["a", "b"], ["c"]],
            id="a vague year does not glue the whole year's deals",
        ),
        pytest.param(
            [
                mention("a", "2021-03-01"),
                mention("b", "2024-03-01"),
                mention(
                    "c",
                    None,
                    role="background",
                    date_source="before-article",
                    article_published="2022-05-01",
                ),
                mention("d", None, role="background", article_published="2025-05-01"),
            ],
            [["a", "c"], ["b", "d"]],
            id="undated history joins the latest deal before its article",
        ),
        pytest.param(
            [
                mention("a", None, role="background", article_published="2025-05-01"),
                mention("b", None, role="background", article_published="2025-01-01"),
                mention("c", None, article_published=None),
            ],
            [["a", "b", "c"]],
            id="undated mentions only",
        ),
        pytest.param(
            [
                mention("a", "2024-01-01"),
                mention("b", "2024-01-01", status="manual", deal_key="manual-3"),
            ],
            [["a"], ["manual-3"]],
            id="a deal added by hand is its own",
        ),
    ],
)
def test_grouping_rules(rows, expected):
    assert groups(rows) == expected


def test_the_consolidated_record():
    rows = [
        mention(
            "later",
            "2024-02-01",
            assets=["QRV-101"],
            terms={"upfront": {"amount": 9}},
            deal_status="completed",
            confidence=0.9,
            therapeutic_areas=["oncology"],
            status="confirmed",
        ),
        mention(
            "first",
            "2024-01-10",
            type="other",
            also_types=["alliance/consortium"],
            assets=["qrv-101", "Zentab"],
            terms={"upfront": {"amount": 5}, "total_value": {"amount": 50}},
            value_usd=50.0,
            countries=["Japan", "Korea"],
        ),
        mention("history", None, role="background", article_published="2024-06-01"),
    ]
    (deal,) = consolidate(pd.DataFrame(rows)).to_dict("records")
    assert deal["deal_keys"] == ["first", "later", "history"]  # earliest source first
    assert deal["deal_key"] == "first" and deal["evidence"] == "sentence first"
    assert deal["deal_date"] == "2024-01-10" and deal["before_date"] is None
    # "other" gives way to a specific type; the others' types are kept as also_types.
    assert deal["type"] == "licensing"
    assert deal["also_types"] == ["alliance/consortium"]
    assert deal["assets"] == ["qrv-101", "Zentab"]
    assert deal["terms"] == {"upfront": {"amount": 5}, "total_value": {"amount": 50}}
    assert deal["value_usd"] == 50.0
    assert deal["deal_status"] == "completed"
    assert (deal["confidence"], deal["status"], deal["role"]) == (0.9, "confirmed", "main")
    assert deal["countries"] == ["Japan", "Korea"]
    assert deal["therapeutic_areas"] == ["oncology"]
    assert deal["n_sources"] == 3
    assert [s["article_file"] for s in deal["sources"]] == ["first.txt", "later.txt", "history.txt"]


def test_a_type_the_user_set_wins_over_a_new_report():
    rows = [
        mention("new", "2024-01-01", type="equity investment/stake", also_types=["licensing"]),
        mention("retyped", "2024-01-05", status="corrected"),
    ]
    (deal,) = consolidate(pd.DataFrame(rows)).to_dict("records")
    assert (deal["deal_key"], deal["type"], deal["status"]) == ("new", "licensing", "corrected")


def test_the_most_precise_date_inside_the_earliest_span():
    rows = [mention("year", "2024", role="background"), mention("day", "2024-03-05")]
    (deal,) = consolidate(pd.DataFrame(rows)).to_dict("records")
    assert deal["deal_date"] == "2024-03-05"


def test_a_background_date_not_read_from_its_text_is_no_date():
    """Older extractions gave a background deal its article's date."""
    rows = [
        mention(
            "history", "2025-04", role="background", date_source="url", article_published="2025-04"
        )
    ]
    (deal,) = consolidate(pd.DataFrame(rows)).to_dict("records")
    assert (deal["deal_date"], deal["before_date"], deal["date_source"]) == (
        None,
        "2025-04",
        "before-article",
    )


def test_links_are_applied_in_the_order_made():
    rows = [mention("a", "2024-01-01"), mention("b", "2024-01-05"), mention("c", "2019-01-01")]
    assert groups(rows, links=[("split", ["b"])]) == [["a"], ["b"], ["c"]]
    assert groups(rows, links=[("merge", ["a", "c"])]) == [["a", "b", "c"]]
    # A split after a merge wins, and a merge after a split brings it back.
    assert groups(rows, links=[("merge", ["a", "c"]), ("split", ["c"])]) == [["a", "b"], ["c"]]
    assert groups(rows, links=[("split", ["b"]), ("merge", ["a", "b"])]) == [["a", "b"], ["c"]]
    # Keys no longer there, and merges across parties, change nothing.
    other = mention("x", "2024-01-01", parties=["Alpha Bio", "Gamma"])
    assert groups([*rows, other], links=[("merge", ["a", "x", "gone"])]) == [
        ["a", "b"],
        ["c"],
        ["x"],
    ]


def test_every_input_column_is_kept_and_an_empty_frame_works():
    rows = [mention("a", "2024-01-01"), mention("b", "2024-01-02")]
    frame = consolidate(pd.DataFrame(rows))
    assert list(frame.columns) == [*rows[0], *ADDED_COLUMNS]
    empty = consolidate(pd.DataFrame(columns=list(rows[0])))
    assert empty.empty and list(empty.columns) == [*rows[0], *ADDED_COLUMNS]


def test_the_windows_are_what_the_docs_say():
    assert (WAVE_DAYS, FOLLOW_UP_DAYS) == (120, 730)
    rows = [mention("a", "2024-01-01"), mention("b", "2024-04-30"), mention("c", "2024-05-02")]
    assert groups(rows) == [["a", "b"], ["c"]]  # 120 days in, 122 days out


# --- the deal form: split a source off, merge two deals -------------------------------


@pytest.fixture
def page_store(tmp_path, monkeypatch, extractor):
    """A store of the three reports and the older licence, which the app reads."""
    import streamlit as st

    from components import data

    url = f"sqlite:///{tmp_path / 'pages.db'}"
    engine = store.open_store(url)
    ingest_articles(engine, articles(OLDER_LICENCE, *THREE_OUTLETS), extractor=extractor)
    monkeypatch.setenv("ATLAS_DB_URL", url)
    st.cache_data.clear()
    data.clear_caches()
    yield engine
    engine.dispose()


def choose_deal(at, *, sources: int | None = None, date: str):
    labels = [
        label
        for label in at.selectbox(key="corrections_deal").options
        if label.startswith(f"{QORVANE} + {HELMBRIDGE}") and date in label
    ]
    if sources is not None:
        labels = [label for label in labels if f"{sources} sources" in label]
    (label,) = labels
    at.selectbox(key="corrections_deal").select(label).run()
    assert not at.exception


@pytest.mark.model
def test_the_deal_form_splits_a_source_off_and_merges_two_deals(page_store):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("views/corrections.py").run()
    choose_deal(at, sources=3, date="4 Mar 2024")
    split_from = at.selectbox(key="corrections_deal_split_source")
    (trade,) = [o for o in split_from.options if o.startswith("Helmbridge Pharma licenses")]
    split_from.select(trade).run()
    at.button(key="corrections_deal_split").click().run()
    assert not at.exception

    def grouping() -> list[list[str]]:
        deals = between(dashboard(page_store), QORVANE, HELMBRIDGE)
        return sorted(sorted(source_files(row)) for _, row in deals.iterrows())

    assert grouping() == [["older.txt"], ["trade.txt"], ["weekly.txt", "wire.txt"]]

    choose_deal(at, sources=2, date="4 Mar 2024")
    merge_with = at.selectbox(key="corrections_deal_merge_with")
    # Only deals between the same organisations are offered, never the deal itself.
    assert len(merge_with.options) == 2
    (older,) = [o for o in merge_with.options if "10 Jun 2021" in o]
    merge_with.select(older).run()
    at.button(key="corrections_deal_merge").click().run()
    assert not at.exception
    assert grouping() == [["older.txt", "weekly.txt", "wire.txt"], ["trade.txt"]]
    listed = table_with_column(at, "change")["change"].tolist()
    assert listed[-2].startswith("this source made a deal of its own: \u201cHelmbridge Pharma")
    assert listed[-1] == "merged into one deal: 3 sources"


def table_with_column(at, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)
