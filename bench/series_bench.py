"""The series at scale: 1,000 generated reports (``bench/series_gen.py``) in one index.

Measures, and writes to the ``series`` block of bench/RESULTS.md:

* full build: ``qa index --full`` in a subprocess (wall time, CPU time, peak RSS from ``os.wait4``);
* adding one report: ``qa add PAGE.html`` of a new generated report (wall time of the command,
  and the build's own time from its manifest), then changing one report and rebuilding, and a
  rebuild with nothing changed;
* answers: ``qa.answer`` in this process over the fixed question list written by the generator
  (``questions.jsonl``: real series questions put to generated reports), query-embedding cache
  cold, after one warm-up question; p50/p95 and, when the p50 misses its target, a cProfile of
  the pass (top functions), plus the index load time and the RSS of this process;
* ``qa serve`` cold start: spawn to the first 200 from ``POST /api/ask`` (median of 3).

Targets (issue 13): adding one report <= 5 s; answer p50 <= 15 ms; cold start <= 2 s.

    .venv/bin/python bench/series_bench.py [--n 1000] [--work DIR] [--skip-full]   # or: make bench-series
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import QA, ROOT, load_questions, save, summary_ms, table, verdict, write_block  # noqa: E402

ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}
TARGETS = {"add_s": 5.0, "answer_p50_ms": 15.0, "coldstart_s": 2.0}


def run_qa(args: list[str]) -> dict:
    """``qa ARGS`` in a child process: wall seconds and the last lines of its output."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(QA), *args], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"qa {' '.join(args[:2])} failed ({proc.returncode}): {err.decode()[-400:]}")
    return {"wall_s": wall, "stdout": out.decode().strip().splitlines()[-3:]}


