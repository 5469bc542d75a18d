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
        {
            "kind": "no title",
            "message": "no title; titled from its first sentence: "
            "'A fine story about the harbour reopening.'",
            "path": "news/broken.jsonl",
            "line": 1,
        },
        {
            "kind": "unreadable",
            "message": "broken JSON: Expecting value (column 1)",
            "path": "news/broken.jsonl",
            "line": 2,
        },
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
        "language",
        "teaser",
        "author",
    }
    assert citation["carried_by"] == []
    assert citation["title"] == TITLE and citation["published"].startswith("2023-04-30")


def test_search_prints_citations_and_errors_are_messages(tmp_path):
    text = newsdesk("search", QUESTION, "-k", 2).stdout
    assert TITLE in text and "Reuters · 2023-04-30 · en · paragraph" in text
    missing = newsdesk("search", QUESTION, "--index", tmp_path / "none", check=False)
    assert missing.returncode == 1 and "no index here" in missing.stderr and "Traceback" not in missing.stderr
    bad_k = newsdesk("search", QUESTION, "-k", 0, check=False)
    assert bad_k.returncode == 1 and "k must be a whole number from 1 to 50, got 0" in bad_k.stderr


def test_help_explains_each_command():
    assert "build" in newsdesk("--help").stdout and "add" in newsdesk("--help").stdout
    build_help = newsdesk("build", "--help").stdout
    assert "--seeds" in build_help and "--map" in build_help and "--keep-all" in build_help
    assert "nothing is added" in " ".join(newsdesk("add", "--help").stdout.split())
    assert "127.0.0.1" in newsdesk("serve", "--help").stdout


def test_ask_prints_a_quoted_answer_and_json_citations():
    text = newsdesk("ask", QUESTION).stdout
    assert "Khamenei" in text and "[1] " + TITLE + " — Reuters, 2023-04-30, en, paragraph" in text
    out = json.loads(newsdesk("ask", QUESTION, "--json").stdout)
    assert out["question"] == QUESTION and out["abstained"] is False and "[1]" in out["answer"]
    keys = {"n", "passage_id", "title", "source", "published", "paragraph", "quote", "start", "end"}
    assert keys <= set(out["citations"][0]) and out["citations"][0]["language"] == "en"
    absent = json.loads(newsdesk("ask", "who won the football world cup in 2022?", "--json").stdout)
    assert absent["abstained"] is True and absent["citations"] == []
    assert "I could not find this in the articles." in absent["answer"]


SOURCES = PROJECT / "tests" / "sources" / "fixtures"


def test_add_copies_a_file_and_fetches_a_page_then_the_index_answers(tmp_path):
    import functools
    import http.server
    import threading

    seeds, out = tmp_path / "seeds", tmp_path / "index"
    seeds.mkdir()
    # A real HTTP server on loopback serves a saved news page.
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SOURCES / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/bbc_like.html"
    try:
        result = newsdesk("add", SOURCES / "records" / "export.jsonl", url, "--seeds", seeds, "--out", out)
    finally:
        server.shutdown()
    saved = sorted(p.name for p in seeds.iterdir())
    assert saved == ["127.0.0.1-bbc_like.html", "export.jsonl"], saved
    assert f"Added {seeds / '127.0.0.1-bbc_like.html'}" in result.stdout
    page = (seeds / "127.0.0.1-bbc_like.html").read_text()
    assert page.startswith(f'<meta name="newsdesk:url" content="{url}">')
    hits = json.loads(newsdesk("search", "council", "-k", "20", "--index", out, "--json").stdout)["hits"]
    assert url in {h["citation"]["url"] for h in hits}  # the fetched page keeps its URL
    again = newsdesk("add", SOURCES / "records" / "export.jsonl", "--seeds", seeds, "--out", out)
    assert "Nothing new to add" in again.stdout and "added 0" in again.stdout


def test_add_without_network_fails_in_one_line_and_changes_nothing(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "kept.txt").write_text("A title\n\nA body paragraph about the harbour reopening.\n")
    before = sorted(p.name for p in seeds.iterdir())
    result = newsdesk(
        "add",
        SOURCES / "records" / "export.jsonl",  # read first, but not written: the URL fails
        "http://127.0.0.1:9/a-story",  # nothing listens on the discard port
        "--seeds",
        seeds,
        "--out",
        tmp_path / "index",
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("newsdesk: error: http://127.0.0.1:9/a-story: cannot connect")
    assert "no network here" in lines[0] and "Nothing added" in lines[0]
    assert sorted(p.name for p in seeds.iterdir()) == before and not (tmp_path / "index").exists()


def test_build_maps_fields_keeps_all_and_reads_a_zone(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "export.csv").write_text(
        "headline_txt,details_txt,when\n"
        '"Ferries resume","Ferries resumed on the Padma on Monday after the fog lifted.","2024-01-15 08:30"\n'
    )
    (news / "README.md").write_text("# Our scrape\n\nThis dataset holds news. Please cite us.\n")
    plain = json.loads(newsdesk("build", "--seeds", news, "--out", tmp_path / "a", "--json").stdout)
    assert plain["articles"] == 0  # no text column found, and the README is documentation
    assert {p["kind"] for p in plain["problems"]} == {"unsupported format", "not an article: documentation"}
    mapped = json.loads(
        newsdesk(
            "build",
            "--seeds",
            news,
            "--out",
            tmp_path / "b",
            "--json",
            "--map",
            "title=headline_txt,text=details_txt,published=when",
            "--tz",
            "+06:00",
            "--keep-all",
        ).stdout
    )
    assert mapped["articles"] == 2 and mapped["languages"] == {"en": 2}
    assert mapped["mappings"] == ["csv (1 file(s)): title=headline_txt, text=details_txt, published=when"]
    hits = newsdesk("search", "ferries Padma", "-k", "1", "--index", tmp_path / "b", "--json").stdout
    citation = json.loads(hits)["hits"][0]["citation"]
    assert citation["title"] == "Ferries resume" and citation["published"] == "2024-01-15T08:30:00+06:00"
    assert citation["language"] == "en"
    text = newsdesk("build", "--seeds", news, "--out", tmp_path / "b", "--map", "text=nope").stdout
    assert "unsupported format" in text and "no text column" in text  # the summary groups by kind


def test_build_names_its_model_and_says_when_a_new_model_re_embeds(tmp_path):
    seeds = PROJECT / "seeds"
    first = newsdesk("build", "--seeds", seeds, "--out", tmp_path / "index").stdout
    both = "intfloat/multilingual-e5-small + sentence-transformers/all-MiniLM-L6-v2 (English passages)"
    assert f"model: {both}\n" in first
    switched = newsdesk("build", "--seeds", seeds, "--out", tmp_path / "index", "--model", "minilm").stdout
    assert f"model: sentence-transformers/all-MiniLM-L6-v2 (was {both}" in switched
    assert "added 7, removed 0, unchanged 0" in switched  # every passage embedded again
