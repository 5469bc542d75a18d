"""The web chat: answers quoted from the articles, numbered sources beside them.

The only module that imports gradio. ``create_app()`` builds the Blocks and ``launch()``
serves them, so ``chat`` (the function behind the page and its API endpoint ``/chat``)
is plain Python, tested without a server. Everything that comes from an article is
escaped before it reaches the page: an article containing ``<script>`` or
``<img onerror=...>`` shows those characters as text and runs nothing.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter
from pathlib import Path

from app.text.dates import from_iso, short_date
from app.text.language import language_name
from app.types import Answer

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

# Markdown's special characters; a backslash makes each literal.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-!|~>])")
_MARKER = re.compile(r"\[(\d+)\]")
CSS = """
.nd-source { border-left: 3px solid #8a8a8a; padding: 4px 10px; margin: 8px 0; }
.nd-source mark { background: #fff3a3; color: inherit; }
.nd-meta { color: #666; font-size: 0.9em; }
.nd-text { overflow-wrap: anywhere; }
"""


def escape_markdown(text: str) -> str:
    """Article text -> Markdown that renders as exactly that text, never as markup."""
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False))


def answer_markdown(answer: Answer) -> str:
    """The chat message: escaped sentences, markers as links to the numbered sources."""
    if answer.abstained:
        lines = [escape_markdown(answer.text)]
        if answer.hits:
            lines.append("\nPossibly related:")
            for n, hit in enumerate(answer.hits[:3], start=1):
                c = hit.citation
                lines.append(f"- [{n}](#source-{n}) {escape_markdown(c.title)}, paragraph {c.paragraph}")
        return "\n".join(lines)
    by_n = {c.n: c for c in answer.citations}
    lines = []
    for sentence, markers in re.findall(r"(.+?) ((?:\[\d+\])+)(?: |$)", answer.text):
        first = by_n[int(re.match(r"\[(\d+)\]", markers).group(1))]
        links = "".join(f"[\\[{n}\\]](#source-{n})" for n in re.findall(r"\d+", markers))
        label = " · ".join(
            x for x in (first.speaker, short_date(first.published) if first.published else None) if x
        )
        lines.append(
            f"{escape_markdown(sentence)} {links}" + (f" *({escape_markdown(label)})*" if label else "")
        )
    return "\n\n".join(lines) if lines else escape_markdown(answer.text)


def sources_html(answer: Answer) -> str:
    """The sources panel: each cited passage with the quoted sentence highlighted."""
    items = []
    if answer.abstained:
        for n, hit in enumerate(answer.hits[:3], start=1):
            c = hit.citation
            items.append(_source(n, c.title, c.source, c.published, c.paragraph, c.language, hit.text, None))
        heading = "Possibly related" if items else "No sources"
    else:
        texts = {h.citation.passage_id: h for h in answer.hits}
        for q in answer.citations:
            hit = texts.get(q.passage_id)
            passage, start = (hit.text, hit.citation.start) if hit else (q.quote, q.start)
            span = (q.start - start, q.end - start)
            also = hit.citation.carried_by if hit else ()
            item = _source(q.n, q.title, q.source, q.published, q.paragraph, q.language, passage, span, also)
            items.append(item)
        heading = "Sources"
    return f"<div class='nd-sources'><h3>{heading}</h3>{''.join(items)}</div>"


def _source(n, title, source, published, paragraph, language, passage, span, also=()) -> str:
    outlet = source or "unknown outlet"
    meta = f"{outlet} · {short_date(published)} · {language_name(language)} · paragraph {paragraph}"
    if also:  # the same wire story in other outlets
        meta += " · also carried by " + ", ".join(o.source or o.title for o in also)
    if span and 0 <= span[0] <= span[1] <= len(passage):
        a, b = span
        body = f"{html.escape(passage[:a])}<mark>{html.escape(passage[a:b])}</mark>{html.escape(passage[b:])}"
    else:
        body = html.escape(passage)
    return (
        f"<div class='nd-source' id='source-{n}'>"
        f"<div class='nd-title'><b>[{n}] {html.escape(title)}</b></div>"
        f"<div class='nd-meta'>{html.escape(meta)}</div><p class='nd-text'>{body}</p></div>"
    )


def chat(
    message: str,
    history: list | None = None,
    outlets: list[str] | None = None,
    since: str = "",
    until: str = "",
    languages: list[str] | None = None,
    *,
    index_dir: str | Path | None = None,
) -> tuple[str, str]:
    """The page's (and the ``/chat`` endpoint's) function: (answer Markdown, sources HTML).

    Never raises for what a user can type: an empty or unusable question, a bad date or
    a missing index becomes a message in the chat.
    """
    from app.answer.ask import ask
    from app.index.errors import IndexUnavailable

    try:
        answer = ask(
            message or "",
            user_questions(history),
            index_dir=index_dir,
            since=since or None,
            until=until or None,
            outlets=outlets or None,
            languages=languages or None,
        )
    except ValueError as err:
        return f"Please ask a question about the articles ({escape_markdown(str(err))}).", ""
    except IndexUnavailable as err:
        return f"The index is not available: {escape_markdown(str(err))}", ""
    return answer_markdown(answer), sources_html(answer)


def user_questions(history: list | None) -> list[str]:
    """The user's questions from a Gradio chat history (messages ``{"role", "content"}``,
    or the older ``[user, bot]`` pairs), oldest first: what ``ask`` takes."""
    out = []
    for item in history or ():
        if isinstance(item, dict) and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, list):  # Gradio 6 may give [{"type": "text", "text": ...}]
                content = " ".join(c.get("text", "") for c in content if isinstance(c, dict))
            out.append(content if isinstance(content, str) else "")
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            out.append(item[0])
        elif isinstance(item, str):
            out.append(item)
    return [q for q in out if q.strip()]


def index_summary(index_dir: str | Path | None = None) -> str:
    from app.search.retriever import get_retriever

    index = get_retriever(index_dir).index
    manifest = index.manifest
    built = from_iso(manifest.get("built"))
    when = built.strftime("%d %b %Y %H:%M UTC") if built else "unknown"
    articles, passages = manifest.get("articles", 0), manifest["count"]
    languages = Counter(a.language for a in index.articles.values())
    by_language = ", ".join(f"{language_name(c)} {n}" for c, n in languages.most_common())
    return (
        f"Indexed: {articles} article{'s' * (articles != 1)} ({by_language}), "
        f"{passages} passage{'s' * (passages != 1)}, built {when}"
    )


def example_questions(index_dir: str | Path | None = None, n: int = 3) -> list[str]:
    """Questions drawn from the indexed articles: who is quoted most in the newest ones
    (from the quotes and speakers the build found), else the headline."""
    from app.news.speakers import PRONOUNS, has_name
    from app.search.retriever import get_retriever
    from app.text.words import BANGLA_ANAPHORS as BANGLA_PRONOUNS

    articles = list(get_retriever(index_dir).index.articles.values())
    articles.sort(key=lambda a: a.published.timestamp() if a.published else float("-inf"), reverse=True)
    examples: list[str] = []
    for article in articles:
        # A resolved name ("Ayatollah Ali Khamenei") asked by its last word ("Khamenei");
        # a speaker with no name ("a spokesman", "he") makes no question.
        if article.language == "bn":  # Bangla names have no capitals: the full resolved name
            speakers = Counter(q.name for q in article.quotes if q.name and q.name not in BANGLA_PRONOUNS)
            example = (
                f"{speakers.most_common(1)[0][0]} কী বলেছেন?"
                if speakers
                else f"{article.title} নিয়ে কী জানা যায়?"
            )
            examples.append(example)
            continue
        named = [q.name for q in article.quotes if q.name.lower() not in PRONOUNS and has_name(q.name)]
        speakers = Counter(name.split()[-1] for name in named)
        if speakers:
            examples.append(f"What did {speakers.most_common(1)[0][0]} say?")
        else:
            examples.append(f"What happened: {article.title}?")
        if len(examples) >= n:
            break
    if articles:
        examples.append("Who reported it, and when?")
    return list(dict.fromkeys(examples))


def create_app(index_dir: str | Path | None = None):
    """Build the page (not served): chat, sources panel, filters, examples."""
    import gradio as gr

    from app.search.retriever import get_retriever

    index = get_retriever(index_dir).index
    outlets = sorted({a.source for a in index.articles.values() if a.source})
    languages = [
        (language_name(c), c) for c, _ in Counter(a.language for a in index.articles.values()).most_common()
    ]
    examples = example_questions(index_dir)

    def answer_chat(
        message: str, history: list, outlets: list[str], since: str, until: str, languages: list[str]
    ):
        return chat(message, history, outlets, since, until, languages, index_dir=index_dir)

    answer_chat.__name__ = "chat"  # the API endpoint is named after the function: /chat
    with gr.Blocks(title="newsdesk", fill_height=True) as demo:
        gr.Markdown(f"## newsdesk\n{escape_markdown(index_summary(index_dir))}", elem_id="summary")
        sources = gr.HTML("<div class='nd-sources'><h3>Sources</h3></div>", elem_id="sources", render=False)
        filters = [
            gr.Dropdown(outlets, multiselect=True, label="Outlets", elem_id="outlets", render=False),
            gr.Textbox(label="Published since (YYYY-MM-DD)", elem_id="since", render=False),
            gr.Textbox(label="Published until (YYYY-MM-DD)", elem_id="until", render=False),
            gr.Dropdown(
                languages,
                multiselect=True,
                label="Languages (none chosen: all)",
                elem_id="languages",
                render=False,
            ),
        ]
        with gr.Row():
            with gr.Column(scale=3):
                gr.ChatInterface(
                    answer_chat,
                    chatbot=gr.Chatbot(elem_id="chat", height=480, sanitize_html=True, label="Answers"),
                    textbox=gr.Textbox(
                        placeholder="Ask about the articles…",
                        elem_id="question",
                        submit_btn=True,
                        show_label=False,
                    ),
                    additional_inputs=filters,
                    additional_inputs_accordion=gr.Accordion("Filters", open=False, render=False),
                    additional_outputs=[sources],
                    examples=[[q, None, None, None, None] for q in examples],  # None: shown in the chat
                    example_labels=examples,
                    api_name="chat",
                    # two answers at a time: one a core; more would only contend for them
                    concurrency_limit=2,
                )
            with gr.Column(scale=2):
                sources.render()
    demo.css = CSS
    return demo


def launch(*, index_dir: str | Path | None = None, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve the chat. The model is loaded before the page is, so the first answer is as
    quick as the others."""
    from app.search.retriever import get_retriever

    demo = create_app(index_dir)
    get_retriever(index_dir).embedder.encode(["warm up"], kind="query")
    demo.launch(server_name=host, server_port=port, show_error=True, css=CSS)
