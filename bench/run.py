"""Run the benchmarks (``make bench``) and update bench/RESULTS.md.

    .venv/bin/python bench/run.py --index data/index              # everything
    .venv/bin/python bench/run.py --index data/index --only scale # one part (comma-separated)

Parts: inproc (answer latency), http (``qa serve`` load), coldstart (``qa serve`` / ``qa ask``
to first answer, imports), index (``qa index`` time and memory), scale (synthetic 10k-1M).
The scale part takes ~30 min on 2 cores (HNSW build of 1M vectors); ``--quick`` limits it to
10k and 100k.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine, write_block  # noqa: E402

PARTS = ["inproc", "coldstart", "http", "index", "scale"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=ROOT / "data" / "index")
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma-separated subset of {PARTS}")
    ap.add_argument("--quick", action="store_true", help="scale part: 10k and 100k only")
    ap.add_argument("--workers", type=int, default=None, help="http part: qa serve --workers")
    a = ap.parse_args()
    parts = [p.strip() for p in a.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        ap.error(f"unknown parts: {sorted(unknown)}; choose from {PARTS}")
    index = a.index.resolve()
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    m = machine()
    write_block("machine", f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_gb']} GB RAM, Python "
                           f"{m['python']}; last run {m['date']} (parts: {', '.join(parts)}).")
    for part in parts:
        t0 = time.perf_counter()
        print(f"== {part}", file=sys.stderr, flush=True)
        if part == "inproc":
            import inproc

            inproc.main(["--index", str(index)])
        elif part == "coldstart":
            import coldstart

            coldstart.main(["--index", str(index)])
        elif part == "http":
            import http_bench

            http_bench.main(["--index", str(index)] + (["--workers", str(a.workers)] if a.workers else []))
        elif part == "index":
            import index_bench

            index_bench.main([])
        elif part == "scale":
            import scale

            scale.main(["--sizes", "10000,100000"] if a.quick else [])
        print(f"== {part} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
