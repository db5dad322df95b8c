"""Operands of a computed answer: the question split at its connective ("X and Y combined", "X than
Y"), each part's figures found like a question of its own (with the rest of the question as shared
context), and one figure per part chosen so that no two parts take the same figure.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.answer.question import Query, numbers_in, target_unit, weighted_terms
from qa.answer.quoted import quotes
from qa.answer.score import candidates
from qa.answer.thresholds import OPERAND_MIN
from qa.text.words import stem

SPLITTERS = {
    "diff": [r"\bdifference between (?P<a>.+?) and (?P<b>.+)", r"(?P<a>.+?)\b(?:than|compared (?:with|to)|"
             r"over|versus|vs\.?)\b(?P<b>.+)"],
    "times": [r"(?P<a>.+?)\b(?:than|compared (?:with|to))\b(?P<b>.+)", r"(?P<a>.+?)\bwhat multiple of\b(?P<b>.+)",
              r"\btimes as (?:much|many|large|big|high) as\b(?P<b>.+)"],
    "compare": [r"(?:,|:)\s*(?P<a>.+?)\s+or\s+(?P<b>.+)", r"^(?:did|does|was|were|is|are)\s+(?P<a>.+?)\s+or\s+"
                r"(?P<b>.+?)\s+(?:receive|get|got|have|had|spend|invest)", r"(?P<a>.+?)\b(?:than)\b(?P<b>.+)"],
}


def split_parts(question: str, op: str) -> list[str]:
    text = question.strip().rstrip("?.! ")
    if op == "sum":
        body = re.sub(r"\b(combined|together|altogether|in total|in all|provide|put in|invest(ed)?|spent|"
                      r"get|got|receive[d]?|add(?:s|ed)? up(?: to)?|amount(?:s|ed)? to|come to|sum(?:med)? up)\b",
                      " ", text, flags=re.I)
        body = re.sub(r"^.*?\b(on|for|were|was|are|is|of|did|do|does)\b\s+", "", body, count=1, flags=re.I)
        parts = re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+plus\s+", body)
        return [p.strip() for p in parts if weighted_terms(p)]
    if op == "times":  # "How many times larger was X than Y": the words of the ratio are no operand's
        text = re.sub(r"^how many times\s+(?:as\s+\w+\s+)?(?:larger|bigger|greater|more|higher)?\s*"
                      r"(?:was|were|is|are|did|does)?\s*", "", text, flags=re.I)
    for rx in SPLITTERS.get(op, []):
        m = re.search(rx, text, flags=re.I)
        if m:
            return [m.group("a").strip(" ,"), m.group("b").strip(" ,")]
    return []


def operand(q: Query, part: str, index, hits, ctx, kind, parts: list[str] | None = None,
             wider: list | None = None) -> list:
    """Candidate facts (best first, as ``Scored``) for one operand phrase: scored on the phrase
    (and the shared context), first in the question's passages, then further down the question's
    ranking. Empty when nothing fits well enough."""

    wanted = numbers_in(part)
    names = [n for n in q.names if n in part.lower()]
    best: list = []
    for borrow in (False, True):
        terms = part_terms(q, part, parts or [part], borrow)
        sub = replace(q, terms=terms, numbers=[], unit=target_unit(part) or q.unit, op=None, names=names)
        # First the question's own passages, then further down the same ranking: no second search.
        for pool in (hits, wider or []):
            cands = candidates(sub, index, pool, ctx, kind)
            if wanted:
                cands = [c for c in cands if c.item.value is not None
                         and quotes(c.item.value, wanted)] or cands
            if cands and (not best or cands[0].score > best[0].score):
                best = cands[:3]
            if best and best[0].score >= OPERAND_MIN:
                return [c for c in best if c.score >= OPERAND_MIN]
    return []


def distinct(options: list[list]):
    """One fact per operand, all different, with the highest total score ("the state and the
    regional finance department" must not both take the figure that fits each best)."""
    from itertools import product

    best, best_score = None, float("-inf")
    for combo in product(*options):
        if len({c.item.id for c in combo}) < len(combo):
            continue
        # operands of one calculation share a unit: a mixed pair must fit far better to win
        score = sum(c.score for c in combo) - (0.3 if len({c.item.unit for c in combo}) > 1 else 0.0)
        if score > best_score:
            best, best_score = [c.item for c in combo], score
    return best


# The words that ask for the computation ("add up to", "combined") are no operand's context.
CONNECTIVE_STEMS = frozenset(stem(w) for w in "add adds added up amount amounts amounted come sum summed combined "
                             "together altogether".split())


def part_terms(q: Query, part: str, parts: list[str] | None = None, borrow: bool = False) -> dict[str, float]:
    """The operand's own words, plus the question's words that belong to no operand (shared
    context) at low weight; a bare modifier ("project" in "project and household loans") borrows
    the head noun of the last operand."""
    own = weighted_terms(part)
    others = set()
    for p in parts or []:
        others |= set(weighted_terms(p))
    terms = {t: w * 0.3 for t, w in q.terms.items() if t not in others and t not in CONNECTIVE_STEMS}
    if borrow and parts and len(own) == 1 and part != parts[-1]:
        head = list(weighted_terms(parts[-1]))[-1:]
        for t in head:
            terms[t] = 1.0
    for t, w in own.items():
        terms[t] = max(w, terms.get(t, 0))
    return terms


def same_unit(facts: list) -> bool:
    units = {(f.unit or "").lower() for f in facts}
    return len(units) == 1
