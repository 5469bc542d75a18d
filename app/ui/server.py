"""Serving the page on this machine (127.0.0.1 unless asked otherwise)."""

from __future__ import annotations

from pathlib import Path

from app.ui.page import create_app
from app.ui.render import CSS


def launch(*, index_dir: str | Path | None = None, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve the chat. The model is loaded before the page is, so the first answer is as
    quick as the others."""
    from app.search.retriever import get_retriever

    demo = create_app(index_dir)
    get_retriever(index_dir).embedder.encode(["warm up"], kind="query")
    demo.launch(server_name=host, server_port=port, show_error=True, css=CSS)
