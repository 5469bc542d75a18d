"""The web page: the function behind it without a server, then the served page in a real
browser."""

import pytest
from browser import browser_page, serving
from conftest import QUESTION, TITLE

from app.ui import search_html


@pytest.mark.integration
def test_search_html_cites_and_escapes(tmp_path):
    from app import build_index

    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "x.txt").write_text(
        "Hostile <b>title</b>\n\nThe mayor said <script>alert(1)</script> the bridge "
        "<img src=x onerror=alert(2)> would reopen on Monday after repairs.\n"
    )
    build_index(tmp_path / "news", tmp_path / "index")
    out = search_html("when will the bridge reopen", tmp_path / "index")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "<script>" not in out
    assert "&lt;img src=x onerror=alert(2)&gt;" in out and "<img" not in out
    assert "Hostile &lt;b&gt;title&lt;/b&gt;" in out


@pytest.mark.browser
@pytest.mark.integration
def test_page_answers_a_question_with_citations():
    with serving() as url, browser_page() as page:
        page.goto(url, wait_until="load")
        page.wait_for_selector("#question textarea", timeout=60_000)
        page.fill("#question textarea", QUESTION)
        page.click("#ask")
        first = page.wait_for_selector("#source-1", timeout=60_000)
        text = first.inner_text()
        assert TITLE in text and "Reuters" in text and "30 Apr 2023" in text and "Khamenei" in text
