"""Signals of the fitted ranker that need no index (qa.answer.features, qa.answer.score): whether a
figure is stated as a change, and the most specific question word its surroundings lack.

Invented sentences about fictional counties, not text of the eval sets.
"""

from __future__ import annotations

import pytest

from qa.answer.features import change_mismatch, is_change
from qa.answer.question import analyze
from qa.answer.score import Vocabulary, key_missing
from qa.corpus.documents import Document
from qa.corpus.passages import split_passages
from qa.facts.extract import extract_facts
from qa.facts.model import NUMERIC_KINDS

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
