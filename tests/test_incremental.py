"""Prepared tables brought up to date by what changed (atlas.incremental) equal a
full rebuild, frame for frame, after every kind of correction, an undo and an
ingest; and a state kept on disk at an older version catches up the same way."""

from __future__ import annotations

import random

import pytest
from pandas.testing import assert_frame_equal

from atlas import incremental, snapshot, store
from atlas.corrections import add_correction, undo_correction
from atlas.models import Article, ArticleItem, Deal, ExtractionResult, Mention, ResolvedOrganisation
from atlas.query import options

# Fictional organisations (none is in the lexicon); a few pairs deal again and again,
# so consolidation groups mentions across articles.
ORGS = {
    "Alder Bio": "Japan",
    "Birchwell Pharma": None,
    "Cedar Therapeutics": "Germany",
    "Dunmore Labs": "France",
    "Elmstead Health": None,
    "Fernhill Genomics": "Japan",
}
PAIRS = [
    ("Alder Bio", "Birchwell Pharma"),
    ("Alder Bio", "Cedar Therapeutics"),
    ("Birchwell Pharma", "Dunmore Labs"),
    ("Cedar Therapeutics", "Elmstead Health"),
    ("Dunmore Labs", "Fernhill Genomics"),
    ("Alder Bio", "Birchwell Pharma", "Elmstead Health"),
]
TYPES = ["licensing", "partnership/collaboration", "acquisition/merger", "other"]


def _article(number: int, rng: random.Random, names: dict[str, str | None]) -> ExtractionResult:
    month = 1 + number % 12
    published = f"{2022 + number % 3}-{month:02d}-{1 + number % 27:02d}"
    sentences, deals, mentions = [], [], []
    text = ""
    for index in range(rng.choice([1, 1, 2])):
        parties = rng.choice(PAIRS)
        sentence = f"{' and '.join(parties)} agreed deal number {number}-{index}. "
        for party in parties:
            start = len(text) + sentence.index(party)
            mentions.append(Mention(party, party, start, start + len(party)))
        text += sentence
        sentences.append(sentence)
        deals.append(
            Deal(
                parties,
                rng.choice(TYPES),
                sentence.strip(),
                countries=tuple(sorted({c for p in parties if (c := names.get(p))})),
                deal_date=rng.choice([published, published[:7], None]),
                date_precision="day",
                date_source="text",
                confidence=round(rng.uniform(0.4, 0.95), 2),
                role=rng.choice(["main", "main", "background"]),
            )
        )
    article = Article(
        id=f"art{number:03d}",
        file=f"art{number:03d}.txt",
        text=text,
        title=f"Article {number}",
        published=published,
        date_precision="day",
        date_source="url",
        items=(ArticleItem(0, text),),
    )
    orgs = {
        p: ResolvedOrganisation(p, names.get(p), "company", False) for d in deals for p in d.parties
    }
    return ExtractionResult(article, orgs, mentions, deals)


def _ingest(engine, numbers, seed: int, names=None) -> None:
    rng = random.Random(seed)
    for number in numbers:
        store.save_extraction(engine, _article(number, rng, names or ORGS), fingerprint="f1")


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    engine = store.open_store(f"sqlite:///{tmp_path / 'atlas.db'}")
    _ingest(engine, range(60), seed=7)
    yield engine
    engine.dispose()


def _assert_same(state: incremental.DashboardState, engine) -> None:
    full = incremental.build_state(engine, store.data_version(engine))
    assert state.version == full.version
    assert_frame_equal(state.deals, full.deals)
    assert_frame_equal(state.organisations, full.organisations)
    assert_frame_equal(state.raw_organisations, full.raw_organisations)
    assert state.rows == full.rows
    assert state.tallies == full.tallies
    assert state.countries == full.countries
    assert list(state.party_keys) == list(full.party_keys)
    choices = incremental.filter_choices(state)
    dated = sorted(d for d in full.deals["deal_date"].dropna())
    assert choices == {
        **options(full.deals),
        "date_span": (dated[0], dated[-1]) if dated else None,
    }


