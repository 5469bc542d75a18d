"""The web layer: the chat page (gradio), its API endpoints and the REST API.

The only layer that imports gradio (and FastAPI, uvicorn, Altair). Its modules, each
with one job: ``render`` (an answer as escaped Markdown and HTML, and as Markdown with
footnotes to copy), ``chat`` (the functions behind the page), ``charts`` (the timeline
and coverage plots), ``articles`` (the "Add articles" panel), ``api`` (the ``/chat`` and
``/ask`` endpoints), ``page`` (the gradio Blocks), ``rest`` (``/api/ask``,
``/api/search``) and ``server`` (serving them together). Importing it is cheap: gradio
loads when a page is built.
"""

from __future__ import annotations

import os

from app.ui.chat import chat, example_questions, index_summary, user_questions
from app.ui.render import answer_markdown, escape_markdown, sources_html

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def create_app(index_dir=None, *, seeds=None):
    """The page's gradio Blocks (``app.ui.page.create_app``); ``seeds`` adds the
    "Add articles" panel, saving into that folder."""
    from app.ui.page import create_app as build

    return build(index_dir, seeds=seeds)


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
