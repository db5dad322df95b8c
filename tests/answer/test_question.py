"""Question analysis (qa.answer.question): the answer kind, the operation, the counted unit, the
years and figures a question names, and how a follow-up leans on the conversation history.

Pure functions on strings: no index. The questions are invented analyst phrasings about fictional
counties (Lanshan, Qingshui, Baiyun), not questions of the eval sets.
"""

from __future__ import annotations

import re

import pytest

from qa.answer.operations import detect_op
from qa.answer.question import (
    analyze,
    corrected_terms,
    detect_kind,
    is_elliptical,
    numbers_in,
    proper_names,
    target_unit,
    weighted_terms,
)

# --- kind -----------------------------------------------------------------------------------------

KINDS = [
    ("How much money did the provincial government set aside for relocation in 2012?", "money"),
    ("How many poor villages in Lanshan finished the whole-village programme?", "count"),
    ("What percentage of the rural population was still poor at the end of 2013?", "percent"),
    ("When did the Gansu Poverty Alleviation Office issue the new guidelines?", "date"),
    ("Who heads the Qingshui county relief bureau?", "who"),
    ("Which department was responsible for the migrant worker training?", "which"),
    ("Which counties were chosen as pilot areas?", "list"),
    ("Why did the number of poor people fall so fast?", "explanation"),
    ("By how much did the poor population decrease?", "change"),
    ("RELOCATION HOUSEHOLDS LANSHAN", "auto"),
    ("What did Baiyun's county and township relief funds amount to in 2012?", "money"),
    ("What did the prefecture give Qingshui in relief funds in 2012?", "money"),
    ("What did the prefecture provide to relocated households?", "explanation"),  # no amount named
    ("qingshui 2012 relief grant growth", "change"),  # a keyword question naming a growth
    ("key-county farmer income rise lanshan", "change"),
    ("qingshui 2012 relief grant", "money"),
    ("What was Qingshui's poverty incidence at the end of 2012?", "percent"),  # an incidence is a rate
    ("What did the per capita net income of Qingshui's farmers reach in 2012?", "money"),  # reached: an amount
    ("What did the relocation reach in 2012?", "explanation"),  # no amount named
]


@pytest.mark.parametrize(("question", "kind"), KINDS)
def test_detect_kind(question: str, kind: str) -> None:
    assert detect_kind(question) == kind


def test_how_much_is_money_not_percent_even_with_a_rate_word() -> None:
    # "how much" outranks "rate": the question asks for an amount (of the rate-subsidy fund)
    assert detect_kind("How much did the interest rate subsidy cost?") == "money"


@pytest.mark.xfail(strict=True, reason="'how many' outranks the percent words: 'How many percent' is read as a count")
def test_how_many_percent_asks_for_a_percentage() -> None:
    assert detect_kind("How many percent of households had tap water in 2013?") == "percent"


# --- operation ------------------------------------------------------------------------------------

OPS = [
    ("How much did Lanshan and Qingshui get altogether?", "sum"),
    ("How many more households escaped poverty in 2014 than in 2013?", "diff"),
    ("What is the difference between the fiscal funds and the bank loans?", "diff"),
    ("What proportion of the funds came from banks?", "share"),
    ("How much was spent per village on average?", "per"),
    ("Which received more, Lanshan or Qingshui?", "compare"),
    ("Did the province spend more on roads than on schools?", "compare"),
    ("How many key counties were not included in the pilot?", "complement"),
    ("How many villages now have roads after the new additions?", "grow"),
    ("What was the per capita income of farmers?", None),
    # a rate of change the report states, not a share to compute
    ("By what percentage did relief funds in Baiyun rise in 2013?", None),
    ("What percentage increase did the grants show over 2012?", None),
]


@pytest.mark.parametrize(("question", "op"), OPS)
def test_detect_op(question: str, op: str | None) -> None:
    assert detect_op(question) == op


@pytest.mark.parametrize(
    ("question", "kind"),
    [("What were the grants and the loans combined?", "auto"),
     ("What was the tally of schools and clinics together?", "auto")],  # fmt: skip
)
def test_a_calculation_without_how_much_still_asks_for_a_number(question: str, kind: str) -> None:
    q = analyze(question)
    assert (q.kind, q.op) == (kind, "sum")


