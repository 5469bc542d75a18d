"""newsdesk: questions answered from news articles, every sentence quoted and cited.

The public API. Importing it is cheap: models, FAISS and BM25 load on first use.

    >>> from app import ask, retrieve
    >>> ask("what did Khamenei say about US troops").citations[0].source
    'Reuters'
    >>> retrieve("what did Khamenei say about US troops", k=5)[0].citation.title
    'Even one American in Iraq is too many, Iran leader tells Iraqi president'
"""

from __future__ import annotations

from app.answer import ask
from app.build import build_index, index_status
from app.embedder import ModelError
from app.retriever import MODES, retrieve
from app.sources import load_articles
from app.store import IndexUnavailable
from app.types import Answer, Article, BuildReport, Citation, Hit, Loaded, Passage, Problem, Quote

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
    "ask",
    "build_index",
    "index_status",
    "load_articles",
    "retrieve",
]
