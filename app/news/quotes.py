"""Direct quotes and who said them, found in an article body by rules.

For every span in quotation marks (straight or curly, at least ``MIN_QUOTE_WORDS``
words), the attribution is looked for, in this order:

1. right after the quote: ``"...," Khamenei told Rashid``, ``"...," said Mr Smith``,
   ``"...," Curt Hopkins, director of the group, told the BBC``, ``"...," state media
   quoted Khamenei as saying``, ``"...," according to the ministry``;
2. at the end of the quote's sentence: ``... his "Nazi" comment, Boris Johnson has
   insisted.``;
3. before it, in the same sentence: ``Mr Blair said: "..."``, ``She told the BBC "..."``,
   and for a quote inside a sentence, the sentence's subject and reporting verb
   (``Patricia Hewitt said it was an "increasingly high priority"``); a second quote
   after "and said"/"but said" keeps the sentence's speaker;
4. otherwise, a quote that follows another closely continues that quote's speaker
   (news style: ``"A," he said. "B."``).

The speaker as written is then resolved within the article (``app.news.speakers``).
A Bangla body takes the Bangla rules instead (``app.news.quotes_bn``), which also return
statements reported without quotation marks, the commonest form in Bangla news.
Quote marks are paired by their side (an opening mark follows a space), so a
quote that runs over several sentences or lost paragraph breaks (``"A. "B," he said``)
stays one quote.

Does not handle: indirect speech, quotes attributed only in another paragraph's prose,
nested quotations, gender (a "she" may resolve to the last-mentioned man), or speakers
known only by description ("The Spectator editor"). Precision and recall on 165
hand-annotated pairs from real BBC and CNN articles: ``benchmarks/eval_quotes.py``.
"""

from __future__ import annotations

import re

from app.news.quotes_bn import find_quotes_bn
from app.news.speakers import PRONOUNS, VERBS, has_name, is_name, resolve
from app.text.bangla import is_bangla
from app.text.sentences import clause_end, last_sentence_start, stop_after
from app.types import Attribution

MIN_QUOTE_WORDS = 2  # one quoted word is a scare quote or a name, not speech
MAX_SPEAKER_WORDS = 9  # an attribution longer than this is a clause, not a speaker
CONTINUATION_CHARS = 160  # a quote this close after another, unattributed, continues it

_AUX = r"(?:(?:has|had|have|was|is|were|also|later|then|once)\s+)*"
_SPEAKER = r"(?P<speaker>[^.!?\"“”,;:]{1,80}?)(?P<appositive>,[^\"“”]{1,100}?,)?"
_AFTER_QUOTED_AS = re.compile(
    r"^\s*(?:[^.!?\"“”]{0,60}?\s+)?quoted\s+(?P<speaker>[^.!?\"“”]{1,80}?)\s+as\s+(?:saying|telling)"
)
_AFTER_SPEAKER_VERB = re.compile(rf"^\s*{_SPEAKER}\s+{_AUX}(?P<verb>was quoted as saying|{VERBS})\b")
_AFTER_INVERTED = re.compile(rf"^\s*(?P<verb>{VERBS})\s+(?P<speaker>[^.!?\"“”,;]{{1,80}}?)(?=[.,;!?]|$)")
_AFTER_ACCORDING = re.compile(r"^\s*according to\s+(?P<speaker>[^.!?\"“”]{1,80}?)(?=[.,;!?(]|$)")
_SENTENCE_END_ATTRIBUTION = re.compile(rf",\s+{_SPEAKER}\s+{_AUX}(?P<verb>{VERBS})\s*$")
_BEFORE = re.compile(rf"{_SPEAKER}\s+{_AUX}(?P<verb>{VERBS})\b(?P<rest>[^.!?\"“”]{{0,60}}?)[:,]?\s*$")
_ADVERBIAL = (
    r"(?:(?:On|In|At|During|Later|Earlier|However|Meanwhile|Separately|Last|This|Speaking|Asked|"
    r"Yesterday|Today|Previously|Afterwards)\b[^,\"“”]{0,30},\s+)?"
)
_SUBJECT = re.compile(rf"^\s*{_ADVERBIAL}{_SPEAKER}\s+{_AUX}(?P<verb>{VERBS})\b")
# The sentence before a quote that ends by naming the speaker: "..., Ms Lomax intimated."
_PREVIOUS_SENTENCE = re.compile(rf"(?:^|[,;]\s+|[.!?]\s+){_SPEAKER}\s+{_AUX}(?P<verb>{VERBS})[.:]\s*$")
_SAME_SUBJECT = re.compile(rf"(?:^|\s)(?:and|but|while)\s+{_AUX}(?P<verb>{VERBS})\b[^\"“”]{{0,40}}$")

