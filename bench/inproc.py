"""In-process answer latency: ``qa.answer.answer(index, question, history)`` over the eval questions.

Two passes: ``cold cache`` (the query-embedding cache emptied first, so every question is
encoded) and ``warm cache`` (the same questions again: what a repeated question costs). Also
times the parts: ONNX query encoding (cache bypassed), dense search alone, hybrid search, so the
figures can be set against the anchors, and writes a cProfile of one pass to bench/out/.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import ANCHORS, OUT, ROOT, load_questions, save, summary_ms, table, verdict, write_block  # noqa: E402


def load(index_dir: Path):
    from qa.index.load import load_index
    from qa.settings import get_settings

    s = get_settings(index_dir=index_dir)
    return load_index(s.index_dir, s.model)


def clear_cache(idx) -> None:
    enc = idx.retriever.encoder
    with enc._lock:
        enc._cache.clear()


def run(index_dir: Path, questions_path: Path, repeat_warm: int = 1, profile: bool = True) -> dict:
    from qa.answer.pipeline import answer

    t = time.perf_counter()
    idx = load(index_dir)
    load_s = time.perf_counter() - t
    qs = load_questions(questions_path)
    pairs = [(q["question"], q.get("history") or []) for q in qs]

    answer(idx, "warm-up question about the population", [])  # first call: lazy imports, ORT warm-up

    def one_pass() -> list[float]:
        out = []
        for question, history in pairs:
            t0 = time.perf_counter()
            answer(idx, question, history)
            out.append(time.perf_counter() - t0)
        return out

    clear_cache(idx)
    cold = one_pass()
    warm: list[float] = []
    for _ in range(repeat_warm):
        warm += one_pass()

    enc = idx.retriever.encoder
    texts = [q for q, _ in pairs]
    enc_t = []
    for text in texts:
        t0 = time.perf_counter()
        enc.encode([text])
        enc_t.append(time.perf_counter() - t0)
    vecs = enc.encode(texts[:1])
    vidx = idx.retriever.vindex
    k = min(50, vidx.ntotal)
    dense_t = []
    for _ in range(2000):
        t0 = time.perf_counter()
        vidx.search(vecs, k)
        dense_t.append(time.perf_counter() - t0)
    hybrid_t = []
    clear_cache(idx)
    for text in texts:  # hybrid retrieval with the cache warm: correction + BM25 + dense search + RRF
        idx.search(text, 5)  # (the retriever encodes the corrected, lower-cased query: warm that key)
    for text in texts:
        t0 = time.perf_counter()
        idx.search(text, 5)
        hybrid_t.append(time.perf_counter() - t0)

    prof_file = None
    if profile:
        clear_cache(idx)
        pr = cProfile.Profile()
        pr.enable()
        one_pass()
        pr.disable()
        OUT.mkdir(parents=True, exist_ok=True)
        prof_file = OUT / "inproc.prof"
        pr.dump_stats(prof_file)
        st = pstats.Stats(pr)
        st.sort_stats("cumulative")
        rows = []
        for (file, line, fn), (_cc, nc, tt, ct, _callers) in st.stats.items():
            rows.append((ct, tt, nc, f"{Path(file).name}:{line}({fn})"))
        rows.sort(reverse=True)
        top = [{"cum_ms_per_q": ct / len(pairs) * 1000, "self_ms_per_q": tt / len(pairs) * 1000, "calls": nc,
                "fn": name} for ct, tt, nc, name in rows[:40]]
    else:
        top = []

    res = {
        "index": str(index_dir), "passages": len(idx.passages), "questions": len(pairs),
        "load_index_s": load_s,
        "answer_cold_cache": summary_ms(cold), "answer_warm_cache": summary_ms(warm),
        "onnx_encode": summary_ms(enc_t), "dense_search_us_p50": float(np.median(dense_t) * 1e6),
        "dense_k": k, "hybrid_search_warm": summary_ms(hybrid_t), "profile_top": top,
        "profile_file": str(prof_file) if prof_file else None,
    }
    save("inproc", res)
    write_block("inproc", render(res))
    return res


def render(r: dict) -> str:
    c, w = r["answer_cold_cache"], r["answer_warm_cache"]
    rows = [
        ["answer, cold embedding cache", c["p50"], c["p95"], c["p99"], c["mean"],
         f"p50 {verdict(c['p50'], 10)} / p95 {verdict(c['p95'], 20)}"],
        ["answer, warm embedding cache", w["p50"], w["p95"], w["p99"], w["mean"],
         f"p50 {verdict(w['p50'], 10)} / p95 {verdict(w['p95'], 20)}"],
        ["ONNX query encode (no cache)", r["onnx_encode"]["p50"], r["onnx_encode"]["p95"],
         r["onnx_encode"]["p99"], r["onnx_encode"]["mean"],
         f"{ANCHORS['onnx_encode_ms'] / r['onnx_encode']['p50']:.2f}x anchor speed; "
         f"{ANCHORS['st_encode_ms'] / r['onnx_encode']['p50']:.1f}x faster than ST anchor"],
        ["hybrid retrieval (cache warm)", r["hybrid_search_warm"]["p50"], r["hybrid_search_warm"]["p95"],
         r["hybrid_search_warm"]["p99"], r["hybrid_search_warm"]["mean"], ""],
    ]
    lines = [f"### In-process answer latency ({r['questions']} eval questions, {r['passages']} passages)", "",
             table(["what", "p50 ms", "p95 ms", "p99 ms", "mean ms", "target / anchor"], rows), "",
             f"FAISS dense search alone (k={r['dense_k']}): p50 {r['dense_search_us_p50']:.1f} µs "
             f"(anchor: {ANCHORS['flat25_search_us']:.0f} µs for 25 passages). "
             f"Index load: {r['load_index_s'] * 1000:.0f} ms."]
    if r.get("profile_top"):
        lines += ["", "Top of the cProfile (cold cache pass), cumulative ms per question:", "",
                  table(["function", "cum ms/q", "self ms/q", "calls"],
                        [[t["fn"], t["cum_ms_per_q"], t["self_ms_per_q"], t["calls"]]
                         for t in r["profile_top"][:15]])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", type=Path, default=ROOT / "data" / "index")
    ap.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    ap.add_argument("--no-profile", action="store_true")
    a = ap.parse_args(argv)
    r = run(a.index, a.questions, profile=not a.no_profile)
    print(render(r))
    return r


if __name__ == "__main__":
    main()
