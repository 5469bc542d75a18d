"""Calibrate the abstention rule of ``ask``, per model family, on real questions.

``ask`` abstains unless ``max cosine + lexical * coverage >= threshold`` over the top
passages (``app.answer.abstain``): ``cosine`` between question and passage, ``coverage``
the share of the question's subject terms found in the passages. Cosines live on a
model's own scale (MiniLM's spread over 0.2-0.8, multilingual-e5's crowd in 0.7-0.9), so
each family gets its own pair. For each model, ``lexical`` (0-1.5) and the threshold are
chosen by balanced accuracy (mean of "answered when the answer is there" and "abstained
when it is not") on the dev half of the chosen sets, and reported on the test half of
every set (``benchmarks.abstention_sets``):

* RealTimeQA, later news (English; the subjects are absent: the main protocol);
* RealTimeQA, evidence removed (harder: the story's other paragraphs may remain);
* BanglaQuAD, article absent (Bangla; the Wikipedia article is out of the corpus).

A question's language is known when it is asked, and cosines run higher between Bangla
texts than between English ones, so each family gets a rule per language: English
chosen on RealTimeQA's later news, Bangla on BanglaQuAD (each on its dev half; the
table gives every rule on every set's test half). "cosine only" is the best rule with
``lexical`` 0, for comparison.

    python -m benchmarks.calibrate_abstention ../shared/data [--work DIR] [--models minilm,me5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from app.index.models import MINILM, MULTILINGUAL
from benchmarks import abstention_sets as sets
from benchmarks.common import DATA, RESULTS, table, write_result

MODELS = {"minilm": MINILM, "me5": MULTILINGUAL}
LEXICAL = np.round(np.arange(0.0, 1.51, 0.1), 2)


def cut_accuracy(f: sets.Features, lexical: float, cut: float, half: np.ndarray) -> tuple[float, float]:
    """(answered when present, abstained when absent) of the rule on the questions of ``half``."""
    signal = f.cos + lexical * f.cov
    pos, neg = f.positive & half, ~f.positive & half
    return float((signal[pos] >= cut).mean()), float((signal[neg] < cut).mean())


def choose(chosen_on: list[sets.Features], lexicals: np.ndarray = LEXICAL) -> dict:
    """The (lexical, threshold) with the best mean dev balanced accuracy over the sets
    (``lexicals=[0]``: the best rule on cosine alone, for comparison)."""
    best = None
    for lexical in lexicals:
        cuts = np.unique(np.round(np.concatenate([f.cos + lexical * f.cov for f in chosen_on]), 3))
        for cut in cuts[:: max(1, len(cuts) // 2000)]:
            accs = [np.mean(cut_accuracy(f, lexical, cut, f.dev)) for f in chosen_on]
            score = float(np.mean(accs))
            if best is None or score > best["dev_balanced_accuracy"]:
                best = {"lexical": float(lexical), "threshold": float(cut), "dev_balanced_accuracy": score}
    return best


def report(model: str, rule: dict, every: list[sets.Features]) -> list[dict]:
    rows = []
    for f in every:
        tpr, tnr = cut_accuracy(f, rule["lexical"], rule["threshold"], ~f.dev)
        rows.append(
            {
                "model": model,
                "set": f.name,
                "lexical": rule["lexical"],
                "threshold": round(rule["threshold"], 3),
                "test_answered_when_present": round(tpr, 3),
                "test_abstained_when_absent": round(tnr, 3),
                "test_balanced_accuracy": round((tpr + tnr) / 2, 3),
                "test_questions": int((~f.dev).sum()),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, nargs="?", default=DATA)
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "newsdesk-eval")
    parser.add_argument("--models", default="minilm,me5", help="comma-separated: " + ",".join(MODELS))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result, lines = {"models": {}}, []
    for short in args.models.split(","):
        model = MODELS[short]
        later = sets.rtqa_later_news(args.data, args.work, model)
        removed = sets.rtqa_evidence_removed(args.data, args.work, model)
        bq = sets.banglaquad_articles_absent(args.data / "bangla", args.work / "bangla", model)
        every = [later, removed, bq]
        rules = {
            "en": choose([later]),
            "bn": choose([bq]),
            "en, cosine only": choose([later], np.array([0.0])),
            "bn, cosine only": choose([bq], np.array([0.0])),
        }
        rows = {name: report(short, rule, every) for name, rule in rules.items()}
        result["models"][short] = {"model": model, "rules": rules, "rows": rows}
        for name, rs in rows.items():
            for r in rs:
                lines.append(
                    [short, name, r["set"], f"{r['lexical']:.1f}", f"{r['threshold']:.3f}",
                     f"{r['test_answered_when_present']:.3f}", f"{r['test_abstained_when_absent']:.3f}"]
                )  # fmt: skip
    print(
        table(
            [
                "model",
                "rule",
                "negatives",
                "lexical",
                "threshold",
                "test: answered when present",
                "test: abstained when absent",
            ],
            lines,
        )  # fmt: skip
    )
    result["seconds"] = round(time.perf_counter() - started, 1)
    write_result("abstention", result, args.out)
    print(f"in {result['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