@pytest.mark.parametrize(
    ("question", "kind"),
    [("What were the relocation funds in 2012?", "money"), ("What were the relief funds used for?", "explanation")],
)
def test_what_were_the_funds_asks_for_an_amount_unless_it_asks_what_for(question: str, kind: str) -> None:
    assert detect_kind(question) == kind


def test_typo_correction_does_not_erase_the_operation() -> None:
    # the corrector may turn "unchanged" into "changed": the original wording still says "not"
    q = analyze("How many villages were left unchanged?", correct=lambda t: t.replace("unchanged", "changed"))
    assert q.op == "complement"


# --- target unit ----------------------------------------------------------------------------------

UNITS = [
    ("How many poor households received subsidies?", "households"),
    ("How many farm technology commissioners worked in Baiyun last year?", "people"),
    ("How many bureaus sent staff to the villages?", "bureaus"),  # the verb ends the noun phrase
    ("How many square kilometres of grassland were restored?", "km²"),
    ("How much money was spent?", None),
    # a plural noun heads the phrase: what follows is its verb or a second head, not the noun counted
    ("How many key counties lie within the Baiyun mountain areas?", "counties"),
    ("Across how many poor counties and districts was the pilot spread?", "counties"),
]


@pytest.mark.parametrize(("question", "unit"), UNITS)
def test_target_unit(question: str, unit: str | None) -> None:
    assert target_unit(question) == unit


@pytest.mark.xfail(strict=True, reason="kilometres (a length) fall in the km² family of areas")
def test_kilometres_of_road_are_not_an_area() -> None:
    assert target_unit("How many kilometres of rural roads were built?") != "km²"


# --- years and figures ----------------------------------------------------------------------------


def test_years_are_periods_not_figures() -> None:
    q = analyze("How much did Lanshan spend on roads in 2012 and 2013?")
    assert q.years == {2012, 2013}
    assert q.numbers == []


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("the 60 key counties in 2012", [60.0]),
        ("1,200 households and 3.5 billion", [1200.0, 3_500_000_000.0]),
    ],
)
def test_numbers_in(text: str, values: list[float]) -> None:
    assert numbers_in(text) == values


@pytest.mark.parametrize(("question", "filler", "kept"), [
    ("How many people left poverty over the course of 2012?", "cours", "poverti"),
    ("What did Lanshan spend on roads back in 2005?", "back", "road"),
])
def test_phrases_that_only_place_a_question_in_time_are_not_asked(question: str, filler: str, kept: str) -> None:
    assert filler not in analyze(question).terms
    assert kept in analyze(question).terms


def test_the_unit_of_a_quoted_figure_is_not_the_unit_asked() -> None:
    q = analyze("How large is Lanshan's poor headcount under the 2,300 yuan line?")
    assert q.kind == "count"
    assert analyze("How many yuan did Lanshan's farmers earn in 2012?").kind == "money"


def test_training_courses_are_still_asked() -> None:
    assert "cours" in analyze("How many training courses were held in 2012?").terms


def test_weighted_terms_drop_question_words_digits_and_years() -> None:
    terms = weighted_terms("How many poor villages in 2012 had 30 roads?")
    assert set(terms) == {"poor", "villag", "road"}
    assert all(w == 1.0 for w in terms.values())


def test_a_word_changed_by_typo_correction_weighs_less() -> None:
    terms = corrected_terms("How much did the provnce spend on roads?", "How much did the province spend on roads?")
    assert terms["provinc"] == pytest.approx(0.7)
    assert terms["road"] == 1.0


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("How much did the Lanshan County office spend in Qingshui?", ["lanshan", "county", "qingshui"]),
        ("HOW MUCH DID LANSHAN SPEND", []),  # all capitals: no case to read names from
    ],
)
def test_proper_names(question: str, names: list[str]) -> None:
    assert proper_names(question) == names


