"""An answer as the page shows it: escaped Markdown for the chat, HTML for the sources.

Everything that comes from an article is escaped before it reaches the page: an
article containing ``<script>`` or ``<img onerror=...>`` shows those characters as text
and runs nothing. Plain functions of an ``Answer``; no gradio here.
"""

from __future__ import annotations

import html
import re

from app.text.dates import short_date
from app.text.language import language_name
from app.types import Answer

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
