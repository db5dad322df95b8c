"""Rules added for questions in an analyst's words on reports the answerer was not tuned on
(qa.answer.question, qa.answer.derived, qa.answer.ratios, qa.answer.arithmetic, qa.answer.score).

Pure functions on invented sentences about fictional counties (Lanshan, Qingshui), not sentences of
the eval reports; the facts are small fakes with the fields the rules read. No index.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fakes import Fig

from qa.answer import arithmetic, derived, operands, ratios
from qa.answer.features import is_change
from qa.answer.question import analyze, proper_names
from qa.answer.score import Scored, names_found, unit_match
from qa.text.clauses import figure_context
from qa.text.numbers import normalize_number
from qa.text.words import english_correction


def fake_index(facts: list[Fig], contexts: dict[str, str] | None = None):
    by_passage: dict[str, list[Fig]] = {}
    for f in facts:
        by_passage.setdefault(f.passage_id, []).append(f)
    return SimpleNamespace(facts_by_passage=by_passage, fact_context=contexts or {})


def scoring(facts: list[Fig], scores: dict[str, float], when: tuple[str, dict[str, float]] | None = None):
    """A ``candidates`` that returns ``facts`` with the given scores (by raw text), best first; with
    ``when`` = (stem, other scores), a query holding that stem gets the other scores."""
    def candidates(q, index, hits, ctx, kind=None):
        table = when[1] if when and when[0] in q.terms else scores
        out = [Scored(f, table.get(f.raw, 0.0), 1.0, 0) for f in facts
               if kind is None or f.kind == kind or (kind == "count" and f.kind == "count")]
        return sorted(out, key=lambda s: -s.score)
    return candidates


# --- question forms ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "kind"), [
    ("How much new farmland was created in Lanshan in 2013?", "auto"),          # an amount of land, not money
    ("And how much irrigated area was added?", "auto"),
    ("How much did the county itself contribute?", "money"),
    ("How much poverty-relief credit went into Lanshan?", "money"),
    ("Working back from the 2013 growth rate, how large was Lanshan's fiscal allocation in 2012?", "money"),
    ("From the figure and its growth rate, what did the central funds come to in 2012?", "money"),
    ("What was the growth rate of farmers' income?", "percent"),
    ("Lanshan 2013: headcount whose basic needs were met", "count"),   # a relative "whose", not a person asked
    ("Under whose leadership did Lanshan carry out the work?", "who"),
    ("How many people who were trained found jobs?", "count"),
    ("By how many yuan did the state funds exceed the 2012 level?", "change"),
    ("How many yuan did the county spend?", "money"),
    ("What length of village roads did Lanshan build?", "count"),
    ("What volume of discount loans did Lanshan issue?", "money"),
])
def test_what_a_question_asks_for(question: str, kind: str) -> None:
    assert analyze(question).kind == kind


@pytest.mark.parametrize(("question", "op"), [
    ("What poverty line did Lanshan use, in yuan per person?", None),  # the unit of the answer, no average
    ("Grain per head in the key counties?", None),                     # "per head" is per capita
    ("What was the average input per village?", "per"),
])
def test_per_names_a_unit_or_asks_an_average(question: str, op: str | None) -> None:
    assert analyze(question).op == op


def test_a_hyphenated_run_of_places_names_each_place() -> None:
    assert proper_names("Poor headcount of the Lanshan-Qingshui-Baiyun belt?") == ["lanshan", "qingshui", "baiyun"]
    assert "bank" in proper_names("What did the World Bank-financed project cost?")


def test_names_may_be_written_as_initials() -> None:
    assert names_found(["world", "bank"], "the wb's phase v project")
    assert not names_found(["world", "bank"], "the provincial project")
    assert names_found(["lanshan"], "lanshan county")


def test_a_count_of_counties_is_not_a_weight() -> None:
    q = analyze("How many key counties does Lanshan have?")
    assert unit_match(q, SimpleNamespace(unit="kilograms", measure="grain")) <= -0.45
    assert unit_match(q, SimpleNamespace(unit="counties", measure="key counties")) > 0


def test_ha_is_hectares() -> None:
    assert normalize_number("40,000 ha") == (40000, "hectares")


def test_a_typo_of_a_word_the_report_lacks_is_still_corrected() -> None:
    assert english_correction("lenght") == "length"
    assert english_correction("length") is None


# --- a share right after a figure carries that figure's words ----------------------------------------

def test_a_share_of_the_plan_is_about_the_figure_before_it() -> None:
    s = "It dug 6,090 biogas digesters, 121.80% of the scheduled tasks, and built roads of 101 kilometers."
    a = s.index("121.80%")
    others = [(s.index(x), s.index(x) + len(x)) for x in ("6,090", "101")]
    assert "biogas digesters" in figure_context(s, a, a + len("121.80%"), others)


# --- computed from the report's own figures ------------------------------------------------------------

PLAN = "Lanshan dug 6,090 biogas digesters, 121.80% of the scheduled tasks."


def test_a_plan_is_worked_back_from_its_completion_rate(monkeypatch) -> None:
    done = Fig("6,090", 6090, sentence=PLAN, unit="digesters", kind="count")
    rate = Fig("121.80%", 121.8, sentence=PLAN, unit="%", kind="percent")
    monkeypatch.setattr(derived, "candidates", scoring([done, rate], {"6,090": 0.8}))
    d = derived.planned_from_rate(analyze("How many digesters were planned, given the completion rate?"),
                                  fake_index([done, rate]), [], None)
    assert d is not None and round(d.computed_value) == 5000
    assert d.facts == [done, rate]
    # no plan asked: nothing is worked back
    dug = analyze("How many digesters were dug?")
    assert derived.planned_from_rate(dug, fake_index([done, rate]), [], None) is None


GROWTH = "Farmers' net income reached 2,912 Yuan, with an increase of 13% over the previous year."


def test_the_year_before_is_worked_back_from_an_increase_of() -> None:
    m, _ref = derived._change_after(GROWTH[GROWTH.index("2,912 Yuan") + len("2,912 Yuan"):])
    assert m is not None and m.group("num").startswith("13")


SHARE = "The state issued 793 million Yuan (of which 80 million Yuan was for the Tibetan area and 30 million Yuan " \
        "for rebuilding Yushu)."


def test_a_share_whose_whole_and_part_the_question_names(monkeypatch) -> None:
    whole = Fig("793 million Yuan", 793e6, sentence=SHARE)
    tibet = Fig("80 million Yuan", 80e6, sentence=SHARE, part_of=whole.id)
    yushu = Fig("30 million Yuan", 30e6, sentence=SHARE, part_of=whole.id)
    facts = [whole, tibet, yushu]
    contexts = {tibet.id: "80 million Yuan was for the Tibetan area", yushu.id: "30 million Yuan for rebuilding Yushu"}
    for module in (operands, ratios):
        # the part's words ("set aside") are not the report's: no figure fits them well enough alone
        monkeypatch.setattr(module, "candidates", scoring(facts, {"793 million Yuan": 0.9, "80 million Yuan": 0.2},
                                                          ("tibetan", {"793 million Yuan": 0.3, "80 million Yuan": 0.2,
                                                                       "30 million Yuan": 0.25})))
    q = analyze("What percentage of the state's grant was set aside for the Tibetan area?")
    d = ratios.share(q, fake_index(facts, contexts), [], SimpleNamespace(lower_texts=()))
    assert d is not None and d.facts == [tibet, whole]
    assert round(d.computed_value, 1) == 10.1


TWO = "It built the Qinba project with total investment of $ 71.75 million and the Phase V project with total " \
      "investment of $ 60 million; the province spent 247 million Yuan."


def test_the_two_things_are_summed_only_when_exactly_two_fit(monkeypatch) -> None:
    a = Fig("$ 71.75 million", 71.75e6, sentence=TWO, unit="USD")
    b = Fig("$ 60 million", 60e6, sentence=TWO, unit="USD")
    c = Fig("247 million Yuan", 247e6, sentence=TWO)
    q = analyze("What is the combined total investment of the two projects?")
    monkeypatch.setattr(arithmetic, "candidates", scoring([a, b, c], {a.raw: 0.5, b.raw: 0.45, c.raw: 0.1}))
    d = arithmetic._the_n(q, fake_index([a, b, c]), [], None, "money")
    assert d is not None and d.computed_value == pytest.approx(131.75e6)
    # a third figure of the same unit fitting as well: which two is not clear, so none
    c2 = Fig("$ 50 million", 50e6, sentence=TWO.replace("247 million Yuan", "$ 50 million"), unit="USD")
    monkeypatch.setattr(arithmetic, "candidates", scoring([a, b, c2], {a.raw: 0.5, b.raw: 0.45, c2.raw: 0.44}))
    assert arithmetic._the_n(q, fake_index([a, b, c2]), [], None, "money") is None


# --- more question forms -------------------------------------------------------------------------------

def test_shorthand_is_written_out() -> None:
    q = analyze("how many ppl relocated 2013")
    assert q.unit == "people" and "peopl" in q.terms


def test_the_counted_noun_is_the_head_of_the_phrase() -> None:
    assert analyze("How many tourist beds did the pilots add?").counted == "bed"
    assert analyze("How many biogas digesters were planned?").counted == "digest"


# --- a change asked in yuan is not a percentage, and the other way round --------------------------------

def test_a_change_asked_in_yuan_takes_no_percentage() -> None:
    from qa.answer.question import change_in

    assert change_in("By how many yuan did the funds exceed the 2012 level?") == "amount"
    assert change_in("By what percentage did the funds rise?") == "percent"
    assert change_in("How did the funds change?") is None


# --- the year before: the whole's change, read past the bracket of its parts ----------------------------

BRACKET = ("The state issued 793 million Yuan (of which 80 million Yuan was for the Tibetan area and 30 million "
           "Yuan for rebuilding Yushu), 177 million Yuan more than that in 2012, up 28.8%.")


def test_the_change_after_a_bracket_of_parts_is_the_wholes() -> None:
    whole_tail = BRACKET[BRACKET.index("793 million Yuan") + len("793 million Yuan"):]
    m, ref = derived._change_after(whole_tail)
    assert m is not None and m.group("num").startswith("177") and ref == "2012"
    part = Fig("30 million Yuan", 30e6, sentence=BRACKET)
    assert is_change(Fig("177 million Yuan", 177e6, sentence=BRACKET))
    part_tail = BRACKET[part.end:]
    m, _ = derived._change_after(part_tail)
    # the part's tail holds the change only past its closing bracket: previous_year skips it
    assert m is None or part_tail[: m.start()].count(")") > part_tail[: m.start()].count("(")


# --- a follow-up about the share of the plan the previous figure reached -----------------------------------

ROADS = "Lanshan built village roads of 1010.20 kilometers, 168.37% of the scheduled tasks; dug 6,090 digesters."


def test_the_share_after_the_previous_answer_answers_a_follow_up() -> None:
    from qa.answer.compose import figure_after

    roads = Fig("1010.20", 1010.2, sentence=ROADS, unit="kilometers", kind="count")
    share = Fig("168.37%", 168.37, sentence=ROADS, unit="%", kind="percent")
    digesters = Fig("6,090", 6090, sentence=ROADS, unit="digesters", kind="count")
    index = fake_index([roads, share, digesters])
    q = analyze("And what share of the target did that represent?", ["What length of village roads did Lanshan build?"])
    d = figure_after(q, index, roads, 0.8, rate=True)
    assert d is not None and d.facts == [share]
    # after the digesters nothing of the kind follows in their clause
    assert figure_after(q, index, digesters, 0.8, rate=True) is None


def test_a_word_in_capitals_is_emphasis_not_a_name() -> None:
    assert proper_names("How many LABOURERS did Lanshan train?") == ["lanshan"]
    assert proper_names("How much did LGOP allocate to Lanshan?") == ["lgop", "lanshan"]


def test_a_figure_of_places_listed_as_the_subject_is_theirs() -> None:
    from qa.answer.question import analyze
    from qa.answer.score import others_subject

    s = ("Zhangjiakou, Chengde and Baoding City have 25 key counties and 1.54 million poor people, "
         "respectively accounting for 48.1% and 41.6% of the total in the province.")
    assert others_subject(analyze("What proportion of the province's counties are key counties?"), s)
    assert not others_subject(analyze("What share of the poor live in Zhangjiakou, Chengde and Baoding?"), s)
    followup = analyze("What percentage of the provincial total is that?",
                       ["How many poor are in Chengde and Baoding?"])
    assert not others_subject(followup, s)
    assert not others_subject(analyze("How many key counties are there?"), "The province has 25 key counties.")


@pytest.mark.parametrize(("question", "phrase", "ok"), [
    ("What was the per capita net income of all farmers in the province?", "3,742 yuan in the national key counties",
     False),
    ("Rural per capita net income for Baiyun as a whole?", "farmers in the 8 key counties earned 2,912 Yuan", False),
    ("What was the per capita net income of all farmers in the province?", "farmers of the whole region 4,587 Yuan",
     True),
    ("What did farmers in the key counties earn?", "3,742 yuan in the national key counties", True),
])
def test_a_whole_asked_is_not_answered_by_a_part(question: str, phrase: str, ok: bool) -> None:
    from qa.answer.guards import whole_stated
    from qa.answer.question import analyze

    assert whole_stated(analyze(question), phrase) is ok
