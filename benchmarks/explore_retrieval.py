"""Exploration of retrieval methods not in ``eval_retrieval.py`` (README, "Retrieval quality").

Each method re-ranks one wide candidate pool per question (the union of the top
``POOL`` dense and top ``POOL`` BM25 passages of the cleaned question, plus the top
``POOL`` of every BM25 variant tried), so every row, the baseline included, ranks the
same passages; the winner is re-checked on the app's own candidates (top 100 of each).
Parameters are chosen on the dev half by R@5 + MRR; held-out is only reported.

Methods: per-token query weighting for BM25 (proper nouns, numbers, rare terms), a
boilerplate / short-paragraph prior, a dense query ensemble (the question plus
rewrites), fusion of BM25 variants (stemmed, unstemmed, word bigrams), and an
answer-type prior. Context vectors of neighbouring paragraphs are not tried: in the
protocol only distractors have neighbours (each evidence paragraph is a record of its
own), so any gain would come from the protocol, not from the method.

Usage: ``python benchmarks/explore_retrieval.py [DATA] [--work DIR]``; prints a table and
writes ``benchmarks/results/explore_retrieval.json``. Builds no index: run ``make eval``
(or ``eval_retrieval.py --rebuild``) first.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import eval_retrieval as ev  # noqa: E402
import rtqa  # noqa: E402

from app.index.build import EMBED_RECIPE  # noqa: E402
from app.search import fusion, query  # noqa: E402
from app.text.words import keyword_terms as tokenize  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
POOL = 100  # per retriever, as the app's CANDIDATES
_WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*")


# --------------------------------------------------------------------------- BM25 access


class TokenScorer:
    """Per-token BM25 scores straight from a bm25s index's sparse score matrix: a query is
    a dict token -> weight, scored as sum(weight * bm25(token, passage))."""

    def __init__(self, bm25, n: int):
        self.data = np.asarray(bm25.scores["data"])
        self.indices = np.asarray(bm25.scores["indices"])
        self.indptr = np.asarray(bm25.scores["indptr"])
        self.vocab = bm25.vocab_dict
        self.n = n

    def scores(self, weights: dict[str, float]) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float64)
        for token, w in weights.items():
            t = self.vocab.get(token)
            if t is None or w == 0:
                continue
            lo, hi = self.indptr[t], self.indptr[t + 1]
            out[self.indices[lo:hi]] += w * self.data[lo:hi]
        return out


def build_bm25(tokens: list[list[str]], **params):
    import bm25s

    bm25 = bm25s.BM25(**params)
    bm25.index(tokens, show_progress=False)
    return bm25


def plain_tokens(texts: list[str]) -> list[list[str]]:
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=None, return_ids=False, show_progress=False)


def bigrams(tokens: list[list[str]]) -> list[list[str]]:
    return [[f"{a}_{b}" for a, b in zip(t, t[1:], strict=False)] or [""] for t in tokens]


# ------------------------------------------------------------------- query term weighting


@dataclass(frozen=True)
class QueryTerm:
    token: str  # stemmed, as the index has it
    proper: bool  # capitalised, not the first word of a sentence
    number: bool
    wh: bool = False  # a question word (which, what, who, how, ...)


_WH_TOKENS = frozenset({"which", "what", "who", "whom", "whose", "where", "when", "why", "how", "mani"})


def query_terms(question: str) -> list[QueryTerm]:
    """The question's indexed tokens (stemmed, stopwords out), each marked as a proper noun
    (capitalised word not at a sentence start) or a number."""
    out = []
    words = list(_WORD.finditer(question))
    for i, m in enumerate(words):
        word = m.group().strip(".'’-")
        if not word:
            continue
        before = question[: m.start()].rstrip()
        start = i == 0 or before.endswith((".", "?", "!", ":", "“", '"'))
        toks = tokenize([word])[0]
        for tok in toks:
            if tok:
                proper, number = word[0].isupper() and not start, any(ch.isdigit() for ch in word)
                out.append(QueryTerm(tok, proper, number, tok in _WH_TOKENS))
    return out


def term_weights(
    terms: list[QueryTerm], idf: dict[str, float], proper: float, number: float, rare: float, drop_wh: bool
) -> dict[str, float]:
    """token -> weight: 1, plus ``proper`` for a proper noun, ``number`` for a number, times
    (idf / mean idf of the question) ** ``rare``; question words weigh 0 if ``drop_wh``;
    repeated tokens add up, as in bm25s."""
    if not terms:
        return {}
    mean_idf = float(np.mean([idf.get(t.token, 0.0) for t in terms])) or 1.0
    out: dict[str, float] = {}
    for t in terms:
        w = 0.0 if drop_wh and t.wh else 1.0 + proper * t.proper + number * t.number
        if rare:
            w *= (max(idf.get(t.token, 0.0), 1e-6) / mean_idf) ** rare
        out[t.token] = out.get(t.token, 0.0) + w
    return out


# ------------------------------------------------------------------------ query rewrites

_WH = re.compile(
    r"\b(?:which|what|who|whom|whose|where|when|why|how(?: many| much| long| old| often| far)?)"
    r"(?:\s+(?:is|was|are|were|did|does|do|has|have|had|will|would|could|can))?\b",
    re.IGNORECASE,
)
_BLANKS = re.compile(r"_{2,}|\s*…|\.{3,}")
_STOP = None


def without_wh(question: str) -> str:
    """The question as a statement-like fragment: wh-words (with a following auxiliary),
    fill-in blanks and ellipses out. "Which team won the cup?" -> "team won the cup"."""
    text = _BLANKS.sub(" ", _WH.sub(" ", question))
    text = re.sub(r"\s+", " ", text).strip(" ?,.")
    return text if re.search(r"\w", text) else question


def keywords_only(question: str) -> str:
    """Proper nouns, numbers and other content words of the question, in order (stopwords
    and wh-words out): a bag-of-entities rewrite for the dense encoder."""
    global _STOP
    if _STOP is None:
        from bm25s.stopwords import STOPWORDS_EN

        _STOP = set(STOPWORDS_EN) | {"which", "what", "who", "whom", "whose", "where", "when", "why", "how"}
    words = [m.group().strip(".'’-") for m in _WORD.finditer(_BLANKS.sub(" ", question))]
    kept = [w for w in words if w and w.lower() not in _STOP]
    return " ".join(kept) if kept else question


def entities_only(question: str) -> str:
    """Capitalised words not at a sentence start, and numbers; the question if none."""
    words = list(_WORD.finditer(question))
    kept = []
    for i, m in enumerate(words):
        w = m.group().strip(".'’-")
        before = question[: m.start()].rstrip()
        start = i == 0 or before.endswith((".", "?", "!", ":"))
        if w and ((w[0].isupper() and not start) or any(ch.isdigit() for ch in w)):
            kept.append(w)
    return " ".join(kept) if len(kept) >= 1 else question


# -------------------------------------------------------------------------- passage priors

_BOILER = re.compile(
    r"\b(?:advertisement|sign up|subscribe|newsletter|click here|read more|related:|follow us|"
    r"all rights reserved|copyright|cookie|getty images|image caption|photo:|share this|"
    r"listen to this article|download the app|terms of (?:use|service)|privacy policy)\b",
    re.IGNORECASE,
)


def boilerplate(text: str) -> float:
    """1 for web furniture ("Advertisement", "Sign up", ...) in a short paragraph, else 0."""
    return float(len(text) < 300 and bool(_BOILER.search(text)))


def short(text: str, chars: int) -> float:
    return float(len(text) < chars)


# ---------------------------------------------------------------------------- answer type

_PEOPLE = re.compile(r"^\s*(?:who|whom|whose)\b|\bwhich (?:person|man|woman|actor|actress|singer)\b", re.I)
_COUNT = re.compile(r"\bhow (?:many|much|long|old|often|far)\b|\bwhat (?:percentage|number|year|age)\b", re.I)
_NUM_IN_TEXT = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion)\b", re.I
)
_NAME_IN_TEXT = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+ [A-Z][a-z]+")


def answer_type_match(question: str, text: str) -> float:
    """1 if the question asks for a count/quantity and the passage has a number, or asks
    for a person and the passage has a two-word capitalised name; 0 otherwise."""
    if _COUNT.search(question):
        return float(bool(_NUM_IN_TEXT.search(text)))
    if _PEOPLE.search(question):
        return float(bool(_NAME_IN_TEXT.search(text)))
    return 0.0


# ------------------------------------------------------------------------------ the pool


def evidence_rows(h: ev.Harness) -> np.ndarray:
    """True for the passages of the protocol's evidence records (not distractor articles)."""
    articles = h.index.articles
    return np.array(
        [articles[r.article_id].get("url", "").startswith(rtqa.EVIDENCE_URL) for r in h.index.passages]
    )


