"""The eval scorer (pure logic) and one run of the harness against the real index fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.answer.models import Answer, Citation, FactOut
from qa.evaluation import metrics as scoring

ROOT = Path(__file__).resolve().parents[1]


def _q(**kw):
    base = {"id": "t1", "question": "How much?", "history": [], "kind": "money", "tags": [],
            "answerable": True, "expected": {"value": 350000000, "unit": "yuan"},
            "evidence": "a total of 350 million Yuan was issued", "section": "S"}
    base.update(kw)
    return base


@pytest.mark.parametrize("text,value,family", [
    ("350 million Yuan", 350e6, "money"),
    ("1.44 billion", 1.44e9, ""),
    ("31,000 people", 31000, ""),
    ("54.9%", 54.9, "percent"),
    ("54.9 percent", 54.9, "percent"),
    ("2400", 2400, ""),
    ("eight union cities", 8, ""),
    ("twenty-five banners", 25, ""),
    ("ten thousand", 1e4, ""),
    ("RMB 45.6 million", 45.6e6, "money"),
    ("1,183,000 square kilometers", 1183000, "area"),
])
def test_parse_numbers_scale_words_and_units(text, value, family):
    m = scoring.parse_numbers(text)
    assert len(m) == 1
    assert m[0].value == pytest.approx(value)
    assert m[0].family == family


def test_parse_numbers_finds_all_in_sentence():
    vals = [m.value for m in scoring.parse_numbers("From June 29 to July 5, 2009, 16 trainings (51%).")]
    assert vals == [29, 5, 2009, 16, 51]


def test_numeric_pass_with_scale_and_tolerance():
    q = _q()
    assert scoring.score_answer(q, True, "350 million Yuan was issued.").passed
    assert scoring.score_answer(q, True, "It was RMB 350,000,000.").passed
    assert scoring.score_answer(q, True, "About 351 million yuan").passed  # 0.29% off: within 0.5%
    assert not scoring.score_answer(q, True, "About 352 million yuan").passed  # 0.57% off
    assert not scoring.score_answer(q, True, "350 Yuan").passed
    assert not scoring.score_answer(q, False, "The report does not say.").passed


def test_a_computed_answer_is_judged_by_its_result_not_its_operands():
    q = {"kind": "count", "expected": {"value": 389, "unit": "kg"}}
    text = "389 ÷ 5.71 million = 0.0 kilograms on average."
    assert scoring.score_answer(q, True, text).passed  # the whole text quotes the operand
    assert not scoring.score_answer(q, True, scoring.asserted_text(text, "389 ÷ 5.71 million = 0.0")).passed
    assert scoring.asserted_text("389 kilograms.", None) == "389 kilograms."


def test_numeric_unit_family_must_agree_when_known():
    q = _q(kind="percent", expected={"value": 12, "unit": "%"})
    assert scoring.score_answer(q, True, "12%").passed
    assert not scoring.score_answer(q, True, "12 million Yuan").passed
    assert scoring.score_answer(q, True, "12").passed  # unknown unit in text: allowed


def test_numeric_alternatives_and_fact_values():
    alts = [{"value": 87.0, "unit": "%"}]
    q = _q(kind="arithmetic", expected={"value": 87.1, "unit": "%", "alternatives": alts})
    assert scoring.score_answer(q, True, "About 87% of trainees").passed
    # a fact value counts outside arithmetic, never for arithmetic (the result must be stated)
    assert not scoring.score_answer(q, True, "See the report.", [(87.1, "%")]).passed
    q2 = _q(kind="count", expected={"value": 12, "unit": "union cities"})
    assert scoring.score_answer(q2, True, "See the passage.", [(12, "union cities")]).passed
    assert not scoring.score_answer(q2, True, "See the passage.", [(12, "%")]).passed


def test_text_contains_and_any():
    q = _q(kind="list", expected={"contains": ["Sinosteel", "Three  Gorges"]})
    assert scoring.score_answer(q, True, "SINOSTEEL, Tsinghua and three\ngorges Corporation").passed
    assert not scoring.score_answer(q, True, "Sinosteel and Tsinghua").passed
    qa = _q(kind="comparison", expected={"any": ["no", "smaller"]})
    assert scoring.score_answer(qa, True, "No, it was smaller.").passed
    assert not scoring.score_answer(qa, True, "The economy grew.").passed  # 'no' only as a word


def test_quotes_normalized():
    q = _q(kind="which", expected={"contains": ["Xing'an"]})
    assert scoring.score_answer(q, True, "In Xing’an League").passed


def test_unanswerable_and_abstention_metrics():
    q = _q(answerable=False, kind="unanswerable", expected={})
    assert scoring.score_answer(q, False, "The report does not say.").passed
    assert not scoring.score_answer(q, True, "42").passed
    # (answerable, answered)
    rows = [(False, False), (False, False), (False, True), (True, False), (True, True), (True, True),
            (True, True)]
    m = scoring.abstention_metrics(rows)
    assert m["abstention_precision"] == pytest.approx(2 / 3)
    assert m["abstention_recall"] == pytest.approx(2 / 3)
    assert m["false_abstention_rate"] == pytest.approx(1 / 4)
    assert scoring.abstention_metrics([(True, True)])["abstention_precision"] is None


def test_citation_supports_evidence_and_all_operands():
    snips = ["In 2009 we organized trainings for 31,000  people.", "of which 27,000 achieved employment"]
    assert scoring.citation_supports("organized trainings for 31,000 people", None, snips)
    assert scoring.citation_supports("x", ["trainings for 31,000 people", "27,000 achieved"], snips)
    assert not scoring.citation_supports("x", ["trainings for 31,000 people", "26,000 achieved"], snips)
    assert not scoring.citation_supports("", None, snips)


def test_unsupported_numbers():
    snips = ["the project loan amounted to 333 million Yuan and 200 million Yuan",
             "trainings for 31,000 people"]
    assert scoring.unsupported_numbers("333 million Yuan, 31000 people", snips, None, "q") == []
    assert scoring.unsupported_numbers("133 million Yuan more", snips, "333 − 200 = 133 million", "q") == []
    assert scoring.unsupported_numbers("133 million Yuan more", snips, None, "q") == ["133"]
    assert scoring.unsupported_numbers("In 2010, 5 people", snips, None, "what in 2010?") == ["5"]
    assert scoring.unsupported_numbers("In 2010, 5 people", snips, None, "what then?") == ["2010", "5"]
    assert scoring.unsupported_numbers("eight projects", snips, None, "q") == []  # words are not checked


def test_retrieval_metrics_and_percentile():
    m = scoring.retrieval_metrics([1, 2, None, 4])
    assert m["hit_at_1"] == 0.25 and m["hit_at_3"] == 0.5
    assert m["mrr"] == pytest.approx((1 + 0.5 + 0.25) / 4)
    assert scoring.percentile([1, 2, 3, 4, 5], 50) == 3
    assert scoring.percentile([10, 20], 95) == pytest.approx(19.5)
    assert scoring.percentile([], 50) is None


def test_change_lists_between_reports():
    prev = {"a": True, "b": False, "c": True, "gone": True}
    cur = {"a": False, "b": True, "c": True, "new": False}
    ch = scoring.changes(prev, cur)
    assert ch == {"regressed": ["a"], "fixed": ["b"], "new": ["new"], "dropped": ["gone"]}


def test_check_thresholds():
    metrics = {"answer_accuracy": 0.8, "false_abstention_rate": 0.05, "unsupported_numbers": 0,
               "hit_at_1": None, "accuracy_by_kind": {"list": 0.5}, "accuracy_by_tag": {}}
    limits = {"answer_accuracy": 0.9, "false_abstention_rate_max": 0.03, "unsupported_numbers_max": 0,
              "hit_at_1": 0.0, "kind": {"list": 0.9}, "tag": {"typo": 0.5}}
    fails = scoring.check_thresholds(metrics, limits)
    assert len(fails) == 4
    assert any("answer_accuracy" in f for f in fails) and any("typo" in f for f in fails)
    assert scoring.check_thresholds(metrics, {"answer_accuracy": 0.0, "errors_max": 0}) == []


def test_threshold_file_parses_and_placeholder_sections():
    from qa.evaluation.run import load_thresholds

    thr = load_thresholds(ROOT / "eval" / "thresholds.toml")
    assert thr["targets"]["answer_accuracy"] == 0.95
    assert thr["check"]["errors_max"] == 0


def _perfect_answer(questions):
    """An answer function that answers each question from its gold evidence (and abstains otherwise)."""
    by_q = {q["question"]: q for q in questions}

    def fn(index, question, history):
        q = by_q[question]
        if not q["answerable"]:
            return Answer(question=question, resolved_question=question, answered=False,
                          answer="The report does not say.", confidence=0.0)
        doc_id = q.get("doc") or next(d for d, doc in index.documents.items() if q["evidence"] in doc.text)
        text = index.documents[doc_id].text
        cits = []
        for ev in q.get("evidence_all") or [q["evidence"]]:
            start = text.find(ev)
            cits.append(Citation(doc=doc_id, passage_id="p", section=q["section"], text=ev, start=start,
                                 end=start + len(ev)))
        exp = q["expected"]
        body = " ".join(exp.get("contains") or exp.get("any", [])[:1]) or q["evidence"]
        facts = [FactOut(id="f", kind="count", value=exp["value"], unit=exp.get("unit", ""), raw="x")] \
            if "value" in exp else []
        return Answer(question=question, resolved_question=" ".join([*history, question]), answered=True,
                      answer=body, confidence=1.0, citations=cits, facts=facts)

    return fn


def _sample_questions(n_each: int = 2):
    qs = [json.loads(line) for line in (ROOT / "eval" / "questions.jsonl").read_text().splitlines() if line]
    picked, seen = [], {}
    for q in qs:
        key = (q["kind"], "followup" in q["tags"])
        if seen.get(key, 0) < n_each and q["kind"] != "arithmetic":
            seen[key] = seen.get(key, 0) + 1
            picked.append(q)
    return picked


def test_harness_on_real_index(qa_index, tmp_path):
    from qa.evaluation.run import run_eval, run_eval_cli

    qs = _sample_questions()
    results, systems = run_eval(qa_index, qs, _perfect_answer(qs), progress=False)
    qa = systems["qa"]
    assert qa["questions"] == len(qs)
    assert qa["answer_accuracy"] == 1.0 and qa["abstention_recall"] == 1.0
    assert qa["citation_precision"] == 1.0 and qa["false_abstention_rate"] == 0.0
    assert qa["errors"] == 0 and qa["citation_offsets_bad"] == 0 and qa["unsupported_numbers"] == 0
    assert 0.0 <= systems["dense"]["hit_at_1"] <= systems["dense"]["hit_at_3"] <= 1.0
    assert systems["top_passage"]["abstention_recall"] == 0.0
    assert all(r.ranks for r in results if r.answerable)

    # the CLI entry with the real answer function, on a few questions, without writing
    qfile = tmp_path / "questions.jsonl"
    qfile.write_text("".join(json.dumps(q) + "\n" for q in qs[:4]))
    assert run_eval_cli(qa_index, questions=qfile, check=False, write=False, progress=False) == 0
    assert not (tmp_path / "report.json").exists()


def test_reports_written_and_change_list(qa_index, tmp_path):
    from qa.evaluation.run import run_eval_cli

    qs = _sample_questions(1)[:5]
    qfile = tmp_path / "questions_small.jsonl"
    qfile.write_text("".join(json.dumps(q) + "\n" for q in qs))
    fn = _perfect_answer(qs)
    assert run_eval_cli(qa_index, questions=qfile, write=True, answer_fn=fn, progress=False) == 0
    rep = json.loads((tmp_path / "report_small.json").read_text())
    assert {q["id"] for q in rep["questions"]} == {q["id"] for q in qs}
    assert rep["changes"] is None
    assert (tmp_path / "report_small.svg").read_text().startswith("<svg")
    # flip one question to fail: the next run lists it as pass -> fail
    rep["questions"][0]["pass"] = False
    (tmp_path / "report_small.json").write_text(json.dumps(rep))
    fn = _perfect_answer(qs)
    assert run_eval_cli(qa_index, questions=qfile, write=True, answer_fn=fn, progress=False) == 0
    rep2 = json.loads((tmp_path / "report_small.json").read_text())
    assert rep2["changes"]["fixed"] == [qs[0]["id"]] and rep2["changes"]["regressed"] == []
    md = (tmp_path / "REPORT_small.md").read_text()
    assert "report_small.svg" in md and "Fail → pass" in md
