"""The FAISS vector index and the rule that picks its type by corpus size.

Exact inner-product search (``IndexFlatIP``) is the right choice until it gets slow: over
normalised vectors it is cosine similarity with perfect recall. Past ``HNSW_THRESHOLD`` vectors
an approximate index keeps search p50 in milliseconds at recall@10 >= 0.95 (see bench/RESULTS.md).
"""

from __future__ import annotations

import math

import faiss
import numpy as np

HNSW_THRESHOLD = 200_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96
IVF_NPROBE = 64
IVF_TRAIN_PER_LIST = 40
IVF_NITER = 10


def choose_index_type(n: int) -> str:
    return "flat" if n < HNSW_THRESHOLD else "hnsw"


def ivf_nlist(n: int) -> int:
    """Inverted lists for ``n`` vectors: ~4*sqrt(n), rounded to a power of two."""
    nlist = 2 ** round(math.log2(max(1.0, 4 * math.sqrt(n))))
    while nlist > 1 and n < 39 * nlist:  # k-means wants >= 39 points per centroid
        nlist //= 2
    return nlist


def build_vector_index(vectors: np.ndarray, kind: str | None = None, nlist: int | None = None) -> faiss.Index:
    n, dim = vectors.shape
    kind = kind or choose_index_type(n)
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif kind == "ivf":
        nlist = nlist or ivf_nlist(n)
        index = faiss.index_factory(dim, f"IVF{nlist},Flat", faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = IVF_NITER
        sample = x
        if n > IVF_TRAIN_PER_LIST * nlist:
            rng = np.random.default_rng(0)
            sample = x[np.sort(rng.choice(n, IVF_TRAIN_PER_LIST * nlist, replace=False))]
        index.train(sample)
        index.nprobe = IVF_NPROBE
    else:
        raise ValueError(f"unknown vector index type: {kind}")
    index.add(x)
    return index


def prepare_for_search(index: faiss.Index) -> faiss.Index:
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif isinstance(index, faiss.IndexIVF):
        index.nprobe = IVF_NPROBE
    return index
