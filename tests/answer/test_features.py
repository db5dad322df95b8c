"""Signals of the fitted ranker that need no index (qa.answer.features, qa.answer.score): whether a
figure is stated as a change, the most specific question word its surroundings lack, a tier of
government, a part or a quoted slogan that does not fit; and which "who" questions ask for a person.

Invented sentences about fictional counties, not text of the eval sets.
"""

from __future__ import annotations

import numpy as np
import pytest

from qa.answer.compose import LEAD_Q
from qa.answer.features import (
    base_conflict,
    change_mismatch,
    in_quotes,
    is_change,
    lacks_asked_word,
    own_phrase,
    part_named,
    part_whole,
    tier_conflict,
)
from qa.answer.question import analyze
from qa.answer.score import Vocabulary, key_missing
from qa.corpus.documents import Document
from qa.corpus.passages import split_passages
from qa.facts.extract import extract_facts
from qa.facts.model import NUMERIC_KINDS
from qa.index.wordvecs import WordVectors

TITLE = "Poverty Alleviation and Development in Gansu"
SENTENCE = ("In 2013, Baiyun reduced the rural poor by 52,000, leaving 310,000 rural poor, and the per capita "
            "net income of farmers reached 3,900 Yuan, up 14.2%.")


def _facts():
    doc = Document(id="gansu-2013", title=TITLE, text=f"{TITLE}\n\n[Overview]\n\n{SENTENCE}\n",
                   meta={"year": 2013, "region": "Gansu"})
    passages = split_passages(doc)
    return {f.raw: f for f in extract_facts(doc, passages) if f.kind in NUMERIC_KINDS}, passages


@pytest.mark.parametrize(("raw", "change"), [("52,000", True), ("310,000", False), ("3,900 Yuan", False),
                                             ("14.2%", True)])
def test_is_change(raw: str, change: bool) -> None:
    facts, _ = _facts()
    assert is_change(facts[raw]) is change


def test_a_level_question_is_not_answered_by_a_change_and_the_other_way_round() -> None:
    facts, _ = _facts()
    level = analyze("How many rural poor were left in Baiyun?")
    change = analyze("By what percentage did farmers' income rise?")
    assert change_mismatch(level, facts["52,000"]) == 1.0
    assert change_mismatch(level, facts["310,000"]) == 0.0
    assert change_mismatch(change, facts["14.2%"]) == 0.0
    assert change_mismatch(change, facts["3,900 Yuan"]) == 1.0


def test_key_missing_is_the_rarest_question_word_the_figure_lacks() -> None:
    _, passages = _facts()
    vocab = Vocabulary(passages)
    weights = {"rural": 1.0, "poor": 1.0, "baiyun": 1.0}
    assert key_missing(analyze("How many rural poor in Baiyun?"), vocab, weights) == 0.0
    # "relocated" appears nowhere: the most specific possible word is missing
    assert key_missing(analyze("How many rural poor were relocated in Baiyun?"), vocab, weights) == pytest.approx(1.0)


def _span(sentence: str, raw: str) -> tuple[int, int]:
    a = sentence.index(raw)
    return a, a + len(raw)


def test_a_tier_of_government_asked_is_not_answered_by_a_figure_of_another_tier() -> None:
    sentence = "Baiyun has 41 national key counties and 9 provincial key counties for poverty alleviation."
    national = "How many national key counties are there in Baiyun?"
    provincial = "How many key counties has the province designated as provincial ones?"
    assert tier_conflict(national, own_phrase(sentence, *_span(sentence, "9"))) == 1.0
    assert tier_conflict(national, own_phrase(sentence, *_span(sentence, "41"))) == 0.0
    assert tier_conflict(provincial, own_phrase(sentence, *_span(sentence, "41"))) == 1.0
    # a question naming no tier conflicts with nothing
    assert tier_conflict("How many key counties are there?", own_phrase(sentence, *_span(sentence, "9"))) == 0.0


def test_a_part_asked_is_not_answered_by_the_whole_the_sentence_divides() -> None:
    sentence = ("The central and provincial governments allocated 640 million Yuan, of which 510 million Yuan "
                "came from the central government.")
    asked = "How much of the grant came from the central government?"
    assert part_whole(asked, sentence, _span(sentence, "640 million Yuan")[1]) == 1.0
    assert part_whole(asked, sentence, _span(sentence, "510 million Yuan")[1]) == 0.0
    assert part_whole("How much was allocated?", sentence, _span(sentence, "640 million Yuan")[1]) == 0.0


