"""A count asked is not answered by an area (qa.answer.compose.numeric_answer): "how many hospitals and
primary schools" counts buildings, not their floor area. On a real index (real model, FAISS, SQLite) of
an invented report."""

from __future__ import annotations

from invented import report_fixture

baiyun = report_fixture(
    "      【Public services】 In 2013, the county built and repaired 4,600 rural houses and 310 hospitals and "
    "primary schools of 2.4 million square meters, and improved 52,000 mu of farmland.",
)


def test_a_count_of_buildings_is_not_their_floor_area(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "How many hospitals and primary schools did the county build or repair in 2013?")
    assert "square meters" not in a.answer and "2.4 million" not in a.answer


def test_an_area_asked_in_a_count_question_is_still_found(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "How many hectars of farmland were improved in 2013?")  # misspelt, corrected
    assert "square meters" not in a.answer and "4,600" not in a.answer and "310" not in a.answer
    b = answer(baiyun, "What floor area did the hospitals and primary schools built in 2013 cover?")
    assert b.answered and "2.4 million" in b.answer
