"""Shared helpers for the benchmarks: machine facts, percentiles, raw results, RESULTS.md blocks.

Raw results go to ``bench/out/<part>.json`` (git-ignored); ``bench/RESULTS.md`` holds the
rendered tables between ``<!-- auto:<part> -->`` markers, so hand-written notes survive re-runs.
"""

from __future__ import annotations

import json
import os
import platform
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
PY = ROOT / ".venv" / "bin" / "python"
QA = ROOT / ".venv" / "bin" / "qa"

# The anchors of the issue, measured on this 2-core machine.
ANCHORS = {
    "st_encode_ms": 22.0,  # one question through sentence-transformers' encode (torch, CPU)
    "onnx_encode_ms": 7.7,  # the same model through ONNX Runtime
    "flat25_search_us": 12.0,  # FAISS flat search over 25 passages
    "st_import_s": 9.0,  # import sentence_transformers
    "lean_import_s": 1.0,  # onnxruntime + tokenizers + faiss + fastapi together (upper bound)
}


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "mem_gb": mem_gb, "cpu": cpu, "python": platform.python_version(),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "loadavg_1m": round(os.getloadavg()[0], 2)}


def pct(values, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else float("nan")


def summary_ms(values_s) -> dict:
    """p50/p95/p99/mean in milliseconds from a list of seconds."""
    v = np.asarray(values_s, dtype=float) * 1000
    return {"n": len(v), "p50": pct(v, 50), "p95": pct(v, 95), "p99": pct(v, 99),
            "mean": float(v.mean()) if len(v) else float("nan")}


def save(part: str, data: dict) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    data = {"machine": machine(), "saved_at": time.time(), **data}
    path = OUT / f"{part}.json"
    path.write_text(json.dumps(data, indent=1))
    return path


def load(part: str) -> dict | None:
    path = OUT / f"{part}.json"
    return json.loads(path.read_text()) if path.exists() else None


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_block(part: str, markdown: str) -> None:
    """Replace the ``<!-- auto:part -->`` block of RESULTS.md (append it if missing)."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    start, end = f"<!-- auto:{part} -->", f"<!-- /auto:{part} -->"
    block = f"{start}\n{markdown.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    new, count = pattern.subn(lambda _: block, text)
    text = new if count else f"{text.rstrip()}\n\n{block}\n"
    RESULTS.write_text(text)


def table(header: list[str], rows: list[list]) -> str:
    def cell(v):
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"
        return str(v)

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(out)


def verdict(value: float, target: float, lower_is_better: bool = True) -> str:
    ok = value <= target if lower_is_better else value >= target
    return "PASS" if ok else "MISS"
