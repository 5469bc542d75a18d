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
