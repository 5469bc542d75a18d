"""Building and searching with the real packaged model: the seed question, incremental
updates, atomic writes."""

import shutil
from pathlib import Path

import pytest
from conftest import ARTICLES, PROJECT, QUESTION, SEED, TITLE, make_corpus

from app import build_index, index_status, retrieve
from app.index.keyword import KeywordPostings
from app.index.store import StoredIndex

pytestmark = pytest.mark.integration

FURNITURE = ("Yazidi", "Saddam", "Pentagon", "biometric", "Tasneem", "RELATED STORIES", "Opinion")


def test_seed_question_ranks_a_khamenei_quote_first_with_full_citation(corpus_index):
    for mode in ("hybrid", "dense"):
        hits = retrieve(QUESTION, k=5, index_dir=corpus_index, mode=mode)
        top = hits[0]
        assert "Khamenei" in top.text and top.citation.paragraph in (1, 3, 5), mode
        assert top.citation.title == TITLE
        assert top.citation.source == "Reuters"
        assert top.citation.published.date().isoformat() == "2023-04-30"
        assert top.citation.path == "news/000_e044aac75ced5648.txt"
        assert hits == sorted(hits, key=lambda h: -h.score)


def test_no_hit_ever_contains_page_furniture(corpus_index):
    questions = [
        QUESTION,
        "Saddam Hussein disappearances",
        "Pentagon chief trip to Baghdad",
        "biometrics of Iraqis",
        "Yazidi displaced people Sinjar",
        "mental health opinion",
    ]
    for question in questions:
        for mode in ("hybrid", "dense", "keyword"):
            for hit in retrieve(question, k=20, index_dir=corpus_index, mode=mode):
                assert not any(word in hit.text for word in FURNITURE), (question, hit.text)


def test_other_formats_are_found_by_their_subject(corpus_index):
    hits = retrieve("who is the new Chelsea manager", k=1, index_dir=corpus_index)
    assert "Pochettino" in hits[0].text and hits[0].citation.url.endswith("chelsea-pochettino")
    hits = retrieve("how many people were evacuated before the cyclone", k=1, index_dir=corpus_index)
    assert "750,000" in hits[0].text


def test_incremental_add_change_delete(tmp_path):
    news, out = tmp_path / "news", tmp_path / "index"
    news.mkdir()
    shutil.copy(SEED, news / SEED.name)
    first = build_index(news, out)
    assert (first.articles, first.added, first.removed, first.unchanged) == (1, 7, 0, 0)

    shutil.copy(ARTICLES / "ecb-rates.txt", news / "ecb.txt")  # add: 4 paragraphs, 4 passages
    added = build_index(news, out)
    assert (added.articles, added.added, added.removed, added.unchanged) == (2, 4, 0, 7)
    assert "Lagarde" in retrieve("what did Lagarde say about pausing", k=1, index_dir=out)[0].text

    text = (news / "ecb.txt").read_text().replace("25 basis points", "50 basis points")
    (news / "ecb.txt").write_text(text)  # change: the whole article re-embeds, nothing else
    changed = build_index(news, out)
    assert (changed.added, changed.removed, changed.unchanged) == (4, 4, 7)
    assert "50 basis points" in retrieve("how much did the ECB raise rates", k=1, index_dir=out)[0].text

    (news / "ecb.txt").unlink()  # delete: its passages leave
    deleted = build_index(news, out)
    assert (deleted.articles, deleted.added, deleted.removed, deleted.unchanged) == (1, 0, 4, 7)
    for mode in ("hybrid", "keyword"):
        assert all("Lagarde" not in h.text for h in retrieve("Lagarde ECB", k=10, index_dir=out, mode=mode))


