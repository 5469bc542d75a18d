"""What every benchmark states about its run: the machine, the date, resident memory,
percentiles, and where results go. Shared by the speed benchmarks (``bench_*.py``).

Does not time anything itself; benchmarks compare against a baseline in the same run,
because the 2-core machine is shared and one timing alone means little.
"""

from __future__ import annotations

import json
import os
import platform
import resource
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "benchmarks" / "results"
CACHE = Path(os.environ.get("NEWSDESK_BENCH_CACHE") or Path.home() / ".cache" / "newsdesk-bench")


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


def write_result(name: str, result: dict, out: Path | None = None) -> Path:
    out = Path(out or RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")
    return path


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table (pastes into the README as it prints)."""
    cells = [[str(c) for c in row] for row in rows]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)
