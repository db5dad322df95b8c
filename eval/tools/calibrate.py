"""Sweep the answerer's abstention thresholds and print accuracy against coverage.

    .venv/bin/python eval/tools/calibrate.py [--index data/index] [--questions eval/questions.jsonl]

For each (numeric, text) threshold pair: coverage (share of answerable questions answered),
accuracy of the answers given, abstention recall on unanswerable questions and the false-abstention
rate. The chosen values live in src/qa/answer/thresholds.py (NUMERIC_MIN, TEXT_MIN). Single-figure
answers are now chosen by the fitted ranker, whose threshold `qa eval fit` chooses leave-one-report-out
(eval/RANKER.md): NUMERIC_MIN only applies when no ranker is shipped; TEXT_MIN still applies.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import qa.answer.compose as answer_mod  # where the thresholds are read
from qa.evaluation.run import load_questions, run_eval
from qa.index.load import load_index
from qa.settings import get_settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", type=Path, default=None)
    ap.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    a = ap.parse_args()
    s = get_settings(index_dir=a.index)
    index = load_index(s.index_dir, s.model)
    questions = load_questions(a.questions)
    print("| numeric min | text min | coverage | accuracy of answers | answerable accuracy | abstention recall "
          "| false abstentions |")
    print("|---|---|---|---|---|---|---|")
    for num_min, text_min in [(0.0, 0.2), (0.1, 0.3), (0.2, 0.4), (0.3, 0.45), (0.4, 0.5), (0.5, 0.6), (0.7, 0.7)]:
        answer_mod.NUMERIC_MIN, answer_mod.TEXT_MIN = num_min, text_min
        results, _ = run_eval(index, questions, progress=False)
        answerable = [r for r in results if r.answerable]
        answered = [r for r in answerable if r.rows["qa"].answered]
        unans = [r for r in results if not r.answerable]
        correct = sum(r.rows["qa"].passed for r in answered)
        print(f"| {num_min:.2f} | {text_min:.2f} | {len(answered) / len(answerable):.1%} | "
              f"{correct / max(1, len(answered)):.1%} | {correct / len(answerable):.1%} | "
              f"{sum(not r.rows['qa'].answered for r in unans) / max(1, len(unans)):.1%} | "
              f"{(len(answerable) - len(answered)) / len(answerable):.1%} |")


if __name__ == "__main__":
    main()
