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


def test_passage_density_matches_brute_force_and_excludes_itself(monkeypatch):
    monkeypatch.setattr(density, "QUERY_CHUNK", 7)  # chunks not dividing n
    monkeypatch.setattr(density, "CORPUS_CHUNK", 11)
    rng = np.random.default_rng(1)
    vectors = _unit(rng.normal(size=(60, 6)))
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    raw = np.sort(sims, axis=1)[:, -4:].mean(axis=1)
    expected = (raw - raw.mean()) / raw.std()
    got = density.passage_density(vectors, k=4)
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


def test_maintained_densities_equal_a_full_recomputation_through_adds_and_removals(monkeypatch):
    """Updates of clustered vectors (so removals and additions land among neighbours):
    after each, every live row's density is the brute-force one over the live rows."""
    monkeypatch.setattr(density, "QUERY_CHUNK", 31)
    monkeypatch.setattr(density, "CORPUS_CHUNK", 97)
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(20, 16))

    def draw(n):
        return _unit(centres[rng.integers(0, 20, n)] + 0.5 * rng.normal(size=(n, 16))).astype(np.float32)

    blocks, live = [draw(300)], np.ones(300, bool)
    found = density.maintained(blocks, live, None, np.arange(300), np.zeros((0, 16), np.float32))
    for size in (1, 5, 40, 0):
        gone = rng.choice(np.flatnonzero(live), 15, replace=False)
        removed = np.concatenate(blocks)[gone]
        n, added = len(live), draw(size)
        blocks, live = [*blocks, added], np.concatenate([live, np.ones(size, bool)])
        live[gone] = False
        pad = np.full(size, np.nan)
        previous = density.Densities(
            np.concatenate([found.raw, pad]), np.concatenate([found.kth, pad]).astype(np.float32)
        )
        found = density.maintained(blocks, live, previous, np.arange(n, n + size), removed)

        vectors = np.concatenate(blocks)[live].astype(np.float64)
        sims = vectors @ vectors.T
        np.fill_diagonal(sims, -np.inf)
        nearest = np.sort(sims, axis=1)[:, -density.HUBNESS_NEIGHBOURS :]
        np.testing.assert_allclose(found.raw[live], nearest.mean(axis=1), atol=1e-6)
        np.testing.assert_allclose(found.kth[live], nearest[:, 0], atol=1e-6)
        assert np.isnan(found.raw[~live]).all() and np.isnan(found.kth[~live]).all()


def test_maintained_densities_small_corpus_and_too_large(monkeypatch):
    few = _unit(np.eye(4)).astype(np.float32)
    found = density.maintained([few], np.ones(4, bool), None, np.arange(4), np.zeros((0, 4)))
    assert found.raw.tolist() == [0.0] * 4 and np.isnan(found.kth).all()  # all computed next time
    monkeypatch.setattr(density, "HUBNESS_MAX_PASSAGES", 3)
    assert density.maintained([few], np.ones(4, bool), None, np.arange(4), np.zeros((0, 4))) is None
