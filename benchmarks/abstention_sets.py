"""What the abstention rule sees, on questions whose answer is and is not in the corpus.

``ask`` abstains unless ``best cosine + lexical * coverage`` over the top ``TOP``
passages reaches a threshold (``app.answer.abstain``). Each function here returns, for
one model, every question's best cosine and coverage against a corpus that holds its
answer (positives) or not (negatives), and the question's half (dev/test):

* ``rtqa_later_news``: RealTimeQA's evidence paragraphs up to the median question date
  are the corpus; those questions are the positives, the later ones the negatives
  (their subjects are absent: the main protocol);
* ``rtqa_evidence_removed``: every question against all evidence paragraphs (positive)
  and against them less its own (negative; other paragraphs of the story may remain);
* ``banglaquad_articles_absent``: BanglaQuAD's Wikipedia articles split in two by a hash
  of their number; the corpus is one half's paragraphs plus the 12,718 Bangla news
  paragraphs of the protocol (the distractors); questions on that half are positives,
  questions on the other half negatives (their article is absent).

Vectors come from the benchmarks' per-model caches (``benchmarks.vectors``). Does not
choose thresholds: ``benchmarks.calibrate_abstention`` does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.answer.abstain import question_terms
from app.text.terms import keyword_terms
from benchmarks import bangla, rtqa, vectors
from benchmarks.common import is_dev

TOP = 6  # passages read per question, as app.answer.compose.PASSAGES_READ


@dataclass(frozen=True)
class Features:
    """Per question: best cosine, coverage, whether its answer is in the corpus, its half."""

    name: str
    cos: np.ndarray
    cov: np.ndarray
    positive: np.ndarray
    dev: np.ndarray


def features(scores: np.ndarray, q_terms: list[set[str]], p_terms: list[set[str]]):
    """(best cosine, coverage of the question's terms by its TOP passages) per question."""
    top = np.argsort(-scores, axis=1)[:, :TOP]
    cos = np.take_along_axis(scores, top, axis=1).max(axis=1)
    cov = np.array(
        [
            len(q_terms[i] & set().union(*(p_terms[j] for j in row))) / len(q_terms[i]) if q_terms[i] else 0.0
            for i, row in enumerate(top)
        ]
    )
    return cos, cov


class _Rtqa:
    """RealTimeQA's questions and unique evidence paragraphs, embedded with one model."""

    def __init__(self, data: Path, work: Path, model: str):
        loaded = rtqa.load_questions(data)
        self.questions = [q.text for q in loaded]
        self.dates = [q.date for q in loaded]
        self.dev = np.array([is_dev(q.question_id) for q in loaded])
        unique = sorted({q.evidence for q in loaded})
        row = {text: i for i, text in enumerate(unique)}
        self.own = np.array([row[q.evidence] for q in loaded])
        embedder = vectors.cached(work, model)
        passages = embedder.encode(unique, progress=True)
        queries = embedder.encode(self.questions, kind="query")
        self.scores = queries @ passages.T  # (questions, passages) cosines
        self.q_terms = [question_terms(q) for q in self.questions]
        self.p_terms = [set(t) for t in keyword_terms(unique)]


_rtqa_cache: dict[tuple, _Rtqa] = {}


def _rtqa(data: Path, work: Path, model: str) -> _Rtqa:
    key = (str(data), str(work), model)
    if key not in _rtqa_cache:
        _rtqa_cache[key] = _Rtqa(data, work, model)
    return _rtqa_cache[key]


def rtqa_later_news(data: Path, work: Path, model: str) -> Features:
    r = _rtqa(data, work, model)
    cutoff = sorted(r.dates)[len(r.dates) // 2]
    early = np.array([d <= cutoff for d in r.dates])
    in_corpus = np.zeros(r.scores.shape[1], bool)
    in_corpus[r.own[early]] = True
    cos, cov = features(np.where(in_corpus[None, :], r.scores, -1.0), r.q_terms, r.p_terms)
    return Features("RealTimeQA, later news", cos, cov, early, r.dev)


def rtqa_evidence_removed(data: Path, work: Path, model: str) -> Features:
    r = _rtqa(data, work, model)
    masked = r.scores.copy()
    masked[np.arange(len(r.own)), r.own] = -1.0
    pos_cos, pos_cov = features(r.scores, r.q_terms, r.p_terms)
    neg_cos, neg_cov = features(masked, r.q_terms, r.p_terms)
    n = len(r.own)
    positive = np.concatenate([np.ones(n, bool), np.zeros(n, bool)])
    return Features(
        "RealTimeQA, evidence removed",
        np.concatenate([pos_cos, neg_cos]),
        np.concatenate([pos_cov, neg_cov]),
        positive,
        np.concatenate([r.dev, r.dev]),
    )


def banglaquad_articles_absent(data: Path, work: Path, model: str) -> Features:
    """``data``: the shared ``bangla/`` folder; ``work``: the Bangla work folder. The
    passages are the set's index's (``benchmarks.bangla``), their vectors from its cache."""
    from benchmarks.harness import Harness

    s = bangla.load(bangla.BANGLAQUAD, data, work)
    article_of = {r.url: r.origin.split("#")[1].split("/")[0] for r in s.records if r.url}
    kept = {a for a in set(article_of.values()) if hashlib.sha256(a.encode()).digest()[0] % 2 == 0}
    h = Harness(bangla.ensure_index(s, work), list(s.questions))
    urls = {a.article_id: a.url for a in h.index.articles.values()}
    row_url = [urls.get(h.index.passages[i].article_id) for i in range(h.n)]
    in_corpus = np.array([u is None or article_of.get(u) in kept for u in row_url]) & h.live
    embedder = vectors.cached(work / bangla.BANGLAQUAD, model)
    passages = embedder.encode(h.texts, progress=True)
    queries = embedder.encode([q.text for q in s.questions], kind="query")
    scores = np.where(in_corpus[None, :], queries @ passages.T, -1.0)
    q_terms = [question_terms(q.text) for q in s.questions]
    cos, cov = features(scores, q_terms, [set(t) for t in keyword_terms(h.texts)])
    positive = np.array([article_of[q.evidence_url] in kept for q in s.questions])
    return Features("BanglaQuAD, article absent", cos, cov, positive, h.dev)
