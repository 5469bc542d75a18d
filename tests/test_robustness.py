"""Robustness of reading and building: hostile input files, builds killed or run twice at
once, damaged index files, and the retriever under threads.

Every fixture is made here, in temporary folders, so the suite needs nothing outside the
repository. Oracles are what a user would notice: which articles are searchable, which
problems are reported (by file and line), whether the previous index still answers.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import threading
import tracemalloc
import zipfile
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from conftest import ARTICLES, PROJECT, QUESTION, SEED, TITLE, make_corpus

import app.index.build as build_module
from app import build_index, load_articles, retrieve
from app.index.errors import IndexUnavailable
from app.index.passages import paragraph_spans, split_passages
from app.index.store import StoredIndex
from app.search.retriever import Retriever
from app.sources import MAX_ARTICLE_BYTES
from app.types import Kind

GOOD = "Port strike ends after pay deal"
GOOD_BODY = (
    "Dock workers at the port of Chittagong returned to work on Friday after union leaders "
    "accepted a pay rise of nine percent, ending a four-day strike that had stranded ships."
)


def article(title: str, *paras: str) -> str:
    return title + "\n\n" + "\n\n".join(paras) + "\n"


def png_bytes() -> bytes:
    """A real 1x1 PNG image: signature, IHDR, IDAT and IEND chunks with their CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0\0\0\0"))
        + chunk(b"IEND", b"")
    )


def zip_bytes() -> bytes:
    """A real zip holding a perfectly good article: still not an article file itself."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("story.txt", article(GOOD, GOOD_BODY))
    return buffer.getvalue()


BDNEWS_FURNITURE_ONLY = """date 2023-05-01     বাংলা

Latest news from Bangladesh and the world

bdnews24.com

Published : 01 May 2023, 09:00 AM
Updated : 01 May 2023, 09:00 AM

RELATED STORIES

