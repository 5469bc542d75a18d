"""Fusion maths, query clean-up and the BM25 persistence round-trip, on hand-made data."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import QUESTION

from app import fusion
from app.keyword import KeywordIndex
from app.query import clean_question


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
def test_clean_question(question, cleaned):
    assert clean_question(question) == cleaned


def test_keyword_index_round_trip(tmp_path):
    texts = ["Iran's leader met Iraq's president", "The storm hit Florida", "Bees are dying in Europe"]
    built = KeywordIndex.build(texts)
    built.save(tmp_path / "kw")
    loaded = KeywordIndex.load(tmp_path / "kw")
    for question in ("storm Florida", "Iraq president", "bees", "nothing matches zzz"):
        assert np.allclose(built.scores(question, 3), loaded.scores(question, 3))
    assert int(np.argmax(loaded.scores("hurricane storm in Florida", 3))) == 1


@pytest.mark.integration
def test_hybrid_ignores_quiz_phrasing(corpus_index):
    from app import retrieve

    plain = retrieve(f"{QUESTION}?", k=3, index_dir=corpus_index)
    quiz = retrieve(f"According to reports, {QUESTION} this week?", k=3, index_dir=corpus_index)
    assert [h.citation.passage_id for h in quiz] == [h.citation.passage_id for h in plain]
