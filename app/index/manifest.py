"""The index folder's manifest: what a build wrote, and the check that it is still so.

``manifest.json`` is readable JSON: the format version, model (and companion, with its
precision and dimension, for the default design: ``app.index.models``), dimension, live passage
and article counts, the source files (with their sha256 and stamps), the segments of
this generation (``app.index.segment``) and its state file (``app.index.state``), and
each data file's sha256, size and modification time. Replacing it is the one atomic
step that switches an index to a new generation (``switch_manifest``); the files it
names must be in place.

Integrity has a fast path: a file whose size and modification time (ns) are those the
build recorded is taken as written; any other file (copied, touched, damaged) is hashed
and compared with its recorded sha256. Hashing every file costs ~1 s per 300 MB, too
much for start-up at 100k passages; ``verify(full=True)`` hashes everything on demand.
Does not detect damage in an index written before checksums were recorded beyond what
parsing finds. Knows nothing of vectors, news or models.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from app.index.errors import IndexUnavailable
from app.index.files import fsync_dir, remove_unreferenced, sha256

FORMAT_VERSION = 4
MANIFEST = "manifest.json"
# The data files and folders of an index, by kind; each name starts with its kind. The
# last six are format 3's (one file of each a generation), cleared when a build replaces it.
KINDS = ("seg", "state", "vectors", "stats", "passages", "articles", "keyword", "matrix")
FIX = "rebuild with `newsdesk build`"


def read_manifest(folder: Path) -> dict[str, Any]:
    """The folder's manifest, checked for the fields loading needs."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexUnavailable(
            f"{path}: no index here; build one with `newsdesk build --out {folder}`"
        ) from None
    except (OSError, ValueError) as err:
        raise IndexUnavailable(f"{path}: unreadable manifest ({err}); {FIX}") from None
    if not isinstance(manifest, dict):
        raise IndexUnavailable(f"{path}: not a manifest (a JSON object is expected); {FIX}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnavailable(
            f"{path}: index format {manifest.get('format_version')!r}, this newsdesk reads "
            f"{FORMAT_VERSION}; {FIX}"
        )
    segments = manifest.get("segments")
    wrong = [
        key
        for key, ok in (
            (
                "segments",
                isinstance(segments, list)
                and all(isinstance(s, dict) and str(s.get("name", "")).startswith("seg-") for s in segments),
            ),
            ("state", str(manifest.get("state", "")).startswith("state-")),
            ("count", isinstance(manifest.get("count"), int) and manifest["count"] >= 0),
            ("model", isinstance(manifest.get("model"), str)),
            ("generation", isinstance(manifest.get("generation"), str)),
            ("checksums", isinstance(manifest.get("checksums"), dict) and bool(manifest.get("checksums"))),
        )
        if not ok
    ]
    if wrong:
        raise IndexUnavailable(f"{path}: damaged manifest (bad or missing {', '.join(wrong)}); {FIX}")
    return manifest


def data_names(manifest: dict[str, Any]) -> set[str]:
    """The names in the index folder that ``manifest`` uses: its segments and state."""
    return {s["name"] for s in manifest["segments"]} | {manifest["state"]}


def switch_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Make ``manifest`` the folder's index in one atomic rename, then remove the files
    no longer referenced (older generations, leftovers of killed builds). The data files
    it names must be in place. Used alone when a build changes only the manifest."""
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    staged = folder / f".{MANIFEST}.{os.getpid()}"
    with open(staged, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(staged, folder / MANIFEST)
    fsync_dir(folder)
    remove_unreferenced(folder, keep=data_names(manifest), kinds=KINDS)


def stamp(path: Path) -> list[int]:
    """Size and modification time (ns): the fast path of the integrity check."""
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def verify(folder: Path, manifest: dict[str, Any], *, full: bool = True) -> None:
    """Check every data file against the manifest: by sha256 (``full``), or by the
    recorded size and modification time, hashing only the files that differ.
    Raises IndexUnavailable naming the first damaged file."""
    stamps = manifest.get("stamps") or {}
    for name, expected in manifest.get("checksums", {}).items():
        path = folder / name
        if not full and stamps.get(name) is not None:
            try:
                if stamp(path) == list(stamps[name]):
                    continue
            except OSError:
                pass  # missing: the hash below names it
        if read_file(path, sha256) != expected:
            raise IndexUnavailable(f"{path}: damaged index file (checksum differs from the manifest); {FIX}")


def read_file(path: Path, reader):
    """Run a reader on one index file; any failure names the file and the fix."""
    try:
        return reader(path)
    except IndexUnavailable:
        raise
    except Exception as err:
        raise IndexUnavailable(
            f"{path}: damaged or missing index file ({type(err).__name__}: {err}); {FIX}"
        ) from None