def passage_density(vectors: np.ndarray, k: int, block: int = 2048) -> np.ndarray:
    """Mean cosine of each passage to its ``k`` nearest other passages (the r_T term of
    CSLS, Lample et al. 2018): high for hubs in crowded regions of the embedding space."""
    out = np.empty(len(vectors))
    for start in range(0, len(vectors), block):
        sims = vectors[start : start + block] @ vectors.T
        top = np.partition(sims, -(k + 1), axis=1)[:, -(k + 1) :]
        out[start : start + block] = (top.sum(axis=1) - top.max(axis=1)) / k
    return out


@dataclass
class Pool:
    ids: np.ndarray
    z_dense: np.ndarray
    z_bm25: np.ndarray


def dense_z(h: ev.Harness, q: np.ndarray, ids: np.ndarray) -> np.ndarray:
    return fusion.standardise(
        h.vectors[ids].astype(np.float64) @ q.astype(np.float64),
        *fusion.dense_moments(q, h.index.mean, h.index.cov),
    )


def corpus_z(scores: np.ndarray, ids: np.ndarray) -> np.ndarray:
    return fusion.standardise(scores[ids], float(scores.mean()), float(scores.std()))


def rank_metrics(h: ev.Harness, orders: list[np.ndarray], mask: np.ndarray) -> ev.Metrics:
    return ev.Metrics.of(h.ranks(orders)[mask])


