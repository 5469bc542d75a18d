"""Fusion maths, query clean-up and the BM25 persistence round-trip, on hand-made data."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import QUESTION

from app.index import density
from app.index.keyword import KeywordPostings, KeywordScorer
from app.search import fusion
from app.search.query import drop_quiz_phrasing


def test_dense_moments_match_brute_force():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    query = vectors[0]
    mean = vectors.mean(axis=0)
    cov = (vectors - mean).T @ (vectors - mean) / len(vectors)
    scores = vectors @ query
    mu, sd = fusion.dense_moments(query, mean, cov)
    assert mu == pytest.approx(scores.mean())
    assert sd == pytest.approx(scores.std())


def test_standardise_and_zero_spread():
    assert fusion.standardise(np.array([1.0, 3.0]), 2.0, 1.0).tolist() == [-1.0, 1.0]
    assert fusion.standardise(np.array([1.0, 3.0]), 2.0, 0.0).tolist() == [0.0, 0.0]


def test_weighted_known_order():
    # passage:        a     b     c
    z_dense = np.array([2.0, 1.0, 0.0])  # dense prefers a
    z_keyword = np.array([0.0, 3.0, 4.0])  # keyword prefers c, then b
    # w=0.8: a 1.6, b 1.4, c 0.8 -> a, b, c ; w=0.3: a 0.6, b 2.4, c 2.8 -> c, b, a
    assert fusion.top_k(fusion.weighted(z_dense, z_keyword, 0.8), 3).tolist() == [0, 1, 2]
    assert fusion.top_k(fusion.weighted(z_dense, z_keyword, 0.3), 3).tolist() == [2, 1, 0]
    assert fusion.weighted(z_dense, z_keyword, 1.0).tolist() == z_dense.tolist()


def test_top_k_ties_and_bounds():
    scores = np.array([1.0, 5.0, 5.0, 0.0])
    assert fusion.top_k(scores, 2).tolist() == [1, 2]  # tie: lower index first
    assert fusion.top_k(scores, 10).tolist() == [1, 2, 0, 3]
    assert fusion.top_k(scores, 0).tolist() == []


def test_rocchio_moves_toward_feedback_and_stays_unit():
    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    feedback = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    moved = fusion.rocchio(query, feedback, 1.0)
    assert np.linalg.norm(moved) == pytest.approx(1.0)
    assert moved[1] == pytest.approx(moved[0])  # equal parts query and feedback centroid
    assert moved.dtype == np.float32
    assert fusion.rocchio(query, feedback, 0.0) is query
    assert fusion.rocchio(query, feedback[:0], 0.5) is query


@pytest.mark.parametrize(
    ("question", "cleaned"),
    [
        ("Which country this week announced a new capital?", "Which country announced a new capital?"),
        ("Which of the following firms said it would cut jobs?", "Which firms said it would cut jobs?"),
        ("What is the name of the storm that hit Florida last weekend?", "the storm that hit Florida?"),
        ("According to a new report, how many bees died?", "how many bees died?"),
        ("Who won the 2022 World Cup?", "Who won the 2022 World Cup?"),  # nothing to drop
        ("this week", "this week"),  # never empties a question
    ],
)
def test_drop_quiz_phrasing(question, cleaned):
    assert drop_quiz_phrasing(question) == cleaned


def test_keyword_postings_round_trip(tmp_path):
    texts = ["Iran's leader met Iraq's president", "The storm hit Florida", "Bees are dying in Europe"]
    built = KeywordPostings.build(texts)
    built.save(tmp_path / "kw")
    loaded = KeywordPostings.load(tmp_path / "kw")
    for question in ("storm Florida", "Iraq president", "bees", "nothing matches zzz"):
        a, b = (KeywordScorer([x], [0], [None]).scores(question).dense(3) for x in (built, loaded))
        assert np.allclose(a, b)
    scores = KeywordScorer([loaded], [0], [None]).scores("hurricane storm in Florida").dense(3)
    assert int(np.argmax(scores)) == 1 and scores[0] == scores[2] == 0


@pytest.mark.integration
def test_hybrid_ignores_quiz_phrasing(corpus_index):
    from app import retrieve

    plain = retrieve(f"{QUESTION}?", k=3, index_dir=corpus_index)
    quiz = retrieve(f"According to reports, {QUESTION} this week?", k=3, index_dir=corpus_index)
    assert [h.citation.passage_id for h in quiz] == [h.citation.passage_id for h in plain]


def _unit(rows):
    v = np.asarray(rows, dtype=np.float64)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_passage_density_matches_brute_force_and_excludes_itself():
    rng = np.random.default_rng(1)
    vectors = _unit(rng.normal(size=(60, 6)))
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    raw = np.sort(sims, axis=1)[:, -4:].mean(axis=1)
    expected = (raw - raw.mean()) / raw.std()
    got = density.passage_density(vectors, k=4, block=7)  # blocks not dividing n
    assert got.shape == (60,)
    assert np.allclose(got, expected, atol=1e-5)


def test_passage_density_ranks_a_crowded_passage_highest():
    # four near-copies of one paragraph (a "hub") and four unrelated directions
    hub = [[1.0, 0.01 * i, 0, 0, 0, 0] for i in range(4)]
    lone = [[0, 0, 1, 0, 0, 0], [0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1]]
    crowded = density.passage_density(_unit(hub + lone), k=2)
    assert crowded[:4].min() > crowded[4:].max()


def test_passage_density_small_corpus_is_zero():
    assert density.passage_density(_unit([[1, 0], [0, 1]]), k=2).tolist() == [0.0, 0.0]
    assert density.passage_density(np.zeros((0, 3)), k=2).shape == (0,)


def test_hybrid_hubness_penalty():
    vectors = _unit([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0]])
    query = _unit([[1, 0.05, 0]])[0]
    mean, cov = vectors.mean(axis=0), np.cov(vectors.T, bias=True)
    z_keyword = np.zeros(3)
    plain = fusion.hybrid(query, vectors, z_keyword, mean, cov)
    assert np.allclose(fusion.hybrid(query, vectors, z_keyword, mean, cov, density=None), plain)
    assert np.allclose(
        fusion.hybrid(query, vectors, z_keyword, mean, cov, density=np.ones(3), hubness=0), plain
    )
    density = np.array([3.0, 0.0, 0.0])  # passage 0 sits in a crowd
    penalised = fusion.hybrid(query, vectors, z_keyword, mean, cov, density=density, hubness=0.5)
    assert np.allclose(penalised, plain - 0.5 * density)
    assert fusion.top_k(plain, 1).tolist() == [0]
    assert fusion.top_k(penalised, 1).tolist() == [1]


@pytest.mark.integration
def test_densities_are_stored_and_an_update_computes_only_the_new_ones(tmp_path, monkeypatch):
    import shutil

    from conftest import ARTICLES, SEED

    import app.index.update
    from app import build_index
    from app.index.store import StoredIndex

    news = tmp_path / "news"
    news.mkdir()
    shutil.copy(SEED, news / SEED.name)
    for name in ("ecb-rates.txt", "storm.md", "port-strike.txt"):
        shutil.copy(ARTICLES / name, news / name)
    build_index(news, tmp_path / "index")
    first = StoredIndex(tmp_path / "index")
    matrix = np.asarray(first.all_vectors())
    np.testing.assert_allclose(first.raw_density, density.raw_density(matrix), rtol=1e-5)
    assert first.density is not None and abs(float(first.density.mean())) < 1e-5

    monkeypatch.setattr(app.index.update, "DENSITY_REFRESH", 0.5)  # this small corpus grows by ~20%
    shutil.copy(ARTICLES / "archive.jsonl", news / "archive.jsonl")  # adds a few passages
    report = build_index(news, tmp_path / "index", compact=False)
    second = StoredIndex(tmp_path / "index")
    assert report.added > 0 and len(second.segments) == 2
    new_rows = [
        i
        for i in range(len(second.passages))
        if second.passages[i].passage_id
        not in {first.passages[j].passage_id for j in range(len(first.passages))}
    ]
    full = density.raw_density(np.asarray(second.all_vectors()))
    np.testing.assert_allclose(second.raw_density[new_rows], full[new_rows], rtol=1e-5)  # computed
    old_rows = {first.passages[i].passage_id: i for i in range(len(first.passages))}
    for i in range(len(second.passages)):
        p = second.passages[i]
        if p.passage_id in old_rows:  # kept from the previous build
            assert second.raw_density[i] == pytest.approx(first.raw_density[old_rows[p.passage_id]], rel=1e-6)
