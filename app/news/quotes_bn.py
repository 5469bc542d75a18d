"""Quotes and reported statements in Bangla news, and who made them, by rules. The
Bangla counterpart of ``app.news.quotes`` (which dispatches here for a Bangla body),
with the same output: ``app.types.Attribution``.

Bangla papers mark direct speech mostly with single curly quotes ‘…’ (≈ 9,000 against
≈ 130 “…” in the shared corpora), and put the attribution *before* the quote (≈ 90%).
They also report speech without quotation marks, ``X বলেন, <sentence>।``, the commonest
way a statement is attributed (Jugantor uses almost nothing else); those are returned
too, the span being that first sentence after the comma. Handled:

* before the quote: ``X বলেন, ‘…’``, ``X প্রথম আলোকে বলেন, ‘…’``, ``তিনি আরও বলেন, ‘…’``,
  ``X লিখেছেন, ‘…’``, ``X-এর ভাষায়, ‘…’`` (also with ``:``, a dash, or no space before
  the mark);
* after the quote: ``“…,”—বলেন তিনি।``, ``‘…,’ বলেন X।``, ``‘…’ বলে মন্তব্য করেন X।``,
  ``‘…’—এমন মন্তব্য করে X``, and, after a quote ending in a comma, ``‘…,’ তিনি বলেন।`` /
  ``জানান`` / ``উল্লেখ করেন`` (rare in Bangla papers: the attribution comes first);
* unquoted: ``X বলেন, …।``;
* a quote that stands alone right after an attributed one (same or next paragraph)
  continues its speaker; a paragraph that is only a quote with no final stop is a
  crosshead, and a quoted word or title (‘দারুণ’, ‘আলোর পথে যাত্রা’) is not speech.

The speaker phrase and its resolution are ``app.news.speakers_bn``'s. Does not handle:
speakers known only from another paragraph's prose, quotes inside quotes (the inner one
is part of the outer), "এতে বলা হয়" / "জানা যায়" (impersonal: no speaker), or indirect
speech that closes a paraphrase ("… বলে জানান তিনি": no span after a comma).
"""

from __future__ import annotations

import re

from app.news.bangla_words import MAX_NAME_WORDS, VERB, is_break, tolerant
from app.news.speakers_bn import name_phrase, resolve_all, speaker_before
from app.text.bangla import bangla_sentence_spans
from app.text.sentences import ABBREVIATIONS
from app.types import Attribution

MIN_QUOTE_WORDS = 2  # one quoted word is a term or a name, not speech
CONTINUATION_CHARS = 200  # an unattributed quote this close after another continues it
MIN_STATEMENT_CHARS = 8  # "X বলেন, হ্যাঁ।" is too short to cite as a statement

_OPEN = {"‘": "’", "“": "”"}
_BEFORE = re.compile(rf"(?P<verb>{VERB})\s*[,:]?\s*[—–-]?\s*$")
_POSSESSIVE_WORDS = "ভাষায় ভাষ্য ভাষ্যমতে কথায় দাবি মতে উত্তর জবাব".split()
_BEFORE_POSSESSIVE = re.compile(  # "X-এর ভাষায়, ‘…’"
    rf"(?P<who>\S+?)(?:-এর|–এর|এর|ের|র)\s+(?P<verb>{'|'.join(map(tolerant, _POSSESSIVE_WORDS))})\s*[,:]\s*$"
)
_AFTER = re.compile(
    r"^[\s,]*[—–-]*\s*(?:(?:এমন|এ|এই)\s+)?(?:(?:কথা|মন্তব্য|প্রশ্ন)\s+)?(?:বলে\s+)?"
    rf"(?P<verb>{VERB}|মন্তব্য করে|উল্লেখ করে)\s+(?P<who>[^।?!,;‘’“”\n]{{1,80}}?)\s*(?=[।?!,;]|$)"
)
# "‘…,’ তিনি বলেন।", "“…,” মন্ত্রী সাংবাদিকদের বলেন, ‘…’": a quote that ends with a comma,
# then speaker and verb closing the sentence or opening the next quote.
_AFTER_SPEAKER_VERB = re.compile(
    rf"^[’”\"]?\s*,?\s*(?P<who>[^।?!,;‘’“”\n]{{1,80}}?)\s+(?P<verb>{VERB})\s*(?=[।,:]|$)"
)
_UNQUOTED = re.compile(rf"(?P<verb>{VERB})\s*[,:]\s*(?=[^\s‘“\"’”])")


def find_quotes_bn(body: str) -> list[Attribution]:
    """Every attributed quote or statement in a Bangla ``body``, in text order, with its
    speaker resolved within the article.

    Example:
        >>> [q.name for q in find_quotes_bn("স্বরাষ্ট্রমন্ত্রী রহিম উদ্দিন বলেন, ‘আমরা প্রস্তুত আছি।’")]
        ['রহিম উদ্দিন']
    """
    attributed: list[Attribution | None] = []
    spans = quote_spans(body)
    for start, end in spans:
        attributed.append(_attribute_quote(body, start, end, attributed[-1] if attributed else None))
    found = [a for a in attributed if a is not None] + _unquoted(body, spans)
    found.sort(key=lambda a: a.start)
    return resolve_all(body, found)


