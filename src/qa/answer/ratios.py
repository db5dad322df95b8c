"""Ratios the report does not state: an average per unit ("per village", "on average") and a share
("what percentage of X was Y"), each over figures of one sentence or of one whole and its part.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.answer.changes import is_change
from qa.answer.derived import fmt, whole_of
from qa.answer.draft import Draft, state_fact
from qa.answer.features import own_phrase
from qa.answer.operands import distinct, operand, part_terms, split_parts
from qa.answer.question import Query, target_unit, weighted_terms
from qa.answer.quoted import quotes
from qa.answer.score import candidates
from qa.answer.thresholds import OPERAND_MIN
from qa.text.clauses import same_clause
from qa.text.lexicon import MONEY_WORDS
from qa.text.numbers import WORD_NUMBERS


def per_average(q: Query, index, hits, ctx):

    m = re.search(r"\b(?:per (?!capita\b)|each\s)\s*((?:[\w-]+\s*){1,3})", q.question.lower())
    # "net income per farmer", "grain per head": an amount per person, which the report states per capita
    per_person = bool(m) and (target_unit("how many " + m.group(1).split()[0]) == "people" or
                              m.group(1).startswith(("head", "capita")))
    # A figure the report already states per unit ("Yuan 300,000 per village") answers directly.
    for c in candidates(replace(q, op=None), index, hits, ctx)[:5]:
        f = c.item
        tail = f.sentence[f.end - f.sentence_start : f.end - f.sentence_start + 20]
        head = f.sentence[max(0, f.start - f.sentence_start - 20) : f.start - f.sentence_start]
        if c.score >= 0.3 and (re.match(r"\s*(per|each|a|for each)\s+\w+", tail) or re.search(r"average\W*$|"
                                                                                           r"average of\s*$", head)
                               or (per_person and f.kind == "per_capita")):
            return Draft(state_fact(f), [f], 0.7, f.kind)

    if not m:
        return None
    denom_part = m.group(1)
    num_kind = "money" if q.kind == "money" else "count"
    num_q = replace(q, op=None)
    nums = candidates(num_q, index, hits, ctx, num_kind)
    if re.match(r"(years?|annum)\b", denom_part.strip()):
        return per_year(q, index, hits, ctx, num_kind)
    den_unit = target_unit("how many " + denom_part.strip())
    if den_unit is None:
        return None  # "per head": no count of something the report counts to divide by
    den_q = replace(q, terms=part_terms(q, denom_part), op=None, unit=den_unit)
    dens = candidates(den_q, index, hits, ctx, "count")
    if not nums or not dens:
        return None
    # Pick the pair that fits best and stands closest: "16 trainings ... involving 2400 people"
    # (same clause) beats a better single match two clauses away.
    best, best_score = None, float("-inf")
    for n in nums[:4]:
        for d in dens[:4]:
            top, den = n.item, d.item
            if den.id == top.id or not den.value or den.passage_id != top.passage_id:
                continue
            if top.kind == "per_capita":
                continue  # an amount per person is already an average: it is not spread over a count again
            if den.unit and den.unit == top.unit:
                continue  # villages per village is no average
            if den_unit and den.unit != den_unit:
                continue  # an average per village needs a stated count of villages
            phrase = own_phrase(top.sentence, top.start - top.sentence_start, top.end - top.sentence_start)
            if LINE_WORDS.search(phrase):
                continue  # a poverty line or standard is a threshold per person, not an amount to spread
            if EACH.search(phrase):
                continue  # "each person relocated received 4,500 Yuan": already an amount per person
            if abs(top.value / den.value) < (1.0 if top.kind == "money" else 0.05):
                continue  # "1,196 Yuan ÷ 2.614 million = 0.0 Yuan": no sum of poverty money is that thin
            score = n.score + d.score + (0.3 if _same_clause(top, den) else 0.0) + (0.2 if _next_to(top, den, index)
                                                                                     else 0.0)
            if score > best_score:
                best, best_score = (top, den), score
    if best is None:
        return None
    top, den = best
    v = top.value / den.value
    comp = f"{top.raw} ÷ {den.raw} = {fmt(v, top.unit, [])}"
    return Draft(f"{comp} on average.", [top, den], 0.6, "arithmetic", computation=comp, computed_value=v,
                 computed_unit=top.unit)


# A figure that is a threshold or standard per person ("a poverty line of 1,196 Yuan"), in its own phrase
LINE_WORDS = re.compile(r"\b(?:line|threshold|standard|per capita|per head|per person)\b", re.I)
# A figure said of each one of something ("each household received 3,000 Yuan", "5,000 Yuan apiece")
EACH = re.compile(r"\b(?:each|every|apiece)\b", re.I)


# the count of years written as a word (worked out from the cited years, not a number the report states)
YEAR_COUNT_WORDS = {n: w for w, n in WORD_NUMBERS.items() if 2 <= n <= 20}


def per_year(q: Query, index, hits, ctx, kind: str):
    """"How many a year over 2001-2010?": a figure the report gives for a span of years it names
    ("From 2001 to 2010, ... trainings for 3.93 million poor people") spread over those years. The
    count of years is written out in words: it is worked out from the cited years, not stated."""
    for c in candidates(replace(q, op=None), index, hits, ctx, kind)[:3]:
        f = c.item
        lo, hi = f.period_start, f.period_end
        if c.score < 0.3 or not f.value or f.kind == "per_capita" or lo is None or not hi or hi <= lo:
            continue
        years = hi - lo + 1
        if str(lo) not in f.sentence or str(hi) not in f.sentence or years not in YEAR_COUNT_WORDS:
            continue  # the span must be the cited sentence's own
        v = f.value / years
        comp = f"{f.raw} over the {YEAR_COUNT_WORDS[years]} years from {lo} to {hi} = {fmt(v, f.unit, [f])}"
        return Draft(f"{comp} a year on average.", [f], 0.6, "arithmetic", computation=comp, computed_value=v,
                     computed_unit=f.unit)
    return None


def _next_to(f, g, index) -> bool:
    """No other figure stands between ``f`` and ``g`` in their sentence ("560 million Yuan of small loans to
    41,000 households and 790 million Yuan of loans to projects": 560 million and 41,000)."""
    if f.sentence_start != g.sentence_start:
        return False
    lo, hi = min(f.end, g.end), max(f.start, g.start)
    return not any(lo <= h.start and h.end <= hi and h.value is not None
                   for h in index.facts_by_passage.get(f.passage_id, ()))


def _same_clause(f, g) -> bool:
    if f.sentence_start != g.sentence_start:
        return False
    return same_clause(f.sentence, f.start - f.sentence_start, g.start - f.sentence_start)


def share(q: Query, index, hits, ctx, stated_declined: bool = False):
    """A share worked out from a part and its whole. Not when the report seems to state the share
    itself (that is answered directly), unless ``stated_declined``: the direct answer was tried and
    declined, so the stated-looking percentage was not the share asked."""

    if re.search(r"\b(and|plus)\b.*\b(together|combined)\b", q.question.lower()):
        parts = split_parts(q.question, "sum")
        options = [operand(q, p, index, hits, ctx, "percent", parts) for p in parts]
        ops = distinct(options) if len(options) >= 2 and all(options) else None
        if ops:
            total = sum(o.value for o in ops)
            comp = " + ".join(o.raw for o in ops) + f" = {fmt(total, '%', [])}"
            return Draft(f"{comp}.", ops, 0.6, "arithmetic", computation=comp, computed_value=total,
                         computed_unit="%")
    direct = candidates(replace(q, op=None), index, hits, ctx, "percent")
    if direct and direct[0].score >= 0.6 and not stated_declined:
        return None  # the report states the share itself: answer it directly
    got = _share_of(q, index, hits, ctx)
    if got is not None and stated_declined:
        part, whole = got.facts
        if part.part_of != whole.id:
            return None  # second chance only where the report itself makes them part and whole
    return got


def _share_of(q: Query, index, hits, ctx):
    named = _share_named(q, index, hits, ctx)
    if named is not None:
        return named
    cands = candidates(replace(q, op=None, numbers=[]), index, hits, ctx, "count")
    for c in cands[:3]:
        part = c.item
        whole = None
        if q.numbers:  # "what fraction of the 60 key counties": the whole is the number given
            same = [f for f in index.facts_by_passage.get(part.passage_id, ()) if f.value is not None
                    and f.kind == part.kind and quotes(f.value, q.numbers)]
            whole = same[0] if same else None
        whole = whole or whole_of(part, index)
        if whole is None or whole.id == part.id or not whole.value or part.value in q.numbers:
            continue
        if abs(part.value) > abs(whole.value) or part.kind != whole.kind:
            continue  # a part is no larger than its whole, and of its kind: these two are not part and whole
        pct = 100.0 * part.value / whole.value
        if pct < 0.05:
            continue  # rounds to 0.0%: figures of different scales
        comp = f"{part.raw} ÷ {whole.raw} = {pct:.1f}%"
        return Draft(f"{comp}.", [part, whole], 0.6, "arithmetic", computation=comp, computed_value=pct,
                     computed_unit="%")
    return None


# "What percentage of the state's grant was set aside for Tibetan areas?": the whole, then the part
SHARE_SPLIT = re.compile(r"\b(?:share|percentage|percent|proportion|fraction|part) of (?:the )?(?P<whole>.+?)\s+"
                         r"(?:was|were|is|are|did|does|went|came|got|goes)\b(?P<part>.+)", re.I)


def _share_named(q: Query, index, hits, ctx):
    """A share whose whole and part the question names: each found like an operand of a sum, in
    one unit, the part smaller than the whole; a part the report states as a part of that whole
    ("793 million Yuan (of which 80 million Yuan was for ...)") fits best."""
    from itertools import product

    m = SHARE_SPLIT.search(q.question)
    if not m:
        return None
    parts = [m.group("whole"), m.group("part")]
    # "what share of the poor": a whole that names no money is a count (not the poverty line's yuan)
    money_first = bool(set(m.group("whole").lower().split()) & MONEY_WORDS)
    for kind in ("money", "count") if money_first else ("count", "money"):
        wholes = operand(q, parts[0], index, hits, ctx, kind, parts)
        if not wholes:
            continue
        found = operand(q, parts[1], index, hits, ctx, kind, parts)
        if not found:  # the part in other words: the whole's own part whose own clause holds most of them
            sub = replace(q, terms=part_terms(q, parts[1], parts, True), numbers=[], op=None, names=[])
            ids = {w.item.id for w in wholes}
            mine = set(weighted_terms(parts[1]))
            own = [c for c in candidates(sub, index, hits, ctx, kind) if c.item.part_of in ids and c.score > 0]
            found = sorted(own, key=lambda c: -len(mine & set(weighted_terms(index.fact_context.get(c.item.id, "")))))
            found = found[:1]
        # the whole a part is stated as part of ("4.386 billion Yuan, of which 748 million Yuan was provincial
        # fiscal funds") is a whole to try, though the question's words for it ("poverty spending") fit it weakly
        known = {w.item.id for w in wholes}
        for p in found:
            whole = next((f for f in index.facts_by_passage.get(p.item.passage_id, ()) if f.id == p.item.part_of
                          and f.id not in known), None)
            if whole is not None:
                known.add(whole.id)
                wholes = [*wholes, replace(p, item=whole, score=OPERAND_MIN)]
        best, best_score = None, float("-inf")
        for w, p in product(wholes, found):
            whole, part = w.item, p.item
            if whole.id == part.id or whole.unit != part.unit or not whole.value or part.value >= whole.value:
                continue
            if is_change(part) or is_change(whole) or part.kind != whole.kind:
                continue  # "raised its allocation by 64 million Yuan" is no share of anything
            score = w.score + p.score + (0.3 if part.part_of == whole.id else 0.0)
            if score > best_score:
                best, best_score = (whole, part), score
        if best is None:
            continue
        whole, part = best
        pct = 100.0 * part.value / whole.value
        if pct < 0.05:
            return None  # a share that rounds to 0.0% is two figures of different scales, not part and whole
        comp = f"{part.raw} ÷ {whole.raw} = {pct:.1f}%"
        return Draft(f"{comp}.", [part, whole], 0.6, "arithmetic", computation=comp, computed_value=pct,
                     computed_unit="%")
    return None