def _updated(engine, state):
    updated = incremental.update_state(engine, state, store.data_version(engine))
    assert updated is not None, "the update gave up"
    _assert_same(updated, engine)
    return updated


def _deal(state, *, sources: int = 1, parties: int = 2):
    deals = state.deals
    rows = deals[(deals["n_sources"] >= sources) & (deals["parties"].map(len) == parties)]
    assert len(rows), "the corpus has no such deal"
    return rows.iloc[0]


def _members(deal) -> dict:
    keys = [k for k in deal["deal_keys"] if k != deal["deal_key"]]
    return {"members": keys} if keys else {}


def test_the_corpus_consolidates(engine):
    state = incremental.build_state(engine, store.data_version(engine))
    assert state.deals["n_sources"].max() > 2  # the cases below meet real grouping
    assert len(state.deals) < state.rows["deals"]


# Each correction as a user makes it, on the state of the one before (undo included).
def _type_change(engine, state):
    deal = _deal(state, sources=2)
    new_type = next(t for t in TYPES if t != deal["type"])
    return add_correction(
        engine, "set_deal_type", deal["deal_key"], {"type": new_type, **_members(deal)}
    )


def _merge_orgs(engine, state):
    return add_correction(engine, "merge_org", "Dunmore Labs", {"into": "Birchwell Pharma"})


def _rename(engine, state):
    return add_correction(engine, "rename_org", "Alder Bio", {"name": "Alder Biosciences"})


def _rename_into_existing_parties(engine, state):
    # After this rename, Elmstead's deals and Cedar's are one party set: groups join.
    return add_correction(engine, "merge_org", "Elmstead Health", {"into": "Alder Bio"})


def _set_country(engine, state):
    return add_correction(engine, "set_org", "Birchwell Pharma", {"country": "Canada"})


def _reject(engine, state):
    deal = _deal(state, sources=2)
    return add_correction(engine, "reject_deal", deal["deal_key"], _members(deal))


def _reject_one_source(engine, state):
    deal = _deal(state, sources=3)
    return add_correction(engine, "reject_deal", deal["deal_keys"][1])


def _set_parties(engine, state):
    deal = _deal(state, sources=2)
    return add_correction(
        engine,
        "set_deal_parties",
        deal["deal_key"],
        {"parties": ["Cedar Therapeutics", "Fernhill Genomics"], **_members(deal)},
    )


def _split(engine, state):
    deal = _deal(state, sources=3)
    return add_correction(engine, "split_deal", deal["deal_keys"][-1])


def _merge_deals(engine, state):
    deals = state.deals
    by_parties = deals.groupby(deals["parties"].map(lambda p: tuple(sorted(p))))
    group = next(g for _, g in by_parties if len(g) > 1)
    first, second = group.iloc[0], group.iloc[1]
    return add_correction(
        engine,
        "merge_deals",
        first["deal_key"],
        {"members": [*first["deal_keys"][1:], *second["deal_keys"]]},
    )


def _confirm(engine, state):
    deal = _deal(state)
    return add_correction(engine, "confirm_deal", deal["deal_key"], _members(deal))


def _add_by_hand(engine, state):
    return add_correction(
        engine,
        "add_deal",
        payload={
            "parties": ["Alder Bio", "Fernhill Genomics"],
            "type": "licensing",
            "evidence": "Added by a curator.",
            "deal_date": "2024-02",
        },
    )


CORRECTIONS = [
    _type_change,
    _merge_orgs,
    _rename,
    _rename_into_existing_parties,
    _set_country,
    _reject,
    _reject_one_source,
    _set_parties,
    _split,
    _merge_deals,
    _confirm,
    _add_by_hand,
]


