"""The four collections of a newsdesk index in Milvus, and their index parameters.

``<prefix>_passages``  one row a passage: ``id`` (the content-derived passage id, the
                       primary key), ``article_id``, ``paragraph``, ``start``/``stop``
                       (offsets in the article body), ``vector`` (the unit embedding,
                       inner product), ``terms`` (newsdesk's own keyword terms, each
                       written as the hex of its 64-bit key, so any Milvus tokenises
                       them alike) and ``sparse`` (Milvus' BM25 function over
                       ``terms``), ``density`` (raw hubness) and ``kth`` (the cosine
                       of its k-th nearest neighbour, which an update compares new
                       and removed vectors with: ``densities``), and the filter fields
                       ``language``, ``source_key`` (outlet, case-folded),
                       ``published`` (UTC seconds), ``published_day`` (YYYYMMDD in the
                       article's own time zone) and ``dated``; with an English
                       companion model (design (c), ``app.index.models.BOTH``)
                       also ``companion``, its vector (zeros: a passage it did not
                       embed), read for re-scoring, never searched (FLAT).
``<prefix>_articles``  the article records: row ``<id>:0`` holds the fields as JSON,
                       the story, the MinHash signature and a fingerprint of the
                       article as read; rows ``<id>:1..`` hold the body in pieces
                       (a VARCHAR holds at most 65,535 bytes).
``<prefix>_terms``     per keyword term: document frequency and the sums of its BM25
                       weights and their squares (the fusion's keyword moments).
``<prefix>_meta``      small named blobs: the build record, the moment sums, the
                       generation.

Milvus requires a vector field in every collection; the last three carry a 2-d dummy.
Dense index: exact FLAT on Milvus Lite (its local mode builds only FLAT, IVF_FLAT and
AUTOINDEX), HNSW (M=16, efConstruction=200) on a server; BM25 with newsdesk's k1 and b.
"""

from __future__ import annotations

from app.index.keyword import K1, B

VARCHAR_MAX = 65535
DUMMY_DIM = 2
COLLECTIONS = ("passages", "articles", "terms", "meta")
# HNSW on a server: M=16 links a node (the Milvus and hnswlib default), efConstruction=200
# (recall@10 >= 0.99 at 1M in Milvus' own benchmarks); queries search with SEARCH_EF.
HNSW = {"M": 16, "efConstruction": 200}
SEARCH_EF = 256


def names(prefix: str) -> dict[str, str]:
    return {c: f"{prefix}_{c}" for c in COLLECTIONS}


def create(client, prefix: str, dim: int, *, lite: bool, companion_dim: int | None = None) -> None:
    """Create the collections that do not exist yet (idempotent)."""
    module = _module()
    named = names(prefix)
    makers = {"passages": lambda: _passages(module, client, dim, lite, companion_dim)}
    for kind, name in named.items():
        if client.has_collection(name):
            continue
        schema, params = makers[kind]() if kind in makers else _side(module, client, kind)
        client.create_collection(name, schema=schema, index_params=params, consistency_level="Strong")


def _module():
    from app.engines.milvus.client import pymilvus

    return pymilvus()


def _passages(m, client, dim: int, lite: bool, companion_dim: int | None):
    t = m.DataType
    s = m.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("id", t.VARCHAR, is_primary=True, max_length=128)
    s.add_field("article_id", t.VARCHAR, max_length=128)
    s.add_field("paragraph", t.INT64)
    s.add_field("start", t.INT64)
    s.add_field("stop", t.INT64)
    s.add_field("vector", t.FLOAT_VECTOR, dim=dim)
    s.add_field(
        "terms", t.VARCHAR, max_length=VARCHAR_MAX, enable_analyzer=True,
        analyzer_params={"tokenizer": "whitespace"},
    )  # fmt: skip
    s.add_field("sparse", t.SPARSE_FLOAT_VECTOR)
    s.add_field("density", t.FLOAT)
    s.add_field("kth", t.FLOAT)
    s.add_field("language", t.VARCHAR, max_length=16)
    s.add_field("source_key", t.VARCHAR, max_length=512)
    s.add_field("published", t.DOUBLE)
    s.add_field("published_day", t.INT64)
    s.add_field("dated", t.BOOL)
    if companion_dim:
        s.add_field("companion", t.FLOAT_VECTOR, dim=companion_dim)
    s.add_function(
        m.Function(
            name="bm25",
            function_type=m.FunctionType.BM25,
            input_field_names=["terms"],
            output_field_names=["sparse"],
        )
    )
    params = client.prepare_index_params()
    if lite:
        params.add_index("vector", index_type="FLAT", metric_type="IP")
    else:
        params.add_index("vector", index_type="HNSW", metric_type="IP", params=HNSW)
    if companion_dim:  # Milvus loads a collection only with every vector field indexed
        params.add_index("companion", index_type="FLAT", metric_type="IP")
    params.add_index(
        "sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
        params={"bm25_k1": K1, "bm25_b": B},
    )  # fmt: skip
    return s, params


def _side(m, client, kind: str):
    t = m.DataType
    s = m.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    if kind == "terms":
        s.add_field("key", t.INT64, is_primary=True)
        s.add_field("df", t.INT64)
        s.add_field("s1", t.DOUBLE)
        s.add_field("s2", t.DOUBLE)
    else:
        s.add_field("key", t.VARCHAR, is_primary=True, max_length=256)
        if kind == "articles":
            s.add_field("article_id", t.VARCHAR, max_length=128)
            s.add_field("part", t.INT64)
            s.add_field("story", t.VARCHAR, max_length=128)
            s.add_field("fingerprint", t.VARCHAR, max_length=64)
            s.add_field("minhash", t.VARCHAR, max_length=2048)
        s.add_field("data", t.VARCHAR, max_length=VARCHAR_MAX)
    s.add_field("v", t.FLOAT_VECTOR, dim=DUMMY_DIM)
    params = client.prepare_index_params()
    params.add_index("v", index_type="FLAT", metric_type="L2")
    return s, params