Khamenei says US troops must leave Iraq
Pentagon chief makes unannounced trip to Baghdad
"""

TEASERS = """bdnews24.com: latest news
Cyclone Mocha makes landfall on the coast
Chelsea appoint Pochettino as manager
Wheat prices climb as grain deal talks stall
ECB raises rates by a quarter point
Dhaka metro rail opens second section
Read more stories
"""


def hostile_folder(root: Path) -> tuple[dict[str, str], dict[tuple[str, int | None], str]]:
    """A news folder with good articles among hostile files.

    Returns (good titles -> a phrase of their body, (file, line, kind) -> expected problem words).
    """
    news = root / "news"
    news.mkdir(parents=True)
    good: dict[str, str] = {}
    problems: dict[tuple[str, int | None, str], str] = {}

    (news / "good.txt").write_text(article(GOOD, GOOD_BODY), encoding="utf-8")
    good[GOOD] = "nine percent"
    (news / "empty.txt").write_bytes(b"")
    problems[("empty.txt", None, Kind.UNREADABLE)] = "empty file"
    (news / "blank.md").write_text("\n   \n\t\n", encoding="utf-8")
    problems[("blank.md", None, Kind.UNREADABLE)] = "empty file"
    (news / "photo.txt").write_bytes(png_bytes())  # an image saved under a text name
    problems[("photo.txt", None, Kind.UNSUPPORTED)] = "binary file (PNG image)"
    (news / "bundle.txt").write_bytes(zip_bytes())
    problems[("bundle.txt", None, Kind.UNSUPPORTED)] = "binary file (zip archive"
    (news / "photo.png").write_bytes(png_bytes())
    problems[("photo.png", None, Kind.UNSUPPORTED)] = "image, not read"

    # Windows-1252: 0xE9 is é, 0x92 is the right single quote; the real case is BBC sport/199.
    cp1252 = article("Café owners protest rent rise", "The café owners’ association said rents had doubled.")
    assert b"\xe9" in cp1252.encode("cp1252") and b"\x92" in cp1252.encode("cp1252")
    (news / "windows.txt").write_bytes(cp1252.encode("cp1252"))
    good["Café owners protest rent rise"] = "café owners’ association"
    problems[("windows.txt", None, Kind.ENCODING)] = "not valid UTF-8 (byte 3); read as Windows-1252"

    bom = article(
        "Ferry service resumes on the Padma",
        "Ferries resumed crossing the Padma river on Monday after a week-long suspension caused by fog.",
    )
    (news / "bom.txt").write_bytes(b"\xef\xbb\xbf" + bom.encode("utf-8"))
    good["Ferry service resumes on the Padma"] = "week-long suspension"

    utf16 = article(
        "Jute mills to reopen", "Three state jute mills will reopen next month, the textiles ministry said."
    )
    (news / "utf16.txt").write_bytes(utf16.encode("utf-16"))  # with its BOM, as Windows saves it
    good["Jute mills to reopen"] = "textiles ministry"

    crlf = article(
        "Rail fares to rise in June",
        "Rail fares will rise by five percent in June, the railway ministry said on Tuesday.",
        "Commuter groups said the rise would hurt workers who travel\nfrom the suburbs every day.",
    ).replace("\n", "\r\n")
    (news / "crlf.txt").write_bytes(crlf.encode("utf-8"))
    good["Rail fares to rise in June"] = "five percent"

    tea = "Tea exports reached a record high in April, the tea board said on Sunday."
    garment = "Garment factories reopened in Gazipur on Wednesday after a week of protests over wages."
    records = [
        json.dumps({"title": "Tea exports hit record", "text": tea}),  # 1: good
        '{"title": "Broken", "text": "this line is cut off',  # 2: broken JSON
        json.dumps({"title": "No text here", "source": "Reuters"}),  # 3: no text
        json.dumps({"title": ["a", "list"], "text": "Wrong type of title, so only the title goes."}),  # 4
        json.dumps({"title": "Numbers", "text": 42}),  # 5: wrong type of text
        json.dumps(["not", "an", "object"]),  # 6
        "",  # 7: blank lines are allowed
        json.dumps({"text": garment + " Owners agreed to talks."}),  # 8: good, no title
    ]
    (news / "archive.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    good["Tea exports hit record"] = "record high in April"
    good[garment] = "Owners agreed to talks"
    good["Wrong type of title, so only the title goes."] = "only the title"  # kept: nothing lost
    problems[("archive.jsonl", 2, Kind.UNREADABLE)] = "broken JSON"
    problems[("archive.jsonl", 3, Kind.NO_BODY)] = "no text field; fields are: title, source"
    problems[("archive.jsonl", 4, Kind.FIELD_DROPPED)] = '"title" (title) dropped: a list, not a string'
    problems[("archive.jsonl", 4, Kind.NO_TITLE)] = "titled from its first sentence"
    problems[("archive.jsonl", 5, Kind.FIELD_DROPPED)] = '"text" (text) dropped: a number, not a string'
    problems[("archive.jsonl", 5, Kind.NO_BODY)] = "no article body"
    problems[("archive.jsonl", 6, Kind.UNREADABLE)] = "expected a JSON object, got a list"
    problems[("archive.jsonl", 8, Kind.NO_TITLE)] = "titled from its first sentence"

    twin = article(
        "Bridge toll cut for trucks",
        "The toll for trucks on the Bangabandhu bridge will be cut by a fifth from next month.",
    )
    (news / "a-bridge.txt").write_text(twin, encoding="utf-8")
    (news / "b-bridge-copy.txt").write_text(twin, encoding="utf-8")
    good["Bridge toll cut for trucks"] = "cut by a fifth"
    problems[("b-bridge-copy.txt", None, Kind.DUPLICATE)] = "duplicate of news/a-bridge.txt (the same"

    (news / "untitled.txt").write_text(
        "Floodwater receded in Sylhet on Thursday, letting thousands of families return home. "
        "Officials warned that more rain was forecast.\n\nRelief workers handed out rice and clean water.\n",
        encoding="utf-8",
    )
    good["Floodwater receded in Sylhet on Thursday, letting thousands of families return home."] = (
        "handed out rice"
    )
    problems[("untitled.txt", None, Kind.NO_TITLE)] = "titled from its first sentence"

    (news / "homepage.txt").write_text(TEASERS, encoding="utf-8")
    problems[("homepage.txt", None, Kind.LISTING)] = "none of its 5 line(s) is a sentence"
    problems[("homepage.txt", None, Kind.BOILERPLATE)] = "1 page-furniture line(s) removed"
    (news / "related.txt").write_text(BDNEWS_FURNITURE_ONLY, encoding="utf-8")
    problems[("related.txt", None, Kind.BOILERPLATE_ONLY)] = "only page furniture (RELATED STORIES"

    os.symlink(root / "nowhere.txt", news / "gone.txt")
    problems[("gone.txt", None, Kind.UNREADABLE)] = "broken symbolic link"
    os.mkfifo(news / "pipe.txt")  # opening it would block the build forever
    problems[("pipe.txt", None, Kind.UNREADABLE)] = "not a regular file"

    sub = news / "sub"
    sub.mkdir()
    (sub / "nested.md").write_text(
        article(
            "# Metro line opens",
            "The second section of the Dhaka metro rail opened to passengers on Friday morning.",
        )
    )
    good["Metro line opens"] = "second section"
    return good, problems


def check_loaded(loaded_titles, loaded_problems, good, problems) -> None:
    assert sorted(loaded_titles) == sorted(good)
    found = {(p["path"].split("/")[-1], p["line"], p["kind"]): p["message"] for p in loaded_problems}
    for where, words in problems.items():
        assert where in found, f"no problem reported for {where}: {sorted(found)}"
        assert words in found[where], (where, found[where])
    assert len(loaded_problems) == len(problems), found


def test_hostile_files_are_reported_and_good_neighbours_kept(tmp_path):
    good, problems = hostile_folder(tmp_path)
    loaded = load_articles(tmp_path / "news")
    check_loaded([a.title for a in loaded.articles], [p.to_dict() for p in loaded.problems], good, problems)
    by_title = {a.title: a for a in loaded.articles}
    for title, phrase in good.items():
        assert phrase in by_title[title].body, title
    # BOM: not in the title or body; CRLF: paragraphs split, no \r anywhere.
    assert all("\ufeff" not in a.title + a.body and "\r" not in a.title + a.body for a in loaded.articles)
    rail = by_title["Rail fares to rise in June"]
    assert len(paragraph_spans(rail.body)) == 2 and "travel from the suburbs" in rail.body
    assert by_title["Café owners protest rent rise"].body.startswith("The café owners’ association")
    assert by_title["Tea exports hit record"].line == 1
    assert by_title["Metro line opens"].path == "news/sub/nested.md"
    # Bad files are not in the change-detection hashes; good ones are.
    assert "news/good.txt" in loaded.files and "news/gone.txt" not in loaded.files


def test_fifty_megabyte_file_is_refused_without_being_read(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "good.txt").write_text(article(GOOD, GOOD_BODY), encoding="utf-8")
    paragraph = (
        "The council met again to discuss the harbour budget and the river works. " * 6 + "\n\n"
    ).encode()
    with open(news / "huge.txt", "wb") as out:
        out.write(b"An enormous article\n\n")
        for _ in range(50_000_000 // len(paragraph) + 1):
            out.write(paragraph)
    assert (news / "huge.txt").stat().st_size > 50_000_000
    # One JSONL record longer than the limit among good ones: that line only is refused.
    with open(news / "archive.jsonl", "w", encoding="utf-8") as out:
        out.write(json.dumps({"title": "Small one", "text": "A short story that is fine to index."}) + "\n")
        out.write(json.dumps({"title": "Huge one", "text": "word " * (MAX_ARTICLE_BYTES // 4)}) + "\n")
        out.write(
            json.dumps({"title": "Small two", "text": "Another short story that is fine to index."}) + "\n"
        )
    tracemalloc.start()
    try:
        loaded = load_articles(news)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_ARTICLE_BYTES  # neither the 50 MB file nor the 2 MB line was held
    assert sorted(a.title for a in loaded.articles) == sorted([GOOD, "Small one", "Small two"])
    messages = {(p.path, p.line): p.message for p in loaded.problems}
    assert "too large for one article (50.0 MB; the limit is 2 MB)" in messages[("news/huge.txt", None)]
    assert "record longer than 2,000,000 bytes" in messages[("news/archive.jsonl", 2)]
    assert len(messages) == 2


def test_a_reader_failing_on_one_file_does_not_stop_the_others(tmp_path, monkeypatch):
    from app.sources import textfile

    real = textfile.read

    def fragile(text, *, path):
        if "odd" in path:
            raise RecursionError("maximum recursion depth exceeded")
        return real(text, path=path)

    monkeypatch.setattr(textfile, "read", fragile)
    (tmp_path / "good.txt").write_text(article(GOOD, GOOD_BODY), encoding="utf-8")
    (tmp_path / "odd.txt").write_text(article("Odd one", "A story the reader trips over."), encoding="utf-8")
    loaded = load_articles(tmp_path)
    assert [a.title for a in loaded.articles] == [GOOD]
    (problem,) = loaded.problems
    assert problem.path.endswith("odd.txt") and "RecursionError" in problem.message


def _drop_root_file_permissions() -> None:
    """In the child, before exec: drop CAP_DAC_OVERRIDE (1) and CAP_DAC_READ_SEARCH (2)
    from the bounding set, so even root obeys file modes, as an ordinary user would."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # 24 = PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_as_user(args, **kwargs) -> subprocess.CompletedProcess:
    """Run a command that must see real permission errors, as root (CI) or not."""
    preexec = _drop_root_file_permissions if os.geteuid() == 0 else None
    try:
        return subprocess.run(args, preexec_fn=preexec, capture_output=True, text=True, cwd=PROJECT, **kwargs)
    except subprocess.SubprocessError as err:  # prctl refused: no CAP_SETPCAP here
        why = f"cannot drop root's file-permission override here ({err}); chmod means nothing to root"
        if os.environ.get("CI") == "true":
            pytest.fail(why)  # under CI nothing is skipped: the permission cases must run
        pytest.skip(why)


