"""Precision and recall of quote attribution on hand-annotated real articles, English
and Bangla.

The gold sets, ``tests/fixtures/quotes_gold.jsonl`` (English: BBC and CNN) and
``tests/fixtures/quotes_gold_bn.jsonl`` (Bangla: Prothom Alo, Ittefaq, Jugantor, Samakal),
hold only paths, character offsets and speaker names (the article texts are the
publishers' and stay in ../shared/data). Each gold row is a quoted span (for Bangla
also a statement reported without marks, ``X বলেন, ...``) and its speaker;
``app.news.quotes.find_quotes`` runs on the raw text the offsets refer to. A found quote
matches a gold quote when their spans overlap by at least half of the gold span; it is
correct when the resolved names agree (English: case and punctuation ignored; a name
that is the other's surname-complete form counts: "Blair" ~ "Tony Blair" is *not*
accepted, the extractor must resolve it; Bangla: NFC, joiners, punctuation and the
honorifics ``BANGLA_HONORIFICS`` ignored). The Bangla table adds each kind (quoted,
unquoted) and span precision: its gold lists every attributed statement of its
articles, so a found one that matches none is a false positive.

    python -m benchmarks.eval_quotes ../shared/data
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from app.news.quotes import find_quotes
from app.text.words import nfc
from benchmarks.common import DATA, RESULTS, table, write_result

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
GOLD = FIXTURES / "quotes_gold.jsonl"
GOLD_BN = FIXTURES / "quotes_gold_bn.jsonl"
KINDS = ("quoted", "unquoted")
# Honorifics the Bangla gold leaves out of a name (and the rules may keep).
BANGLA_HONORIFICS = frozenset(nfc(w) for w in "হাজী আলহাজ ডা ড জেনারেল অধ্যাপক মো".split())
_OPENING_MARKS = "‘“\"'"


def load(gold: Path) -> list[dict]:
    return [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]


def _text(data: Path, row: dict) -> str:
    """The raw text a gold row's offsets refer to."""
    path = data / row["path"]
    if path.suffix == ".txt":  # BBC
        return path.read_text(encoding="utf-8")
    if path.suffix == ".json":  # Prothom Alo (CLIR)
        return json.loads(path.read_text(encoding="utf-8"))["body"]
    if path.suffix == ".csv":  # the Bangla news exports: one record a row
        csv.field_size_limit(sys.maxsize)
        with path.open(encoding="utf-8-sig", newline="") as f:
            for i, record in enumerate(csv.DictReader(f)):
                if i == row["record"]:
                    return record.get("Body") or record.get("Article Body") or ""
        raise KeyError(f"record {row['record']} not in {path}")
    for line in path.read_text(encoding="utf-8").splitlines():  # RealTimeQA
        for result in json.loads(line).get("search_result") or []:
            if result.get("url") == row["url"]:
                return result["text"]
    raise KeyError(f"{row['url']} not in {path}")


def _norm(name: str) -> str:
    if re.search("[\u0980-\u09ff]", name):
        words = re.split(r"\s+", nfc(name).replace("\u200c", "").replace("\u200d", ""))
        words = [w.strip(".,।-–") for w in words]
        return " ".join(w for w in words if w and w not in BANGLA_HONORIFICS)
    return " ".join(re.findall(r"[a-z0-9]+", name.lower()))


def _article(row: dict) -> tuple[str, str, int]:
    """An article's key: its path, and its URL (RealTimeQA) or record number (CSV)."""
    return row["path"], row.get("url") or "", -1 if row.get("record") is None else row["record"]


def kind_of(text: str, start: int) -> str:
    """ "quoted" if the span opens after a quotation mark, else "unquoted" (a statement
    after ``X বলেন,``)."""
    return "quoted" if text[:start].rstrip()[-1:] in _OPENING_MARKS else "unquoted"


def split(rows: list[dict]) -> dict[str, list[dict]]:
    """Articles in path order, alternately "dev" (the rules were developed looking at
    these) and "held_out" (never looked at): the held-out numbers are the honest ones."""
    articles = sorted({_article(r) for r in rows})
    dev = set(articles[::2])
    return {
        "dev": [r for r in rows if _article(r) in dev],
        "held_out": [r for r in rows if _article(r) not in dev],
        "all": rows,
    }


def _matches(found, gold: dict) -> bool:
    """A found quote matches a gold one when they overlap by half the gold span."""
    return min(found.end, gold["end"]) - max(found.start, gold["start"]) >= (gold["end"] - gold["start"]) / 2


