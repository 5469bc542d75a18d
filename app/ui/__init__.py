"""The web layer: the chat page (gradio), its API endpoints and the REST API.

The only layer that imports gradio (and FastAPI). Its modules, each with one job:
``render`` (an answer as escaped Markdown and HTML), ``chat`` (the functions behind the
page), ``page`` (the gradio Blocks) and ``server`` (serving it). Importing it is cheap:
gradio loads when a page is built.
"""

from __future__ import annotations

import os

from app.ui.chat import chat, example_questions, index_summary, user_questions
from app.ui.render import answer_markdown, escape_markdown, sources_html

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def create_app(index_dir=None):
    """The page's gradio Blocks (``app.ui.page.create_app``)."""
    from app.ui.page import create_app as build

    return build(index_dir)


def launch(**kwargs) -> None:
    """Serve the page (``app.ui.server.launch``)."""
    from app.ui.server import launch as serve

    serve(**kwargs)


__all__ = [
    "answer_markdown",
    "chat",
    "create_app",
    "escape_markdown",
    "example_questions",
    "index_summary",
    "launch",
    "sources_html",
    "user_questions",
]
