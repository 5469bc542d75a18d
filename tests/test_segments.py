"""Segments: an update appends a delta, deletes are tombstones until a merge, and no
score depends on how the index is cut into segments."""

import shutil

import bm25s
import numpy as np
import pytest
from conftest import ARTICLES, SEED

import app.sources.reading as reading
from app import build_index, retrieve
from app.index.build import build_index as build_local
from app.index.keyword import KeywordPostings, KeywordScorer, concatenate
from app.index.store import StoredIndex
from app.index.stories import grown_story_rows, story_rows
from app.text.terms import keyword_terms

QUESTIONS = (
    "what did Khamenei say about US troops",
    "how much did the ECB raise interest rates",
    "how many people were evacuated before the cyclone",
    "port strike wages dockers",
    "Lagarde inflation",
)


def bm25s_scores(docs: list[list[str]], question: str) -> np.ndarray:
    reference = bm25s.BM25()
    reference.index(docs, show_progress=False)
    terms = [t for t in keyword_terms([question])[0] if t in reference.vocab_dict]
    return np.asarray(reference.get_scores(terms)) if terms else np.zeros(len(docs))


def test_bm25_over_segments_and_tombstones_equals_bm25s_over_the_live_rows():
    rng = np.random.default_rng(0)
    words = ["troop", "iraq", "leader", "president", "flood", "rain", "oil", "price", "vote", "ঢাকা", "বন্যা"]
    docs = keyword_terms([" ".join(rng.choice(words, rng.integers(3, 30))) for _ in range(300)])
    question = "troops in Iraq and the oil price oil ঢাকা"
    parts = [KeywordPostings.from_terms(docs[a:b]) for a, b in ((0, 100), (100, 250), (250, 300))]
    dead = np.zeros(150, bool)
    dead[[3, 50, 77]] = True
    live = docs[:100] + [d for i, d in enumerate(docs[100:250]) if not dead[i]] + docs[250:]
    expected = bm25s_scores(live, question)

    found = KeywordScorer(parts, [0, 100, 250], [None, dead, None]).scores(question)
    rows = [r for r in range(300) if not (100 <= r < 250 and dead[r - 100])]
    np.testing.assert_allclose(found.dense(300)[rows], expected, rtol=1e-5)
    assert found.mean == pytest.approx(expected.mean(), rel=1e-5)
    assert found.std == pytest.approx(expected.std(), rel=1e-5)

    merged = concatenate(parts, [None, ~dead, None])  # what a merge writes: tombstones dropped
    again = KeywordScorer([merged], [0], [None]).scores(question)
    np.testing.assert_allclose(again.dense(len(live)), expected, rtol=1e-5)


def corpus(folder):
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    for name in ("storm.md", "port-strike.txt"):
        shutil.copy(ARTICLES / name, folder / name)
    return folder


def results(index_dir, mode="hybrid"):
    return [
        [(h.citation.passage_id, round(h.score, 5)) for h in retrieve(q, k=5, index_dir=index_dir, mode=mode)]
        for q in QUESTIONS
    ]


@pytest.mark.integration
def test_a_segmented_index_ranks_exactly_as_the_same_passages_merged(tmp_path):
    news, out = corpus(tmp_path / "news"), tmp_path / "index"
    build_index(news, out)
    shutil.copy(ARTICLES / "ecb-rates.txt", news / "ecb.txt")
    shutil.copy(ARTICLES / "archive.jsonl", news / "archive.jsonl")
    added = build_index(news, out, compact=False)
    (news / "storm.md").unlink()  # a delete: tombstones in the base segment
    removed = build_index(news, out, compact=False)
    segmented = StoredIndex(out)
    assert added.added > 0 and removed.removed > 0
    assert len(segmented.segments) == 2 and segmented.dead.any()
    assert segmented.count == removed.passages < len(segmented.passages)  # the rows are still there

    merged_dir = tmp_path / "merged"
    shutil.copytree(out, merged_dir)
    report = build_index(news, merged_dir, compact=True)
    merged = StoredIndex(merged_dir)
    assert report.added == 0 and report.unchanged == removed.passages  # nothing embedded again
    assert len(merged.segments) == 1 and not merged.dead.any() and len(merged.passages) == merged.count

    for mode in ("hybrid", "keyword", "dense"):
        assert results(out, mode) == results(merged_dir, mode), mode
    assert all("cyclone" not in h.text for h in retrieve("cyclone evacuated", k=10, index_dir=out))


