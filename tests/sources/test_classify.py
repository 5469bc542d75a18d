"""What is not an article: documentation, block and captcha pages, spam, boilerplate,
listings; furniture lines inside articles; headlines that do not belong."""

from __future__ import annotations

import pytest

from app.sources.classify import (
    block_page,
    documentation_name,
    headline_mismatch,
    judge,
    listing,
    metadata_name,
    spam,
)
from app.sources.furniture import is_boilerplate, strip_boilerplate
from app.types import Kind

pytestmark = pytest.mark.usefixtures("no_network")  # every test here runs offline

STORY = [
    "The city council on Monday approved dedicated bus lanes along six kilometres of Mirpur Road.",
    "Buses will have the left lane to themselves from 7:00am to 10:00pm, the committee said.",
    "Commuters' groups welcomed the plan but warned that it would fail without enforcement.",
]


@pytest.mark.parametrize(
    ("path", "doc"),
    [
        ("data/README.md", True),
        ("data/readme.txt", True),
        ("bbc/README.TXT", True),
        ("x/LICENSE", True),
        ("x/CHANGELOG.md", True),
        ("x/ORIGINS.txt", True),
        ("x/readme_story.txt", False),
        ("x/licensed-imports.txt", False),
        ("x/story.md", False),
    ],
)
def test_documentation_by_name(path, doc):
    assert documentation_name(path) is doc


def test_metadata_names():
    assert metadata_name("d/dataset_info.json") and metadata_name("d/metadata.csv")
    assert not metadata_name("d/articles.json")


def test_documentation_by_content_not_by_one_heading():
    readme = "# Corpus\n\n## Usage\n\n```\npip install x\n```\n\nIf you use the dataset, please cite it."
    assert judge("Corpus", readme.split("\n\n"), path="notes.md").kind == Kind.DOCUMENTATION
    licence = ["Permission is hereby granted, free of charge, to any person obtaining a copy."]
    assert judge("MIT License", licence, path="terms.txt").kind == Kind.DOCUMENTATION
    story = [
        "Garment exporters asked for faster customs clearance on Sunday.",
        "## What exporters want",
        *STORY,
    ]
    assert judge("Exporters seek faster clearance", story, path="story.md") is None


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Just a moment...",
            "Checking if the site connection is secure. Enable JavaScript and cookies to continue",
        ),
        ("Attention Required! | Cloudflare", "Sorry, you have been blocked. Why have I been blocked?"),
        ("Access Denied", "You don't have permission to access this page. Reference #18.2f3c"),
        ("Bad gateway Error code 502", ""),
        ("Robot check", "Are you a robot? Please complete the CAPTCHA below to continue to the site."),
    ],
)
def test_block_pages(title, text):
    assert block_page(title, text)
    note = judge(title, [text] if text else [])
    assert note is not None and note.kind == Kind.BLOCK


def test_an_article_about_blocking_is_not_a_block_page():
    long_story = " ".join(["Access denied to journalists at the court, the union said on Monday."] * 40)
    assert block_page("Journalists barred from court", long_story) is None
    brief = (
        "Journalists said they were denied access to the hearing, which went ahead without them on Monday."
    )
    assert block_page("Reporters kept out", brief) is None


def test_spam_gambling_link_farm_and_stuffing():
    gambling = "Best online casino bonus. Slot gacor maxwin jackpot. Deposit bonus, poker and roulette. " * 6
    assert "gambling" in spam(gambling)
    links = " ".join(f"https://cheap-pills-{i}.example/buy" for i in range(12)) + " Buy now."
    assert "link farm" in spam(links)
    stuffed = "Cheap hotel Dhaka booking. " * 15 + "Book today for the best rates in town."
    assert "keyword stuffing" in spam(stuffed)
    assert judge("Casino", [gambling]).kind == Kind.SPAM


def test_a_news_story_about_gambling_is_not_spam():
    story = (
        "The government will tighten rules on betting shops and online casinos, the culture minister said "
        "on Tuesday, in a bill that would also cap the stakes on machines in high-street shops. "
        "Casino operators said the bill would cost thousands of jobs in seaside towns, where the industry "
        "is one of the largest employers. Campaigners said problem gambling harms families and that a ban "
        "on casino advertising during football matches was long overdue. The minister said the government "
        "had listened to both sides and that the new regulator would be funded by a levy on operators. "
        "The bill goes to parliament in March, and ministers hope it will become law before the summer "
        "recess. Opposition members said they would try to amend it to cover lottery scratchcards and "
        "prize draws run by newspapers, which are not covered by the current text."
    )
    assert spam(story) is None


def test_boilerplate_lines_removed_and_boilerplate_only_pages():
    paras = [
        STORY[0],
        "Advertisement",
        "Story continues below advertisement",
        "Read more: Rice prices steady in Khulna",
        "Sign up for our newsletter to get the top stories delivered to your inbox.",
        "We use cookies to improve your experience on our site.",
        "The post Cyclone shelters get solar power appeared first on The Coastal Herald.",
        "বিজ্ঞাপন",
        "আরও পড়ুন: ঢাকায় বৃষ্টি",
        STORY[1],
    ]
    kept, removed = strip_boilerplate(paras)
    assert kept == [STORY[0], STORY[1]] and removed == 8
    furniture = ["Advertisement", "Share this article", "Read more: Flood waters recede"]
    kept, removed = strip_boilerplate(furniture)
    assert kept == [] and judge("Sign up", kept, removed=removed).kind == Kind.BOILERPLATE_ONLY