@pytest.mark.parametrize("make", CORRECTIONS, ids=lambda f: f.__name__.strip("_"))
def test_a_correction_and_its_undo_equal_a_full_rebuild(engine, make):
    state = incremental.build_state(engine, store.data_version(engine))
    correction = make(engine, state)
    changed = _updated(engine, state)
    assert not changed.deals.equals(state.deals) or not changed.organisations.equals(
        state.organisations
    )
    undo_correction(engine, correction)
    back = _updated(engine, changed)
    assert_frame_equal(back.deals, state.deals)


def test_corrections_in_a_row_then_an_ingest_equal_a_full_rebuild(engine):
    state = incremental.build_state(engine, store.data_version(engine))
    for make in CORRECTIONS:
        make(engine, state)
        state = _updated(engine, state)
    # New articles: new mentions of known party sets (they join their agreements),
    # one new organisation, and one known organisation given a country it lacked.
    names = {**ORGS, "Elmstead Health": "Spain"}
    _ingest(engine, range(60, 75), seed=11, names=names)
    state = _updated(engine, state)
    assert state.rows["deals"] > 0


def test_an_ingest_alone_equals_a_full_rebuild(engine):
    state = incremental.build_state(engine, store.data_version(engine))
    _ingest(engine, range(60, 110), seed=3)
    updated = _updated(engine, state)
    assert len(updated.deals) >= len(state.deals)


def test_deleted_rows_make_it_give_up(engine):
    state = incremental.build_state(engine, store.data_version(engine))
    # The same article stored again with other deals: its old rows are deleted.
    rng = random.Random(99)
    result = _article(5, rng, ORGS)
    store.save_extraction(engine, result, fingerprint="f2")
    assert incremental.update_state(engine, state, store.data_version(engine)) is None


def test_an_older_file_catches_up_and_stays_correct(engine):
    first = snapshot.dashboard_state(engine)  # built and written
    _type_change(engine, first)
    _ingest(engine, range(60, 65), seed=5)
    # A new process: no state in memory, the file is two versions old.
    later = snapshot.dashboard_state(engine)
    _assert_same(later, engine)
    # A re-extraction (rows deleted) cannot be followed: rebuilt, and still right.
    store.save_extraction(engine, _article(7, random.Random(1), ORGS), fingerprint="f2")
    again = snapshot.dashboard_state(engine, previous=later)
    _assert_same(again, engine)


def test_a_damaged_state_file_is_rebuilt_with_a_warning(engine, caplog):
    import logging

    snapshot.dashboard_state(engine)
    folder = snapshot.cache_dir(engine.url.render_as_string(hide_password=False))
    (path,) = folder.glob(f"{snapshot.STATE}-*.pickle")
    path.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="atlas.snapshot"):
        state = snapshot.dashboard_state(engine)
    assert "unreadable, rebuilding" in caplog.text
    _assert_same(state, engine)
    (again,) = folder.glob(f"{snapshot.STATE}-*.pickle")
    assert again.read_bytes() != b"not a pickle"


def test_a_background_job_keeps_the_file_at_its_version(engine):
    snapshot.dashboard_state(engine)
    _ingest(engine, range(60, 63), seed=2)
    snapshot.dashboard_state(engine, keep=True)
    folder = snapshot.cache_dir(engine.url.render_as_string(hide_password=False))
    store_id, generation = store.data_version(engine)
    assert [p.name for p in folder.glob(f"{snapshot.STATE}-*.pickle")] == [
        f"{snapshot.STATE}-{store_id}-{generation}-{snapshot.code_digest()}.pickle"
    ]


def test_a_fault_in_the_update_costs_a_rebuild_not_a_page(engine, monkeypatch, caplog):
    state = snapshot.dashboard_state(engine)
    _type_change(engine, state)

    def broken(*_args):
        raise RuntimeError("a fault")

    monkeypatch.setattr(incremental, "update_state", broken)
    rebuilt = snapshot.dashboard_state(engine, previous=state)
    assert "could not be brought up to date" in caplog.text
    _assert_same(rebuilt, engine)


