from conftest import ARTICLES, SEED

from app import load_articles
from app.text.sentences import sentence_spans


def sentences(text):
    return [text[s:e] for s, e in sentence_spans(text)]


def test_splits_news_prose_and_keeps_quotes_whole():
    text = (
        '"Americans are not friends of Iraq. Americans are not friends with anyone," state media '
        "quoted Khamenei as saying. The U.S. has some 2,500 troops in Iraq. Mr. Rashid agreed!"
    )
    assert sentences(text) == [
        # a quote of two sentences stays with its attribution
        '"Americans are not friends of Iraq. Americans are not friends with anyone," state media '
        "quoted Khamenei as saying.",
        "The U.S. has some 2,500 troops in Iraq.",
        "Mr. Rashid agreed!",
    ]


def test_a_stray_quote_mark_does_not_swallow_the_paragraph():
    text = 'He said "no. ' + "The talks went on for hours. " * 40
    assert len(sentences(text)) > 10


def test_initials_and_abbreviations_do_not_end_sentences():
    assert sentences("Abdul L. Rashid met Gen. Smith on Jan. 5 in Tehran. Talks went well.") == [
        "Abdul L. Rashid met Gen. Smith on Jan. 5 in Tehran.",
        "Talks went well.",
    ]


def test_spans_cover_every_character_and_respect_offset():
    text = "  One.  Two?\nThree "
    spans = sentence_spans(text, offset=100)
    assert [text[s - 100 : e - 100] for s, e in spans] == ["One.", "Two?", "Three"]


def test_english_terms_are_bm25s_tokens():
    """The keyword index's English terms are computed without importing bm25s; they
    must stay what ``bm25s.tokenize`` makes (the evaluation's numbers depend on them)."""
    import bm25s
    from bm25s.stopwords import STOPWORDS_EN

    from app.text import terms

    texts = [a.body for a in load_articles(ARTICLES).articles] + [SEED.read_text(encoding="utf-8")]
    texts += ["", "a", "The THE the", "İstanbul ŞEHİR Straße", "x_y __init__ 2023 ٣٤ U.S. it's", "ab\u0301c"]
    stemmer = terms._stemmer()
    expected = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)
    assert terms._english(texts) == [list(t) for t in expected]
    assert terms.STOPWORDS == set(STOPWORDS_EN)
