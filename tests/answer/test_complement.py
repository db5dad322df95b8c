"""What is left of a whole after the parts a question names or quotes (qa.answer.arithmetic._complement):
every part named is taken off, each by words of its own. On a real index (real model, FAISS, SQLite) of an
invented report."""

from __future__ import annotations

import pytest
from invented import report_fixture

baiyun = report_fixture(
    "      【Funds】 In 2013, the state issued anti-poverty funds of 600 million Yuan (of which 90 million Yuan was "
    "for the pastoral areas and 40 million Yuan for flood reconstruction in Heshui) to the county.",
)


@pytest.mark.parametrize(("question", "result"), [
    ("How much of the state's 2013 funds was left after the pastoral-area and Heshui earmarks?", "= 470 million"),
    ("The state's 2013 funds included 90 million for pastoral areas and 40 million for Heshui - what was left?",
     "= 470 million"),
    ("How much of the state's 2013 funds was not for the pastoral areas?", "= 510 million"),
])
def test_the_parts_named_are_taken_off_the_whole(baiyun, question: str, result: str) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, question)
    assert a.answered and result in a.answer and "600 million Yuan −" in a.answer