def _same_graph(made, expected) -> None:
    """Equal nodes and links with their data, in the same order (the layout follows it)."""
    assert list(made.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(made.edges(data=True)) == list(expected.edges(data=True))
    assert [list(made.adj[n]) for n in made] == [list(expected.adj[n]) for n in expected]


def _assert_parts_follow(before, after, *, whole_made: bool) -> None:
    """The graph parts carried from ``before``'s frame to ``after``'s by its splice give
    the graphs that parts read from ``after``'s deals give: the whole graph and graphs
    of some rows (a filter setting), nodes, links, weights, attributes and order."""
    import numpy as np

    from atlas.graph import DealGraphParts

    parts = DealGraphParts(before.deals, organisations=before.organisations)
    if whole_made:
        parts.graph()  # its link lists are then carried over, not read again
    assert after.splice is not None and after.splice.previous == before.token
    carried = parts.updated(
        after.deals,
        organisations=after.organisations,
        taken=after.splice.taken,
        before=after.splice.before,
    )
    read = DealGraphParts(after.deals, organisations=after.organisations)
    _same_graph(carried.graph(), read.graph())
    rng = np.random.default_rng(3)
    for share in (0.1, 0.5, 0.95):
        rows = np.flatnonzero(rng.random(len(after.deals)) < share)
        _same_graph(carried.graph(rows), read.graph(rows))


@pytest.mark.parametrize("whole_made", [True, False], ids=["whole graph made", "parts only"])
@pytest.mark.parametrize("make", CORRECTIONS, ids=lambda f: f.__name__.strip("_"))
def test_graph_parts_follow_a_correction_and_its_undo(engine, make, whole_made):
    state = incremental.build_state(engine, store.data_version(engine))
    correction = make(engine, state)
    changed = _updated(engine, state)
    _assert_parts_follow(state, changed, whole_made=whole_made)
    undo_correction(engine, correction)
    back = _updated(engine, changed)
    _assert_parts_follow(changed, back, whole_made=whole_made)


@pytest.mark.parametrize("whole_made", [True, False], ids=["whole graph made", "parts only"])
def test_graph_parts_follow_an_ingest(engine, whole_made):
    state = incremental.build_state(engine, store.data_version(engine))
    names = {**ORGS, "Elmstead Health": "Spain"}  # a country filled in by the ingest
    _ingest(engine, range(60, 90), seed=5, names=names)
    updated = _updated(engine, state)
    assert len(updated.deals) > len(state.deals)
    _assert_parts_follow(state, updated, whole_made=whole_made)


def test_a_kept_state_keeps_its_token_and_a_splice_names_the_one_before(engine):
    state = incremental.build_state(engine, store.data_version(engine))
    assert state.splice is None
    same = incremental.update_state(engine, state, store.data_version(engine))
    assert same.token == state.token  # nothing changed: the same frame
    _type_change(engine, state)
    changed = _updated(engine, state)
    assert changed.token != state.token and changed.splice.previous == state.token


@pytest.mark.parametrize("whole_made", [True, False], ids=["whole graph made", "parts only"])
def test_graph_parts_follow_a_party_set_rejected_whole(engine, whole_made):
    """Every deal of the three parties rejected: their links to each other keep the
    deals of the pairs alone, with no new row naming them (the carried link lists
    must still drop the rejected deals)."""
    state = incremental.build_state(engine, store.data_version(engine))
    three = state.deals[state.deals["parties"].map(len) == 3]
    assert len(three) and len(state.deals[state.deals["parties"].map(len) == 2])
    for _, deal in three.iterrows():
        add_correction(engine, "reject_deal", deal["deal_key"], _members(deal))
    updated = _updated(engine, state)
    assert not (updated.deals["parties"].map(len) == 3).any()
    _assert_parts_follow(state, updated, whole_made=whole_made)
