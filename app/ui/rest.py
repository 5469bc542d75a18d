"""The plain REST API beside the page, on the same server: ``POST /api/ask``,
``GET /api/search`` and the OpenAPI page at ``/docs``.

Each returns the JSON of ``newsdesk ask/search --json`` (``app.answer.payloads``). The
docs page is Swagger UI from the ``swagger-ui-py`` package's files, served here: FastAPI's
default page loads it from a CDN, which an offline machine cannot reach.
Bad input is a 4xx with one message, ``{"error": "..."}``, never a traceback: 400 for
a bad value (an empty question, ``k`` out of range, a malformed date), 422 for a
malformed request (not JSON, a missing or mistyped field), 413 for a body over
``MAX_BODY_BYTES``; 503 when there is no usable index. Does not add articles (that
is the page's "Add articles" panel, or ``newsdesk add``).

Deliberately without ``from __future__ import annotations``: FastAPI reads the route
signatures at run time for validation and the OpenAPI page. Imported only to serve.
"""

import importlib.util
import os
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from app.answer.payloads import MAX_K, ask_payload, search_payload
from app.index.errors import IndexUnavailable

# A request body is a question and a few filters: 64 KiB is a 10,000-word question.
MAX_BODY_BYTES = 64 * 1024
# Answers computed at once for REST clients (the page's queue has its own two): one a
# core; more would only contend for them. Others wait their turn in a thread.
ANSWERS_AT_ONCE = 2
_answering_now = threading.BoundedSemaphore(ANSWERS_AT_ONCE)


class AskRequest(BaseModel):
    question: str = Field(description="what the reader asks")
    history: list[str] = Field(default=[], description="earlier questions, oldest first")
    outlets: list[str] = Field(default=[], description="only these outlets (none: all)")
    since: str = Field(default="", description="published on or after, YYYY-MM-DD")
    until: str = Field(default="", description="published on or before, YYYY-MM-DD")
    languages: list[str] = Field(default=[], description="only these languages: en, bn (none: all)")


def create_rest_app(index_dir: "str | os.PathLike[str] | None" = None) -> FastAPI:
    """A FastAPI app with the REST routes (the page is mounted on it by ``server``)."""
    app = FastAPI(
        title="newsdesk",
        summary="Questions answered from news articles, every sentence quoted and cited.",
        version="1",
        docs_url=None,  # served below, from local files
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES, prefix="/api/")
    app.mount("/api/docs-assets", StaticFiles(directory=swagger_ui_files()), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="newsdesk API",
            swagger_js_url="/api/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs-assets/swagger-ui.css",
            swagger_favicon_url="/api/docs-assets/favicon-32x32.png",
        )

    @app.post("/api/ask", tags=["answers"])
    def api_ask(request: AskRequest) -> dict[str, Any]:
        """The answer, quoted and cited from the articles, as `newsdesk ask --json` prints it."""
        return _answering(
            ask_payload,
            request.question,
            request.history,
            index_dir=index_dir,
            since=request.since,
            until=request.until,
            outlets=request.outlets,
            languages=request.languages,
        )

    @app.get("/api/search", tags=["answers"])
    def api_search(
        q: Annotated[str, Query(description="the question")],
        k: Annotated[int, Query(description=f"how many passages, 1 to {MAX_K}")] = 5,
        mode: Annotated[str, Query(description="hybrid, dense or keyword")] = "hybrid",
        since: Annotated[str, Query(description="published on or after, YYYY-MM-DD")] = "",
        until: Annotated[str, Query(description="published on or before, YYYY-MM-DD")] = "",
        outlets: Annotated[list[str], Query(description="only these outlets (repeat it)")] = (),
        languages: Annotated[list[str], Query(description="only these languages (repeat it)")] = (),
    ) -> dict[str, Any]:
        """The passages most relevant to a question, as `newsdesk search --json` prints them."""
        return _answering(
            search_payload,
            q,
            k,
            index_dir=index_dir,
            mode=mode,
            since=since,
            until=until,
            outlets=outlets,
            languages=languages,
        )

    @app.exception_handler(HTTPException)
    async def http_error(request, err: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(err.detail)}, status_code=err.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request, err: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": validation_message(err.errors())}, status_code=422)

    return app


def swagger_ui_files() -> Path:
    """The folder of Swagger UI's JavaScript and CSS in the ``swagger-ui-py`` package
    (found, not imported: its Python side is for other frameworks)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the API docs need the swagger-ui-py package: pip install swagger-ui-py")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def _answering(fn, *args, **kwargs) -> dict[str, Any]:
    """Run a payload function; its ValueError is the client's 400, a missing index 503."""
    try:
        with _answering_now:
            return fn(*args, **kwargs)
    except ValueError as err:
        raise HTTPException(400, str(err)) from None
    except IndexUnavailable as err:
        raise HTTPException(503, f"the index is not available: {err}") from None


def validation_message(errors: list[dict]) -> str:
    """FastAPI's list of validation errors as one line: the first, by field.

    Example:
        >>> validation_message([{"loc": ("body", "question"), "msg": "Field required"}])
        'question: Field required'
    """
    if not errors:
        return "malformed request"
    first = errors[0]
    if first.get("type") == "json_invalid":
        return f"the request body is not JSON ({first.get('ctx', {}).get('error', 'cannot be read')})"
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query"))
    message = str(first.get("msg", "invalid"))
    return f"{where}: {message}" if where else message


class BodyLimit:
    """ASGI middleware: a request body to ``prefix`` over ``limit`` bytes is a 413,
    whether it says its length up front or streams it (counted as it arrives)."""

    def __init__(self, app, *, limit: int, prefix: str):
        self.app, self.limit, self.prefix = app, limit, prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        too_large = f"the request body is over {self.limit // 1024} KiB"
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await JSONResponse({"error": too_large}, status_code=413)(scope, receive, send)
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:  # FastAPI passes an HTTPException from here through
                raise HTTPException(413, too_large)
            return message

        return await self.app(scope, counted, send)
