"""News-native answers with the real model: speakers, dates, who said it."""

import pytest
from conftest import QUESTION

from app import ask, build_index
from app.answer.abstain import NOT_FOUND
from app.search.retriever import get_retriever

pytestmark = pytest.mark.integration


def test_seed_question_quotes_khamenei_by_name_dated_30_april(corpus_index):
    answer = ask(QUESTION, index_dir=corpus_index)
    quoted = [c for c in answer.citations if c.speaker]
    assert quoted and all(c.speaker == "Ayatollah Ali Khamenei" for c in quoted)
    assert all(c.published.date().isoformat() == "2023-04-30" for c in answer.citations)
    assert "Even the presence of one American in Iraq is too much" in answer.text


@pytest.mark.parametrize("model", ["minilm", "multilingual"])
def test_a_speaker_question_ranks_that_speakers_quotes_first(model, request):
    index = request.getfixturevalue("corpus_index" if model == "minilm" else "corpus_index_multilingual")
    rashid = ask("what did Rashid say?", index_dir=index)
    assert rashid.citations[0].speaker == "Abdul Latif Rashid"
    assert "deepen relations with Iran" in rashid.text
    assert "Khamenei" not in rashid.text  # his quote names Rashid, but is not Rashid's
    santos = ask("what did Maria Santos say?", index_dir=index)
    assert {c.speaker for c in santos.citations} == {"Maria Santos"}


def test_the_seed_question_quotes_the_same_sentences_with_either_model(
    corpus_index, corpus_index_multilingual
):
    english, multilingual = (ask(QUESTION, index_dir=i) for i in (corpus_index, corpus_index_multilingual))
    assert multilingual.text == english.text
    assert [(c.paragraph, c.start, c.end) for c in multilingual.citations] == [
        (c.paragraph, c.start, c.end) for c in english.citations
    ]


def test_questions_without_a_speaker_are_unaffected(corpus_index):
    answer = ask("how many US troops are in Iraq?", index_dir=corpus_index)
    assert "2,500 troops" in answer.text


def test_who_said_finds_the_speaker(corpus_index):
    answer = ask('who said "nobody wanted this strike"?', index_dir=corpus_index)
    assert answer.citations[0].speaker == "Maria Santos"
    assert "Nobody wanted this strike" in answer.text


def test_what_else_did_he_say_quotes_only_him(corpus_index):
    first = ask("what did Khamenei say about friends?", index_dir=corpus_index)
    assert [c.speaker for c in first.citations] == ["Ayatollah Ali Khamenei"]
    more = ask("what else did he say?", [first], index_dir=corpus_index)
    assert not more.abstained and more.citations
    assert all(c.speaker == "Ayatollah Ali Khamenei" for c in more.citations)  # only his words
    assert not {c.quote for c in more.citations} & {c.quote for c in first.citations}  # none again


def test_what_else_says_so_when_all_his_words_are_quoted(corpus_index):
    first = ask(QUESTION, index_dir=corpus_index)  # quotes his two quoted sentences, and more
    assert sum(c.speaker == "Ayatollah Ali Khamenei" for c in first.citations) == 2
    more = ask("what else did he say?", [first], index_dir=corpus_index)
    assert more.abstained and more.text == NOT_FOUND and more.citations == ()


def test_time_in_the_question_filters_by_date(corpus_index):
    assert not ask("what did Khamenei say in April 2023?", index_dir=corpus_index).abstained
    assert ask("what did Khamenei say in March 2023?", index_dir=corpus_index).abstained
    may = ask("what happened to wheat futures in May 2023?", index_dir=corpus_index)
    assert not may.abstained and all(c.published.month == 5 for c in may.citations)


def test_latest_prefers_the_newest_article(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "old.jsonl").write_text(
        '{"title": "Port strike begins", "published": "2023-03-01", "source": "Reuters", '
        '"text": "Dock workers at Rotterdam walked out on Wednesday in a dispute over pay and shifts."}\n'
        '{"title": "Port strike ends", "published": "2023-05-05", "source": "Reuters", '
        '"text": "Dock workers at Rotterdam returned to work on Friday after a pay deal ended the strike."}\n'
    )
    build_index(news, tmp_path / "index")
    answer = ask("what is the latest on the Rotterdam dock workers?", index_dir=tmp_path / "index")
    assert [c.published.date().isoformat() for c in answer.citations] == ["2023-05-05"]
    history = ask("what happened to the Rotterdam dock workers?", index_dir=tmp_path / "index")
    assert [c.published.month for c in history.citations] == [3, 5]  # several dates: in time order


def test_quotes_are_stored_with_the_articles(corpus_index):
    articles = get_retriever(corpus_index).index.articles.values()
    seed = next(a for a in articles if a.title.startswith("Even one American"))
    assert [q.name for q in seed.quotes] == [
        "Ayatollah Ali Khamenei",
        "Ayatollah Ali Khamenei",
        "Abdul Latif Rashid",
    ]
    assert all(seed.body[q.start - 1] == '"' for q in seed.quotes)


def test_a_syndicated_story_is_returned_once_citing_every_outlet(tmp_path):
    import json
    import shutil

    from conftest import SEED

    from app import load_articles, retrieve

    news = tmp_path / "news"
    news.mkdir()
    shutil.copy(SEED, news / SEED.name)
    (seed,) = load_articles(news).articles
    paras = seed.body.split("\n\n")
    copies = [  # what outlets do to agency copy: new headline, standfirst, trimmed end
        {
            "title": "Khamenei: not one US soldier",
            "source": "Tehran Times",
            "url": "https://example.com/tt/1",
            "published": "2023-04-30",
            "text": "\n\n".join(paras[:-1]),
        },
        {
            "title": "Iran's leader presses Iraq on US troops",
            "source": "Al Arabiya",
            "url": "https://example.com/aa/2",
            "published": "2023-04-30",
            "text": "Tehran's message to Baghdad was blunt.\n\n" + seed.body,
        },
    ]
    other = {
        "title": "Pentagon keeps troops in Iraq",
        "source": "AP",
        "published": "2023-05-01",
        "text": "The Pentagon said on Monday it had no plans to pull its 2,500 troops out of Iraq, where "
        "they advise Iraqi forces fighting Islamic State, despite Iran's call for them to leave.",
    }
    (news / "copies.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [*copies, other]))
    build_index(news, tmp_path / "index")
    hits = retrieve(QUESTION, k=5, index_dir=tmp_path / "index")
    texts = [h.text for h in hits]
    assert len(texts) == len(set(texts))  # no passage twice
    top = hits[0]
    outlets = {"Reuters", "Tehran Times", "Al Arabiya"}  # the seed (Reuters) and its two copies
    assert {o.source for o in top.citation.carried_by} == outlets - {top.citation.source}
    assert "https://example.com/tt/1" in {o.url for o in top.citation.carried_by} | {top.citation.url}
    pentagon = retrieve(
        "does the Pentagon plan to pull troops out of Iraq?", k=1, index_dir=tmp_path / "index"
    )
    assert pentagon[0].citation.source == "AP" and pentagon[0].citation.carried_by == ()  # a different story
    index = get_retriever(tmp_path / "index").index
    for article_id in index.articles:  # the story lookup against a scan of every article row
        story = index.articles[article_id].story_id or article_id
        scan = (index.stories == index.stories[index.articles.row(story)]) & ~index.dead_articles
        assert index.story_members(story) == [index._article_id(int(r)) for r in scan.nonzero()[0]]
