"""newsdesk: questions answered from news articles, every sentence quoted and cited.

The public API. Importing it is cheap: models, FAISS and BM25 load on first use.

    >>> from app import ask, retrieve
    >>> ask("what did Khamenei say about US troops").citations[0].source
    'Reuters'
    >>> retrieve("what did Khamenei say about US troops", k=5)[0].citation.title
    'Even one American in Iraq is too many, Iran leader tells Iraqi president'

The layers, each importing only those before it: ``text`` -> ``types`` -> ``sources``
-> ``news`` -> ``index`` -> ``engines`` -> ``search`` -> ``answer`` -> ``cli`` / ``ui``.
"""

from __future__ import annotations

from app.answer.ask import ask
from app.engines.build import build_index
from app.index.build import ensure_current_index, index_status
from app.index.embedder import ModelError
from app.index.errors import IndexUnavailable
from app.search.retriever import MODES, retrieve
from app.sources import load_articles
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
