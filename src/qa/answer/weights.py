"""The words around a figure and how much each says about it (``fact_context_weights``).

A word next to the number weighs 1, decaying with the words between, less across a figure, a clause
break or a comma; the figure's measure and subject weigh 1, its section 0.6, its sentence 0.4, the
sentence before it ``PREVIOUS_SENTENCE``, the rest of its passage 0.25. Every weight is the largest
of those that apply to the word (a "respectively" pairing then caps another item's words at 0.2),
so each word's weight can be worked out on its own: ``FigureWeights`` does it for the words a
question asks about, when it asks (at 1,000 reports a question meets ~30 figures for the first
time, each in a sentence of ~60 words, and asks about ~10 words of each; weighing every word of
every figure was the largest part of a cold answer's Python).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from qa.answer.sentences import previous_sentence
from qa.answer.thresholds import DISTANCE_DECAY, OWN_SEGMENT, PREVIOUS_SENTENCE
from qa.text.clauses import mark_positions, pairing
from qa.text.words import stem

AND = re.compile(r"\band\b")
BRACKET = re.compile(r"\s*[()]\s*")


@lru_cache(maxsize=16384)
def term_positions(text: str) -> tuple[tuple[str, int, int], ...]:
    """``(stem, start, end)`` of each run of word characters of ``text``."""
    # Cached: the same passages, sections and sentences are tokenised for every question.
    return tuple((stem(m.group(0).lower()), m.start(), m.end()) for m in re.finditer(r"[^\W_]+", text))


@lru_cache(maxsize=16384)
def _term_set(text: str) -> frozenset[str]:
    return frozenset(t for t, _a, _b in term_positions(text))


@lru_cache(maxsize=4096)
def _passage_weights(passage_text: str, section: str) -> dict[str, float]:
    # The passage's and section's share, once per passage, not once per figure
    weights: dict[str, float] = {}
    for text, w in ((passage_text, 0.25), (section, 0.6)):
        for t, *_ in term_positions(text):
            if w > weights.get(t, 0.0):
                weights[t] = w
    return weights


def figure_gaps(sentence: str, a: int, b: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """``gap_tests`` of every gap that ends where the figure ``sentence[a:b]`` starts or starts where
    it ends, as thresholds (a few bisections per figure instead of several per word of its sentence):
    ``(d, k, c), (e, l, f)`` such that ``gap_tests(sentence, x, a) == (x <= d, x <= k, x <= c)`` for
    ``x <= a`` and ``gap_tests(sentence, b, y) == (y >= e, y >= l, y >= f)`` for any ``y``. A mark lies
    in ``[x, a)`` when the last one that fits before ``a`` starts at ``x`` or later, in ``[b, y)``
    when the first one at ``b`` or later fits before ``y``. (Here, not beside ``gap_tests`` in qa.text:
    the index build's fingerprint covers qa.text, and a change of how the answerer reads the marks
    should not make every built index stale.)"""
    digits, semis, dashes, commas = mark_positions(sentence)

    def last(marks: list[int], width: int = 1) -> int:
        i = bisect_right(marks, a - width)
        return marks[i - 1] if i else -1

    def first_end(marks: list[int], width: int = 1) -> int:
        i = bisect_left(marks, b)
        return marks[i] + width if i < len(marks) else len(sentence) + 4

    return ((last(digits), max(last(semis), last(dashes, 3)), last(commas)),
            (first_end(digits), min(first_end(semis), first_end(dashes, 3)), first_end(commas)))


@lru_cache(maxsize=16384)
def _sentence_words(sentence: str) -> tuple[tuple, list[int], list[int], dict[str, tuple[int, ...]]]:
    """The sentence's words, their starts and ends, and where each stem occurs (word indexes)."""
    terms = term_positions(sentence)
    where: dict[str, list[int]] = {}
    for j, (t, _a, _b) in enumerate(terms):
        where.setdefault(t, []).append(j)
    return terms, [a for _, a, _ in terms], [b for _, _, b in terms], {t: tuple(v) for t, v in where.items()}


@lru_cache(maxsize=65536)
def fact_context_weights(fact, passage_text: str, passage_start: int, section: str) -> FigureWeights:
    """Weight of each nearby word for a numeric fact (read with ``get``, as a dict): 1 next to the
    number, decaying with distance, halved across a clause break; measure/subject words 1; section
    0.6; sentence 0.4; passage 0.25."""
    return FigureWeights(fact, passage_text, passage_start, section)