def orders_of(pools: list[Pool], scores: list[np.ndarray]) -> list[np.ndarray]:
    return [p.ids[fusion.top_k(s, ev.CUTOFF)] for p, s in zip(pools, scores, strict=True)]


def rrf(*scores: np.ndarray, k: float = 60.0) -> np.ndarray:
    out = np.zeros_like(scores[0], dtype=np.float64)
    for s in scores:
        ranks = np.empty(len(s), dtype=np.int64)
        ranks[np.argsort(-s, kind="stable")] = np.arange(1, len(s) + 1)
        out += 1.0 / (k + ranks)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", default=str(PROJECT.parent / "shared" / "data"))
    parser.add_argument("--work", default=str(Path.home() / ".cache" / "newsdesk-eval"))
    parser.add_argument("--out", default=str(PROJECT / "benchmarks" / "results"))
    parser.add_argument("--adapter", action="store_true", help="only the learned query adapter")
    parser.add_argument("--hubness", action="store_true", help="only the hubness penalty, app candidates")
    parser.add_argument("--adapter-fixed", default="", help="decay,steps: skip the inner search")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    say = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    h = ev.Harness(Path(args.work) / f"index-{EMBED_RECIPE}", rtqa.load_questions(Path(args.data)))
    say(f"{h.n} passages, {len(h.questions)} questions, {h.missing_gold} without gold")
    if args.hubness:
        rows = hubness_experiment(h, say)
        out = Path(args.out) / "explore_hubness.json"
        out.write_text(json.dumps({"date": datetime.now(timezone.utc).isoformat(), "rows": rows}, indent=2))
        return 0
    if args.adapter:
        fixed = args.adapter_fixed.split(",") if args.adapter_fixed else None
        rows = adapter_experiment(h, say, (float(fixed[0]), int(fixed[1])) if fixed else None)
        out = Path(args.out) / "explore_adapter.json"
        out.write_text(json.dumps({"date": datetime.now(timezone.utc).isoformat(), "rows": rows}, indent=2))
        return 0
    raw = [q.text for q in h.questions]
    cleaned = [query.drop_quiz_phrasing(t) for t in raw]
    encode = h.retriever.embedder.encode

    say("embedding questions and rewrites")
    qv = encode(cleaned, batch_size=128)
    q_wh = encode([without_wh(t) for t in cleaned], batch_size=128)
    q_kw = encode([keywords_only(t) for t in cleaned], batch_size=128)
    q_ent = encode([entities_only(t) for t in cleaned], batch_size=128)

    say("BM25 variants")
    base = h.index.keyword._bm25
    stem_tok = tokenize(h.texts)
    plain_tok = plain_tokens(h.texts)
    scorers = {
        "stem": TokenScorer(base, h.n),
        "plain": TokenScorer(build_bm25(plain_tok), h.n),
        "bigram": TokenScorer(build_bm25(bigrams(stem_tok)), h.n),
        "stem_k1.2_b0.9": TokenScorer(build_bm25(stem_tok, k1=1.2, b=0.9), h.n),
    }
    df: dict[str, int] = {}
    for toks in stem_tok:
        for t in set(toks):
            df[t] = df.get(t, 0) + 1
    idf = {t: float(np.log(1 + (h.n - d + 0.5) / (d + 0.5))) for t, d in df.items()}
    q_stem = tokenize(cleaned)
    q_plain = plain_tokens(cleaned)
    q_terms = [query_terms(t) for t in cleaned]

    def bag(tokens: list[str]) -> dict[str, float]:
        out: dict[str, float] = {}
        for t in tokens:
            out[t] = out.get(t, 0.0) + 1.0
        return out

    say("pools and per-variant keyword scores")
    pools: list[Pool] = []
    zk: dict[str, list[np.ndarray]] = {name: [] for name in ("plain", "bigram", "stem_k1.2_b0.9")}
    weighted_grid = [
        (p, nmb, r, d)
        for p in (0.0, 0.5, 1.0, 2.0)
        for nmb in (0.0, 1.0)
        for r in (0.0, 0.5, 1.0)
        for d in (False, True)
    ]
    zw: dict[tuple, list[np.ndarray]] = {g: [] for g in weighted_grid if g != (0.0, 0.0, 0.0, False)}
    for i in range(len(cleaned)):
        dense_all = h.vectors @ qv[i]
        kw = scorers["stem"].scores(bag(q_stem[i]))
        full = {
            "plain": scorers["plain"].scores(bag(q_plain[i])),
            "bigram": scorers["bigram"].scores(bag(bigrams([q_stem[i]])[0])),
            "stem_k1.2_b0.9": scorers["stem_k1.2_b0.9"].scores(bag(q_stem[i])),
        }
        parts = [fusion.top_k(dense_all, POOL), fusion.top_k(kw, POOL)]
        parts += [fusion.top_k(s, POOL) for s in full.values()]
        for j in (q_wh, q_kw, q_ent):
            parts.append(fusion.top_k(h.vectors @ j[i], POOL))
        wfull = {}
        for g in zw:
            wfull[g] = scorers["stem"].scores(term_weights(q_terms[i], idf, *g))
            parts.append(fusion.top_k(wfull[g], 30))
        ids = np.unique(np.concatenate(parts))
        pools.append(Pool(ids, dense_z(h, qv[i], ids), corpus_z(kw, ids)))
        for name, s in full.items():
            zk[name].append(corpus_z(s, ids))
        for g, s in wfull.items():
            zw[g].append(corpus_z(s, ids))
        if i % 500 == 0:
            say(f"  {i}/{len(cleaned)} pool {len(ids)}")

    rows: list[dict] = []

    is_evidence = evidence_rows(h)

    def report(name: str, scores: list[np.ndarray], **extra) -> dict:
        orders = orders_of(pools, scores)
        r = ev.row(name, h, orders, **extra)
        # the same ranking among evidence paragraphs only (the guard against the protocol's
        # evidence-vs-distractor artefacts: README of this script)
        ranks = h.ranks([o[is_evidence[o]] for o in orders])
        r["evidence_only"] = {
            "dev": ev.Metrics.of(ranks[h.dev]).__dict__,
            "held_out": ev.Metrics.of(ranks[~h.dev]).__dict__,
        }
        rows.append(r)
        d, o, e = r["dev"], r["held_out"], r["evidence_only"]["held_out"]
        say(
            f"{name[:60]:<60} dev {d['r5']:.3f} {d['mrr']:.3f}  held {o['r5']:.3f} {o['mrr']:.3f}"
            f"  evidence-only held {e['r5']:.3f} {e['mrr']:.3f}"
        )
        return r

    def tune(name: str, grid: list, make) -> tuple:
        best = None
        for g in grid:
            scores = make(g)
            m = rank_metrics(h, orders_of(pools, scores), h.dev)
            if best is None or m.r5 + m.mrr > best[0]:
                best = (m.r5 + m.mrr, g, scores)
        report(f"{name} {best[1]}", best[2], params=str(best[1]))
        return best[1], best[2]

    W = fusion.DENSE_WEIGHT
    base_scores = [fusion.weighted(p.z_dense, p.z_bm25, W) for p in pools]
    report("hybrid (app default) on the pool", base_scores)
    report("dense only", [p.z_dense for p in pools])
    report("BM25 only", [p.z_bm25 for p in pools])

    say("1. query term weighting")
    grid = [(g, w) for g in zw for w in (0.8, 0.75, 0.7)]
    tw_best, _ = tune(
        "1. BM25 term weights ((proper, number, rare, drop wh), w)",
        grid,
        lambda gw: [fusion.weighted(p.z_dense, zw[gw[0]][i], gw[1]) for i, p in enumerate(pools)],
    )

    say("2. passage priors")
    boiler = np.array([boilerplate(t) for t in h.texts])
    shorts = {c: np.array([short(t, c) for t in h.texts]) for c in (60, 80, 100)}
    tune(
        "2a. boilerplate penalty",
        [0.25, 0.5, 1.0, 2.0],
        lambda c: [s - c * boiler[p.ids] for s, p in zip(base_scores, pools, strict=True)],
    )
    tune(
        "2b. short-paragraph penalty (chars, size)",
        [(n, c) for n in shorts for c in (0.1, 0.25, 0.5)],
        lambda nc: [s - nc[1] * shorts[nc[0]][p.ids] for s, p in zip(base_scores, pools, strict=True)],
    )

    say("3. dense query ensemble")
    for label, qx in (("without wh-phrase", q_wh), ("keywords only", q_kw), ("entities only", q_ent)):
        zx = [dense_z(h, qx[i], p.ids) for i, p in enumerate(pools)]
        tune(
            f"3. dense: mean z with '{label}' (share, w)",
            [(a, w) for a in (0.2, 0.35, 0.5) for w in (0.8, 0.75)],
            lambda aw, zx=zx: [
                fusion.weighted((1 - aw[0]) * p.z_dense + aw[0] * zx[i], p.z_bm25, aw[1])
                for i, p in enumerate(pools)
            ],
        )
        tune(
            f"3. dense: max z with '{label}' (w)",
            [0.8, 0.75, 0.7],
            lambda w, zx=zx: [
                fusion.weighted(np.maximum(p.z_dense, zx[i]), p.z_bm25, w) for i, p in enumerate(pools)
            ],
        )
    # averaged query vector (one search, as the app would run it)
    for label, qx in (("without wh-phrase", q_wh), ("keywords only", q_kw)):

        def mixed(a, qx=qx):
            out = []
            for i, p in enumerate(pools):
                q = qv[i] + a * qx[i]
                q = q / np.linalg.norm(q)
                out.append(fusion.weighted(dense_z(h, q, p.ids), p.z_bm25, W))
            return out

        tune(f"3. dense: averaged query vector with '{label}' (share)", [0.25, 0.5, 1.0], mixed)

    say("5. BM25 variants")
    for name in zk:
        report(f"5. {name} BM25 alone", zk[name])
        tune(
            f"5. hybrid with {name} BM25 (w)",
            [0.8, 0.75, 0.7],
            lambda w, name=name: [fusion.weighted(p.z_dense, zk[name][i], w) for i, p in enumerate(pools)],
        )
    tune(
        "5. z-sum of stem + plain + bigram BM25 (w, bigram share)",
        [(w, b) for w in (0.8, 0.75, 0.7, 0.65) for b in (0.0, 0.25, 0.5)],
        lambda wb: [
            fusion.weighted(
                p.z_dense, (1 - wb[1]) * 0.5 * (p.z_bm25 + zk["plain"][i]) + wb[1] * zk["bigram"][i], wb[0]
            )
            for i, p in enumerate(pools)
        ],
    )
    tune(
        "5. z(stem) + bigram z (w, bigram weight)",
        [(w, b) for w in (0.8, 0.75) for b in (0.05, 0.1, 0.2)],
        lambda wb: [
            fusion.weighted(p.z_dense, p.z_bm25, wb[0]) + wb[1] * zk["bigram"][i] for i, p in enumerate(pools)
        ],
    )
    tune(
        "5. RRF of dense, stem, plain, bigram BM25 (k)",
        [10, 30, 60],
        lambda k: [
            rrf(p.z_dense, p.z_bm25, zk["plain"][i], zk["bigram"][i], k=k) for i, p in enumerate(pools)
        ],
    )
    tune(
        "5. RRF of hybrid with BM25 variants' hybrids (k)",
        [10, 30, 60],
        lambda k: [
            rrf(*(fusion.weighted(p.z_dense, z, W) for z in (p.z_bm25, zk["plain"][i], zk["bigram"][i])), k=k)
            for i, p in enumerate(pools)
        ],
    )

    say("6b. hubness correction (CSLS-like) and combinations")
    density = passage_density(h.vectors, 10)
    zdens = (density - density.mean()) / density.std()
    tune(
        "6b. hubness: minus z(mean cosine to 10 nearest passages)",
        [0.05, 0.1, 0.2, 0.3],
        lambda b: [s - b * zdens[p.ids] for s, p in zip(base_scores, pools, strict=True)],
    )
    nowh = zw[(0.0, 0.0, 0.0, True)]
    tune(
        "6c. stem (wh-words out) + plain BM25, z-sum (w)",
        [0.8, 0.75, 0.7],
        lambda w: [
            fusion.weighted(p.z_dense, 0.5 * (nowh[i] + zk["plain"][i]), w) for i, p in enumerate(pools)
        ],
    )

    say("6. answer-type prior")
    at = [
        np.array([answer_type_match(q, h.texts[int(j)]) for j in p.ids])
        for q, p in zip(raw, pools, strict=True)
    ]
    tune(
        "6. answer-type match bonus",
        [0.1, 0.25, 0.5],
        lambda c: [s + c * a for s, a in zip(base_scores, at, strict=True)],
    )

    ev.print_table(rows)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": ev.machine(),
        "passages": h.n,
        "questions": len(h.questions),
        "dev_questions": int(h.dev.sum()),
        "seconds": round(time.perf_counter() - started, 1),
        "term_weights_best": str(tw_best),
        "rows": rows,
    }
    (out / "explore_retrieval.json").write_text(json.dumps(result, indent=2) + "\n")
    say(f"wrote {out / 'explore_retrieval.json'}")
    return 0


