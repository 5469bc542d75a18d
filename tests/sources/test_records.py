"""JSON, JSONL and CSV/TSV exports: layouts, field mapping (automatic and --map),
wrong types, placeholders, BOM, multi-line quoted bodies, a 5 MB field, streaming."""

from __future__ import annotations

import io
import json
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest
from sourcetools import FIXTURES, check_offsets

from app.sources.base import Record
from app.sources.csvfile import read_csv, sniff_delimiter
from app.sources.fields import map_fields, parse_map
from app.sources.files import MAX_ARTICLE_BYTES
from app.sources.reading import ReadOptions
from app.sources.reading import read_all as load
from app.text.dates import DHAKA
from app.types import Kind

pytestmark = pytest.mark.usefixtures("no_network")  # every test here runs offline

RECORDS = FIXTURES / "records"


def loaded(name: str, **options):
    return load(RECORDS / name, ReadOptions(**options))


def notes_of(result) -> dict[tuple[int | None, str], str]:
    return {(n.line, n.kind): n.message for n in result.problems}


def test_field_names_matched_ignoring_case_spaces_and_underscores():
    assert map_fields(["Headline", "Article Body", "Date Published"]) == {
        "title": "Headline",
        "text": "Article Body",
        "published": "Date Published",
    }
    assert map_fields(
        ["TITLE", "pub_date", "PubDate", "BODY", "sub-title", "Paper_Name", "source_language"]
    ) == {
        "title": "TITLE",
        "text": "BODY",
        "standfirst": "sub-title",
        "published": "pub_date",  # the first key of those that match "pubDate"
        "source": "Paper_Name",
        "language": "source_language",
    }
    # the first listed name wins: "text" before "content", "title" before "name"
    assert map_fields(["name", "content", "text", "title"]) == {"title": "title", "text": "text"}


def test_override_mapping_and_its_errors():
    assert parse_map("text=details, title=headline") == {"text": "details", "title": "headline"}
    assert map_fields(["details", "headline", "body"], parse_map("text=details")) == {
        "text": "details",
        "title": "headline",
    }
    with pytest.raises(ValueError, match="unknown field 'body'.*fields are: title, text"):
        parse_map("body=details")
    with pytest.raises(ValueError, match="write field=column"):
        parse_map("text")
    with pytest.raises(ValueError, match="fields are"):
        ReadOptions(field_map={"teaser": "x"})


def test_object_holding_a_list_of_records():
    result = loaded("articles_object.json", tz=DHAKA)
    (report,) = result.reports
    assert report.mapping == {
        "records": "under 'articles'",
        "title": "headline",
        "text": "details",
        "published": "datePublished",
        "url": "link",
        "author": "byline",
        "language": "lang",
    }
    assert (report.records, report.articles) == (3, 3)
    dengue, train, onion = result.articles
    assert dengue.line == 5 and train.line == 13 and onion.line == 21  # each record's opening brace
    assert dengue.author == "Sadia Rahman, Staff Reporter" and train.author == "Kamal Uddin"
    assert dengue.body.split("\n\n")[1].startswith("Doctors said")  # single newlines: paragraphs
    assert train.published is None  # "Unknown": undated, not dropped
    assert onion.published == datetime.fromtimestamp(1728000000, tz=timezone.utc)
    notes = notes_of(result)
    assert "'Unknown' is a placeholder" in notes[(13, Kind.UNDATED)]
    assert "language 'N/A'" in notes[(13, Kind.FIELD_DROPPED)]
    assert '"headline" (title) dropped: a list' in notes[(21, Kind.FIELD_DROPPED)]
    assert onion.title.startswith("Onion prices fell")  # titled from its first sentence
    for article in result.articles:
        check_offsets(article)