_LEADING_WORDS = re.compile(
    r"^(?:(?:later|earlier|however|but|and|meanwhile|separately|yesterday|today|also|instead|"
    r"then|now|previously|afterwards|finally|still|in\s+a\s+statement|in\s+an\s+interview|"
    r"on\s+\w+day|last\s+\w+)[\s,]+)+",
    re.I,
)
# A name token: a capitalised word, or initials ("L.", "U.S."); a word's full stop ends
# the run, so "... Hopkins. He" is not one name.


def find_quotes(body: str, language: str | None = None) -> list[Attribution]:
    """Every direct quote in ``body`` with its speaker, in text order.

    Args:
        body: an article's text; the offsets returned are into it.
        language: the article's language ("en", "bn", ...) if known. A Bangla article,
            or one of unknown language whose text is mostly Bangla
            (``app.text.bangla.is_bangla``), takes the Bangla rules.

    Example:
        >>> [q.name for q in find_quotes('"We will win," union leader Maria Santos said.')]
        ['Maria Santos']
    """
    if language == "bn" or (language in (None, "", "und") and is_bangla(body)):
        return find_quotes_bn(body)
    found: list[Attribution] = []
    previous: Attribution | None = None
    for start, end in _quote_spans(body):
        speaker, verb = _attribution(body, start, end, previous)
        if speaker is None:
            if previous is None or not _continues(body, previous.end, start):
                continue
            attribution = Attribution(start, end, previous.speaker, previous.name, "")
        else:
            attribution = Attribution(start, end, speaker, resolve(speaker, body, start, found), verb)
        found.append(attribution)
        previous = attribution
    return found