class FigureWeights:
    """A figure's word weights, each worked out on the first ``get``; the same values the whole
    table gave (tests/answer/test_figure_weights.py checks every word of every figure of an index)."""

    __slots__ = ("_a", "_b", "_base", "_memo", "_measure", "_near", "_others", "_prev", "_sent", "_shared", "_words")

    def __init__(self, fact, passage_text: str, passage_start: int, section: str) -> None:
        sent = fact.sentence
        s_off = fact.sentence_start
        self._sent = sent
        self._a, self._b = fact.start - s_off, fact.end - s_off
        self._base = _passage_weights(passage_text, section)
        self._words = _sentence_words(sent)
        # The sentence before often sets the topic the figure's sentence continues ("Third, the organs
        # ... did fixed-point work. By the end of October, ... 310 million were invested").
        self._prev = _term_set(previous_sentence(passage_text, passage_start, s_off))
        self._measure = _term_set(f"{fact.measure} {fact.subject}")
        # "A and B ... X and Y respectively": B's words do not describe X; the shared words do.
        others, shared = pairing(sent, self._a, self._b)
        self._others = frozenset(stem(w) for w in others)
        self._shared = frozenset(stem(w) for w in shared)
        self._near: tuple | None = None
        self._memo: dict[str, float] = {}

    def get(self, term: str, default: float = 0.0) -> float:
        w = self._memo.get(term)
        if w is None:
            w = self._memo[term] = self._weigh(term)
        return w if w > 0.0 else default  # a word that weighs nothing is not among the figure's words

    def _weigh(self, term: str) -> float:
        w = self._base.get(term, 0.0)
        where = self._words[3].get(term, ())
        if where and w < 0.4:
            w = 0.4
        if term in self._prev and w < PREVIOUS_SENTENCE:
            w = PREVIOUS_SENTENCE
        for j in where:
            w = max(w, self._at(j))
        if term in self._measure:
            w = max(w, 1.0)
        if term in self._shared:
            w = max(w, 0.8)
        if term in self._others and w > 0.0:
            w = min(w, 0.2)
        return w

    def _at(self, j: int) -> float:
        """The weight of the sentence's ``j``-th word by its place relative to the figure."""
        terms, starts, ends, _where = self._words
        _t, ta, tb = terms[j]
        a, b = self._a, self._b
        if ta >= a and tb <= b:
            return 1.0
        if self._near is None:
            # The words between a term and the figure, counted off the sentence's word positions
            # (runs of word characters; those a gap cuts count once): word j before the figure has
            # ``first_at - j - 1`` words between them, word j after it ``j - after``.
            self._near = (bisect_left(starts, a), bisect_right(ends, b), *figure_gaps(self._sent, a, b))
        first_at, after, (d0, k0, c0), (d1, k1, c1) = self._near
        before = tb <= a
        if before:
            x, y = tb, a
            dist = first_at - j - 1 if x < y else 0
            digit, brk, comma = x <= d0, x <= k0, x <= c0
        else:
            x, y = b, ta
            dist = j - after if x < y else 0
            digit, brk, comma = y >= d1, y >= k1, y >= c1
        gap = self._sent[x:y]
        w = max(0.0, 1.0 - DISTANCE_DECAY * dist)
        if digit:
            w *= 0.3  # another figure stands in between: the word belongs to that one
        elif OWN_SEGMENT and not brk and not (comma or AND.search(gap)):
            # No figure and no break between the word and this figure: the words of its own phrase
            # say what it is ("the regional financial department provided 102 million", "16.5
            # million Yuan were put in for the second batch of industrial projects").
            w = max(w, OWN_SEGMENT)
        elif brk:
            w *= 0.5
        elif BRACKET.fullmatch(gap):
            pass  # "along the border (7.6%)": the figure in brackets belongs to the phrase before it
        elif not before and AND.search(gap):
            w *= 0.7  # "1.44 billion and the regional department provided 102 million": next clause
        elif comma:
            # English puts what a figure counts after it ("31 key counties for ..."); words before
            # it across a comma usually belong to the previous figure of a list.
            w *= 0.6 if before else 0.85
        return w
