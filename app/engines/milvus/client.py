"""Connecting to Milvus, with one clear line when it fails.

``connect`` returns a ``pymilvus.MilvusClient`` for a ``MilvusLocation``: Milvus Lite
(a ``.db`` file; pymilvus starts its server on 127.0.0.1 on first use and shares it
within the process) or a server URL. Every failure becomes ``IndexUnavailable`` naming
the URI and the fix: a Lite file that does not exist (when reading), a server that does
not answer within ``TIMEOUT`` seconds, a Lite file another process holds. pymilvus is
imported here only, on first use (it takes ~0.4 s and configures logging).
"""

from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path

from app.engines.location import MilvusLocation
from app.index.errors import IndexUnavailable

# Seconds to wait for a server to answer: a refused connection fails at once, a hung
# one after this (pymilvus' default is 10 s).
TIMEOUT = 3.0
_clients: dict[str, object] = {}
_lock = threading.Lock()


def pymilvus():
    """The pymilvus module, imported quietly (milvus-lite 2.5 imports pkg_resources,
    and pymilvus logs every failed call with a traceback at ERROR)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pymilvus as module
        except ImportError:
            raise IndexUnavailable(
                "a milvus: index needs pymilvus and milvus-lite: pip install 'newsdesk[milvus]'"
            ) from None
        try:
            import milvus_lite  # noqa: F401  (its pkg_resources warning, silenced here)
        except ImportError:
            pass  # a server URI needs only pymilvus
    names = [n for n in logging.root.manager.loggerDict if n.startswith(("pymilvus", "milvus_lite"))]
    for name in ["pymilvus", "milvus_lite", *names]:  # failures become one IndexUnavailable line
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return module


def connect(location: MilvusLocation, *, create: bool = False):
    """A MilvusClient for ``location`` (one per URI and process). ``create``: a Lite
    file may be made (a build); otherwise it must exist (a search)."""
    key = location.client_uri
    with _lock:
        if key in _clients:
            return _clients[key]
        if location.lite:
            path = Path(key)
            if not create and not path.exists():
                raise IndexUnavailable(
                    f"{location}: no index there; build one with `newsdesk build --out {location}`"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
        module = pymilvus()
        root = logging.getLogger()  # milvus_lite logs its failures on the root logger
        level = root.level
        root.setLevel(logging.CRITICAL)
        try:
            client = module.MilvusClient(key, timeout=TIMEOUT)
        except Exception as err:  # pymilvus raises its own, grpc's and OSError
            raise unavailable(location, err) from None
        finally:
            root.setLevel(level)
        _clients[key] = client
        return client


def unavailable(location: MilvusLocation, err: BaseException) -> IndexUnavailable:
    """The one-line error for a failed connection or call."""
    text = " ".join(str(getattr(err, "message", None) or err).split())[:160]
    if location.lite:
        if "lock" in text.lower() or "open local milvus failed" in text.lower():
            fix = (
                "another process has this Milvus Lite file open (one at a time); stop it, or run a "
                "Milvus server for several processes and use milvus:http://HOST:19530"
            )
        else:
            fix = "check the path, or remove the file and build again"
        return IndexUnavailable(f"{location}: Milvus Lite could not start ({text}); {fix}")
    return IndexUnavailable(
        f"{location}: the Milvus server does not answer ({text}); start it, or fix the address"
    )


def forget(location: MilvusLocation) -> None:
    """Drop the cached client of ``location`` (after a failure, the next call reconnects)."""
    with _lock:
        client = _clients.pop(location.client_uri, None)
    if client is not None:
        try:
            client.close()
        except Exception:  # noqa: BLE001 -- closing a dead connection may fail; nothing to do
            pass
