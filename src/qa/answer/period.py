"""Whether a figure is of the period a question asks: the years the question names against the years
its sentence states and the period the extractor gave the figure (``fact.period_start``/``_end``)."""

from __future__ import annotations

import re

from qa.answer.changes import GROWTH_Q
from qa.answer.question import Query
from qa.facts.extract import COMPARED_YEAR


def _states_year(sentence: str, year: int) -> bool:
    """The sentence gives figures for ``year`` ("in 2008"), not just compares with it ("over 2008")
    or ends or starts a span with it ("from 2001 to 2008", "2001-2008")."""
    for m in re.finditer(rf"\b{year}\b", sentence):
        before, after = sentence[: m.start()], sentence[m.end():]
        if COMPARED_YEAR.search(before):  # the extractor's own reading of a compared year
            continue
        if SPAN_BEFORE.search(before) or SPAN_AFTER.match(after):
            continue
        return True
    return False


SPAN_BEFORE = re.compile(r"\b\d{4}\s*(-|–|to|and)\s*$")
SPAN_AFTER = re.compile(r"\s*(-|–|to)\s*\d{4}\b")
# Words by which a question about one year asks what was done up to it, which a figure over a span of
# years ending then does answer ("how many by the end of 2010", "in total since 2001").
CUMULATIVE_Q = re.compile(r"\b(by|since|through|so far|until|up to|in all|altogether|cumulative(ly)?|total|"
                          r"decade|period|years)\b", re.I)


def period_ok(query: Query, fact) -> bool:
    if not query.years:
        return True
    text = query.corrected or query.question
    asks_change = query.kind == "change" or (query.kind == "percent" and bool(GROWTH_Q.search(text)))
    if asks_change and any(str(y) in fact.sentence for y in query.years):
        return True  # "rise over 2008" is answered by "an increase of 11.6 percent over 2008"
    lo, hi = fact.period_start, fact.period_end
    if lo is not None and lo == (hi or lo) and lo not in query.years and _states_year(fact.sentence, lo):
        # "from 7.5% at the end of 2010 to 6.5% at the end of 2011": a sentence stating both years gives
        # each figure its own; the figure of the other year does not answer
        return False
    if any(_states_year(fact.sentence, y) for y in query.years):
        return True
    if lo is None:
        return False
    if (hi is not None and hi > lo and lo not in query.years and not CUMULATIVE_Q.search(query.question)
            and str(lo) in fact.sentence and str(hi) in fact.sentence):
        # "relocated in 2010" is not answered by what the sentence says was done "from 2001 to 2010"
        # (a span only the section names elsewhere says nothing of this figure's own period)
        return False
    return any(lo <= y <= (hi or lo) for y in query.years)
