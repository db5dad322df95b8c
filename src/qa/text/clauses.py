"""Clauses, phrases and "respectively" pairing: the one place that says where a clause ends.

A clause ends at a semicolon, a colon or a spaced dash ("; of which", ": first", " – "): what a
figure measures is said inside its clause. A phrase ends at any punctuation followed by a space;
an explanation answer highlights the phrase that holds most of the question's words.

Pairing the items of "A and B ... X and Y respectively" sentences:

"China Development Bank and the Agricultural Bank of China issued loans of 900 million Yuan and
650 million Yuan respectively": 650 million belongs to the Agricultural Bank, so a question about
that bank must not be answered with 900 million although both figures sit in one clause. This
finds the run of figures next to "respectively", the same number of items before it, and tells
which words belong to another item than the figure's own.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

CLAUSE_BREAK = re.compile(r"[;:]|\s[-–]\s")
PHRASE_BREAK = re.compile(r"[,;:.](\s|$)")

# The tests the answerer puts to the gap between a word and a figure (a digit, a clause break, a
# comma or bracket: ``qa.answer.score.fact_context_weights``), answered off marks found once per
# sentence: a regex over each word's gap was quadratic in the sentence (90 searches a figure).
# CLAUSE_BREAK's two halves are _SEMI and _DASH_AT, every start of a spaced dash, overlapping
# (tests/answer/test_answer_caches.py checks the split against CLAUSE_BREAK on random gaps).
_DIGIT = re.compile(r"\d")
_SEMI = re.compile(r"[;:]")
_DASH_AT = re.compile(r"(?=\s[-–]\s)")
_COMMA = re.compile(r"[,()]")


@lru_cache(maxsize=16384)
def mark_positions(sentence: str) -> tuple[list[int], ...]:
    """Where in ``sentence`` a digit, a ``;`` or ``:``, a spaced dash, a comma or bracket stand."""
    return tuple([m.start() for m in rx.finditer(sentence)] for rx in (_DIGIT, _SEMI, _DASH_AT, _COMMA))


def _inside(marks: list[int], x: int, y: int, width: int = 1) -> bool:
    """Some mark (``width`` characters from its position) lies wholly within ``[x, y)``."""
    i = bisect_left(marks, x)
    return i < len(marks) and marks[i] + width <= y


def gap_tests(sentence: str, x: int, y: int) -> tuple[bool, bool, bool]:
    """For ``gap = sentence[x:y]``, as truth values: ``re.search(r"\\d", gap)``,
    ``CLAUSE_BREAK.search(gap)`` and ``re.search(r"[,()]", gap)``."""
    digits, semis, dashes, commas = mark_positions(sentence)
    return _inside(digits, x, y), _inside(semis, x, y) or _inside(dashes, x, y, 3), _inside(commas, x, y)


def clause_bounds(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """The clause of ``text`` around ``text[start:end]``: from the break before it to the break after."""
    end = start if end is None else end
    lo = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    after = CLAUSE_BREAK.search(text, end)
    return lo, after.start() if after else len(text)


def same_clause(text: str, a: int, b: int) -> bool:
    """No clause break between offsets ``a`` and ``b`` of ``text``."""
    lo, hi = sorted((a, b))
    return not CLAUSE_BREAK.search(text, lo, hi)


def phrases(text: str) -> list[tuple[int, int]]:
    """``text`` cut into phrases at punctuation followed by a space, as (start, end) offsets."""
    out, start = [], 0
    for m in list(PHRASE_BREAK.finditer(text)) + [None]:
        end = m.start() + 1 if m else len(text)
        out.append((start, end))
        start = end
    return out


NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s*(?:million|billion|thousand))?", re.I)
# Between two figures of one list: a unit, then "and" or a comma.
LIST_GAP = re.compile(r"^\s*(?:%|percent|yuan|rmb|people|households)?\s*(?:,\s*and|,|and)\s*(?:rmb|yuan)?\s*$", re.I)
ITEM_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
PREPOSITION = re.compile(r"\b(?:of|in|for|by|from|at|to)\s+", re.I)


EMPTY = (frozenset(), frozenset())


@lru_cache(maxsize=4096)
def pairing(sentence: str, start: int, end: int) -> tuple[frozenset[str], frozenset[str]]:
    """For the figure at ``sentence[start:end]`` in a "respectively" pairing: the lower-case words
    of the other items (they do not describe it) and the words the items share ("issued poverty
    alleviation loans of": they describe every figure of the list). Empty sets otherwise."""
    if "respectively" not in sentence.lower():
        return EMPTY
    lo = max(sentence.rfind(";", 0, start), sentence.rfind(":", 0, start)) + 1
    hi = next((k for k in (sentence.find(";", end), sentence.find(":", end)) if k != -1), len(sentence))
    clause = sentence[lo:hi]
    nums = [(m.start() + lo, m.end() + lo) for m in NUMBER.finditer(clause)]
    run = _run_containing(sentence, nums, start)
    if len(run) < 2:
        return EMPTY
    resp = sentence.lower().find("respectively", lo, hi)
    if not (run[-1][1] <= resp <= run[-1][1] + 40 or resp < run[0][0]):
        return EMPTY
    before = sentence[lo : min(run[0][0], resp if resp < run[0][0] else run[0][0])]
    pieces = [p for p in ITEM_SPLIT.split(before) if p.strip()]
    if len(pieces) < len(run):
        return EMPTY
    items = pieces[-len(run):]
    head = PREPOSITION.split(items[0])
    shared_text = " ".join(head[:-1])  # "The per capita net income of farmers in" ... Cuiping
    items[0] = head[-1]
    last = re.split(r"\s+(?=(?:respectively|\w+ed)\b)", items[-1], maxsplit=1)  # "X issued loans of"
    items[-1] = last[0]
    shared_text += " " + (last[1] if len(last) > 1 else "")
    own = next(i for i, (a, _b) in enumerate(run) if a <= start < _b or a == start)
    mine = set(_words(items[own]))
    others = {w for i, it in enumerate(items) if i != own for w in _words(it)}
    return frozenset(others - mine), frozenset(_words(shared_text)) - {"respectively"}


def _run_containing(sentence: str, nums: list[tuple[int, int]], start: int) -> list[tuple[int, int]]:
    runs: list[list[tuple[int, int]]] = []
    for a, b in nums:
        if runs and LIST_GAP.match(sentence[runs[-1][-1][1] : a]):
            runs[-1].append((a, b))
        else:
            runs.append([(a, b)])
    for run in runs:
        if any(a <= start < b or a == start for a, b in run):
            return run
    # the fact's raw may start before its number ("RMB 286 million")
    for run in runs:
        if any(start <= a <= start + 6 for a, _ in run):
            return run
    return []


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W_]+", text) if w.lower() not in ("the", "a", "an")]


