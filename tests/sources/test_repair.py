"""Text repair: entities and tags, mojibake, NFC and invisible characters, glued
sentences (and the look-alikes that must stay glued), paragraph recovery, repeats."""

from __future__ import annotations

import unicodedata

import pytest

from app.sources.glued import split_glued
from app.sources.repair import repair_body, repair_line, strip_tags
from app.text.sentences import sentence_spans
from app.types import Kind

pytestmark = pytest.mark.usefixtures("no_network")  # every test here runs offline

def kinds(repaired) -> list[str]:
    return [n.kind for n in repaired.problems]


def test_entities_decoded_even_when_escaped_twice():
    repaired = repair_body("The minister&rsquo;s plan &amp;ldquo;works&amp;rdquo;, he said.")
    assert repaired.paragraphs == ("The minister’s plan “works”, he said.",)
    assert Kind.REPAIRED in kinds(repaired)


def test_tags_become_paragraphs_and_scripts_go():
    repaired = repair_body(
        "<p>First paragraph of the story.</p><script>var ad = 1;</script>"
        "<p>Second one, with a <a href='/x'>link</a> and a<br>break.</p><!-- tracking -->"
    )
    assert repaired.paragraphs == ("First paragraph of the story.", "Second one, with a link and a break.")


def test_reuters_tickers_and_comparisons_are_not_tags():
    text = "First Interstate Bancorp <I> and <AMERICAN EXPRESS CO> said a < b, <HR> too."
    assert repair_body(text).paragraphs == (text,)
    assert strip_tags("<AMERICAN EXPRESS CO> <b>bold</b>") == "<AMERICAN EXPRESS CO> bold"


def test_mojibake_fixed_and_quotes_stay_curly():
    # UTF-8 read as Windows-1252 (0x9D, unmapped there, kept as U+009D as browsers do)
    broken = "The café owners’ association said “no”.".encode().decode("cp1252", errors="replace")
    broken = broken.replace("\ufffd", "\x9d")
    repaired = repair_body(broken)
    assert repaired.paragraphs == ("The café owners’ association said “no”.",)
    assert any("mojibake" in n.message for n in repaired.problems)


def test_clean_bangla_is_not_touched_by_mojibake_repair():
    text = "রাজধানীতে শীতের তীব্রতা বাড়ছে। আবহাওয়া অধিদপ্তর জানিয়েছে।"
    repaired = repair_body(text)
    assert repaired.paragraphs == (unicodedata.normalize("NFC", text),)
    assert repaired.problems == ()


def test_nfc_and_invisible_characters():
    decomposed = "Cafe\u0301 reopens\u200b today\u00ad.\u200e\x07"
    assert repair_body(decomposed).paragraphs == ("Café reopens today.",)


def test_zwnj_and_zwj_kept_between_bangla_letters_only():
    text = "উদ্\u200cযাপন স\u200cঙ্গে স্থানীয়\u200c প্রশাসন x\u200dy"
    (para,) = repair_body(text).paragraphs
    assert "উদ্\u200cযাপন" in para and "স\u200cঙ্গে" in para  # between letters/marks: kept
    assert "স্থানীয় প্রশাসন" in para  # before a space: removed
    assert "xy" in para  # between Latin letters: removed


@pytest.mark.parametrize(
    ("glued", "fixed"),
    [
        ("said The Daily Star.He added more.", "said The Daily Star. He added more."),
        ("Prices rose?Yes, they did!Then fell.", "Prices rose? Yes, they did! Then fell."),
        ("in 2023.The year ended.", "in 2023. The year ended."),
        ("(Reuters).He said so.", "(Reuters). He said so."),
        ('He said."Yes," she replied.', 'He said. "Yes," she replied.'),
        ("said.”He left.", "said.” He left."),
        ("quoted Reuters.তিনি বলেন।", "quoted Reuters. তিনি বলেন।"),
        ("সরকার জানিয়েছে।তিনি বলেন।", "সরকার জানিয়েছে। তিনি বলেন।"),
        ("NATO.The alliance met.", "NATO. The alliance met."),
        ("to info@riverport.gov.bd.Officials said.", "to info@riverport.gov.bd. Officials said."),
    ],
)
def test_glued_sentences_split(glued, fixed):
    assert split_glued(glued)[0] == fixed


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. and U.K. met.",
        "U.S.Army officials said.",
        "J.R.R.Tolkien wrote it.",
        "Mr.Smith and Dr.Rahman spoke.",
        "Md.Rafiqul Islam said.",
        "e.g.The example.",
        "A.Rahman spoke.",
        "Growth was 3.5 percent.",
        "Read it at bdnews24.com today.",
        "Visit Prothomalo.Com today.",
        "See https://example.com/a.B for more.",
        "The Zafi.D worm, Bagle.AT and Bagle.BB, spread.",
        "Visit Halo.Bungie.Org, the fan site.",
        "version 2.0 is out.",
    ],
)
def test_look_alikes_stay_glued(text):
    assert split_glued(text) == (text, 0)


def test_paragraphs_recovered_from_a_one_line_body_with_marks():
    double = (
        "The budget keeps the fertiliser subsidy at last year's level, the minister said.  "
        "Farmers' groups had asked for more after prices rose.  The minister said prices would be reviewed."
    )
    assert len(repair_body(double).paragraphs) == 3
    bullets = (
        "The ministry published new rules on Monday. Here is what changes: • Deposits are capped at two "
        "months' rent • Rent can rise once a year at most • Landlords must give three months' notice"
    )
    paras = repair_body(bullets).paragraphs
    assert len(paras) == 4 and paras[1].startswith("• Deposits")
    assert repair_body("First paragraph.\rSecond paragraph.\rThird.").paragraphs == (
        "First paragraph.",
        "Second paragraph.",
        "Third.",
    )


def test_one_line_without_marks_stays_one_paragraph():
    text = "A long single-line body with sentences. " * 20
    assert len(repair_body(text).paragraphs) == 1
    one_gap = (
        "Short body.  With one double space only and nothing else to mark a paragraph break here at all."
    )
    assert len(repair_body(one_gap * 1).paragraphs) == 1


def test_repeated_paragraphs_and_sentences_kept_once():
    lead = "The city council voted on Tuesday to let kitchen markets stay open until midnight."
    text = f"{lead}\n\nTraders welcomed it. {lead}\n\n{lead}\n\nHe said no.\n\nHe said no."
    repaired = repair_body(text)
    assert repaired.paragraphs == (lead, "Traders welcomed it.", "He said no.", "He said no.")
    (note,) = [n for n in repaired.problems if n.kind == Kind.REPEATED]
    assert "1 repeated paragraph(s) and 1 repeated sentence(s)" in note.message


def test_headline_repeated_as_first_paragraph_dropped():
    repaired = repair_body("Port strike ends\n\nDock workers went back to work.", title="Port strike ends")
    assert repaired.paragraphs == ("Dock workers went back to work.",)


def test_sentence_spans_know_abbreviations():
    para = "Dr. Yunus met the U.S. envoy. He said no! প্রধান উপদেষ্টা বলেন। তিনি যান।"
    assert [para[a:b] for a, b in sentence_spans(para)] == [
        "Dr. Yunus met the U.S. envoy.",
        "He said no!",
        "প্রধান উপদেষ্টা বলেন।",
        "তিনি যান।",
    ]


def test_repair_line():
    assert repair_line("  Dengue &amp; floods <b>update</b>\u200b ") == "Dengue & floods update"
    assert repair_line("   ") is None and repair_line(None) is None
