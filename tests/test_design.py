"""Design (c), the default: multilingual-e5-small embeds every passage, all-MiniLM-L6-v2
embeds the English ones beside it, and an English question is scored three ways
(mE5, MiniLM, BM25). The companion's vectors follow the passages through updates and
merges, and the answer composer reads English with MiniLM. The real models run."""

import json
import shutil

import numpy as np
import pytest
from conftest import ARTICLES, QUESTION, SEED
from test_bangla_questions import FLOOD

from app import build_index, retrieve
from app.index.models import BOTH, MINILM, MULTILINGUAL
from app.index.store import StoredIndex
from app.search import fusion
from app.search.retriever import Retriever


def test_the_companion_scores_only_the_passages_it_embedded():
    rng = np.random.default_rng(1)
    unit = lambda m: m / np.linalg.norm(m, axis=1, keepdims=True)  # noqa: E731
    vectors, extra = unit(rng.normal(size=(30, 8))), unit(rng.normal(size=(30, 6)))
    extra[20:] = 0.0  # passages the companion did not embed (not English)
    query, asked = vectors[0], extra[1]
    z_keyword = rng.normal(size=30)
    mean, cov = vectors.mean(0), np.cov(vectors.T, bias=True)
    c_mean, c_cov = extra[:20].mean(0), np.cov(extra[:20].T, bias=True)
    companion = fusion.Companion(asked, extra, c_mean, c_cov, 0.25)
    got = fusion.hybrid(query, vectors, z_keyword, mean, cov, dense_weight=0.7, companion=companion)

    z = (vectors @ query - mean @ query) / np.sqrt(query @ cov @ query)
    z_c = (extra @ asked - c_mean @ asked) / np.sqrt(asked @ c_cov @ asked)
    np.testing.assert_allclose(got[:20], 0.7 * z[:20] + 0.25 * z_c[:20] + 0.05 * z_keyword[:20], rtol=1e-6)
    np.testing.assert_allclose(got[20:], 0.95 * z[20:] + 0.05 * z_keyword[20:], rtol=1e-6)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    news = tmp_path_factory.mktemp("design") / "news"
    news.mkdir()
    shutil.copy(SEED, news / SEED.name)
    shutil.copy(ARTICLES / "ecb-rates.txt", news / "ecb.txt")
    (news / "bangla.jsonl").write_text(json.dumps(FLOOD, ensure_ascii=False) + "\n", encoding="utf-8")
    out = news.parent / "index"
    assert build_index(news, out).model == BOTH  # the default for an archive with English
    return news, out


@pytest.mark.integration
def test_english_is_read_with_the_companion_and_bangla_without_it(mixed):
    _, out = mixed
    retriever = Retriever(StoredIndex(out))
    assert retriever.embedder.name == MULTILINGUAL and retriever.companion.name == MINILM
    english = [h.citation.passage_id for h in retriever.search(QUESTION, k=3)]
    bangla = [h.citation.passage_id for h in retriever.search(FLOOD["title"], k=3)]
    assert retriever.reader(QUESTION, english)[0] is retriever.companion  # MiniLM's scale, and fast
    assert retriever.reader(FLOOD["title"], bangla)[0] is retriever.embedder  # MiniLM cannot read it
    # an English question answered from a Bangla article: only mE5 embedded that passage
    assert retriever.reader(QUESTION, bangla)[0] is retriever.embedder

    asked = []
    real = retriever.companion.encode
    retriever.companion.encode = lambda texts, **kw: asked.append(texts) or real(texts, **kw)
    try:
        retriever.search("ECB interest rates", k=2)
        retriever.search(FLOOD["title"], k=2)
    finally:
        retriever.companion.encode = real
    assert asked == [["ECB interest rates"]]  # the English question only


@pytest.mark.integration
def test_the_companion_vectors_follow_passages_through_updates_and_a_merge(mixed):
    news, out = mixed
    before = StoredIndex(out)
    rows = before.live_rows()
    by_id = dict(
        zip((before.passages[int(r)].passage_id for r in rows), before.companion_rows(rows), strict=True)
    )
    shutil.copy(ARTICLES / "storm.md", news / "storm.md")
    build_index(news, out, compact=False)  # a delta: the old rows keep their vectors
    (news / "ecb.txt").unlink()
    build_index(news, out, compact=True)  # a merge: the live rows are written again
    after = StoredIndex(out)
    assert len(after.segments) == 1 and after.manifest["companion"]["model"] == MINILM
    rows = after.live_rows()
    ids = [after.passages[int(r)].passage_id for r in rows]
    vectors = after.companion_rows(rows)
    for pid, vector in zip(ids, vectors, strict=True):
        if pid in by_id:
            np.testing.assert_array_equal(vector, by_id[pid])
    english = np.array([lang == "en" for lang in after.passage_languages(rows)])
    assert (np.any(vectors != 0, axis=1) == english).all()  # storm.md's passages embedded too
    mean, _ = after.companion_moments
    np.testing.assert_allclose(mean, vectors[english].mean(0), atol=1e-6)  # moments of the live rows
    assert retrieve("how many people were evacuated before the cyclone", k=1, index_dir=out)[
        0
    ].citation.path.endswith("storm.md")