def test_unchanged_rebuild_is_a_no_op_with_the_same_ids(tmp_path):
    corpus = make_corpus(tmp_path / "news")
    build_index(corpus, tmp_path / "a")
    again = build_index(corpus, tmp_path / "a")
    assert again.added == 0 and again.removed == 0 and again.unchanged > 0
    build_index(corpus, tmp_path / "b")  # from scratch elsewhere: the same passage ids
    a, b = ([p.passage_id for p in StoredIndex(tmp_path / d).passages] for d in "ab")
    assert a == b and len(a) == again.passages


def test_stale_index_is_detected(tmp_path):
    corpus = make_corpus(tmp_path / "news")
    build_index(corpus, tmp_path / "index")
    assert index_status(corpus, tmp_path / "index") is None
    (corpus / "storm.md").unlink()
    assert "out of date" in index_status(corpus, tmp_path / "index")
    assert "no index here" in index_status(corpus, tmp_path / "missing")


def test_failed_build_leaves_the_previous_index_loadable(tmp_path, monkeypatch):
    news, out = tmp_path / "news", tmp_path / "index"
    news.mkdir()
    shutil.copy(SEED, news / SEED.name)
    build_index(news, out)
    shutil.copy(ARTICLES / "ecb-rates.txt", news / "ecb.txt")

    def crash(self, folder: Path):
        raise OSError("disk full")

    monkeypatch.setattr(KeywordPostings, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        build_index(news, out)
    monkeypatch.undo()
    hits = retrieve(QUESTION, k=3, index_dir=out)  # the old index still answers
    assert hits[0].citation.title == TITLE
    assert all("Lagarde" not in h.text for h in retrieve("Lagarde", k=10, index_dir=out))
    report = build_index(news, out)  # and the next build completes
    assert report.added == 4 and report.unchanged == 7
    assert not list(out.glob(".tmp-*"))


def test_default_index_is_the_projects_embeddings():
    hits = retrieve(QUESTION, k=5)
    assert hits[0].citation.title == TITLE
    assert hits[0].citation.path == "seeds/000_e044aac75ced5648.txt"


def test_the_committed_index_is_current_and_searching_never_writes(tmp_path, monkeypatch):
    from app import ensure_current_index, index_status

    assert index_status(PROJECT / "seeds", PROJECT / "embeddings") is None  # `make index` keeps it so
    seeds, folder = tmp_path / "seeds", tmp_path / "embeddings"
    shutil.copytree(PROJECT / "seeds", seeds)
    shutil.copytree(PROJECT / "embeddings", folder, ignore=shutil.ignore_patterns(".*"))
    shutil.copy(ARTICLES / "ecb-rates.txt", seeds / "ecb.txt")  # seeds/ now has a new article
    monkeypatch.setenv("NEWSDESK_SEEDS", str(seeds))
    monkeypatch.setenv("NEWSDESK_INDEX", str(folder))
    manifest = (folder / "manifest.json").read_bytes()
    assert retrieve("Lagarde", k=1)[0].citation.title == TITLE  # searched as it is: one article
    assert (folder / "manifest.json").read_bytes() == manifest  # and nothing was written
    assert "out of date" in index_status(seeds, folder)
    report = ensure_current_index()
    assert report.added > 0 and index_status(seeds, folder) is None
    assert "Lagarde" in retrieve("Lagarde", k=1)[0].text
    assert ensure_current_index() is None  # current: nothing to do


def test_an_index_read_by_older_readers_is_out_of_date_and_read_again(tmp_path, monkeypatch):
    import app.index.build as build_module
    from app import index_status

    news = make_corpus(tmp_path / "news")
    report = build_index(news, tmp_path / "index", keep_all=True)
    assert index_status(news, tmp_path / "index") is None  # the options it was read with count
    monkeypatch.setattr(build_module, "READ_RECIPE", "read-vNEXT")  # the readers changed
    assert "readers changed" in index_status(news, tmp_path / "index")
    again = build_index(news, tmp_path / "index", keep_all=True)
    assert again.added == 0 and again.unchanged == report.passages  # read again, nothing re-embedded
    assert index_status(news, tmp_path / "index") is None
