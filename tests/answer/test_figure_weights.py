"""A figure's word weights worked out word by word, on demand (``qa.answer.weights.FigureWeights``),
are the whole table the scorer used to build for every figure (issue 13, item 6: answering at 1,000
reports): the same words, the same floats. The reference below is that table, as it was built."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import pytest

from qa.answer.sentences import previous_sentence
from qa.answer.thresholds import DISTANCE_DECAY, OWN_SEGMENT, PREVIOUS_SENTENCE
from qa.answer.weights import fact_context_weights, figure_gaps, term_positions
from qa.text.clauses import CLAUSE_BREAK, gap_tests, pairing
from qa.text.words import stem


def table(fact, passage_text: str, passage_start: int, section: str) -> dict[str, float]:
    """Every word's weight at once, with a regex over each gap (the scorer's code before the change)."""
    sent, s_off = fact.sentence, fact.sentence_start
    weights: dict[str, float] = {}
    for text, w in ((passage_text, 0.25), (section, 0.6)):
        for t, *_ in term_positions(text):
            weights[t] = max(weights.get(t, 0.0), w)
    for t, *_ in term_positions(sent):
        weights[t] = max(weights.get(t, 0.0), 0.4)
    for t, *_ in term_positions(previous_sentence(passage_text, passage_start, s_off)):
        weights[t] = max(weights.get(t, 0.0), PREVIOUS_SENTENCE)

    def put(term: str, w: float) -> None:
        if w > weights.get(term, 0.0):
            weights[term] = w

    a, b = fact.start - s_off, fact.end - s_off
    terms = term_positions(sent)
    starts, ends = [ta for _, ta, _ in terms], [tb for _, _, tb in terms]
    for t, ta, tb in terms:
        if ta >= a and tb <= b:
            put(t, 1.0)
            continue
        before = tb <= a
        x, y = (tb, a) if before else (b, ta)
        gap = sent[x:y]
        dist = bisect_left(starts, y) - bisect_right(ends, x) if x < y else 0
        w = max(0.0, 1.0 - DISTANCE_DECAY * dist)
        if re.search(r"\d", gap):
            w *= 0.3
        elif OWN_SEGMENT and not CLAUSE_BREAK.search(gap) and not (re.search(r"[,()]", gap)
                                                                   or re.search(r"\band\b", gap)):
            w = max(w, OWN_SEGMENT)
        elif CLAUSE_BREAK.search(gap):
            w *= 0.5
        elif re.fullmatch(r"\s*[()]\s*", gap):
            pass
        elif not before and re.search(r"\band\b", gap):
            w *= 0.7
        elif re.search(r"[,()]", gap):
            w *= 0.6 if before else 0.85
        put(t, w)
    for t, *_ in term_positions(f"{fact.measure} {fact.subject}"):
        put(t, 1.0)
    others, shared = pairing(sent, a, b)
    for w in shared:
        put(stem(w), 0.8)
    for w in others:
        if stem(w) in weights:
            weights[stem(w)] = min(weights[stem(w)], 0.2)
    return weights


def asked(weights, fact, passage_text: str, section: str) -> dict[str, float]:
    """Every word that could weigh something, asked one by one; those that do."""
    texts = (passage_text, section, fact.sentence, f"{fact.measure} {fact.subject}")
    words = {t for text in texts for t, *_ in term_positions(text)}
    words |= {stem(w) for group in pairing(fact.sentence, fact.start - fact.sentence_start,
                                           fact.end - fact.sentence_start) for w in group}
    got = {w: weights.get(w, 0.0) for w in words | {"zzz", "and"}}
    return {w: v for w, v in got.items() if v > 0.0}


@dataclass(frozen=True)
class Figure:
    sentence: str
    sentence_start: int
    start: int
    end: int
    measure: str = ""
    subject: str = ""


SENTENCES = [
    ("China Development Bank and the Agricultural Bank of China issued loans of 900 million Yuan and "
     "650 million Yuan respectively.", "650 million Yuan", "loans", ""),
    ("The regional financial department provided 102 million; the county added 7.6 million (along the "
     "border (7.6%)), and 31 key counties for relocation got 1.44 billion and the rest 5 million.",
     "1.44 billion", "", "key counties"),
    ("Funds – 12 million Yuan – went to roads, bridges and the 2,500 households of the first batch.",
     "12 million Yuan", "funds", "roads"),
    ("Of the 230 graduates, 120 found jobs: 80 in Guangdong and 40 at home.", "120", "graduates", ""),
]


@pytest.mark.parametrize(("sentence", "figure", "measure", "subject"), SENTENCES)
def test_invented_figures_weigh_their_words_as_the_table_did(sentence, figure, measure, subject):
    passage = "Overview of the year. Investment in the poorest villages grew. " + sentence + " Then more came."
    p_start = 100
    s_start = p_start + passage.index(sentence)
    for m in re.finditer(r"\d[\d,.]*(?: (?:million|billion)(?: Yuan)?)?", sentence):
        fact = Figure(sentence, s_start, s_start + m.start(), s_start + m.end(), measure, subject)
        want = table(fact, passage, p_start, "Funding")
        assert asked(fact_context_weights(fact, passage, p_start, "Funding"), fact, passage, "Funding") == want
    f = Figure(sentence, s_start, s_start + sentence.index(figure), s_start + sentence.index(figure) + len(figure),
               measure, subject)
    w = fact_context_weights(f, passage, p_start, "Funding")
    assert w.get("zzz", 0.0) == 0.0 and w.get("zzz", -1.0) == -1.0  # absent words: the default, as a dict


def test_every_figure_of_the_seed_report_weighs_its_words_as_the_table_did(qa_index):
    from qa.answer.context import context_for
    from qa.facts.model import NUMERIC_KINDS

    context_for(qa_index)  # the index's sentence spans, as when answering
    n = 0
    for f in qa_index.facts:
        if f.kind not in NUMERIC_KINDS:
            continue
        p = qa_index.passage_by_id[f.passage_id]
        want = table(f, p.text, p.start, p.section)
        assert asked(fact_context_weights(f, p.text, p.start, p.section), f, p.text, p.section) == want, f.id
        n += 1
    assert n > 50


def test_figure_gaps_agree_with_the_gap_tests():
    import random

    rng = random.Random(5)
    pieces = ["funds", " ", "and", "7", "2,500", ";", ":", " - ", " – ", "-", "(", ")", ",", " and ", "x"]
    for _ in range(2000):
        s = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 14)))
        a, b = sorted(rng.randrange(len(s) + 1) for _ in range(2))
        (d0, k0, c0), (d1, k1, c1) = figure_gaps(s, a, b)
        for x in range(a + 1):
            assert gap_tests(s, x, a) == (x <= d0, x <= k0, x <= c0), (s, x, a)
        for y in range(len(s) + 1):
            assert gap_tests(s, b, y) == (y >= d1, y >= k1, y >= c1), (s, b, y)
