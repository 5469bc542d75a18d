"""The answer as data: the JSON payloads, the REST API (in process, with FastAPI's test
client) and the page's ``/ask`` endpoint through gradio_client on a served page."""

import json
import subprocess
import sys

import pytest
from browser import serving
from conftest import PROJECT, QUESTION, TITLE

from app.answer.payloads import MAX_K, ask_payload, check_k, search_payload


def test_k_must_be_a_whole_number_in_range():
    assert check_k(1) == 1 and check_k(MAX_K) == MAX_K
    for bad in (0, -3, MAX_K + 1, 2.5, "5", True, None):
        with pytest.raises(ValueError, match=f"k must be a whole number from 1 to {MAX_K}"):
            check_k(bad)


@pytest.fixture(scope="module")
def rest(corpus_index):
    from fastapi.testclient import TestClient

    from app.ui.rest import create_rest_app

    with TestClient(create_rest_app(corpus_index)) as client:
        yield client


@pytest.mark.integration
def test_post_ask_returns_the_answer_with_quotes_offsets_and_sources(rest, corpus_index):
    response = rest.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert body == ask_payload(QUESTION, index_dir=corpus_index)  # the one serialiser
    assert body["abstained"] is False and "Khamenei" in body["answer"]
    first = body["citations"][0]
    assert first["title"] == TITLE and first["source"] == "Reuters" and first["language"] == "en"
    assert first["published"].startswith("2023-04-30T") and first["end"] > first["start"] >= 0
    assert {"quote", "speaker", "url", "path", "paragraph"} <= set(first)
    # a follow-up, with the history; filters
    when = rest.post("/api/ask", json={"question": "when was that?", "history": [QUESTION]}).json()
    assert "30 April 2023" in when["answer"]
    before = rest.post("/api/ask", json={"question": QUESTION, "until": "2023-04-29"}).json()
    assert before["abstained"] is True and before["citations"] == []


@pytest.mark.integration
def test_get_search_is_newsdesk_search_json(rest, corpus_index):
    body = rest.get("/api/search", params={"q": QUESTION, "k": 3}).json()
    assert body == search_payload(QUESTION, 3, index_dir=corpus_index)
    assert [h["rank"] for h in body["hits"]] == [1, 2, 3]
    assert body["hits"][0]["citation"]["title"] == TITLE
    printed = subprocess.run(
        [sys.executable, "-m", "app", "search", QUESTION, "-k", "3", "--json", "--index", str(corpus_index)],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT,
    ).stdout
    assert json.loads(printed) == body
    outlets = rest.get("/api/search", params={"q": "wheat futures", "k": 5, "outlets": ["Reuters"]}).json()
    assert outlets["hits"] and all(h["citation"]["source"] == "Reuters" for h in outlets["hits"])


# (method, path, what is sent, status, the one message)
BAD_REQUESTS = [
    ("post", "/api/ask", {"json": {"question": "   "}}, 400, "the question is empty"),
    ("post", "/api/ask", {"json": {"question": "\x00\x07"}}, 400, "the question is empty"),
    ("post", "/api/ask", {"json": {"question": QUESTION, "since": "last tuesday"}}, 400, "is not a date"),
    ("post", "/api/ask", {"json": {"question": QUESTION, "until": "2023-13-45"}}, 400, "is not a date"),
    ("post", "/api/ask", {"json": {}}, 422, "question: Field required"),
    (
        "post",
        "/api/ask",
        {"json": {"question": ["a", "list"]}},
        422,
        "question: Input should be a valid string",
    ),
    (
        "post",
        "/api/ask",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        422,
        "not JSON",
    ),
    ("post", "/api/ask", {"json": {"question": "x" * 70_000}}, 413, "the request body is over 64 KiB"),
    ("get", "/api/search", {"params": {"q": QUESTION, "k": 0}}, 400, "k must be a whole number from 1 to 50"),
    (
        "get",
        "/api/search",
        {"params": {"q": QUESTION, "k": 51}},
        400,
        "k must be a whole number from 1 to 50",
    ),
    (
        "get",
        "/api/search",
        {"params": {"q": QUESTION, "k": "ten"}},
        422,
        "k: Input should be a valid integer",
    ),
    ("get", "/api/search", {"params": {"q": ""}}, 400, "the question is empty"),
    ("get", "/api/search", {"params": {}}, 422, "q: Field required"),
    ("get", "/api/search", {"params": {"q": QUESTION, "mode": "magic"}}, 400, "mode must be one of"),
]


