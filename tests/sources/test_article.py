"""The one road from Record to Article: repair -> paragraphs -> classify -> date ->
language -> fields; notes placed at the record's file and line; exact offsets."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sourcetools import check_offsets

from app.sources.article import article_id, make_article
from app.sources.base import Record
from app.text.dates import DHAKA
from app.types import Article, Kind

pytestmark = pytest.mark.usefixtures("no_network")  # every test here runs offline

BODY = (
    "The river port authority cut berthing fees by a quarter on Sunday, The Daily Star reported.The "
    "chairman said volumes had fallen 18 percent since 2022.\n\n"
    "Shipping agents said the move was welcome but late.&nbsp;&ldquo;We lost three customers,&rdquo; "
    "one said."
)


def test_make_article_repairs_before_the_body_is_fixed():
    record = Record(
        text=BODY,
        path="news/a.jsonl",
        line=7,
        title="Port fees cut",
        published="2024-03-01 10:00",
        source="Unknown",
        author=" Staff &amp; agencies ",
    )
    made = make_article(record, tz=DHAKA)
    article = made.article
    assert article.body == (
        "The river port authority cut berthing fees by a quarter on Sunday, The Daily Star reported. The "
        "chairman said volumes had fallen 18 percent since 2022.\n\n"
        "Shipping agents said the move was welcome but late. “We lost three customers,” one said."
    )
    sentences = check_offsets(article)
    assert "The chairman said volumes had fallen 18 percent since 2022." in sentences
    assert article.published == datetime(2024, 3, 1, 10, 0, tzinfo=DHAKA)
    assert article.source is None and article.author == "Staff & agencies"  # "Unknown" is no name
    assert article.article_id == article_id(article.title, article.body)
    assert all(n.path == "news/a.jsonl" and n.line == 7 for n in made.problems)
    assert {n.kind for n in made.problems} == {Kind.REPAIRED}


def test_not_an_article_is_none_unless_keep_all():
    teasers = "\n".join(f"Headline number {i} about the news of the day" for i in range(6))
    record = Record(text=teasers, path="home.html", title="Home")
    made = make_article(record)
    assert made.article is None and made.reason == Kind.LISTING
    kept = make_article(record, keep_all=True)
    assert kept.article is not None and kept.reason == Kind.LISTING
    empty = make_article(Record(text="", path="x.json", title="Only a title"), keep_all=True)
    assert empty.article is None and empty.reason == Kind.NO_BODY


def test_undated_notes_name_the_value():
    made = make_article(Record(text="A story about the port.", path="a.csv", line=3, published="N/A"))
    assert made.article.published is None
    (note,) = [n for n in made.problems if n.kind == Kind.UNDATED]
    assert str(note) == "a.csv:3: published: no date ('N/A' is a placeholder) [undated]"
    quiet = make_article(Record(text="A story about the port.", path="a.csv"))  # no date field at all
    assert not [n for n in quiet.problems if n.kind == Kind.UNDATED]


def test_relative_date_uses_the_records_crawl_time():
    record = Record(
        text="রাজধানীতে শীতের তীব্রতা বাড়ছে।",
        path="a.json",
        published="৭ ঘণ্টা আগে",
        crawled=datetime(2025, 12, 17, 19, 31),
    )
    assert make_article(record, tz=DHAKA).article.published == datetime(2025, 12, 17, 12, 31, tzinfo=DHAKA)


def test_headline_may_not_belong_is_a_note_not_a_drop():
    body = (
        "The city council approved bus lanes along six kilometres of Mirpur Road on Monday. Buses will have "
        "the left lane from seven in the morning. Commuters welcomed the plan but asked for enforcement."
    )
    made = make_article(Record(text=body, path="a.json", title="Chelsea appoint new manager for next season"))
    assert made.article is not None
    assert [n.kind for n in made.problems] == [Kind.HEADLINE]


def test_article_round_trips_through_a_dict():
    article = make_article(
        Record(
            text="Ferries ran again.",
            path="a.txt",
            title="Ferries",
            published="2024-01-01T00:00:00Z",
            language="en",
        )
    ).article
    data = article.to_dict()
    assert data["published"] == "2024-01-01T00:00:00+00:00" and data["language"] == "en"
    assert Article.from_dict(data) == article
    assert article.published == datetime(2024, 1, 1, tzinfo=timezone.utc)
