"""Who said it, in Bangla news: the speaker phrase before a reporting verb, the name in
it, and that name resolved within the article. The Bangla counterpart of
``app.news.speakers``, read by ``app.news.quotes_bn``.

* **The speaker phrase** is the noun phrase before the verb: recipients ("প্রথম আলোকে",
  "সাংবাদিকদের") and adverbs ("আরও", "এরপর") are skipped, and adverbial clauses ending
  in a postposition, participle, locative or conditional ("…নিয়ে", "…জবাবে", "…উল্লেখ
  করে", "…জানতে চাইলে", "সম্মেলনে") are cut off.
* **The name** is what follows the last title or role word (মন্ত্রী, উপদেষ্টা, সেনাপ্রধান,
  ওসি, সভাপতি …, compounds by their ending), else the run of name-like words at the end
  of the phrase; "X নামের এক তরুণী" is X.
* **Resolution**: a pronoun (তিনি, তাঁরা …) is the current speaker (named within
  ``RECENT_SPEAKER_CHARS``), else the last titled person mentioned before it; a role
  ("মন্ত্রী", "জামায়াতের আমির") is the name after that role's last mention, else the last
  named speaker; a short name ("জয়") is the fullest titled mention ending or starting
  with it.

Bangla has no capital letters, so a name is found by its neighbours: a title before it,
a surname (``SURNAMES``) or punctuation ending it, a case suffix (-এর, -কে) closing it.
Does not find untitled names ("শেখ হাসিনা" mentioned without a title is not a person to
a later তিনি), gender or number agreement of pronouns, or roles in parentheses.
Measured on the Bangla gold set by ``benchmarks/eval_quotes.py``.
"""

from __future__ import annotations

import re

from app.news.bangla_words import (
    ADVERBS,
    CASE_SUFFIX,
    COMMON_VERBS,
    FUNCTION,
    MAX_NAME_WORDS,
    RECENT_SPEAKER_CHARS,
    RECIPIENTS,
    SURNAMES,
    is_break,
    is_genitive,
    is_pronoun,
    is_title,
    name_like,
    norm,
)
from app.text.words import nfc
from app.types import Attribution


def speaker_before(text: str) -> str:
    """The speaker phrase at the end of ``text``, the words before a reporting verb
    ("" if there is none).

    Example:
        >>> speaker_before("নির্বাচন নিয়ে জানতে চাইলে দলের মহাসচিব তানভীর আহমেদ প্রথম আলোকে")
        'দলের মহাসচিব তানভীর আহমেদ'
    """
    text = re.split(r"[,;:—–]|\s-\s", re.sub(r"\s+", " ", text).strip(" ,"))[-1]  # a hard clause boundary
    text = text.lstrip(' ’”"').strip()  # the end of a quote before it
    if m := re.search(r"(?:\S+\s+){0,3}?\S+\s+নামের\s+(?:এক|একজন)\s+\S+$", nfc(text)):
        return m.group(0)
    words = text.split()
    changed = True
    while words and changed:  # drop recipients and adverbs before the verb
        changed = False
        tail = " ".join(words[-3:])
        for phrase in RECIPIENTS:
            if tail.endswith(phrase) and (len(tail) == len(phrase) or tail[-len(phrase) - 1] == " "):
                words = words[: len(words) - len(phrase.split())]
                changed = True
                break
        if words and norm(words[-1]) in ADVERBS:
            words.pop()
            changed = True
        if len(words) >= 2 and norm(" ".join(words[-2:])) in ADVERBS:
            words = words[:-2]
            changed = True
    if not words:
        return ""
    if is_pronoun(words[-1]):
        return words[-1]
    cut = max((i + 1 for i, w in enumerate(words) if is_break(w)), default=0)
    tail = words[cut:]
    if not tail:  # "তিনি ... তুলে ধরে বলেন": the subject opens the clause
        return _leading_subject(words)
    return " ".join(tail[-(MAX_NAME_WORDS + 4) :])


