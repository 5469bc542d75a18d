"""Shared fixtures: the seed article, a small corpus of real-looking news, built indexes.

The real packaged model is used wherever behaviour a user sees depends on it; it loads
from disk in about a second and is shared by the whole session.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "seeds" / "000_e044aac75ced5648.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTICLES = FIXTURES / "articles"
QUESTION = "what did Khamenei say about US troops"
TITLE = "Even one American in Iraq is too many, Iran leader tells Iraqi president"


def make_corpus(folder: Path) -> Path:
    """A corpus folder: the seed article plus the fixture articles."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, folder / SEED.name)
    for path in ARTICLES.iterdir():
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="session", autouse=True)
def project_folders(tmp_path_factory) -> Path:
    """The project's seeds/ and embeddings/, copied (with their modification times) to a
    temporary folder that $NEWSDESK_SEEDS and $NEWSDESK_INDEX name for the whole session:
    tests and the servers they start use the default index without ever writing the
    committed one."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(PROJECT / "seeds", root / "seeds")
    shutil.copytree(PROJECT / "embeddings", root / "embeddings", ignore=shutil.ignore_patterns(".*"))
    os.environ["NEWSDESK_SEEDS"] = str(root / "seeds")
    os.environ["NEWSDESK_INDEX"] = str(root / "embeddings")
    return root


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """An index of the seed plus the fixture articles, built once with the real model."""
    from app import build_index

    root = tmp_path_factory.mktemp("corpus")
    build_index(make_corpus(root / "news"), root / "index")
    return root / "index"


@pytest.fixture(scope="session")
def corpus_index_multilingual(tmp_path_factory) -> Path:
    """The same articles embedded by multilingual-e5-small (its cosines crowd in 0.7-0.9)."""
    from app import build_index

    root = tmp_path_factory.mktemp("corpus-multilingual")
    build_index(make_corpus(root / "news"), root / "index", model="multilingual")
    return root / "index"


@pytest.fixture
def no_network(monkeypatch):
    """The test runs offline: a connection attempt fails it at once."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"a test tried to open a network connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def desk(tmp_path) -> tuple[Path, Path]:
    """A seeds folder holding only the seed article, and its built index (the page's
    Add articles adds to both)."""
    from app import build_index

    seeds, index = tmp_path / "seeds", tmp_path / "index"
    seeds.mkdir()
    shutil.copy(SEED, seeds / SEED.name)
    build_index(seeds, index)
    return seeds, index
