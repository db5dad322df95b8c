"""The question forms that ask across reports (``qa.answer.route``) and how the reports' answers are
put together (``qa.answer.across``), on rows made for the test: logic only, no index."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from qa.answer import across
from qa.answer.draft import Draft
from qa.answer.operations import detect_op
from qa.answer.route import EACH_REPORT


@pytest.mark.parametrize("q", ["Poverty-relief funds of each province in 2009?", "the poor headcount in every report",
                               "Anti-poverty money in each of these reports?", "villages in each 2011 report",
                               "key counties by province", "fund totals across the yearbook",
                               "Guizhou's anti-poverty funds by year?"])
def test_each_report_forms(q):
    assert EACH_REPORT.search(q.lower())
    assert detect_op(q) != "per"  # "each province" is not an average per province


@pytest.mark.parametrize("q", ["How much did each county get?", "What was the poverty line in 2009?",
                               "How many households were relocated each year?",
                               "How many were poor by year-end?"])
def test_not_across(q):
    assert not EACH_REPORT.search(q.lower())


def _row(doc, value, raw, unit="yuan", group=None, measure=""):
    f = SimpleNamespace(id=f"{doc}-f", doc=doc, value=value, raw=raw, unit=unit, measure=measure)
    return across.Row(doc, doc.title(), Draft(f"{raw}.", [f], 0.9, "money"), group=group or doc)


def test_compare_picks_the_larger_or_the_smaller():
    rows = [_row("a", 2e6, "2 million Yuan"), _row("b", 3e6, "3 million Yuan")]
    more = across.compare(rows, "Which had more, A or B?", by_how_much=False)
    assert more.facts[0].doc == "b" and more.computation == "3 million Yuan (B) > 2 million Yuan (A)"
    less = across.compare(rows, "Which had less, A or B?", by_how_much=False)
    assert less.facts[0].doc == "a"
    diff = across.compare(rows, "How much more did B have than A?", by_how_much=True)
    assert diff.computed_value == 1e6 and set(f.doc for f in diff.facts) == {"a", "b"}
    less = across.compare(rows, "By how much was A below B?", by_how_much=True)  # always larger - smaller
    assert less.computed_value == 1e6 and less.computation.startswith("3 million Yuan (B) − 2 million Yuan (A)")


def test_no_comparison_across_units_or_without_a_figure():
    rows = [_row("a", 2e6, "2 million Yuan"), _row("b", 300, "300 villages", unit="villages")]
    d = across.compare(rows, "Which had more, A or B?", by_how_much=False)
    assert d.computation is None and "different units" in d.text and d.rows
    rows = [_row("a", 350e6, "350 million Yuan"), _row("b", 32e4, "320,000 Yuan", measure="average input per village")]
    d = across.compare(rows, "Which invested more, A or B?", by_how_much=False)
    assert d.computation is None and "per unit" in d.text
    rows = [_row("a", 2e6, "2 million Yuan"), across.Row("b", "B", None, "named")]
    d = across.compare(rows, "Which had more, A or B?", by_how_much=False)
    assert "B gives no single figure" in d.text and "B: not stated" in d.text


def test_change_is_later_minus_earlier_and_one_report_per_region_is_compared():
    d = across.change([_row("a-2009", 5e6, "5 million"), _row("a-2011", 4e6, "4 million")])
    assert d.computed_value == -1e6 and "fell" in d.text
    rows = [_row("x-2009", 1.0, "1", group="x"), _row("x-2011", 9.0, "9", group="x"),
            _row("y-2010", 5.0, "5", group="y")]
    rows[0].draft.confidence = 0.99
    kept = across.one_per_group(rows)
    assert [r.doc for r in kept] == ["x-2009", "y-2010"]


def test_a_table_keeps_to_the_unit_most_reports_answer_in():
    rows = [_row("a", 5e6, "5 million", unit="people"), _row("b", 3e5, "300,000", unit="people"),
            _row("c", 7.2, "7.2%", unit="%")]
    d = across.table(rows, 3)
    assert [f.doc for f in d.facts] == ["a", "b"] and "another unit" in d.text and "C" in d.text
    assert [r.draft is None for r in d.rows] == [False, False, True]


def _silent(doc):
    return across.Row(doc, doc.title(), None, "not found", doc)


def test_a_pool_of_reports_compares_those_that_state_it_and_names_the_others():
    rows = [_row("a", 16.1, "16.1%", unit="%"), _silent("b"), _row("c", 28.8, "28.8%", unit="%")]
    d = across.compare(rows, "Which of the 2010 reports shows the faster rise?", by_how_much=False, among=True)
    assert d.facts[0].doc == "c" and "Not stated in B." in d.text
    # reports the question names are compared only when each states it
    named = across.compare(rows, "Which rose faster, A, B or C?", by_how_much=False)
    assert "No comparison is made" in named.text


def test_the_gap_between_two_rates_is_in_percentage_points():
    rows = [_row("a", 13.0, "13%", unit="%", measure="growth of per capita net income"),
            _row("b", 17.0, "17%", unit="%")]
    d = across.compare(rows, "Which was faster, and by how much?", by_how_much=True)
    assert d.computed_value == 4 and "higher by 4 percentage points" in d.text


@pytest.mark.parametrize("q", ["Which of the 2010 reports shows the faster rise in funds?",
                               "Among the 2011 reports, whose farmers earned most?"])
def test_reports_of_a_year_are_a_pool(q):
    from qa.answer.route import YEAR_REPORTS

    assert YEAR_REPORTS.search(q.lower())


@pytest.mark.parametrize(("q", "years"), [("What were the funds in 2010, going by the 2011 report?", ["2011"]),
                                          ("In its 2009 report, how many were poor?", ["2009"]),
                                          ("Which of the 2010 reports gives more?", []),
                                          ("How did the funds change from 2010 to 2011?", [])])
def test_the_year_of_a_report_is_told_from_the_year_of_a_figure(q, years):
    from qa.answer.route import REPORT_YEAR

    assert REPORT_YEAR.findall(q) == years


def _reports(**regions_years):
    docs = {doc: SimpleNamespace(meta={"region": region, "year": year})
            for doc, (region, year) in regions_years.items()}
    return SimpleNamespace(documents=docs, derived={})


def test_each_report_is_asked_less_for_the_words_said_of_another():
    from qa.answer.question import analyze
    from qa.answer.route import OTHER_REPORT_WEIGHT, report_query

    index = _reports(lan=("Lanshan", 2011), qing=("Qingshui", 2009))
    q = analyze("Lanshan's 2011 poverty line against Qingshui's 2009 line for pastoral areas - which is higher?")
    lan, qing = report_query(index, q, "lan", "compare"), report_query(index, q, "qing", "compare")
    assert lan.terms["pastor"] == pytest.approx(q.terms["pastor"] * OTHER_REPORT_WEIGHT)
    assert qing.terms["pastor"] == q.terms["pastor"]
    assert lan.terms["line"] == qing.terms["line"] == q.terms["line"]  # said of both


def test_one_region_named_keeps_every_word():
    from qa.answer.question import analyze
    from qa.answer.route import report_query

    index = _reports(lan=("Lanshan", 2011), qing=("Qingshui", 2009))
    q = analyze("Which report has the higher poverty line for pastoral areas, Lanshan's?")
    assert report_query(index, q, "qing", "compare").terms["pastor"] == q.terms["pastor"]
