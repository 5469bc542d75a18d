"""Who a quote's speaker is: the name an attribution gives, resolved within the article.

The speaker as written is resolved within the article: "he"/"she" to the person last
mentioned before the quote, a short name ("Khamenei", "Mr Blair") to the fullest
earlier mention ending in the same surname ("Ayatollah Ali Khamenei", "Tony Blair"),
"the prime minister" to an earlier "Prime Minister Tony Blair"; courtesy and office
titles are dropped. A speaker with no name ("a spokesman for the firm") is kept as
written. Also holds the vocabulary both this module and ``app.news.quotes`` read: the
reporting verbs, titles, organisation words and what a name token is.

Does not handle gender (a "she" may resolve to the last-mentioned man), coreference
beyond the article, or speakers known only by description ("The Spectator editor").
"""

from __future__ import annotations

import re

from app.types import Attribution

VERBS = (
    "said|says|say|told|tells|added|adds|stated|states|warned|warns|declared|declares|"
    "explained|explains|noted|notes|insisted|insists|argued|argues|claimed|claims|admitted|"
    "admits|asked|asks|replied|replies|wrote|writes|tweeted|announced|announces|continued|"
    "urged|urges|recalled|acknowledged|conceded|concedes|suggested|suggests|predicted|commented|"
    "remarked|observed|stressed|stresses|emphasised|emphasized|promised|vowed|cautioned|"
    "joked|quipped|confirmed|confirms|maintained|concluded|responded|called|calls|described|"
    "describes|dismissed|branded|hailed|accused|thinks|believes|believed|intimated|agreed|"
    "complained|pointed out|went on|reiterated|revealed|boasted|predicts|warns"
)

PRONOUNS = {"he", "she", "they", "we", "i", "him", "her"}
NOT_NAMES = set(
    """a an the one its his her their this that in on but and for with at from by to as after
    before according if when while""".split()
)
# Words of office and courtesy: dropped from the front of a name ("Prime Minister Tony
# Blair" -> "Tony Blair"), and never a name themselves.
TITLES = set(
    """mr mrs ms miss dr prof professor sir lord lady dame president prime minister chancellor
    secretary senator sen governor gov general gen judge mayor chief executive chairman
    chairwoman chair director spokesman spokeswoman spokesperson leader king queen prince
    princess pope rep representative coach manager captain commissioner ceo cfo coo mp mep
    deputy foreign home health finance defence defense shadow vice the officer operating
    financial commercial technical technology editor analyst economist correspondent reporter
    founder owner partner head boss member candidate ambassador envoy attorney lawyer inspector
    superintendent sheriff colonel major lieutenant sergeant admiral bishop archbishop cardinal
    rabbi imam supreme state trade industry culture education transport environment justice
    interior economy labour labor tory democrat republican liberal conservative""".split()
)
# Words that make a capitalised run an organisation or a place, not a person.
ORGANISATION = set(
    """news bbc cnn reuters radio tv television committee association bank office party club
    council ministry department commission union agency group university college institute
    inc ltd plc corp company court police army government parliament assembly federation
    league authority board fund trust service services airlines airline international
    national europe european america american britain british street house times post
    programme program today website""".split()
)
_TOKEN = r"(?:(?:[A-Z]\.)+|[A-Z][\w'’-]*)"
_NAME_TOKEN = re.compile(_TOKEN)
_NAME_RUN = re.compile(rf"(?:{_TOKEN}(?:\s+(?:bin|al|de|van|von|der|da|la|le|du)\b)*\s+)*{_TOKEN}")
# Around a mention, what makes it a subject: a verb after it, or a reporting verb or the
# start of a sentence before it.
_SUBJECT_AFTER = re.compile(r"^\s+(?:has|had|have|is|was|who|also|then|later|\w+ed|\w+s)\b")
_SUBJECT_BEFORE = re.compile(rf"(?:(?:^|[.!?][\"”]?\s+)(?:\w+\s+){{0,3}}?|\b(?:{VERBS})\s+)$")