@pytest.mark.integration
def test_an_updated_index_has_the_densities_and_ranking_of_a_build_from_scratch(tmp_path):
    """Adds, a replaced article and a delete, never merged: every live passage keeps the
    hubness density a build from scratch of the same files computes (an update
    recomputes the rows whose neighbours changed), so the hybrid ranks the same."""
    news, out = corpus(tmp_path / "news"), tmp_path / "index"
    shutil.copy(ARTICLES / "archive.jsonl", news / "archive.jsonl")
    build_index(news, out)
    # each change is small next to the index, as most updates are
    shutil.copy(ARTICLES / "ecb-rates.txt", news / "ecb.txt")  # an add
    build_index(news, out, compact=False)
    storm = news / "storm.md"  # a replacement: its old passages become tombstones
    storm.write_text(storm.read_text(encoding="utf-8").replace("750,000", "800,000"), encoding="utf-8")
    build_index(news, out, compact=False)
    (news / "port-strike.txt").unlink()  # a delete
    build_index(news, out, compact=False)
    segmented = StoredIndex(out)
    assert len(segmented.segments) == 3 and segmented.dead.sum() > 0

    # the build from scratch takes the same vectors (int8 embeddings of a passage vary
    # a little with the batch it is embedded in): only the layout and history differ
    # (each model's: the English companion's too)
    live = np.flatnonzero(~segmented.dead)
    stored = {(segmented.manifest["model"], segmented.text(int(r))): segmented.vector(int(r)) for r in live}
    companion = segmented.manifest["companion"]["model"]
    stored |= {(companion, segmented.text(int(r))): segmented.companion_rows([int(r)])[0] for r in live}
    build_local(
        news, tmp_path / "scratch", embed=lambda name, texts: np.stack([stored[name, t] for t in texts])
    )
    scratch = StoredIndex(tmp_path / "scratch")

    def densities(index):
        return {index.passages[int(r)].passage_id: index.raw_density[r] for r in np.flatnonzero(~index.dead)}

    found, expected = densities(segmented), densities(scratch)
    assert found.keys() == expected.keys()
    np.testing.assert_allclose([found[p] for p in expected], list(expected.values()), atol=1e-6)
    for got, want in zip(results(out), results(tmp_path / "scratch"), strict=True):
        assert [p for p, _ in got] == [p for p, _ in want]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=1e-4)


@pytest.mark.integration
def test_an_update_reads_only_the_files_that_changed(tmp_path, monkeypatch):
    news, out = corpus(tmp_path / "news"), tmp_path / "index"
    build_index(news, out)
    opened = []
    real = reading._items
    monkeypatch.setattr(reading, "_items", lambda path, *rest: opened.append(path.name) or real(path, *rest))
    shutil.copy(ARTICLES / "ecb-rates.txt", news / "ecb.txt")
    report = build_index(news, out)
    assert opened == ["ecb.txt"]
    assert report.articles == 4 and report.unchanged > 0
    assert "Lagarde" in retrieve("what did Lagarde say", k=1, index_dir=out)[0].text

    opened.clear()
    (news / "storm.md").touch()  # a new modification time, the same bytes: still not read
    build_index(news, out)
    assert opened == []


def test_a_file_with_copies_of_its_own_records_is_not_read_again(tmp_path, monkeypatch):
    news, out = tmp_path / "news", tmp_path / "index"
    news.mkdir()

    def record(key: str) -> str:
        text = f"Dockers in port {key.upper()} accepted a 6 percent raise on Monday."
        return f'{{"title": "Strike ends in {key}", "text": "{text}", "url": "https://x.invalid/{key}"}}\n'

    (news / "wire.jsonl").write_text(record("a") + record("a") + record("b"), encoding="utf-8")
    (news / "other.jsonl").write_text(record("c"), encoding="utf-8")
    first = build_index(news, out)
    assert any(p.kind == "duplicate" and p.path.endswith("wire.jsonl") for p in first.problems)
    opened = []
    real = reading._items
    monkeypatch.setattr(reading, "_items", lambda path, *rest: opened.append(path.name) or real(path, *rest))
    (news / "other.jsonl").write_text(record("d"), encoding="utf-8")
    second = build_index(news, out)
    assert opened == ["other.jsonl"]
    fresh = build_index(news, tmp_path / "fresh")
    assert (second.articles, sorted(StoredIndex(out).articles)) == (
        fresh.articles,
        sorted(StoredIndex(tmp_path / "fresh").articles),
    )

    # other.jsonl (read first) now holds wire.jsonl's record "a": wire's copies are dropped,
    # so when other.jsonl changes again, wire.jsonl must be read to bring "a" back
    (news / "other.jsonl").write_text(record("a"), encoding="utf-8")
    build_index(news, out)
    (news / "other.jsonl").write_text(record("e"), encoding="utf-8")
    opened.clear()
    build_index(news, out)
    assert sorted(opened) == ["other.jsonl", "wire.jsonl"]
    assert {a.url for a in StoredIndex(out).articles.values()} == {f"https://x.invalid/{k}" for k in "abe"}


