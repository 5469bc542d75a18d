"""Implementations of ``app.search.backend.Backend``: ``local`` (an index folder) and
``milvus`` (a Milvus Lite file or server)."""
