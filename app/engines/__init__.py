"""Engines past one machine: where an index lives (a folder or a Milvus URI), the
Milvus collections and their ingest, and embedding on a Ray cluster. Sits between the
index layer (the local folder format, the embedder) and the search layer (which
searches either through one small backend protocol, ``app.search.backend``)."""
