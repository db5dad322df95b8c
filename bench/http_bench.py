"""HTTP benchmark: ``POST /api/ask`` against a real ``qa serve`` process on loopback.

Starts ``qa serve --index DIR --port P`` (a free port), waits for ``GET /api/health``, then runs
a bounded load client: a fixed number of requests and a time limit per level, over keep-alive
HTTP/1.1 connections (a minimal asyncio client: httpx costs ~1 ms of client CPU per request,
which on 2 cores would be taken from the server). Concurrency 1 gives latency; 8, 16 (the
target) and 32 give throughput. Questions cycle through the eval set; ``--unique`` makes each
one distinct (a suffix) so the query-embedding cache never hits: the worst case.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import QA, ROOT, load_questions, save, summary_ms, table, verdict, write_block  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Conn:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            data = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readline()).strip().split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            data = b"".join(parts)
        else:
            data = await self.reader.read()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def drive(port: int, bodies: list[bytes], concurrency: int, n_requests: int, time_limit: float,
                record) -> tuple[float, bool]:
    """The bounded load client: ``concurrency`` keep-alive connections send ``POST /api/ask`` with
    ``bodies`` (cycled) until ``n_requests`` are sent or ``time_limit`` seconds pass. Each outcome
    goes to ``record(status, body, seconds)``, or ``record(None, exception, None)`` for a
    connection failure. Returns the wall time and whether the time limit cut the run short."""
    next_i = 0
    deadline = time.perf_counter() + time_limit

    async def worker() -> None:
        nonlocal next_i
        conn = Conn("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                i = next_i
                if i >= n_requests:
                    return
                next_i += 1
                t0 = time.perf_counter()
                try:
                    status, body = await asyncio.wait_for(
                        conn.request("POST", "/api/ask", bodies[i % len(bodies)]), timeout=30)
                except (ConnectionError, asyncio.IncompleteReadError, OSError, TimeoutError) as exc:
                    conn.close()
                    record(None, exc, None)
                    continue
                record(status, body, time.perf_counter() - t0)
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - t0, time.perf_counter() >= deadline


async def load_level(port: int, bodies: list[bytes], concurrency: int, n_requests: int,
                     time_limit: float) -> dict:
    lat: list[float] = []
    status_counts: dict[int, int] = {}
    errors = 0

    def record(status, _body, seconds) -> None:
        nonlocal errors
        if status is None:
            errors += 1
            return
        lat.append(seconds)
        status_counts[status] = status_counts.get(status, 0) + 1
        if status != 200:
            errors += 1

    wall, timed_out = await drive(port, bodies, concurrency, n_requests, time_limit, record)
    ok = status_counts.get(200, 0)
    return {"concurrency": concurrency, "requests": len(lat), "ok": ok, "errors": errors,
            "status": {str(k): v for k, v in status_counts.items()}, "wall_s": wall,
            "throughput_rps": ok / wall if wall else 0.0, "latency": summary_ms(lat),
            "timed_out": timed_out}


def start_server(index: Path, port: int, workers: int | None = None, log=None) -> subprocess.Popen:
    cmd = [str(QA), "serve", "--index", str(index), "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen(cmd, stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL,
                            env=env, cwd=ROOT, start_new_session=True)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


async def poll_until_ok(port: int, proc: subprocess.Popen, method: str, path: str, body: bytes = b"",
                        timeout: float = 60.0, interval: float = 0.05, t0: float | None = None) -> float:
    """Send ``method path`` to a starting ``qa serve`` until it answers 200; seconds since ``t0``."""
    t0 = time.perf_counter() if t0 is None else t0
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"qa serve exited with {proc.returncode}")
        conn = Conn("127.0.0.1", port)
        try:
            status, _ = await conn.request(method, path, body)
            if status == 200:
                return time.perf_counter() - t0
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
            pass
        finally:
            conn.close()
        await asyncio.sleep(interval)
    raise TimeoutError(f"qa serve did not answer {method} {path} with 200")


async def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> float:
    return await poll_until_ok(port, proc, "GET", "/api/health", timeout=timeout)


def run(index: Path, questions_path: Path, levels: list[int], n_requests: int, time_limit: float,
        workers: int | None, unique: bool) -> dict:
    qs = load_questions(questions_path)
    bodies = [json.dumps({"question": q["question"], "history": q.get("history") or []}).encode() for q in qs]
    unique_bodies = [json.dumps({"question": f"{q['question']} (variant {i})",
                                 "history": q.get("history") or []}).encode()
                     for i, q in enumerate(qs * (1 + (n_requests * 2) // max(1, len(qs))))]
    port = free_port()
    log = open(ROOT / "bench" / "out" / "http_server.log", "w")  # noqa: SIM115
    proc = start_server(index, port, workers, log)
    res: dict = {"index": str(index), "workers": workers or 1, "n_requests": n_requests,
                 "time_limit_s": time_limit, "levels": []}
    try:
        res["ready_s"] = asyncio.run(wait_ready(port, proc))
        # warm-up: every eval question once (fills the embedding cache like a live server's)
        asyncio.run(load_level(port, bodies, 4, len(bodies), 120))
        for c in levels:
            r = asyncio.run(load_level(port, bodies, c, n_requests if c > 1 else min(n_requests, 400),
                                       time_limit))
            r["questions"] = "eval (cycled, cache warm)"
            res["levels"].append(r)
            print(f"  c={c}: {r['throughput_rps']:.0f} req/s p50={r['latency']['p50']:.1f} ms "
                  f"p95={r['latency']['p95']:.1f} ms errors={r['errors']}", file=sys.stderr, flush=True)
        if unique:
            for c, part in ((1, unique_bodies[:200]), (16, unique_bodies[200:])):
                r = asyncio.run(load_level(port, part, c, min(n_requests, len(part)) if c > 1 else 200,
                                           time_limit))
                r["questions"] = "unique (no cache hits)"
                res["levels"].append(r)
                print(f"  unique c={c}: {r['throughput_rps']:.0f} req/s p50={r['latency']['p50']:.1f} ms",
                      file=sys.stderr, flush=True)
    finally:
        stop_server(proc)
        log.close()
    part = "http" if not workers or workers == 1 else f"http_w{workers}"
    save(part, res)
    write_block(part, render(res))
    return res


def render(r: dict) -> str:
    rows = []
    for lv in r["levels"]:
        c = lv["concurrency"]
        note = ""
        if c == 1:
            note = f"p50 {verdict(lv['latency']['p50'], 15)} (<= 15 ms)"
        elif c == 16:
            note = f"{verdict(lv['throughput_rps'], 150, lower_is_better=False)} (>= 150/s)"
        rows.append([c, lv["questions"], lv["ok"], lv["errors"], lv["throughput_rps"], lv["latency"]["p50"],
                     lv["latency"]["p95"], lv["latency"]["p99"], note])
    return "\n".join([
        f"### HTTP `POST /api/ask` (`qa serve`, {r['workers']} worker(s), loopback, keep-alive; "
        f"<= {r['n_requests']} requests or {r['time_limit_s']:.0f} s per level)", "",
        table(["concurrency", "questions", "ok", "errors", "answers/s", "p50 ms", "p95 ms", "p99 ms", "target"],
              rows), "", f"Server healthy {r.get('ready_s', float('nan')):.2f} s after spawn."])


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", type=Path, default=ROOT / "data" / "index")
    ap.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    ap.add_argument("--levels", default="1,8,16,32")
    ap.add_argument("--requests", type=int, default=1000, help="per concurrency level")
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds per concurrency level")
    ap.add_argument("--workers", type=int, default=None, help="qa serve --workers")
    ap.add_argument("--no-unique", action="store_true", help="skip the no-cache-hit run")
    a = ap.parse_args(argv)
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    r = run(a.index, a.questions, [int(x) for x in a.levels.split(",")], a.requests, a.time_limit,
            a.workers, not a.no_unique)
    print(render(r))
    return r


if __name__ == "__main__":
    main()
