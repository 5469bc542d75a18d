"""The page: chat, sources panel, filters and examples, as gradio Blocks (not served)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from app.text.language import language_name
from app.ui.chat import chat, example_questions, index_summary
from app.ui.render import CSS, escape_markdown


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
