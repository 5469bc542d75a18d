"""Safe file work for index folders: the build lock, atomic installs, syncing, and
clearing what no manifest names.

A build writes a generation's files under new names in a staging folder, syncs them,
moves each to its final name (``install``, one ``os.replace`` each), and only then
switches the manifest (``app.index.manifest``); until then readers see the previous
build, and a build killed at any point leaves it loadable. The lock serialises builds;
the kernel drops the lock of a killed build. Knows nothing of what the files hold.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from app.index.errors import IndexUnavailable

LOCK = ".lock"


@contextlib.contextmanager
def build_lock(
    folder: Path, *, wait: bool = True, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the folder's build lock. A second build waits for the first (``wait``; then
    ``on_wait`` is called once, to tell the user) or fails at once naming the folder, so
    an index is never a mix of two builds."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / LOCK, "a+")
    except OSError as err:
        raise IndexUnavailable(f"{folder}: cannot use as an index folder ({err.strerror or err})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise IndexUnavailable(
                    f"{folder}: another build is running; try again when it ends"
                ) from None
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def install(src: Path, target: Path) -> None:
    """Move a written file or folder to its final name. An existing folder of the same
    name (same generation) is updated file by file, so no name is ever missing."""
    if src.is_dir() and target.is_dir():
        for child in src.iterdir():
            os.replace(child, target / child.name)
        return
    if src.is_dir() and target.exists():
        target.unlink()
    os.replace(src, target)


def write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def sha256(path: Path, *, sync: bool = False) -> str:
    """The file's sha256; ``sync`` also forces its data to disk (before a manifest
    that names it is written)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
        if sync:
            os.fsync(handle.fileno())
    return digest.hexdigest()


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_unreferenced(folder: Path, keep: set[str], kinds: tuple[str, ...]) -> None:
    """Remove data files of the given kinds that are not in ``keep`` (older
    generations), and what killed builds left behind (staging folders, manifests)."""
    for path in folder.iterdir():
        stale_data = path.name.split("-")[0] in kinds and path.name not in keep
        leftover = path.name.startswith((".tmp-", ".manifest.json."))
        if stale_data or leftover:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
