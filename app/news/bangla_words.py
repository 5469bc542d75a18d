"""The Bangla word classes that speakers are found with: reporting verbs, pronouns,
recipients, adverbs, clause breaks, titles and role words, surnames, and the tests on a
single word (``is_title``, ``is_break``, ``name_like`` ...). Bangla has no capital
letters, so a name is told by these neighbours. Read by ``app.news.speakers_bn``."""

from __future__ import annotations

import re

from app.text.date_forms import BANGLA_MONTHS, BANGLA_WEEKDAYS
from app.text.words import nfc

MAX_NAME_WORDS = 4  # a Bangladeshi name is rarely longer ("শেখ মোহাম্মদ আবদুল্লাহ")
# "তিনি বলেন" continues a speaker named within this many characters before it; further
# back, it is the last person mentioned (news paragraphs run ~300-700 characters).
RECENT_SPEAKER_CHARS = 700

# ড় ঢ় য় ো ৌ come either precomposed or as two code points (NFC even decomposes the
# nukta letters): a pattern for a literal matches both, and offsets stay in the raw text.
_TOLERANT = {
    "\u09df": "(?:\u09df|\u09af\u09bc)",
    "\u09dc": "(?:\u09dc|\u09a1\u09bc)",
    "\u09dd": "(?:\u09dd|\u09a2\u09bc)",
    "\u09cb": "(?:\u09cb|\u09c7\u09be)",
    "\u09cc": "(?:\u09cc|\u09c7\u09d7)",
}


def tolerant(literal: str) -> str:
    """A regex for ``literal`` that matches either Unicode spelling of ড় ঢ় য় ো ৌ."""
    w = nfc(literal)
    for two, one in (("\u09af\u09bc", "\u09df"), ("\u09a1\u09bc", "\u09dc"), ("\u09a2\u09bc", "\u09dd")):
        w = w.replace(two, one)
    return "".join(_TOLERANT.get(c, re.escape(c)) for c in w)


def _words(text: str) -> frozenset[str]:
    return frozenset(nfc(w) for w in text.split())


def _phrases(text: str) -> tuple[str, ...]:
    """Comma-separated phrases of several words."""
    return tuple(nfc(" ".join(p.split())) for p in text.split(",") if p.strip())


# Reporting verbs, longest first in the pattern. Impersonal "বলা হয়", "জানা যায়" are not
# here: they have no speaker.
VERBS = sorted(
    _words(
        """বলেন বলেছেন বলেছিলেন বললেন বলছেন বলছিলেন বলেছে জানান জানিয়েছেন জানিয়েছে জানায়
        জানিয়েছিলেন লিখেছেন লেখেন লিখেছিলেন লিখেছে"""
    ).union(
        _phrases(
            """বলে ওঠেন, উল্লেখ করেন, উল্লেখ করেছেন, যোগ করেন, যোগ করেছেন, মন্তব্য করেন, মন্তব্য করেছেন,
            দাবি করেন, দাবি করেছেন, অভিযোগ করেন, অভিযোগ করেছেন, প্রশ্ন রাখেন, প্রশ্ন তোলেন, স্বীকার করেন,
            মনে করেন, দাবি জানান, দাবি জানিয়েছেন, আহ্বান জানান, আহ্বান জানিয়েছেন"""
        )
    ),
    key=len,
    reverse=True,
)
VERB = "(?:" + "|".join(tolerant(v) for v in VERBS) + ")"

