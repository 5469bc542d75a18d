"""Questions across languages: does a Bangla question find the English article on the
same event in one mixed Bangla + English index, and vice versa?

Data: the Prothom Alo Bangla and English articles of the same weeks
(``bangla/clir_prothomalo_bn_en_2025``; 23 duplicate URLs kept once) and the 12 pairs of
``clir_pairs.json`` (file paths only, and one question per language), found by title
similarity within three days and checked by reading both leads (same event, same or
next day; ``/work/scratch/bangla/REPORT.md`` §6). The bodies have no paragraph breaks
and repeat each paragraph, so an article's passages are its lead: its first
``LEAD_SENTENCES`` unique sentences (``app.text.sentences``) in passages of three.

A question scores every passage of the mixed index; the rank of an article is the rank
of its best passage; a hit is the other language's article of the pair in the top 5.
Designs (``DESIGNS``):

* (a) mE5 for every passage and every question;
* (b) MiniLM for English passages and mE5 for the others, one index, the question
  embedded by the model of its language (so half the scores compare vectors of two
  different models: what (b) does when it does not embed a question twice);
* (b) with the question embedded by both models, each scoring its own model's passages;
* (c), the default, as the app scores it: mE5 for every passage, and for an English
  question MiniLM beside it on the English passages (``fusion.COMPANION_WEIGHTS``:
  ``(0.7 z(mE5) + 0.25 z(MiniLM)) / 0.95`` there, ``z(mE5)`` elsewhere); z only.

Each with raw cosines and with the dense scores standardised within each passage
language (z over that language's passages) before merging. Twelve hand-checked pairs
are examples, not a score. Does not use BM25 (the two languages share no vocabulary).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.index.models import MINILM, MULTILINGUAL
from app.search import fusion
from app.text.sentences import sentence_spans
from benchmarks import vectors

PAIRS = Path(__file__).with_name("clir_pairs.json")
ROOT = "clir_prothomalo_bn_en_2025/data/raw"
LANGUAGES = {"bn": "bangla", "en": "english"}
LEAD_SENTENCES = 6  # two passages of three sentences: the lead (keeps the embedding run small)
PASSAGE_SENTENCES = 3
MIN_SENTENCE_CHARS = 16  # shorter "sentences" are bylines and captions
TOP = 5
DESIGNS = (
    "(a) mE5 for all",
    "(b) one index, question by its language's model",
    "(b) question by both models",
    "(c) mE5 + the English MiniLM companion",
)


@dataclass(frozen=True)
class Article:
    path: str  # relative to the bangla/ folder, as clir_pairs.json names it
    language: str  # "bn" or "en"
    title: str
    body: str


@dataclass(frozen=True)
class Pair:
    id: str
    bangla: str
    english: str
    question_bn: str
    question_en: str


def load_articles(data: Path, language: str) -> list[Article]:
    """One language's articles in path order, each URL once."""
    out, seen = [], set()
    for path in sorted((data / ROOT / LANGUAGES[language] / "prothom_alo").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["url"] in seen:
            continue
        seen.add(record["url"])
        out.append(Article(str(path.relative_to(data)), language, record.get("title") or "", record["body"]))
    return out


def load_pairs(path: Path = PAIRS) -> list[Pair]:
    return [
        Pair(p["id"], p["bangla"], p["english"], p["question_bn"], p["question_en"])
        for p in json.loads(path.read_text())
    ]


def lead_passages(body: str) -> list[str]:
    """The first ``LEAD_SENTENCES`` unique sentences, in passages of three."""
    sentences, seen = [], set()
    for start, end in sentence_spans(body):
        text = body[start:end]
        if len(text) >= MIN_SENTENCE_CHARS and text not in seen:
            seen.add(text)
            sentences.append(text)
        if len(sentences) == LEAD_SENTENCES:
            break
    return [
        " ".join(sentences[i : i + PASSAGE_SENTENCES]) for i in range(0, len(sentences), PASSAGE_SENTENCES)
    ]


@dataclass(frozen=True)
class Corpus:
    """The mixed index: passage texts, each passage's article (row in ``articles``)
    and language."""

    articles: list[Article]
    texts: list[str]
    owner: np.ndarray
    language: np.ndarray  # "bn" / "en" per passage

    @classmethod
    def of(cls, articles: list[Article]) -> Corpus:
        texts, owner, language = [], [], []
        for i, article in enumerate(articles):
            for text in lead_passages(article.body):
                texts.append(text)
                owner.append(i)
                language.append(article.language)
        return cls(articles, texts, np.array(owner), np.array(language))


def article_rank(scores: np.ndarray, owner: np.ndarray, target: int) -> int:
    """1-based rank of ``target``'s best passage among all passages (ties: lower row)."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    return int(np.flatnonzero(owner[order] == target)[0]) + 1


def per_language_z(scores: np.ndarray, language: np.ndarray) -> np.ndarray:
    out = np.empty_like(scores, dtype=np.float64)
    for code in np.unique(language):
        part = language == code
        s = scores[part].astype(np.float64)
        out[part] = (s - s.mean()) / (s.std() or 1.0)
    return out


def evaluate(data: Path, work: Path) -> dict:
    """Ranks of the pairs' articles under every design and scoring; vectors cached in
    ``work`` per model."""
    corpus = Corpus.of(load_articles(data, "bn") + load_articles(data, "en"))
    pairs = load_pairs()
    row_of = {a.path: i for i, a in enumerate(corpus.articles)}
    models = {"me5": vectors.cached(work, MULTILINGUAL), "minilm": vectors.cached(work, MINILM)}
    passages = {name: m.encode(corpus.texts) for name, m in models.items()}
    english = corpus.language == "en"
    asked = {"bn": [p.question_bn for p in pairs], "en": [p.question_en for p in pairs]}
    queries = {
        (name, code): m.encode(qs, kind="query") for name, m in models.items() for code, qs in asked.items()
    }
    mixed_b = np.where(english[:, None], passages["minilm"], passages["me5"])

    def scores(design: str, code: str, i: int) -> np.ndarray:
        if design == DESIGNS[3]:  # already standardised per passage language, as the app
            z = per_language_z(passages["me5"] @ queries["me5", code][i], corpus.language)
            weights = fusion.companion_weights("e5", code)
            if weights is None:
                return z
            mini = per_language_z(passages["minilm"] @ queries["minilm", code][i], corpus.language)
            return np.where(english, (weights[0] * z + weights[1] * mini) / sum(weights), z)
        if design == DESIGNS[0]:
            return passages["me5"] @ queries["me5", code][i]
        if design == DESIGNS[1]:
            return mixed_b @ queries["me5" if code == "bn" else "minilm", code][i]
        return np.where(
            english,
            passages["minilm"] @ queries["minilm", code][i],
            passages["me5"] @ queries["me5", code][i],
        )

    per_pair, summary = [], []
    for design in DESIGNS:
        for scoring in ("raw cosine", "z per passage language"):
            if design == DESIGNS[3] and scoring == "raw cosine":
                continue
            ranks = {"bn->en": [], "en->bn": [], "bn->bn": [], "en->en": []}
            for i, pair in enumerate(pairs):
                for code in ("bn", "en"):
                    s = scores(design, code, i)
                    if scoring != "raw cosine" and design != DESIGNS[3]:
                        s = per_language_z(s, corpus.language)
                    for target_code, path in (("bn", pair.bangla), ("en", pair.english)):
                        ranks[f"{code}->{target_code}"].append(article_rank(s, corpus.owner, row_of[path]))
            summary.append(
                {
                    "design": design,
                    "scoring": scoring,
                    **{f"{k} top{TOP}": sum(r <= TOP for r in v) for k, v in ranks.items()},
                    **{f"{k} top1": sum(r <= 1 for r in v) for k, v in ranks.items()},
                }
            )
            per_pair.append({"design": design, "scoring": scoring, "ranks": ranks})
    return {
        "pairs": len(pairs),
        "pair_ids": [p.id for p in pairs],
        "passages": {code: int((corpus.language == code).sum()) for code in LANGUAGES},
        "articles": {code: sum(a.language == code for a in corpus.articles) for code in LANGUAGES},
        "summary": summary,
        "per_pair": per_pair,
    }
