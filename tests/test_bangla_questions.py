"""Bangla questions: follow-ups, metadata questions, speaker and who-said questions, and,
end to end, quotes stored at build and marked in answers. The two articles are written
for the test (no publisher's text); the real model builds their index."""

import json

import pytest

from app.answer.followup import intent_of, quoted_in, resolve, same_person, speaker_in
from app.text.words import content_words, nfc

# ------------------------------------------------------------------ rules, no model


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("এটা কবে প্রকাশিত হয়েছে?", "published"),
        ("খবরটি কখন প্রকাশ করা হয়?", "published"),
        ("কোন পত্রিকা?", "source"),
        ("কোন পত্রিকায় এটি ছাপা হয়েছে?", "source"),
        ("এটি কে প্রকাশ করেছে?", "source"),
        ("প্রতিবেদনটি কে লিখেছেন?", "source"),
        ("নদীর পানি কবে কমবে?", "content"),
        ("when was it published?", "published"),  # English unchanged
    ],
)
def test_intent(question, intent):
    assert intent_of(question) == intent


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("সেনাপ্রধান কী বলেছেন?", "সেনাপ্রধান"),
        ("জাহিদ হাসান আর কী বলেছেন?", "জাহিদ হাসান"),
        ("এ বিষয়ে স্বাস্থ্যমন্ত্রী কী জানিয়েছেন?", "স্বাস্থ্যমন্ত্রী"),
        ("স্বরাষ্ট্রমন্ত্রী পুলিশ নিয়ে কী বলেছেন?", "স্বরাষ্ট্রমন্ত্রী"),  # the topic is left out
        ("বন্যা নিয়ে সেনাপ্রধান কী বলেছেন?", "সেনাপ্রধান"),
        ("গত সপ্তাহে সেনাপ্রধান কী বলেছেন?", "সেনাপ্রধান"),  # and a time
        ("তিনি কী বলেছেন?", None),  # a pronoun: the previous question's speaker
        ("তিনি আর কী বলেছেন?", None),
        ("বন্যায় কতজন মারা গেছেন?", None),
        ("what did Khamenei say about US troops?", "Khamenei"),
    ],
)
def test_speaker_questions(question, speaker):
    assert speaker_in(question) == (nfc(speaker) if speaker else None)


def test_who_said_questions():
    assert quoted_in("‘আমরা প্রস্তুত আছি’ কে বলেছেন?") == "আমরা প্রস্তুত আছি"
    assert quoted_in("কে বলেছেন ‘আমরা প্রস্তুত আছি’?") == "আমরা প্রস্তুত আছি"
    assert quoted_in("‘আমরা প্রস্তুত আছি’ কথাটি কে বলেছেন?") == "আমরা প্রস্তুত আছি"
    assert quoted_in("কে বলেছেন?") is None
    assert quoted_in("who said 'we are ready'?") == "we are ready"


def test_a_bangla_follow_up_leans_on_the_previous_question():
    turn = resolve("তিনি আর কী বলেছেন?", ["শিক্ষামন্ত্রী পরীক্ষা নিয়ে কী বলেছেন?"])
    assert turn.followup and turn.wants_more
    assert turn.speaker == nfc("শিক্ষামন্ত্রী")
    assert nfc("শিক্ষামন্ত্রী") in turn.query and nfc("পরীক্ষা") in turn.query
    published = resolve("এটা কবে প্রকাশিত হয়েছে?", ["বন্যায় কতজন মারা গেছেন?"])
    assert published.followup and published.intent == "published"


def test_a_bangla_question_with_its_own_subject_stands_alone():
    assert not resolve("বন্যায় কতজন মানুষ ঘরছাড়া হয়েছেন?", ["শিক্ষামন্ত্রী কী বলেছেন?"]).followup
    assert not resolve("সেনাপ্রধান কী বলেছেন?", ["বন্যায় কতজন মারা গেছেন?"]).followup  # names a speaker
    assert not resolve("তিনি আর কী বলেছেন?", None).followup  # nothing to lean on


