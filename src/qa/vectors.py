"""The FAISS vector index and the rule that picks its type by corpus size.

Exact inner-product search (``IndexFlatIP``) is the right choice until it gets slow: over
normalised vectors it is cosine similarity with perfect recall. Past ``HNSW_THRESHOLD`` vectors
a graph index (HNSW) keeps search p50 in milliseconds at recall@10 >= 0.95 (see bench/RESULTS.md).
"""

from __future__ import annotations

import faiss
import numpy as np

HNSW_THRESHOLD = 200_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96


def choose_index_type(n: int) -> str:
    return "flat" if n < HNSW_THRESHOLD else "hnsw"


def build_vector_index(vectors: np.ndarray, kind: str | None = None) -> faiss.Index:
    n, dim = vectors.shape
    kind = kind or choose_index_type(n)
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        raise ValueError(f"unknown vector index type: {kind}")
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def prepare_for_search(index: faiss.Index) -> faiss.Index:
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index
