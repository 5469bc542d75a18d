"""The web page: a question box and the cited passages. The only module that imports
gradio. ``create_app()`` builds the Blocks; ``launch()`` serves them, so the functions
behind the page are testable without a server. All article text is HTML-escaped before
it reaches the page: nothing from an article can run in the browser."""

from __future__ import annotations

import html
import os
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def search_html(question: str, index_dir: str | Path | None = None, k: int = 5) -> str:
    """The cited passages for ``question`` as an HTML fragment (every text escaped)."""
    from app.retriever import retrieve
    from app.store import IndexUnavailable

    if not question or not question.strip():
        return "<p>Type a question about the articles.</p>"
    try:
        hits = retrieve(question, k=k, index_dir=index_dir)
    except (IndexUnavailable, ValueError) as err:
        return f"<p class='nd-error'>{html.escape(str(err))}</p>"
    if not hits:
        return "<p>No passage matches.</p>"
    items = []
    for n, hit in enumerate(hits, start=1):
        c = hit.citation
        date = c.published.strftime("%d %b %Y") if c.published else "undated"
        meta = f"{c.source or 'unknown outlet'} · {date} · paragraph {c.paragraph}"
        items.append(
            f"<li class='nd-hit' id='source-{n}'><p class='nd-title'><b>[{n}] {html.escape(c.title)}</b></p>"
            f"<p class='nd-meta'>{html.escape(meta)}</p><p class='nd-text'>{html.escape(hit.text)}</p></li>"
        )
    return f"<ol class='nd-hits'>{''.join(items)}</ol>"


def create_app(index_dir: str | Path | None = None):
    import gradio as gr

    with gr.Blocks(title="newsdesk") as demo:
        gr.Markdown("# newsdesk\nAsk a question about the indexed articles.")
        question = gr.Textbox(label="Question", elem_id="question")
        ask = gr.Button("Search", variant="primary", elem_id="ask")
        passages = gr.HTML(elem_id="passages")

        def search(q: str) -> str:
            return search_html(q, index_dir)

        ask.click(search, question, passages, api_name="search")
        question.submit(search, question, passages, api_name=False)
    return demo


def launch(*, index_dir: str | Path | None = None, host: str = "127.0.0.1", port: int = 7860) -> None:
    create_app(index_dir).launch(server_name=host, server_port=port, show_error=True)
