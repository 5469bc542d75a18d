"""Where an index lives: a folder, or a Milvus collection set named by a ``milvus:`` URI.

Everywhere an index folder is accepted (``newsdesk build --out``, ``--index``,
``index_dir=``), a Milvus URI is accepted too:

- ``milvus:./news.db``: Milvus Lite, a local file (a server on 127.0.0.1 started by
  the process that opens it);
- ``milvus:http://HOST:19530`` (or ``https://``, ``tcp://``): a Milvus server or cluster.

A ``#name`` suffix picks the collections' prefix (default ``newsdesk``), so one server
holds several indexes: ``milvus:http://HOST:19530#reuters``. Parsing never connects.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from app.index.errors import IndexUnavailable
from app.index.locations import default_index_dir

SCHEME = "milvus:"
SERVER_SCHEMES = ("http://", "https://", "tcp://")
DEFAULT_PREFIX = "newsdesk"
_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,40}")
USAGE = "write milvus:./news.db (Milvus Lite) or milvus:http://HOST:19530 (a server)"


@dataclass(frozen=True)
class MilvusLocation:
    """A parsed ``milvus:`` URI: what the client connects to and the collections' prefix."""

    uri: str  # as written after "milvus:", without the #name
    prefix: str = DEFAULT_PREFIX

    @property
    def lite(self) -> bool:
        return not self.uri.startswith(SERVER_SCHEMES)

    @property
    def client_uri(self) -> str:
        """What ``MilvusClient`` takes: an absolute .db path, or the server URL."""
        return str(Path(self.uri).expanduser().resolve()) if self.lite else self.uri

    def __str__(self) -> str:
        suffix = f"#{self.prefix}" if self.prefix != DEFAULT_PREFIX else ""
        return f"{SCHEME}{self.uri}{suffix}"


def is_milvus(value: object) -> bool:
    return isinstance(value, str) and value.startswith(SCHEME)


def parse_milvus(value: str) -> MilvusLocation:
    """A ``milvus:`` URI parsed and checked; IndexUnavailable names it and the fix.

    Example:
        >>> parse_milvus("milvus:http://10.0.0.5:19530#reuters").prefix
        'reuters'
    """
    rest = value[len(SCHEME) :].strip()
    uri, _, prefix = rest.partition("#")
    prefix = prefix or DEFAULT_PREFIX
    if not _PREFIX.fullmatch(prefix):
        raise IndexUnavailable(f"{value}: the collection name {prefix!r} must be letters, digits or _")
    if uri.startswith(SERVER_SCHEMES):
        if not re.fullmatch(r"[a-z]+://[^/\s:]+(:\d+)?/?", uri):
            raise IndexUnavailable(f"{value}: not a server address; {USAGE}")
        return MilvusLocation(uri.rstrip("/"), prefix)
    if "://" in uri or not uri.endswith(".db") or uri == ".db":
        raise IndexUnavailable(f"{value}: not a Milvus URI; {USAGE}")
    return MilvusLocation(uri, prefix)


def resolve(index_dir: str | os.PathLike[str] | None) -> Path | MilvusLocation:
    """An ``index_dir`` argument (a folder, a ``milvus:`` URI, or None for the default:
    ``$NEWSDESK_INDEX`` or ``embeddings/``) as a folder or a Milvus location."""
    if index_dir is None:
        index_dir = os.environ.get("NEWSDESK_INDEX") or default_index_dir()
    if isinstance(index_dir, MilvusLocation):
        return index_dir
    if is_milvus(index_dir):
        return parse_milvus(str(index_dir))
    return Path(index_dir)
