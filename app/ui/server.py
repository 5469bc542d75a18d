"""Serving the page and the REST API together on this machine (127.0.0.1 unless asked).

One FastAPI app (``app.ui.rest``: ``/api/ask``, ``/api/search``, ``/docs``) with the
gradio page mounted at ``/`` (``gr.mount_gradio_app``), run by uvicorn: the REST routes
are matched first, everything else is the page and its ``/gradio_api``. Uploads go
through gradio's upload route, which refuses a file over ``MAX_UPLOAD_BYTES`` (413) as
it arrives.
"""

from __future__ import annotations

from pathlib import Path

from app.ui.articles import MAX_UPLOAD_BYTES


def create_server(
    index_dir: str | Path | None = None,
    *,
    seeds: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int = 7860,
):
    """The ASGI app: REST routes, then the page (not served; uvicorn runs it)."""
    import gradio as gr

    from app.ui.page import CSS, create_app, theme
    from app.ui.rest import create_rest_app

    demo = create_app(index_dir, seeds=seeds)
    return gr.mount_gradio_app(
        create_rest_app(index_dir),
        demo,
        path="/",
        server_name=host,
        server_port=port,
        max_file_size=MAX_UPLOAD_BYTES,
        show_error=True,
        css=CSS,
        theme=theme(),
        footer_links=["api", "gradio"],
        run_history=False,
    )


def launch(
    *,
    index_dir: str | Path | None = None,
    seeds: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int = 7860,
) -> None:
    """Serve the chat, the API and its docs until interrupted. The model and the
    keyword index are loaded before the first request, so the first answer is as
    quick as the others."""
    import uvicorn

    from app.search.retriever import get_retriever

    app = create_server(index_dir, seeds=seeds, host=host, port=port)
    get_retriever(index_dir).search("warm up", 1)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"newsdesk: serving http://{shown}:{port} (API docs at /docs); Ctrl-C stops it", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