@pytest.mark.integration
def test_too_many_deltas_are_merged_into_one_segment(tmp_path, monkeypatch):
    import app.index.update as update

    news, out = corpus(tmp_path / "news"), tmp_path / "index"
    build_index(news, out)
    monkeypatch.setattr(update, "MERGE_SHARE", 10.0)  # only the segment count triggers here
    monkeypatch.setattr(update, "MAX_SEGMENTS", 3)
    counts = []
    for i, place in enumerate(("Aberdeen", "Bristol", "Cardiff", "Dundee")):
        (news / f"note-{i}.txt").write_text(f"Note {i}\n\nThe {place} council met and approved its budget.\n")
        build_index(news, out)
        counts.append(len(StoredIndex(out).segments))
    assert counts == [2, 3, 1, 2]
    index = StoredIndex(out)
    assert "Dundee" in retrieve("Dundee council budget", k=1, index_dir=out, mode="keyword")[0].text
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("seg-")) == sorted(
        s.folder.name for s in index.segments
    )  # merged segments are removed


def test_bm25_sums_by_counting_and_by_sorting_agree():
    from app.index.keyword import _sum_by_row

    rng = np.random.default_rng(0)
    rows, scores = rng.integers(0, 1000, 5000), rng.random(5000)
    counted = _sum_by_row(rows, scores, 1000)  # many matches: counted into the rows
    sorted_ = _sum_by_row(rows, scores, 10**9)  # few matches for so many rows: sorted
    np.testing.assert_array_equal(counted[0], sorted_[0])
    np.testing.assert_allclose(counted[1], sorted_[1])
    assert counted[0].tolist() == sorted(set(rows.tolist()))


def test_stories_grown_by_an_update_are_those_of_grouping_everything_again():
    """An update groups again only the stories that lost an article and joins the added
    ones to the stored stories (``stories.grown_story_rows``): the rows must be those of
    grouping all live articles again, when a story loses the article bridging its two
    halves, an added article bridges two stories, copies a tombstoned one, starts a story
    with another added one or becomes a story's first article."""
    rng = np.random.default_rng(3)
    a, b, c, d, e, f, g = rng.integers(0, 2**32, size=(7, 64), dtype=np.uint64)
    bridge = np.concatenate([a[:32], b[32:]])  # half of each: similarity 0.5 to both
    split = np.concatenate([f[:32], g[32:]])
    sigs = np.stack([a, a, b, b, c, d, f, split, g, bridge, c, e, e, d])
    ids = ["m", "k", "c", "q", "a", "z", "f", "d", "g", "b", "y", "x", "w", "n"]
    was_live = np.ones(9, bool)
    live = np.ones(len(ids), bool)
    live[[4, 7]] = False  # c's only stored copy and the article joining f and g are tombstoned
    old = story_rows(ids[:9], sigs[:9], was_live)
    assert old[6] == old[8] == 7  # f, split, g: one story, first "d"
    grown = grown_story_rows(old, sigs, was_live, live, ids.__getitem__)
    assert grown.tolist() == story_rows(ids, sigs, live).tolist()
    assert grown[[0, 1, 2, 3, 9]].tolist() == [9] * 5 and grown[[5, 13]].tolist() == [13, 13]
    assert grown[[6, 7, 8]].tolist() == [6, 7, 8]  # split in two; the tombstoned row: itself

    for seed in range(30):  # near-copies around the threshold, random tombstones and cuts
        rng = np.random.default_rng(seed)
        bases = rng.integers(0, 2**32, size=(6, 64), dtype=np.uint64)
        sigs = bases[rng.integers(0, 6, 40)].copy()
        mutated = rng.random(sigs.shape) < rng.uniform(0.2, 0.6, (40, 1))
        sigs[mutated] = rng.integers(0, 2**32, int(mutated.sum()), dtype=np.uint64)
        ids = [f"{i:03d}" for i in rng.permutation(40)]
        cut = int(rng.integers(1, 40))
        was_live = rng.random(cut) > 0.2
        live = np.ones(40, bool)  # added articles are live
        live[:cut] = was_live & (rng.random(cut) > 0.15)  # and some stored ones leave
        old = story_rows(ids[:cut], sigs[:cut], was_live)
        grown = grown_story_rows(old, sigs, was_live, live, ids.__getitem__)
        assert grown.tolist() == story_rows(ids, sigs, live).tolist(), seed


@pytest.mark.integration
def test_a_merge_reuses_the_cells_of_a_memory_mapped_ivf_segment(tmp_path, monkeypatch):
    """Segments open their FAISS index memory-mapped; a merge reusing the IVF cells of
    the largest one must read it whole (FAISS cannot clone memory-mapped lists)."""
    import app.index.build as build
    import app.index.vectors as vectors

    monkeypatch.setattr(vectors, "FLAT_MAX_PASSAGES", 5)
    monkeypatch.setattr(build, "FLAT_MAX_PASSAGES", 5)
    news, out = corpus(tmp_path / "news"), tmp_path / "index"
    build_index(news, out)
    assert StoredIndex(out).segments[0].kind == "ivf-sq8"
    shutil.copy(ARTICLES / "ecb-rates.txt", news / "ecb.txt")
    report = build_index(news, out, compact=True)
    index = StoredIndex(out)
    assert len(index.segments) == 1 and index.count == report.passages
    assert "Lagarde" in retrieve("what did Lagarde say about inflation", k=1, index_dir=out)[0].text
