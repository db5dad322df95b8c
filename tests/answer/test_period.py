"""Whether a figure is of the year asked (qa.answer.period): a figure over a span of years does not
answer a question about its last year, unless the question asks what was done up to then."""

from types import SimpleNamespace

import pytest

from qa.answer.period import period_ok
from qa.answer.question import analyze

SPAN = "From 2001 to 2010, the province organized the relocation of 1.33 million poor people."
YEAR = "In 2010, the province relocated 52,000 poor people, of whom 1,200 from 2001-2009 lists."


def fact(sentence: str, lo: int | None, hi: int | None) -> SimpleNamespace:
    return SimpleNamespace(sentence=sentence, period_start=lo, period_end=hi)


@pytest.mark.parametrize("question, ok", [
    ("How many poor people were relocated during 2010?", False),
    ("How many poor people were relocated in 2010?", False),
    ("How many poor people had been relocated by the end of 2010?", True),
    ("How many poor people were relocated from 2001 to 2010?", True),
    ("How many poor people were relocated in total up to 2010?", True),
])
def test_a_span_answers_only_a_question_about_the_span(question: str, ok: bool) -> None:
    assert period_ok(analyze(question), fact(SPAN, 2001, 2010)) is ok


def test_a_year_stated_outside_a_span_is_stated() -> None:
    # "In 2010" states the year; the span "2001-2009" later in the sentence does not undo that
    assert period_ok(analyze("How many poor people were relocated in 2010?"), fact(YEAR, 2001, 2010))


def test_the_end_of_a_span_alone_does_not_state_the_year() -> None:
    q = analyze("How many poor people were relocated in 2010?")
    assert not period_ok(q, fact("From 2001 to 2010, 1.33 million were relocated.", None, None))
    assert period_ok(q, fact("Up 5% over 2009, 1.33 million were relocated in 2010.", None, None))


def test_a_year_compared_with_is_not_stated() -> None:
    q = analyze("How much matching money did the region put up in 2010?")
    s = ("Central funds were 617.88 million Yuan, 105.75 million Yuan more than that of 2010, and 73 million Yuan "
         "was matching.")
    assert not period_ok(q, fact(s, 2011, 2011))


def test_a_rate_asked_over_a_year_is_stated_against_it() -> None:
    s = "The state issued 793 million Yuan, 177 million Yuan more than that in 2009, up 28.8%."
    assert period_ok(analyze("By what percentage did the funding rise over 2009?"), fact(s, 2010, 2010))
    assert not period_ok(analyze("What percentage of the funding went to roads in 2009?"), fact(s, 2010, 2010))


def test_a_place_listed_with_others_does_not_own_their_figure() -> None:
    from qa.answer.score import shared_with_others

    s = "Zhangjiakou, Chengde and Baoding City have 25 key counties for poverty alleviation and development."
    assert shared_with_others(["baoding"], s)
    assert not shared_with_others(["zhangjiakou", "chengde", "baoding"], s)
    assert not shared_with_others(["tianjin"], s)


def test_a_span_only_the_section_names_does_not_exclude_a_year() -> None:
    s = "The province spent 318 million Yuan on moving 12,600 households out of harsh areas."
    assert period_ok(analyze("How many households were relocated in 2010?"), fact(s, 2006, 2010))


def test_a_sentence_stating_two_years_gives_each_figure_its_own() -> None:
    s = "The poor fell from 2.23 million at the end of 2010 to 1.92 million at the end of 2011."
    q = analyze("How many poor were there at the end of 2011?")
    assert not period_ok(q, fact(s, 2010, 2010))
    assert period_ok(q, fact(s, 2011, 2011))
    # a figure the extractor gave no year of its own is judged by the years the sentence states
    assert period_ok(q, fact(s, None, None))
