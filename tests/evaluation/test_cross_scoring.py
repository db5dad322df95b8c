"""How ``qa eval cross`` scores an answer across reports (``qa.evaluation.cross.score``): answers
built for the test from the ``Answer`` contract, no index."""

from __future__ import annotations

from qa.answer.models import Answer, TableRow, Value
from qa.evaluation.cross import score

A, B = "a-2009", "b-2010"


def _answer(rows: list[tuple[str, float | None]], values: list[Value] | None = None, answered: bool = True) -> Answer:
    table = [TableRow(doc=d, report=d, answered=v is not None, answer="x", value=v) for d, v in rows]
    return Answer(question="q", resolved_question="q", answered=answered, answer="x", confidence=0.9,
                  table=table, values=values or [])


def test_compare_needs_the_winner_first_and_every_value():
    q = {"type": "compare", "expected": {"winner": B, "values": {A: {"value": 1e6}, B: {"value": 2e6}}}}
    right = _answer([(A, 1e6), (B, 2e6)], [Value(value=2e6, raw="2 million", doc=B), Value(value=1e6, raw="1", doc=A)])
    assert score(q, right) == (True, "")
    wrong_winner = _answer([(A, 1e6), (B, 2e6)], [Value(value=1e6, raw="1", doc=A), Value(value=2e6, raw="2", doc=B)])
    assert score(q, wrong_winner)[0] is False
    one_missing = _answer([(A, 1e6), (B, None)], [Value(value=1e6, raw="1", doc=A)])
    assert score(q, one_missing) == (False, f"missing or wrong value for {B}")


def test_change_needs_the_computed_difference():
    q = {"type": "change", "expected": {"values": {A: {"value": 5.0}, B: {"value": 3.0}},
                                        "difference": {"value": -2.0}}}
    vals = [Value(value=5.0, raw="5", doc=A), Value(value=3.0, raw="3", doc=B),
            Value(value=-2.0, raw="-2", computed=True)]
    assert score(q, _answer([(A, 5.0), (B, 3.0)], vals))[0]
    vals[-1] = Value(value=2.0, raw="2", computed=True)
    assert not score(q, _answer([(A, 5.0), (B, 3.0)], vals))[0]


def test_list_refuses_a_value_for_a_report_not_expected_and_accepts_rounding():
    q = {"type": "list", "expected": {"values": {A: {"value": 1000.0}}}}
    assert score(q, _answer([(A, 1003.0)]))[0]  # within 0.5%
    assert not score(q, _answer([(A, 1000.0), (B, 7.0)]))[0]


def test_unanswerable_is_right_only_when_declined_or_the_comparison_refused():
    q = {"type": "unanswerable", "answerable": False, "expected": None}
    assert score(q, _answer([], answered=False))[0]
    assert not score(q, _answer([(A, 1.0)]))[0]
    # "No comparison is made: b-2010 gives no single figure": one report's line, the other's missing
    assert score(q, _answer([(A, 1.0), (B, None)], [Value(value=1.0, raw="1", doc=A)]))[0]
    # a value computed from the one figure and something else is no refusal
    computed = [Value(value=1.0, raw="1", doc=A), Value(value=0.5, raw="0.5", computed=True)]
    assert not score(q, _answer([(A, 1.0), (B, None)], computed))[0]
    assert not score(q, _answer([(A, 1.0), (B, 2.0)]))[0]  # both stated: answered


def test_compare_by_how_much_needs_the_gap_too():
    q = {"type": "compare", "expected": {"winner": B, "values": {A: {"value": 1e6}, B: {"value": 3e6}},
                                         "difference": {"value": 2e6}}}
    vals = [Value(value=3e6, raw="3 million", doc=B), Value(value=1e6, raw="1 million", doc=A)]
    assert score(q, _answer([(A, 1e6), (B, 3e6)], vals))[0] is False  # no gap computed
    vals.append(Value(value=2e6, raw="2 million", computed=True))
    assert score(q, _answer([(A, 1e6), (B, 3e6)], vals)) == (True, "")


def test_report_labels_are_not_unsupported_figures():
    from qa.evaluation.metrics import unsupported_numbers

    text = "2 reports state this (1 other asked does not):\nA, 2009: Funds: 5 million.\nB, 2011: 7 million."
    snippets = ["it spent 5 million", "it spent 7 million"]
    assert unsupported_numbers(text, snippets, None, "How much?", [2009, 2011]) == []
    assert unsupported_numbers(text, snippets, None, "How much?", [2009]) == ["2011"]
    assert unsupported_numbers("A, 2009: 8 million.", snippets, None, "How much?", [2009]) == ["8"]


def test_each_computed_row_of_an_answer_across_reports_is_its_own_result():
    from qa.evaluation.metrics import unsupported_numbers

    text = ("2 reports state this:\nLanshan, 2009: 81,000 ÷ 96,000 = 84.4%.\n"
            "Qingyuan, 2009: 64,300 ÷ 78,500 = 81.9%.")
    snippets = ["81,000 of 96,000 trainees", "64,300 of 78,500 trainees"]
    comp = "Lanshan, 2009: 81,000 ÷ 96,000 = 84.4%\nQingyuan, 2009: 64,300 ÷ 78,500 = 81.9%"
    assert unsupported_numbers(text, snippets, comp, "What share?", [2009]) == []
    # a figure no row computes is still unsupported
    assert unsupported_numbers(text + "\nHexi, 2009: 12%.", snippets, comp, "What share?", [2009]) == ["12"]