def test_bangla_content_words_and_people():
    assert content_words("এটা কবে প্রকাশিত হয়েছে?") == []
    assert content_words("বন্যায় কতজন মারা গেছেন?") == [nfc("বন্যায়"), "মারা", nfc("গেছেন")]
    assert content_words("What did Khamenei say about US troops?") == ["khamenei", "troops"]
    assert same_person("জাহিদ", "জাহিদ হাসান")
    assert same_person("শিক্ষামন্ত্রী নাসির উদ্দিন", "নাসির উদ্দিন")  # the title is left out
    assert not same_person("শেখ হাসিনা", "শেখ রেহানা")


# --------------------------------------------------------------- end to end, real model

FLOOD = {
    "title": "সিলেটে বন্যায় পানিবন্দী লাখো মানুষ",
    "published": "2024-06-20T10:30:00+06:00",
    "source": "প্রভাতী বার্তা",
    "text": (
        "সিলেট জেলায় টানা বৃষ্টিতে নদীর পানি বেড়ে বন্যা দেখা দিয়েছে। জেলার পাঁচটি উপজেলায় প্রায় দুই লাখ "
        "মানুষ পানিবন্দী হয়ে পড়েছেন।\n\n"
        "বৃহস্পতিবার দুর্গত এলাকা পরিদর্শন করেন ত্রাণমন্ত্রী ফারুক আহমেদ। পরে সাংবাদিকদের সঙ্গে কথা বলেন তিনি।\n\n"
        "ত্রাণমন্ত্রী ফারুক আহমেদ বলেন, ‘দুর্গত প্রতিটি পরিবারের কাছে ত্রাণ পৌঁছে দেওয়া হবে। কোনো মানুষ না "
        "খেয়ে থাকবে না।’\n\n"
        "তিনি আরও বলেন, ‘আশ্রয়কেন্দ্রগুলোতে বিশুদ্ধ পানি ও ওষুধ পাঠানো হয়েছে।’\n\n"
        "জেলা প্রশাসক নাসরিন সুলতানা জানান, জেলায় ১২০টি আশ্রয়কেন্দ্র খোলা হয়েছে।\n\n"
        "আবহাওয়া অফিস জানিয়েছে, আগামী তিন দিন ভারী বৃষ্টি হতে পারে।"
    ),
}
EXAMS = {
    "title": "এসএসসি পরীক্ষা শুরু ১৫ ফেব্রুয়ারি",
    "published": "2024-01-10T09:00:00+06:00",
    "source": "প্রভাতী বার্তা",
    "text": (
        "এবারের মাধ্যমিক স্কুল সার্টিফিকেট পরীক্ষা ১৫ ফেব্রুয়ারি শুরু হবে। প্রায় বিশ লাখ শিক্ষার্থী এতে "
        "অংশ নেবে।\n\n"
        "শিক্ষামন্ত্রী রাশেদা খানম সচিবালয়ে এক সংবাদ সম্মেলনে পরীক্ষার সূচি ঘোষণা করেন।\n\n"
        "পরীক্ষার প্রস্তুতি নিয়ে জানতে চাইলে মন্ত্রী বলেন, ‘প্রশ্নপত্র ফাঁস ঠেকাতে সব ব্যবস্থা নেওয়া হয়েছে।’"
    ),
}
MINISTER = nfc("ফারুক আহমেদ")


