"""Scale benchmark: exact vs approximate FAISS indexes (and BM25) on synthetic corpora.

For each corpus size (default 10k, 100k, 1M passages) and vector distribution, a child process
(so its peak RSS is its own and memory is returned between sizes) generates normalised 384-d
vectors, builds an exact ``IndexFlatIP`` and the approximate indexes (HNSW, IVF), and measures:
build time, resident memory added by the index, single-query search p50/p95 (one query at a
time, as the query path does), and recall@10 of the approximate index against the exact one.

Vector distributions:
  * ``uniform``: i.i.d. random unit vectors — the worst case for any ANN index (no structure,
    every point is nearly equidistant from every other).
  * ``lowrank``: unit vectors near a random 32-d subspace (plus 384-d isotropic noise), a
    closer stand-in for sentence embeddings, whose intrinsic dimension is low.
Query sets (200 each): ``perturbed`` corpus vectors (cosine ~0.9 to their source) and ``random``
unit vectors.

BM25 (``--only-bm25`` / part of the default run): generated Zipf-distributed text indexed with
bm25s; build time, memory, and p50 of ``get_scores`` + top-50 selection (what ``Retriever.sparse``
does) for 3-word queries.

Usage: python bench/scale.py [--sizes 10000,100000,1000000] [--data uniform,lowrank]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import PY, load, pct, save, table, write_block  # noqa: E402

DIM = 384
K = 10
N_QUERIES = 200
HNSW_EF = [16, 32, 64, 128, 256, 512]
IVF_NPROBE = [1, 4, 8, 16, 32, 64, 128, 256, 512]


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def normalize(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def gen_vectors(n: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    out = np.empty((n, DIM), dtype=np.float32)
    basis = rng.standard_normal((32, DIM), dtype=np.float32) if kind == "lowrank" else None
    step = 100_000
    for s in range(0, n, step):
        m = min(step, n - s)
        if kind == "uniform":
            block = rng.standard_normal((m, DIM), dtype=np.float32)
        elif kind == "lowrank":
            z = rng.standard_normal((m, 32), dtype=np.float32)
            block = z @ basis + 0.25 * np.sqrt(32) * rng.standard_normal((m, DIM), dtype=np.float32)
        else:
            raise ValueError(kind)
        out[s:s + m] = normalize(block)
    return out


def gen_queries(x: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    src = x[rng.choice(len(x), N_QUERIES, replace=False)]
    # noise of norm ~0.48 on a unit vector gives cosine ~0.9 to the source
    noise = rng.standard_normal(src.shape, dtype=np.float32) * (0.48 / np.sqrt(DIM))
    return {"perturbed": normalize(src + noise),
            "random": normalize(rng.standard_normal((N_QUERIES, DIM), dtype=np.float32))}


def time_single(index, q: np.ndarray, k: int = K, limit_s: float = 60.0) -> tuple[dict, np.ndarray]:
    times, ids = [], []
    t_end = time.perf_counter() + limit_s
    for i in range(len(q)):
        t = time.perf_counter()
        _, found = index.search(q[i:i + 1], k)
        times.append(time.perf_counter() - t)
        ids.append(found[0])
        if time.perf_counter() > t_end:
            break
    ms = np.array(times) * 1000
    return {"p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "n": len(ms)}, np.array(ids)


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    n = min(len(found), len(truth))
    return float(np.mean([len(set(found[i]) & set(truth[i])) / K for i in range(n)]))


def ivf_nlist(n: int) -> int:
    from qa.index.vectors import ivf_nlist as rule

    return rule(n)


def child_vectors(n: int, data: str, kinds: list[str], seed: int) -> dict:
    import faiss

    import qa.index.vectors as V

    rng = np.random.default_rng(seed)
    t = time.perf_counter()
    x = gen_vectors(n, data, rng)
    qs = gen_queries(x, rng)
    res: dict = {"n": n, "data": data, "gen_s": time.perf_counter() - t, "runs": []}

    # exact
    base = rss_mb()
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(DIM)
    flat.add(x)
    build = time.perf_counter() - t
    mem = rss_mb() - base
    truth = {name: flat.search(q, K)[1] for name, q in qs.items()}  # batched: BLAS
    lat, _ = time_single(flat, qs["perturbed"])
    res["runs"].append({"kind": "flat", "params": "", "build_s": build, "mem_mb": mem, **lat,
                        "recall": {name: 1.0 for name in qs}})
    del flat
    gc.collect()

    for kind in kinds:
        base = rss_mb()
        t = time.perf_counter()
        if kind.startswith("hnsw"):
            # hnsw or hnswM_efC, e.g. hnsw16_40
            m, efc = (V.HNSW_M, V.HNSW_EF_CONSTRUCTION)
            if "_" in kind:
                m, efc = (int(v) for v in kind[4:].split("_"))
            index = faiss.IndexHNSWFlat(DIM, m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = efc
            index.add(x)
            params = f"M={m} efC={efc}"
            sweep = [("efSearch", ef) for ef in HNSW_EF]
        elif kind.startswith("ivf"):
            nlist = int(kind[3:]) if len(kind) > 3 else ivf_nlist(n)
            index = V.build_vector_index(x, "ivf", nlist=nlist) if hasattr(V, "ivf_nlist") else None
            params = f"nlist={nlist}"
            sweep = [("nprobe", p) for p in IVF_NPROBE if p <= nlist]
        else:
            raise ValueError(kind)
        build = time.perf_counter() - t
        mem = rss_mb() - base
        for pname, pval in sweep:
            if pname == "efSearch":
                index.hnsw.efSearch = pval
            else:
                index.nprobe = pval
            lat, _ = time_single(index, qs["perturbed"], limit_s=30)
            rec = {name: recall(index.search(q, K)[1], truth[name]) for name, q in qs.items()}
            res["runs"].append({"kind": kind.rstrip("0123456789_") or kind,
                                "params": f"{params} {pname}={pval}", "build_s": build, "mem_mb": mem,
                                **lat, "recall": rec})
            print(f"  {n} {data} {kind} {pname}={pval} p50={lat['p50_ms']:.2f}ms "
                  f"recall={rec}", file=sys.stderr, flush=True)
        del index
        gc.collect()
    res["peak_mb"] = peak_mb()
    return res


def flat_curve(sizes: list[int], seed: int = 0) -> list[dict]:
    """Single-query p50 of the exact index alone over a range of sizes: where flat gets too slow."""
    import faiss

    rng = np.random.default_rng(seed)
    out = []
    for n in sizes:
        x = gen_vectors(n, "lowrank", rng)
        q = gen_queries(x, rng)["perturbed"]
        flat = faiss.IndexFlatIP(DIM)
        flat.add(x)
        lat, _ = time_single(flat, q, limit_s=20)
        out.append({"n": n, **lat})
        print(f"  flat {n}: p50={lat['p50_ms']:.2f} ms", file=sys.stderr, flush=True)
        del flat, x
        gc.collect()
    return out


def gen_texts(n: int, rng: np.random.Generator, vocab_size: int = 50_000, mean_len: int = 60):
    vocab = np.array([f"w{i}" for i in range(vocab_size)], dtype=object)
    ranks = np.arange(1, vocab_size + 1)
    p = 1.0 / ranks**1.07
    p /= p.sum()
    lens = np.clip(rng.poisson(mean_len, n), 5, 200)
    flat_ids = rng.choice(vocab_size, int(lens.sum()), p=p)
    docs, s = [], 0
    for ln in lens:
        docs.append(vocab[flat_ids[s:s + ln]].tolist())
        s += ln
    return docs, vocab, p


def child_bm25(n: int, seed: int) -> dict:
    import bm25s

    rng = np.random.default_rng(seed)
    t = time.perf_counter()
    docs, vocab, p = gen_texts(n, rng)
    gen = time.perf_counter() - t
    base = rss_mb()
    t = time.perf_counter()
    bm = bm25s.BM25()
    bm.index(docs, show_progress=False)
    build = time.perf_counter() - t
    del docs
    gc.collect()
    mem = rss_mb() - base
    # queries: 3 words from the 100..5000 most frequent ones (content words, not stopwords)
    times = []
    for _ in range(N_QUERIES):
        q = list(vocab[rng.integers(100, 5000, 3)])
        t = time.perf_counter()
        scores = bm.get_scores(q)
        top = np.argpartition(-scores, 49)[:50]
        top[np.argsort(-scores[top], kind="stable")]
        times.append(time.perf_counter() - t)
    ms = np.array(times) * 1000
    return {"n": n, "data": "text", "gen_s": gen, "build_s": build, "mem_mb": mem,
            "p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "peak_mb": peak_mb()}


def run_child(args: list[str], timeout: float) -> dict | None:
    cmd = [str(PY), __file__, "--child", *args]
    print("$", " ".join(cmd[2:]), file=sys.stderr, flush=True)
    try:
        p = subprocess.run(cmd, capture_output=False, stdout=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  timed out after {timeout:.0f} s", file=sys.stderr)
        return None
    if p.returncode != 0:
        print(f"  failed ({p.returncode})", file=sys.stderr)
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def render(results: dict) -> str:
    lines = ["### Scale: vector search (synthetic 384-d unit vectors, k=10, one query at a time)", ""]
    rows = []
    for r in results.get("vectors", []):
        for run in r["runs"]:
            rows.append([f"{r['n']:,}", r["data"], run["kind"], run["params"], run["build_s"],
                         run["mem_mb"], run["p50_ms"], run["p95_ms"],
                         run["recall"].get("perturbed", float("nan")),
                         run["recall"].get("random", float("nan"))])
    lines.append(table(["n", "data", "index", "params", "build s", "mem MB", "p50 ms", "p95 ms",
                        "recall@10 perturbed", "recall@10 random"], rows))
    if results.get("flat_curve"):
        lines += ["", "### Scale: exact search (IndexFlatIP) single-query latency by corpus size (lowrank data)", ""]
        lines.append(table(["n", "p50 ms", "p95 ms"],
                           [[f"{r['n']:,}", r["p50_ms"], r["p95_ms"]] for r in results["flat_curve"]]))
    if results.get("bm25"):
        lines += ["", "### Scale: BM25 (bm25s, generated Zipf text, ~60 words/passage, 3-word queries,"
                  " get_scores + top-50)", ""]
        lines.append(table(["n", "build s", "mem MB", "p50 ms", "p95 ms", "child peak MB"],
                           [[f"{r['n']:,}", r["build_s"], r["mem_mb"], r["p50_ms"], r["p95_ms"], r["peak_mb"]]
                            for r in results["bm25"]]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--data", default="lowrank,uniform")
    ap.add_argument("--kinds", default="ivf,hnsw16_40",
                    help="approximate indexes, e.g. ivf,ivf4096,hnsw32_80")
    ap.add_argument("--bm25-sizes", default="10000,100000,1000000", help="'' to skip BM25")
    ap.add_argument("--flat-curve", default="", help="sizes for the exact-search p50 curve, e.g. 5000,20000")
    ap.add_argument("--timeout", type=float, default=1200, help="per child, seconds")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        text = a.one == "text"
        out = child_bm25(a.n, a.seed) if text else child_vectors(a.n, a.one, a.kinds.split(","), a.seed)
        print(json.dumps(out))
        return out

    # merge with earlier runs: a re-run replaces the rows of the same (n, data) only
    prev = load("scale") or {}
    results: dict = {"vectors": prev.get("vectors", []), "bm25": prev.get("bm25", []),
                     "flat_curve": prev.get("flat_curve", [])}

    def put(key: str, row: dict) -> None:
        results[key] = [r for r in results[key] if (r["n"], r["data"]) != (row["n"], row["data"])] + [row]
        results[key].sort(key=lambda r: (r["n"], r["data"]))
        save("scale", results)

    if a.flat_curve:
        results["flat_curve"] = flat_curve([int(s) for s in a.flat_curve.split(",")], a.seed)
        save("scale", results)
    sizes = [int(s) for s in a.sizes.split(",") if s]
    for n in sizes:
        for data in [d for d in a.data.split(",") if d]:
            args = ["--n", str(n), "--one", data, "--kinds", a.kinds, "--seed", str(a.seed)]
            r = run_child(args, a.timeout)
            if r:
                put("vectors", r)
    for n in [int(s) for s in a.bm25_sizes.split(",") if s]:
        r = run_child(["--n", str(n), "--one", "text", "--seed", str(a.seed)], a.timeout)
        if r:
            put("bm25", r)
    save("scale", results)
    write_block("scale", render(results))
    return results


if __name__ == "__main__":
    main()