def quote_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of the words inside each quotation, per paragraph.

    Curly marks pair by family (‘’ and “”): marks of the other family inside an open
    quote are nested and ignored, and so is an opening mark of the same family (the
    quote runs on to the next closing mark). ’ between two Latin letters is an
    apostrophe. A straight " opens after a space, a bracket, a dash, a comma or a colon,
    and closes otherwise. An unclosed quote ends with its paragraph.
    """
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", body):
        text, base = para.group(), para.start()
        opened: int | None = None
        close = ""
        for i, char in enumerate(text):
            if char not in '‘’“”"':
                continue
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            if char == "’" and _latin(before) and _latin(after):
                continue  # an apostrophe
            if opened is None:
                if char in _OPEN:
                    opened, close = i + 1, _OPEN[char]
                elif char == '"' and (before.isspace() or before in "([—–-,:") and not after.isspace():
                    opened, close = i + 1, '"'
            elif char == close:
                _add_span(text, base, opened, i, spans)
                opened = None
        if opened is not None:
            _add_span(text, base, opened, len(text.rstrip()), spans)
    return spans


def _latin(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _add_span(text: str, base: int, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    inner = text[start:end]
    if len(inner.split()) >= MIN_QUOTE_WORDS:
        lead = len(inner) - len(inner.lstrip())
        spans.append((base + start + lead, base + start + len(inner.rstrip())))


def _attribute_quote(body: str, start: int, end: int, previous: Attribution | None) -> Attribution | None:
    """The quote body[start:end] with its speaker as written, or None if unattributed.
    ``previous`` is the quote before it, if that one was attributed."""
    para_start = body.rfind("\n", 0, start) + 1
    para_end = body.find("\n", end)
    para_end = len(body) if para_end < 0 else para_end
    mark = start - 1
    quoted = body[start:end].strip()
    alone_in_paragraph = not body[para_start:mark].strip() and not body[end:para_end].strip(' ’”"')
    if alone_in_paragraph and not re.search(r"[।?!.]$", quoted):
        return None  # a crosshead
    before = _clause_before(body[para_start:mark])
    if (m := _BEFORE.search(before)) and (who := speaker_before(before[: m.start()])):
        return Attribution(start, end, who, who, m.group("verb"))
    if m := _BEFORE_POSSESSIVE.search(before):
        return Attribution(start, end, m.group("who"), m.group("who"), m.group("verb"))
    after = body[end:para_end]
    after = after[1:] if after[:1] in '’”"' else after
    if not re.match(r"^\s*[।?!]", after) and (m := _AFTER.match(after)):
        if who := name_phrase(m.group("who").split()[: MAX_NAME_WORDS + 2], forward=True):
            return Attribution(start, end, who, who, m.group("verb"))
    comma = quoted.endswith(",") or re.match(r"^[’”\"]?\s*,", body[end:para_end])
    if comma and (m := _AFTER_SPEAKER_VERB.match(body[end:para_end])):
        # only a speaker between the quote and the verb: "‘…’ এমন প্রশ্নের জবাবে X বলেন"
        # is X answering a question, not X saying it
        if not any(map(is_break, m.group("who").split())) and (who := speaker_before(m.group("who"))):
            return Attribution(start, end, who, who, m.group("verb"))
    # A quote that is a sentence of its own, right after an attributed one, continues it.
    stands_alone = not before.strip() and (
        re.search(r"[।?!]$", quoted) or re.match(r"^[’”\"]?\s*[।?!]", body[end:para_end])
    )
    if previous is None or not stands_alone:
        return None
    if start - previous.end > CONTINUATION_CHARS or body.count("\n", previous.end, start) > 1:
        return None
    gap = body[previous.end : mark]
    if re.search(VERB, gap) and len(gap.strip(' ’”"।')) >= 3:
        return None  # another attribution in between
    return Attribution(start, end, previous.speaker, previous.name, "")


def _clause_before(head: str) -> str:
    """The part of ``head`` (a paragraph up to a quote's opening mark) after its last
    sentence stop."""
    cut = 0
    for m in re.finditer(r"[।?!](?:[’”\"]?)\s*|\.\s+", head):
        if m.end() < len(head):
            cut = m.end()
    return head[cut:]


def _unquoted(body: str, quotes: list[tuple[int, int]]) -> list[Attribution]:
    """``X বলেন, <sentence>।`` outside quotation marks: the sentence after the comma."""
    found = []
    for para in re.finditer(r"[^\n]+", body):
        text, base = para.group(), para.start()
        sentences = bangla_sentence_spans(text, base, ABBREVIATIONS)
        for m in _UNQUOTED.finditer(text):
            verb_at, start = base + m.start(), base + m.end()
            if any(a <= start < b or a <= verb_at < b for a, b in quotes):
                continue
            end = next((e for s, e in sentences if s <= start < e), base + len(text))
            if end - start < MIN_STATEMENT_CHARS:
                continue
            sentence_start = max([s for s, _ in sentences if s <= verb_at] or [base])
            who = speaker_before(body[sentence_start:verb_at])
            if who:
                found.append(Attribution(start, end, who, who, m.group("verb")))
    return found