def test_a_figure_inside_a_quoted_slogan_is_marked() -> None:
    sentence = ("Baiyun ran the project of “training ten thousand people and lifting ten thousand out of poverty”, "
                "and trained 7,300 people.")
    assert in_quotes(sentence, *_span(sentence, "ten thousand people"))
    assert not in_quotes(sentence, *_span(sentence, "7,300"))
    plain = 'The "Rain Plan" trained 4,100 people.'
    assert not in_quotes(plain, *_span(plain, "4,100"))


@pytest.mark.parametrize(("question", "asks_leader"), [
    ("Who heads Baiyun's poverty alleviation office?", True),
    ("Who chaired the plenary session of the leading group?", True),
    ("Who is in charge of the leading group?", True),
    ("Under whose leadership were the activities carried out?", False),
    ("Who endorsed the switch to town-wide advancement?", False),
])
def test_a_who_heads_question_asks_for_a_person(question: str, asks_leader: bool) -> None:
    # text_answer declines such a question when the best sentence names no person
    assert bool(LEAD_Q.search(question)) is asks_leader


BASES = ("In 2013, the per capita net income of farmers in Baiyun reached 4,100 Yuan, up 198% over 2000 and up "
         "11.5% over the previous year.")


def _base_facts():
    doc = Document(id="gansu-2013", title=TITLE, text=f"{TITLE}\n\n[Overview]\n\n{BASES}\n",
                   meta={"year": 2013, "region": "Gansu"})
    return {f.raw: f for f in extract_facts(doc, split_passages(doc)) if f.kind in NUMERIC_KINDS}


@pytest.mark.parametrize(("question", "conflicts"), [
    ("By what percentage did farmers' income grow in 2013?", {"198%"}),  # no base named: the year before
    ("Year-on-year growth of farmer income, Baiyun 2013", {"198%"}),
    ("By what percentage did farmers' income rise in 2013 compared with 2012?", {"198%"}),
    ("How much did farmers' income grow in percent from 2000 to 2013?", {"11.5%"}),
    ("What share of farmers' income came from wages?", set()),  # not a change: no base to disagree with
])
def test_a_change_asked_against_one_base_is_not_answered_by_one_against_another(question, conflicts) -> None:
    facts = _base_facts()
    q = analyze(question)
    assert {raw for raw in ("198%", "11.5%") if base_conflict(q, facts[raw])} == conflicts


class _Encoder:
    """Fixed vectors for the question words of the test below (the logic, not the model, is tested)."""

    VECTORS = {"incidence": [0.0, 0.0, 1.0], "salaries": [0.0, 0.8, 0.6]}

    def encode(self, texts):
        return [np.asarray(self.VECTORS[t], np.float32) for t in texts]


class _Index:
    def __init__(self) -> None:
        self.word_vectors = WordVectors(["poverty", "income"], np.eye(3, dtype=np.float32)[:2])
        self.derived: dict = {}
        self.retriever = type("R", (), {"encoder": _Encoder()})()


class _Vocab:
    df = {"poverti": 1, "incom": 1}


@pytest.mark.parametrize(("question", "lacks"), [
    ("What was the poverty incidence?", True),  # no report word comes close to "incidence"
    ("What were the salaries?", False),  # "income" is close enough
    ("What was the poverty income?", False),  # every word is there
])
def test_a_question_word_no_report_holds_in_any_form(question: str, lacks: bool) -> None:
    assert lacks_asked_word(analyze(question), _Index(), _Vocab()) is lacks


@pytest.mark.parametrize(("question", "phrase", "named"), [
    # the whole does not answer for its part
    ("How much of Lanshan's 2013 fiscal money came from the provincial budget?",
     "In 2013, Lanshan issued fiscal funds of 90 million Yuan", False),
    ("How much of Lanshan's 2013 fiscal money came from the provincial budget?",
     "of which 30 million Yuan was from the province's own budget", True),  # a tier word names it
    ("How much of the grant went to road building?", "25 million Yuan for building village roads", True),
    ("How much did Lanshan spend on roads?", "In 2013, Lanshan issued fiscal funds of 90 million Yuan", True),
])
def test_a_part_asked_is_named_by_the_figures_own_phrase(question: str, phrase: str, named: bool) -> None:
    assert part_named(question, phrase) is named


def test_a_misspelt_word_of_growth_still_asks_a_change() -> None:
    from qa.answer.features import asks_change

    q = analyze("percent increse in fiscal money 2010", correct=lambda t: t.replace("increse", "increase"))
    assert q.kind == "percent" and asks_change(q)
    assert not asks_change(analyze("percent of fiscal money spent on roads 2010"))
