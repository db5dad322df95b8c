"""The whole pipeline on reports it was not first developed on: the fictional Lanshan report and
the Qingyuan, Hexi and Sanjiang reports written later as held-out tests, each with its own question set,
scored by the eval harness."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    # corpus folder, questions, floors just under the measured figures (see the closing notes)
    "lanshan": ("tests/data/fictional/corpus", "eval/questions_fictional.jsonl", 0.95, 0.80),
    "qingyuan": ("tests/data/heldout/corpus", "eval/questions_heldout.jsonl", 0.95, 0.95),
    "hexi": ("tests/data/heldout2/corpus", "eval/questions_heldout2.jsonl", 0.95, 0.95),
    "sanjiang": ("tests/data/heldout3/corpus", "eval/questions_heldout3.jsonl", 0.80, 0.75),
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_other_report_question_set(name, tmp_path):
    from qa.evaluation.run import load_questions, run_eval
    from qa.index.build import build_index
    from qa.index.load import load_index
    from qa.settings import get_settings

    corpus, questions, min_accuracy, min_abstention = SETS[name]
    s = get_settings(corpus_dir=ROOT / corpus, index_dir=tmp_path / "index")
    build_index(s, progress=False)
    index = load_index(s.index_dir, s.model)
    _, systems = run_eval(index, load_questions(ROOT / questions), progress=False)
    m = systems["qa"]
    assert m["errors"] == 0 and m["citation_offsets_bad"] == 0
    assert m["unsupported_numbers"] == 0
    assert m["answer_accuracy"] >= min_accuracy
    assert m["abstention_recall"] >= min_abstention
