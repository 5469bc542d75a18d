"""A bad ``milvus:`` URI, a server that is down and a collection built with another
model each fail with one line naming the URI and the fix (real Milvus Lite, no mocks)."""

from __future__ import annotations

import json
import socket
import time

import pytest
from conftest import QUESTION, make_corpus


@pytest.mark.parametrize(
    "uri", ["milvus:", "milvus:./news", "milvus:ftp://host:1", "milvus:http://", "milvus:./x.db#bad-name"]
)
def test_a_bad_uri_names_it_and_the_fix(uri):
    from app import IndexUnavailable, retrieve

    with pytest.raises(IndexUnavailable) as err:
        retrieve(QUESTION, index_dir=uri)
    message = str(err.value)
    assert "\n" not in message and uri.split("#")[0] in message
    assert "milvus:./news.db" in message or "letters, digits" in message


def test_a_missing_lite_file_says_how_to_build_it(tmp_path):
    from app import IndexUnavailable, retrieve

    with pytest.raises(
        IndexUnavailable, match=r"no index there; build one with `newsdesk build --out milvus:"
    ):
        retrieve(QUESTION, index_dir=f"milvus:{tmp_path}/none.db")


def test_a_server_that_is_down_fails_fast_in_one_line():
    from app import IndexUnavailable, retrieve

    with socket.socket() as s:  # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uri = f"milvus:http://127.0.0.1:{port}"
    started = time.perf_counter()
    with pytest.raises(IndexUnavailable) as err:
        retrieve(QUESTION, index_dir=uri)
    assert time.perf_counter() - started < 15
    message = str(err.value)
    assert message.startswith(uri) and "\n" not in message and "start it, or fix the address" in message


@pytest.mark.integration
def test_a_collection_built_with_another_model_says_so(tmp_path):
    from app import IndexUnavailable, build_index, retrieve

    news = make_corpus(tmp_path / "news")
    uri = f"milvus:{tmp_path}/m.db"
    build_index(news, uri)
    with pytest.raises(IndexUnavailable, match="was built with model .*all-MiniLM-L6-v2.*another collection"):
        build_index(news, uri, model="sentence-transformers/all-MiniLM-L6-v2")
    with pytest.raises(
        IndexUnavailable, match=r"was built with model .* rebuild with `newsdesk build --model"
    ):
        retrieve(QUESTION, index_dir=uri, model="intfloat/multilingual-e5-small")


@pytest.mark.integration
def test_the_cli_takes_milvus_uris(tmp_path, capsys):
    from app.cli import main

    news = make_corpus(tmp_path / "news")
    uri = f"milvus:{tmp_path}/cli.db"
    assert main(["build", "--seeds", str(news), "--out", uri, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["index_dir"] == uri
    assert main(["search", QUESTION, "-k", "1", "--index", uri]) == 0
    assert "Reuters" in capsys.readouterr().out
    assert main(["ask", QUESTION, "--index", "milvus:nowhere"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("newsdesk: error: milvus:nowhere: not a Milvus URI") and "\n" not in err


def test_a_lite_file_another_process_holds_says_so(tmp_path):
    import subprocess
    import sys

    from conftest import PROJECT

    from app import IndexUnavailable, retrieve

    uri = f"milvus:{tmp_path}/held.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from app.engines.location import parse_milvus\n"
         "from app.engines.milvus.client import connect\n"
         f"connect(parse_milvus({uri!r}), create=True).list_collections()\n"
         "print('open', flush=True); sys.stdin.readline()"],
        cwd=PROJECT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(IndexUnavailable) as err:
            retrieve(QUESTION, index_dir=uri)
        assert str(err.value).startswith(uri) and "another process has this Milvus Lite file open" in str(
            err.value
        )
    finally:  # it exits normally, so pymilvus stops the Lite server it started
        holder.communicate("\n", timeout=60)


def test_a_collection_without_kth_answers_and_says_to_rebuild(tmp_path, monkeypatch):
    """A collection an older newsdesk built (passages without ``kth``) still answers; an
    update says in one line that it needs a rebuild."""
    from app import IndexUnavailable, build_index, retrieve
    from app.engines.milvus import ingest, schema
    from app.engines.milvus.store import MilvusStore

    news = make_corpus(tmp_path / "news")
    uri = f"milvus:{tmp_path}/old.db"
    passages, upsert = schema._passages, MilvusStore.upsert_passages

    def old_schema(*args):  # the schema as it was: no kth
        s, params = passages(*args)
        s._fields = [f for f in s._fields if f.name != "kth"]
        return s, params

    with monkeypatch.context() as old:
        old.setattr(schema, "_passages", old_schema)
        old.setattr(MilvusStore, "has_field", lambda self, kind, field: True)
        old.setattr(MilvusStore, "upsert_passages", lambda self, rows: upsert(self, [
            {k: v for k, v in r.items() if k != "kth"} for r in rows]))  # fmt: skip
        old.setattr(ingest, "maintain", lambda *args, **kwargs: 0)
        build_index(news, uri)
    assert retrieve(QUESTION, 3, index_dir=uri)
    (news / "storm.md").unlink()
    with pytest.raises(IndexUnavailable) as err:
        build_index(news, uri)
    message = str(err.value)
    assert "\n" not in message and "older newsdesk" in message and f"{uri}#other" in message
