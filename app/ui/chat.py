"""The chat's plain functions: a question (and the page's filters) to the answer's
Markdown and sources, the index summary and example questions. Tested without a
server; never raises for what a user can type."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from app.index.models import recorded_design, split_design
from app.text.dates import from_iso
from app.text.language import language_name
from app.types import Answer
from app.ui.render import answer_footnotes, answer_markdown, escape_markdown, sources_html


@dataclass(frozen=True)
class Reply:
    """What the page shows for one question: the chat message, the sources panel, the
    answer to copy with footnotes, and the ``Answer`` itself (None for a message such
    as "the question is empty")."""

    markdown: str
    sources: str
    footnotes: str = ""
    answer: Answer | None = None


def respond(
    message: str,
    history: list | None = None,
    outlets: list[str] | None = None,
    since: str = "",
    until: str = "",
    languages: list[str] | None = None,
    *,
    index_dir: str | Path | None = None,
) -> Reply:
    """Answer a question from the page. Never raises for what a user can type: an empty
    or unusable question, a bad date or a missing index becomes a message in the chat."""
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
        return Reply(f"Please ask a question about the articles ({escape_markdown(str(err))}).", "")
    except IndexUnavailable as err:
        return Reply(f"The index is not available: {escape_markdown(str(err))}", "")
    return Reply(answer_markdown(answer), sources_html(answer), answer_footnotes(answer), answer)


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
    """The ``/chat`` endpoint's function: (answer Markdown, sources HTML)."""
    reply = respond(message, history, outlets, since, until, languages, index_dir=index_dir)
    return reply.markdown, reply.sources


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
    """What the page says is loaded: articles per language, passages, when the index was
    built, and which index (its folder and model).

    Example:
        >>> index_summary()  # doctest: +ELLIPSIS
        'Indexed: 1 article (English 1), 7 passages, built ...; index embeddings, models multilingual-e5-...'
    """
    from app.search.retriever import get_retriever

    index = get_retriever(index_dir).index
    manifest = index.manifest
    built = from_iso(manifest.get("built"))
    when = built.strftime("%d %b %Y %H:%M UTC") if built else "unknown"
    articles, passages = manifest.get("articles", 0), manifest["count"]
    # The build's counts; an index without them (older manifests) is counted here.
    languages = Counter(manifest.get("languages") or (a.language for a in index.articles.values()))
    by_language = ", ".join(f"{language_name(c)} {n}" for c, n in languages.most_common())
    return (
        f"Indexed: {articles} article{'s' * (articles != 1)} ({by_language}), "
        f"{passages} passage{'s' * (passages != 1)}, built {when}; "
        f"index {index.folder.name}, {_models(manifest)}"
    )


def _models(manifest) -> str:
    """The index's model, or its two (the default design), by their short names."""
    if "model" not in manifest:
        return "model unknown"
    names = [m.rsplit("/", 1)[-1] for m in split_design(recorded_design(manifest)) if m]
    return f"model{'s' * (len(names) > 1)} {' + '.join(names)}"


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
