"""The page, as gradio Blocks (not served): the chat and its filters, the sources panel
with the answer's timeline and its coverage over time, the answer as Markdown to copy,
the "Add articles" panel, and the API endpoints ``/chat``, ``/ask`` and
``/add_articles``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from app.answer.timeline import coverage, timeline
from app.text.language import language_name
from app.ui.api import endpoints
from app.ui.articles import MAX_UPLOAD_BYTES, add_articles
from app.ui.charts import coverage_chart, timeline_chart
from app.ui.chat import example_questions, index_summary, respond
from app.ui.render import escape_markdown

CSS = """
.nd-source { border-left: 3px solid #8a8a8a; padding: 4px 10px; margin: 8px 0; }
.nd-source mark { background: #fff3a3; color: inherit; }
.nd-source:target { background: rgba(255, 213, 79, 0.3); }  /* the entry a timeline point opened */
.nd-meta { color: #666; font-size: 0.9em; }
.nd-text { overflow-wrap: anywhere; }
"""
SOURCES = "<div class='nd-sources'><h3>Sources</h3></div>"
# Two answers at a time: one a core; more would only contend for them.
ANSWERS_AT_ONCE = 2


def theme():
    """Gradio's default theme with its font's bold weight from the complete file:
    gradio 6 declares Source Sans Pro at 400 and 600, and its SemiBold file holds only
    55 glyphs (" ", "A", "B" and some Cyrillic), so bold headlines were drawn in two fonts,
    with an odd small "A". Bold (700) is the full font."""
    import gradio as gr

    font = gr.themes.LocalFont("Source Sans Pro", weights=(400, 700))
    return gr.themes.Default(font=(font, "ui-sans-serif", "system-ui", "sans-serif"))


def create_app(index_dir: str | Path | None = None, *, seeds: str | Path | None = None):
    """Build the page (not served). ``seeds`` is the articles folder the "Add articles"
    panel saves into (built into ``index_dir``); without it the panel is not shown."""
    import gradio as gr

    from app.index.locations import default_index_dir
    from app.sources import SUFFIXES

    examples = example_questions(index_dir)
    chat_endpoint, ask_endpoint = endpoints(index_dir)

    def answer(message: str, history: list, outlets: list[str], since: str, until: str, languages: list[str]):
        reply = respond(message, history, outlets, since, until, languages, index_dir=index_dir)
        if reply.answer is None:
            return reply.markdown, reply.sources, None, None, ""
        about = reply.answer.resolved or reply.answer.question
        spread = coverage(about, index_dir=index_dir, outlets=outlets or None, languages=languages or None)
        plots = timeline_chart(timeline(reply.answer)), coverage_chart(spread)
        return reply.markdown, reply.sources, *plots, reply.footnotes

    def refresh():
        """The summary and the filters' choices as the index is now (after an upload)."""
        outlets, languages = _choices(index_dir)
        return _summary(index_dir), gr.update(choices=outlets), gr.update(choices=languages)

    outlets, languages = _choices(index_dir)
    with gr.Blocks(title="newsdesk", fill_height=True) as demo:
        summary = gr.Markdown(_summary(index_dir), elem_id="summary")
        sources = gr.HTML(SOURCES, elem_id="sources", render=False)
        timeline_plot = gr.Plot(elem_id="timeline", show_label=False, render=False)
        coverage_plot = gr.Plot(elem_id="coverage", show_label=False, render=False)
        footnotes = gr.Textbox(
            label="This answer as Markdown, with footnotes",
            lines=6,
            interactive=False,
            buttons=["copy"],
            elem_id="answer-markdown",
            render=False,
        )
        outlet_filter = gr.Dropdown(
            outlets, multiselect=True, label="Outlets", elem_id="outlets", render=False
        )
        language_filter = gr.Dropdown(
            languages,
            multiselect=True,
            label="Languages (none chosen: all)",
            elem_id="languages",
            render=False,
        )
        filters = [
            outlet_filter,
            gr.Textbox(label="Published since (YYYY-MM-DD)", elem_id="since", render=False),
            gr.Textbox(label="Published until (YYYY-MM-DD)", elem_id="until", render=False),
            language_filter,
        ]
        with gr.Row():
            with gr.Column(scale=3):
                gr.ChatInterface(
                    answer,
                    chatbot=gr.Chatbot(elem_id="chat", height=480, sanitize_html=True, label="Answers"),
                    textbox=gr.Textbox(
                        placeholder="Ask about the articles…",
                        elem_id="question",
                        submit_btn=True,
                        show_label=False,
                    ),
                    additional_inputs=filters,
                    additional_inputs_accordion=gr.Accordion("Filters", open=False, render=False),
                    additional_outputs=[sources, timeline_plot, coverage_plot, footnotes],
                    examples=[[q, None, None, None, None] for q in examples],  # None: shown in the chat
                    example_labels=examples,
                    api_name="answer",
                    api_visibility="private",  # the page's own; clients call /chat and /ask
                    concurrency_limit=ANSWERS_AT_ONCE,
                )
            with gr.Column(scale=2):
                sources.render()
                timeline_plot.render()
                coverage_plot.render()
                with gr.Accordion("Copy the answer as Markdown", open=False, elem_id="copy-answer"):
                    footnotes.render()
        if seeds is not None:
            folder = Path(index_dir) if index_dir is not None else default_index_dir()
            added = _articles_panel(gr, Path(seeds), folder, SUFFIXES)
            added.then(refresh, None, [summary, outlet_filter, language_filter], api_visibility="private")
        gr.api(chat_endpoint, api_name="chat", concurrency_limit=ANSWERS_AT_ONCE, concurrency_id="api")
        gr.api(ask_endpoint, api_name="ask", concurrency_limit=ANSWERS_AT_ONCE, concurrency_id="api")
        demo.load(refresh, None, [summary, outlet_filter, language_filter], api_visibility="private")
    return demo


def _articles_panel(gr, seeds: Path, index_dir: Path, suffixes):
    """The "Add articles" accordion; returns the add event (to chain a refresh on)."""
    limit = MAX_UPLOAD_BYTES >> 20
    with gr.Accordion("Add articles", open=False, elem_id="add-articles"):
        gr.Markdown(
            f"Upload articles ({', '.join(suffixes)}; at most {limit} MB a file) or paste web page "
            "addresses, one a line. They are saved in the articles folder and the index is updated; "
            "answers go on meanwhile and use the new articles once it is built."
        )
        files = gr.File(file_count="multiple", file_types=list(suffixes), label="Files", elem_id="upload")
        urls = gr.Textbox(label="Web pages (one URL a line)", lines=2, elem_id="urls")
        add = gr.Button("Add and index", variant="primary", elem_id="add")
        report = gr.Markdown(elem_id="add-report")

    def add_and_build(files: list[str] | None, urls: str, progress=gr.Progress()):  # noqa: B008 (gradio's idiom)
        yield from add_articles(files, urls, seeds=seeds, index_dir=index_dir, progress=progress)

    return add.click(add_and_build, [files, urls], report, api_name="add_articles", concurrency_limit=1)


def _summary(index_dir) -> str:
    return f"## newsdesk\n{escape_markdown(index_summary(index_dir))}"


# The filters' choices of each index generation: reading every article's outlet is a pass
# over the archive, once a build rather than once a page load.
_CHOICES: dict[tuple, tuple[list[str], list[tuple[str, str]]]] = {}


def _choices(index_dir) -> tuple[list[str], list[tuple[str, str]]]:
    """The outlets and languages of the index, for the filters."""
    from app.search.retriever import get_retriever

    index = get_retriever(index_dir).index
    key = (str(index.folder), index.manifest.get("generation"), index.manifest.get("built"))
    if key not in _CHOICES:
        articles = list(index.articles.values())
        outlets = sorted({a.source for a in articles if a.source})
        counts = Counter(a.language for a in articles)
        _CHOICES[key] = outlets, [(language_name(c), c) for c, _ in counts.most_common()]
    return _CHOICES[key]
