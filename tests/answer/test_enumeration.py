"""The items of a counted list (qa.answer.enumeration): "Which four priorities ...?" is answered by the
sentence that introduces a list of four items, whatever the report calls them; a question asking a
figure of the list, or a count the report does not list, is not. Splitting is checked on its own; the
answers on a real index (real model, FAISS, SQLite) of an invented report."""

from __future__ import annotations

import pytest
from invented import report_fixture

from qa.answer.enumeration import asked, split_items

baiyun = report_fixture(
    "      【Leadership】 On 12 March 2013 the provincial leading group held its plenary session. The session "
    "laid down four key tasks for the year: entire village advancement, relocation of the poor from high and cold "
    "areas, development of featured industries, and training of the rural labour force.",
    "      【Planning】 The provincial government approved a plan that arranges three major projects, namely road "
    "access; safe drinking water; and housing renovation. The three projects cost 2.4 billion Yuan.",
    "      【Poverty reduction planning】 In 2013 the province prepared the “Planning for Poverty Alleviation of "
    "Baiyun Province during the 12th Five-Year Plan Period”, the “Planning for Relocation of the Poor in Baiyun "
    "Province” and the “Planning for Entire Village Advancement in Baiyun Province”, and issued the “Opinions on "
    "Accelerating Rural Development in Baiyun Province”.",
)


@pytest.mark.parametrize(("question", "expected"), [
    ("Which four priorities did the leading group set for 2013?", (4, "priorities")),
    ("What were the four key tasks of the year?", (4, "tasks")),
    ("Name the five priorities of the plan.", (5, "priorities")),
    ("baiyun 2013 plan: the three big projects", (3, "projects")),
    ("What did the three major projects cost?", None),
    ("How many tasks did the session lay down?", None),
    ("Which body approved the plan?", None),
])
def test_a_list_is_asked_by_its_count(question: str, expected) -> None:
    assert asked(question) == expected


def test_items_split_at_commas_and_the_last_and() -> None:
    tail = "road access, safe drinking water, featured industries, relocation and skills training."
    assert split_items(tail, 5) == ["road access", "safe drinking water", "featured industries", "relocation",
                                    "skills training"]
    # an "and" inside an item stays when the commas already give the count
    items = split_items("a, relocation from high and cold areas, c, and d", 4)
    assert items[1] == "relocation from high and cold areas"
    assert split_items("x; y and z; w", 3) == ["x", "y and z", "w"]


def test_the_list_is_answered_whatever_the_report_calls_its_items(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "Which four priorities did the leading group set for 2013?")
    assert a.answered, a.answer
    for item in ("entire village advancement", "relocation of the poor from high and cold areas",
                 "development of featured industries", "training of the rural labour force"):
        assert item in a.answer
    assert "laid down four key tasks" in a.citations[0].text


def test_a_terse_question_gets_the_items_split_at_semicolons(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "baiyun plan: the three big projects")
    assert a.answered and a.answer.startswith("road access, safe drinking water and housing renovation"), a.answer


def test_a_figure_of_the_list_is_not_answered_with_its_items(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "What did the three major projects cost?")
    assert "road access" not in a.answer.split("Source")[0]


@pytest.mark.parametrize(("question", "n"), [
    ("How many plans did the province prepare in 2013?", 3),
    ("How many planning documents did Baiyun prepare in 2013?", 3),
    ("How many documents did the province prepare or issue in 2013?", 4),
])
def test_titles_listed_without_a_count_are_counted(baiyun, question: str, n: int) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, question)
    assert a.answered and a.computation, a.answer
    assert a.answer.startswith(f"{n} "), a.answer
    assert "Planning for Relocation of the Poor in Baiyun Province" in a.answer


@pytest.mark.parametrize("question", [
    "How many of the three plans concern relocation?",  # a part of the list, not its length
    "How many households did the plans cover?",  # no title names households
])
def test_no_count_of_titles_for_other_questions(baiyun, question: str) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, question)
    assert not (a.answered and a.computation and "titles" in a.computation), a.answer
