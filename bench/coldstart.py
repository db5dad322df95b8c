"""Cold start: process start to the first answer, and what the query path imports.

* ``qa serve``: spawn, poll ``POST /api/ask`` every 20 ms until the first 200; time from spawn.
* ``qa ask``: wall time of the subprocess (``qa ask QUESTION --index DIR``).
* Imports: ``qa ask`` under ``python -X importtime``; reports whether ``torch`` or
  ``sentence_transformers`` were imported, and the slowest top-level imports.
* Anchors (optional, ``--anchors``): ``import sentence_transformers`` and the lean query-path
  imports, each in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ANCHORS, PY, QA, ROOT, save, table, verdict, write_block  # noqa: E402
from http_bench import free_port, poll_until_ok, start_server, stop_server  # noqa: E402

QUESTION = "What was the total population of the region?"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


async def _poll_ask(port: int, proc: subprocess.Popen, t_spawn: float, timeout: float) -> float:
    body = json.dumps({"question": QUESTION, "history": []}).encode()
    return await poll_until_ok(port, proc, "POST", "/api/ask", body, timeout=timeout, interval=0.02, t0=t_spawn)


def serve_cold(index: Path, timeout: float = 60.0) -> float:
    port = free_port()
    t0 = time.perf_counter()
    proc = start_server(index, port)
    try:
        return asyncio.run(_poll_ask(port, proc, t0, timeout))
    finally:
        stop_server(proc)


def ask_cold(index: Path) -> float:
    t0 = time.perf_counter()
    p = subprocess.run([str(QA), "ask", QUESTION, "--index", str(index)], env=ENV, capture_output=True,
                       text=True, timeout=120)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"qa ask failed: {p.stderr.strip()[-300:]}")
    return dt


def import_report(index: Path) -> dict:
    """Run `qa ask` with -X importtime; which heavy modules load and which imports cost most."""
    p = subprocess.run([str(PY), "-X", "importtime", str(QA), "ask", QUESTION, "--index", str(index)],
                       env=ENV, capture_output=True, text=True, timeout=120)
    mods: dict[str, int] = {}
    top_level: list[tuple[int, str]] = []
    for line in p.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        _self_us, cum_us, raw = line.split(":", 1)[1].split("|")
        mod = raw.strip()
        mods[mod] = int(cum_us)
        depth = (len(raw) - len(raw.lstrip(" ")) - 1) // 2  # one space after "|", two per level
        if depth == 0:
            top_level.append((int(cum_us), mod))
    heavy = sorted(m for m in mods if m.split(".")[0] in ("torch", "sentence_transformers", "transformers"))
    top_level.sort(reverse=True)
    return {"returncode": p.returncode, "modules": len(mods),
            "torch": any(m == "torch" or m.startswith("torch.") for m in mods),
            "sentence_transformers": any(m.split(".")[0] == "sentence_transformers" for m in mods),
            "heavy": heavy[:20],
            "slowest": [{"module": m, "cum_ms": us / 1000} for us, m in top_level[:12]]}


def anchor_imports() -> dict:
    out = {}
    for name, stmt in [("sentence_transformers", "import sentence_transformers"),
                       ("lean", "import onnxruntime, tokenizers, faiss, fastapi, bm25s, numpy")]:
        code = f"import time; t=time.perf_counter(); {stmt}; print(time.perf_counter()-t)"
        p = subprocess.run([str(PY), "-c", code], env=ENV, capture_output=True, text=True, timeout=300)
        out[name] = float(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else None
    return out


def run(index: Path, repeats: int = 3, anchors: bool = True) -> dict:
    res: dict = {"index": str(index), "question": QUESTION}
    res["serve_s"] = [serve_cold(index) for _ in range(repeats)]
    res["ask_s"] = [ask_cold(index) for _ in range(repeats)]
    res["imports"] = import_report(index)
    if anchors:
        res["anchor_imports_s"] = anchor_imports()
    save("coldstart", res)
    write_block("coldstart", render(res))
    return res


def render(r: dict) -> str:
    import statistics

    s, a = statistics.median(r["serve_s"]), statistics.median(r["ask_s"])
    rows = [["`qa serve`: spawn to first 200 from POST /api/ask", s, min(r["serve_s"]), max(r["serve_s"]),
             f"{verdict(s, 2.0)} (<= 2 s)"],
            ["`qa ask` wall time", a, min(r["ask_s"]), max(r["ask_s"]), f"{verdict(a, 2.0)} (<= 2 s)"]]
    imp = r["imports"]
    lines = [f"### Cold start ({len(r['serve_s'])} runs each, median/min/max seconds)", "",
             table(["what", "median s", "min s", "max s", "target"], rows), "",
             f"Query-path imports (`python -X importtime qa ask ...`): {imp['modules']} modules; "
             f"torch imported: **{imp['torch']}**, sentence_transformers imported: "
             f"**{imp['sentence_transformers']}**."]
    if imp["heavy"]:
        lines.append(f"Heavy modules seen: {', '.join(imp['heavy'])}")
    lines += ["", "Slowest top-level imports of `qa ask`:", "",
              table(["module", "cumulative ms"], [[x["module"], x["cum_ms"]] for x in imp["slowest"]])]
    if r.get("anchor_imports_s"):
        ai = r["anchor_imports_s"]
        st, lean = ai.get("sentence_transformers"), ai.get("lean")
        lines += ["", f"Anchor check: `import sentence_transformers` {st:.2f} s here (anchor "
                  f"{ANCHORS['st_import_s']:.0f} s); onnxruntime+tokenizers+faiss+fastapi+bm25s+numpy "
                  f"{lean:.2f} s (anchor < {ANCHORS['lean_import_s']:.0f} s). `qa ask` cold start is "
                  f"{ANCHORS['st_import_s'] / a:.1f}x shorter than the sentence-transformers import alone."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", type=Path, default=ROOT / "data" / "index")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-anchors", action="store_true")
    a = ap.parse_args(argv)
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    r = run(a.index, a.repeats, not a.no_anchors)
    print(render(r))
    return r


if __name__ == "__main__":
    main()
