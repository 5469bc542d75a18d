"""The index folder and the retrieval maths, checked against brute-force numpy."""

import json

import numpy as np
import pytest

from app.index import generation, store
from app.index.errors import IndexUnavailable
from app.index.keyword import KeywordPostings
from app.index.rows import PassageRow
from app.index.segment import SegmentParts
from app.search import fusion
from app.search.retriever import Retriever
from app.types import StoredArticle


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def write_random_index(folder, n=500, dim=32, seed=0, model="sentence-transformers/all-MiniLM-L6-v2"):
    rng = np.random.default_rng(seed)
    vectors = unit(rng.normal(size=(n, dim)))
    body = " ".join(f"w{i}" for i in range(n))
    starts = [len(" ".join(f"w{j}" for j in range(i))) + (1 if i else 0) for i in range(n)]
    spans = np.array([[0, i + 1, s, s + len(f"w{i}")] for i, s in enumerate(starts)], dtype=np.int32)
    article = StoredArticle(article_id="a", title="Random", body=body, path="r.txt")
    parts = SegmentParts(
        passage_ids=[f"a-{i}" for i in range(n)],
        spans=spans,
        vectors=vectors,
        articles=[article],
        postings=KeywordPostings.build([f"w{i}" for i in range(n)]),
    )
    generation.write_fresh(folder, {"model": model, "dimension": dim, "files": {}}, parts)
    return vectors


def test_dense_search_matches_brute_force_numpy(tmp_path):
    vectors = write_random_index(tmp_path)
    index = store.StoredIndex(tmp_path)
    rng = np.random.default_rng(1)
    for query in unit(rng.normal(size=(20, 32))):
        scores, ids = index.search(query, 10)
        expected = np.argsort(-(vectors @ query), kind="stable")[:10]
        assert list(ids) == list(expected)
        np.testing.assert_allclose(scores, (vectors @ query)[expected], rtol=1e-5)


def test_save_load_round_trip_and_text_from_offsets(tmp_path):
    vectors = write_random_index(tmp_path)
    index = store.StoredIndex(tmp_path)
    np.testing.assert_array_equal(index.all_vectors(), vectors)
    assert [index.text(r) for r in range(3)] == ["w0", "w1", "w2"]
    assert index.passages[2] == PassageRow("a-2", "a", 3, 6, 8)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["count"] == 500 and manifest["dimension"] == 32


def test_corpus_moments_equal_the_scores_mean_and_std(tmp_path):
    vectors = write_random_index(tmp_path, n=300)
    index = store.StoredIndex(tmp_path)
    query = unit(np.random.default_rng(2).normal(size=(1, 32)))[0]
    mean, std = fusion.dense_moments(query, index.mean, index.cov)
    scores = vectors @ query
    assert mean == pytest.approx(scores.mean(), abs=1e-5)
    assert std == pytest.approx(scores.std(), rel=1e-4)


def test_top_k_is_sorted_best_first_with_stable_ties():
    scores = np.array([0.1, 0.9, 0.5, 0.9, -1.0])
    assert list(fusion.top_k(scores, 3)) == [1, 3, 2]
    assert list(fusion.top_k(scores, 10)) == [1, 3, 2, 0, 4]


def test_a_new_generation_replaces_the_old_files(tmp_path):
    write_random_index(tmp_path, seed=0)
    first = json.loads((tmp_path / "manifest.json").read_text())
    write_random_index(tmp_path, seed=1)
    second = json.loads((tmp_path / "manifest.json").read_text())
    names = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert names == sorted(["manifest.json", second["segments"][0]["name"], second["state"]])
    assert first["segments"][0]["name"] not in names


def test_missing_and_damaged_index_files_name_the_file_and_the_fix(tmp_path):
    with pytest.raises(IndexUnavailable, match="no index here.*newsdesk build"):
        store.StoredIndex(tmp_path / "nothing")
    write_random_index(tmp_path)
    faiss_file = next(tmp_path.glob("seg-*/vectors.faiss"))
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    with pytest.raises(IndexUnavailable, match=rf"{faiss_file.parent.name}/vectors.faiss.*newsdesk build"):
        store.StoredIndex(tmp_path)


def test_model_and_dimension_mismatch_name_both(tmp_path):
    write_random_index(tmp_path, model="some/other-model")
    with pytest.raises(IndexUnavailable, match="some/other-model.*all-MiniLM-L6-v2"):
        Retriever(store.StoredIndex(tmp_path), model="all-MiniLM-L6-v2")


@pytest.mark.integration
def test_dimension_mismatch_is_reported_at_query_time(tmp_path):
    write_random_index(tmp_path)  # 32-dimensional vectors, recorded as MiniLM (384)
    retriever = Retriever(store.StoredIndex(tmp_path))
    with pytest.raises(IndexUnavailable, match="32-dimensional.*makes 384"):
        retriever.search("anything", 3, mode="dense")
