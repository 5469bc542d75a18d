"""Page furniture inside an article: lines that are not the story.

``strip_boilerplate`` removes whole paragraphs that are page furniture
("Advertisement", "Read more: ...", newsletter and cookie banners, "The post ...
appeared first on ...", "বিজ্ঞাপন", "আরও পড়ুন"), "read more" links glued into a text
with their headline and date, and cuts a body at an outlet's end-of-story furniture glued
into it ("... খবর পেতে গুগল নিউজ চ্যানেল ফলো করুন"). Does not remove furniture in the
middle of a sentence, or judge whether what is left is an article
(``app.sources.classify`` does).
"""

from __future__ import annotations

import re

from app.text.sentences import sentence_spans
from app.text.words import nfc

# A paragraph longer than this is never taken for a furniture line.
BOILERPLATE_MAX_WORDS = 40
BOILERPLATE_PATTERNS = tuple(
    nfc(p)
    for p in (
        r"^advertisements?$",
        r"^(?:story|article) continues (?:below|after) (?:the )?advertisement\.?$",
        r"^(?:skip|close) (?:advertisement|ad)$",
        r"^sponsored(?: content)?$",
        r"^(?:read|see) (?:more|also)\b",
        r"^also read\b",
        r"^related(?: stories| articles| news| coverage| content| topics| links)?:?$",
        r"^more (?:stories|news)\b.{0,80}$",
        r"^most (?:read|popular|viewed)$",
        r"^trending(?: now)?$",
        r"^share (?:this|on|via|article|story)\b",
        r"^(?:tweet|share|email|print|whatsapp|facebook|twitter|linkedin|copy link)$",
        r"^(?:(?:leave|post|view|show) (?:a )?)?comments?(?: \(\d+\))?$",
        r"\bnewsletters?\b.*\b(?:sign up|subscribe|inbox|receive)\b",
        r"\b(?:sign up|subscribe)\b.*\bnewsletters?\b",
        r"^(?:sign up|subscribe)\b",
        r"\bdelivered (?:straight |directly )?to your inbox\b",
        r"\b(?:we|this (?:web)?site) uses? cookies\b",
        r"\baccept (?:all )?cookies\b|\bcookie (?:policy|settings)\b",
        r"^(?:©|copyright|\(c\))\s*(?:\d{4}|[A-Z])",
        r"\ball rights reserved\.?$",
        r"^the post .{3,200} appeared first on .{2,100}$",
        r"^(?:click|tap) here\b",
        r"^follow (?:us|\S+) on\b",
        r"^(?:download|get) (?:our|the) app\b",
        r"^(?:image|photo|video) (?:source|caption|credit)s?\b",
        r"^listen to (?:this|the) (?:article|story)\b",
        r"^\d+ min(?:ute)?s? read$",
        r"\byou agree to the processing\b|\bprivacy policy\b.*\b(?:your|data)\b|\bplease tick here\b",
        r"^বিজ্ঞাপন$",
        r"^আরও? পড়ুন\b",
        r"^আরো পড়ুন\b",
        r"^সম্পর্কিত (?:খবর|সংবাদ)$",
        r"^শেয়ার করুন$",
        r"^মন্তব্য করুন$",
        r"^হ্যাঁ না$",
    )
)
# Two alternations, so a paragraph is tried once, not once per pattern: those anchored
# at the start are matched there only; the others are searched.
_ANCHORED = re.compile("|".join(f"(?:{p[1:]})" for p in BOILERPLATE_PATTERNS if p.startswith("^")), re.I)
_ANYWHERE = re.compile("|".join(f"(?:{p})" for p in BOILERPLATE_PATTERNS if not p.startswith("^")), re.I)


def is_boilerplate(para: str) -> bool:
    """True if a paragraph is a page-furniture line (at most ``BOILERPLATE_MAX_WORDS``)."""
    if len(para.split()) > BOILERPLATE_MAX_WORDS:
        return False
    return bool(_ANCHORED.match(para) or _ANYWHERE.search(para))


# Outlet furniture glued to the end of a one-line body: the body is cut at the start of
# the sentence holding the marker, when the marker is past this share of the text.
TAIL_MARKERS = (
    re.compile(nfc(r"(?:খবর|সংবাদ) পেতে গুগল নিউজ")),
    re.compile(nfc(r"নিউজ এলার্ট পেতে চান")),
    re.compile(r"\bfollow\b.{0,40}\bon google news\b", re.I),
)
TAIL_MIN_SHARE = 0.3
# A "read more" link glued into the text with its headline and date, as scrapers of
# Prothom Alo leave it ("আরও পড়ুনকিটের অভাব, ...১১ জুন ২০২৫"): removed up to the date.
_BN_MONTHS = "জানুয়ারি|ফেব্রুয়ারি|মার্চ|এপ্রিল|মে|জুন|জুলাই|আগস্ট|সেপ্টেম্বর|অক্টোবর|নভেম্বর|ডিসেম্বর"
_EN_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
INLINE_FURNITURE = (
    re.compile(nfc(rf"আরও? পড়ুন:?\s*.{{1,200}}?[০-৯0-9]{{1,2}}\s*(?:{_BN_MONTHS})\s*[০-৯0-9]{{4}}")),
    re.compile(rf"\b(?:Read more|Also read):?\s*.{{1,200}}?\b\d{{1,2}} (?:{_EN_MONTHS})[a-z]* \d{{4}}", re.I),
)
_SENTENCE_START = re.compile(r"(?:[.!?।]\s*)(?=[^.!?।]*$)")


def strip_boilerplate(paras: list[str]) -> tuple[list[str], int]:
    """Remove furniture paragraphs and cut end-of-story furniture glued into the last
    one. Returns the kept paragraphs and how many paragraphs (or tails) were removed.

    Example:
        >>> strip_boilerplate(["Prices rose on Monday.", "Advertisement", "Read more: Rice"])
        (['Prices rose on Monday.'], 2)
    """
    kept: list[str] = []
    removed = 0
    for para in paras:
        if is_boilerplate(para):
            # A sentence of prose with a plug glued on ("... For more unlikely news, sign
            # up for our newsletter"): only the furniture sentences go.
            sentences = [para[a:b] for a, b in sentence_spans(para)]
            prose = [x for x in sentences if not is_boilerplate(x)]
            removed += 1
            if not prose:
                continue
            para = " ".join(prose)
        for pattern in INLINE_FURNITURE:
            para, n = pattern.subn(" ", para)
            removed += n
        para = " ".join(para.split())
        if not para:
            continue
        cut = _cut_tail(para)
        if cut != para:
            removed += 1
            if cut:
                kept.append(cut)
            continue
        kept.append(para)
    return kept, removed


def _cut_tail(para: str) -> str:
    for marker in TAIL_MARKERS:
        m = marker.search(para)
        if m and m.start() >= TAIL_MIN_SHARE * len(para):
            head = para[: m.start()]
            end = _SENTENCE_START.search(head)
            return (head[: end.end()] if end else head).strip()
    return para