def test_the_reports_own_region_is_no_name_constraint() -> None:
    q = analyze("How much did Lanshan and Qingshui get in Gansu?", ignore_names=frozenset({"gansu"}),
                ignore_stems=frozenset({"gansu"}))  # fmt: skip
    assert q.names == ["lanshan", "qingshui"]
    assert "gansu" not in q.terms
    # a question made only of region words keeps them: something must be searched for
    assert analyze("Gansu?", ignore_stems=frozenset({"gansu"})).terms == {"gansu": 1.0}


# --- follow-ups -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "elliptical"),
    [
        ("And the households?", True),
        ("Why did the number of poor people fall so fast in Lanshan?", False),
    ],
)
def test_is_elliptical(question: str, elliptical: bool) -> None:
    assert is_elliptical(question) is elliptical


def test_existential_there_is_not_a_follow_up() -> None:
    assert not is_elliptical("How many trainees were there per county?")
    assert is_elliptical("How many herders were trained there?")  # this "there" points back


def test_follow_up_takes_kind_and_terms_from_the_previous_question() -> None:
    q = analyze("And in 2013?", ["How much did Lanshan invest in roads in 2012?"])
    assert q.elliptical
    assert q.kind == "money"
    assert q.years == {2013}  # the follow-up's own year replaces the earlier one
    assert q.terms == {"lanshan": 0.6, "invest": 0.6, "road": 0.6}
    assert q.resolved == "And in 2013 (following: How much did Lanshan invest in roads in 2012)?"


def test_follow_up_without_a_year_keeps_the_earlier_year_and_unit() -> None:
    q = analyze("And in Qingshui?", ["How many poor villages did Lanshan County have in 2012?"])
    assert q.kind == "count"
    assert q.unit == "villages"
    assert q.years == {2012}


@pytest.mark.parametrize(("follow_up", "year"), [
    ("And the year before?", 2011), ("What about the previous year?", 2011), ("And a year earlier?", 2011),
    ("And the following year?", 2013), ("And the year after?", 2013),
])
def test_the_year_before_or_after_is_counted_from_the_earlier_year(follow_up: str, year: int) -> None:
    q = analyze(follow_up, ["How many poor villages did Lanshan County have in 2012?"])
    assert q.years == {year}


def test_a_new_name_replaces_the_old_one() -> None:
    q = analyze("And in Qingshui?", ["How many poor villages did Lanshan County have in 2012?"])
    assert q.names == ["qingshui"]
    assert q.terms["qingshui"] == 1.0
    assert "lanshan" not in q.terms
    assert q.terms["villag"] == pytest.approx(0.35)  # carried, at the lower weight of a name switch


def test_what_about_a_new_name_replaces_the_old_one() -> None:
    q = analyze("What about Qingshui?", ["How many poor villages did Lanshan County have in 2012?"])
    assert "lanshan" not in q.terms


def test_a_range_in_the_earlier_question_is_not_carried_as_years() -> None:
    # "between 2011 and 2013" spans more than its two end years: left to retrieval, not a year filter
    q = analyze("And in Qingshui?", ["How much was invested between 2011 and 2013?"])
    assert q.elliptical
    assert q.years == set()


def test_how_many_of_those_counts_the_earlier_noun() -> None:
    q = analyze("How many of those got employment afterwards?", ["How many migrant workers were trained in 2013?"])
    assert q.kind == "count"
    assert q.unit == "people"
    assert q.years == {2013}
    assert q.terms["employ"] == 1.0 and q.terms["migrant"] == pytest.approx(0.6)


def test_a_full_question_after_history_is_not_elliptical() -> None:
    q = analyze("How much did Lanshan spend on roads?", ["How much did Lanshan spend on schools in 2013?"])
    assert not q.elliptical
    assert q.years == set()  # no year is borrowed by a question that stands on its own
    assert q.resolved == "How much did Lanshan spend on roads?"
    assert q.terms["school"] == pytest.approx(0.1)  # history terms only nudge retrieval
    assert q.history_used == ["How much did Lanshan spend on schools in 2013?"]


