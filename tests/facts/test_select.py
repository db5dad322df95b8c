"""The ``measure`` filter (qa.facts.select): the words asked match a figure's measure in any word form,
through the lexicon's synonyms and past a typo, or, counting less, the words of its own clause; a
section title is not the figure's words. Facts made for the test."""

from __future__ import annotations

from itertools import count

from qa.facts.model import Fact
from qa.facts.select import MIN_MATCH, match_score, matching_facts, measure_terms, own_clause, unit_of

_ids = count(1)


def fact(measure: str, *, raw: str = "917,000", value: float = 917_000, unit: str = "people", kind: str = "count",
         doc: str = "d", section: str = "Overview", start: int = 0) -> Fact:
    sentence = f"There were {raw} {measure}."
    a = sentence.index(raw)
    return Fact(id=f"f{next(_ids)}", doc=doc, passage_id=f"{doc}:p1", section=section, kind=kind, value=value,
                unit=unit, raw=raw, start=start + a, end=start + a + len(raw), sentence=sentence,
                sentence_start=start, sentence_end=start + len(sentence), measure=measure)


def score(asked: str, measure: str, clause: str = "") -> float:
    return match_score(measure_terms(asked), measure, clause)


def test_the_same_words_in_another_form_match_fully():
    assert score("poor population", "poor population") == 1.0
    assert score("Poor Populations", "poor population") == 1.0
    assert score("trained labourers", "training of labourers") == 1.0


def test_a_lexicon_synonym_matches_a_little_less():
    # [synonyms] links "poor" with "poverty" and "population" with "people".
    s = score("poor population", "poverty-stricken population")
    assert MIN_MATCH <= s < 1.0
    assert score("poor population", "poverty-stricken people") >= MIN_MATCH


def test_a_typo_still_matches_but_another_word_does_not():
    assert score("povrety population", "poverty-stricken population") >= MIN_MATCH
    assert score("poor population", "poor households") < MIN_MATCH  # one word of two is not enough
    assert score("poor population", "anti-poverty funds") < MIN_MATCH


def test_the_clause_counts_less_than_the_measure():
    in_measure = score("poor population", "poor population")
    in_clause = score("poor population", "", "a poor population of 917,000")
    assert 0 < in_clause < in_measure and in_clause >= MIN_MATCH


def test_stop_words_and_numbers_are_not_words_to_match():
    assert measure_terms("the number of the 2009") == ("number",)
    assert measure_terms("the of 2009") == ()
    assert matching_facts([fact("poor population")], "the of") == []


def test_the_section_title_is_not_the_figures_own_words():
    f = fact("villages", raw="350", value=350, unit="villages", section="Poverty alleviation by relocation")
    ctx = {f.id: "Poverty alleviation by relocation: 350 villages"}
    assert own_clause(f, ctx[f.id]) == "350 villages"
    assert matching_facts([f], "poverty alleviation", ctx) == []


def test_matches_are_best_first_and_numeric_only_when_asked():
    exact, synonym = fact("poor population", start=10), fact("poverty-stricken people", start=0)
    named = Fact(id="n1", doc="d", passage_id="d:p1", section="Overview", kind="organisation", value=None, unit="",
                 raw="Poor Population Office", start=500, end=522, sentence="x", sentence_start=500, sentence_end=501,
                 name="Poor Population Office")
    got = matching_facts([synonym, named, exact], "poor population")
    assert [m.fact.id for m in got][:1] == [exact.id] and {m.fact.id for m in got} == {exact.id, synonym.id, "n1"}
    assert "n1" not in {m.fact.id for m in matching_facts([synonym, named, exact], "poor population",
                                                          numeric_only=True)}


def test_an_income_per_person_is_not_the_unit_of_an_amount():
    assert unit_of(fact("funds", unit="yuan", kind="money")) == "yuan"
    assert unit_of(fact("per capita net income", unit="yuan", kind="per_capita")) == "yuan per person"
    assert unit_of(fact("share", unit="%", kind="percent")) == "%"


def test_a_match_says_whether_the_measure_itself_has_the_words():
    f, g = fact("poverty-stricken population"), fact("people", raw="10,000", value=1e4)
    ctx = {g.id: "training 10,000 people for the poor"}
    by = {mt.fact.id: mt.by_measure for mt in matching_facts([f, g], "poor population", ctx)}
    assert by == {f.id: True, g.id: False}
