"""Clauses and "respectively" pairing: ``qa.text.clauses.pairing`` (which words of an "A and B ...
X and Y respectively" list belong to another figure), where a clause or phrase ends (``clause_bounds``,
``same_clause``, ``phrases``, and the extractor's ``qa.facts.measures.clause`` built on them), the
words that say what one figure measures (``figure_context``), the phrase an explanation highlights
(``qa.answer.compose.best_clause``) and the clause an answer quotes (``qa.answer.draft.source_clause``).

Pure functions on invented sentences in the reports' style; no index.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from qa.answer.compose import best_clause
from qa.answer.draft import source_clause
from qa.answer.question import analyze
from qa.facts.measures import clause
from qa.text.clauses import clause_bounds, figure_context, pairing, phrases, same_clause


def pair(sentence: str, figure: str) -> tuple[set[str], set[str]]:
    """(other items' words, shared words) for the first occurrence of ``figure``."""
    a = sentence.index(figure)
    others, shared = pairing(sentence, a, a + len(figure))
    return set(others), set(shared)


BANKS = ("The Lanshan Rural Credit Union and the Gansu Agricultural Development Bank issued poverty "
         "alleviation loans of 420 million Yuan and 380 million Yuan respectively.")  # fmt: skip


def test_first_figure_belongs_to_the_first_item() -> None:
    others, shared = pair(BANKS, "420 million")
    assert others == {"gansu", "agricultural", "development", "bank"}
    assert {"issued", "poverty", "alleviation", "loans"} <= shared


def test_second_figure_belongs_to_the_second_item() -> None:
    others, shared = pair(BANKS, "380 million")
    assert others == {"lanshan", "rural", "credit", "union"}
    assert "loans" in shared and "lanshan" not in shared


def test_words_before_the_first_item_describe_every_figure() -> None:
    s = ("The per capita net income of herders in Lanshan and Qingshui reached 3,210 Yuan and 2,980 Yuan "
         "respectively, up 12% over the previous year.")  # fmt: skip
    others, shared = pair(s, "3,210")
    assert others == {"qingshui"}
    assert {"per", "capita", "net", "income", "herders"} <= shared
    assert pair(s, "2,980")[0] == {"lanshan"}


def test_figure_outside_the_paired_run_is_not_paired() -> None:
    s = ("The per capita net income of herders in Lanshan and Qingshui reached 3,210 Yuan and 2,980 Yuan "
         "respectively, up 12% over the previous year.")  # fmt: skip
    assert pair(s, "12%") == (set(), set())


def test_no_respectively_no_pairing() -> None:
    s = "Lanshan received 420 million Yuan and Qingshui received 380 million Yuan."
    assert pair(s, "420 million") == (set(), set())
    assert pair(s, "380 million") == (set(), set())


def test_pairing_stays_inside_its_semicolon_clause() -> None:
    s = "The county trained 1,200 people; Lanshan and Qingshui built 30 and 45 roads respectively."
    assert pair(s, "1,200") == (set(), set())
    assert "lanshan" in pair(s, "45")[0]


def test_respectively_far_after_the_run_pairs_nothing() -> None:
    s = ("Lanshan and Qingshui built 30 and 45 roads, and the two counties later trained 600 and 700 farmers "
         "respectively.")  # fmt: skip
    assert pair(s, "30") == (set(), set())


def test_a_word_every_item_has_is_not_another_items_word() -> None:
    s = "Lanshan County and Qingshui County received 30 million Yuan and 40 million Yuan respectively."
    assert pair(s, "30 million")[0] == {"qingshui"}  # "county" is its own word too


def test_a_single_figure_is_no_list() -> None:
    # "3 roads and 45 bridges": the noun between the figures breaks the run
    assert pair("Lanshan built 3 roads and 45 bridges respectively.", "3") == (set(), set())


def test_percent_list() -> None:
    s = "The incidence of poverty in Lanshan and Qingshui fell to 12.5% and 9.8% respectively."
    others, shared = pair(s, "9.8")
    assert others == {"lanshan"}
    assert {"incidence", "poverty"} <= shared


@pytest.mark.xfail(strict=True, reason="NUMBER takes the comma of '30,' so a comma-separated list of three breaks")
def test_three_item_list_with_commas() -> None:
    s = "Qingshui, Lanshan and Baiyun counties received 30, 40 and 50 million Yuan respectively."
    assert {"lanshan", "baiyun"} <= pair(s, "30")[0]
    assert "qingshui" in pair(s, "50 million")[0]


@pytest.mark.xfail(strict=True, reason="only '-ed' verbs end the last item; 'fell to' is kept as an item's own words")
def test_irregular_verb_is_shared_not_an_item() -> None:
    s = "The incidence of poverty in Lanshan and Qingshui fell to 12.5% and 9.8% respectively."
    assert pair(s, "12.5")[0] == {"qingshui"}


# --- where a clause ends (one definition, shared by the extractor, the scorer and the answer) ------------

BREAKS = "Lanshan built whole-village roads; Qingshui: schools, clinics – Baiyun trained 40 doctors"


@pytest.mark.parametrize(
    ("word", "expected"),
    [("whole", "Lanshan built whole-village roads"), ("clinics", " schools, clinics"),
     ("40", "Baiyun trained 40 doctors")],  # fmt: skip
)
def test_clause_ends_at_semicolon_colon_and_spaced_dash(word: str, expected: str) -> None:
    lo, hi = clause_bounds(BREAKS, BREAKS.index(word))
    assert BREAKS[lo:hi] == expected


def test_the_extractors_clause_is_the_shared_one() -> None:
    assert all(clause(BREAKS, i) == clause_bounds(BREAKS, i) for i in range(len(BREAKS)))


def test_same_clause() -> None:
    assert same_clause(BREAKS, BREAKS.index("Lanshan"), BREAKS.index("roads"))
    assert not same_clause(BREAKS, BREAKS.index("roads"), BREAKS.index("schools"))
    assert not same_clause(BREAKS, BREAKS.index("40"), BREAKS.index("clinics"))  # either order


def test_phrases_cut_at_punctuation_before_a_space_not_inside_figures() -> None:
    t = "Lanshan got 3.5 million Yuan, and 1,200 households moved. Done"
    assert [t[a:b] for a, b in phrases(t)] == ["Lanshan got 3.5 million Yuan,", " and 1,200 households moved.", " Done"]


# --- the words that say what one figure measures --------------------------------------------------------

FIGURE = re.compile(r"\d[\d,.]*(?: (?:million|billion))?(?: Yuan|%)?")
SPLIT = ("Gansu invested 6 billion Yuan, of which 800 million Yuan (300 million Yuan from the central budget) "
         "was fiscal funds, 90 million Yuan was discount loans; the rest came from donors.")  # fmt: skip
WHERE = "Poor people live mostly in the mountains (62%), along the river (9.5%) and in the city."
REMARK = ("Lanshan spent 40 million Yuan and lent microcredit of 25 million Yuan, both well above "
          "the plan.")  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "figure", "context"),
    [
        (SPLIT, "6 billion Yuan", "Gansu invested 6 billion Yuan"),
        (SPLIT, "800 million Yuan", "of which 800 million Yuan was fiscal funds"),  # not the bracket, not 90 million
        (SPLIT, "300 million Yuan", "300 million Yuan from the central budget"),  # a bracket is its own context
        (SPLIT, "90 million Yuan", "90 million Yuan was discount loans"),  # the clause ends at the semicolon
        (WHERE, "9.5%", "along the river 9.5%"),  # a bracket holding only the figure: the words before it
        # a remark after a comma does not name the figure: the words before it do
        (REMARK, "25 million Yuan", "and lent microcredit of 25 million Yuan , both well above the plan."),
    ],
)
def test_figure_context(sentence: str, figure: str, context: str) -> None:
    a = sentence.index(figure)
    others = [m.span() for m in FIGURE.finditer(sentence) if m.start() != a]
    assert figure_context(sentence, a, a + len(figure), others) == context


