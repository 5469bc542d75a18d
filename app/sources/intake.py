"""Bringing articles into the seeds folder: files copied, web pages fetched.

``collect`` reads everything first (files from disk, pages over HTTP with httpx, with a
timeout and a size limit) and ``place`` writes it only when all of it was read, so an
``add`` that fails (no network, a missing file, a page too large) changes nothing. A
fetched page is saved as ``.html`` with its URL and fetch time in two ``<meta>`` tags
that the HTML reader takes for the article's URL and crawl time. File names are made
safe (``safe_name``): no ``..``, no leading dots or slashes, and ``place`` refuses a
target that a symbolic link inside ``seeds/`` would carry outside it; a name already
taken by other content gets a numbered suffix, and the same content already there is
not copied twice. Does not follow links, log in, or run scripts.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from app.sources.files import MAX_FEED_BYTES
from app.text.words import WORD_CHARS

# A page is fetched for at most this long (connect and each read), and at most this
# many bytes of it: a news page is well under 2 MB, and a feed up to the feed limit.
FETCH_TIMEOUT_SECONDS = 20.0
FETCH_MAX_BYTES = MAX_FEED_BYTES
# A saved name is at most this long (file systems allow 255 bytes; Bangla takes 3 a letter).
MAX_NAME_CHARS = 80
USER_AGENT = "newsdesk (offline news question answering; one page at a time)"
_UNSAFE = re.compile(rf"[^{WORD_CHARS}.\-]+")  # letters of any script (Bangla signs too)


class IntakeError(ValueError):
    """Something to add cannot be read: the message names it and why, in one line."""


@dataclass(frozen=True)
class Incoming:
    """One file to place in the seeds folder: its safe name and its bytes."""

    name: str
    data: bytes
    origin: str  # the path or URL it came from


def is_url(item: str) -> bool:
    return urlsplit(item).scheme in ("http", "https")


def collect(items: list[str]) -> list[Incoming]:
    """Read every path and fetch every URL; raises IntakeError on the first that fails,
    before anything is written."""
    incoming: list[Incoming] = []
    for item in items:
        if is_url(item):
            incoming.append(fetch(item))
            continue
        path = Path(item)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                relative = file.relative_to(path.parent).as_posix()
                incoming.append(Incoming(safe_name(relative), _read(file), str(file)))
        elif path.is_file():
            incoming.append(Incoming(safe_name(path.name), _read(path), str(path)))
        else:
            raise IntakeError(f"{item}: no such file, folder or http(s) URL")
    return incoming


def place(incoming: list[Incoming], seeds: Path) -> list[Path]:
    """Write the collected files into ``seeds`` (created if missing); returns the paths
    written. A file whose content is already there under the same name is skipped.

    Every target is checked before anything is written: one that would land outside
    ``seeds`` (through a symbolic link inside it, to a folder or a file) is refused
    with IntakeError, and nothing is added.
    """
    seeds.mkdir(parents=True, exist_ok=True)
    targets = [(_free_name(seeds, item.name, item.data), item) for item in incoming]
    for target, item in targets:
        _check_inside(seeds, target, item)
    written = []
    for target, item in targets:
        if target.exists():
            continue  # the same content, already there
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{target.name}.part")
        staged.write_bytes(item.data)
        staged.replace(target)
        written.append(target)
    return written


def _check_inside(seeds: Path, target: Path, item: Incoming) -> None:
    """Refuse a target that is a link, or whose folder resolves outside ``seeds``."""
    root = seeds.resolve()
    folder = target.parent.resolve()
    if target.is_symlink() or (folder != root and root not in folder.parents):
        raise IntakeError(
            f"{item.origin}: {item.name} would be written outside {seeds} (through a link); nothing added"
        )


def fetch(url: str) -> Incoming:
    """A web page, as an ``.html`` file that remembers its URL and fetch time."""
    import httpx

    try:
        with httpx.stream(
            "GET",
            url,
            timeout=FETCH_TIMEOUT_SECONDS,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
        ) as response:
            response.raise_for_status()
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > FETCH_MAX_BYTES:
                    raise IntakeError(f"{url}: larger than {FETCH_MAX_BYTES / 1e6:.0f} MB; not added")
                chunks.append(chunk)
            final = str(response.url)
    except httpx.HTTPStatusError as err:
        raise IntakeError(f"{url}: the server answered {err.response.status_code}; nothing added") from None
    except (httpx.ConnectError, httpx.ConnectTimeout) as err:
        raise IntakeError(
            f"{url}: cannot connect ({err or type(err).__name__}): no network here, or the site "
            f"is down. Nothing added; save the page from a browser and add the file instead"
        ) from None
    except httpx.HTTPError as err:
        raise IntakeError(
            f"{url}: cannot fetch ({type(err).__name__}: {err or 'no network?'}); nothing added"
        ) from None
    data = b"".join(chunks)
    fetched = datetime.now(timezone.utc).isoformat(timespec="seconds")
    stamp = (
        f'<meta name="newsdesk:url" content="{html.escape(final)}">\n'
        f'<meta name="newsdesk:fetched" content="{fetched}">\n'
    ).encode()
    name = safe_name(_page_name(final)) + ".html"
    return Incoming(name, stamp + data, url)


def safe_name(name: str) -> str:
    """A file name that stays inside the seeds folder: folder parts kept only as safe
    sub-folder names, no ``..``, no leading dot or slash, nothing but letters, digits,
    ``.``, ``-`` and ``_`` (any script's letters), at most ``MAX_NAME_CHARS`` a part.

    Example:
        >>> safe_name("../../etc/passwd"), safe_name("<b>x.txt")
        ('etc/passwd', 'b_x.txt')
    """
    parts = []
    for part in re.split(r"[\\/]+", unicodedata.normalize("NFC", name)):
        part = _UNSAFE.sub("_", part).strip("._ ")[:MAX_NAME_CHARS]
        if part and part not in (".", ".."):
            parts.append(part)
    return "/".join(parts) or "article"


def _page_name(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/").rsplit("/", 1)[-1] or "index"
    path = re.sub(r"\.(?:html?|php|aspx?)$", "", path)
    return f"{(parts.hostname or 'page').removeprefix('www.')}-{path}"


def _free_name(seeds: Path, name: str, data: bytes) -> Path:
    """``seeds/name``, or ``name-2``, ``name-3``... when the name holds other content."""
    target = seeds / name
    stem, suffix = target.stem, target.suffix
    n = 1
    while target.exists() and _digest(target.read_bytes()) != _digest(data):
        n += 1
        target = target.with_name(f"{stem}-{n}{suffix}")
    return target


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise IntakeError(f"{path}: cannot read ({err.strerror or err}); nothing added") from None