def locked_folder_corpus(root: Path) -> Path:
    news = root / "news"
    (news / "locked").mkdir(parents=True)
    (news / "good.txt").write_text(article(GOOD, GOOD_BODY), encoding="utf-8")
    (news / "locked" / "secret.txt").write_text(article("Hidden", "Nobody may read this one."))
    (news / "sealed.txt").write_text(article("Sealed", "Nobody may read this file either."))
    (news / "locked").chmod(0)
    (news / "sealed.txt").chmod(0)
    return news


def test_unreadable_folder_and_file_are_reported_and_the_rest_read(tmp_path):
    news = locked_folder_corpus(tmp_path)
    code = (
        f"import json; from app import load_articles; loaded = load_articles({str(news)!r}); "
        "print(json.dumps([[a.title for a in loaded.articles], [p.to_dict() for p in loaded.problems]]))"
    )
    try:
        result = run_as_user([sys.executable, "-c", code], timeout=120)
    finally:
        (news / "locked").chmod(0o755)
    assert result.returncode == 0, result.stderr
    titles, problems = json.loads(result.stdout)
    assert titles == [GOOD]
    assert {(p["path"], p["message"]) for p in problems} == {
        ("news/locked", "unreadable folder: Permission denied"),
        ("news/sealed.txt", "unreadable: Permission denied"),
    }


