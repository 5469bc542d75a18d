"""What the benchmarks share: where things are, the machine they ran on, the dev/held-out
split, tables, result files, child processes and a served chat for the load test.

Every benchmark states its machine and date, prints Markdown tables (they paste into the
docs as they print) and writes one JSON file to ``benchmarks/results/`` (ignored by git).
Data stays outside the repository: paths are arguments, defaulting to ``../shared/data``,
and caches live in ``~/.cache`` (``NEWSDESK_BENCH_CACHE`` moves the speed benchmarks').
Does not time anything itself: benchmarks compare against a baseline in the same run,
because the 2-core machine is shared and one timing alone means little.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "benchmarks" / "results"
DATA = PROJECT.parent / "shared" / "data"  # the shared data folder (its README.md says what is there)
CACHE = Path(os.environ.get("NEWSDESK_BENCH_CACHE") or Path.home() / ".cache" / "newsdesk-bench")


def say(*parts) -> None:
    """Progress on stderr (stdout carries the tables)."""
    print(*parts, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ machine


def machine() -> dict:
    """Cores, CPU model, memory, Python and library versions, and the date (UTC)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gib = round(pages / 2**30, 1)
    except (ValueError, OSError):
        memory_gib = None
    return {
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def headline(info: dict) -> str:
    return f"{info['cores']} cores, {info['cpu']}, {info['memory_gib']} GiB, {info['date']}"


def rss_bytes() -> int:
    """Resident memory of this process now (Linux ``/proc/self/status`` VmRSS)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def percentiles(seconds: list[float]) -> dict:
    ms = 1000 * np.asarray(seconds, dtype=np.float64)
    return {
        "n": len(ms),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
    }


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


# ------------------------------------------------------------------- questions and data


def is_dev(question_id: str) -> bool:
    """The deterministic half split of questions: dev (where every weight and threshold
    is chosen) if the first byte of sha256(question_id) is even, else held-out (only
    reported). Example: ``is_dev("20220107_0_nota")``."""
    return hashlib.sha256(question_id.encode()).digest()[0] % 2 == 0


def add_archive_arguments(parser: argparse.ArgumentParser) -> None:
    """The positional data arguments of the speed benchmarks: the Reuters-21578 folder
    and the folder holding ``realtimeqa/`` (its questions and paragraphs top up corpora)."""
    parser.add_argument("reuters", nargs="?", default=str(DATA / "reuters21578"))
    parser.add_argument("rtqa", nargs="?", default=str(DATA))


# ------------------------------------------------------------------------------ results


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table (pastes into the docs as it prints)."""
    cells = [[str(c) for c in row] for row in rows]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def constants(module) -> dict:
    """A module's upper-case constants as JSON takes them: tuple keys (``("e5", "en")``)
    joined with "/"."""

    def plain(value):
        if isinstance(value, dict):
            return {"/".join(k) if isinstance(k, tuple) else k: plain(v) for k, v in value.items()}
        return value

    return {k: plain(v) for k, v in vars(module).items() if k.isupper() and not k.startswith("_")}


def write_result(name: str, result: dict, out: Path | str | None = None) -> Path:
    """Write ``result`` as ``<out>/<name>.json`` (default ``benchmarks/results/``)."""
    out = Path(out or RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return path


# --------------------------------------------------------------------- child processes


def run_python(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``python *args`` (``-m benchmarks.x ...`` or ``-c CODE``) in a fresh process
    from the project root, so ``app`` and ``benchmarks`` import as they do here; its
    output is captured as text. A fresh process gives clean memory and start-up figures."""
    return subprocess.run([sys.executable, *args], cwd=PROJECT, capture_output=True, text=True, check=check)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(*args: str, start_timeout: float = 120.0) -> Iterator[str]:
    """A real ``newsdesk serve`` on a free loopback port, for as long as the block runs;
    yields its URL and stops the server on the way out. ``args`` are more ``serve``
    options (``"--index", folder``). A server that exits or does not answer within
    ``start_timeout`` seconds raises with the end of what it printed."""
    import tempfile

    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port), *args],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    urllib.request.urlopen(url, timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(
                            f"newsdesk serve did not start on {url}: {log.read()[-2000:]}"
                        ) from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