def test_data_list_and_plain_list_and_wordpress_objects():
    result = loaded("data_list.json", tz=DHAKA)
    assert [a.title for a in result.articles] == [
        "Lalbagh Fort reopens after repairs",
        "Boat race draws thousands to the Buriganga",
    ]
    assert result.articles[0].published == datetime(2024, 3, 2, 10, 0, tzinfo=DHAKA)
    wordpress = loaded("list.json")
    first = wordpress.articles[0]
    assert first.title == "Mangrove saplings planted along the embankment"  # {"rendered": ...}
    assert first.body.count("\n\n") == 1 and "<p>" not in first.body
    assert '"author" (author) dropped: a number' in notes_of(wordpress)[(2, Kind.FIELD_DROPPED)]


def test_one_object_per_file_with_a_relative_bangla_date_and_a_crawl_time():
    result = loaded("one_object_bn.json", tz=DHAKA)
    (article,) = result.articles
    assert article.language == "bn"  # declared "bangla"
    assert article.published == datetime(2025, 12, 17, 12, 31, 24, tzinfo=DHAKA)  # 7 hours before the crawl
    assert article.published.utcoffset() == timedelta(hours=6)
    check_offsets(article)
    no_crawl = loaded("one_object_no_crawl.json")
    assert no_crawl.articles[0].published is None
    assert "no crawl time" in notes_of(no_crawl)[(1, Kind.UNDATED)]


def test_jsonl_bad_lines_reported_good_ones_kept():
    result = loaded("export.jsonl", tz=DHAKA)
    titles = [a.title for a in result.articles]
    assert titles[0] == "Ferry fares cut for students" and titles[-1] == "Glued and escaped"
    assert len(titles) == 3
    notes = notes_of(result)
    assert "broken JSON" in notes[(2, Kind.UNREADABLE)]
    assert "no text field; fields are: title, source" in notes[(3, Kind.NO_BODY)]
    assert '"title" (title) dropped: a number' in notes[(4, Kind.FIELD_DROPPED)]
    assert '"text" (text) dropped: a number' in notes[(5, Kind.FIELD_DROPPED)]
    assert "expected a JSON object, got a list" in notes[(6, Kind.UNREADABLE)]
    glued = result.articles[-1]
    sentences = check_offsets(glued)
    assert sentences[0] == "Prices rose 3.5 percent in March, said The Daily Star."
    assert sentences[1].startswith("He added that the U.S. data would follow…")  # &hellip; decoded
    assert glued.body.endswith("Officials at bdnews24.com agreed.")
    assert glued.published == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)


def test_nested_search_results_and_questions_files():
    result = loaded("search_results.jsonl")
    (article,) = result.articles  # the second result is the same article without the ad line
    assert article.author == "Jane Doe" and article.line == 1
    assert "Advertisement" not in article.body
    assert result.reports[0].mapping["records"] == "nested under 'search_result'"
    kinds = [n.kind for n in result.problems]
    assert Kind.BOILERPLATE in kinds and Kind.DUPLICATE in kinds
    questions = loaded("questions.jsonl")
    (note,) = questions.problems
    assert note.kind == Kind.UNSUPPORTED and "no text field in the first 20 records" in note.message


def test_bom_csv_with_multi_line_body_placeholder_date_and_error_row():
    result = loaded("bangla_bom.csv", tz=DHAKA)
    flood, metro = result.articles
    assert flood.title == "বন্যায় সিলেটে ৫০ হাজার মানুষ পানিবন্দী" and flood.line == 2
    assert "\ufeff" not in flood.title
    assert len(flood.body.split("\n\n")) == 2  # a blank line inside the quoted body separates paragraphs
    assert flood.language == "bn" and flood.author == "নিজস্ব প্রতিবেদক"
    assert metro.published == datetime(2026, 2, 21, 10, 30, tzinfo=DHAKA)  # Bangla digits and month
    assert metro.line == 7
    (block,) = [n for n in result.problems if n.kind == Kind.BLOCK]
    assert block.line == 6 and "bad gateway" in block.message
    for article in result.articles:
        check_offsets(article)


