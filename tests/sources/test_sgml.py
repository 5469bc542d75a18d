"""Reuters-21578 SGML: stories with title, dateline, author, entities, the sign-off,
briefs without a body, unprocessed tables, and one byte that is not UTF-8."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sourcetools import FIXTURES, check_offsets

from app.sources.reading import read_all as load
from app.types import Kind

pytestmark = pytest.mark.usefixtures("no_network")  # every test here runs offline

def test_reuters_sgml_stories():
    result = load(FIXTURES / "sgml" / "reut2-mini.sgm")
    jute, paper, rice = result.articles
    assert result.reports[0].format == "sgml" and result.reports[0].records == 4
    assert jute.title == "BANGLADESH JUTE MILLS RAISE OUTPUT TARGET" and jute.source == "Reuters"
    assert jute.published == datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=timezone.utc)
    assert jute.body.startswith("DHAKA, Feb 26 - State-owned jute mills will raise their output target")
    assert (
        "Corporation <BJMC> said." in jute.body and "<WEST GERMAN BUYERS>" in jute.body
    )  # &lt; decoded, kept
    assert len(jute.body.split("\n\n")) == 3 and not jute.body.endswith("Reuter")
    assert jute.line == 2 and jute.language == "en"
    assert paper.author == "Rafiq Ahmed, Reuters"
    assert "Münster-built" in paper.body  # the one Windows-1252 byte
    assert paper.published.year == 1987  # "00:02:59.13RM": the routing code is dropped
    assert '"We expect a better year," he told reporters. He gave no figures.' in paper.body
    assert rice.title == "DHAKA RICE PRICES - MAR 27" and "Coarse rice" in rice.body  # an unprocessed table
    notes = {(n.line, n.kind): n.message for n in result.problems}
    assert "NEWID 2: a headline-only wire brief" in notes[(27, Kind.NO_BODY)]
    assert "NEWID 3: not valid UTF-8" in notes[(41, Kind.ENCODING)]
    for article in result.articles:
        check_offsets(article)


def test_a_file_without_stories(tmp_path):
    (tmp_path / "empty.sgm").write_text("<DATA>\n</DATA>\n")
    (note,) = load(tmp_path).problems
    assert note.kind == Kind.UNSUPPORTED and "no <REUTERS> stories" in note.message
