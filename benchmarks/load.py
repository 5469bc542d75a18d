"""Load test: many chat users at once against a real `newsdesk serve`, loopback only.

Starts the server on a free 127.0.0.1 port (the seed index unless ``--index``), then
``--clients`` gradio_client clients in threads, each asking ``--questions`` questions
one after another through the ``/chat`` endpoint. Bounded in count and in time (every
request has a timeout, the whole run a deadline); it stops by itself. Reports
throughput, latency percentiles and errors as a table and JSON.

    python -m benchmarks.load                      # 20 clients x 10 questions
"""

from __future__ import annotations

import argparse
import threading
import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from benchmarks.common import RESULTS, headline, machine, served, table, write_result

# Questions a reader of the seed article asks, answered and not: the mix matters, since
# an abstention is cheaper than an answer.
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


def run(clients_n: int, questions: int, index: str | None, timeout: float, deadline: float) -> dict:
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + deadline

    def user(n: int) -> None:
        client = clients[n]
        for i in range(questions):
            if time.monotonic() > stop_at:
                with lock:
                    errors.append("deadline: not asked")
                continue
            question = QUESTIONS[(n + i) % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                job = client.submit(question, None, None, "", "", api_name="/chat")
                markdown, _ = job.result(timeout=timeout)
                if not markdown:
                    raise ValueError("empty answer")
                with lock:
                    latencies.append(time.perf_counter() - started)
            except (Exception, TimeoutError) as err:  # every failure is counted, none hidden
                with lock:
                    errors.append(f"{type(err).__name__}: {err}")

    with served(*(["--index", index] if index else [])) as url:
        warm = Client(url, verbose=False)
        warm.predict(QUESTIONS[0], None, None, "", "", api_name="/chat")  # load the model first
        # every user connects first (a client fetches the app's config), then all ask at once
        with ThreadPoolExecutor(max_workers=clients_n) as pool:
            clients = list(pool.map(lambda _: Client(url, verbose=False), range(clients_n)))
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients_n) as pool:
            list(pool.map(user, range(clients_n)))
        wall = time.perf_counter() - started
    lat = np.array(latencies) * 1000
    return {
        "clients": clients_n,
        "questions_per_client": questions,
        "requests": clients_n * questions,
        "answered": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": round(wall, 2),
        "throughput_per_s": round(len(latencies) / wall, 2) if wall else 0.0,
        "p50_ms": round(float(np.percentile(lat, 50)), 1) if len(lat) else None,
        "p95_ms": round(float(np.percentile(lat, 95)), 1) if len(lat) else None,
        "max_ms": round(float(lat.max()), 1) if len(lat) else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--index", default=None, help="index folder (default: the seed index)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds for the whole run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = run(args.clients, args.questions, args.index, args.timeout, args.deadline)
    result["machine"] = machine()
    result["date"] = datetime.now(timezone.utc).date().isoformat()
    print(f"load: {headline(result['machine'])}")
    print(
        table(
            [
                "clients x questions",
                "answered",
                "errors",
                "throughput (answers/s)",
                "p50 ms",
                "p95 ms",
                "max ms",
            ],
            [
                [
                    f"{result['clients']} x {result['questions_per_client']}",
                    result["answered"],
                    result["errors"],
                    result["throughput_per_s"],
                    result["p50_ms"],
                    result["p95_ms"],
                    result["max_ms"],
                ]
            ],
        )
    )
    write_result("load", result, args.out)
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
