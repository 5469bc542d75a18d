"""The walker: every suffix to its reader, documentation and unsupported files reported
by path, hostile files, duplicates across files, the summary, progress."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from sourcetools import FIXTURES, SEED_TEXT

from app.sources.dedupe import Deduper, url_key
from app.sources.reading import ReadOptions
from app.sources.reading import read_all as load
from app.types import Kind

pytestmark = pytest.mark.usefixtures("no_network")  # every test here runs offline

GOOD = "Port strike ends after pay deal\n\nDock workers at Chittagong went back to work on Friday.\n"


def test_a_folder_of_every_format(tmp_path):
    news = tmp_path / "news"
    shutil.copytree(FIXTURES, news)
    shutil.copy(SEED_TEXT, news / "seed.txt")
    (news / "sub").mkdir()
    (news / "sub" / "notes.pdf").write_bytes(b"%PDF-1.4 ...")
    (news / "sub" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (news / "sub" / "story.docx").write_bytes(b"PK\x03\x04")
    (news / "sub" / "data.parquet").write_bytes(b"PAR1")
    (news / ".hidden.txt").write_text(GOOD)
    result = load(news)
    formats = {r.format for r in result.reports}
    assert {
        "text",
        "bdnews24 text",
        "json",
        "jsonl",
        "csv",
        "tsv",
        "feed (RSS)",
        "feed (Atom)",
        "html",
        "sgml",
    } <= formats
    by_path = {}
    for note in result.problems:
        by_path.setdefault(note.path, []).append(note)
    unsupported = {p for p, ns in by_path.items() if any(n.kind == Kind.UNSUPPORTED for n in ns)}
    assert {
        "news/sub/notes.pdf",
        "news/sub/photo.jpg",
        "news/sub/story.docx",
        "news/sub/data.parquet",
        "news/feeds/sitemap.xml",
        "news/records/questions.jsonl",
    } <= unsupported
    assert "PDF: save its text as .txt" in by_path["news/sub/notes.pdf"][0].message
    docs = {p for p, ns in by_path.items() if any(n.kind == Kind.DOCUMENTATION for n in ns)}
    assert {
        "news/docs/README.md",
        "news/docs/LICENSE",
        "news/docs/CHANGELOG.md",
        "news/docs/dataset_info.json",
        "news/docs/metadata.csv",
        "news/docs/how_to_use.md",
    } <= docs
    assert not any(a.path.startswith("news/docs/") and "story" not in a.path for a in result.articles)
    assert not any(".hidden" in a.path for a in result.articles)
    # the saved bdnews24 page and the seed's text are one article, kept once
    seed = [a for a in result.articles if a.title.startswith("Even one American")]
    assert len(seed) == 1
    assert any(n.kind == Kind.DUPLICATE and "the same article" in n.message for n in result.problems)
    assert set(result.languages()) == {"en", "bn"}
    assert all(a.language in ("en", "bn") for a in result.articles)


def test_documentation_is_read_with_keep_all(tmp_path):
    (tmp_path / "README.md").write_text(
        "# About\n\nThis folder holds the articles we collected for the paper.\n"
    )
    assert load(tmp_path).articles == ()
    kept = load(tmp_path, ReadOptions(keep_all=True))
    assert len(kept.articles) == 1 and kept.problems[0].kind == Kind.DOCUMENTATION


def test_hostile_files(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "nul.json").write_bytes(b'{"text": "a\x00b"}')
    (tmp_path / "latin1.txt").write_bytes(
        "Caf\xe9 title\n\nThe caf\xe9 reopened on Monday.\n".encode("latin-1")
    )
    (tmp_path / "utf16.txt").write_bytes(
        "Jute mills to reopen\n\nThree mills will reopen.\n".encode("utf-16")
    )
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "gone.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "huge.txt").write_bytes(b"Huge\n\n" + b"word " * 500_000)
    result = load(tmp_path)
    assert sorted(a.title for a in result.articles) == [
        "Café title",
        "Jute mills to reopen",
        GOOD.split("\n")[0],
    ]
    notes = {n.path.split("/")[-1]: n for n in result.problems}
    assert notes["empty.txt"].message == "empty file"
    assert notes["photo.txt"].kind == Kind.UNSUPPORTED and "PNG image" in notes["photo.txt"].message
    assert "NUL" in notes["nul.json"].message
    assert notes["latin1.txt"].kind == Kind.ENCODING
    assert notes["gone.txt"].message == "broken symbolic link"
    assert "not a regular file" in notes["pipe.txt"].message
    assert notes["huge.txt"].kind == Kind.TOO_LARGE
    assert "good.txt" in {p.split("/")[-1] for p in result.files} and "gone.txt" not in result.files


def test_duplicates_by_url_and_body_and_a_teaser_replaced_by_its_story(tmp_path):
    records = [
        {
            "title": "Teaser",
            "text": "A short teaser of a story.",
            "url": "https://x.example/story?utm_source=rss",
        },
        {
            "title": "Ferry resumes",
            "text": "Ferries ran again on Monday after fog.",
            "url": "https://x.example/a",
        },
        {
            "title": "Ferry resumes (copy)",
            "text": "Another crawl of the same page.",
            "url": "http://www.x.example/a/",
        },
        {
            "title": "Other title",
            "text": "Ferries ran again on Monday after fog.",
            "url": "https://y.example/b",
        },
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    result = load(tmp_path)
    assert [a.title for a in result.articles] == ["Teaser", "Ferry resumes"]
    dupes = [n for n in result.problems if n.kind == Kind.DUPLICATE]
    assert [(n.line, "URL" in n.message, "body" in n.message) for n in dupes] == [
        (3, True, False),
        (4, False, True),
    ]
    assert all(n.message.startswith("duplicate of ") and "a.jsonl:2 " in n.message for n in dupes)


def test_teaser_replacement_in_the_deduper():
    from app.sources.article import make_article
    from app.sources.base import Record

    teaser = make_article(
        Record(
            text="Short teaser of the story.",
            path="feed.xml",
            line=3,
            title="Story",
            url="https://x.example/s",
            teaser=True,
        )
    ).article
    full = make_article(
        Record(
            text="The whole story, at length, with quotes.",
            path="page.html",
            title="Story",
            url="https://x.example/s/",
        )
    ).article
    dedupe = Deduper()
    assert dedupe.add(teaser) is None
    note = dedupe.add(full)
    assert "full story replaces the teaser at feed.xml:3" in note.message
    assert dedupe.articles() == [full]


def test_url_key():
    assert url_key("https://www.X.example/a/?utm_source=rss&id=3#top") == "//x.example/a?id=3"
    assert url_key("http://x.example/a") == url_key("https://x.example/a/")
    assert url_key(None) is None


def test_summary_groups_problems_by_kind(tmp_path):
    (tmp_path / "a.csv").write_text(
        "title,text,date\nOne,First story about the port.,N/A\nTwo,Second story about the rail.,Unknown\n"
        "Three,,2024-01-01\n"
    )
    result = load(tmp_path)
    assert (len(result.articles), result.records, len(result.reports)) == (2, 3, 1)
    assert sum(a.published is None for a in result.articles) == 2
    assert result.languages() == {"en": 2}
    assert result.mappings() == ["csv (1 file(s)): title=title, text=text, published=date"]
    assert result.counts() == {Kind.UNDATED: 2, Kind.NO_BODY: 1}


def test_progress_bars_do_not_change_the_result(tmp_path, capsys):
    shutil.copy(SEED_TEXT, tmp_path / "seed.txt")
    quiet = load(tmp_path)
    loud = load(tmp_path, ReadOptions(progress=True))
    assert quiet.articles == loud.articles
    assert "file" in capsys.readouterr().err
