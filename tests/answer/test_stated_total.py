"""A total asked ("in total", "overall", "all sources together") with no parts named is the figure the
report introduces as the total, by "total ... was" or by "funds of all kinds" (qa.answer.arithmetic
._stated_total), unless the question asks one kind of money the total is not. End to end on a real index
(real model, FAISS, SQLite) of an invented report."""

from __future__ import annotations

from invented import report_fixture

baiyun = report_fixture(
    "      【Investment of anti-poverty funds】 Funds of all kinds devoted to poverty reduction in the province came "
    "to 3.184 billion Yuan in 2013, of which 1.126 billion Yuan was central fiscal funds and 412 million Yuan "
    "provincial fiscal funds. The total was made up of these and 1.646 billion Yuan of bank loans.",
    "      【Relocation】 The province moved 12,000 households out of harsh areas at a cost of 360 million Yuan.",
)


def test_the_total_of_all_kinds_answers_a_total_asked(baiyun) -> None:
    from qa.answer.pipeline import answer

    for question in ("How much money in total went into poverty reduction in 2013?",
                     "What was the overall outlay on poverty reduction in 2013, all sources taken together?"):
        a = answer(baiyun, question)
        assert a.answered and "3.184 billion Yuan" in a.answer, (question, a.answer)


def test_one_kind_of_money_asked_is_not_the_total_of_all_kinds(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "Taking all levels of government together, how much fiscal money went to poverty work?")
    assert "3.184 billion" not in a.answer, a.answer