# ------------------------------------------------------------------- learned query adapter


def train_adapter(
    h: ev.Harness, cs: list[ev.Candidates], train: np.ndarray, decay: float, steps: int = 300
) -> np.ndarray:
    """A residual linear map of the query vector, ``q' = normalise(q + q A)``, fitted on the
    questions ``train`` by softmax cross-entropy of the hybrid score (0.8 z(dense') + 0.2
    z(BM25)) over each question's candidates, gold as the target; L2 ``decay`` on A keeps
    it near the identity (Yates et al. style embedding adapters; query side only, so the
    passage vectors and the index stay as they are)."""
    import torch

    torch.manual_seed(0)
    mean = torch.tensor(h.index.mean, dtype=torch.float32)
    cov = torch.tensor(h.index.cov, dtype=torch.float32)
    keep = [i for i in train if np.isin(cs[i].ids, list(h.gold[i])).any()]
    width = max(len(cs[i].ids) for i in keep)
    d = h.vectors.shape[1]
    v = np.zeros((len(keep), width, d), np.float32)
    zk = np.zeros((len(keep), width), np.float32)
    gold = np.zeros((len(keep), width), bool)
    valid = np.zeros((len(keep), width), bool)
    for r, i in enumerate(keep):
        c, m = cs[i], len(cs[i].ids)
        v[r, :m], zk[r, :m], valid[r, :m] = h.vectors[c.ids], c.z_keyword, True
        gold[r, :m] = np.isin(c.ids, list(h.gold[i]))
    v, zk, q = torch.tensor(v), torch.tensor(zk), torch.tensor(np.stack([cs[i].query for i in keep]))
    gold, valid = torch.tensor(gold), torch.tensor(valid)
    a = torch.zeros(d, d, requires_grad=True)
    scale = torch.tensor(1.0, requires_grad=True)
    opt = torch.optim.Adam([a, scale], lr=1e-3)
    w = fusion.DENSE_WEIGHT
    neg = torch.tensor(-1e9)
    for _ in range(steps):
        opt.zero_grad()
        q2 = q + q @ a
        q2 = q2 / q2.norm(dim=1, keepdim=True)
        sd = torch.sqrt(((q2 @ cov) * q2).sum(1))
        dense = (torch.einsum("npd,nd->np", v, q2) - (q2 @ mean)[:, None]) / sd[:, None]
        fused = scale * (w * dense + (1 - w) * zk)
        fused = torch.where(valid, fused, neg)
        pos = torch.logsumexp(torch.where(gold, fused, neg), 1)
        loss = (torch.logsumexp(fused, 1) - pos).mean() + decay * (a**2).sum()
        loss.backward()
        opt.step()
    return a.detach().numpy()


