"""The level of the year before the report's, worked back from a growth the report states in a
sentence of its own: "1.652 billion Yuan was central fiscal anti-poverty funds ... The central fiscal
funds grew by 21.3% over the previous year" gives the 2010 central funds as 1.652 billion / 1.213.
(``qa.answer.derived.previous_year`` reads a change stated right after the level: "3.126 billion Yuan,
up 18.4% on the previous year".)

The growth's own subject ("the central fiscal funds") names the measure; the level is the figure of the
report's year whose own part of its sentence names the same measure, and the question must ask it.
"""

from __future__ import annotations

import re

from qa.answer.changes import is_change
from qa.answer.derived import FALLING, level_before
from qa.answer.draft import Draft
from qa.answer.operands import TIERS, party_phrase, same_word
from qa.answer.question import YEAR_RE, Query
from qa.answer.score import SYNONYMS
from qa.answer.thresholds import TOP_PASSAGES
from qa.text.words import STOPWORDS, stem, words

# "grew by 21.3%", "went up by 18.7%", "raised its own allocation by 64 million Yuan": the verb of a change
# and at most four words (its object) before the "by" that introduces the figure
CHANGE_BEFORE = re.compile(r"\b(?P<dir>grew|grown|rose|risen|increased|went up|(?:was|were) up|climbed|raised|"
                           r"fell|fallen|dropped|decreased|declined|went down|(?:was|were) down|cut)\s+"
                           r"(?P<obj>(?:[\w'’]+\s+){0,4}?)by\s+$", re.I)
# Where the growth's subject starts: the clause it stands in
SUBJECT_START = re.compile(r"[,;:]\s*|\band\b\s*|^")
CLAUSE_END = re.compile(r"[,;]|\band\b")
# the words of a growth's subject that name no measure
GENERIC = frozenset({"own", "total", "year", "whole", "also", "part", "alon", "share", "portion", "compon"})
SUBJECT_FIT = 0.5  # share of the subject's words the level's phrase must hold
QUESTION_FIT = 0.6  # share of the question's words the growth and the level together must hold


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text.lower()) if w not in STOPWORDS and not w.isdigit()}


def _holds(have: set[str], s: str) -> bool:
    """``s`` is among ``have``, as itself, a synonym, or the same word in another form ("region",
    "regional")."""
    return bool(SYNONYMS.get(s, frozenset()) & have) or same_word(s, have)


def growths(index, hits, target: int, report_year: int):
    """The changes over ``target`` stated with a verb in the question's passages, with the words of
    their subject: (fact, subject stems, the tiers it names, falling)."""
    for p, _h in hits[:TOP_PASSAGES]:
        for d in index.facts_by_passage.get(p.id, ()):
            if d.value is None or d.kind not in ("percent", "money", "count"):
                continue
            before = d.sentence[: d.start - d.sentence_start]
            m = CHANGE_BEFORE.search(before)
            if not m:
                continue
            start = list(SUBJECT_START.finditer(before, 0, m.start()))[-1].end()
            said = before[start: m.start()] + " " + m.group("obj")
            subject = _stems(said) - GENERIC
            after = d.sentence[d.end - d.sentence_start:]
            end = CLAUSE_END.search(after)
            years = {int(y) for y in YEAR_RE.findall(before + after[: end.start() if end else len(after)])}
            if not subject or years - {target, report_year}:
                continue  # "up 222% over 2000": against another year
            # "went down by", "was down": searched, not matched at the verb's start
            yield d, subject, {stem(w) for w in words(said.lower()) if w in TIERS}, bool(FALLING.search(m.group("dir")))


def growth_elsewhere(q: Query, index, hits, ctx) -> Draft | None:
    """The figure of the year before the report's for a question that asks it, worked back from a
    level of the report's year and the growth of the same measure stated in another sentence."""
    if len(ctx.report_years) != 1 or not q.years:
        return None
    report_year = next(iter(ctx.report_years))
    target = min(q.years)
    if target + 1 != report_year or not q.years <= {target, report_year}:
        return None  # the year before the report's (and, for "how much more than in 2010", its own)
    asked = {stem(w) for w in words(q.question.lower()) if w in TIERS}
    # the report year's levels of the question's passages, each with the words of its part of its sentence
    levels = [(f, _stems(party_phrase(f)))
              for p, _h in hits[:TOP_PASSAGES] for f in index.facts_by_passage.get(p.id, ())
              if f.value is not None and f.kind in ("money", "count") and not is_change(f)
              and (f.period_end or f.period_start or report_year) == report_year]
    best, best_fit = None, 0.0
    for d, subject, tiers, falling in growths(index, hits, target, report_year):
        for f, phrase in levels:
            if f.id == d.id or d.kind != "percent" and (d.unit != f.unit or d.value >= f.value):
                continue  # a rise in yuan works back a level in yuan, and is smaller than it
            if any(not _holds(phrase, s) for s in tiers):
                continue  # "the provincial funds grew" does not work back the central funds
            fit = sum(_holds(phrase, s) for s in subject) / len(subject)
            if fit < SUBJECT_FIT:
                continue
            have = phrase | subject | _stems(f.section)
            if any(not _holds(have, s) for s in asked):
                continue  # the question asks another tier
            cover = sum(w for t, w in q.terms.items() if _holds(have, t)) / max(sum(q.terms.values()), 1e-9)
            if cover >= QUESTION_FIT and cover + fit > best_fit:
                best, best_fit = (f, d, falling), cover + fit
    if best is None:
        return None
    return level_before(*best)
