"""The int8 embedding runner (int8-v1) and the choice of backend.

Oracles: the fp32 export run by the same runner (the gate's reference), the same texts
one at a time or shuffled, and the manifest of a real build. Not timed: speed is
``make bench`` (benchmarks/bench_build.py)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from app.index import int8_export
from app.index.build import build_index, index_status
from app.index.embedder import Embedder, ModelError, backend_for, get_embedder
from app.index.gate_texts import SEED_PARAGRAPHS, TEXTS
from app.index.int8_runner import SINGLE_SESSION_TEXTS, SessionPool
from app.index.store import StoredIndex
from app.search.retriever import Retriever
from tests.conftest import QUESTION, make_corpus

QUESTIONS = [QUESTION, "who opposes the US military presence in Iraq?", "How many US troops are in Iraq"]


@pytest.fixture(scope="module")
def export():
    """The fp32 export folder holding the int8 model (built and gated on first use)."""
    embedder = Embedder(backend="onnx-int8")
    assert embedder.runner == "onnx-int8"
    return embedder._fp32_export()


@pytest.mark.integration
def test_int8_vectors_stay_close_to_fp32_on_real_news(export):
    texts = list(SEED_PARAGRAPHS) + QUESTIONS
    fp32 = SessionPool(export / "model.onnx", export).encode(texts)
    int8 = SessionPool(export / int8_export.MODEL_FILE, export).encode(texts)
    cosines = np.sum(fp32 * int8, axis=1)
    assert cosines.min() > 0.97 and cosines.mean() > 0.99
    # the question still finds the paragraphs fp32 ranks first (the seed's quotes)
    q, p = len(SEED_PARAGRAPHS), slice(0, len(SEED_PARAGRAPHS))
    assert set(np.argsort(-(int8[p] @ int8[q]))[:3]) == set(np.argsort(-(fp32[p] @ fp32[q]))[:3])


@pytest.mark.integration
def test_the_recorded_gate_passed_and_measures_again_the_same(export):
    recorded = int8_export.recorded(export)
    assert recorded["gate"]["passed"] and recorded["gate"]["texts"] == len(TEXTS)
    gate = int8_export.measure_gate(export, export / int8_export.MODEL_FILE, list(TEXTS))
    assert gate.passed and gate.mean_cosine == pytest.approx(recorded["gate"]["mean_cosine"], abs=1e-3)


@pytest.mark.integration
def test_rows_come_back_in_input_order_whichever_layout(export):
    texts = (list(SEED_PARAGRAPHS) + QUESTIONS) * 2  # more than SINGLE_SESSION_TEXTS: the pool runs
    assert len(texts) > SINGLE_SESSION_TEXTS
    pool = SessionPool(export / int8_export.MODEL_FILE, export, workers=2)
    forward = pool.encode(texts, batch_size=8)
    order = np.random.default_rng(0).permutation(len(texts))
    shuffled = pool.encode([texts[i] for i in order], batch_size=8)
    # Row for row the same text, but not the same numbers: ties in length batch other
    # neighbours, and int8 scales activations per batch (measured: cosine down to ~0.99)
    nearest = np.argmax(shuffled @ forward.T, axis=1)
    assert [texts[j] for j in nearest] == [texts[i] for i in order]
    assert np.sum(shuffled * forward[order], axis=1).min() > 0.98
    np.testing.assert_allclose(pool.encode(texts, batch_size=8), forward, atol=1e-6)  # deterministic
    intra = SessionPool(export / int8_export.MODEL_FILE, export, layout="intra", workers=2)
    np.testing.assert_allclose(intra.encode(texts, batch_size=8), forward, atol=1e-6)  # same batches
    np.testing.assert_allclose(np.linalg.norm(forward, axis=1), 1.0, atol=1e-5)


def test_the_gate_rule_and_the_arguments():
    good = int8_export.Gate(texts=64, mean_cosine=0.993, min_cosine=0.976, neighbour_recall=1.0)
    per_tensor = int8_export.Gate(texts=64, mean_cosine=0.955, min_cosine=0.875, neighbour_recall=0.97)
    assert good.passed and not per_tensor.passed
    assert "needs >= 0.99" in per_tensor.describe()
    with pytest.raises(ValueError, match="at least 32"):
        int8_export.build("unused", ["too few"])


@pytest.mark.integration
def test_a_failed_gate_falls_back_to_fp32_with_a_warning(monkeypatch):
    failed = {"recipe": int8_export.RECIPE, "gate": {"mean_cosine": 0.95, "passed": False}}
    monkeypatch.setattr(int8_export, "find", lambda folder: None)
    monkeypatch.setattr(int8_export, "recorded", lambda folder: failed)
    with pytest.warns(RuntimeWarning, match="drifted from fp32"):
        assert Embedder().runner == "onnx" and Embedder().precision == "fp32"
    with warnings.catch_warnings(), pytest.raises(ModelError, match="quality gate"):
        warnings.simplefilter("ignore")
        _ = Embedder(backend="onnx-int8").runner


@pytest.mark.integration
def test_backends_and_their_precision():
    assert (Embedder().runner, Embedder().precision) == ("onnx-int8", "int8-v1")  # the default
    assert (Embedder(backend="fp32").runner, Embedder(backend="fp32").precision) == ("onnx", "fp32")
    assert Embedder(backend="torch").precision == "fp32"  # no model load to say so
    assert get_embedder(backend="fp32") is get_embedder(backend="fp32") is not get_embedder()
    assert backend_for(None) == backend_for("fp32") == "fp32" and backend_for("int8-v1") is None
    with pytest.raises(ValueError, match="Supported backends are"):
        Embedder(backend="int4")
    fp32, int8 = get_embedder(backend="fp32"), get_embedder()
    assert np.sum(fp32.encode([QUESTION], kind="query") * int8.encode([QUESTION], kind="query")) > 0.97


@pytest.mark.integration
def test_the_manifest_records_the_precision_and_a_change_re_embeds(tmp_path, monkeypatch):
    corpus, out = make_corpus(tmp_path / "news"), tmp_path / "index"
    first = build_index(corpus, out)
    manifest = json.loads((out / "manifest.json").read_text())
    # the default design: MiniLM (int8) is the English companion of multilingual-e5-small
    assert manifest["companion"]["precision"] == "int8-v1" and index_status(corpus, out) is None
    assert Retriever(StoredIndex(out)).companion.precision == "int8-v1"  # questions match passages
    monkeypatch.setenv("NEWSDESK_BACKEND", "fp32")
    assert "out of date" in index_status(corpus, out)
    again = build_index(corpus, out)
    assert again.added == again.passages == first.passages  # every vector embedded again, none mixed
    assert json.loads((out / "manifest.json").read_text())["companion"]["precision"] == "fp32"
    monkeypatch.delenv("NEWSDESK_BACKEND")
    retriever = Retriever(StoredIndex(out))
    assert retriever.companion.precision == "fp32"  # an fp32 index is asked in fp32
    assert retriever.search(QUESTION, k=1)[0].citation.title.startswith("Even one American in Iraq")
