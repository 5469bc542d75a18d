"""RealTimeQA data for the retrieval benchmarks: questions, and the protocol's corpus as JSONL.

Implements the corpus of ``../shared/data/README.md`` ("The retrieval protocol"): every
unique evidence paragraph (HTML tags stripped) plus every paragraph (split on blank
lines, at least 40 characters) of the articles in ``realtimeqa/articles/``. Each
paragraph becomes its own JSONL record, so the project's splitter makes one article per
paragraph and a hit is gold when its article is the question's evidence record. The
JSONL is written outside the repository (the texts are the publishers' copyright).
Builds the protocol's index with the project's own ``build_index`` (vectors cached by
text, per model: ``benchmarks.vectors``); does not search it: ``benchmarks.harness``, ``eval_retrieval`` and
``bench_latency`` do.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from benchmarks import vectors
from benchmarks.common import DATA, RESULTS

MIN_DISTRACTOR_CHARS = 40  # the protocol's threshold for an article paragraph
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n\s*\n")
# URL prefix of evidence records: identifies gold. A real-looking link (the readers drop a
# "url" that is not one), unique per paragraph (records with one URL are one article).
EVIDENCE_URL = "https://rtqa.invalid/evidence/"


@dataclass(frozen=True)
class Question:
    question_id: str
    date: str
    text: str
    choices: tuple[str, ...]
    answer: int | None
    evidence: str  # the evidence paragraph, HTML tags stripped
    evidence_url: str


def clean(text: str) -> str:
    """Strip HTML tags and fold whitespace (what the project's JSONL reader folds too)."""
    return _SPACES.sub(" ", _TAG.sub("", text)).strip()


def evidence_url(paragraph: str) -> str:
    return EVIDENCE_URL + hashlib.sha256(paragraph.encode()).hexdigest()[:16]


def load_questions(data: Path) -> list[Question]:
    """The questions that have an evidence paragraph, in file order."""
    questions = []
    for path in sorted((data / "realtimeqa" / "questions").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            q = json.loads(line)
            evidence = clean(q.get("evidence") or "")
            if not evidence:
                continue
            answer = q.get("answer") or []
            questions.append(
                Question(
                    question_id=q["question_id"],
                    date=q.get("question_date", ""),
                    text=q["question_sentence"],
                    choices=tuple(q.get("choices") or ()),
                    answer=int(answer[0]) if answer and str(answer[0]).isdigit() else None,
                    evidence=evidence,
                    evidence_url=evidence_url(evidence),
                )
            )
    return questions


def write_corpus(data: Path, out: Path) -> int:
    """Write the protocol's corpus to ``out`` (one paragraph a JSONL record); return its size.

    Rewritten only when the content changes, so the index build sees unchanged files.
    """
    records: dict[str, dict] = {}
    for path in sorted((data / "realtimeqa" / "questions").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                evidence = clean(json.loads(line).get("evidence") or "")
                if evidence and evidence not in records:
                    records[evidence] = {"text": evidence, "url": evidence_url(evidence)}
    for path in sorted((data / "realtimeqa" / "articles").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            for result in json.loads(line).get("search_result") or []:
                for block in _BLANK_LINE.split(result.get("text") or ""):
                    paragraph = clean(block)
                    if len(paragraph) >= MIN_DISTRACTOR_CHARS and paragraph not in records:
                        # no URL: the paragraphs of one article share it, and records with one
                        # URL are one article to the readers (kept once)
                        records[paragraph] = {"title": clean(result.get("title") or ""), "text": paragraph}
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records.values())
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return len(records)


def index_folder(work: Path, model: str | None = None) -> Path:
    """Where the protocol's index of ``model`` (None: the automatic model for English)
    lives under ``work``: ``index-<recipe>`` for all-MiniLM-L6-v2 (the name from before
    there were two models), ``index-<recipe>-<model>`` for any other."""
    from app.index.build import EMBED_RECIPE
    from app.index.models import MINILM, choose_model, model_name

    if (model_name(model) if model else choose_model({"en": 1})) == MINILM:
        return work / f"index-{EMBED_RECIPE}"
    return work / f"index-{EMBED_RECIPE}-{vectors.cache_path(work, model).stem.removeprefix('vectors-')}"


def ensure_index(corpus: Path, index_dir: Path, *, rebuild: bool, model: str | None = None) -> int:
    """Build the index of ``corpus`` in ``index_dir`` when it is missing, unreadable by
    this code, out of date (``index_status``: the corpus, the model or the article
    readers changed), or ``rebuild``; return its passage count. ``model``: as
    ``build_index`` takes it (None: chosen by the articles' languages).

    Vectors are cached by passage text, one file per model beside the index
    (``benchmarks.vectors``), so a rebuild after a change to the article readers or the
    index format (new passage ids, same texts) embeds only texts never seen, not all
    ~44k passages again.
    """
    from app.index import build
    from app.index.errors import IndexUnavailable
    from app.index.store import StoredIndex

    if not rebuild:
        try:
            if build.index_status(corpus, index_dir, model=model) is None:
                return int(StoredIndex(index_dir).count)
        except IndexUnavailable:
            pass
    elif (index_dir / "manifest.json").exists():
        # build_index is a no-op on a current index: without its manifest it writes a new
        # generation (vectors still come from the cache below, by passage text)
        (index_dir / "manifest.json").unlink()
    return build_cached(corpus, index_dir, model=model).passages


def build_cached(corpus: Path, index_dir: Path, cache: Path | None = None, **kwargs):
    """``build_index(corpus, index_dir, **kwargs)`` with the vector caches in ``cache``
    (default: beside the index) in front of the embedder (``benchmarks.vectors``);
    returns its report."""
    from app.index import build

    caches: dict[str, vectors.VectorCache] = {}
    real = build.get_embedder

    def embedder(name: str) -> vectors.CachedEmbedder:
        embedder = real(name)
        if name not in caches:  # one cache file per model and precision (int8 vectors are not fp32's)
            caches[name] = vectors.VectorCache.open(cache or index_dir.parent, name, embedder.precision)
            caches[name].add_index_folder(index_dir)
        return vectors.CachedEmbedder(caches[name], embedder)

    build.get_embedder = embedder
    try:
        report = build.build_index(corpus, index_dir, progress=True, **kwargs)
    finally:
        build.get_embedder = real
    for cache in caches.values():
        cache.add_index_folder(index_dir)
        cache.save()
    return report


def add_arguments(parser) -> None:
    """The arguments every RealTimeQA benchmark takes: data, work folder, results, rebuild."""
    parser.add_argument("data", nargs="?", default=str(DATA))
    parser.add_argument("--work", default=str(Path.home() / ".cache" / "newsdesk-eval"))
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="write the index anew with the current code (vectors come from the cache by text)",
    )
