"""Caches of the answer stage's per-figure work (issue 13, item 6: answering at 1,000 reports) give
what the uncached code gives: the closest-word similarity of ``near_cover`` kept per (text, question
word), and the ordinals of a question or a figure's sentence. No index: invented sentences and
small random word vectors."""

from __future__ import annotations

import numpy as np
import pytest

from qa.answer.features import _content_words, near_cover
from qa.answer.question import analyze
from qa.answer.score import ordinal_conflict

TEXTS = ["Investment: destitute households in Baiyun received 3,900 Yuan of relocation subsidies",
         "Overview: the budgetary grant to Qiaotou county reached 12 million Yuan",
         "Roads: acreage of terraced farmland grew by 4,000 mu"]
QUESTIONS = ["How much did poverty-stricken families in Baiyun get for resettlement?",
             "What was the budget grant to Qiaotou?", "How much farmland was terraced?"]


def _vectors(words: set[str]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    out = {}
    for w in sorted(words):
        v = rng.normal(size=16).astype(np.float32) + 2.0  # all alike enough to pass the 0.5 floor
        out[w] = v / np.linalg.norm(v)
    return out


def test_near_cover_with_a_memo_equals_it_without():
    from qa.text.words import words

    qs = [analyze(q) for q in QUESTIONS]
    vectors = _vectors(set().union(*map(_content_words, TEXTS)) | {w for q in QUESTIONS for w in words(q)})
    memo: dict = {}
    plain = [[near_cover(q, t, vectors) for t in TEXTS] for q in qs]
    assert [[near_cover(q, t, vectors, memo) for t in TEXTS] for q in qs] == plain
    assert memo and any(x > 0 for row in plain for x in row)
    # Met again, the pairs come from the memo: no vector is read
    assert [[near_cover(q, t, {}, memo) for t in TEXTS] for q in qs] == plain


@pytest.mark.parametrize(("question", "sentence", "conflict"), [
    ("How much went to the first batch of projects?", "The second batch of projects received 5 million.", True),
    ("How much went to the first batch of projects?", "The first batch of projects received 5 million.", False),
    ("How much went to the First batch?", "The second and first batches received 5 million.", False),
    ("How much went to the projects?", "The second batch of projects received 5 million.", False),
    ("How much went to the third batch?", "Projects received 5 million.", False),
    ("How much went to the firstly funded projects?", "The second batch received 5 million.", False),
])
def test_ordinal_conflict(question: str, sentence: str, conflict: bool):
    class Figure:
        pass

    f = Figure()
    f.sentence = sentence
    q = analyze(question)
    assert ordinal_conflict(q, f) is conflict
    assert ordinal_conflict(q, f) is conflict  # cached the second time, the same


def test_gap_tests_agree_with_the_regexes_over_the_gap():
    import random
    import re

    from qa.text.clauses import CLAUSE_BREAK, gap_tests

    rng = random.Random(11)
    pieces = ["funds", " ", "and", "band", "7", "2,500", ";", ":", " - ", " – ", "-", "(", ")", ",", " and ", "x"]
    for _ in range(3000):
        s = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 14)))
        x, y = sorted(rng.randrange(len(s) + 1) for _ in range(2))
        if rng.random() < 0.1:
            x, y = y, x  # an empty gap, as for a word inside the figure's span
        gap = s[x:y]
        assert gap_tests(s, x, y) == (bool(re.search(r"\d", gap)), bool(CLAUSE_BREAK.search(gap)),
                                      bool(re.search(r"[,()]", gap))), (s, x, y)
