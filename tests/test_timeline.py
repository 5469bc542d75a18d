"""The answer in time: the timeline of its articles, the question's coverage over time,
their charts, and the answer as Markdown with footnotes. The fixture is five stories
about US troops in Iraq from three outlets (April to June 2023) beside the seed."""

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, QUESTION, SEED, TITLE

from app import build_index
from app.answer.ask import ask
from app.answer.timeline import coverage, related_hits, timeline
from app.ui.charts import coverage_chart, timeline_chart
from app.ui.render import answer_footnotes, sources_html

STORIES = FIXTURES / "timeline" / "iraq-troops.jsonl"


@pytest.fixture(scope="module")
def troops_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("troops")
    (root / "news").mkdir()
    shutil.copy(SEED, root / "news" / SEED.name)
    shutil.copy(STORIES, root / "news" / STORIES.name)
    build_index(root / "news", root / "index")
    return root / "index"


@pytest.mark.integration
def test_timeline_places_cited_and_related_articles_where_the_panel_shows_them(troops_index):
    answer = ask(QUESTION, index_dir=troops_index)
    line = timeline(answer)
    cited = {p.outlet: p for p in line.points if p.cited}
    assert cited["Reuters"].title == TITLE and cited["Reuters"].anchor == "source-1"
    assert cited["Reuters"].label == " ".join(f"[{q.n}]" for q in answer.citations if q.source == "Reuters")
    assert cited["Reuters"].published.date() == date(2023, 4, 30)
    related = [p for p in line.points if not p.cited]
    assert [p.title for p in related] == [h.citation.title for h in related_hits(answer)]
    assert related and all(p.anchor.startswith("related-") and p.label == "related" for p in related)
    # Every point opens an entry that the sources panel really has.
    panel = sources_html(answer)
    for point in line.points:
        assert f"id='{point.anchor}'" in panel, point.anchor
    assert line.undated == 0


@pytest.mark.integration
def test_an_abstained_answer_shows_its_possibly_related_articles(troops_index):
    answer = ask("who won the football world cup in 2022?", index_dir=troops_index)
    assert answer.abstained
    line = timeline(answer)
    assert all(not p.cited and p.anchor.startswith("source-") for p in line.points)
    assert len(line.points) + line.undated == len(related_hits(answer)) <= 3


@pytest.mark.integration
def test_coverage_counts_the_matching_articles_per_day_across_the_archive(troops_index):
    spread = coverage(QUESTION, index_dir=troops_index)
    published = {
        json.loads(line)["title"]: json.loads(line)["published"][:10]
        for line in STORIES.read_text().splitlines()
    }
    # Every story names US troops in Iraq; the seed is the sixth article.
    expected: dict[date, int] = {date(2023, 4, 30): 1}
    for day in published.values():
        expected[date.fromisoformat(day)] = expected.get(date.fromisoformat(day), 0) + 1
    assert spread.unit == "day" and dict(spread.counts) == expected
    assert spread.articles == sum(expected.values()) == 6 and spread.undated == 0
    assert [d for d, _ in spread.counts] == sorted(expected)
    # A time in the question does not narrow coverage: it shows every period.
    assert coverage(QUESTION + " in May 2023", index_dir=troops_index).counts == spread.counts
    assert coverage("Reuters", index_dir=troops_index).counts != spread.counts  # other words, other counts
    with pytest.raises(ValueError, match="empty"):
        coverage("  ", index_dir=troops_index)


@pytest.mark.integration
def test_charts_are_vega_lite_with_headlines_on_hover_and_links_to_the_panel(troops_index):
    answer = ask(QUESTION, index_dir=troops_index)
    spec = timeline_chart(timeline(answer)).to_dict()
    assert "/vega-lite/v5." in spec["$schema"]  # the Vega-Lite gradio 6 bundles
    assert spec["usermeta"]["embedOptions"]["renderer"] == "svg"
    encoding = spec["encoding"]
    assert encoding["href"]["field"] == "href" and encoding["y"]["field"] == "outlet"
    assert [t["field"] for t in encoding["tooltip"]][0] == "headline"
    rows = next(iter(spec["datasets"].values()))
    assert {r["href"] for r in rows} == {f"#{p.anchor}" for p in timeline(answer).points}
    assert TITLE in {r["headline"] for r in rows}
    bars = coverage_chart(coverage(QUESTION, index_dir=troops_index)).to_dict()
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["y"]["axis"]["values"] == [0, 1, 2]
    assert "6 matching articles, by day" in bars["title"]["text"]


def test_nothing_to_draw_is_no_chart():
    from app.answer.timeline import Coverage, Timeline

    assert timeline_chart(Timeline(())) is None
    assert coverage_chart(Coverage("q", "day", (), 0)) is None


@pytest.mark.integration
def test_answer_as_markdown_has_a_footnote_for_every_citation(troops_index):
    answer = ask(QUESTION, index_dir=troops_index)
    text = answer_footnotes(answer)
    body, notes = text.split("\n\n", 1)
    markers = re.findall(r"\[\^(\d+)\]", body)
    assert sorted(set(map(int, markers))) == [q.n for q in answer.citations]
    assert "[1]" not in body  # the answer's own markers became footnotes
    for q in answer.citations:
        assert f"[^{q.n}]: " in notes
    first = notes.splitlines()[0]
    assert first.startswith(f"[^1]: {TITLE} — Reuters, 30 Apr 2023, paragraph 1")
    assert first.endswith("seeds/000_e044aac75ced5648.txt") or SEED.name in first
    # The text is the answer's, whole: without the markers, the two are the same words.
    plain = re.sub(r"\[\^\d+\]", "", body).replace("\\", "")
    assert plain == re.sub(r" ?(\[\d+\])+", "", answer.text)
    abstained = ask("who won the football world cup in 2022?", index_dir=troops_index)
    assert answer_footnotes(abstained) == "I could not find this in the articles."