def _leading_subject(words: list[str]) -> str:
    i = 0
    while i < len(words) and (norm(words[i]) in ADVERBS or norm(words[i]) in FUNCTION):
        i += 1
    if i < len(words) and is_pronoun(words[i]):
        return words[i]
    # "জাতিসংঘ মহাসচিবের উপমুখপাত্র ফারহান হক (সোমবার ব্রিফিংয়ে বলেন)": titles may come
    # first; a name after a title ends at a case-marked word ("… গোয়েল সিএনএনের কাছে")
    run: list[str] = []
    titled = named = False
    for w in words[i:]:
        if not (name_like(w) or is_title(w)) or len(run) >= MAX_NAME_WORDS + 4:
            break
        if is_title(w):
            titled, named = True, False
        elif titled:
            if named and (is_genitive(w) or norm(w).endswith("কে")):
                break
            named = True
        run.append(w)
    return " ".join(run)


def name_phrase(words: list[str], forward: bool = False) -> str:
    """The name at the end of a speaker phrase (``forward``: at its start, for a speaker
    written after the verb, "‘…’ বলেন শিক্ষামন্ত্রী নাসির উদ্দিন")."""
    run: list[str] = []
    if forward:
        if words and is_pronoun(words[0]):
            return norm(words[0])
        for w in words:
            if is_title(w) and not run:
                continue
            if not name_like(w) or len(run) >= MAX_NAME_WORDS:
                break
            run.append(norm(w))
        return " ".join(run)
    for w in reversed(words):
        nw = norm(w)
        if len(run) >= MAX_NAME_WORDS or not name_like(nw):
            break
        if is_genitive(nw) and not (run and nw.endswith("ুর")):  # শফিকুর রহমান
            break
        run.insert(0, nw)
    return " ".join(run)


def name_of(speaker: str) -> str:
    """The personal name inside a speaker phrase ("" if it has none: a role or pronoun).

    Example:
        >>> name_of("নড়িয়া থানার ওসি বাহার মিয়া")
        'বাহার মিয়া'
    """
    words = speaker.split()
    if m := re.match(r"(?P<name>.+?)\s+নামের\s+(?:এক|একজন)\s+\S+$", speaker):
        return name_phrase(m.group("name").split())
    if len(words) == 1 and is_pronoun(words[0]):
        return ""
    titled = [i for i, w in enumerate(words) if is_title(w)]
    if titled and 0 < len(words) - titled[-1] - 1 <= MAX_NAME_WORDS:
        # everything after the last title is the name, even words that look like
        # genitives (বাহার, কিশোর)
        after = [norm(w) for w in words[titled[-1] + 1 :]]
        if all(name_like(w) for w in after):
            return " ".join(after)
    return name_phrase(words)


_TOKEN = re.compile(r"[^\s,।?!;:()‘’“”\"]+")


def mentions(body: str) -> list[tuple[int, str]]:
    """(position, name) of people named after a title word ("মন্ত্রী হাছান মাহমুদ"), with
    their case suffix removed ("শেখ নুরুল আমীনের" -> "শেখ নুরুল আমীন")."""
    out = []
    tokens = list(_TOKEN.finditer(body))
    for i, title in enumerate(tokens):
        if is_title(title.group()):
            name = _mention_after(body, tokens, i)
            if name:
                out.append((title.start(), name))
    return out