def test_an_unreadable_articles_folder_is_an_error_not_an_empty_index(tmp_path):
    news = locked_folder_corpus(tmp_path) / "locked"
    try:
        result = run_as_user([sys.executable, "-m", "app", "build", "--seeds", news, "--out", tmp_path / "i"])
    finally:
        news.chmod(0o755)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{news}: cannot read the folder (Permission denied)" in result.stderr
    assert not (tmp_path / "i" / "manifest.json").exists()


def test_an_index_path_that_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "index").write_text("not a folder")
    with pytest.raises(IndexUnavailable, match="index: cannot use as an index folder"):
        build_index(ARTICLES, tmp_path / "index")


def newsdesk(*args, check: bool = True, user: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "app", *map(str, args)]
    if user:
        result = run_as_user(command, timeout=300)
    else:
        result = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.mark.integration
def test_build_over_hostile_files_indexes_the_good_and_reports_the_bad(tmp_path):
    good, problems = hostile_folder(tmp_path)
    news, out = tmp_path / "news", tmp_path / "index"
    (news / "locked").mkdir()
    (news / "locked" / "secret.txt").write_text(article("Hidden", "Nobody may read this one at all."))
    (news / "locked").chmod(0)
    problems[("locked", None, Kind.UNREADABLE)] = "unreadable folder: Permission denied"
    try:
        result = newsdesk("build", "--seeds", news, "--out", out, "--json", user=True)
        summary = newsdesk("build", "--seeds", news, "--out", out, user=True)  # nothing new: no model
        strict = newsdesk("build", "--seeds", news, "--out", out, "--strict", check=False, user=True)
    finally:
        (news / "locked").chmod(0o755)
    report = json.loads(result.stdout)
    assert report["articles"] == len(good)
    assert all(p["path"].startswith("news/") for p in report["problems"])
    index = StoredIndex(out)
    check_loaded([a.title for a in index.articles.values()], report["problems"], good, problems)
    assert index.manifest["problems"] == report["problems"]
    kinds = Counter(kind for _, _, kind in problems)
    for kind, n in kinds.items():  # the summary counts problems by kind
        assert f"    {n} {kind}" in summary.stdout.splitlines(), (kind, summary.stdout)
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    for title, phrase in good.items():  # every good article answers a question about itself
        hits = retrieve(phrase, k=3, index_dir=out, mode="keyword")
        assert hits and hits[0].citation.title == title, (phrase, [h.citation.title for h in hits])


