"""Dump every answer of a question list on an index (timings left out), to check that a speed change
keeps answers byte-identical: run it before and after on the same index and compare the two files.

    .venv/bin/python bench/answers_dump.py --index bench/out/series/index \
        --questions bench/out/series/questions.jsonl --out /tmp/before.jsonl
    .venv/bin/python bench/answers_dump.py ... --out /tmp/after.jsonl --compare /tmp/before.jsonl

Also reports the median per-question time of the pass (cache cold), for a quick A/B.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
if not os.environ.get("PYTHONPATH"):  # PYTHONPATH=OTHER/src compares another checkout's code
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import load_questions  # noqa: E402


def dump(index_dir: Path, questions: Path) -> tuple[list[str], list[float]]:
    from qa.answer.pipeline import answer
    from qa.index.load import load_index
    from qa.settings import get_settings

    s = get_settings(index_dir=index_dir)
    idx = load_index(s.index_dir, s.model, s.encoder_int8)
    answer(idx, "warm-up question about the population", [])
    idx.retriever.encoder._cache.clear()
    lines, times = [], []
    for q in load_questions(questions):
        t = time.perf_counter()
        a = answer(idx, q["question"], q.get("history") or [])
        times.append(time.perf_counter() - t)
        lines.append(json.dumps(a.model_dump(mode="json", exclude={"timings_ms"}), sort_keys=True,
                                ensure_ascii=False))
    return lines, times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--questions", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--compare", type=Path, help="an earlier dump: count the answers that differ")
    a = ap.parse_args(argv)
    import qa

    print(f"code: {Path(qa.__file__).parent}")
    lines, times = dump(a.index, a.questions)
    a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} answers; p50 {statistics.median(times) * 1e3:.1f} ms, "
          f"mean {statistics.fmean(times) * 1e3:.1f} ms")
    if a.compare:
        before = a.compare.read_text(encoding="utf-8").splitlines()
        diff = [i for i, (x, y) in enumerate(zip(before, lines, strict=True)) if x != y]
        print(f"{len(diff)} of {len(lines)} answers differ" + (f": lines {diff[:20]}" if diff else ""))
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
