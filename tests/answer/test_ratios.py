"""Averages computed from two figures (qa.answer.ratios.per_average): an amount per person is already an
average and is not spread over a count again. On a real index (real model, FAISS, SQLite) of an invented
report."""

from __future__ import annotations

from invented import report_fixture

baiyun = report_fixture(
    "      【Income】 In 2013, the per capita net income of farmers in the key counties reached 4,100 Yuan, and "
    "12,000 poor people had their food and clothing problem addressed.",
    "      【Training】 In 2013, the county spent 6 million Yuan on training 3,000 poor labourers.",
    "      【Review】 From 2004 to 2013, the county trained 45,000 poor labourers.",
    "      【Poverty line】 Under the new poverty line of 1,300 Yuan, the county had 52,000 poor people.",
    "      【Relocation】 In 2013, the county moved 2,400 people out of the mountains, and each person relocated "
    "received 5,000 Yuan.",
)


def test_a_total_is_spread_over_a_count_of_the_same_clause(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "How much was spent on training per poor labourer?")
    assert a.answered and "6 million Yuan ÷ 3,000" in a.answer and "2,000" in a.answer


def test_an_amount_per_person_is_not_divided_again(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "How much net income per poor person whose food and clothing problem was addressed did "
                       "farmers have on average in 2013?")
    assert "÷ 12,000" not in a.answer  # 4,100 Yuan per capita is no total to divide


def test_an_amount_per_farmer_is_the_stated_per_capita_figure(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "What was the net income per farmer in the key counties in 2013?")
    assert a.answered and "4,100" in a.answer and "÷" not in a.answer


def test_a_figure_over_a_span_of_years_is_spread_over_them(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "On average, how many poor labourers were trained per year over 2004-2013?")
    assert a.answered and "45,000 over the ten years from 2004 to 2013" in a.answer and "4,500" in a.answer


def test_a_poverty_line_is_not_spread_over_the_poor(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "How much did each poor person get under the new poverty line?")
    assert "÷ 52,000" not in a.answer  # 1,300 Yuan is a threshold per person, not an amount handed out


def test_an_amount_said_of_each_one_is_not_divided_again(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "On average, how much money did the county give per relocated person in 2013?")
    assert "÷ 2,400" not in a.answer  # "each person relocated received 5,000 Yuan" is already per person
