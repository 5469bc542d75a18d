"""Put a model's cosines on MiniLM's scale for the answer composer, and check the answers.

The composer (``app.answer.compose``) scores a sentence by cosines plus fixed bonuses and
keeps those within ``RELATIVE_KEEP`` of the best: weights set on all-MiniLM-L6-v2, whose
question-passage cosines spread over 0-0.8. multilingual-e5-small's crowd in 0.7-0.9, so
on its raw cosines "85% of the best" keeps nearly every sentence. ``ModelSpec.on_minilm_scale``
maps them with ``(cos - floor) * stretch``; this script fits floor and stretch on
RealTimeQA's dev half (the mean cosine of a question to its evidence passage and to
2,000 random passages, matched to MiniLM's), then runs ``app.ask`` on held-out questions
with choices over each model's index: how often the right choice is in the answer, how
often it abstains, and how many sentences an answer quotes, with mE5 raw and mapped.

    python -m benchmarks.calibrate_cosines ../shared/data [--work DIR] [--sample 300]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

import numpy as np

from app.index.models import MINILM, MULTILINGUAL, spec_of
from app.search.retriever import get_retriever
from benchmarks import rtqa
from benchmarks.common import DATA, headline, machine, say, table, write_result
from benchmarks.eval_retrieval import ask_accuracy
from benchmarks.harness import Harness

MODELS = {"minilm": MINILM, "me5": MULTILINGUAL}
RANDOM_PASSAGES = 2000
DEV_QUESTIONS = 600


def cosine_means(h: Harness, rng: np.random.Generator) -> dict:
    """Mean cosine of dev questions to their evidence passage and to random passages."""
    picked = [i for i, q in enumerate(h.questions) if h.dev[i] and h.gold[i]][:DEV_QUESTIONS]
    q = h.retriever.embedder.encode([h.questions[i].text for i in picked], kind="query")
    gold = np.array([max(float(h.vectors[g] @ q[j]) for g in h.gold[i]) for j, i in enumerate(picked)])
    rows = rng.choice(np.flatnonzero(h.live), RANDOM_PASSAGES, replace=False)
    random = q @ np.asarray(h.vectors[np.sort(rows)], dtype=np.float32).T
    return {
        "evidence": float(gold.mean()),
        "evidence_sd": float(gold.std()),
        "random": float(random.mean()),
        "random_sd": float(random.std()),
        "questions": len(picked),
    }


def fit(minilm: dict, other: dict) -> tuple[float, float]:
    """(floor, stretch) that land ``other``'s two means on MiniLM's."""
    stretch = (minilm["evidence"] - minilm["random"]) / (other["evidence"] - other["random"])
    return other["random"] - minilm["random"] / stretch, stretch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DATA)
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "newsdesk-eval")
    parser.add_argument("--sample", type=int, default=300, help="held-out questions asked per row")
    args = parser.parse_args(argv)
    rtqa.write_corpus(args.data, args.work / "corpus" / "rtqa.jsonl")
    questions = rtqa.load_questions(args.data)
    rng = np.random.default_rng(0)
    harnesses, folders, means = {}, {}, {}
    for short, model in MODELS.items():
        folders[short] = rtqa.index_folder(args.work, model)
        rtqa.ensure_index(args.work / "corpus", folders[short], rebuild=False, model=model)
        harnesses[short] = Harness(folders[short], questions)
        means[short] = cosine_means(harnesses[short], rng)
        say(f"{short}: {means[short]}")
    floor, stretch = fit(means["minilm"], means["me5"])
    shipped = spec_of(MULTILINGUAL)
    rows = [
        ("MiniLM", "minilm", None),
        ("mE5, raw cosines", "me5", dataclasses.replace(shipped, cosine_floor=0.0, cosine_stretch=1.0)),
        (f"mE5, shipped map (floor {shipped.cosine_floor}, stretch {shipped.cosine_stretch})", "me5", None),
    ]
    results = []
    for label, short, spec in rows:
        embedder = get_retriever(folders[short]).embedder  # the one app.ask uses
        before = embedder.spec
        if spec is not None:
            embedder.spec = spec
        try:
            results.append(
                {"configuration": label, **ask_accuracy(harnesses[short], folders[short], args.sample)}
            )
        finally:
            embedder.spec = before
        say(f"  {results[-1]}")
    info = machine()
    print(f"\n{headline(info)}, load {os.getloadavg()[0]:.1f}")
    print(
        table(
            ["model", "mean cosine to evidence / random (dev)"],
            [[s, f"{m['evidence']:.3f} / {m['random']:.3f}"] for s, m in means.items()],
        )
    )
    print(
        f"\nfitted for mE5: floor {floor:.3f}, stretch {stretch:.2f} "
        f"(spread ratio: random {means['minilm']['random_sd'] / means['me5']['random_sd']:.2f}, "
        f"evidence {means['minilm']['evidence_sd'] / means['me5']['evidence_sd']:.2f})\n"
    )
    print(
        table(
            ["app.ask, held-out", "choice in answer", "abstained", "sentences an answer", "characters"],
            [
                [
                    r["configuration"],
                    f"{r['choice_in_answer']:.3f}",
                    f"{r['abstained']:.3f}",
                    f"{r['sentences']:.2f}",
                    f"{r['characters']:.0f}",
                ]
                for r in results
            ],
        )
    )
    write_result(
        "calibrate_cosines",
        {"machine": info, "means": means, "fit": {"floor": floor, "stretch": stretch}, "answers": results},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