def _mention_after(body: str, tokens: list[re.Match], i: int) -> str:
    run: list[str] = []
    pos = None
    clean_end = False  # the run ended at punctuation: a whole name, no surname cut
    for k in range(i + 1, min(len(tokens), i + 2 + MAX_NAME_WORDS)):
        u = tokens[k]
        w = norm(u.group())
        if is_title(w) and not run:
            continue
        if re.search(r"[,।?!;:()‘’“”\n—–]", body[(tokens[i].end() if pos is None else pos) : u.start()]):
            clean_end = True
            break
        if any(norm(body[u.start() : u.start() + len(p) + 2]).startswith(p) for p in RECIPIENTS):
            break
        if not name_like(w) or is_break(w) or len(run) >= MAX_NAME_WORDS:
            break
        if run and k + 1 < len(tokens) and norm(tokens[k + 1].group()) in COMMON_VERBS:
            break  # "বক্তব্য দেন", "পরিদর্শন করেন": the verb's complement, not a name
        run.append(w)
        pos = u.end()
        if (is_genitive(w) and not w.endswith("ুর")) or w.endswith(("কে", "দের")):
            break  # a case-marked word ends the name ("আমীনের", "সিকদারকে")
    # a name followed by punctuation is whole: its last word is not a genitive
    # ("মির্জা ফখরুল ইসলাম আলমগীর।") and no surname cut applies
    clean_end = clean_end or (pos is not None and bool(re.match(r"\s*[,।?!;:‘’“”\n]", body[pos : pos + 3])))
    if clean_end or not run:
        return " ".join(run)
    surnames = [k for k, x in enumerate(run) if CASE_SUFFIX.sub("", x) in SURNAMES or x in SURNAMES]
    if surnames:
        run = run[: surnames[-1] + 1]
    if is_genitive(run[-1]) or run[-1].endswith(("কে", "দের")):
        run[-1] = CASE_SUFFIX.sub("", run[-1]) or run[-1]
    return " ".join(run)


def _role_name(role: str, body: str, before: int) -> str | None:
    """ "মন্ত্রী" -> the name after the last title word ending in that role before
    ``before`` (or the first one after it, if none comes before)."""
    head = norm(role.split()[-1])
    best = None
    for m in re.finditer(r"\S+", body):
        w = norm(m.group())
        if not (w == head or (len(head) >= 3 and w.endswith(head))):
            continue
        names = [n for p, n in mentions(body[m.start() : m.start() + 200]) if p == 0]
        if names:
            if m.start() < before or best is None:
                best = names[0]
            if m.start() >= before:
                break
    return best


def _full_name(name: str, found: list[tuple[int, str]]) -> str:
    """The fullest mention ending (or starting) with ``name``."""
    best = name
    parts = name.split()
    for _, mention in found:
        words = mention.split()
        if len(words) > len(best.split()) and (words[-len(parts) :] == parts or words[: len(parts)] == parts):
            best = mention
    return best


def role_holder(role: str, body: str) -> str | None:
    """Who holds a role in ``body`` ("সেনাপ্রধান" -> the name after its last mention),
    for a question that asks by role; None if ``role`` is not only title words or the
    article names no holder."""
    if not role.split() or not all(map(is_title, role.split())):
        return None
    holder = _role_name(role, body, len(body))
    return _full_name(holder, mentions(body)) if holder else None


def resolve_all(body: str, found: list[Attribution]) -> list[Attribution]:
    """Each attribution with its speaker resolved within ``body`` (``found`` in text
    order; a continuation, with no verb, takes the previous attribution's speaker)."""
    people = mentions(body)
    out: list[Attribution] = []
    named: list[tuple[int, str]] = []  # (position, resolved name) of speakers with a name
    for a in found:
        words = a.speaker.split()
        if a.verb == "" and out:
            out.append(Attribution(a.start, a.end, out[-1].speaker, out[-1].name, ""))
            continue
        if len(words) == 1 and is_pronoun(words[0]):
            recent = [x for x in named if a.start - RECENT_SPEAKER_CHARS <= x[0] < a.start]
            before = recent or [x for x in people if x[0] < a.start] + [x for x in named if x[0] < a.start]
            name = max(before)[1] if before else a.speaker
        elif personal := name_of(a.speaker):
            name = _full_name(personal, people)
        elif words and is_title(words[-1]):
            role = _role_name(a.speaker, body, a.start)
            name = _full_name(role, people) if role else named[-1][1] if named else a.speaker
        else:
            name = a.speaker
        if name != a.speaker or name_of(a.speaker):
            named.append((a.start, name))
        out.append(Attribution(a.start, a.end, a.speaker, name, a.verb))
    return out
