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
from functools import lru_cache

CLAUSE_BREAK = re.compile(r"[;:]|\s[-–]\s")
PHRASE_BREAK = re.compile(r"[,;:.](\s|$)")


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
