"""newsdesk: questions answered from news articles, every sentence quoted and cited.

The public API. Importing it is cheap: models, FAISS and BM25 load on first use.

    >>> from app import retrieve
    >>> hits = retrieve("what did Khamenei say about US troops", k=5)
    >>> hits[0].citation.title
    'Even one American in Iraq is too many, Iran leader tells Iraqi president'
"""

from __future__ import annotations

from app.build import build_index, index_status
from app.embedder import ModelError
from app.retriever import MODES, retrieve
from app.sources import load_articles
from app.store import IndexUnavailable
from app.types import Article, BuildReport, Citation, Hit, Loaded, Passage, Problem

__all__ = [
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
    "build_index",
    "index_status",
    "load_articles",
    "retrieve",
]
