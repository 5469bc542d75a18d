"""Bangla text rules: sentences with exact offsets, and keyword terms. Every sentence here
is written for the test, not taken from an article."""

import unicodedata

import pytest

from app.text.bangla import is_bangla, normalise_for_terms
from app.text.sentences import sentence_spans
from app.text.terms import keyword_terms


def pieces(text):
    return [text[s:e] for s, e in sentence_spans(text)]


def nfc(text):
    return unicodedata.normalize("NFC", text)


def test_danda_question_and_exclamation():
    t = "আজ বৃষ্টি হয়েছে। কাল কি রোদ উঠবে? কী সুন্দর দিন! আমরা বাড়ি ফিরলাম।"
    assert pieces(t) == ["আজ বৃষ্টি হয়েছে।", "কাল কি রোদ উঠবে?", "কী সুন্দর দিন!", "আমরা বাড়ি ফিরলাম।"]


def test_offsets_are_exact_and_cover_every_character():
    t = "  প্রথম বাক্য। দ্বিতীয় বাক্য।  "
    spans = sentence_spans(t, offset=100)
    assert spans[0][0] == 102 and spans[1][1] == 100 + len(t.rstrip())
    assert [t[s - 100 : e - 100] for s, e in spans] == ["প্রথম বাক্য।", "দ্বিতীয় বাক্য।"]


def test_danda_without_space_still_ends_a_sentence():
    assert pieces("সভা শেষ হয়।এরপর সবাই চলে যান।") == ["সভা শেষ হয়।", "এরপর সবাই চলে যান।"]


def test_abbreviations_initials_decimals_and_times_do_not_split():
    t = "মো. রহিম উদ্দিন ও ড. করিম সভায় ছিলেন। এ. কে. এম. হাসান আসেননি।"
    assert pieces(t) == ["মো. রহিম উদ্দিন ও ড. করিম সভায় ছিলেন।", "এ. কে. এম. হাসান আসেননি।"]
    assert pieces("তিনি আর আসবেন না. পরে জানা গেল।") == ["তিনি আর আসবেন না.", "পরে জানা গেল।"]
    assert pieces("হার ৩.৫ শতাংশ। সভা ১০.৩০ মিনিটে শুরু।") == ["হার ৩.৫ শতাংশ।", "সভা ১০.৩০ মিনিটে শুরু।"]


@pytest.mark.parametrize("open_, close", [("‘", "’"), ("“", "”"), ('"', '"')])
def test_a_quotation_of_several_sentences_stays_with_its_attribution(open_, close):
    t = f"রহিম বলেন, {open_}আমরা তৈরি। কাল শুরু করব।{close} এরপর সভা শেষ হয়।"
    assert pieces(t) == [f"রহিম বলেন, {open_}আমরা তৈরি। কাল শুরু করব।{close}", "এরপর সভা শেষ হয়।"]
    t = "“আমরা তৈরি। কাল শুরু করব,” বলেন তিনি। সভা শেষ হয়।"
    assert pieces(t) == ["“আমরা তৈরি। কাল শুরু করব,” বলেন তিনি।", "সভা শেষ হয়।"]


def test_apostrophes_and_mixed_english():
    assert pieces("Bangladesh’s team জিতেছে। সবাই খুশি।") == ["Bangladesh’s team জিতেছে।", "সবাই খুশি।"]
    assert pieces("এর নাম ‘ঘৃণাস্তম্ভ’। পরে সবাই যান।") == ["এর নাম ‘ঘৃণাস্তম্ভ’।", "পরে সবাই যান।"]


def test_english_text_keeps_the_english_rules():
    text = "The U.S. has some 2,500 troops in Iraq. Mr. Rashid agreed! he said no. Done."
    assert not is_bangla(text)
    expected = ["The U.S. has some 2,500 troops in Iraq.", "Mr. Rashid agreed! he said no.", "Done."]
    assert pieces(text) == expected


def test_bangla_words_are_kept_whole_and_normalised():
    # the default tokenizer shreds these at the vowel signs and the virama
    assert keyword_terms(["শিক্ষার্থীরা প্রতিবাদ করেছে সিলেটে বন্যায়"]) == [
        ["শিক্ষার্থীরা", "প্রতিবাদ", "করেছে", "সিলেটে", nfc("বন্যায়")]
    ]
    decomposed = "বা\u09a1\u09bcি"  # ড় typed as ড + nukta
    assert keyword_terms(["বাড়ি"]) == keyword_terms([decomposed])
    assert normalise_for_terms("র\u200d্যাব") == normalise_for_terms("র্যাব")
    assert normalise_for_terms("উত্\u200dসব") == nfc("উৎসব")


def test_numbers_match_in_either_script_and_question_words_go():
    assert "2023" in keyword_terms(["২০২৩ সালে"])[0] and "2023" in keyword_terms(["in 2023"])[0]
    assert keyword_terms(["কে জিতেছে?"]) == [["জিতেছে"]]


def test_english_in_bangla_text_is_stemmed_and_bangla_is_not():
    (terms,) = keyword_terms(["The elections in ঢাকায় were postponed"])
    assert "elect" in terms and "postpon" in terms and "the" not in terms and nfc("ঢাকায়") in terms


def test_english_text_gets_exactly_the_english_terms():
    import bm25s
    import Stemmer

    text = "Iran's leader said 2,500 U.S. troops must leave Iraq"
    expected = bm25s.tokenize(
        [text], stopwords="en", stemmer=Stemmer.Stemmer("english"), return_ids=False, show_progress=False
    )
    assert keyword_terms([text]) == [list(expected[0])]
