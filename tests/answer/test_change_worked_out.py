"""A change asked in the other form than the report states it (qa.answer.derived.change_worked_out), and
the year before worked back from the change over that year (previous_year):
"by how many yuan" when the report says "up 40%", "by what percentage" when it says "15 million Yuan
more than that in 2012". On a real index (real model, FAISS, SQLite) of an invented report."""

from __future__ import annotations

from invented import report_fixture

baiyun = report_fixture(
    "      【Social poverty alleviation】 In 2013, Baiyun raised social anti-poverty funds of 70 million Yuan, up "
    "40%, from 230 enterprises.",
    "      【Fiscal funds】 In 2013, the county's fiscal anti-poverty funds reached 90 million Yuan, an increase of 15 "
    "million Yuan over 2012, and built 120 kilometers of village roads.",
    "      【Income】 In 2013, the per capita net income of farmers in the key counties reached 4,100 Yuan, up 198% "
    "over 2000 and up 11.5% over the previous year.",
    "      【Credit】 In 2013, the county issued discount loans of 60 million Yuan, 12 million Yuan more than that in "
    "2012, up 25%.",
    "      【Central funds】 In 2013, the central government allocated 600 million Yuan, 100 million Yuan more than "
    "that of 2012, and 70 million Yuan was the county's matching funds.",
    "      【Key counties】 In 2013, farmers in the 25 key villages earned 3,900 Yuan per head, up 16.5%.",
)


def test_an_amount_asked_from_a_stated_rate(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "By how many yuan did Baiyun's social anti-poverty funds increase in 2013?")
    assert a.answered and "= 20 million Yuan" in a.answer
    assert "70 million Yuan" in a.answer and "40%" in a.answer  # its operands, as the report states them


def test_a_rate_asked_from_a_stated_amount(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "By what percentage did Baiyun's fiscal anti-poverty funds grow in 2013?")
    assert a.answered and "= 20.0%" in a.answer
    assert "15 million Yuan" in a.answer and "90 million Yuan" in a.answer


def test_the_year_before_is_worked_back_from_the_change_over_that_year(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "Working back from its growth, what was the per capita net income of farmers in the key "
                       "counties in 2012?")
    assert a.answered and "11.5%" in a.answer and "198%" not in a.answer  # not the rise over 2000
    assert "3,677" in a.answer


def test_a_rate_stated_after_the_amount_is_not_worked_out(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "By what percentage did the discount loans grow in 2013?")
    assert a.answered and "25%" in a.answer and "÷" not in a.answer  # the report states the rate itself


def test_the_year_before_is_worked_back_only_for_the_measure_asked(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "How much did the central government allocate in 2012?")
    assert a.answered and "= 500 million Yuan" in a.answer
    # the matching funds have no change stated: the central funds' level before is no answer for them
    m = answer(baiyun, "How much matching money did the county put up in 2012?")
    assert "500 million" not in m.answer and "70 million" not in m.answer


def test_a_change_is_not_worked_back_onto_a_figure_that_another_stands_after(baiyun) -> None:
    from qa.answer.pipeline import answer

    # "the 25 key villages earned 3,900 Yuan, up 16.5%": the rise is the income's, not the villages'
    for question in ("How many key villages were there in 2012?", "By how much did the number of key villages rise?"):
        a = answer(baiyun, question)
        assert not (a.computation and "25 " in a.computation), a.answer
    a = answer(baiyun, "By how many yuan did the key-village farmers' income per head rise in 2013?")
    assert not a.computation or a.computation.startswith("3,900 Yuan"), a.answer
