"""The Milvus backend against the local one, both real: Milvus Lite in a temporary folder
and the index folder, built from the same articles with the packaged model.

Oracles: the local backend (FAISS + the segments' BM25, itself checked against bm25s
and brute force elsewhere) for hits, scores, filters, copies and answers; a fresh build
for an updated or interrupted one.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from conftest import QUESTION, SEED, make_corpus

pytestmark = pytest.mark.integration

QUESTIONS = [
    QUESTION,
    "what happened to wheat futures in Chicago?",
    "what did Lagarde say about pausing?",
    "who did Chelsea appoint as manager?",
    "how long has the port strike lasted?",
]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """(local folder, milvus: URI) of the seed plus the fixture articles."""
    from app import build_index

    root = tmp_path_factory.mktemp("pair")
    news = make_corpus(root / "news")
    build_index(news, root / "index")
    uri = f"milvus:{root}/news.db"
    build_index(news, uri)
    return root / "index", uri


def ids(hits):
    return [h.citation.passage_id for h in hits]


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
def test_both_backends_rank_alike(pair, mode):
    from app import retrieve

    local, milvus = pair
    for question in QUESTIONS:
        a, b = (
            retrieve(question, 5, index_dir=local, mode=mode),
            retrieve(question, 5, index_dir=milvus, mode=mode),
        )
        assert ids(a) == ids(b), question
        if mode != "hybrid":  # raw cosines and BM25 (Milvus' scaled back by k1 + 1) agree
            np.testing.assert_allclose([h.score for h in a], [h.score for h in b], rtol=1e-4)
        else:  # the keyword deviation is estimated (app.engines.milvus.stats): within 15% here
            np.testing.assert_allclose([h.score for h in a], [h.score for h in b], rtol=0.15, atol=0.05)
        assert [h.citation for h in a] == [h.citation for h in b]


@pytest.mark.parametrize("backend", [0, 1], ids=["local", "milvus"])
def test_filters_restrict_outlets_dates_and_languages(pair, backend):
    from datetime import date

    from app import ask, retrieve

    where = pair[backend]
    question = "what happened to wheat futures in Chicago?"
    answer = ask(question, index_dir=where, outlets=["Reuters"], since="2023-05-01")
    assert answer.citations and all(c.source == "Reuters" for c in answer.citations)
    assert all(c.published.date() >= date(2023, 5, 1) for c in answer.citations)
    assert ask(question, index_dir=where, outlets=["Reuters"], until="2023-04-30").abstained
    assert ask("what did Lagarde say about pausing?", index_dir=where, outlets=["Reuters"]).abstained
    assert ask(QUESTION, index_dir=where, until="2023-04-29").abstained  # the seed is of 30 April
    instant = retrieve(QUESTION, 3, index_dir=where, since="2023-04-29T20:00:00+00:00")
    assert instant and all(h.citation.published is not None for h in instant)
    assert retrieve(QUESTION, 3, index_dir=where, languages=["bn"]) == []


@pytest.mark.parametrize("backend", [0, 1], ids=["local", "milvus"])
def test_ask_quotes_and_follow_ups(pair, backend):
    from app import ask

    where = pair[backend]
    answer = ask(QUESTION, index_dir=where)
    assert [c.paragraph for c in answer.citations] == [1, 3, 5]
    assert any(c.speaker == "Ayatollah Ali Khamenei" for c in answer.citations)
    follow = ask("when was that?", history=[answer], index_dir=where)
    assert "30 April 2023" in follow.text
    assert ask("who won the football world cup in 2022?", index_dir=where).abstained


def test_answers_are_the_same_on_both(pair):
    from app import ask

    for question in QUESTIONS:
        a, b = ask(question, index_dir=pair[0]), ask(question, index_dir=pair[1])
        assert (a.text, a.citations) == (b.text, b.citations), question


def test_syndicated_copies_fold_on_both(tmp_path):
    from app import build_index, load_articles, retrieve

    news = tmp_path / "news"
    news.mkdir()
    shutil.copy(SEED, news / SEED.name)
    (seed,) = load_articles(news).articles
    paras = seed.body.split("\n\n")
    day = "2023-04-30"
    copies = [
        {"title": "Khamenei: not one US soldier", "source": "Tehran Times", "published": day,
         "text": "\n\n".join(paras[:-1])},
        {"title": "Iran's leader presses Iraq on US troops", "source": "Al Arabiya", "published": day,
         "text": "Tehran's message to Baghdad was blunt.\n\n" + seed.body},
    ]  # fmt: skip
    (news / "copies.jsonl").write_text("".join(json.dumps(r) + "\n" for r in copies))
    build_index(news, tmp_path / "index")
    build_index(news, f"milvus:{tmp_path}/copies.db")
    for where in (tmp_path / "index", f"milvus:{tmp_path}/copies.db"):
        hits = retrieve(QUESTION, k=5, index_dir=where)
        assert len({h.text for h in hits}) == len(hits)
        outlets = {"Reuters", "Tehran Times", "Al Arabiya"}
        assert {o.source for o in hits[0].citation.carried_by} == outlets - {hits[0].citation.source}


def _add_change_delete(tmp_path):
    """A local index and a Milvus one of the same corpus, both updated by a delete, a
    change and an add; returns the corpus folder, the Milvus uri and the two reports."""
    from app import build_index

    news = make_corpus(tmp_path / "news")
    uri = f"milvus:{tmp_path}/live.db"
    first = [build_index(news, tmp_path / "index"), build_index(news, uri)]
    assert first[0].passages == first[1].passages
    (news / "storm.md").unlink()  # delete an article
    port = news / "port-strike.txt"
    port.write_text(port.read_text().replace("third day", "fourth day"))  # change one
    (news / "quake.txt").write_text(  # add one
        "Title: Earthquake shakes Sylhet\nSource: Daily Star\nPublished: 2023-06-02\n\n"
        "A moderate earthquake of magnitude 5.1 shook Sylhet on Friday morning, officials said, "
        "damaging several old buildings but causing no deaths."
    )
    return news, uri, build_index(news, tmp_path / "index"), build_index(news, uri)


def test_add_change_delete_match_on_both(tmp_path):
    from app import build_index, retrieve

    news, uri, local, milvus = _add_change_delete(tmp_path)
    assert (local.passages, local.articles) == (milvus.passages, milvus.articles)
    assert (local.added, local.removed) == (milvus.added, milvus.removed) and milvus.added > 0
    gone = retrieve("storm damage", 10, index_dir=uri)
    assert all("storm" not in h.citation.path for h in gone)
    # The statistics an update moves by what it added and removed are a fresh build's.
    fresh = f"milvus:{tmp_path}/fresh.db"
    assert build_index(news, fresh).passages == milvus.passages
    assert_same_statistics(uri, fresh)
    assert build_index(news, uri).added == 0  # nothing changed: nothing written


def test_add_change_delete_rank_alike_on_both(tmp_path):
    from app import retrieve

    _, uri, _, _ = _add_change_delete(tmp_path)
    for question in [*QUESTIONS, "earthquake in Sylhet", "storm damage"]:
        assert ids(retrieve(question, 5, index_dir=tmp_path / "index")) == ids(
            retrieve(question, 5, index_dir=uri)
        )
    assert_exact_densities(uri)


def assert_exact_densities(uri: str) -> None:
    """Every stored passage's density and k-th cosine are a brute-force recomputation's
    over the vectors the collection holds (numpy, all pairs), and so are the moments."""
    from app.engines.milvus.densities import UNKNOWN_KTH
    from app.search.retriever import get_retriever

    backend = get_retriever(uri).backend
    rows = backend.store.scan("passages", "", ["vector", "density", "kth"])
    held = np.asarray([r["vector"] for r in rows], dtype=np.float64)
    sims = held @ held.T
    np.fill_diagonal(sims, -np.inf)  # not its own neighbour
    nearest = np.sort(sims, axis=1)[:, -10:]
    assert len(rows) > 10 and all(r["kth"] > UNKNOWN_KTH for r in rows)
    np.testing.assert_allclose([r["density"] for r in rows], nearest.mean(axis=1), atol=1e-4)
    np.testing.assert_allclose([r["kth"] for r in rows], nearest[:, 0], atol=1e-4)
    stored = np.array([r["density"] for r in rows])
    np.testing.assert_allclose(backend.stats.density_moments(), (stored.mean(), stored.std()), atol=1e-6)


def test_an_add_and_a_delete_keep_every_density_exact(tmp_path):
    from app import build_index

    news = make_corpus(tmp_path / "news")
    uri = f"milvus:{tmp_path}/d.db"
    build_index(news, uri)
    assert_exact_densities(uri)
    (news / "storm.md").unlink()
    (news / "quake.txt").write_text(
        "Title: Earthquake shakes Sylhet\nSource: Daily Star\nPublished: 2023-06-02\n\n"
        "A moderate earthquake of magnitude 5.1 shook Sylhet on Friday morning, officials said."
    )
    build_index(news, uri)
    assert_exact_densities(uri)


def assert_same_statistics(uri: str, other: str) -> None:
    """The dense moments an update maintains are those of the vectors it holds (exact);
    passage counts and keyword moments are another build's of the same articles (the
    term weights keep the avgdl they were computed with: within 3%)."""
    from app.search.filters import Filters
    from app.search.retriever import get_retriever

    a, b = get_retriever(uri).backend, get_retriever(other).backend
    assert a.stats.n == b.stats.n == a.count
    rows = a.store.scan("passages", "", ["vector"])
    held = np.asarray([r["vector"] for r in rows], dtype=np.float64)
    np.testing.assert_allclose(a.moments().mean, held.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(a.moments().cov, np.cov(held.T, bias=True), atol=1e-6)
    for question in QUESTIONS:
        ka, kb = a.keyword(question, 5, Filters()), b.keyword(question, 5, Filters())
        np.testing.assert_allclose([ka.mean, ka.std], [kb.mean, kb.std], rtol=0.03)


def test_an_interrupted_build_converges(tmp_path, monkeypatch):
    from app import build_index, retrieve
    from app.engines.milvus.store import MilvusStore

    news = make_corpus(tmp_path / "news")
    uri, twin = f"milvus:{tmp_path}/cut.db", f"milvus:{tmp_path}/twin.db"  # the same history
    build_index(news, uri)
    build_index(news, twin)
    retrieve(QUESTION, 5, index_dir=uri)  # a reader with the index open
    (news / "quake.txt").write_text(
        "Title: Earthquake shakes Sylhet\nSource: Daily Star\nPublished: 2023-06-02\n\n"
        "A moderate earthquake of magnitude 5.1 shook Sylhet on Friday morning, officials said."
    )
    (news / "storm.md").unlink()

    def cut(self, articles, prints):
        raise KeyboardInterrupt  # killed after the passages, before the article records

    with monkeypatch.context() as patched:
        patched.setattr(MilvusStore, "put_articles", cut)
        with pytest.raises(KeyboardInterrupt):
            build_index(news, uri)
    # Meanwhile: the new article's passages are there without its record: not cited.
    assert all("quake" not in h.citation.path for h in retrieve("earthquake in Sylhet", 5, index_dir=uri))
    # Run again, it holds what the same update, never interrupted, holds.
    assert build_index(news, uri).passages == build_index(news, twin).passages
    assert_same_statistics(uri, twin)
    assert retrieve("earthquake in Sylhet", 1, index_dir=uri)[0].citation.path.endswith("quake.txt")
    for question in QUESTIONS:
        a, b = retrieve(question, 5, index_dir=uri), retrieve(question, 5, index_dir=twin)
        assert ids(a) == ids(b)
        np.testing.assert_allclose([h.score for h in a], [h.score for h in b], rtol=0.02, atol=0.02)


def test_the_page_reads_a_milvus_index(pair):
    from app.ui import chat, example_questions, index_summary

    local, milvus = pair
    assert index_summary(milvus).split(", built")[0] == index_summary(local).split(", built")[0]
    assert example_questions(milvus) == example_questions(local)
    markdown, sources = chat(QUESTION, [], ["Reuters"], "", "", [], index_dir=milvus)
    assert "Khamenei" in markdown and "Reuters" in sources
