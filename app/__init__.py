"""newsdesk: questions answered from news articles, every sentence quoted and cited.

The public API. Importing it is cheap: each function's module is imported when it is
first used, and models, FAISS and BM25 load on first use.

    >>> from app import ask, retrieve
    >>> ask("what did Khamenei say about US troops").citations[0].source
    'Reuters'
    >>> retrieve("what did Khamenei say about US troops", k=5)[0].citation.title
    'Even one American in Iraq is too many, Iran leader tells Iraqi president'

The layers, each importing only those before it: ``text`` -> ``types`` -> ``sources``
-> ``news`` -> ``index`` -> ``engines`` -> ``search`` -> ``answer`` -> ``cli`` / ``ui``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from app.types import (
    Answer,
    Article,
    BuildReport,
    Citation,
    Hit,
    Loaded,
    Passage,
    Problem,
    Quote,
    StoredArticle,
)

# Where each function and exception of the API lives: imported on first use, so that
# `import app` (and `newsdesk build`, which never answers a question) stays cheap.
_LAZY = {
    "ask": "app.answer.ask",
    "build_index": "app.engines.build",
    "ensure_current_index": "app.index.build",
    "index_status": "app.index.build",
    "ModelError": "app.index.embedder",
    "IndexUnavailable": "app.index.errors",
    "MODES": "app.search.retriever",
    "retrieve": "app.search.retriever",
    "load_articles": "app.sources",
}

if TYPE_CHECKING:
    from app.answer.ask import ask
    from app.engines.build import build_index
    from app.index.build import ensure_current_index, index_status
    from app.index.embedder import ModelError
    from app.index.errors import IndexUnavailable
    from app.search.retriever import MODES, retrieve
    from app.sources import load_articles


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'app' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "Answer",
    "Article",
    "BuildReport",
    "Citation",
    "Hit",
    "IndexUnavailable",
    "Loaded",
    "MODES",
    "ModelError",
    "Passage",
    "Problem",
    "Quote",
    "StoredArticle",
    "ask",
    "build_index",
    "ensure_current_index",
    "index_status",
    "load_articles",
    "retrieve",
]
