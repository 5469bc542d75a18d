"""newsdesk's benchmarks: speed, retrieval and answer evaluations, and a load test.

Run each from the project root as ``python -m benchmarks.<name> [--help]`` (the
Makefile's ``eval``, ``bench``, ``bench-full`` and ``load`` targets do). Data paths are
arguments (default ``../shared/data``); the data, its JSONL conversions, the built
indexes and vector caches stay outside the repository (``~/.cache/newsdesk-eval``,
``~/.cache/newsdesk-bench``); results go to ``benchmarks/results/`` (ignored by git).

Modules:

* ``common``: the machine, the dev/held-out split, tables, result files, child
  processes, a served chat; shared by all.
* ``vectors``: vector caches per model, keyed by the text embedded (resumable).
* ``rtqa``: RealTimeQA questions, the protocol's corpus as JSONL, its index per model.
* ``bangla``: the two Bangla protocols (BanglaQuAD, factoid news): questions, corpora
  as JSONL, their indexes.
* ``clir``: Bangla/English pairs of the same events (``clir_pairs.json``): is the other
  language's article in the top 5 of a mixed index, per design.
* ``reuters``: Reuters-21578 SGML as JSONL in a cache folder.
* ``harness``: the RealTimeQA retrieval harness: gold rows, candidates, metrics.
* ``ensemble``: several retrievers' candidates and corpus-standardised scores as
  matrices; weighted fusion, tuned on dev.
* ``eval_retrieval``: R@1/5/10 and MRR per retrieval configuration (``make eval``);
  ``--hubness``: the experiment that chose the hubness penalty.
* ``eval_bangla``: R@1/5/10 and MRR on both Bangla sets per retriever, fusion and the
  shipped configuration (``make eval``).
* ``eval_models``: issue 12's design decision (mE5 for all, MiniLM for English, or both)
  on RealTimeQA and the Bangla sets: quality, build speed, latency, cross-lingual.
* ``calibrate_abstention``: how the abstention rule of ``ask`` was chosen.
* ``eval_quotes``: quote attribution precision and recall on the hand-annotated gold set.
* ``bench_latency``: query latency of each retrieval mode at ~44k passages.
* ``bench_build``: embedding backends against plain fp32 torch; a build end to end.
* ``bench_scale``: latency and memory at 10k/100k/1M passages; the FAISS cut-over.
* ``bench_startup``: process start to the first answer on a 100k index.
* ``bench_update``: adding one article to a 100k index, profiled.
* ``plot_scale``: ``docs/scale.png`` from ``bench_scale``'s results.
* ``load``: many chat users at once against ``newsdesk serve`` on loopback (``make load``).

Experiments that were tried and retired are recorded in ``docs/experiments.md``.
"""