def adapted(queries: np.ndarray, a: np.ndarray) -> np.ndarray:
    q = queries + queries @ a
    return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)


def adapter_experiment(h: ev.Harness, say, fixed: tuple[float, int] | None = None) -> list[dict]:
    """Fit the adapter on dev only (decay chosen on a split of dev), re-run the app's
    candidates with the adapted query, report; then a time split (fit on dev questions of
    2020-2021, report held-out questions of 2022) against topic leakage between halves."""
    cleaned = [query.drop_quiz_phrasing(q.text) for q in h.questions]
    cs = ev.candidates(h, cleaned, h.index.keyword)
    queries = np.stack([c.query for c in cs])
    rows = []
    w = fusion.DENSE_WEIGHT
    base = ev.weighted_orders(cs, w)
    rows.append(ev.row("hybrid (app candidates)", h, base))
    dev = np.flatnonzero(h.dev)
    rng = np.random.default_rng(0)
    inner = rng.permutation(dev)
    fit, val = inner[: int(0.75 * len(inner))], inner[int(0.75 * len(inner)) :]
    val_mask = np.zeros(len(cs), bool)
    val_mask[val] = True

    def run(a: np.ndarray) -> list[np.ndarray]:
        qa = adapted(queries, a)
        encode = h.retriever.embedder.encode
        h.retriever.embedder.encode = lambda texts, batch_size=0: qa
        try:
            ca = ev.candidates(h, cleaned, h.index.keyword)
        finally:
            h.retriever.embedder.encode = encode
        return ev.weighted_orders(ca, w)

    is_evidence = np.array(
        [
            h.index.articles[r.article_id].get("url", "").startswith(rtqa.EVIDENCE_URL)
            for r in h.index.passages
        ]
    )

    def evidence_only(orders: list[np.ndarray]) -> np.ndarray:
        """Ranks among evidence paragraphs only (distractor articles removed): a gain that
        vanishes here came from telling the protocol's two sources apart."""
        return h.ranks([o[is_evidence[o]] for o in orders])

    def share_evidence(orders: list[np.ndarray], mask: np.ndarray) -> float:
        return float(np.mean([is_evidence[o[:10]].mean() for o, m in zip(orders, mask, strict=True) if m]))

    if fixed is None:
        best = None
        for decay in (1e-2, 1e-3):
            for steps in (100, 300):
                a = train_adapter(h, cs, fit, decay, steps)
                m = ev.Metrics.of(h.ranks(run(a))[val_mask])
                mb = ev.Metrics.of(h.ranks(base)[val_mask])
                say(
                    f"  adapter decay {decay} steps {steps}: inner-val R@5 {m.r5:.3f} MRR {m.mrr:.3f}"
                    f" (base {mb.r5:.3f} {mb.mrr:.3f})"
                )
                if best is None or m.r5 + m.mrr > best[0]:
                    best = (m.r5 + m.mrr, decay, steps)
        _, decay, steps = best
    else:
        decay, steps = fixed
    a = train_adapter(h, cs, dev, decay, steps)
    adapted_orders = run(a)
    rows.append(ev.row(f"query adapter fitted on dev (decay {decay}, {steps} steps)", h, adapted_orders))
    say(f"  {rows[-1]['config']}: held {rows[-1]['held_out']}")
    for name, orders in (("hybrid", base), ("adapter", adapted_orders)):
        ranks = evidence_only(orders)
        rows.append(
            {
                "config": f"{name}, ranked among evidence paragraphs only",
                "dev": ev.Metrics.of(ranks[h.dev]).__dict__,
                "held_out": ev.Metrics.of(ranks[~h.dev]).__dict__,
                "evidence_share_of_top10_held_out": share_evidence(orders, ~h.dev),
            }
        )
        say(f"  {rows[-1]}")
    early = np.array([q.date < "2022" for q in h.questions])
    a = train_adapter(h, cs, np.flatnonzero(h.dev & early), decay, steps)
    late = ~h.dev & ~early
    orders = run(a)
    mb, ma = (ev.Metrics.of(h.ranks(o)[late]) for o in (base, orders))
    rows.append(
        {
            "config": "time split: adapter fitted on dev 2020-21, held-out 2022",
            "questions": int(late.sum()),
            "hybrid": mb.__dict__,
            "adapter": ma.__dict__,
        }
    )
    say(f"  time split ({int(late.sum())} q): base {mb} adapter {ma}")
    return rows