# ---------------------------------------------------------------- interrupted builds


class FakeEmbedder:
    """Deterministic unit vectors from a text's hash: a stand-in for the model where
    only the index's bookkeeping is under test (the vectors' meaning is not)."""

    name = "sentence-transformers/all-MiniLM-L6-v2"
    dim = 384

    def encode(self, texts, *, progress=False, batch_size=64):
        rows = [
            np.random.default_rng(int(hashlib.sha256(t.encode()).hexdigest()[:8], 16)).normal(size=self.dim)
            for t in texts
        ]
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


WORDS = (
    "harbour council minister river budget election storm tariff league museum rail airport "
    "factory school court treaty vaccine drought festival bridge wheat copper satellite reactor"
).split()


def synthetic(folder: Path, n: int, *, prefix: str, seed: int) -> None:
    """``n`` distinct three-paragraph reports; report i says "<prefix>code<i>"."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        paras = [
            " ".join(rng.choice(WORDS, 40)).capitalize() + f" The {prefix}code{i} figure was {j}."
            for j in range(3)
        ]
        (folder / f"{prefix}-{i:04d}.txt").write_text(article(f"{prefix.title()} report {i}", *paras))


def expected_ids(corpus: Path) -> list[str]:
    return sorted(p.passage_id for a in load_articles(corpus).articles for p in split_passages(a))


def live_ids(index: StoredIndex) -> list[str]:
    return sorted(index.passages[int(r)].passage_id for r in index.live_rows())


def data_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name != ".lock"}


def no_leftovers(folder: Path) -> bool:
    """Only the manifest and the segments and state it names are in the folder."""
    recorded = json.loads((folder / "manifest.json").read_text())
    return data_files(folder) == {
        "manifest.json",
        recorded["state"],
        *(s["name"] for s in recorded["segments"]),
    }


def answers(out: Path) -> list[tuple[str, list[str]]]:
    """Keyword answers from the folder as it is on disk now (no cached index)."""
    retriever = Retriever(StoredIndex(out))
    return [
        (q, [h.citation.passage_id for h in retriever.search(q, 5, mode="keyword")])
        for q in ("harbour budget", "oldcode7 figure", QUESTION)
    ]


# A build in a child process that stops at a named point and says so on stdout, then
# waits to be killed: the test kills it exactly there, with no guess at timing.
#   "startup": the articles are being read (nothing loaded or embedded yet);
#   "embedding": the model has embedded the new passages (nothing written yet);
#   "writing": the new segment is written and in place, but the manifest still names the
#   previous generation.
PAUSED_BUILD = """
import sys, threading
import app.index.build as build, app.index.generation as generation
point = sys.argv[3]