def timed_child(args: list[str]) -> dict:
    """Like ``run_qa`` with rusage of the child (``os.wait4``)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(QA), *args], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"qa {' '.join(args[:2])} failed ({code}): {err[-400:]}")
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "maxrss_mb": ru.ru_maxrss / 1024,
            "stdout": out.strip().splitlines()[-1:]}


def manifest(index: Path) -> dict:
    return json.loads((index / "manifest.json").read_text())


def builds(work: Path, corpus: Path, index: Path, n: int, previous: dict | None = None) -> dict:
    from series_gen import substitute
    from yearbook_page import wrap

    res: dict = {}
    extra = work / "extra"
    extra.mkdir(exist_ok=True)
    if previous is None:
        full = timed_child(["index", "--corpus", str(corpus), "--index", str(index), "--quiet", "--full"])
        m = manifest(index)
        res["full"] = {**full, "build_s": m["build_seconds"], "counts": m["counts"], "skipped": len(m["skipped"])}
        print(f"full build: {full['wall_s']:.1f} s {m['counts']}", file=sys.stderr, flush=True)
    else:  # --skip-full: the corpus back to the generated reports, the full build's figures kept
        res["full"] = previous["full"]
        for f in corpus.glob("gansu-19*.html"):
            f.unlink()
        run_qa(["index", "--corpus", str(corpus), "--index", str(index), "--quiet"])

    # Adding one report: a region/year pair the series does not have yet, saved as a yearbook page.
    have = {p.stem for p in corpus.iterdir()}
    src_txt = ROOT / "eval" / "series" / "corpus" / "guizhou-2011.txt"
    src_meta = json.loads(src_txt.with_suffix(".json").read_text())
    year = next(y for y in range(1990, 2001) if f"gansu-{y}" not in have)
    body = substitute(src_txt.read_text(encoding="utf-8"), src_meta, "Gansu", year, random.Random(n))
    page = extra / "saved page.html"
    page.write_bytes(wrap(body, {"id": f"gansu-{year}", "year": year, "region": "Gansu"}, "p"))
    add = run_qa(["add", str(page), "--corpus", str(corpus), "--index", str(index), "--quiet"])
    m = manifest(index)
    res["add"] = {**add, "build_s": m["build_seconds"], "build": m["build"]}
    print(f"add one report: {add['wall_s']:.2f} s {m['build']}", file=sys.stderr, flush=True)

    # Changing one report, and a rebuild with nothing changed.
    victim = sorted(corpus.glob("*.txt"))[len(have) // 4]
    original = victim.read_text(encoding="utf-8")
    victim.write_text(original.replace("Yuan", "yuan", 1) + "\n", encoding="utf-8")
    change = run_qa(["index", "--corpus", str(corpus), "--index", str(index), "--quiet"])
    m = manifest(index)
    res["change"] = {**change, "build_s": m["build_seconds"], "build": m["build"]}
    noop = run_qa(["index", "--corpus", str(corpus), "--index", str(index), "--quiet"])
    m = manifest(index)
    res["noop"] = {**noop, "build_s": m["build_seconds"], "build": m["build"]}
    return res


def answers(index: Path, questions: Path, profile_top: int = 25) -> dict:
    import psutil

    from qa.answer.pipeline import answer
    from qa.index.load import load_index
    from qa.settings import get_settings

    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    s = get_settings(index_dir=index)
    t0 = time.perf_counter()
    idx = load_index(s.index_dir, s.model, s.encoder_int8)
    load_s = time.perf_counter() - t0
    rss_loaded = proc.memory_info().rss
    pairs = [(q["question"], q.get("history") or []) for q in load_questions(questions)]
    answer(idx, "warm-up question about the population", [])
    idx.retriever.encoder._cache.clear()
    times, answered = [], 0
    for q, h in pairs:
        t = time.perf_counter()
        a = answer(idx, q, h)
        times.append(time.perf_counter() - t)
        answered += int(a.answered)
    res = {"load_s": load_s, "n": len(pairs), "answered": answered, "ms": summary_ms(times),
           "rss_before_mb": rss0 / 2**20, "rss_loaded_mb": rss_loaded / 2**20,
           "rss_after_mb": proc.memory_info().rss / 2**20, "passages": len(idx.passages), "facts": len(idx.facts)}
    idx.retriever.encoder._cache.clear()
    prof = cProfile.Profile()
    prof.enable()
    for q, h in pairs:
        answer(idx, q, h)
    prof.disable()
    st = pstats.Stats(prof)
    rows = sorted(st.stats.items(), key=lambda kv: -kv[1][3])[:profile_top]  # by cumulative time
    res["profile"] = [{"function": f"{Path(k[0]).name}:{k[1]}({k[2]})", "cum_ms_per_q": v[3] * 1000 / len(pairs),
                       "self_ms_per_q": v[2] * 1000 / len(pairs), "calls": v[1]} for k, v in rows]
    return res


def coldstart(index: Path, repeats: int = 3) -> dict:
    from coldstart import serve_cold

    runs = [serve_cold(index) for _ in range(repeats)]
    return {"serve_s": runs, "median_s": statistics.median(runs)}


def render(r: dict) -> str:
    b, a, c = r["builds"], r["answers"], r["coldstart"]
    ms = a["ms"]
    rows = [
        ["full build (`qa index --full`)", f"{b['full']['wall_s']:.0f} s wall"
         + (f", {b['full']['cpu_s']:.0f} s CPU, peak RSS {b['full']['maxrss_mb']:.0f} MB" if b["full"].get("cpu_s")
            else "") + f"; {b['full']['counts']}", "-", ""],
        ["add one report (`qa add PAGE.html`, whole command)", f"{b['add']['wall_s']:.2f} s (build itself "
         f"{b['add']['build_s']:.2f} s; {b['add']['build']['embedded_passages']} passages embedded)",
         "<= 5 s", verdict(b["add"]["wall_s"], TARGETS["add_s"])],
        *([["change one report (`qa index`)", f"{b['change']['wall_s']:.2f} s (build {b['change']['build_s']:.2f} s; "
            f"{b['change']['build']['embedded_passages']} passages embedded)", "", ""]] if "change" in b else []),
        *([["nothing changed (`qa index`)", f"{b['noop']['wall_s']:.2f} s (build {b['noop']['build_s']:.2f} s)", "",
            ""]] if "noop" in b else []),
        [f"answer, in-process ({a['n']} questions, cache cold)", f"p50 {ms['p50']:.1f} ms, p95 {ms['p95']:.1f} ms, "
         f"p99 {ms['p99']:.1f} ms ({a['answered']} answered)", "p50 <= 15 ms",
         verdict(ms["p50"], TARGETS["answer_p50_ms"])],
        ["index load (in-process)", f"{a['load_s']:.2f} s", "", ""],
        ["memory (RSS of the answering process)", f"{a['rss_loaded_mb']:.0f} MB after load, "
         f"{a['rss_after_mb']:.0f} MB after the questions ({a['passages']} passages, {a['facts']} facts)", "", ""],
        ["`qa serve` cold start (spawn to first 200 from POST /api/ask)",
         f"median {c['median_s']:.2f} s ({', '.join(f'{x:.2f}' for x in c['serve_s'])})", "<= 2 s",
         verdict(c["median_s"], TARGETS["coldstart_s"])],
    ]
    lines = [f"### Series at scale: {r['n']} generated reports (`bench/series_bench.py`, seed {r['seed']})", "",
             table(["what", "measured", "target", "verdict"], rows), "",
             "Top of the cProfile of the answer pass (cumulative ms per question):", "",
             table(["function", "cum ms/q", "self ms/q", "calls"],
                   [[p["function"], p["cum_ms_per_q"], p["self_ms_per_q"], p["calls"]] for p in a["profile"][:15]])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "series")
    ap.add_argument("--skip-full", action="store_true",
                    help="keep WORK's corpus and index and the last run's full-build figures; measure the rest")
    a = ap.parse_args(argv)
    corpus, index = a.work / "corpus", a.work / "index"
    from series_gen import generate

    if not a.skip_full:
        shutil.rmtree(a.work, ignore_errors=True)
        a.work.mkdir(parents=True)
        generate(a.work, a.n, a.seed)
        r_builds = builds(a.work, corpus, index, a.n)
        save("series", {"n": a.n, "seed": a.seed, "builds": r_builds})  # kept for --skip-full
    else:
        previous = json.loads((ROOT / "bench" / "out" / "series.json").read_text())["builds"]
        r_builds = builds(a.work, corpus, index, a.n, previous)
    r = {"n": a.n, "seed": a.seed, "builds": r_builds, "answers": answers(index, a.work / "questions.jsonl"),
         "coldstart": coldstart(index)}
    save("series", r)
    write_block("series", render(r))
    print(render(r))
    return r


if __name__ == "__main__":
    main()