def test_a_long_paragraph_mentioning_cookies_is_kept():
    para = (
        "Bakers in Old Dhaka said sales of cookies and cakes doubled before Eid, and that they had hired "
        "extra hands to keep up with orders from shops across the city, some of which had run out of stock "
        "by the evening; one baker said he accepted all cookies orders he could fit in his two ovens."
    )
    assert not is_boilerplate(para)


def test_furniture_glued_into_a_one_line_bangla_body_is_cut():
    body = (
        "আগামী তিন বছরের মধ্যে আরও ৫০০টি আউটলেট খোলার পরিকল্পনা রয়েছে প্রতিষ্ঠানটির। "
        "প্রথম আলোর খবর পেতে গুগল নিউজ চ্যানেল ফলো করুনবাংলাদেশ থেকে আরও পড়ুনবনানী"
    )
    kept, removed = strip_boilerplate([body])
    assert kept == ["আগামী তিন বছরের মধ্যে আরও ৫০০টি আউটলেট খোলার পরিকল্পনা রয়েছে প্রতিষ্ঠানটির।"]
    assert removed == 1
    inline = (
        "স্বাস্থ্য বিভাগ জানায়। আরও পড়ুনকিটের অভাব, ঢাকার বাইরে করোনা পরীক্ষা হচ্ছে না১১ জুন ২০২৫ তিনি বলেন, পরীক্ষা আবার শুরু হবে।"
    )
    kept, removed = strip_boilerplate([inline])
    assert kept == ["স্বাস্থ্য বিভাগ জানায়। তিনি বলেন, পরীক্ষা আবার শুরু হবে।"] and removed == 1


def test_listing_rule_keeps_stories_and_catches_homepages():
    teasers = [
        "Embankment breach floods three villages",
        "Jute exports climb for third straight month",
        "Selectors name uncapped pacer in Test squad",
        "Metro rail to extend hours during Ramadan",
        "Industrial gas prices to rise from April",
    ]
    assert listing(teasers) and judge("Home", teasers).kind == Kind.LISTING
    assert listing(STORY) is None
    # a story with a list (an award's winners) has real paragraphs
    winners = [
        "Best film: The River",
        "Best actor: Ali",
        "Best actress: Mita",
        "Best song: Dhaka",
        " ".join(STORY),
    ]
    assert listing(winners) is None


def test_archive_records_are_articles_by_declaration():
    poem = [
        "Old year leaves as night comes",
        "New year comes with songs",
        "Fireworks light the sky",
        "Old and young welcome it",
        "Happy new year, happy new year...",
    ]
    assert listing(poem) is not None
    assert listing(poem, declared=True) is None
    table = ["Shr 22 cts vs 14 cts", "Net 917,000 vs 553,000", "Sales 16.1 mln vs 13.6 mln"]
    assert listing(table, declared=True) is None  # a wire's table of figures is data
    assert listing(["Home", "News", "Sport", "Contact us"], declared=True) is not None
    assert judge("Salt farmers count losses", ["Salt farmers count losses"], teaser=True) is None


def test_headline_mismatch():
    assert headline_mismatch("Chelsea appoint new manager for next season", STORY * 3)
    assert not headline_mismatch("Council approves bus lanes on Mirpur Road", STORY * 3)
    assert not headline_mismatch("Bus lanes", STORY * 3)  # too short a headline to tell
    assert not headline_mismatch("Chelsea appoint new manager for next season", STORY[:1])  # short body


def test_headline_mismatch_in_bangla_and_across_scripts():
    body = [
        "চট্টগ্রামের কর্ণফুলী উপজেলায় মাদক দ্রব্যসহ বাসের দুই যাত্রীকে ধরে পুলিশের হাতে তুলে দিয়েছেন "
        "শিক্ষার্থীরা। শুক্রবার উপজেলার মইজ্জারটেক এলাকায় এ ঘটনা ঘটে। আটক দুই ব্যক্তির কাছ থেকে "
        "চার শতাধিক ইয়াবা এবং ১০ লিটার চোলাই মদ জব্দ করা হয়েছে বলে পুলিশ জানিয়েছে।"
    ]
    assert not headline_mismatch("কর্ণফুলীতে মাদকসহ শিক্ষার্থীদের হাতে ধরা দুই যাত্রী", body)
    assert headline_mismatch("ঢাকার কোন কোন রেস্তোরাঁয় গ্রামীণ স্বাদের ভাত-ভর্তা পাবেন", body)
    assert not headline_mismatch("Students hand over two bus passengers to police", body)  # other script


def test_a_one_line_archive_record_without_a_stop_is_a_text_not_a_listing():
    line = ["Federer said he needed surgery on an injured knee"]
    assert listing(line, declared=True) is None
    assert listing(line * 4, declared=True) is not None  # a run of headlines still is one
    assert judge("", line, declared=True) is None


def test_a_plug_glued_to_prose_goes_but_the_prose_stays():
    paras = [
        "Cara Clarke needed her appendix removed after two years, doctors said. "
        "For more strange news, sign up for our Tall Tales newsletter",
        "Sign up for our newsletter",
    ]
    kept, removed = strip_boilerplate(paras)
    assert kept == ["Cara Clarke needed her appendix removed after two years, doctors said."]
    assert removed == 2
