"""Load test: many users at once against a real `newsdesk serve`, loopback only.

Copies the index and its articles folder (the project's unless ``--index``/``--seeds``)
to a temporary folder, serves them on a free 127.0.0.1 port, then runs ``--clients``
users in threads, each asking ``--questions`` questions one after another through one
API: the page's ``/chat`` endpoint (gradio_client) or the REST ``POST /api/ask`` (plain
HTTP). Halfway through each run one more user adds articles with the page's "Add
articles" endpoint, which rebuilds the index while the others keep asking: every
answer during and after the build must still come back. Bounded in count and in time
(every request has a timeout, the whole run a deadline); it stops by itself. Reports
throughput, latency percentiles, errors and the build's time as a table and JSON.

    python -m benchmarks.load                        # /chat, then /api/ask: 20 x 10 each
    python -m benchmarks.load --api rest --no-upload
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from benchmarks.common import PROJECT, RESULTS, headline, machine, served, table, write_result

APIS = ("chat", "rest")
# What the mid-run upload adds: ten short real-looking articles (the test fixtures).
UPLOAD = sorted((PROJECT / "tests" / "fixtures" / "articles").iterdir()) + [
    PROJECT / "tests" / "fixtures" / "timeline" / "iraq-troops.jsonl"
]

QUESTIONS = [
    "what did Khamenei say about US troops",
    "how many US troops are in Iraq?",
    "who is the Iraqi president?",
    "what did Rashid say?",
    "is the United States a reliable friend of Iraq?",
    "why does Iran oppose the US military presence?",
    "what are US security agencies investigating?",
    "when did Islamic State seize territory in Iraq?",
    "what did state media quote Khamenei as saying?",
    "where did Khamenei meet Rashid?",
    "who reported the story?",
    "what is the price of bitcoin?",
    "who won the football world cup?",
    "what did Khamenei say about European friends?",
    "what does Iraq want from its relations with Iran?",
]


def asker(api: str, url: str, timeout: float):
    """A function that asks one question through ``api`` and returns the answer's text."""
    if api == "chat":
        from gradio_client import Client

        client = Client(url, verbose=False)

        def chat(question: str) -> str:
            markdown, _ = client.submit(question, api_name="/chat").result(timeout=timeout)
            return markdown

        return chat

    def rest(question: str) -> str:
        request = urllib.request.Request(
            url + "api/ask",
            data=json.dumps({"question": question}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())["answer"]

    return rest


def add_articles(url: str, timeout: float) -> dict:
    """Upload ``UPLOAD`` through the page's endpoint; the build's seconds and report."""
    from gradio_client import Client, handle_file

    started = time.perf_counter()
    client = Client(url, verbose=False)
    report = client.predict([handle_file(str(p)) for p in UPLOAD], "", api_name="/add_articles")
    seconds = time.perf_counter() - started
    if "Index updated" not in report:
        raise RuntimeError(f"the upload did not build: {report[-300:]}")
    (updated,) = [line for line in report.splitlines() if "Index updated" in line]
    return {"files": len(UPLOAD), "seconds": round(seconds, 2), "report": updated.replace("**", "")}


def run(
    api: str,
    clients_n: int,
    questions: int,
    *,
    folders: tuple[Path, Path],
    upload: bool,
    timeout: float,
    deadline: float,
) -> dict:
    latencies: list[float] = []
    finished: list[float] = []  # when each answer came back, from the start
    errors: list[str] = []
    build: dict = {}
    lock = threading.Lock()
    halfway = threading.Event()
    total = clients_n * questions
    stop_at = time.monotonic() + deadline

    def user(n: int) -> None:
        ask = askers[n]
        for i in range(questions):
            if time.monotonic() > stop_at:
                with lock:
                    errors.append("deadline: not asked")
                continue
            question = QUESTIONS[(n + i) % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                if not ask(question):
                    raise ValueError("empty answer")
                with lock:
                    latencies.append(time.perf_counter() - started)
                    finished.append(time.perf_counter() - begun)
            except (Exception, TimeoutError) as err:  # every failure is counted, none hidden
                with lock:
                    errors.append(f"{type(err).__name__}: {err}")
            with lock:
                if len(latencies) + len(errors) >= total // 2:
                    halfway.set()

    def uploader(url: str) -> None:
        halfway.wait(timeout=deadline)
        try:
            build["from_s"] = round(time.perf_counter() - begun, 2)
            build.update(add_articles(url, timeout=deadline))
            build["until_s"] = round(time.perf_counter() - begun, 2)
        except Exception as err:  # counted with the others
            with lock:
                errors.append(f"upload: {type(err).__name__}: {err}")

    index, seeds = folders
    with served("--index", str(index), "--seeds", str(seeds)) as url:
        asker(api, url, timeout)(QUESTIONS[0])  # load the model and the index first
        # every user connects first (a gradio client fetches the app's config), then all ask
        with ThreadPoolExecutor(max_workers=clients_n) as pool:
            askers = list(pool.map(lambda _: asker(api, url, timeout), range(clients_n)))
        side = threading.Thread(target=uploader, args=(url,)) if upload else None
        begun = time.perf_counter()
        if side:
            side.start()
        with ThreadPoolExecutor(max_workers=clients_n) as pool:
            list(pool.map(user, range(clients_n)))
        if side:
            side.join()
        wall = time.perf_counter() - begun
    if build.get("until_s"):  # the answers that came back while the upload was being built
        build["answers_meanwhile"] = sum(build["from_s"] <= t <= build["until_s"] for t in finished)
    lat = np.array(latencies) * 1000
    return {
        "api": "/chat (gradio_client)" if api == "chat" else "POST /api/ask",
        "clients": clients_n,
        "questions_per_client": questions,
        "requests": total,
        "answered": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "upload_build": build or None,
        "seconds": round(wall, 2),
        "throughput_per_s": round(len(latencies) / wall, 2) if wall else 0.0,
        "p50_ms": round(float(np.percentile(lat, 50)), 1) if len(lat) else None,
        "p95_ms": round(float(np.percentile(lat, 95)), 1) if len(lat) else None,
        "max_ms": round(float(lat.max()), 1) if len(lat) else None,
    }


def copied(index: Path, seeds: Path, into: Path) -> tuple[Path, Path]:
    """The index and articles folder, copied: the upload never writes the originals."""
    shutil.copytree(index, into / "embeddings", ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(seeds, into / "seeds")
    return into / "embeddings", into / "seeds"


def main(argv: list[str] | None = None) -> int:
    from app.index.locations import default_index_dir, default_seeds_dir

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--api", choices=APIS, action="append", help="chat, rest (default: both, in turn)")
    parser.add_argument("--no-upload", dest="upload", action="store_false", help="no build mid-run")
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: the project's)")
    parser.add_argument("--seeds", type=Path, default=None, help="its articles (default: the project's)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds for each run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    runs = []
    for api in args.api or APIS:
        with tempfile.TemporaryDirectory(prefix="newsdesk-load-") as tmp:
            folders = copied(args.index or default_index_dir(), args.seeds or default_seeds_dir(), Path(tmp))
            runs.append(
                run(
                    api,
                    args.clients,
                    args.questions,
                    folders=folders,
                    upload=args.upload,
                    timeout=args.timeout,
                    deadline=args.deadline,
                )
            )
    result = {"runs": runs, "machine": machine(), "date": datetime.now(timezone.utc).date().isoformat()}
    print(f"load: {headline(result['machine'])}")
    headers = [
        "API",
        "clients x questions",
        "answered",
        "errors",
        "answers/s",
        "p50 ms",
        "p95 ms",
        "max ms",
        "build mid-run (s)",
    ]
    rows = [
        [
            r["api"],
            f"{r['clients']} x {r['questions_per_client']}",
            r["answered"],
            r["errors"],
            r["throughput_per_s"],
            r["p50_ms"],
            r["p95_ms"],
            r["max_ms"],
            r["upload_build"]["seconds"] if r["upload_build"] else "-",
        ]
        for r in runs
    ]
    print(table(headers, rows))
    for r in runs:
        if r["upload_build"]:
            b = r["upload_build"]
            print(
                f"{r['api']}: upload of {b['files']} files from {b['from_s']} s to {b['until_s']} s, "
                f"{b['answers_meanwhile']} answers meanwhile; {b['report']}"
            )
        for sample in r["error_samples"]:
            print(f"{r['api']}: {sample}")
    write_result("load", result, args.out)
    return 0 if all(r["errors"] == 0 for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