def test_the_question_before_last_weighs_least_and_order_is_newest_first() -> None:
    history = ["How much did Lanshan spend on schools in 2013?", "How many poor villages did Qingshui have?"]
    q = analyze("What about roads?", history)
    assert q.history_used == history[::-1]
    assert q.terms["villag"] == pytest.approx(0.6)
    assert q.terms["school"] == pytest.approx(0.25)


def test_blank_history_is_no_history() -> None:
    q = analyze("And in 2013?", ["", "  "])
    assert not q.elliptical
    assert q.context == ""
    assert q.history_used == []
    assert q.kind == "auto"


@pytest.mark.parametrize(("question", "unit"), [
    ("What is the population of the county's key poverty villages?", "people"),
    ("Poor headcount of the mountain area?", "people"),
    ("How many key counties have a population over 100,000?", "counties"),  # "how many" names the unit
    ("What share of the population is rural?", None),  # a share, not a count of people
])
def test_a_population_asked_counts_people(question: str, unit: str | None) -> None:
    assert analyze(question).unit == unit


@pytest.mark.parametrize("question", ["What did the road funds and the school funds total in 2013?",
                                      "How much did loans and grants come to?"])
def test_what_did_x_and_y_total_asks_a_sum(question: str) -> None:
    assert analyze(question).op == "sum"


@pytest.mark.parametrize(("question", "kind"), [
    ("What was the year-on-year growth of the county's road funds in 2013?", "change"),
    ("What was the increase in school funds in 2013?", "change"),
    ("lanshan road fund growth 2013 %", "percent"),  # a bare "%" asks a percentage
    ("What was the total road fund in 2013?", "money"),
    ("Road funds grew faster in 2013 for which county, Lanshan or Baiyun?", "percent"),  # a speed is a rate
    ("Which county shows the fastest growth of farmers' income?", "percent"),
])
def test_a_growth_asked_with_what_is_a_change(question: str, kind: str) -> None:
    assert analyze(question).kind == kind


def test_a_follow_up_word_replaces_the_earlier_word_of_its_contrast_set() -> None:
    q = analyze("And a small one?", ["What does the county put into a big village?"])
    assert q.terms["small"] == 1.0 and "big" not in q.terms and q.terms["villag"] < 1.0
    q = analyze("And provincial ones?", ["How many national key counties does Lanshan have?"])
    assert q.terms["provinci"] == 1.0 and "nation" not in q.terms
    q = analyze("And in the pastoral areas?", ["How many national key counties does Lanshan have?"])
    assert "nation" in q.terms  # no contrast: nothing is replaced


def test_a_follow_up_that_names_its_own_unit_counts_it() -> None:
    assert analyze("and counties?", ["How many districts and cities is Lanshan divided into?"]).unit == "counties"
    assert analyze("And how many of them found jobs?", ["How many migrant workers were trained?"]).unit == "people"


def test_a_change_of_a_headcount_is_asked_as_an_amount() -> None:
    from qa.answer.question import change_in

    assert change_in("QINGHAI 2011 DROP IN POOR HEADCOUNT") == "amount"
    assert change_in("By how much did the number of poor people fall?") == "amount"
    assert change_in("By what percentage did the number of poor people fall?") == "percent"


def test_share_as_a_verb_asks_no_percentage() -> None:
    assert analyze("Which other provinces share the rocky areas with Yunnan?").kind != "percent"
    assert analyze("What share of the funds went to relocation?").kind == "percent"


@pytest.mark.parametrize(("q", "unit"), [("What land area does Ningxia have?", "km²"), ("land area", "km²"),
                                          ("List the territory (km2) of every province.", "km²"),
                                          ("Which two municipalities does Hebei's territory encircle?", None)])
def test_a_regions_land_area_is_asked_in_square_kilometres(q: str, unit: str | None) -> None:
    assert analyze(q).unit == unit


def test_an_analysts_scale_suffix_and_currency_are_read_as_such() -> None:
    q = analyze("ningxia 2009 mutual-fund pot of 85.5m - LGOP slice?")
    assert q.numbers == [85_500_000.0] and "5m" not in q.terms
    assert "us" not in analyze("How big is the World Bank project, in US dollars?").names
    # the words of a quoted figure ("million", "yuan") are not what is asked
    assert set(analyze("Of the 987.17 million yuan of fiscal money, how much was central?").terms) == {
        "fiscal", "money", "central"}


