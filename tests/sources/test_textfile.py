"""One-article text files: the seed's bdnews24 saved-page text (unchanged behaviour) and
plain .txt/.md with their title, date line and dateline rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sourcetools import SEED_TEXT, SEED_TITLE, check_offsets

from app.sources.reading import read_all as load
from app.text.dates import DHAKA
from app.types import Kind

pytestmark = pytest.mark.usefixtures("no_network")  # every test here runs offline

def test_seed_header_fields_as_today():
    (article,) = load(SEED_TEXT).articles
    assert article.title == SEED_TITLE
    assert article.standfirst.startswith("The US is an unreliable friend, and Iraq should not allow")
    assert article.standfirst.endswith("told visiting Iraqi President Rashid")
    assert article.source == "Reuters" and article.author == "Reuters"
    assert article.published == datetime(2023, 4, 30, 2, 7, tzinfo=DHAKA)
    assert article.updated == datetime(2023, 4, 30, 2, 7, tzinfo=DHAKA)
    assert article.published.utcoffset() == timedelta(hours=6)
    assert article.article_id == "0ce2f05d5440bcdf"  # the id today's reader gives the seed
    assert article.language == "en"


def test_seed_body_is_the_seven_paragraphs_and_no_furniture():
    (article,) = load(SEED_TEXT).articles
    paras = article.body.split("\n\n")
    assert len(paras) == 7
    assert paras[0].startswith("The United States is an unreliable friend")
    assert paras[-1].startswith("\"Iraq's main effort is to deepen relations with Iran")
    for furniture in ("RELATED STORIES", "Yazidi", "Saddam", "Pentagon chief", "Opinion", "Tasneem Hossain"):
        assert furniture not in article.body
    raw = SEED_TEXT.read_text(encoding="utf-8")
    assert all(p in raw for p in paras)
    check_offsets(article)


def test_plain_text_title_date_line_and_dateline(tmp_path):
    (tmp_path / "dated.md").write_text(
        "# Cyclone makes landfall\n\nPublished: 14 May 2023\n\nThe cyclone crossed the coast at noon.\n"
    )
    (tmp_path / "wire.txt").write_text(
        "Wheat prices climb\n\nLONDON, May 9, 2023 (Reuters) - Wheat prices rose for a third day.\n"
    )
    (tmp_path / "untitled.txt").write_text(
        "Floodwater receded in Sylhet on Thursday, letting families return home. More rain is forecast.\n"
    )
    result = load(tmp_path)
    by_name = {a.path.split("/")[-1]: a for a in result.articles}
    assert by_name["dated.md"].title == "Cyclone makes landfall"
    assert by_name["dated.md"].published.date().isoformat() == "2023-05-14"
    assert by_name["dated.md"].body == "The cyclone crossed the coast at noon."
    assert by_name["wire.txt"].published.date().isoformat() == "2023-05-09"
    assert by_name["wire.txt"].body.startswith("LONDON, May 9, 2023 (Reuters) -")  # the dateline stays text
    untitled = by_name["untitled.txt"]
    assert untitled.title == "Floodwater receded in Sylhet on Thursday, letting families return home."
    assert [n.kind for n in result.problems] == [Kind.NO_TITLE]


def test_bdnews24_page_with_only_furniture(tmp_path):
    (tmp_path / "related.txt").write_text(
        "date 2023-05-01     বাংলা\n\nLatest news from Bangladesh and the world\n\nbdnews24.com\n\n"
        "Published : 01 May 2023, 09:00 AM\nUpdated : 01 May 2023, 09:00 AM\n\nRELATED STORIES\n\n"
        "Khamenei says US troops must leave Iraq\nPentagon chief makes unannounced trip to Baghdad\n"
    )
    result = load(tmp_path)
    assert result.articles == ()
    assert [n.kind for n in result.problems] == [Kind.BOILERPLATE_ONLY]
