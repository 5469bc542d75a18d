"""An answer as the page shows it: escaped Markdown for the chat, HTML for the sources.

Everything that comes from an article is escaped before it reaches the page: an
article containing ``<script>`` or ``<img onerror=...>`` shows those characters as text
and runs nothing. Plain functions of an ``Answer``; no gradio here.
"""

from __future__ import annotations

import html
import re

from app.answer.timeline import related_hits
from app.text.dates import short_date
from app.text.language import language_name
from app.types import Answer

# Markdown's special characters; a backslash makes each literal.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-!|~>])")


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
    """The sources panel: each cited passage with the quoted sentence highlighted, then
    the related articles (``related-n``), which the timeline's points link to as well."""
    items = []
    if answer.abstained:
        for n, hit in enumerate(related_hits(answer), start=1):
            c = hit.citation
            items.append(_source(f"source-{n}", f"[{n}]", c, hit.text, None))
        heading = "Possibly related" if items else "No sources"
    else:
        texts = {h.citation.passage_id: h for h in answer.hits}
        for q in answer.citations:
            hit = texts.get(q.passage_id)
            passage, start = (hit.text, hit.citation.start) if hit else (q.quote, q.start)
            span = (q.start - start, q.end - start)
            also = hit.citation.carried_by if hit else ()
            items.append(_source(f"source-{q.n}", f"[{q.n}]", q, passage, span, also))
        related = [
            _source(f"related-{n}", "Related:", hit.citation, hit.text, None)
            for n, hit in enumerate(related_hits(answer), start=1)
        ]
        if related:
            items.append("<h4>Related articles</h4>" + "".join(related))
        heading = "Sources"
    return f"<div class='nd-sources'><h3>{heading}</h3>{''.join(items)}</div>"


def _source(anchor: str, marker: str, c, passage: str, span, also=()) -> str:
    """One panel entry: ``c`` is a Quote or a Citation (title, outlet, date, paragraph)."""
    outlet = c.source or "unknown outlet"
    meta = f"{outlet} · {short_date(c.published)} · {language_name(c.language)} · paragraph {c.paragraph}"
    if also:  # the same wire story in other outlets
        meta += " · also carried by " + ", ".join(o.source or o.title for o in also)
    if span and 0 <= span[0] <= span[1] <= len(passage):
        a, b = span
        body = f"{html.escape(passage[:a])}<mark>{html.escape(passage[a:b])}</mark>{html.escape(passage[b:])}"
    else:
        body = html.escape(passage)
    return (
        f"<div class='nd-source' id='{anchor}'>"
        f"<div class='nd-title'><b>{marker} {html.escape(c.title)}</b></div>"
        f"<div class='nd-meta'>{html.escape(meta)}</div><p class='nd-text'>{body}</p></div>"
    )


# What a pasted Markdown answer must escape to read as its text: emphasis, code, links
# and HTML. Lighter than ``escape_markdown`` (the page's), so the copy stays readable.
_COPY = re.compile(r"([\\`*_\[\]<>])")


def answer_footnotes(answer: Answer) -> str:
    """The answer to copy elsewhere: Markdown whose citations are footnotes (``[^1]``),
    each naming the article's title, outlet, date, paragraph and URL (or file).

    Example:
        >>> print(answer_footnotes(ask("what did Khamenei say about US troops")))
        The United States is an unreliable friend, ... on Saturday.[^1] ...
        <BLANKLINE>
        [^1]: Even one American in Iraq ... — Reuters, 30 Apr 2023, paragraph 1, seeds/000_....txt
    """
    if answer.abstained or not answer.citations:
        return _plain(answer.text)
    sentences = [
        _plain(sentence) + "".join(f"[^{n}]" for n in re.findall(r"\d+", markers))
        for sentence, markers in re.findall(r"(.+?) ((?:\[\d+\])+)(?: |$)", answer.text)
    ]
    notes = []
    for q in answer.citations:
        where = f"{q.source or 'unknown outlet'}, {short_date(q.published)}, paragraph {q.paragraph}"
        who = f", quoting {q.speaker}" if q.speaker else ""
        notes.append(f"[^{q.n}]: {_plain(q.title)} — {where}{who}, {q.url or q.path}")
    return " ".join(sentences) + "\n\n" + "\n".join(notes) + "\n"


def _plain(text: str) -> str:
    return _COPY.sub(r"\\\1", text)
