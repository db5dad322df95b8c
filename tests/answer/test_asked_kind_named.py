"""A sentence answers a "which <kind of body>" or "who is the <office> of <body>" question only when it
names that kind of body or that office (qa.answer.compose.text_answer): "Which university was assigned to
help?" is not answered by a sentence about a city's aid, "Who is the party secretary of X?" not by a
sentence about the State Council. On a real index (real model, FAISS, SQLite) of an invented report."""

from __future__ import annotations

from invented import report_fixture

from qa.answer.compose import asked_role
from qa.answer.guards import WHICH_HEAD

baiyun = report_fixture(
    "      【Paired assistance】 Under the arrangement set by the State Council in 2006, Nanpu Municipality was "
    "assigned to help Baiyun's poor counties; in 2013 it provided 124 million Yuan of aid funds for 71 projects. "
    "Qinghe University was assigned to help Shangling County under fixed-point assistance.",
)


def test_the_kind_of_body_asked_is_read() -> None:
    assert WHICH_HEAD.search("Which central state-owned enterprise was assigned to help?").group(1) == "enterprise"
    assert WHICH_HEAD.search("Which university helped the county?").group(1) == "university"
    assert asked_role("Who is the party secretary of Shuangquan Prefecture?") == (
        "secretary", {"shuangquan", "prefecture"})


def test_a_sentence_naming_no_such_body_does_not_answer(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "Which central state-owned enterprise was assigned to help Baiyun's poor counties?")
    assert not a.answered, a.answer
    b = answer(baiyun, "Which university was assigned to help Shangling County?")
    assert b.answered and "Qinghe University" in b.answer, b.answer


def test_an_office_nobody_holds_is_not_answered_with_a_body(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "Who is the party secretary of Nanpu Municipality?")
    assert not a.answered, a.answer