PRONOUNS = _words("তিনি তিনিও উনি তাঁরা তারা সে তাঁরাও তারাও তিনিই")
# Said to whom: skipped between the speaker and the verb.
RECIPIENTS = _phrases(
    """প্রথম আলোকে, সাংবাদিকদের, সমকালকে, ইত্তেফাককে, যুগান্তরকে, বিবিসিকে, গণমাধ্যমকে, সংবাদমাধ্যমকে,
    বার্তা সংস্থাকে, এএফপিকে, রয়টার্সকে, উপস্থিত সাংবাদিকদের, সাংবাদিকদের কাছে, গণমাধ্যমকর্মীদের, তাঁকে,
    তাকে, আমাদের"""
)
ADVERBS = _words("আরও আরো এরপর পরে তখন আবার ফের শুধু আজ গতকাল এসময় তবে বরং এদিকে অন্যদিকে সম্প্রতি").union(
    _phrases("এ সময়, পরবর্তী সময়ে")
)
# Words that end an adverbial clause before the subject.
BREAK_WORDS = _words(
    """নিয়ে জবাবে উত্তরে প্রসঙ্গে বিষয়ে উদ্দেশে শেষে পর পরে সময় সময়ে মধ্যে জন্য কারণে ক্ষেত্রে দিকে সঙ্গে
    সাথে করে ধরে দিয়ে জানিয়ে তুলে টেনে এনে রেখে হয়ে থেকে চেয়ে প্রশ্নে প্রশ্নের জানতে চাইলে করলে হলে আগে"""
)
FUNCTION = _words(
    """এ এই ওই সেই ও এবং বা আর কিন্তু তবে যে যা যিনি যাঁরা কী কি না নয় হয় হয়েছে ছিল ছিলেন আছে থাকে আরেক
    অন্য এক একজন কয়েকজন অনেকে সবাই কেউ দুজন তিনজন প্রমুখ মতো হিসেবে বলে তাঁর তার তাঁদের তাদের তাঁকে
    তাকে নিজের নিজ রাত সকাল দুপুর বিকেল সন্ধ্যা সন্ধ্যায় সকালে দুপুরে বিকেলে রাতে আজ গতকাল"""
) | frozenset(BANGLA_WEEKDAYS)
# Office, role and descriptor words: dropped from the front of a name, never a name.
# Compounds are caught by their ending (``TITLE_ENDINGS``: স্বরাষ্ট্রমন্ত্রী, সেনাপ্রধান).
TITLES = _words(
    """মন্ত্রী প্রতিমন্ত্রী উপমন্ত্রী উপদেষ্টা প্রধান সচিব সভাপতি সহসভাপতি সম্পাদক চেয়ারম্যান মেয়র
    কাউন্সিলর রাষ্ট্রদূত হাইকমিশনার মুখপাত্র নেতা নেত্রী সদস্য সমন্বয়ক আমির নায়েবে সেক্রেটারি মহাসচিব
    কর্মকর্তা পরিচালক মহাপরিচালক ব্যবস্থাপক স্বত্বাধিকারী মালিক গবেষক অধ্যাপক শিক্ষক প্রধানমন্ত্রী
    রাষ্ট্রপতি প্রেসিডেন্ট বিচারপতি বিচারক আইনজীবী চিকিৎসক ডাক্তার ডা ডা. ড ড. মো মো. মোহা. জেনারেল
    লেফটেন্যান্ট কমান্ডার কর্নেল মেজর ক্যাপ্টেন ব্রিগেডিয়ার অ্যাডমিরাল এয়ার ভাইস মার্শাল ওসি এসপি ইউএনও
    ডিসি পুলিশ সুপার কমিশনার পরিদর্শক উপপরিদর্শক এসআই হাজী আলহাজ প্রার্থী সাংসদ এমপি শিক্ষার্থী ছাত্র
    ছাত্রী প্রবাসী তরুণী তরুণ যুবক নারী পুরুষ কৃষক শ্রমিক ব্যবসায়ী বাসিন্দা ক্রেতা বিক্রেতা চালক অভিনেতা
    অভিনেত্রী গায়ক গায়িকা শিল্পী প্রযোজক লেখক কবি সাংবাদিক প্রতিবেদক অর্থনীতিবিদ বিশেষজ্ঞ বিশ্লেষক
    সাবেক বর্তমান ভারপ্রাপ্ত দায়িত্বপ্রাপ্ত সিনিয়র জ্যেষ্ঠ যুগ্ম সহকারী সহকারি কো-চেয়ারম্যান অধ্যক্ষ
    উপাধ্যক্ষ উপাচার্য উপ-উপাচার্য রেজিস্ট্রার প্রক্টর অধিনায়ক কোচ খেলোয়াড় ক্রিকেটার ফুটবলার ছেলে মেয়ে
    বোন ভাই স্ত্রী স্বামী মা বাবা স্বজন প্রতিবেশী প্রত্যক্ষদর্শী ইমাম পুরোহিত কর্মী শ্রী শ্রীমতী মিস মিসেস
    মি. সাহেব আসামি অভিযুক্ত নিহত আহত ভুক্তভোগী কোষাধ্যক্ষ নাতি নাতনি দাদা দাদি নানা নানি চাচা মামা খালা
    ফুফু ভাতিজা ভাগনে জেলে মাঝি দোকানি দোকানদার গৃহিণী রোগী অভিভাবক সংগঠক আহ্বায়ক সদস্যসচিব প্রকৌশলী
    স্থপতি উদ্যোক্তা প্রশাসক নির্বাহী অংশীদার চিফ প্রসিকিউটর মহাপরিদর্শক আইজিপি ডিআইজি চেয়ারপারসন
    প্রতিনিধি ব্যারিস্টার অ্যাডভোকেট অফিসার ম্যাজিস্ট্রেট ইনস্পেক্টর ডিটেকটিভ অতিরিক্ত"""
)
TITLE_ENDINGS = tuple(
    _words(
        """মন্ত্রী উপদেষ্টা প্রধান সচিব পতি সম্পাদক কর্মকর্তা পরিচালক চেয়ারম্যান মুখপাত্র নেতা সদস্য
        কমিশনার শিক্ষক বিদ বিশেষজ্ঞ কর্মী"""
    )
)
MONTHS = frozenset(BANGLA_MONTHS)
# Common last parts of Bangladeshi names: a name run after a title ends at the last of
# these ("সেলিনা আক্তার হাসপাতাল পরিদর্শন করেন" -> "সেলিনা আক্তার").
SURNAMES = _words(
    """রহমান রহিম ইসলাম আলম হোসেন হোসাইন আহমেদ আহমদ আহম্মেদ খান চৌধুরী উদ্দিন উদ্দীন হক কবির কবীর মিয়া
    মিঞা আলী আক্তার আখতার বেগম খাতুন সুলতানা জাহান নাহার পারভীন সিকদার মাহমুদ হাসান কাদের মজুমদার তালুকদার
    ভূঁইয়া ভূইয়া দাস দে দত্ত রায় সেন ঘোষ বসু পাল সাহা চক্রবর্তী গোস্বামী বিশ্বাস মণ্ডল সিদ্দিকী সিদ্দিক
    ফারুক ফারুকী জামান করিম হাবিব আজাদ আজিজ মাসুদ মামুন মুনির নাসির মোল্লা সরকার হালদার প্রামাণিক
    আবদুল্লাহ রশিদ রশীদ জাফর আমিন আনোয়ার ইকবাল কামাল জামাল রাজ্জাক মোস্তফা নুর নূর হামিদ মজিদ ওয়াহিদ
    সাঈদ সাইদ শরীফ লতিফ সালাম মান্নান কুদ্দুস বারী হাই"""
)
# Short finite verbs that otherwise look like words of a name ("জমা দেন শেখ হাসিনা").
COMMON_VERBS = _words(
    "দেন নেন করেন হন যান আসেন থাকেন পান ভাঙেন ছাড়েন ফেরেন চান রাখেন ধরেন দেয় নেয় করে হয় যায় আসে থাকে পায়"
)
# Name parts that look like genitives (end in -র / -ের) but are names.
NAME_PARTS = _words(
    """কবির কবীর কাদের কাদির আমির আমীর জাফর মনির মুনির নাসির নজির বশির বাছির সাব্বির সগির জহির তাহের মাহের
    নাদের জাকির জাবের শাকির খিজির খায়ের আবির তানভীর তানভির মাসুদুর বদর কায়সার আনোয়ার সরোয়ার সাগর শিশির
    আখতার আক্তার মোক্তার মুক্তার ইফতেখার জব্বার সাত্তার গাফফার কাহার মোশাররফ শাহরিয়ার ইয়াসির শাকের আশরাফ
    তালুকদার মজুমদার সিকদার শিকদার হাওলাদার জমাদার চৌকিদার মৃধা মাতুব্বর কুমার সরকার দেবনাথ"""
)
CASE_SUFFIX = re.compile(r"(?:দেরকে|দের|েরা|এর|ের|কে|র|-এর|–এর|ও|ই)$")
_FINITE_ENDING = re.compile(r"(?:েছেন|েছে|ছিলেন|ছিল|লেন|বেন|ছেন|তেন|চ্ছেন|চ্ছে)$")
_VERB_AT_END = re.compile(VERB + "$")


