"""Bangla and English in one archive: the model chosen by the articles' languages, dense
scores standardised per passage language, the language filter, answers in the
question's language, and questions across languages. The real models run."""

import json

import numpy as np
import pytest
from conftest import QUESTION, SEED, TITLE
from test_bangla_questions import EXAMS, FLOOD

from app import build_index
from app.index.models import BOTH, MINILM, MULTILINGUAL, choose_model, model_name, split_design
from app.index.store import StoredIndex
from app.search import fusion


def test_the_model_follows_the_archives_languages():
    # design (c): multilingual-e5-small for every passage, MiniLM beside it for English
    assert choose_model({"en": 500}) == BOTH == choose_model({"en": 90, "bn": 10})
    assert split_design(BOTH) == (MULTILINGUAL, MINILM)
    assert choose_model({"bn": 3}) == MULTILINGUAL  # no English: the companion would embed nothing
    assert choose_model({"bn": 500, "en": 1}) == MULTILINGUAL  # a detector's slip is not a reason
    assert choose_model({"bn": 3}, "minilm") == MINILM  # a named model wins
    assert model_name("multilingual") == MULTILINGUAL == model_name("multilingual-e5-small")
    assert model_name("both") == BOTH


def test_dense_scores_standardise_within_each_group_as_numpy_does():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    groups = np.array([0] * 25 + [1] * 15)
    moments = [(vectors[groups == g].mean(0), np.cov(vectors[groups == g].T, bias=True)) for g in (0, 1)]
    query = vectors[3]
    z = fusion.dense_z(query, vectors, vectors.mean(0), np.cov(vectors.T, bias=True), groups, moments)
    for g in (0, 1):
        scores = vectors[groups == g] @ query
        np.testing.assert_allclose(z[groups == g], (scores - scores.mean()) / scores.std(), rtol=1e-6)


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    news = root / "news"
    news.mkdir()
    (news / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    lines = [json.dumps(a, ensure_ascii=False) for a in (FLOOD, EXAMS)]
    (news / "bangla.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = build_index(news, root / "index")
    return root / "index", report


@pytest.mark.integration
def test_a_mixed_archive_is_embedded_with_the_multilingual_model(mixed_index):
    folder, report = mixed_index
    assert report.model == BOTH and report.languages == {"bn": 2, "en": 1}
    index = StoredIndex(folder)
    assert index.manifest["model"] == MULTILINGUAL and index.manifest["companion"]["model"] == MINILM
    # MiniLM embeds the English article's passages only: the Bangla ones hold zeros
    english = np.array([lang == "en" for lang in index.passage_languages(index.live_rows())])
    held = np.any(index.companion_rows(index.live_rows()) != 0, axis=1)
    assert english.any() and (~english).any() and (held == english).all()


@pytest.mark.integration
def test_questions_in_either_language_find_articles_in_either(mixed_index):
    from app import retrieve

    folder, _ = mixed_index
    english = retrieve("How many people are stranded by floods in Sylhet?", k=3, index_dir=folder)
    assert english[0].citation.title == FLOOD["title"] and english[0].citation.language == "bn"
    bangla = retrieve("ইরাকে মার্কিন সেনা নিয়ে খামেনি কী বলেছেন?", k=3, index_dir=folder)
    assert TITLE in {h.citation.title for h in bangla}  # a Bangla question, an English article
    only_english = retrieve(
        "How many people are stranded by floods in Sylhet?", k=3, index_dir=folder, languages=["English"]
    )
    assert {h.citation.language for h in only_english} == {"en"}


@pytest.mark.integration
def test_answers_quote_each_sentence_in_its_own_language(mixed_index):
    from app import ask

    folder, _ = mixed_index
    bangla = ask("ত্রাণমন্ত্রী কী বলেছেন?", index_dir=folder)
    assert not bangla.abstained and {c.language for c in bangla.citations} == {"bn"}
    assert "কোনো মানুষ না খেয়ে থাকবে না" in bangla.text
    english = ask(QUESTION, index_dir=folder)
    assert not english.abstained and {c.language for c in english.citations} == {"en"}
    restricted = ask(QUESTION, index_dir=folder, languages=["bn"])  # the Bangla articles only
    assert restricted.hits and {h.citation.language for h in restricted.hits} == {"bn"}
    across = ask("খামেনি মার্কিন সেনাদের নিয়ে কী বলেছেন?", index_dir=folder)  # the README's example
    assert not across.abstained and {c.language for c in across.citations} == {"en"}
    assert {c.speaker for c in across.citations} == {"Ayatollah Ali Khamenei"}