def test_how_big_was_the_rise_asks_a_change() -> None:
    assert analyze("Funds were 1.74 billion yuan in 2010 - how big was the rise on the year before?").kind == "change"


def test_a_misspelt_percentage_asks_a_percentage() -> None:
    q = analyze("By what percnt did the funding rise versus 2009?", correct=lambda t: t.replace("percnt", "percent"))
    assert q.kind == "percent"


@pytest.mark.parametrize("q", ["Where does Yunnan stand nationally by the number of its key poverty counties?",
                               "Where does Yunnan rank in China by the size of its poor population?"])
def test_a_rank_asked_is_a_position_not_a_figure(q: str) -> None:
    assert analyze(q).kind == "which"


def test_how_many_of_them_were_names_its_unit_and_go_up_is_a_change() -> None:
    assert analyze("Towns and villages were counted apart - how many of them were villages?").unit == "villages"
    assert analyze("How much did per-head net income go up in 2009?").kind == "change"


@pytest.mark.parametrize("q", [
    "Going by the growth rate, roughly how much did the province put into poverty alleviation in 2008?",
    "Judging by the 2010 growth rate, what was the total outlay in 2009?",
    "Roughly how much central money did the region receive in 2010, given the 2011 growth rate?",
    "Working back from the stated increase rate, what were the funds in 2009?",
])
def test_a_growth_rate_named_as_the_means_asks_the_amount(q: str) -> None:
    a = analyze(q)
    assert a.kind == "money" and a.op is None
    assert not {"growth", "rate", "increas"} & set(a.terms)  # the rate's words are not what is sought
    assert a.question == q  # the question is shown as asked
    assert max(a.years) < 2011 or "2011 growth" not in q  # the rate's year is not the year asked


@pytest.mark.parametrize("q", ["What was the growth rate of the funds in 2010?", "By what percentage did funds grow?",
                               "How did the key counties' growth rate compare with the province's?"])
def test_a_growth_rate_asked_stays_asked(q: str) -> None:
    assert analyze(q).kind in ("percent", "change", "explanation")
    assert "growth" in analyze(q).terms or "grow" in analyze(q).terms


@pytest.mark.parametrize("q", ["What income gain per farmer was the region aiming for?",
                               "What income threshold per person is the poor count based on?",
                               "and the subsidy per migrant?"])
def test_an_income_or_subsidy_per_person_is_stated_not_computed(q: str) -> None:
    assert detect_op(q) is None


def test_an_average_per_person_asked_in_so_many_words_is_computed() -> None:
    assert detect_op("On average, how much subsidy was paid per relocated household?") == "per"
    assert detect_op("How much was spent on training per poor labourer?") == "per"


@pytest.mark.parametrize("q, gone", [
    ("How many key counties were designated by the province (not national)?", {"nation"}),
    ("How much did the region set aside for mutual funds in 2011 - the funds themselves, not the reward money?",
     {"reward"}),
    ("What did rural per capita net income reach across the whole region in 2010, not just the key counties?",
     {"key"}),
])
def test_an_aside_says_what_is_not_asked_and_asks_no_subtraction(q: str, gone: set[str]) -> None:
    a = analyze(q, correct=lambda text: re.sub(r"[^\w\s]", " ", text))  # correction drops punctuation
    assert a.op is None and not gone & set(a.terms)


def test_not_in_the_question_itself_still_asks_a_complement() -> None:
    assert analyze("How many trainees did not achieve employment transfer?").op == "complement"


def test_a_follow_up_that_names_another_place_after_and_names_it() -> None:
    assert proper_names("And Qingshui, same year?") == ["qingshui"]
    assert proper_names("And Total funds?") == []  # an English word after "And" is no name


def test_that_year_in_a_follow_up_is_no_unit_counted() -> None:
    q = analyze("And Qingshui, same year?", ["How many people did Lanshan lift out of poverty in 2011?"])
    assert q.kind == "count" and q.unit != "years" and q.years == {2011}


