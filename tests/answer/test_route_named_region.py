"""A region named in the question that has several reports in the index (issue 13, routing rule 2):
a year none of them is about selects the report of the year after, and otherwise the evidence picks
among the region's reports, as among unnamed ones, unless a change, comparison or table is asked. On
a real index of four real reports of eval/series: Guizhou 2010 and 2011, Sichuan 2009 and 2010."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ("guizhou-2010", "guizhou-2011", "sichuan-2009", "sichuan-2010")
GZ10, GZ11, SC09, SC10 = REPORTS


@pytest.fixture(scope="module")
def four(tmp_path_factory):
    from qa.index.build import build_index
    from qa.index.load import load_index
    from qa.settings import get_settings

    corpus = tmp_path_factory.mktemp("route") / "corpus"
    corpus.mkdir()
    for r in REPORTS:
        for ext in (".txt", ".json"):
            shutil.copy(ROOT / "eval/series/corpus" / f"{r}{ext}", corpus / f"{r}{ext}")
    s = get_settings(corpus_dir=corpus, index_dir=corpus.parent / "index", data_dir=corpus.parent / "data")
    build_index(s, progress=False)
    return load_index(s.index_dir, s.model)


def _scope(index, question: str, history: list[str] | None = None):
    from qa.answer import route
    from qa.answer.context import context_for
    from qa.answer.pipeline import analyse

    q = analyse(index, context_for(index), question, history)
    scope = route.scope_for(index, q, None)
    return q, scope, route.across_plan(index, q, scope)


@pytest.mark.parametrize("question, doc", [
    ("How much social anti-poverty funding did Sichuan mobilise in 2008?", SC09),
    ("How much social anti-poverty money had Guizhou raised in 2009?", GZ10),
    ("What did Guizhou spend on relocation in 2010?", GZ10),  # a year a report is about: that report
])
def test_a_year_no_report_is_about_selects_the_report_of_the_year_after(four, question, doc):
    _, scope, plan = _scope(four, question)
    assert scope.docs == (doc,) and scope.chosen and plan is None


def test_the_year_after_answers_with_the_previous_years_figure(four):
    from qa.answer.pipeline import answer

    a = answer(four, "How much social anti-poverty money had Guizhou raised in 2009?")
    assert a.answered and {c.doc for c in a.citations} == {GZ10} and "100 million" in a.answer


def test_a_region_named_without_a_year_is_routed_among_its_reports_by_evidence(four):
    from qa.answer.pipeline import answer

    question = "For which mountain areas did Guizhou draw up regional development and poverty alleviation plans?"
    _, scope, plan = _scope(four, question)
    assert set(scope.docs) == {GZ10, GZ11} and plan is None  # no table of both years
    a = answer(four, question)
    # only the 2011 report has the plans: it answers alone and says which year it is
    assert a.answered and {c.doc for c in a.citations} == {GZ11}
    assert a.answer.startswith("Guizhou, 2011: ") and "Wuling" in a.answer


@pytest.mark.parametrize("question, mode", [
    ("How did Guizhou's poor population change from 2010 to 2011?", "change"),
    ("Guizhou's anti-poverty funds by year?", "table"),
    ("Poverty-relief funds of Sichuan and Guizhou?", "table"),  # two regions: each region's reports
])
def test_changes_tables_and_several_regions_still_ask_every_report(four, question, mode):
    _, _, plan = _scope(four, question)
    assert plan is not None and plan.mode == mode


def test_a_follow_up_stays_with_the_year_the_previous_answer_came_from(four):
    from qa.answer.pipeline import answer

    first = "For which mountain areas did Guizhou draw up regional development and poverty alleviation plans?"
    a = answer(four, "And what period do Guizhou's plans cover?", [first])
    assert a.answered and {c.doc for c in a.citations} == {GZ11}


def test_a_follow_up_to_another_region_does_not_inherit_a_year_its_reports_lack(four) -> None:
    from qa.answer.pipeline import answer

    first = "How much fiscal anti-poverty money did Guizhou have in 2011?"
    a = answer(four, "And Sichuan?", [first])
    # the year was the earlier question's; Sichuan's reports are of 2009 and 2010
    assert "does not cover 2011" not in a.answer
    assert {c.doc for c in a.citations} <= {SC09, SC10}


def test_the_second_report_named_as_the_year_one(four) -> None:
    # "from the 2009 report to the 2010 one": both of the region's reports are asked, a change
    _, scope, plan = _scope(four, "Sichuan: how did the number of poor people supported move from the 2009 report "
                                  "to the 2010 one?")
    assert set(scope.docs) == {SC09, SC10} and plan is not None and plan.mode == "change"
