"""News-native pieces: time in questions, and syndicated copies of one wire story."""

from datetime import date

import numpy as np
import pytest
from conftest import ARTICLES, SEED

from app import load_articles
from app.news import syndication
from app.news.syndication import THRESHOLD, signatures, similarity, story_groups
from app.text.when import time_scope

AS_OF = date(2023, 4, 30)  # the seed article's date: "last week" is relative to it


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("what did Khamenei say in April 2023?", date(2023, 4, 1), date(2023, 4, 30)),
        ("what did he say on 30 April?", date(2023, 4, 30), date(2023, 4, 30)),
        ("what happened yesterday?", date(2023, 4, 29), date(2023, 4, 29)),
        ("news from last week", date(2023, 4, 17), date(2023, 4, 23)),
        ("inflation this year", date(2023, 1, 1), date(2023, 12, 31)),
        ("what happened in 2022?", date(2022, 1, 1), date(2022, 12, 31)),
        ("what has happened since March 2023?", date(2023, 3, 1), None),
        ("what was said before 2022?", None, date(2021, 12, 31)),
        ("wheat prices after May 2023", date(2023, 6, 1), None),
    ],
)
def test_question_dates_become_ranges(question, since, until):
    scope = time_scope(question, AS_OF)
    assert (scope.since, scope.until) == (since, until)


@pytest.mark.parametrize(
    "question",
    [
        "what did Khamenei say about US troops?",
        "what may happen next?",
        "the March on Washington",
        "US troops before the election",
        "what did Khamenei say about the 2003 invasion?",  # a year as a topic, not a time
        "who won the 2022 World Cup?",
    ],
)
def test_no_date_where_there_is_none(question):
    scope = time_scope(question, AS_OF)
    assert scope.since is None and scope.until is None


def test_latest_now_still_ask_for_recent_articles():
    assert time_scope("what is the latest on Iraq?", AS_OF).recent
    assert time_scope("is Khamenei still opposed to US troops?", AS_OF).recent
    assert not time_scope("what did Khamenei say?", AS_OF).recent


def _variants(body: str) -> dict[str, str]:
    """What outlets do to agency copy, applied to a real article body."""
    paras = body.split("\n\n")
    return {
        "trimmed last paragraph": "\n\n".join(paras[:-1]),
        "added standfirst": "The Iranian leader spoke as Baghdad seeks closer ties with Tehran.\n\n" + body,
        "both, plus a byline": "By Staff Reporter\n\nAn added standfirst on the visit.\n\n"
        + "\n\n".join(paras[:-1]),
    }


def test_syndicated_copies_group_and_other_stories_do_not():
    (seed,) = load_articles(SEED.parent).articles
    others = load_articles(ARTICLES).articles
    variants = _variants(seed.body)
    bodies = [seed.body, *variants.values(), *(a.body for a in others)]
    sigs = signatures(bodies)
    for i, name in enumerate(variants, start=1):
        assert similarity(sigs[0], sigs[i]) >= THRESHOLD + 0.2, name
    for j in range(1 + len(variants), len(bodies)):
        assert similarity(sigs[0], sigs[j]) < 0.1
    ids = [f"a{i}" for i in range(len(bodies))]
    grouped = story_groups(ids, sigs)
    story = {grouped[f"a{i}"] for i in range(1 + len(variants))}
    assert story == {"a0"}  # the seed and its three copies: one story
    assert len({grouped[i] for i in ids[1 + len(variants) :]}) == len(others)  # the rest: one each


def test_signatures_and_bands_are_datasketchs(monkeypatch):
    """Stored signatures must not change: ours are datasketch's affine32 MinHash values
    (computed in chunks of shingles: a chunk smaller than one body too), and the LSH
    bands are those MinHashLSH picks for our threshold."""
    from datasketch import MinHash, MinHashLSH

    (seed,) = load_articles(SEED.parent).articles
    bodies = ["", seed.body, "too short", *_variants(seed.body).values(), "", "one two three four five six"]
    bodies += [a.body for a in load_articles(ARTICLES).articles]
    sets = [syndication.shingles(b) for b in bodies]
    expected = [
        m.hashvalues for m in MinHash.bulk(sets, num_perm=syndication.NUM_PERM, seed=1, scheme="affine32")
    ]
    for chunk in (65_536, 100, 1):
        monkeypatch.setattr(syndication, "_CHUNK", chunk)
        assert (signatures(bodies) == np.stack(expected).astype(np.uint64)).all(), chunk
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=syndication.NUM_PERM)
    assert list(syndication.BANDS) == list(lsh.hashranges)


def test_same_subject_different_story_is_not_a_copy():
    a = (
        "Iran's Supreme Leader Ayatollah Ali Khamenei said on Saturday that US troops must leave Iraq, "
        "calling Washington an unreliable friend during a meeting with Iraq's president in Tehran."
    )
    b = (
        "The Pentagon said on Monday it had no plans to withdraw its 2,500 troops from Iraq, where they "
        "advise local forces fighting Islamic State, after Iran's leader called for their departure."
    )
    sa, sb = signatures([a, b])
    assert similarity(sa, sb) < 0.1


def test_dates_come_from_a_date_line_or_a_wire_dateline(tmp_path):
    (tmp_path / "a.txt").write_text(
        "Fed raises rates again\n\nPublished: 3 May 2023, 10:15 AM\n\n"
        "The Federal Reserve raised interest rates by a quarter point on Wednesday.\n"
    )
    (tmp_path / "b.txt").write_text(
        "Wheat climbs\n\nCHICAGO, May 9, 2023 (Reuters) - Wheat futures rose for a third session on Tuesday "
        "as talks on the Black Sea grain deal stalled.\n"
    )
    (tmp_path / "c.jsonl").write_text(
        '{"title": "Oil slips", "text": "LONDON, 2 May 2023 (Reuters) - Oil prices slipped on Tuesday as '
        'worries about demand returned to the market."}\n'
    )
    (tmp_path / "d.txt").write_text(
        "No date here\n\nThe council met on Monday to discuss the budget for next year.\n"
    )
    dates = {a.title: a.published for a in load_articles(tmp_path).articles}
    assert dates["Fed raises rates again"].date() == date(2023, 5, 3)
    assert dates["Wheat climbs"].date() == date(2023, 5, 9)
    assert dates["Oil slips"].date() == date(2023, 5, 2)
    assert dates["No date here"] is None
    body = next(a for a in load_articles(tmp_path).articles if a.title.startswith("Fed")).body
    assert body.startswith("The Federal Reserve")  # the date line is not body text