# --- the clause an explanation highlights ----------------------------------------------------------

WORKS = ("The county improved roads, built 40 new schools for herders' children, and trained village "
         "doctors; it also set up cooperatives.")  # fmt: skip


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Why were schools built for herders?", "built 40 new schools for herders' children,"),
        ("How were village doctors trained?", "and trained village doctors;"),
    ],
)
def test_best_clause_holds_most_question_words(question: str, expected: str) -> None:
    a, b = best_clause(analyze(question), WORKS)
    assert WORKS[a:b] == expected


def test_best_clause_without_any_match_takes_the_fullest_clause() -> None:
    a, b = best_clause(analyze("Tell me about bees"), WORKS)
    assert WORKS[a:b] == "built 40 new schools for herders' children,"


# --- the clause an answer quotes -------------------------------------------------------------------


def test_source_clause_cuts_at_semicolon_and_colon() -> None:
    s = "In 2013 the province did three things: it raised 2.1 billion Yuan for relocation; it trained 30,000 farmers."
    f = SimpleNamespace(sentence=s, sentence_start=100, start=100 + s.index("2.1"), raw="2.1 billion Yuan")
    assert source_clause(f) == "it raised 2.1 billion Yuan for relocation"


def test_source_clause_windows_a_long_clause_around_the_figure() -> None:
    s = ("Relocation went on " + " ".join(f"a{i}" for i in range(20)) + " and the county spent 90 million Yuan "
         + " ".join(f"b{i}" for i in range(30)) + ".")  # fmt: skip
    f = SimpleNamespace(sentence=s, sentence_start=0, start=s.index("90 million"), raw="90 million Yuan")
    out = source_clause(f, max_words=10)
    assert out.startswith("… ") and out.endswith(" …")
    assert "90 million Yuan" in out
    assert len(out.split()) == 12  # ten words and two ellipses