def pause(name):
    if name == point:
        print(name, flush=True)
        threading.Event().wait()  # until SIGKILL

real_load, real_embedder, real_commit = build.load_articles, build.get_embedder, generation.commit
def load_articles(source, **options):
    pause("startup")
    return real_load(source, **options)
class Embedder:
    def __init__(self, inner):
        self.inner, self.dim = inner, inner.dim
    def encode(self, texts, **kwargs):
        vectors = self.inner.encode(texts, **kwargs)
        pause("embedding")
        return vectors
def commit(folder, *args, **kwargs):
    pause("writing")
    return real_commit(folder, *args, **kwargs)
build.load_articles = load_articles
build.get_embedder = lambda name: Embedder(real_embedder(name))
generation.commit = commit
build.build_index(sys.argv[1], sys.argv[2])
"""


@pytest.mark.integration
def test_sigkill_at_several_points_leaves_the_previous_index_answering(tmp_path, monkeypatch):
    news, out = tmp_path / "news", tmp_path / "index"
    news.mkdir()
    shutil.copy(SEED, news / SEED.name)
    synthetic(news, 700, prefix="old", seed=1)  # ~2,100 passages: the write phase takes a while
    with monkeypatch.context() as patch:
        patch.setattr(build_module, "get_embedder", lambda name: FakeEmbedder())
        build_index(news, out)
    before = StoredIndex(out).manifest["generation"]
    baseline = answers(out)
    synthetic(news, 25, prefix="new", seed=2)  # the killed builds must embed these for real

    for point in ("startup", "embedding", "writing"):
        proc = subprocess.Popen(
            [sys.executable, "-c", PAUSED_BUILD, str(news), str(out), point],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        reached = proc.stdout.readline().strip()  # blocks until the build reaches the point
        assert reached == point, proc.communicate()[1][-2000:]
        if point == "writing":
            assert not no_leftovers(out)  # mid-write: a segment the manifest does not name
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
        proc.stdout.close()
        proc.stderr.close()
        assert StoredIndex(out).manifest["generation"] == before, point  # the switch is last
        assert answers(out) == baseline, point

    with monkeypatch.context() as patch:  # the next build completes (lock released by the kernel)
        patch.setattr(build_module, "get_embedder", lambda name: FakeEmbedder())
        report = build_index(news, out)
    assert report.added == 75 and report.removed == 0
    index = StoredIndex(out)
    assert live_ids(index) == expected_ids(news)
    assert retrieve("newcode7 figure", k=1, index_dir=out, mode="keyword")[0].citation.title == "New report 7"
    assert no_leftovers(out)


def count_calls(target, name):
    calls = []
    real = getattr(target, name)

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    return calls, counting


@pytest.mark.integration
def test_a_build_crashing_at_each_file_operation_leaves_the_old_index(tmp_path, monkeypatch):
    """Deterministic complement to the SIGKILL test: the build dies at the n-th rename."""
    news, out = make_corpus(tmp_path / "news"), tmp_path / "index"
    monkeypatch.setattr(build_module, "get_embedder", lambda name: FakeEmbedder())
    build_index(news, out)
    baseline, before = answers(out), StoredIndex(out).manifest["generation"]
    synthetic(news, 3, prefix="new", seed=3)
    shutil.copytree(out, tmp_path / "dry")
    calls, counting = count_calls(os, "replace")
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", counting)
        build_index(news, tmp_path / "dry")
    assert len(calls) >= 3  # the segment, the state, then the manifest

    class Killed(BaseException):
        pass

    for n in range(len(calls)):
        done = []

        def dying(src, dst, n=n, done=done):
            if len(done) == n:
                raise Killed(f"killed before rename {n + 1}: {Path(dst).name}")
            done.append(dst)
            return os.rename(src, dst)

        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", dying)
            with pytest.raises(Killed):
                build_index(news, out)
        assert StoredIndex(out).manifest["generation"] == before
        assert answers(out) == baseline, n
    report = build_index(news, out)
    assert report.added == 9 and live_ids(StoredIndex(out)) == expected_ids(news)
    assert no_leftovers(out)


class NoModel(FakeEmbedder):
    def encode(self, texts, **kwargs):
        raise AssertionError(f"the model was asked to embed {len(texts)} text(s)")


def test_a_new_bad_file_or_a_rename_embeds_nothing_and_rewrites_no_live_file(tmp_path, monkeypatch):
    news, out = tmp_path / "news", tmp_path / "index"
    synthetic(news, 3, prefix="live", seed=5)
    monkeypatch.setattr(build_module, "get_embedder", lambda name: FakeEmbedder())
    build_index(news, out)
    inodes = {p.name: p.stat().st_ino for p in out.rglob("*") if p.is_file() and "manifest" not in p.name}
    first = StoredIndex(out)
    before = dict(zip([r.passage_id for r in first.passages], first.all_vectors().tolist(), strict=True))

    monkeypatch.setattr(build_module, "get_embedder", lambda name: NoModel())
    (news / "empty.txt").write_bytes(b"")
    report = build_index(news, out)  # same passages and articles: only the manifest changes
    assert (report.added, report.removed, report.unchanged) == (0, 0, 9)
    assert [p.to_dict() for p in report.problems] == [
        {"kind": "unreadable", "message": "empty file", "path": "news/empty.txt", "line": None}
    ]
    index = StoredIndex(out)
    assert index.manifest["problems"] == [p.to_dict() for p in report.problems]
    assert inodes == {
        p.name: p.stat().st_ino for p in out.rglob("*") if p.is_file() and "manifest" not in p.name
    }

    (news / "live-0000.txt").rename(news / "renamed.txt")  # new paths, the same vectors
    build_index(news, out)
    index = StoredIndex(out)
    assert (
        dict(zip([r.passage_id for r in index.passages], index.all_vectors().tolist(), strict=True)) == before
    )
    assert "news/renamed.txt" in {a.path for a in index.articles.values()}
    hit = retrieve("livecode0 figure", k=1, index_dir=out, mode="keyword")[0]
    assert hit.citation.path == "news/renamed.txt"


@pytest.mark.integration
def test_two_builds_at_once_never_mix(tmp_path):
    first, second, out = tmp_path / "first", tmp_path / "second", tmp_path / "index"
    shutil.copytree(ARTICLES, first)
    second.mkdir()
    shutil.copy(SEED, second / SEED.name)
    synthetic(second, 4, prefix="second", seed=4)
    corpora = {
        frozenset(a.title for a in load_articles(first).articles): "first",
        frozenset(a.title for a in load_articles(second).articles): "second",
    }
    seen: list[str] = []
    errors: list[str] = []
    stop = threading.Event()

    def watch() -> None:  # a reader loading the index all through both builds
        while not stop.wait(0.05):
            try:
                index = StoredIndex(out)
            except IndexUnavailable as err:
                if "no index here" not in str(err):  # only before the first build switches
                    errors.append(str(err))
                continue
            titles = frozenset(a.title for a in index.articles.values())
            if titles in corpora:  # one whole corpus, never a mix
                seen.append(corpora[titles])
            else:
                errors.append(f"mixed index: {sorted(titles)}")

    watcher = threading.Thread(target=watch)
    watcher.start()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "app", "build", "--seeds", str(corpus), "--out", str(out)],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for corpus in (first, second)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    stop.set()
    watcher.join()
    assert errors == []
    assert [code for code, _, _ in results] == [0, 0], results
    waited = [i for i, (_, _, err) in enumerate(results) if "another build of" in err]
    assert len(waited) == 1, [err[-300:] for _, _, err in results]  # one waited for the other
    last = ("first", "second")[waited[0]]
    final = StoredIndex(out)
    assert corpora[frozenset(a.title for a in final.articles.values())] == last
    corpus = first if last == "first" else second
    assert live_ids(final) == expected_ids(corpus)
    assert set(final.manifest["files"]) == {f"{corpus.name}/{p.name}" for p in corpus.iterdir()}
    assert seen and set(seen) <= {"first", "second"}


# ---------------------------------------------------------------- damaged index files

TARGETS = (
    "manifest.json",
    "state",
    "vectors.faiss",
    "matrix.npy",
    "sums.npz",
    "passage-ids.npy",
    "spans.npy",
    "bodies.bin",
    "meta.bin",
    "meta-offsets.npy",
    "minhash.npy",
    "keyword",
)


def target_files(index: Path, target: str) -> list[Path]:
    recorded = json.loads((index / "manifest.json").read_text())
    if target == "manifest.json":
        return [index / "manifest.json"]
    if target == "state":
        return [index / recorded["state"]]
    path = index / recorded["segments"][0]["name"] / target
    return sorted(path.iterdir()) if path.is_dir() else [path]


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(np.random.default_rng(0).bytes(len(data)))
    else:
        path.unlink()


@pytest.mark.integration  # the corpus_index fixture embeds with the real model
@pytest.mark.parametrize("how", ["truncate", "garbage", "delete"])
def test_every_damaged_index_file_is_named_with_the_fix(corpus_index, tmp_path, how):
    for target in TARGETS:
        for n, _ in enumerate(target_files(corpus_index, target)):
            copy = tmp_path / f"{target}-{n}"
            shutil.copytree(corpus_index, copy)
            victim = target_files(copy, target)[n]
            damage(victim, how)
            with pytest.raises(IndexUnavailable) as err:
                StoredIndex(copy).keyword  # noqa: B018 (the lazily loaded part too)
            message = str(err.value)
            assert victim.name in message and "newsdesk build" in message, (target, message)


@pytest.mark.integration
def test_search_on_a_damaged_index_is_a_message_and_build_repairs_it(corpus_index, tmp_path):
    news = corpus_index.parent / "news"
    expected = [h.citation.passage_id for h in retrieve(QUESTION, k=3, index_dir=corpus_index)]
    for target in TARGETS:
        copy = tmp_path / target
        shutil.copytree(corpus_index, copy)
        victim = target_files(copy, target)[-1]
        damage(victim, "truncate")
        result = newsdesk("search", QUESTION, "--index", copy, "--mode", "keyword", check=False)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert victim.name in result.stderr and "newsdesk build" in result.stderr, result.stderr
        report = build_index(news, copy)  # recovers: a whole new index, not a crash
        assert report.added == report.passages and report.unchanged == 0
        assert [h.citation.passage_id for h in retrieve(QUESTION, k=3, index_dir=copy)] == expected
        assert retrieve(QUESTION, k=1, index_dir=copy)[0].citation.title == TITLE


# ---------------------------------------------------------------- threads


@pytest.mark.integration
def test_retriever_gives_the_same_answers_from_eight_threads(corpus_index):
    questions = [
        QUESTION,
        "who is the new Chelsea manager",
        "how many people were evacuated before the cyclone",
        "what did Lagarde say about inflation",
        "wheat prices Black Sea grain deal",
    ]
    calls = [(q, mode) for q in questions for mode in ("hybrid", "dense", "keyword")]
    calls = (calls * 3)[:40]

    def run(call):
        hits = retrieve(call[0], k=5, index_dir=corpus_index, mode=call[1])
        return [(h.citation.passage_id, round(h.score, 4), h.text) for h in hits]

    single = {call: run(call) for call in set(calls)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(run, calls))
    for call, result in zip(calls, threaded, strict=True):
        assert [r[0] for r in result] == [r[0] for r in single[call]], call
        assert [r[1] for r in result] == pytest.approx([r[1] for r in single[call]], abs=1e-3), call
