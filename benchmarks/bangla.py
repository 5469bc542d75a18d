"""The two Bangla retrieval protocols of ``../shared/data/README.md`` ("bangla/"): their
questions, their corpora as JSONL, and the corpora's indexes.

BanglaQuAD (bn -> bn)
    corpus: the 524 Wikipedia paragraphs of ``BanglaQuADv1.0-test.json`` plus, as
    distractors, every paragraph (at least 40 characters) of every article body in
    ``news_palo_*/**.csv``; query: ``question``; gold: its paragraph; the 2,949
    questions whose answer is non-empty with an offset (64 answers are empty, 5 have
    offset -1). The CSV bodies separate paragraphs differently by source (one line
    break in Prothom Alo and Ittefaq, a blank line in Samakal, mostly none at all in
    Jugantor), so a paragraph is a run of text between line breaks of any kind.
Factoid news (bn -> bn)
    corpus: every passage file of ``alldata.rar`` (extracted with ``bsdtar``, Debian's
    libarchive-tools, into a cache folder); query: column A of ``train.xlsx`` (no
    header; read with openpyxl), gold: the file of column C. Three groups of files hold
    the same text: each text is one record, so gold is the group.

Each paragraph or passage file is one JSONL record (as ``benchmarks.rtqa`` writes
RealTimeQA), written outside the repository; a gold record has a unique
``https://…invalid/`` URL, which is how a hit is known to be gold (records that share a
URL are one article to the readers). The sets have no question ids: the dev/held-out
split (``benchmarks.common.is_dev``) hashes the question's text. Indexes are built with
the project's ``build_index`` and the automatic model (multilingual-e5-small for Bangla),
vectors cached per model (``benchmarks.vectors``). Does not evaluate anything:
``benchmarks.eval_bangla`` and ``benchmarks.eval_models`` do.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import rtqa
from benchmarks.common import DATA

MIN_PARAGRAPH_CHARS = 40  # the protocol's threshold for a distractor paragraph
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
BANGLAQUAD = "banglaquad"
FACTOID = "factoid"
SETS = (BANGLAQUAD, FACTOID)
GOLD_URL = {BANGLAQUAD: "https://banglaquad.invalid/paragraph/", FACTOID: "https://factoid.invalid/passage/"}


@dataclass(frozen=True)
class Question:
    """A question and its gold record. ``question_id`` is the text (the split's key)."""

    question_id: str
    text: str
    evidence_url: str


@dataclass(frozen=True)
class Record:
    """One JSONL record: a paragraph or passage file; ``url`` only on gold records."""

    text: str
    origin: str  # where it comes from: path[#row/paragraph]
    url: str | None = None

    def to_dict(self) -> dict:
        return {"text": self.text, **({"url": self.url} if self.url else {})}


@dataclass(frozen=True)
class BanglaSet:
    name: str
    records: tuple[Record, ...]
    questions: tuple[Question, ...]
    info: dict = field(default_factory=dict)


def gold_url(name: str, text: str) -> str:
    return GOLD_URL[name] + hashlib.sha256(text.encode()).hexdigest()[:16]


def paragraphs(body: str) -> list[str]:
    """The paragraphs of a news CSV body of at least ``MIN_PARAGRAPH_CHARS`` characters."""
    return [p for p in (x.strip() for x in _LINE_BREAKS.split(body or "")) if len(p) >= MIN_PARAGRAPH_CHARS]


def news_bodies(data: Path) -> list[tuple[str, str]]:
    """(origin, body) of every row of every ``news_palo_*`` CSV (a BOM, multi-line quoted
    bodies; the body column is ``Body`` or ``Article Body``)."""
    csv.field_size_limit(1 << 30)
    out = []
    for path in sorted(data.glob("news_palo_*/**/*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for i, row in enumerate(csv.DictReader(handle)):
                out.append(
                    (f"{path.relative_to(data)}#{i}", row.get("Body") or row.get("Article Body") or "")
                )
    return out


def load_banglaquad(data: Path) -> BanglaSet:
    """BanglaQuAD: 524 gold paragraphs, the news paragraphs as distractors, 2,949 questions."""
    raw = json.loads((data / "banglaquad_test" / "BanglaQuADv1.0-test.json").read_text(encoding="utf-8"))
    records: dict[str, Record] = {}
    questions, skipped = [], {"empty_answer": 0, "bad_offset": 0}
    for a, article in enumerate(raw["data"]):
        for p, paragraph in enumerate(article["paragraphs"]):
            text = paragraph["context"].strip()
            url = gold_url(BANGLAQUAD, text)
            records.setdefault(text, Record(text, f"banglaquad#{a}/{p}", url))
            for qa in paragraph["qas"]:
                answers = qa["answers"]
                if not answers or not answers[0]["text"].strip():
                    skipped["empty_answer"] += 1
                elif answers[0]["answer_start"] < 0:
                    skipped["bad_offset"] += 1
                else:
                    question = qa["question"].strip()
                    questions.append(Question(question, question, url))
    gold = len(records)
    duplicates = 0
    for origin, body in news_bodies(data):
        for k, text in enumerate(paragraphs(body)):
            if text in records:
                duplicates += 1
            else:
                records[text] = Record(text, f"{origin}/{k}")
    info = {
        "gold_paragraphs": gold,
        "distractor_paragraphs": len(records) - gold,
        "duplicate_paragraphs_dropped": duplicates,
        "questions": len(questions),
        "questions_skipped": skipped,
    }
    return BanglaSet(BANGLAQUAD, tuple(records.values()), tuple(questions), info)


def extract_factoid(data: Path, dest: Path) -> Path:
    """``alldata.rar`` extracted into ``dest`` (once) with ``bsdtar``; returns ``dest``."""
    if dest.is_dir() and any(dest.glob("*.txt")):
        return dest
    if shutil.which("bsdtar") is None:
        raise SystemExit("bsdtar is missing: apt-get install libarchive-tools (the Makefile's eval does)")
    dest.mkdir(parents=True, exist_ok=True)
    rar = data / "bn_factoid_qa_news" / "AllData" / "alldata.rar"
    subprocess.run(["bsdtar", "-xf", str(rar), "-C", str(dest)], check=True)
    return dest


def load_factoid(data: Path, passages: Path) -> BanglaSet:
    """Factoid news: the passage files in ``passages`` (``extract_factoid``), column A of
    ``train.xlsx`` as questions, column C as gold (a file name, ".txt" optional)."""
    try:
        import openpyxl
    except ImportError:
        raise SystemExit("reading train.xlsx needs openpyxl: pip install openpyxl") from None
    url_of: dict[str, str] = {}  # file name -> its text's URL
    records: dict[str, Record] = {}
    for path in sorted(passages.glob("*.txt")):
        text = path.read_text(encoding="utf-8").strip()
        url = gold_url(FACTOID, text)
        records.setdefault(text, Record(text, f"alldata/{path.name}", url))
        url_of[path.name] = url
    workbook = openpyxl.load_workbook(
        data / "bn_factoid_qa_news" / "TrainDataset" / "train.xlsx", read_only=True
    )
    questions, missing = [], 0
    for row in workbook.active.iter_rows(values_only=True):
        name = str(row[2]).strip() if len(row) > 2 and row[2] is not None else ""
        url = url_of.get(name) or url_of.get(name + ".txt")
        if row[0] is None or url is None:
            missing += 1
            continue
        question = str(row[0]).strip()  # one question is the number 6
        questions.append(Question(question, question, url))
    workbook.close()
    info = {
        "passage_files": len(url_of),
        "unique_texts": len(records),
        "questions": len(questions),
        "rows_without_question_or_file": missing,
        "gold_texts": len({q.evidence_url for q in questions}),
    }
    return BanglaSet(FACTOID, tuple(records.values()), tuple(questions), info)


def load(name: str, data: Path, work: Path) -> BanglaSet:
    """One set by name (``SETS``); ``data`` is the shared ``bangla/`` folder."""
    if name == BANGLAQUAD:
        return load_banglaquad(data)
    if name == FACTOID:
        return load_factoid(data, extract_factoid(data, work / "alldata"))
    raise ValueError(f"Unknown set {name!r}. Supported sets are: {list(SETS)}")


def write_corpus(bangla_set: BanglaSet, out: Path) -> int:
    """Write the set's records to ``out`` as JSONL (only when the content changed, so an
    index build sees an unchanged file); returns the record count."""
    text = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in bangla_set.records)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return len(bangla_set.records)


def ensure_index(bangla_set: BanglaSet, work: Path, *, rebuild: bool = False) -> Path:
    """The set's corpus written to ``work/<set>/corpus/`` and indexed in
    ``work/<set>/index`` with the automatic model (vectors cached per model in
    ``work/<set>/``); returns the index folder."""
    folder = work / bangla_set.name
    write_corpus(bangla_set, folder / "corpus" / f"{bangla_set.name}.jsonl")
    index_dir = folder / "index"
    rtqa.ensure_index(folder / "corpus", index_dir, rebuild=rebuild)
    return index_dir


def add_arguments(parser) -> None:
    """The arguments of the Bangla benchmarks: the ``bangla/`` data folder and a work folder."""
    parser.add_argument("data", nargs="?", default=str(DATA / "bangla"))
    parser.add_argument("--work", default=str(Path.home() / ".cache" / "newsdesk-eval" / "bangla"))
    parser.add_argument(
        "--rebuild", action="store_true", help="write the indexes anew (vectors from the cache)"
    )
