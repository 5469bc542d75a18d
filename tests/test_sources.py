"""Reading articles: the seed page's header and body, plain text, JSONL, bad files."""

from datetime import datetime, timedelta, timezone

from conftest import ARTICLES, SEED, TITLE

from app import load_articles
from app.index.passages import paragraph_spans
from app.types import Kind


def test_seed_header_fields():
    (article,) = load_articles(SEED.parent).articles
    dhaka = timezone(timedelta(hours=6))
    assert article.title == TITLE
    assert article.standfirst.startswith("The US is an unreliable friend, and Iraq should not allow")
    assert article.standfirst.endswith("told visiting Iraqi President Rashid")
    assert article.source == "Reuters"
    assert article.published == datetime(2023, 4, 30, 2, 7, tzinfo=dhaka)
    assert article.updated == datetime(2023, 4, 30, 2, 7, tzinfo=dhaka)
    assert article.published.utcoffset() == timedelta(hours=6)
    assert article.path == "seeds/000_e044aac75ced5648.txt"


def test_seed_body_is_the_seven_paragraphs_and_no_furniture():
    (article,) = load_articles(SEED).articles
    paras = [article.body[s:e] for s, e in paragraph_spans(article.body)]
    assert len(paras) == 7
    assert paras[0].startswith("The United States is an unreliable friend")
    assert paras[-1].startswith("\"Iraq's main effort is to deepen relations with Iran")
    for furniture in ("RELATED STORIES", "Yazidi", "Saddam", "Pentagon chief", "Opinion", "Tasneem Hossain"):
        assert furniture not in article.body
    # every body paragraph appears verbatim in the saved page
    raw = SEED.read_text(encoding="utf-8")
    assert all(p in raw for p in paras)


def test_plain_text_markdown_and_jsonl(tmp_path):
    loaded = load_articles(ARTICLES)
    titles = {a.title: a for a in loaded.articles}
    assert loaded.problems == ()
    assert set(titles) == {
        "ECB raises interest rates by a quarter point and signals more to come",
        "Cyclone Mocha makes landfall on the Bangladesh-Myanmar coast",
        "Chelsea appoint Mauricio Pochettino as manager",
        "Wheat prices climb as Black Sea grain deal talks stall",
        "Dock workers end three-day strike at Rotterdam after pay deal",
    }
    chelsea = titles["Chelsea appoint Mauricio Pochettino as manager"]
    assert chelsea.source == "Reuters"
    assert chelsea.url == "https://example.com/sport/chelsea-pochettino"
    assert chelsea.published.date().isoformat() == "2023-05-29"
    assert chelsea.path == "articles/archive.jsonl" and chelsea.line == 1
    assert len(paragraph_spans(chelsea.body)) == 2
    wheat = titles["Wheat prices climb as Black Sea grain deal talks stall"]
    assert wheat.published == datetime(2023, 5, 9, 14, 30, tzinfo=timezone.utc)
    assert wheat.line == 2
    storm = titles["Cyclone Mocha makes landfall on the Bangladesh-Myanmar coast"]
    assert not storm.body.startswith("#") and len(paragraph_spans(storm.body)) == 3


def test_bad_files_are_reported_and_good_ones_kept(tmp_path):
    (tmp_path / "good.txt").write_text("A title\n\nA body paragraph about the harbour.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "title-only.md").write_text("# Just a headline\n", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes(
        "Caf\xe9 title\n\nThe caf\xe9 reopened on Monday.\n".encode("latin-1")
    )
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "archive.jsonl").write_text(
        '{"title": "One", "text": "First story body."}\n'
        "{broken json\n"
        '{"title": "No text"}\n'
        '{"title": 5, "text": "Wrong type of title."}\n'
        '{"title": "Two", "text": "Second story body."}\n',
        encoding="utf-8",
    )
    loaded = load_articles(tmp_path)
    titles = sorted(a.title for a in loaded.articles)
    # A wrong-typed title loses the title, not the record (titled from its first sentence).
    assert titles == ["A title", "Café title", "One", "Two", "Wrong type of title."]
    problems = {(p.path.split("/")[-1], p.line, p.kind): p.message for p in loaded.problems}
    assert "empty" in problems[("empty.txt", None, Kind.UNREADABLE)]
    assert "binary" in problems[("photo.txt", None, Kind.UNSUPPORTED)]
    assert "no article body" in problems[("title-only.md", None, Kind.NO_BODY)]
    assert "not valid UTF-8" in problems[("latin1.txt", None, Kind.ENCODING)]
    assert "PDF: save its text as .txt" in problems[("notes.pdf", None, Kind.UNSUPPORTED)]
    assert "broken JSON" in problems[("archive.jsonl", 2, Kind.UNREADABLE)]
    assert "no text field" in problems[("archive.jsonl", 3, Kind.NO_BODY)]
    assert '"title" (title) dropped' in problems[("archive.jsonl", 4, Kind.FIELD_DROPPED)]
    assert "titled from its first sentence" in problems[("archive.jsonl", 4, Kind.NO_TITLE)]
    assert len(loaded.problems) == 9


def test_same_article_under_two_names_is_kept_once(tmp_path):
    text = "Port strike ends\n\nDock workers returned to work on Friday after a deal on pay.\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text, encoding="utf-8")
    loaded = load_articles(tmp_path)
    assert len(loaded.articles) == 1
    (problem,) = loaded.problems
    assert problem.path.endswith("b.txt") and "duplicate of" in problem.message