@pytest.fixture(scope="module")
def bangla_index(tmp_path_factory):
    from app import build_index

    root = tmp_path_factory.mktemp("bangla")
    (root / "news").mkdir()
    lines = [json.dumps(a, ensure_ascii=False) for a in (FLOOD, EXAMS)]
    (root / "news" / "bangla.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build_index(root / "news", root / "index")
    return root / "index"


def _articles(index_dir):
    from app.index.store import StoredIndex

    return {a.title: a for a in StoredIndex(index_dir).articles.values()}


@pytest.mark.integration
def test_bangla_quotes_are_stored_with_their_speakers(bangla_index):
    flood, exams = _articles(bangla_index)[FLOOD["title"]], _articles(bangla_index)[EXAMS["title"]]
    assert flood.language == "bn"
    assert [(q.speaker, nfc(q.name)) for q in flood.quotes] == [
        ("ত্রাণমন্ত্রী ফারুক আহমেদ", MINISTER),
        ("তিনি", MINISTER),  # "তিনি আরও বলেন": the speaker just named
        ("জেলা প্রশাসক নাসরিন সুলতানা", nfc("নাসরিন সুলতানা")),  # "X জানান, …" without marks
        ("আবহাওয়া অফিস", "আবহাওয়া অফিস"),
    ]
    assert flood.body[flood.quotes[0].start - 1] == "‘"
    assert [(q.speaker, nfc(q.name)) for q in exams.quotes] == [("মন্ত্রী", nfc("রাশেদা খানম"))]  # a role


@pytest.mark.integration
@pytest.mark.parametrize("question", ["ত্রাণমন্ত্রী কী বলেছেন?", "ফারুক আহমেদ কী বলেছেন?"])
def test_a_bangla_speaker_question_marks_the_speaker(bangla_index, question):
    from app.answer.ask import ask

    answer = ask(question, index_dir=bangla_index)
    assert not answer.abstained, answer.text
    assert answer.citations[0].speaker == MINISTER
    assert answer.citations[0].language == "bn"
    body = _articles(bangla_index)[FLOOD["title"]].body
    assert all(body[c.start : c.end] == c.quote for c in answer.citations if c.title == FLOOD["title"])


@pytest.mark.integration
def test_a_bangla_follow_up_wants_more_of_the_same_speaker(bangla_index):
    from app.answer.ask import ask

    first = ask("ত্রাণমন্ত্রী কী বলেছেন?", index_dir=bangla_index)
    more = ask("তিনি আর কী বলেছেন?", [first.question], index_dir=bangla_index)
    assert more.resolved and nfc("ত্রাণমন্ত্রী") in more.resolved
    assert {c.quote for c in more.citations}.isdisjoint({c.quote for c in first.citations})
    assert all(c.speaker == MINISTER for c in more.citations)  # his words only, or none


@pytest.mark.integration
def test_bangla_metadata_questions_are_answered_in_bangla(bangla_index):
    from app.answer.ask import ask

    history = ["ত্রাণমন্ত্রী কী বলেছেন?"]
    published = ask("এটা কবে প্রকাশিত হয়েছে?", history, index_dir=bangla_index)
    assert published.text == (
        f"‘{FLOOD['title']}’ প্রকাশিত হয়েছে ২০ জুন ২০২৪ তারিখে (১০:৩০, UTC+06:00); প্রকাশ করেছে প্রভাতী বার্তা। [1]"
    )
    source = ask("কোন পত্রিকা প্রকাশ করেছে?", history, index_dir=bangla_index)
    assert source.text.startswith(f"‘{FLOOD['title']}’ প্রকাশ করেছে প্রভাতী বার্তা, ২০ জুন ২০২৪ তারিখে")


@pytest.mark.integration
def test_bangla_who_said_and_dates(bangla_index):
    from app.answer.ask import ask

    who = ask("কে বলেছেন ‘কোনো মানুষ না খেয়ে থাকবে না’?", index_dir=bangla_index)
    said = [c for c in who.citations if "না খেয়ে থাকবে না" in c.quote]
    assert said and said[0].speaker == MINISTER
    january = ask("২০২৪ সালের জানুয়ারিতে পরীক্ষা নিয়ে মন্ত্রী কী বলেছেন?", index_dir=bangla_index)
    assert january.citations and {c.title for c in january.citations} == {EXAMS["title"]}
    assert january.citations[0].speaker == nfc("রাশেদা খানম")