def evaluate(data: Path, rows: list[dict], kind: str | None = None) -> dict:
    """Attribution precision and recall of ``find_quotes`` on the gold ``rows`` (only
    those of one ``kind``, and the found quotes of that kind, if given)."""
    by_article: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        by_article[_article(row)].append(row)
    found_spans = correct = predicted = predicted_matching = 0
    misses: list[dict] = []
    for rows_here in by_article.values():
        text = _text(data, rows_here[0])
        predicted_here = find_quotes(text)
        golds = rows_here
        if kind is not None:
            predicted_here = [q for q in predicted_here if kind_of(text, q.start) == kind]
            golds = [r for r in rows_here if r["kind"] == kind]
        predicted += len(predicted_here)
        predicted_matching += sum(any(_matches(q, r) for r in rows_here) for q in predicted_here)
        for gold in golds:
            span = gold["end"] - gold["start"]
            best = max(
                predicted_here,
                default=None,
                key=lambda q: min(q.end, gold["end"]) - max(q.start, gold["start"]),
            )
            overlap = min(best.end, gold["end"]) - max(best.start, gold["start"]) if best else 0
            if best is None or overlap < span / 2:
                misses.append(
                    {
                        "gold": gold["speaker"],
                        "found": None,
                        "quote": text[gold["start"] : gold["start"] + 50],
                    }
                )
                continue
            found_spans += 1
            if _norm(best.name) == _norm(gold["speaker"]):
                correct += 1
            else:
                misses.append(
                    {
                        "gold": gold["speaker"],
                        "found": best.name,
                        "as_written": best.speaker,
                        "quote": text[gold["start"] : gold["start"] + 50],
                    }
                )
    total = sum(1 for r in rows if kind is None or r["kind"] == kind)
    return {
        "gold_pairs": total,
        "articles": len(by_article),
        "quotes_found": found_spans,
        "precision": round(correct / found_spans, 3) if found_spans else 0.0,
        "recall": round(correct / total, 3) if total else 0.0,
        "quote_recall": round(found_spans / total, 3) if total else 0.0,
        "span_precision": round(predicted_matching / predicted, 3) if predicted else 0.0,
        "misses": misses,
    }


def evaluate_bangla(data: Path, rows: list[dict]) -> dict[str, dict[str, dict]]:
    """Per half (dev, held-out, all), per kind (quoted, unquoted, both)."""
    return {
        half: {kind or "both": evaluate(data, part, kind) for kind in (*KINDS, None)}
        for half, part in split(rows).items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, nargs="?", default=DATA)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--misses", action="store_true", help="list the held-out pairs it gets wrong")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    parts = {name: evaluate(args.data, part) for name, part in split(load(GOLD)).items()}
    bangla = evaluate_bangla(args.data, load(GOLD_BN)) if (args.data / "bangla").is_dir() else {}
    result = {"seconds": round(time.perf_counter() - started, 2), **parts, "bangla": bangla}
    print(
        table(
            ["articles", "gold pairs", "quotes found", "attribution precision", "attribution recall"],
            [
                [
                    f"{name}: {part['articles']}",
                    part["gold_pairs"],
                    part["quotes_found"],
                    f"{part['precision']:.3f}",
                    f"{part['recall']:.3f}",
                ]
                for name, part in parts.items()
            ],
        )
    )
    for miss in parts["held_out"]["misses"] if args.misses else ():
        print(f"  miss: gold {miss['gold']!r}, found {miss.get('found')!r}: {miss['quote']!r}")
    if bangla:
        print("\nBangla")
        print(
            table(
                [
                    "articles",
                    "kind",
                    "gold pairs",
                    "quotes found",
                    "span precision",
                    "attribution precision",
                    "attribution recall",
                ],  # fmt: skip
                [
                    [
                        f"{half}: {part['articles']}",
                        kind,
                        part["gold_pairs"],
                        part["quotes_found"],
                        f"{part['span_precision']:.3f}",
                        f"{part['precision']:.3f}",
                        f"{part['recall']:.3f}",
                    ]
                    for half, kinds in bangla.items()
                    for kind, part in kinds.items()
                ],
            )
        )
        for miss in bangla["held_out"]["both"]["misses"] if args.misses else ():
            print(f"  miss: gold {miss['gold']!r}, found {miss.get('found')!r}: {miss['quote']!r}")
    write_result("quotes", result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
