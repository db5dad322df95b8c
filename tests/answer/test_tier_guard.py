"""A figure said only of another tier of government does not answer (qa.answer.compose): "the regional key
counties" asked, "the 19 national key counties" stated, is declined however sure the ranker is; a sentence
that names the asked tier too keeps its figure. Nor does a figure whose sentence lacks the scope a question
restricts itself to ("in its mountain counties alone"). On a real index (real model, FAISS, SQLite) of an invented
report."""

from __future__ import annotations

from invented import report_fixture

baiyun = report_fixture(
    "      【Overview】 Farmers in the 19 national key counties had a per capita net income of 3,168 Yuan, an "
    "increase of 412 Yuan over 2012. In 2013 the region lifted 350 villages out of poverty, 120 of them in the "
    "mountain counties. Since 2002, the central government and the regional government have "
    "invested a total of 3.11 billion Yuan of financial anti-poverty funds.",
)


def test_another_tiers_figure_is_no_answer(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "What was the per capita net income of farmers in the 11 regional key counties in 2013?")
    assert "3,168" not in a.answer, a.answer
    b = answer(baiyun, "What was the per capita net income of farmers in the national key counties in 2013?")
    assert b.answered and "3,168 Yuan" in b.answer, b.answer


def test_a_sentence_naming_both_tiers_keeps_its_figure(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "Since 2002, how much financial anti-poverty money have the central and regional "
                       "governments invested in total?")
    assert a.answered and "3.11 billion Yuan" in a.answer, a.answer


def sure_answers(index, *questions: str) -> list:
    """Answers by a ranker sure of the best word-level match: only the guards stand between it and a figure
    of another tier or scope."""
    import numpy as np

    from qa.answer import ranker
    from qa.answer.pipeline import answer

    with ranker.using(ranker.Ranker(("rule_score",), np.zeros(1), np.ones(1), np.ones(1), 10.0, 0.1)):
        return [answer(index, q) for q in questions]


def test_the_guard_holds_when_the_ranker_is_sure(baiyun) -> None:
    a, c, b = sure_answers(baiyun, "Per capita net income of farmers in the regional key counties, 2013?",
                           "Per capita net income of farmers in the region-designated key counties, 2013?",
                           "Per capita net income of farmers in the national key counties, 2013?")
    assert "3,168" not in a.answer, a.answer
    assert "3,168" not in c.answer, c.answer  # "region-designated" names the regional tier too
    assert b.answered and "3,168 Yuan" in b.answer, b.answer


def test_a_scope_asked_alone_must_be_the_figures(baiyun) -> None:
    a, b = sure_answers(baiyun, "In the border counties alone, how many villages were lifted out of poverty in 2013?",
                        "How many villages were lifted out of poverty in 2013?")
    assert "350" not in a.answer, a.answer
    assert b.answered and "350" in b.answer, b.answer