def _quote_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of the words inside each quotation, per paragraph.

    A straight mark opens a quote when it follows a space (or starts the paragraph) and
    is followed by a non-space; any other mark closes the open quote. A mark that opens
    while a quote is open is a continuation (a paragraph break lost in the text), so the
    quote runs on. An unclosed quote ends with its paragraph.
    """
    spans = []
    for para in re.finditer(r"[^\n]+", body):
        text, base = para.group(), para.start()
        opened: int | None = None
        for i, char in enumerate(text):
            if char not in '"“”':
                continue
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            follows_space = before.isspace() or before in "([—–-"
            opening = char == "“" or (char == '"' and follows_space and not after.isspace())
            if opened is None:
                if opening:
                    opened = i + 1
            elif not opening:
                _add_span(text, base, opened, i, spans)
                opened = None
        if opened is not None:
            _add_span(text, base, opened, len(text), spans)
    return spans


def _add_span(text: str, base: int, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    inner = text[start:end]
    if len(inner.split()) >= MIN_QUOTE_WORDS:
        s = start + len(inner) - len(inner.lstrip())
        spans.append((base + s, base + start + len(inner.rstrip())))


def _speaker(m: re.Match) -> str:
    """The speaker of "X, Y, said": whichever of X and Y is a name ("Curt Hopkins,
    director of the group," / "The Shadow Secretary, Theresa May,")."""
    speaker = _clean(m.group("speaker"))
    appositive = (m.groupdict().get("appositive") or "").strip(" ,")
    if appositive and not is_name(speaker) and is_name(appositive):
        return _clean(appositive)
    return speaker


def _attribution(body: str, start: int, end: int, previous: Attribution | None) -> tuple[str | None, str]:
    # A quote that ends with a full stop ends its sentence: what follows is not its
    # attribution ("... misdirected." She said her party ...).
    closes_sentence = body[end - 1 : end] == "."
    after = "" if closes_sentence else _text_after(body, end)
    if m := _AFTER_QUOTED_AS.match(after):
        return _clean(m.group("speaker")), "quoted as saying"
    for pattern in (_AFTER_INVERTED, _AFTER_SPEAKER_VERB):
        if (m := pattern.match(after)) and _plausible(speaker := _speaker(m)):
            return speaker, m.group("verb")
    if m := _AFTER_ACCORDING.match(after):
        return _clean(m.group("speaker")), "according to"
    rest = "" if closes_sentence else _sentence_rest(body, end)
    if (m := _SENTENCE_END_ATTRIBUTION.search(rest)) and _plausible(speaker := _speaker(m)):
        return speaker, m.group("verb")
    before = _sentence_before(body, start)
    if m := _BEFORE.search(_after_last_quote(before)):
        speaker = _speaker(m) if m.group("appositive") else _clean(_last_clause(m.group("speaker")))
        if _plausible(speaker):
            return speaker, m.group("verb")
    if (m := _SAME_SUBJECT.search(before)) and previous is not None and previous.end > start - len(before):
        return previous.speaker, m.group("verb")
    if (m := _SUBJECT.match(before)) and _plausible(speaker := _speaker(m)):
        return speaker, m.group("verb")
    if not before.strip():  # the quote opens its sentence: the one before may name it
        head = body[max(0, start - 1 - 200) : max(start - 1, 0)]
        if "\n\n" not in head.rstrip()[-3:] and (m := _PREVIOUS_SENTENCE.search(head)):
            if _plausible(speaker := _speaker(m)):
                return speaker, m.group("verb")
    return None, ""


def _text_after(body: str, end: int) -> str:
    """Text after a quote's closing mark up to the end of its sentence (or next quote)."""
    rest = body[end:].lstrip(".,!?;: ")
    rest = rest[1:] if rest[:1] in '"”' else rest
    rest = rest.lstrip(",;: ")
    return rest[: clause_end(rest)]


def _sentence_rest(body: str, end: int) -> str:
    """From a quote's end to its sentence's final stop, the stop excluded."""
    rest = body[end:]
    stop = stop_after(rest, 1)
    return rest[:stop] if stop is not None else rest


def _sentence_before(body: str, start: int) -> str:
    """Text before a quote's opening mark back to the start of its sentence."""
    head = body[: max(start - 1, 0)]
    head = head[head.rfind("\n") + 1 :]
    return head[last_sentence_start(head) :]


def _after_last_quote(text: str) -> str:
    """The part of the run-up after any earlier quotation in the same sentence."""
    marks = [m.end() for m in re.finditer(r"[\"”](?=[\s,.;:])", text)]
    return text[marks[-1] :] if marks else text


def _continues(body: str, previous_end: int, start: int) -> bool:
    """A quote right after the previous one (no more than an attribution or a short
    sentence between, at most one paragraph break) continues its speaker."""
    between = body[previous_end : max(start - 1, previous_end)]
    return between.count("\n") <= 2 and len(between) <= CONTINUATION_CHARS


def _last_clause(text: str) -> str:
    """The part of a run-up that can be a speaker: after the last comma or conjunction."""
    parts = re.split(r",\s+(?![^,]*,\s*$)|\s+(?:and|but|while|as|when|after|before)\s+", text)
    return parts[-1]


def _clean(speaker: str) -> str:
    speaker = _LEADING_WORDS.sub("", speaker.strip(" ,;:-–—"))
    speaker = re.sub(r"\s+(?:on|in|at|to|during|last|this|late|early)\b.*$", "", speaker)
    return re.sub(r"\s+", " ", speaker).strip()


def _plausible(speaker: str) -> bool:
    words = speaker.split()
    if not words or len(words) > MAX_SPEAKER_WORDS:
        return False
    if speaker.lower() in PRONOUNS:
        return True
    starts_like_a_description = re.match(r"(?i)(a|an|the|one|two|three|some|its|his|her|their)\b", speaker)
    return has_name(speaker) or bool(starts_like_a_description)