def is_name(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 4 and all(_NAME_TOKEN.fullmatch(w) for w in words) and has_name(text)


def has_name(text: str) -> bool:
    return any(_NAME_TOKEN.fullmatch(w) and w.lower() not in TITLES | NOT_NAMES for w in text.split())


def resolve(speaker: str, body: str, position: int, found: list[Attribution]) -> str:
    """Speaker as written -> the name the article gives that speaker in full."""
    if speaker.lower() in PRONOUNS:
        person = _last_person(body[:position], found)
        return _full_name(person, body, position) if person else speaker
    if re.match(r"(?i)(a|an)\s", speaker):
        return speaker  # "a spokesman for the firm": no name given
    if re.match(r"(?i)the\s", speaker) and not has_name(speaker.split(None, 1)[1]):
        return _by_role(speaker, body[:position]) or speaker  # "the prime minister"
    name = _name_in(speaker)
    return _full_name(name, body, position) if name else speaker


def _full_name(name: str, body: str, position: int) -> str:
    """The fullest mention in the article that ends with ``name``'s surname (the full
    name may come after a quote: "... ," Ms Lomax said. Rachel Lomax, deputy governor,)."""
    surname = name.split()[-1]
    best = name
    for m in _NAME_RUN.finditer(body):
        words = _strip_titles(m.group()).split()
        if words and words[-1] == surname and len(words) > len(best.split()) and len(words) <= 4:
            best = " ".join(words)
    return best


def _by_role(speaker: str, text: str) -> str | None:
    """ "the prime minister" -> the name after the last "Prime Minister" in ``text``."""
    role = speaker.split(None, 1)[1]
    pattern = rf"\b(?i:{re.escape(role)})\s+((?:{_TOKEN}\s+){{0,3}}{_TOKEN})"
    matches = list(re.finditer(pattern, text))
    return _strip_titles(matches[-1].group(1)) if matches else None


def _last_person(text: str, found: list[Attribution]) -> str | None:
    """The person last mentioned in ``text`` (a name of two or more words, or Mr/Ms X,
    that is not an organisation), else the last named speaker."""
    people = []
    for m in _NAME_RUN.finditer(text):
        words = m.group().split()
        if any(w.lower().strip(".'’s") in ORGANISATION for w in words):
            continue
        courtesy = words[0].lower().strip(".") in {"mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady"}
        name = _strip_titles(m.group())
        if name and has_name(name) and (courtesy or len(name.split()) >= 2):
            subject = _SUBJECT_AFTER.match(text[m.end() :]) or _SUBJECT_BEFORE.search(text[: m.start()])
            people.append((name, bool(subject)))
    for name, subject in reversed(people):  # the last person who is a sentence's subject
        if subject:
            return name
    if people:
        return people[-1][0]
    named = [a.name for a in found if a.name.lower() not in PRONOUNS and has_name(a.name)]
    return named[-1] if named else None


def _name_in(speaker: str) -> str:
    """The personal name in an attribution ("union leader Maria Santos" -> "Maria
    Santos"); an organisation ("the Ministry of Defence") is kept whole."""
    runs = [_strip_titles(m.group()) for m in _NAME_RUN.finditer(speaker)]
    runs = [r for r in runs if has_name(r)]
    if not runs:
        return ""
    if any(w.lower() in ORGANISATION for w in runs[-1].split()):
        return speaker
    return runs[-1]


def _strip_titles(run: str) -> str:
    """Drop possessives and everything up to the last title word: "Iraqi President
    Abdul Latif Rashid" -> "Abdul Latif Rashid", "Mr Blair" -> "Blair"."""
    words = [w for w in run.split() if not w.endswith(("'s", "’s"))]
    titled = [i for i, w in enumerate(words) if w.lower().strip(".") in TITLES | NOT_NAMES]
    if titled:
        words = words[titled[-1] + 1 :]
    return " ".join(words)
