"""Questions that name three or more parties and ask which is the largest or smallest (qa.answer.operations,
qa.answer.operands._many_parts, qa.answer.arithmetic._rank), and questions asking one tier's money when
the report states what two tiers gave together (qa.answer.guards.joint_figure). Unit tests of the
reading, and end to end on a real index (real model, FAISS, SQLite) of an invented report."""

from __future__ import annotations

import pytest
from invented import report_fixture

from qa.answer.operands import split_parts
from qa.answer.operations import detect_op

baiyun = report_fixture(
    "      【Investment of anti-poverty funds】 In 2013, the central and provincial government allocated a total of "
    "640 million Yuan of fiscal funds for poverty alleviation in Baiyun, of which 520 million Yuan was from the "
    "central government and 120 million Yuan from the provincial government. Besides, 210 million Yuan came from "
    "supportive enterprises and 1.1 billion Yuan of bank loans were issued.",
)


@pytest.mark.parametrize(("question", "parts"), [
    ("Baiyun's funding names money from the central government, from supportive enterprises and from banks - which "
     "of the three is the biggest sum?", ["from the central government", "from supportive enterprises", "from banks"]),
    ("Which got the most money: relocation, training or village advancement?",
     ["relocation", "training", "village advancement"]),
    ("Of relocation, training and village advancement, which received the least?",
     ["relocation", "training", "village advancement"]),
])
def test_three_parties_are_read(question: str, parts: list[str]) -> None:
    assert detect_op(question) == "compare"
    assert split_parts(question, "compare") == parts


def test_the_largest_of_three_is_named_with_the_others_beside_it(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "Baiyun's 2013 funding names money from the central government, from supportive "
                       "enterprises and from bank loans - which of the three is the biggest sum?")
    assert a.answered and a.answer.startswith("From bank loans (1.1 billion Yuan"), a.answer
    assert "520 million Yuan" in a.answer and "210 million Yuan" in a.answer


def test_one_tiers_money_is_not_what_two_tiers_gave_together(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "How much did Baiyun's own provincial government allocate for poverty alleviation in 2013?")
    assert "640 million" not in a.answer, a.answer
    both = answer(baiyun, "How much fiscal money did the central and provincial government allocate in 2013?")
    assert both.answered and "640 million Yuan" in both.answer, both.answer
