"""An update checks the stored articles of unchanged files for duplicates through the
keys each segment keeps (``app.index.reuse``), without decoding them, and finds exactly
what a fresh build of the same folder finds; an index written before those keys still
updates, and gets them once."""

import json

import pytest

from app import build_index
from app.index.manifest import MANIFEST
from app.index.reuse import REUSE_FILE, Reuse
from app.index.store import StoredIndex
from app.sources.dedupe import Keys
from app.types import StoredArticle

FIELDS = ("article_id", "path", "line", "teaser", "language")


def record(title: str, text: str, url: str) -> str:
    return json.dumps({"title": title, "text": text, "url": url}) + "\n"


DOCKERS = "Dockers in Rotterdam accepted a 6 percent raise on Monday, ending a two-week strike."
FLOOD = "The river burst its banks overnight and 3,000 people left their homes, officials said."


def wire(news):
    news.mkdir()
    (news / "wire.jsonl").write_text(
        record("Strike ends", DOCKERS, "https://news.invalid/strike")
        + record("Flood forces evacuations", FLOOD, "https://news.invalid/flood"),
        encoding="utf-8",
    )
    return news


def copy_before(news):
    """A syndicated copy of wire.jsonl's first article in a file read before it: the
    copy is kept, the stored article dropped."""
    (news / "aa-outlet.jsonl").write_text(
        record("Rotterdam port strike over", DOCKERS, "https://outlet.invalid/a"), encoding="utf-8"
    )


def copy_after(news):
    """wire.jsonl's second URL (www., a tracking parameter) over another text, in a file
    read after it: this one is dropped."""
    (news / "zz-outlet.jsonl").write_text(
        record("Floods", "A short teaser about the flood.", "http://www.news.invalid/flood/?utm_source=x"),
        encoding="utf-8",
    )


def copies(news):
    copy_before(news)
    copy_after(news)


def problems(report) -> list:
    return sorted((p.kind, p.message, p.path, p.line, p.kept_in) for p in report.problems)


@pytest.fixture
def decoded(monkeypatch):
    """Counts stored articles decoded from an index's columns."""
    calls = []
    real = StoredArticle.from_dict.__func__
    monkeypatch.setattr(
        StoredArticle, "from_dict", classmethod(lambda cls, *a, **k: calls.append(1) or real(cls, *a, **k))
    )
    return calls


def test_copies_of_an_unchanged_files_articles_are_found_without_decoding_them(tmp_path, decoded):
    news, out = wire(tmp_path / "news"), tmp_path / "index"
    build_index(news, out)
    copies(news)
    decoded.clear()
    update = build_index(news, out, compact=False)  # a delta, as in a large index (a merge decodes)
    assert decoded == []  # wire.jsonl is unchanged: its articles were checked by their keys
    dropped = {
        (p.path, p.kept_in, p.message.split("(")[-1]) for p in update.problems if p.kind == "duplicate"
    }
    assert dropped == {
        ("news/wire.jsonl", "news/aa-outlet.jsonl", "the same body); kept once"),
        ("news/zz-outlet.jsonl", "news/wire.jsonl", "the same URL); kept once"),
    }
    fresh = build_index(news, tmp_path / "fresh")
    assert problems(update) == problems(fresh)
    assert sorted(StoredIndex(out).articles) == sorted(StoredIndex(tmp_path / "fresh").articles)


def test_stand_ins_hold_what_the_stored_articles_hold(tmp_path):
    news, out = wire(tmp_path / "news"), tmp_path / "index"
    copies(news)
    build_index(news, out)
    index = StoredIndex(out)
    reuse = Reuse(index)
    stand_ins = [a for shown in index.manifest["files"] for a in reuse.articles_of(shown)]
    assert len(stand_ins) == len(index.articles) == 2  # two of the four records are copies
    for stand_in in stand_ins:
        stored = index.article_at(reuse.stored[id(stand_in)])
        assert [getattr(stand_in, f) for f in FIELDS] == [getattr(stored, f) for f in FIELDS]
        assert stand_in.keys == Keys.of(stored)
        assert (stand_in.title, stand_in.body, stand_in.story) == (stored.title, stored.body, stored.story)


def strip_reuse_files(out):
    """Make ``out`` an index as builds wrote it before ``REUSE_FILE``, plus what a build
    killed while adding one leaves: a file the manifest does not list."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    for key in ("checksums", "stamps"):
        manifest[key] = {k: v for k, v in manifest[key].items() if not k.endswith(REUSE_FILE)}
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    for segment in out.glob("seg-*"):
        (segment / REUSE_FILE).write_text('{"keys_version": 1, "paths": []}', encoding="utf-8")


def test_an_index_without_stored_keys_updates_the_same_and_gets_them_once(tmp_path, decoded):
    news, out = wire(tmp_path / "news"), tmp_path / "index"
    build_index(news, out)
    strip_reuse_files(out)
    before = [s.folder.name for s in StoredIndex(out).segments]
    copy_after(news)
    update = build_index(news, out, compact=False)  # no merge: the old segment stays
    fresh = build_index(news, tmp_path / "fresh")
    assert problems(update) == problems(fresh)
    index = StoredIndex(out)
    index.verify()  # every file, the added REUSE_FILE too, against the manifest's sha256
    assert [s.folder.name for s in index.segments] == before  # the copy added no article
    assert all(f"{s.folder.name}/{REUSE_FILE}" in index.manifest["checksums"] for s in index.segments)

    (news / "later.jsonl").write_text(record("Later", "Markets were calm on Friday.", "https://x.invalid/l"))
    decoded.clear()
    assert build_index(news, out, compact=False).added > 0
    assert decoded == []
