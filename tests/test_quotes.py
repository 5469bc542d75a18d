"""Quotes and speakers: hand-annotated news sentences, each row a pattern outlets use."""

import json

import pytest
from conftest import PROJECT, SEED

from app import load_articles
from app.news.quotes import find_quotes


def speakers(text):
    return [(text[q.start : q.end], q.speaker, q.name, q.verb) for q in find_quotes(text)]


def test_seed_quotes_are_khamenei_and_rashid_resolved_to_full_names():
    (article,) = load_articles(SEED.parent).articles
    found = speakers(article.body)
    assert [(speaker, name) for _, speaker, name, _ in found] == [
        ("Khamenei", "Ayatollah Ali Khamenei"),  # "... ," state media quoted Khamenei as saying
        ("Khamenei", "Ayatollah Ali Khamenei"),  # "... ," Khamenei told Rashid
        ("Rashid", "Abdul Latif Rashid"),  # "... ," Rashid was quoted as saying
    ]
    assert found[1][0] == "Even the presence of one American in Iraq is too much,"
    assert [verb for *_, verb in found] == ["quoted as saying", "told", "was quoted as saying"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # quote, then SPEAKER VERB
        (
            '"We are not pausing, that is very clear," ECB President Christine Lagarde told reporters.',
            [("Christine Lagarde", "told")],
        ),
        # quote, then VERB SPEAKER (inverted)
        (
            'Tony Blair spoke on Monday. "We will not back down on this," said Mr Blair.',
            [("Tony Blair", "said")],
        ),
        # SPEAKER VERB: quote
        (
            'Gordon Brown was asked about tax. He told the BBC: "The economy is strong and stable."',
            [("Gordon Brown", "told")],
        ),
        # according to
        (
            '"The backlog will take a week to clear," according to the port authority.',
            [("the port authority", "according to")],
        ),
        # an unnamed speaker stays as written
        (
            'A spokesman for the firm said: "We do not comment on market rumours."',
            [("A spokesman for the firm", "said")],
        ),
        # a partial quote inside the sentence
        (
            'Opposition leader Michael Howard called the plan "a betrayal of voters" on Tuesday.',
            [("Michael Howard", "called")],
        ),
        # continuation: the next quote, unattributed, is the same speaker's
        (
            '"Nobody wanted this strike," Santos said. "But the operators left us no choice at all."',
            [("Santos", "said"), ("Santos", "")],
        ),
        # curly quotes
        (
            "“Prices will keep rising this year,” the central bank’s governor warned.",
            [("the central bank’s governor", "warned")],
        ),
    ],
)
def test_attribution_patterns(text, expected):
    assert [(name, verb) for _, _, name, verb in speakers(text)] == expected


def test_scare_quotes_and_titles_are_not_speech():
    assert find_quotes('The so-called "reform" was dropped after the "Brexit" vote.') == []


def test_pronoun_resolves_to_the_last_named_speaker():
    text = (
        '"The deal is done," union leader Maria Santos told reporters.\n\n'
        'Asked about night shifts, she said: "Two a week is the limit we agreed."'
    )
    assert [name for _, _, name, _ in speakers(text)] == ["Maria Santos", "Maria Santos"]


def test_offsets_are_inside_the_marks():
    text = 'He said: "It is over now." Then he left.'
    (q,) = find_quotes(text)
    assert text[q.start - 1] == '"' and text[q.end] == '"'


SHARED_DATA = PROJECT.parent / "shared" / "data"


@pytest.mark.skipif(
    not (SHARED_DATA / "bbc").is_dir(),
    reason="the gold set's articles are in ../shared/data (publishers' texts, not in the repo)",
)
def test_attribution_on_the_hand_annotated_gold_set_keeps_its_level():
    """165 quote-speaker pairs annotated by hand in 18 real BBC and CNN articles
    (tests/fixtures/quotes_gold.jsonl holds offsets and names only). Floors a little
    under the measured figures (held-out 0.730 / 0.675, all 0.805 / 0.752), so a rule
    change that costs attributions fails here, not in a user's answers."""
    from benchmarks.eval_quotes import GOLD, evaluate, split

    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    parts = split(rows)
    held_out, everything = evaluate(SHARED_DATA, parts["held_out"]), evaluate(SHARED_DATA, parts["all"])
    assert held_out["precision"] >= 0.70 and held_out["recall"] >= 0.65, held_out
    assert everything["precision"] >= 0.78 and everything["recall"] >= 0.73, everything