def hubness_experiment(h: ev.Harness, say) -> list[dict]:
    """The hubness penalty on the app's own candidates (top 100 of each retriever):
    ``hybrid - beta * z(density_k)``, beta and k chosen on dev; also ranked among evidence
    paragraphs only, and timed (the per-query cost is one gather and one add)."""
    cleaned = [query.drop_quiz_phrasing(q.text) for q in h.questions]
    cs = ev.candidates(h, cleaned, h.index.keyword)
    is_evidence = evidence_rows(h)
    t0 = time.perf_counter()
    dens = {k: passage_density(h.vectors, k) for k in (5, 10, 20, 50)}
    say(f"  densities: {time.perf_counter() - t0:.1f} s for 4 values of k")
    zd = {k: (d - d.mean()) / d.std() for k, d in dens.items()}
    w = fusion.DENSE_WEIGHT
    rows = []

    def add(name: str, orders: list[np.ndarray], **extra) -> None:
        r = ev.row(name, h, orders, **extra)
        ranks = h.ranks([o[is_evidence[o]] for o in orders])
        r["evidence_only"] = {
            "dev": ev.Metrics.of(ranks[h.dev]).__dict__,
            "held_out": ev.Metrics.of(ranks[~h.dev]).__dict__,
        }
        rows.append(r)
        d, o, e = r["dev"], r["held_out"], r["evidence_only"]["held_out"]
        say(
            f"  {name[:58]:<58} dev {d['r1']:.3f} {d['r5']:.3f} {d['r10']:.3f} {d['mrr']:.3f}"
            f"  held {o['r1']:.3f} {o['r5']:.3f} {o['r10']:.3f} {o['mrr']:.3f}"
            f"  evidence-only held {e['r5']:.3f} {e['mrr']:.3f}"
        )

    def run(k: int, beta: float, weight: float = w) -> list[np.ndarray]:
        return [
            ev.order_by(c, fusion.weighted(c.z_dense, c.z_keyword, weight) - beta * zd[k][c.ids]) for c in cs
        ]

    add("hybrid (app candidates)", run(10, 0.0))
    grid = [(k, b, ww) for k in zd for b in (0.2, 0.3, 0.4, 0.5, 0.75, 1.0) for ww in (0.8, 0.75, 0.85)]
    best = None
    for k, b, ww in grid:
        m = ev.Metrics.of(h.ranks(run(k, b, ww))[h.dev])
        if best is None or m.r5 + m.mrr > best[0]:
            best = (m.r5 + m.mrr, k, b, ww)
    _, k, b, ww = best
    add(f"hubness penalty, tuned on dev (k {k}, beta {b}, w {ww})", run(k, b, ww), params=[k, b, ww])
    for kk, bb in ((10, 0.3), (10, 0.5), (20, 0.5), (k, b)):
        add(f"  k {kk}, beta {bb}, w 0.8", run(kk, bb))
    # timing of the query-time part, per question
    t0 = time.perf_counter()
    for c in cs:
        fusion.weighted(c.z_dense, c.z_keyword, w) - b * zd[k][c.ids]
    say(f"  query-time cost: {1e6 * (time.perf_counter() - t0) / len(cs):.1f} us a question")
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
