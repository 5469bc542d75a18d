"""The page's API endpoints for ``gradio_client``: ``/chat`` (the answer as the page
shows it) and ``/ask`` (the answer as data: the JSON text ``newsdesk ask --json`` prints).

Only the question is required; the history, outlets, dates and languages are optional
keyword arguments::

    client.predict("what did Khamenei say about US troops", api_name="/chat")
    json.loads(client.predict("when was that?", history=["what did Khamenei say?"], api_name="/ask"))

``/ask`` returns JSON text, not an object: ``gradio_client`` takes any object with a
``"path"`` key for a file to download, and every citation has one (its article's file).

Deliberately without ``from __future__ import annotations``: ``gr.api`` reads these
signatures at run time to tell clients each argument's type and default.
"""

import json
import os

from app.answer.payloads import ask_payload
from app.index.errors import IndexUnavailable
from app.ui.chat import chat


def endpoints(index_dir: "str | os.PathLike[str] | None" = None):
    """The functions behind ``/chat`` and ``/ask`` for one index folder."""

    def chat_endpoint(
        question: str,
        history: list[str] | None = None,
        outlets: list[str] | None = None,
        since: str = "",
        until: str = "",
        languages: list[str] | None = None,
    ) -> tuple[str, str]:
        """Answer a question from the articles: (the answer as Markdown, the sources as HTML).

        history: the earlier questions of the conversation, oldest first. outlets,
        languages: only these (none: all). since, until: YYYY-MM-DD, both inclusive.
        Never fails for what is asked: a problem is a message in the Markdown.
        """
        return chat(question, history, outlets, since, until, languages, index_dir=index_dir)

    def ask_endpoint(
        question: str,
        history: list[str] | None = None,
        outlets: list[str] | None = None,
        since: str = "",
        until: str = "",
        languages: list[str] | None = None,
    ) -> str:
        """Answer a question as data, in JSON text: answer, abstained, and citations with
        their quote, offsets (start, end), speaker, title, outlet (source), date
        (published), URL and language. An empty question or a malformed date is an error
        with one message.
        """
        import gradio as gr

        try:
            payload = ask_payload(
                question,
                history,
                index_dir=index_dir,
                since=since,
                until=until,
                outlets=outlets,
                languages=languages,
            )
        except (ValueError, IndexUnavailable) as err:
            raise gr.Error(str(err), print_exception=False) from None
        return json.dumps(payload, ensure_ascii=False)

    return chat_endpoint, ask_endpoint
