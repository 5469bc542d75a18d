"""Engines past one machine: where an index lives (a folder or a Milvus URI), the
Milvus collections and their ingest, and embedding on a Ray cluster. Sits between the
index layer (the local folder format, the embedder) and the search layer (which
searches either through one small backend protocol, ``app.search.backend``).

pymilvus and Ray talk gRPC. gRPC's fork handlers can abort a child that a process with
live gRPC threads forks before it execs (``subprocess`` with ``preexec_fn``: seen in
the suite); newsdesk never uses gRPC in a forked child, so they are off unless the
environment says otherwise. Set before either library imports grpc.
"""

import os

os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