PAREN = re.compile(r"\([^()]*\)")


def figure_context(sentence: str, start: int, end: int, others: list[tuple[int, int]], max_words: int = 14) -> str:
    """The words that say what the figure at ``sentence[start:end]`` measures: its own clause,
    without parentheticals that do not hold it, cut at the neighbouring figures (``others``: their
    offsets in the sentence) and at ``max_words`` words on each side.

    "a total of 9 billion yuan was invested, of which 640 million yuan (420 million yuan from the
    central government ...) was fiscal funds, 55 million yuan was discount loans" gives, for 640
    million, "was invested, of which 640 million yuan was fiscal funds": what an analyst's question
    about the fiscal funds should be compared with, rather than the whole sentence.
    """
    lo, hi = clause_bounds(sentence, start, end)
    brackets = [m.span() for m in PAREN.finditer(sentence, lo, hi)]
    inside = [(a, b) for a, b in brackets if a <= start and end <= b]
    if inside and len(sentence[inside[-1][0] + 1 : inside[-1][1] - 1].replace(sentence[start:end], "").split()) <= 1:
        # "in the east (51%), along the border (7.6%)": a bracket holding only the figure belongs to
        # the words before it, back to the previous figure or bracket.
        a0 = inside[-1][0]
        stops = [b for x, b in brackets if b <= a0] + [b for x, b in others if b <= a0]
        left = max([b for b in stops if b >= lo], default=lo)
        before = sentence[left:a0].split()[-max_words:]
        return " ".join([*before, sentence[start:end]]).strip(" ,;")
    if inside:  # the figure stands in brackets: its context is the bracket
        lo, hi = inside[-1][0] + 1, inside[-1][1] - 1
    else:  # figures in brackets belong to the bracket, not to this figure's neighbourhood
        others = [(a, b) for a, b in others if not any(x <= a and b <= y for x, y in brackets)]
    left = max([b for a, b in others if b <= start and a >= lo], default=lo)
    right = min([a for a, b in others if a >= end and b <= hi], default=hi)
    head = sentence[left:start]
    # "dug 60,900 biogas digesters, 121.80% of the scheduled tasks": a share right after a figure is
    # a share of what that figure counts, so the figure's words are the share's too.
    share_of_previous = left > lo and re.fullmatch(r"[^,;()]*,\s*", head) and re.match(r"\s*of\b", sentence[end:]) \
        and re.search(r"%|percent", sentence[start:end])
    if left > lo and "," in head and not share_of_previous:
        # "100,000 people, trained 20,000": up to the comma is the previous figure's
        head = head[head.index(",") + 1:]
    before = PAREN.sub(" ", head).replace("(", " ").split()[-max_words:]
    if share_of_previous:  # "village-level roads of 1010.20 kilometers, 168.37% of ...": the words before it too
        ps = next(a for a, b in others if b == left)
        lead = sentence[max([b for a, b in others if b <= ps and a >= lo], default=lo):ps]
        lead = re.split(r",|;|\band\b", lead)[-1]
        before = [*lead.split()[-6:], sentence[ps:left], *before]
    tail = sentence[end:right]
    if right < hi:  # "... 1.44 billion and the regional department provided 102 million": the words after
        # the last "and" or comma before the next figure introduce that figure, not this one
        cut = [m.start() for m in re.finditer(r",|\band\b", tail)]
        tail = tail[: cut[-1]] if cut else tail
    after = PAREN.sub(" ", tail).replace(")", " ").split()[:max_words]
    if left > lo and not share_of_previous and not tail.lstrip().startswith(",") and \
            sum(1 for w in after if len(w.strip(",.;")) > 3) >= 2:
        # "1.8 billion Yuan was for social poverty alleviation and 2 billion Yuan was credit funds": the
        # words right after a figure say what it is, so the words after the previous figure are its.
        # Not after a comma: "... and invested credit loans of 3.67 billion Yuan, both achieving
        # double-digit growth" names the figure before it, and what follows the comma is a remark.
        before = [w for w in before if w.lower() in ("of", "which", "whom", "including", "among", "them")][-2:]
    return " ".join([*before, sentence[start:end], *after]).strip(" ,;")
