"""The vector index rule and the approximate indexes' recall, on small random data (fast)."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from qa.index import vectors as V


def _lowrank(n: int, dim: int = 64, rank: int = 8, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, rank), dtype=np.float32) @ rng.standard_normal((rank, dim), dtype=np.float32)
    x += 0.1 * rng.standard_normal((n, dim), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _recall(index: faiss.Index, exact: faiss.Index, q: np.ndarray, k: int = 10) -> float:
    _, got = index.search(q, k)
    _, want = exact.search(q, k)
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(got, want, strict=True)]))


def test_rule_by_corpus_size():
    assert V.choose_index_type(0) == "flat"
    assert V.choose_index_type(25) == "flat"
    assert V.choose_index_type(V.HNSW_THRESHOLD - 1) == "flat"
    assert V.choose_index_type(V.HNSW_THRESHOLD) == "hnsw"
    assert V.choose_index_type(10_000_000) == "hnsw"


def test_search_parameters_grow_with_size():
    assert V.hnsw_ef_search(50_000) == V.HNSW_EF_SEARCH
    assert V.hnsw_ef_search(1_000_000) == V.HNSW_EF_SEARCH_LARGE >= V.HNSW_EF_SEARCH
    assert V.ivf_nprobe(4096) == 512
    assert V.ivf_nprobe(64) == 64


def test_ivf_nlist_rule():
    assert V.ivf_nlist(1_000_000) == 4096
    for n in (100, 5_000, 100_000):
        nl = V.ivf_nlist(n)
        assert nl >= 1 and (nl == 1 or n >= 39 * nl)


def test_flat_is_exact_and_used_for_small_corpora():
    x = _lowrank(500)
    index = V.build_vector_index(x)
    assert isinstance(index, faiss.IndexFlatIP)
    scores, ids = index.search(x[:5], 1)
    assert ids[:, 0].tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-5)


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_recall(kind, tmp_path):
    x = _lowrank(4000)
    rng = np.random.default_rng(1)
    q = x[rng.choice(len(x), 100, replace=False)] + 0.05 * rng.standard_normal((100, x.shape[1]), dtype=np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    exact = V.build_vector_index(x, "flat")
    index = V.build_vector_index(x, kind)
    # the search parameters survive a save/load round trip through prepare_for_search
    faiss.write_index(index, str(tmp_path / "v.faiss"))
    loaded = V.prepare_for_search(faiss.read_index(str(tmp_path / "v.faiss")))
    if kind == "hnsw":
        assert loaded.hnsw.efSearch == V.hnsw_ef_search(len(x))
    else:
        assert loaded.nprobe == V.ivf_nprobe(loaded.nlist)
    assert loaded.ntotal == len(x)
    assert _recall(loaded, exact, q) >= 0.95


def test_unknown_kind():
    with pytest.raises(ValueError):
        V.build_vector_index(_lowrank(10), "lsh")
