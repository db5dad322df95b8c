"""`qa index`: wall time and peak memory of a full index build (subprocess, fresh index dir).

Peak memory is the child's ``ru_maxrss`` from ``os.wait4`` (this child only), plus a psutil
sample of RSS every 50 ms over the process tree as a cross-check.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import QA, ROOT, save, table, write_block  # noqa: E402


def build_once(corpus: Path) -> dict:
    import psutil

    tmp = Path(tempfile.mkdtemp(prefix="qa-bench-index-"))
    try:
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(QA), "index", "--corpus", str(corpus), "--index", str(tmp / "index"),
                                 "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            try:
                p = psutil.Process(proc.pid)
                while not done.is_set():
                    rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
                    peak[0] = max(peak[0], rss)
                    time.sleep(0.05)
            except psutil.Error:
                pass

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        th.join(1)
        out = proc.stdout.read().decode()
        err = proc.stderr.read().decode()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise RuntimeError(f"qa index failed ({code}): {err.strip()[-300:]}")
        import json

        manifest = json.loads((tmp / "index" / "manifest.json").read_text())
        return {"wall_s": wall, "maxrss_mb": ru.ru_maxrss / 1024, "sampled_peak_mb": peak[0] / 2**20,
                "user_s": ru.ru_utime, "sys_s": ru.ru_stime, "stdout": out.strip(),
                "counts": manifest.get("counts"), "build_seconds_manifest": manifest.get("build_seconds")}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(corpus: Path, repeats: int = 2) -> dict:
    runs = [build_once(corpus) for _ in range(repeats)]
    res = {"corpus": str(corpus), "runs": runs}
    save("index", res)
    write_block("index", render(res))
    return res


def render(r: dict) -> str:
    rows = [[i + 1, x["wall_s"], x["build_seconds_manifest"], x["user_s"] + x["sys_s"], x["maxrss_mb"],
             x["sampled_peak_mb"], str(x["counts"])] for i, x in enumerate(r["runs"])]
    return "\n".join(["### `qa index` (full build in a subprocess, fresh index directory)", "",
                      table(["run", "wall s", "build s (manifest)", "CPU s", "peak RSS MB (wait4)",
                             "peak RSS MB (sampled)", "counts"], rows)])


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args(argv)
    r = run(a.corpus, a.repeats)
    print(render(r))
    return r


if __name__ == "__main__":
    main()
