"""A difference asked against a base ("how much more ... than the year before?") that no computation
answers is answered only by a difference the report states, never by a level (qa.answer.compose); and
the lexicon's words for money handed out and budgets (qa.text.lexicon). End to end on a real index (real
model, FAISS, SQLite) of an invented report."""

from __future__ import annotations

from invented import report_fixture

baiyun = report_fixture(
    "      【Investment of anti-poverty funds】 In 2013 the province invested 4.2 billion Yuan in poverty "
    "alleviation. The provincial fiscal funds were 748 million Yuan, and the county funds rose to 296 million "
    "Yuan.",
    "      【Relocation】 The province moved 12,000 households out of harsh areas.",
)

stated = report_fixture(
    "      【Investment of anti-poverty funds】 In 2013 the province invested 4.2 billion Yuan in poverty "
    "alleviation. The provincial fiscal funds were 748 million Yuan, 136 million Yuan more than in 2012.",
    region="Qingshui",
)


def test_a_level_does_not_answer_how_much_more_than_the_year_before(baiyun) -> None:
    from qa.answer.pipeline import answer

    a = answer(baiyun, "In yuan terms, how much more did the province's own budget give to poverty work in 2013 "
                       "than the year before?")
    assert "748 million" not in a.answer and "296 million" not in a.answer, a.answer


def test_a_stated_difference_answers_it(stated) -> None:
    from qa.answer.pipeline import answer

    a = answer(stated, "How much more provincial fiscal money was there in 2013 than in 2012?")
    assert a.answered and "136 million Yuan" in a.answer, a.answer


def test_money_handed_out_is_the_funds_issued() -> None:
    from qa.text.lexicon import QUESTION_WORDS, SYNONYM_GROUPS

    assert any({"handed", "issued"} <= set(g.split()) for g in SYNONYM_GROUPS)
    assert any({"budget", "fiscal"} <= set(g.split()) for g in SYNONYM_GROUPS)
    assert "overall" in QUESTION_WORDS  # "overall spending" asks the total, as "total" does
