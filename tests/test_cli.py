"""The newsdesk command, run as a user runs it (a real process)."""

import json
import subprocess
import sys

import pytest
from conftest import PROJECT, QUESTION, TITLE, make_corpus

pytestmark = pytest.mark.integration


def newsdesk(*args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_build_json_then_search_json(tmp_path):
    corpus = make_corpus(tmp_path / "news")
    (corpus / "broken.jsonl").write_text('{"text": "A fine story about the harbour reopening."}\nnot json\n')
    report = json.loads(newsdesk("build", "--seeds", corpus, "--out", tmp_path / "index", "--json").stdout)
    assert report["articles"] == 7 and report["added"] > 0
    assert {"articles", "added", "removed", "unchanged"} <= report.keys()
    assert report["problems"] == [
        {"path": "news/broken.jsonl", "message": "broken JSON: Expecting value (column 1)", "line": 2}
    ]
    assert (
        newsdesk("build", "--seeds", corpus, "--out", tmp_path / "index", "--strict", check=False).returncode
        == 1
    )

    out = json.loads(newsdesk("search", QUESTION, "-k", 3, "--index", tmp_path / "index", "--json").stdout)
    assert out["question"] == QUESTION and [h["rank"] for h in out["hits"]] == [1, 2, 3]
    citation = out["hits"][0]["citation"]
    assert set(citation) == {
        "article_id",
        "passage_id",
        "title",
        "source",
        "published",
        "paragraph",
        "path",
        "url",
        "start",
        "end",
        "carried_by",  # other outlets of the same story (empty here)
    }
    assert citation["carried_by"] == []
    assert citation["title"] == TITLE and citation["published"].startswith("2023-04-30")


def test_search_prints_citations_and_errors_are_messages(tmp_path):
    text = newsdesk("search", QUESTION, "-k", 2).stdout
    assert TITLE in text and "Reuters · 2023-04-30 · paragraph" in text
    missing = newsdesk("search", QUESTION, "--index", tmp_path / "none", check=False)
    assert missing.returncode == 1 and "no index here" in missing.stderr and "Traceback" not in missing.stderr
    bad_k = newsdesk("search", QUESTION, "-k", 0, check=False)
    assert bad_k.returncode == 1 and "k must be greater than 0" in bad_k.stderr


def test_help_explains_each_command():
    assert "build" in newsdesk("--help").stdout
    assert "--seeds" in newsdesk("build", "--help").stdout
    assert "127.0.0.1" in newsdesk("serve", "--help").stdout


def test_ask_prints_a_quoted_answer_and_json_citations():
    text = newsdesk("ask", QUESTION).stdout
    assert "Khamenei" in text and "[1] " + TITLE + " — Reuters, 2023-04-30, paragraph" in text
    out = json.loads(newsdesk("ask", QUESTION, "--json").stdout)
    assert out["question"] == QUESTION and out["abstained"] is False and "[1]" in out["answer"]
    assert {"n", "passage_id", "title", "source", "published", "paragraph", "quote", "start", "end"} <= set(
        out["citations"][0]
    )
    absent = json.loads(newsdesk("ask", "who won the football world cup in 2022?", "--json").stdout)
    assert absent["abstained"] is True and absent["citations"] == []
    assert "I could not find this in the articles." in absent["answer"]
