"""Bringing files into the seeds folder: names that cannot escape it, nothing written
when anything fails, the same content never copied twice."""

import pytest

from app.sources.intake import Incoming, IntakeError, collect, place, safe_name


def test_names_cannot_escape_the_seeds_folder():
    assert safe_name("../../etc/passwd") == "etc/passwd"
    assert safe_name("/abs/path/story.txt") == "abs/path/story.txt"
    assert safe_name("..") == "article"
    assert safe_name("<script>alert(1)</script>.html") == "script_alert_1/script_.html"  # inside
    assert safe_name(".hidden") == "hidden"
    assert safe_name("বাংলা খবর.txt") == "বাংলা_খবর.txt"
    assert safe_name("a" * 300 + ".txt").startswith("a" * 80) and len(safe_name("a" * 300)) == 80


def test_place_writes_inside_the_folder_and_keeps_other_content(tmp_path):
    seeds = tmp_path / "seeds"
    written = place([Incoming(safe_name("../x/story.txt"), b"one", "here")], seeds)
    assert written == [seeds / "x" / "story.txt"] and written[0].read_bytes() == b"one"
    assert place([Incoming("x/story.txt", b"one", "here")], seeds) == []  # the same content: skipped
    (other,) = place([Incoming("x/story.txt", b"two", "there")], seeds)
    assert other.name == "story-2.txt" and (seeds / "x" / "story.txt").read_bytes() == b"one"
    assert not list(tmp_path.glob("*.part")) and not list(seeds.rglob(".*.part"))


def test_collect_fails_before_anything_is_written(tmp_path):
    (tmp_path / "good.txt").write_text("A title\n\nA body.\n")
    with pytest.raises(IntakeError, match="no such file"):
        collect([str(tmp_path / "good.txt"), str(tmp_path / "missing.txt")])
    (folder,) = [tmp_path / "folder"]
    folder.mkdir()
    (folder / "a.txt").write_text("A\n\nB.\n")
    (folder / ".hidden").write_text("x")
    assert [i.name for i in collect([str(folder)])] == ["folder/a.txt"]