def test_jugantor_like_csv_unknown_date_and_writer():
    result = loaded("jugantor_like.csv", tz=DHAKA)
    first, second = result.articles
    assert first.published == datetime(2024, 8, 12, tzinfo=DHAKA) and first.author is None  # "Unknown"
    assert second.published is None and "'Unknown' is a placeholder" in notes_of(result)[(3, Kind.UNDATED)]


@pytest.mark.parametrize(("name", "fmt"), [("semicolon.csv", "csv"), ("export.tsv", "tsv")])
def test_delimiters(name, fmt):
    result = loaded(name)
    (article,) = result.articles
    assert result.reports[0].format == fmt
    assert article.title in ("Port congestion eases at Mongla", "Canal clean-up begins in Old Dhaka")
    assert sniff_delimiter("a;b;c") == ";" and sniff_delimiter("a\tb", suffix=".tsv") == "\t"
    assert sniff_delimiter("title,body") == ","


def test_map_override_from_the_cli(tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text("heading,details,when\nRiver ferry resumes,Ferries ran again on Monday.,2024-05-01\n")
    default = load(path)
    assert default.articles[0].title == "Ferries ran again on Monday."  # "heading" is not a title name
    mapped = load(path, ReadOptions(field_map=parse_map("title=heading,published=when")))
    article = mapped.articles[0]
    assert article.title == "River ferry resumes" and article.published.date().isoformat() == "2024-05-01"
    assert mapped.reports[0].mapping == {"title": "heading", "text": "details", "published": "when"}
    missing = load(path, ReadOptions(field_map=parse_map("text=story")))
    assert any(n.kind == Kind.UNSUPPORTED and "no text column" in n.message for n in missing.problems)


def test_a_five_megabyte_field_and_short_rows(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("\ufefftitle,body,image_base64\n")
        out.write('Small one,"A short story, with a comma.\nAnd a second line.",x\n')
        out.write(f'Huge image,"A story with a huge unmapped field.",{"A" * 5_000_000}\n')
        out.write(f'Huge body,"{"word " * (MAX_ARTICLE_BYTES // 4)}",y\n')
        out.write("Short row,Only two cells.\n")
    result = load(path)
    assert [a.title for a in result.articles] == ["Small one", "Huge image", "Short row"]
    notes = notes_of(result)
    assert "longer than 2,000,000 bytes" in notes[(5, Kind.TOO_LARGE)]
    assert "2 cells for 3 columns" in notes[(6, Kind.FIELD_DROPPED)]


def test_csv_is_read_a_row_at_a_time():
    rows = "".join(f"Story {i},Body of story number {i} about the harbour.\n" for i in range(20000))
    data = ("title,text\n" + rows).encode()
    tracemalloc.start()
    try:
        count = sum(1 for item in read_csv(io.BytesIO(data), path="x.csv") if isinstance(item, Record))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20000
    assert peak < len(data)  # never all rows at once


def test_csv_bad_bytes_are_read_as_windows_1252(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("title,text\nCaf\xe9 reopens,The caf\xe9 reopened on Monday.\n".encode("latin-1"))
    result = load(path)
    assert result.articles[0].title == "Café reopens"
    assert any(n.kind == Kind.ENCODING for n in result.problems)


def test_json_file_that_is_not_records(tmp_path):
    (tmp_path / "numbers.json").write_text("[1, 2, 3]")
    (tmp_path / "broken.json").write_text('{"articles": [{"title": "x", "text": "y"}')
    (tmp_path / "two.json").write_text('{"text": "a"}\n{"text": "b"}\n')
    result = load(tmp_path)
    messages = {n.path.split("/")[-1]: n.message for n in result.problems}
    assert "expected a JSON object" in messages["numbers.json"]
    assert "broken JSON" in messages["broken.json"]
    assert "is it JSONL?" in messages["two.json"]


def test_jsonl_line_numbers_survive_blank_lines(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(
        "\n"
        + json.dumps({"text": "First story about the port strike."})
        + "\n\n"
        + json.dumps({"text": "Second story about the rail fares."})
        + "\n"
    )
    assert [a.line for a in load(path).articles] == [2, 4]
