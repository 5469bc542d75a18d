"""Where the project's articles and index live by default.

``seeds/`` and ``embeddings/`` beside the ``app`` package, unless ``$NEWSDESK_SEEDS``
or ``$NEWSDESK_INDEX`` name other folders (the test suite points both at temporary
folders, so it never rewrites the committed index).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent.parent


def default_index_dir() -> Path:
    return Path(os.environ.get("NEWSDESK_INDEX") or PROJECT / "embeddings")


def default_seeds_dir() -> Path:
    return Path(os.environ.get("NEWSDESK_SEEDS") or PROJECT / "seeds")