def norm(word: str) -> str:
    """A word as the lists hold it: NFC, without surrounding punctuation and marks."""
    return nfc(word.strip(' ,।‘’“”"()'))


def is_title(word: str) -> bool:
    w = norm(word)
    return w in TITLES or (len(w) > 4 and w.endswith(TITLE_ENDINGS))


def is_pronoun(word: str) -> bool:
    return norm(word) in PRONOUNS


def is_break(word: str) -> bool:
    """Whether ``word`` ends an adverbial clause (so the subject comes after it)."""
    w = norm(word)
    if w in BREAK_WORDS:
        return True
    if w.endswith("লে") and len(w) > 3 and w not in NAME_PARTS:  # conditional: চাইলে, করলে
        return True
    # locative or participle: কণ্ঠে, অনুষ্ঠানে, সম্মেলনে, হাতে, বার্তায়, পথসভায়
    locative = re.search(r"[\u0995-\u09b9\u09dc-\u09df]ে$|য়ে$|তে$", w) and len(w) >= 4
    locative = locative or (w.endswith(nfc("ায়")) and len(w) >= 5 and w not in SURNAMES)
    return bool(locative) and w not in NAME_PARTS and not is_title(w)


def is_genitive(word: str) -> bool:
    w = norm(word)
    if w in NAME_PARTS or w.endswith("দার"):
        return False
    return bool(re.search(r"(?:ের|এর|[-–]এর|[\u09be-\u09cc]র)$", w))


def name_like(word: str) -> bool:
    w = norm(word)
    if not w or not re.match(r"^[\u0980-\u09e5\u09f0-\u09ffA-Za-z]", w) or w in MONTHS:
        return False
    if w in FUNCTION or w in PRONOUNS or w in ADVERBS or w in BREAK_WORDS or w in COMMON_VERBS:
        return False
    return not (is_title(w) or _VERB_AT_END.search(w) or _FINITE_ENDING.search(w))
