"""The page's "Add articles" panel, without a browser: what is saved where, the limits,
the messages, the build's report, and answers that go on while the index is rebuilt."""

import random
import re
import shutil
import threading
from pathlib import Path

import pytest
from conftest import FIXTURES, QUESTION, SEED

from app.answer.ask import ask
from app.ui.articles import MAX_UPLOAD_BYTES, add_articles

STORIES = FIXTURES / "timeline" / "iraq-troops.jsonl"


def run(files, urls="", *, seeds, index) -> list[str]:
    """Everything the panel shows, in order, as read on the page (Markdown's escaping
    backslashes off); the last is the outcome."""
    shown = add_articles([str(f) for f in files], urls, seeds=seeds, index_dir=index)
    return [re.sub(r"\\(.)", r"\1", markdown) for markdown in shown]


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.integration
def test_an_upload_is_saved_built_and_answered_from(desk, tmp_path):
    seeds, index = desk
    upload = tmp_path / "upload"
    upload.mkdir()
    shutil.copy(STORIES, upload / STORIES.name)
    (upload / "broken.txt").write_bytes(b"\x00\xff\xfe binary \x00" * 50)
    shown = run([upload / STORIES.name, upload / "broken.txt"], seeds=seeds, index=index)
    assert shown[0].startswith("Saved 2 file(s) in the articles folder: iraq-troops.jsonl, broken.txt")
    report = shown[-1]
    assert "**Index updated:** 6 article(s)" in report and "unchanged 7" in report
    assert "Languages: en 6." in report
    assert "broken.txt" in report.split("by kind:")[1]  # the problem, named by file
    assert listing(seeds) == sorted([SEED.name, "iraq-troops.jsonl", "broken.txt"])
    answer = ask(QUESTION, index_dir=index)
    assert "Gulf Ledger" in {q.source for q in answer.citations}
    again = run([upload / STORIES.name], seeds=seeds, index=index)
    assert again[0].startswith("Nothing new to save") and "added 0" in again[-1]


@pytest.mark.integration
def test_hostile_names_stay_inside_the_folder_and_are_text_in_the_report(desk, tmp_path):
    seeds, index = desk
    upload = tmp_path / "upload"
    upload.mkdir()
    script = upload / '<img src=x onerror="alert(1)">.txt'
    script.write_text("Bridge reopens\n\nThe bridge reopened on Monday, the council said.\n")
    dots = upload / "..hidden.txt"
    dots.write_text("Market note\n\nShares rose on Tuesday, traders said.\n")
    shown = run([script, dots], seeds=seeds, index=index)
    assert "Index updated" in shown[-1] and "<img" not in "".join(shown)
    assert listing(seeds) == sorted([SEED.name, "hidden.txt", "img_src_x_onerror_alert_1_.txt"])
    assert not list(tmp_path.glob("*.txt"))  # nothing beside the folder


@pytest.mark.integration
def test_a_link_in_the_folder_cannot_carry_an_upload_outside(desk, tmp_path):
    seeds, index = desk
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "story.txt").write_text("kept as it was")
    (seeds / "story.txt").symlink_to(outside / "story.txt")
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / "story.txt").write_text("Other story\n\nSomething else happened, officials said.\n")
    shown = run([upload / "story.txt"], seeds=seeds, index=index)
    assert (outside / "story.txt").read_text() == "kept as it was"
    assert shown[-1].startswith("**Nothing added.**") or "Index updated" in shown[-1]
    assert not (outside / "story-2.txt").exists()


def test_uploads_over_the_limit_and_bad_urls_change_nothing(tmp_path):
    seeds, index = tmp_path / "seeds", tmp_path / "index"
    seeds.mkdir()
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:  # 50 MB, sparse: the size is what counts
        f.truncate(50 * 1024 * 1024)
    assert big.stat().st_size > MAX_UPLOAD_BYTES
    cases = [
        ([big], "", "huge.txt: 52 MB is over the 20 MB limit an upload"),
        ([], "ftp://example.com/story", "not an http(s) URL"),
        ([], "javascript:alert(1)", "not an http(s) URL"),
        ([], "http://127.0.0.1:9/story", "no network here, or the site is down"),
        ([], "", "Choose files to upload, or paste web page URLs"),
    ]
    for files, urls, message in cases:
        (shown,) = run(files, urls, seeds=seeds, index=index)
        assert message in shown, shown
    assert listing(seeds) == [] and not index.exists()


CITIES = (
    "Lisbon Dakar Hanoi Quito Oslo Lagos Lima Perth Tunis Riga Accra Bogota Kyiv Manila Porto Cork".split()
)
THINGS = (
    "ferry terminal|water plant|rail depot|grain silo|bus fleet|harbour crane|fish market|bridge deck".split(
        "|"
    )
)
WHO = "the mayor|a port official|the transport minister|a union leader|the harbour master|the council".split(
    "|"
)
VERBS = "approved|delayed|inspected|reopened|rebuilt|funded|closed|expanded".split("|")
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def harbour_story(n: int) -> str:
    """A short local news story, varied enough not to read as spam (seeded: the same each run)."""
    r = random.Random(n)
    city = CITIES[n % len(CITIES)]
    said = [
        f"{r.choice(WHO).capitalize()} said {city} {r.choice(VERBS)} the {r.choice(THINGS)} "
        f"on {r.choice(DAYS)} after {r.randint(2, 90)} days of talks."
        for _ in range(6)
    ]
    paragraphs = [" ".join(said[i : i + 2]) for i in range(0, 6, 2)]
    return f"{city} {r.choice(VERBS)} its {r.choice(THINGS)}\n\n" + "\n\n".join(paragraphs) + "\n"


# The int8 runner embeds 40 short stories within one 0.5 s progress tick on a quiet
# machine; 100 (the most one upload takes) keep it visible for several ticks.
STORIES_BUILT = 100


@pytest.mark.integration
def test_answers_go_on_while_an_upload_is_built(desk, tmp_path, monkeypatch):
    import app.ui.articles

    monkeypatch.setattr(app.ui.articles, "TICK_SECONDS", 0.05)  # see the embedding's bar on a fast machine
    seeds, index = desk
    upload = tmp_path / "upload"
    upload.mkdir()
    for n in range(STORIES_BUILT):  # enough new passages that embedding outlasts progress ticks
        (upload / f"story-{n}.txt").write_text(harbour_story(n))
    answers, failures = [], []
    done = threading.Event()

    def reader():
        while not done.is_set():
            try:
                answers.append(ask(QUESTION, index_dir=index))
            except Exception as err:  # every failure is a finding
                failures.append(err)

    thread = threading.Thread(target=reader)
    thread.start()
    steps = []
    try:
        files = [str(f) for f in sorted(upload.iterdir())]
        shown = list(
            add_articles(files, "", seeds=seeds, index_dir=index, progress=lambda f, desc: steps.append(desc))
        )
    finally:
        done.set()
        thread.join()
    assert f"**Index updated:** {STORIES_BUILT + 1} article(s)" in shown[-1] and not failures
    assert f"and {STORIES_BUILT - 10} more" in shown[-1]  # the saved files, named up to ten
    assert answers and all(not a.abstained and "Khamenei" in a.text for a in answers)
    # Progress while it builds: the panel's lines and gradio's bar (the embedder's batches).
    assert shown[0].endswith("Building the index…") and len(shown) > 2
    assert steps and any(step.startswith("Embedding new passages (") for step in steps), steps