@pytest.mark.integration
@pytest.mark.parametrize("method, path, sent, status, message", BAD_REQUESTS)
def test_bad_input_is_a_4xx_with_one_clear_message(rest, method, path, sent, status, message):
    response = getattr(rest, method)(path, **sent)
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and message in body["error"], body
    assert "Traceback" not in response.text and "\n" not in body["error"]


@pytest.mark.integration
def test_a_streamed_body_over_the_limit_is_refused_as_it_arrives(rest):
    def chunks():  # no Content-Length: the middleware counts what arrives
        yield b'{"question": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    response = rest.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json() == {"error": "the request body is over 64 KiB"}


@pytest.mark.integration
def test_hostile_questions_come_back_as_json_data(rest):
    for question in ["<script>alert(1)</script>", "' OR 1=1; --", "🙂" * 50, "x" * 20_000]:
        response = rest.post("/api/ask", json={"question": question})
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["abstained"] is True and body["question"] == question


@pytest.mark.integration
def test_openapi_page_lists_both_routes(rest):
    spec = rest.get("/api/openapi.json").json()
    assert {"/api/ask", "/api/search"} <= set(spec["paths"])
    assert "post" in spec["paths"]["/api/ask"] and "get" in spec["paths"]["/api/search"]
    docs = rest.get("/docs")
    assert docs.status_code == 200 and "/api/openapi.json" in docs.text
    # Swagger UI from this server, not a CDN: the docs work offline.
    assert "cdn." not in docs.text and "/api/docs-assets/swagger-ui-bundle.js" in docs.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert rest.get(f"/api/docs-assets/{asset}").status_code == 200


@pytest.mark.integration
def test_served_page_answers_through_gradio_client_and_http():
    import urllib.error
    import urllib.request

    from gradio_client import Client

    with serving() as url:
        client = Client(url, verbose=False)
        payload = json.loads(client.predict(QUESTION, api_name="/ask"))
        assert payload["citations"][0]["title"] == TITLE and payload["abstained"] is False
        follow_up = json.loads(client.predict("when was that?", history=[QUESTION], api_name="/ask"))
        assert "30 April 2023" in follow_up["answer"]
        with pytest.raises(Exception, match="the question is empty"):
            client.predict("   ", api_name="/ask")
        # The REST API is on the same server, and so are its docs.
        request = urllib.request.Request(
            url + "api/ask",
            data=json.dumps({"question": QUESTION}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert json.loads(response.read()) == payload
        with urllib.request.urlopen(url + "docs", timeout=10) as response:
            assert response.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "api/search?q=troops&k=500", timeout=10)
        assert refused.value.code == 400 and b"k must be a whole number" in refused.value.read()


@pytest.mark.integration
def test_the_docs_gradio_client_example_runs_as_written():
    import ast
    import re

    readme = (PROJECT / "docs" / "api.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "gradio_client" in b]
    expected = ast.literal_eval(re.search(r"^# (\(.*\))$", block, re.M).group(1))
    with serving() as url:
        namespace: dict = {}
        exec(block.replace("http://127.0.0.1:7860/", url), namespace)  # noqa: S102 (the docs' own code)
    quote = namespace["quote"]
    assert (quote["speaker"], quote["source"], quote["published"], quote["start"], quote["end"]) == expected
    assert "Khamenei" in namespace["markdown"] and "published on 30 April 2023" in namespace["follow_up"]
