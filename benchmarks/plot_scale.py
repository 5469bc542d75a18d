"""Draw ``docs/scale.png``: query latency (p50/p95) and resident memory against corpus size.

Reads ``benchmarks/results/bench_scale.json`` (written by ``benchmarks.bench_scale``). Real
points (Reuters) show ``retrieve`` end to end; synthetic FAISS points show the dense
search alone for flat (exact) and IVF-SQ8 (the chosen probe share), with the resident
memory of the FAISS index per vector. Needs matplotlib (``pip install -e '.[bench]'``).

Usage: ``python -m benchmarks.plot_scale [RESULTS_JSON] [--out docs/scale.png]``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.index.vectors import IVF_PROBE_SHARE
from benchmarks.common import PROJECT, RESULTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="?", default=str(RESULTS / "bench_scale.json"))
    parser.add_argument("--out", default=str(PROJECT / "docs" / "scale.png"))
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(Path(args.results).read_text())
    real = sorted(data["points"].values(), key=lambda p: p["passages"])
    faiss = sorted(data["faiss"].values(), key=lambda p: p["vectors"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    n = [p["passages"] for p in real]
    left.plot(n, [p["retrieve"]["p50_ms"] for p in real], "o-", color="C0", label="retrieve (hybrid) p50")
    left.plot(n, [p["retrieve"]["p95_ms"] for p in real], "o--", color="C0", label="retrieve (hybrid) p95")
    m = [p["vectors"] for p in faiss]
    left.plot(m, [p["flat"]["p50_ms"] for p in faiss], "s-", color="C3", label="FAISS flat p50 (synthetic)")
    key = str(IVF_PROBE_SHARE)
    left.plot(
        m,
        [p["ivf"][key]["p50_ms"] for p in faiss],
        "^-",
        color="C2",
        label=f"FAISS IVF-SQ8 p50 ({IVF_PROBE_SHARE:.0%} of cells)",
    )
    left.plot(
        m,
        [p["ivf"][key]["p95_ms"] for p in faiss],
        "^--",
        color="C2",
        label=f"FAISS IVF-SQ8 p95 ({IVF_PROBE_SHARE:.0%} of cells)",
    )
    left.axhline(15, color="grey", lw=0.8, ls=":")
    left.text(n[0], 15.5, "15 ms target", color="grey", fontsize=8)
    left.set(xscale="log", yscale="log", xlabel="passages", ylabel="ms per query (one at a time, warm)")
    left.set_title("Query latency")
    left.legend(fontsize=7)
    rss = [p["rss_mb"] for p in real]
    right.plot(n, rss, "o-", color="C0", label="newsdesk query process (measured)")
    marginal = data.get("marginal_bytes_per_passage")
    if marginal and n[-1] < 1_000_000:
        fixed = rss[-1] - marginal * n[-1] / 2**20
        ends = [n[-1], 1_000_000]
        right.plot(ends, [fixed + marginal * x / 2**20 for x in ends], "o:", color="C0", label="projected")
    right.plot(m, [p["flat_rss_mb"] for p in faiss], "s-", color="C3", label="FAISS flat alone")
    # An index cannot be smaller in memory than on disk: a smaller reading is the allocator
    # reusing the flat index's freed pages (the 100k point), so it is left out.
    ivf = [p for p in faiss if p["ivf_rss_mb"] >= 0.9 * p["ivf_disk_mb"]]
    right.plot(
        [p["vectors"] for p in ivf],
        [p["ivf_rss_mb"] for p in ivf],
        "^-",
        color="C2",
        label="FAISS IVF-SQ8 alone",
    )
    grid = [n[0], 1_000_000]
    right.plot(
        grid, [2.5 * 1024 * x / 2**20 for x in grid], color="grey", lw=0.8, ls=":", label="2.5 KB a passage"
    )
    right.set(xscale="log", yscale="log", xlabel="passages", ylabel="resident MB")
    right.set_title("Resident memory")
    right.legend(fontsize=7)
    info = data["machine"]
    fig.suptitle(f"newsdesk on {info['cores']} cores ({info['cpu']}), {info['date'][:10]}", fontsize=9)
    fig.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
