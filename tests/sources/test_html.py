"""Saved web pages: the bdnews24 page equals the seed's text format; outlets' pages give
text and metadata without furniture; captcha, block, spam and homepages are reported."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sourcetools import FIXTURES, SEED_TEXT, SEED_TITLE, check_offsets

from app.sources.reading import ReadOptions
from app.sources.reading import read_all as load
from app.text.dates import DHAKA
from app.types import Kind

pytestmark = pytest.mark.usefixtures("no_network")  # every test here runs offline

HTML = FIXTURES / "html"


def one(name: str, **options):
    result = load(HTML / name, ReadOptions(**options))
    return (result.articles[0] if result.articles else None), result


def test_saved_bdnews24_page_gives_the_same_article_as_the_seed_text():
    page, _ = one("bdnews24_seed.html")
    text = load(SEED_TEXT).articles[0]
    for field in ("title", "body", "published", "source", "standfirst", "updated", "article_id"):
        assert getattr(page, field) == getattr(text, field), field
    assert page.title == SEED_TITLE and page.source == "Reuters"
    assert page.published == datetime(2023, 4, 30, 2, 7, tzinfo=DHAKA)
    assert page.published.utcoffset() == timedelta(hours=6)
    assert page.url.startswith("https://bdnews24.com/world/middle-east/even-one-american")
    assert len(page.body.split("\n\n")) == 7
    for furniture in (
        "RELATED STORIES",
        "Yazidi",
        "Pentagon chief",
        "Opinion",
        "Tasneem Hossain",
        "Advertisement",
        "Share on Facebook",
        "Published :",
        "All rights reserved",
    ):
        assert furniture not in page.body
    check_offsets(page)


def test_prothom_alo_english_page_without_its_furniture():
    article, result = one("prothomalo_en.html")
    assert article.title == "Ferry services resume on Padma after three days of fog"
    assert article.source == "Prothom Alo" and article.author == "Staff Correspondent"
    assert article.published == datetime(2025, 1, 13, 11, 20, tzinfo=DHAKA)
    assert article.url == "https://en.prothomalo.com/bangladesh/local-news/ferry-services-resume-on-padma"
    assert article.language == "en" and len(article.body.split("\n\n")) == 5
    for furniture in (
        "cookie",
        "Sign up",
        "newsletter",
        "Google News",
        "Also read",
        "More from",
        "Rice prices",
        "© 2025",
    ):
        assert furniture not in article.body
    assert result.problems == ()
    check_offsets(article)


def test_prothom_alo_bangla_page_with_a_bangla_date_line():
    article, _ = one("prothomalo_bn.html", tz=DHAKA)
    assert article.title == "রাজশাহীতে আমের মুকুলে ভালো ফলনের আশা"
    assert article.language == "bn" and article.source == "প্রথম আলো"
    assert article.published == datetime(2026, 2, 21, 10, 30, tzinfo=DHAKA)  # "প্রকাশ: ২১ ফেব্রুয়ারি ২০২৬, ১০:৩০"
    assert article.author == "নিজস্ব প্রতিবেদক, রাজশাহী"  # trafilatura's clean-up cut the last vowel sign
    assert "শেয়ার করুন" not in article.body and "সম্পর্কিত খবর" not in article.body
    assert len(article.body.split("\n\n")) == 4
    sentences = check_offsets(article)
    assert "এর মধ্যে ৮০ শতাংশ গাছে মুকুল দেখা গেছে।" in sentences


def test_bbc_like_page():
    article, _ = one("bbc_like.html")
    assert article.title == "Lighthouse keepers' cottages to become museum"
    assert article.published == datetime(2024, 6, 3, 5, 12, 44, tzinfo=timezone.utc)  # JSON-LD
    assert article.language == "en"  # <html lang="en-GB">
    assert article.author == "Morwenna Trelawny" and article.source == "BBC News"
    assert article.standfirst.startswith("The row of cottages")
    assert article.body.startswith("A row of lighthouse keepers' cottages")
    for furniture in (
        "Skip to content",
        "Image caption",
        "More on this story",
        "Most read",
        "Related topics",
        "Storm warning",
        "Copyright",
    ):
        assert furniture not in article.body
    check_offsets(article)


def test_comments_and_cookie_banner_are_never_indexed():
    article, _ = one("comments_cookies.html")
    assert article.author == "Nusrat Jahan" and article.source == "The Dhaka Courier Online"
    assert len(article.body.split("\n\n")) == 4
    for furniture in (
        "cookies",
        "newsletter",
        "comments",
        "rahim_1987",
        "unbearable",
        "believe it",
        "Share on",
        "Leave a comment",
    ):
        assert furniture not in article.body


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("captcha.html", Kind.BLOCK),
        ("blocked.html", Kind.BLOCK),
        ("spam.html", Kind.SPAM),
        ("homepage.html", Kind.LISTING),
    ],
)
def test_pages_that_are_not_articles(name, kind):
    article, result = one(name)
    assert article is None
    assert kind in [n.kind for n in result.problems]
    kept, _ = one(name, keep_all=True)  # --keep-all indexes it anyway, still noted
    assert kept is not None


def test_a_page_saved_by_a_browser_keeps_its_url_and_a_page_without_a_date_is_noted(tmp_path):
    page = (HTML / "comments_cookies.html").read_text(encoding="utf-8")
    page = page.replace('<meta property="article:published_time" content="2024-03-18T09:40:00+06:00">\n', "")
    (tmp_path / "saved.html").write_text(
        "<!-- saved from url=(0045)https://dhakacourier.example/city/bus-lanes -->\n" + page, encoding="utf-8"
    )
    result = load(tmp_path / "saved.html")
    assert result.articles[0].url == "https://dhakacourier.example/city/bus-lanes"
    assert result.articles[0].published is None
    assert [n.kind for n in result.problems] == [Kind.UNDATED]
