"""Reliability under load: N ``POST /api/ask`` at concurrency C against a real ``qa serve``.

Spawns ``qa serve`` on a free loopback port, then sends ``--requests`` questions (default 5,000)
from ``--concurrency`` keep-alive connections (default 32), bounded by ``--time-limit`` seconds.
Questions cycle through the eval set; a ``--unique`` fraction of them get a distinct suffix so the
caches keep seeing new text (a leak in a cache would show). Reports errors (any non-200 or
connection failure), p50/p95/p99 latency, and the resident memory of the server (psutil, the
process and its children) when the first 1,000 requests are done and at the end: growth must stay
under 10%. Raw figures go to ``bench/out/load.json``; ``--write`` puts the table into
``bench/RESULTS.md`` under "Reliability".

    .venv/bin/python bench/load.py --index data/index
    .venv/bin/python bench/load.py --index data/index --requests 2000 --concurrency 16 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, load_questions, machine, save, summary_ms, table, write_block  # noqa: E402
from http_bench import drive, free_port, start_server, stop_server, wait_ready  # noqa: E402


def server_rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children (uvicorn workers), in MB."""
    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return float("nan")
    total = 0
    for q in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += q.memory_info().rss
    return total / 1024 / 1024


async def run_load(port: int, pid: int, bodies: list[bytes], concurrency: int, n_requests: int,
                   time_limit: float, window: int) -> dict:
    lat: list[float] = []
    statuses: dict[str, int] = {}
    failures: list[str] = []
    marks: dict[int, float] = {}  # requests done -> server RSS MB
    done = 0

    def record(status, body, seconds) -> None:
        nonlocal done
        done += 1
        if done % window == 0:
            marks[done] = server_rss_mb(pid)
        if status is None:
            failures.append(f"{type(body).__name__}: {body}")
            return
        lat.append(seconds)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status != 200 and len(failures) < 50:
            failures.append(f"{status}: {body[:200]!r}")

    wall, timed_out = await drive(port, bodies, concurrency, n_requests, time_limit, record)
    ok = statuses.get("200", 0)
    return {"concurrency": concurrency, "requests": done, "ok": ok, "errors": done - ok,
            "status": statuses, "failures": failures[:20], "wall_s": wall,
            "throughput_rps": ok / wall if wall else 0.0, "latency": summary_ms(lat),
            "max_ms": max(lat) * 1000 if lat else float("nan"), "rss_mb_by_requests": marks,
            "timed_out": timed_out}


def run(index: Path, questions: Path, n_requests: int, concurrency: int, time_limit: float,
        workers: int | None, unique: float, window: int) -> dict:
    qs = load_questions(questions)
    every = round(1 / unique) if unique > 0 else 0
    bodies = []
    for i in range(max(n_requests, len(qs))):
        q = qs[i % len(qs)]
        text = q["question"] if not every or i % every else f"{q['question']} (variant {i})"
        bodies.append(json.dumps({"question": text, "history": q.get("history") or []}).encode())
    port = free_port()
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    log = open(ROOT / "bench" / "out" / "load_server.log", "w")  # noqa: SIM115
    proc = start_server(index, port, workers, log)
    res: dict = {"index": str(index), "workers": workers or 1, "n_requests": n_requests,
                 "concurrency": concurrency, "time_limit_s": time_limit, "unique_fraction": unique}
    try:
        res["ready_s"] = asyncio.run(wait_ready(port, proc, timeout=120))
        res["rss_mb_ready"] = server_rss_mb(proc.pid)
        r = asyncio.run(run_load(port, proc.pid, bodies, concurrency, n_requests, time_limit, window))
        res.update(r)
        res["rss_mb_end"] = server_rss_mb(proc.pid)
        marks = r["rss_mb_by_requests"]
        first = marks.get(window)
        last = marks.get(max(marks)) if marks else None
        res["rss_mb_first_window"] = first
        res["rss_mb_last_window"] = last
        res["rss_growth_pct"] = (last - first) / first * 100 if first and last else float("nan")
        res["server_alive"] = proc.poll() is None
    finally:
        stop_server(proc)
        log.close()
    save("load", res)
    return res


def render(r: dict) -> str:
    lat = r["latency"]
    verdict_err = "PASS" if r["errors"] == 0 and r["requests"] == r["n_requests"] else "MISS"
    verdict_mem = "PASS" if r["rss_growth_pct"] < 10 else "MISS"
    m = machine()
    return "\n".join([
        "## Reliability", "",
        f"`bench/load.py`: {r['n_requests']:,} `POST /api/ask` at concurrency {r['concurrency']} against "
        f"`qa serve` ({r['workers']} worker(s)) on loopback, keep-alive; eval questions cycled, "
        f"{r['unique_fraction']:.0%} made unique (no cache hits). {m['nproc']} CPUs, {m['date']}.", "",
        table(["requests", "ok", "errors", "answers/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
               "RSS after 1k MB", "RSS at end MB", "growth", "verdict"],
              [[r["requests"], r["ok"], r["errors"], r["throughput_rps"], lat["p50"], lat["p95"], lat["p99"],
                r["max_ms"], r["rss_mb_first_window"], r["rss_mb_last_window"],
                f"{r['rss_growth_pct']:+.1f}%", f"errors {verdict_err}, memory {verdict_mem}"]]),
        "", f"RSS at ready: {r['rss_mb_ready']:.0f} MB; per 1,000 requests: "
        + ", ".join(f"{k}: {v:.0f}" for k, v in sorted((int(k), v) for k, v in r["rss_mb_by_requests"].items()))
        + " MB."])


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=ROOT / "data" / "index")
    ap.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds, for the whole run")
    ap.add_argument("--workers", type=int, default=None, help="qa serve --workers")
    ap.add_argument("--unique", type=float, default=0.5, help="fraction of questions made unique")
    ap.add_argument("--window", type=int, default=1000, help="memory is sampled every this many requests")
    ap.add_argument("--write", action="store_true", help="write the table into bench/RESULTS.md")
    a = ap.parse_args(argv)
    r = run(a.index.resolve(), a.questions, a.requests, a.concurrency, a.time_limit, a.workers, a.unique,
            a.window)
    text = render(r)
    print(text)
    if r["failures"]:
        print("failures:", *r["failures"][:10], sep="\n  ", file=sys.stderr)
    if a.write:
        write_block("reliability", text)
    return r


if __name__ == "__main__":
    main()
