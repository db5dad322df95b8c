"""The year before the report's, worked back from a growth stated in a sentence of its own
(qa.answer.worked_back): the growth's subject names the measure, the level is the report year's figure
of that measure, and the question must ask it. On a real index (real model, FAISS, SQLite) of an
invented report."""

from __future__ import annotations

import pytest
from invented import report_fixture

baiyun = report_fixture(
    "      【Investment of anti-poverty funds】 In 2013 the province invested 3.2 billion Yuan in poverty "
    "alleviation, of which 1.5 billion Yuan was central fiscal anti-poverty funds and 600 million Yuan was "
    "provincial fiscal funds. The central fiscal funds grew by 25% over the previous year. Compared with "
    "2005, the provincial fiscal funds went up by 150%.",
    "      【Relocation】 The province moved 12,000 households out of harsh areas.",
)


def test_the_level_of_the_year_before_from_a_growth_stated_apart(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "Working back from the growth rate, how much central fiscal money did the province get in 2012?")
    assert a.answered and a.computation and "1.5 billion Yuan" in a.computation and "25%" in a.computation
    assert "1.2 billion" in a.answer, a.answer
    assert "The central fiscal funds grew by 25%" in " ".join(c.text for c in a.citations)


@pytest.mark.parametrize("question", [
    # the provincial funds' growth is stated against 2005, not against the year before
    "Working back from the growth rate, how much provincial fiscal money did the province have in 2012?",
    # no growth of the households moved is stated
    "How many households did the province relocate in 2012?",
])
def test_no_growth_of_that_measure_over_that_year_is_no_answer(baiyun, question: str) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, question)
    assert not (a.answered and a.computation), a.answer


def test_the_rise_between_the_two_years_is_asked_of_the_same_growth(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "How many yuan more central fiscal money did the province get in 2013 than in 2012?")
    assert a.answered and a.computation, a.answer
    assert a.computation.startswith("1.5 billion Yuan less its level before a rise of 25%")
    assert "0.3 billion" in a.answer


def test_a_growth_stated_with_a_falling_verb_phrase_is_a_fall() -> None:
    from types import SimpleNamespace

    from fakes import Fig

    from qa.answer.worked_back import growths

    for verb, falling in (("went down by", True), ("was down by", True), ("were cut by", True), ("grew by", False)):
        s = f"The provincial fiscal funds {verb} 20% over the previous year."
        d = Fig("20%", 20, unit="%", kind="percent", sentence=s)
        index = SimpleNamespace(facts_by_passage={"p1": [d]})
        (got,) = list(growths(index, [(SimpleNamespace(id="p1"), 1.0)], 2012, 2013))
        assert got[1] >= {"provinci", "fiscal", "fund"} and got[3] is falling, verb
