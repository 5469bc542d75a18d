"""RSS 2.0 and Atom feeds: full items, teaser items (kept, marked, link kept), a
title-only item, an undated item; an .xml that is not a feed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sourcetools import FIXTURES, check_offsets

from app.sources.feeds import sniff
from app.sources.reading import read_all as load
from app.types import Kind

pytestmark = pytest.mark.usefixtures("no_network")  # every test here runs offline

FEEDS = FIXTURES / "feeds"
DHAKA = timezone(timedelta(hours=6))


def test_rss_full_items_and_teasers():
    result = load(FEEDS / "outlet_rss.xml")
    shelters, ban, tariff, salt = result.articles
    assert result.reports[0].format == "feed (RSS)"
    # a full item: content:encoded is the body, HTML made paragraphs, entities decoded
    assert not shelters.teaser and shelters.title == "Cyclone shelters to get solar power before monsoon"
    assert shelters.body.split("\n\n")[1].startswith(
        "The shelters lost power for up to three days during last year’s"
    )
    assert "“Light is safety in a shelter,”" in shelters.body
    assert "appeared first on" not in shelters.body  # the WordPress footer is furniture
    assert shelters.published == datetime(2024, 3, 12, 8, 15, tzinfo=DHAKA)
    assert shelters.author == "Arif Hossain" and shelters.source == "The Coastal Herald - Latest"
    assert shelters.language == "en" and shelters.line == 11
    # teasers: summary only, short or cut off; kept, marked, link kept
    assert ban.teaser and ban.body.endswith("hilsa fry…")
    assert (
        ban.url == "https://coastalherald.example/national/meghna-fishing-ban?utm_source=rss&utm_medium=feed"
    )
    assert (
        tariff.teaser
        and tariff.body
        == "The water authority will not raise household tariffs this year, its chairman said."
    )
    # an item with only a headline is still indexed, as a teaser, undated ("N/A")
    assert salt.teaser and salt.body == salt.title and salt.published is None
    kinds = [(n.line, n.kind) for n in result.problems]
    assert (23, Kind.TEASER) in kinds and (35, Kind.UNDATED) in kinds
    assert not [n for n in result.problems if n.kind == Kind.REPAIRED]  # HTML is the format here, not damage
    for article in result.articles:
        check_offsets(article)


def test_atom_feed():
    result = load(FEEDS / "wire.atom")
    tea, garments = result.articles
    assert result.reports[0].format == "feed (Atom)"
    assert not tea.teaser and len(tea.body.split("\n\n")) == 3
    assert tea.standfirst == "Average prices at the weekly tea auction rose for the third week in a row."
    assert tea.published == datetime(2024, 5, 2, 6, 30, tzinfo=timezone.utc)
    assert tea.updated == datetime(2024, 5, 2, 7, 0, tzinfo=timezone.utc)
    assert tea.author == "Shirin Akhter" and tea.url == "https://riversidewire.example/business/tea-auction"
    assert garments.teaser and garments.url.endswith("garments-april")


def test_an_xml_that_is_not_a_feed_is_reported():
    result = load(FEEDS / "sitemap.xml")
    (note,) = result.problems
    assert note.kind == Kind.UNSUPPORTED and "<urlset>" in note.message
    assert result.articles == ()


def test_sniff_by_root_element():
    assert sniff(b'<?xml version="1.0"?>\n<!-- c --><rss version="2.0"><channel/></rss>') == "RSS"
    assert sniff(b'<feed xmlns="http://www.w3.org/2005/Atom">') == "Atom"
    assert sniff(b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="x">') == "RSS 1.0"
    assert sniff(b'<?xml version="1.0"?><!DOCTYPE x><urlset>') is None


def test_a_broken_feed_and_a_feed_without_items(tmp_path):
    (tmp_path / "empty.rss").write_text('<rss version="2.0"><channel><title>Nothing</title></channel></rss>')
    (tmp_path / "broken.xml").write_text('<rss version="2.0"><channel><item><title>Half')
    result = load(tmp_path)
    messages = {n.path.split("/")[-1]: n for n in result.problems}
    assert messages["empty.rss"].kind == Kind.NO_BODY
    assert messages["broken.xml"].path.endswith("broken.xml")