@pytest.mark.parametrize(("question", "previous", "kind"), [
    ("and poor households backed?", "How much did Baiyun invest in entire village advancement in 2013?", "count"),
    ("And villages covered?", "How much went to entire village advancement in Lanshan?", "count"),
    # a place or the receiver of money is not the thing counted
    ("And in the pastoral areas?", "How much was invested in Qingshui in 2013?", "money"),
    ("What about pastoral areas?", "What was the poverty line for farming areas?", "money"),
    ("And the part lent directly to poor households?", "How much credit money went to Baiyun in 2013?", "money"),
])
def test_a_terse_followup_naming_a_counted_noun_asks_a_count(question: str, previous: str, kind: str) -> None:
    from qa.answer.question import analyze

    assert analyze(question, [previous]).kind == kind


@pytest.mark.parametrize(("question", "kind"), [
    ("What did farmers in Baiyun's key counties earn per head, net, in 2013?", "money"),
    ("what did a farmer in the national key counties earn", "money"),
    ("How many farmers earned more than 2,000 yuan?", "count"),
])
def test_earnings_are_money(question: str, kind: str) -> None:
    from qa.answer.kinds import detect_kind

    assert detect_kind(question) == kind


def test_of_them_keeps_the_earlier_noun_counted_when_a_place_follows() -> None:
    from qa.answer.question import analyze

    q = analyze("how many of them lie in national key counties?",
                ["How many key villages went through whole-village advancement in Baiyun in 2013?"])
    assert q.unit == "villages" and "villag" in q.terms
    # the follow-up's own noun still says what is counted when it is not a place
    of_them = analyze("And how many of them were villages?", ["How many towns and villages were built?"])
    assert of_them.unit == "villages"
    assert analyze("And counties?", ["How many villages got mutual funds?"]).unit == "counties"


@pytest.mark.parametrize(("question", "parts"), [
    ("Of the central and provincial grants, which was the bigger?", ["central", "provincial grants"]),
    ("Which exceeded the other: central or provincial funds?", ["central", "provincial funds"]),
    ("Between relocation and training, which one was larger?", ["relocation", "training"]),
])
def test_which_of_two_was_bigger_is_a_comparison(question: str, parts: list[str]) -> None:
    from qa.answer.operands import split_parts

    assert detect_op(question) == "compare"
    assert split_parts(question, "compare") == parts


def test_one_year_before_shifts_a_followups_year() -> None:
    from qa.answer.question import analyze

    assert analyze("and one year before?", ["baiyun poverty rate, end 2013"]).years == {2012}
    assert analyze("And a year later?", ["How many were relocated in 2012?"]).years == {2013}


@pytest.mark.parametrize(("question", "previous", "kind", "unit"), [
    ("and families whose housing problems got solved?", "How much start-up money did Baiyun invest in 2013?",
     "count", "households"),
    ("And labourers trained and transferred from poor areas?", "How many poor people did Baiyun support in 2013?",
     "count", "people"),
    ("And its area in square kilometres?", "How many counties does Baiyun have?", None, "km²"),
])
def test_a_terse_followup_counts_its_own_head_noun(question: str, previous: str, kind, unit: str) -> None:
    from qa.answer.question import analyze

    q = analyze(question, [previous])
    assert q.unit == unit and (kind is None or q.kind == kind), (q.kind, q.unit)


@pytest.mark.parametrize(("question", "op", "parts"), [
    ("In Baiyun's 2013 results, which went further past its schedule: road building or labour training?", "compare",
     ["road building", "labour training"]),
    ("Baiyun's 2013 special allocations - did labour transfer or the mutual funds get the bigger amount?", "compare",
     ["labour transfer", "the mutual funds"]),
    ("In absolute yuan, how far above the 2012 level were the state's 2013 funds for Baiyun?", "diff", None),
])
def test_comparisons_worded_after_a_colon_or_a_dash(question: str, op: str, parts) -> None:
    from qa.answer.operands import split_parts

    assert detect_op(question) == op
    if parts is not None:
        assert split_parts(question, op) == parts
