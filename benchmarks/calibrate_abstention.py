"""Calibrate the abstention threshold of ``ask`` on real questions.

``ask`` abstains unless ``max cosine + LEXICAL * coverage >= ABSTAIN_BELOW`` over the
top passages (``app.answer.abstain.answerable``): ``cosine`` between question and passage,
``coverage`` the share of the question's subject terms found in the passages. This
script chooses LEXICAL and the threshold on RealTimeQA, with two kinds of negatives:

* **later news** (the main one: "subjects absent"): the corpus is the evidence of the
  questions up to the median question date; those questions are the positives, and the
  questions after that date, whose evidence is not in the corpus, the negatives;
* **evidence removed** (harder): every question against the full evidence corpus
  (positive) and against it less its own evidence paragraph (negative), so the story's
  other paragraphs may remain.

Questions are split in two by a hash of their id (``benchmarks.common.is_dev``): numbers
are chosen on the "dev" half and reported on the "test" half.

    python -m benchmarks.calibrate_abstention ../shared/data
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from app.answer.abstain import question_terms
from app.index.embedder import get_embedder
from app.text.terms import keyword_terms as tokenize
from benchmarks import rtqa
from benchmarks.common import DATA, RESULTS, is_dev, table, write_result

TOP = 6  # passages read per question, as app.answer.compose.PASSAGES_READ


def signal(cos: np.ndarray, cov: np.ndarray, lexical: float) -> np.ndarray:
    return cos + lexical * cov


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


def best_threshold(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """The cut maximising balanced accuracy (mean of answer rate on positives and
    abstain rate on negatives), and that accuracy."""
    cuts = np.unique(np.round(np.concatenate([pos, neg]), 3))
    best = (0.0, -1.0)
    for cut in cuts:
        acc = ((pos >= cut).mean() + (neg < cut).mean()) / 2
        if acc > best[1]:
            best = (float(cut), float(acc))
    return best


def evaluate(name, pos_cos, pos_cov, neg_cos, neg_cov, pos_dev, neg_dev) -> dict:
    """Grid over LEXICAL; threshold by dev balanced accuracy; rates on the test half."""
    rows = []
    for lexical in np.round(np.arange(0.0, 1.51, 0.1), 2):
        positive, negative = signal(pos_cos, pos_cov, lexical), signal(neg_cos, neg_cov, lexical)
        cut, dev_acc = best_threshold(positive[pos_dev], negative[neg_dev])
        tpr = float((positive[~pos_dev] >= cut).mean())
        tnr = float((negative[~neg_dev] < cut).mean())
        rows.append(
            {
                "negatives": name,
                "lexical": float(lexical),
                "threshold": cut,
                "dev_balanced_accuracy": round(dev_acc, 3),
                "test_answered_when_present": round(tpr, 3),
                "test_abstained_when_absent": round(tnr, 3),
                "test_balanced_accuracy": round((tpr + tnr) / 2, 3),
            }
        )
    return {"grid": rows, "best": max(rows, key=lambda r: r["dev_balanced_accuracy"])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, nargs="?", default=DATA)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    loaded = rtqa.load_questions(args.data)
    ids, questions = [q.question_id for q in loaded], [q.text for q in loaded]
    evidence, dates = [q.evidence for q in loaded], [q.date for q in loaded]
    unique = sorted(set(evidence))
    row = {text: i for i, text in enumerate(unique)}
    embedder = get_embedder()
    passages = embedder.encode(unique, batch_size=64, progress=True)
    queries = embedder.encode(questions, kind="query", batch_size=64, progress=True)
    scores = queries @ passages.T  # (questions, passages) cosines
    q_terms = [question_terms(q) for q in questions]
    p_terms = [set(t) for t in tokenize(unique)]
    dev = np.array([is_dev(q) for q in ids])
    own = np.array([row[e] for e in evidence])

    # later news: corpus = evidence of questions up to the median date
    cutoff = sorted(dates)[len(dates) // 2]
    early = np.array([d <= cutoff for d in dates])
    in_corpus = np.zeros(len(unique), bool)
    in_corpus[own[early]] = True
    early_scores = np.where(in_corpus[None, :], scores, -1.0)
    cos, cov = features(early_scores, q_terms, p_terms)
    later = evaluate("later news", cos[early], cov[early], cos[~early], cov[~early], dev[early], dev[~early])

    # evidence removed
    masked = scores.copy()
    masked[np.arange(len(own)), own] = -1.0
    pos_cos, pos_cov = features(scores, q_terms, p_terms)
    neg_cos, neg_cov = features(masked, q_terms, p_terms)
    removed = evaluate("evidence removed", pos_cos, pos_cov, neg_cos, neg_cov, dev, dev)

    chosen = later["best"]
    check = next(r for r in removed["grid"] if r["lexical"] == chosen["lexical"])
    cut = chosen["threshold"]
    on_removed = {
        "test_answered_when_present": round(
            float((signal(pos_cos, pos_cov, chosen["lexical"])[~dev] >= cut).mean()), 3
        ),
        "test_abstained_when_absent": round(
            float((signal(neg_cos, neg_cov, chosen["lexical"])[~dev] < cut).mean()), 3
        ),
    }
    result = {
        "questions": len(ids),
        "passages": len(unique),
        "date_cutoff": cutoff,
        "chosen": chosen,
        "chosen_on_evidence_removed": on_removed,
        "evidence_removed_best": removed["best"],
        "evidence_removed_at_chosen_lexical": check,
        "later_news_grid": later["grid"],
        "seconds": round(time.perf_counter() - started, 1),
    }
    zero = later["grid"][0]
    print(
        table(
            [
                "negatives",
                "lexical",
                "threshold",
                "test: answered when present",
                "test: abstained when absent",
            ],
            [
                [
                    "later news (chosen)",
                    f"{chosen['lexical']:.1f}",
                    f"{cut:.3f}",
                    f"{chosen['test_answered_when_present']:.3f}",
                    f"{chosen['test_abstained_when_absent']:.3f}",
                ],
                [
                    "evidence removed, same rule",
                    f"{chosen['lexical']:.1f}",
                    f"{cut:.3f}",
                    f"{on_removed['test_answered_when_present']:.3f}",
                    f"{on_removed['test_abstained_when_absent']:.3f}",
                ],
                [
                    "later news, cosine only",
                    "0.0",
                    f"{zero['threshold']:.3f}",
                    f"{zero['test_answered_when_present']:.3f}",
                    f"{zero['test_abstained_when_absent']:.3f}",
                ],
            ],
        )
    )
    write_result("abstention", result, args.out)
    print(f"in {result['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
