"""Article -> passages: offsets reassemble the body, short and long paragraphs, stable ids."""

from conftest import SEED

from app import load_articles
from app.index.passages import MAX_CHARS, MIN_CHARS, split_passages
from app.sources.article import make_article as make
from app.sources.base import Record


def make_article(title, paras, *, path):
    return make(Record(text="\n\n".join(paras), path=path, title=title)).article


def test_seed_passages_are_its_paragraphs_with_exact_offsets():
    (article,) = load_articles(SEED).articles
    passages = split_passages(article)
    assert [p.paragraph for p in passages] == [1, 2, 3, 4, 5, 6, 7]
    for p in passages:
        assert article.body[p.start : p.end] == p.text
    # the passages and the blank lines between them reassemble the body exactly
    assert "\n\n".join(p.text for p in passages) == article.body


def test_short_paragraphs_merge_and_long_ones_split_at_sentences():
    long_para = " ".join(
        f"Sentence number {i} reports one more fact about the port strike." for i in range(40)
    )
    article = make_article(
        "Port strike",
        ["Short one.", "A normal paragraph that is long enough to stand on its own as a passage.", long_para],
        path="x.txt",
    )
    passages = split_passages(article)
    assert passages[0].text.startswith("Short one.\n\nA normal paragraph")
    assert passages[0].paragraph == 1
    long_parts = [p for p in passages if p.paragraph == 3]
    assert len(long_parts) >= 3
    for p in passages:
        assert article.body[p.start : p.end] == p.text
        assert MIN_CHARS <= len(p.text) <= MAX_CHARS
    assert all(p.text.endswith(".") for p in long_parts)  # cut at sentence ends
    assert " ".join(p.text for p in long_parts) == long_para


def test_ids_are_stable_and_change_with_content():
    (article,) = load_articles(SEED).articles
    again = load_articles(SEED).articles[0]
    assert [p.passage_id for p in split_passages(article)] == [p.passage_id for p in split_passages(again)]
    edited = make_article(article.title, [article.body + " Extra."], path=article.path)
    assert split_passages(edited)[0].passage_id != split_passages(article)[0].passage_id
