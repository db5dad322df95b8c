"""Arithmetic and comparison over facts: totals, differences, shares, per-unit averages,
complements ("how many did not ...") and "which got more".

Operands are found by splitting the question at its connective ("X than Y", "X and Y combined",
"X or Y", "X per Y") and scoring facts for each part, with the rest of the question as context.
Facts must share a unit; otherwise the answer refuses and says why. Every result is shown with
its operands and the operation ("333 million Yuan - 200 million Yuan = 133 million Yuan").
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.answer.derived import after_additions, fmt, whole_of
from qa.answer.draft import Draft, state_fact
from qa.answer.question import GREATER, Query, numbers_in, target_unit, weighted_terms
from qa.answer.score import candidates
from qa.answer.thresholds import OPERAND_MIN
from qa.text.clauses import same_clause

SPLITTERS = {
    "diff": [r"\bdifference between (?P<a>.+?) and (?P<b>.+)", r"(?P<a>.+?)\b(?:than|compared (?:with|to)|"
             r"over|versus|vs\.?)\b(?P<b>.+)"],
    "compare": [r"(?:,|:)\s*(?P<a>.+?)\s+or\s+(?P<b>.+)", r"^(?:did|does|was|were|is|are)\s+(?P<a>.+?)\s+or\s+"
                r"(?P<b>.+?)\s+(?:receive|get|got|have|had|spend|invest)", r"(?P<a>.+?)\b(?:than)\b(?P<b>.+)"],
}




def compute(q: Query, index, hits, ctx, wider: list | None = None):
    """A computed answer (``Draft``) for an arithmetic or comparison question, or None. ``hits`` are
    the question's passages; ``wider`` the same ranking further down, where an operand may stand."""
    kind = q.kind if q.kind in ("money", "count", "percent") else None
    if q.op == "complement":
        return _complement(q, index, hits, ctx, kind)
    if q.op == "sum":
        stated = _stated_total(q, index, hits, ctx, kind)
        if stated is not None:  # the report states the total itself: answer it directly
            return Draft(state_fact(stated), [stated], 0.7, stated.kind)
    if q.op in ("diff", "compare", "sum"):
        parts = _split(q.question, q.op)
        if q.op != "compare":  # "X or Y" names two parties even where the report writes "X and Y"
            parts = _merge_known(parts, ctx.lower_texts)
        if len(parts) < 2:
            return _the_n(q, index, hits, ctx, kind) if q.op == "sum" else None
        options = [_operand(q, part, index, hits, ctx, kind, parts, wider) for part in parts]
        if any(not o for o in options):
            return None
        ops = _distinct(options)
        if ops is None:
            return None
        return _combine(q, parts, ops)
    if q.op == "per":
        return _per(q, index, hits, ctx)
    if q.op == "grow":
        return after_additions(q, index, hits, ctx)
    if q.op == "share":
        return _share(q, index, hits, ctx)
    return None


N_THINGS = re.compile(r"\b(?:the (two|three)|(both)|all (three))\b")


def _the_n(q: Query, index, hits, ctx, kind):
    """"The combined investment of the two projects": the question names no parts, only how many.
    The sum of the best-fitting figures when exactly that many fit about equally well, in one unit,
    none a part of another; otherwise none (a third figure as good, or a second far behind)."""
    m = N_THINGS.search(q.question.lower())
    if not m:
        return None
    n = {"two": 2, "both": 2, "three": 3}[next(g for g in m.groups() if g)]
    # The words "combined", "two", "mentioned" lower every figure's score alike: what counts is that
    # exactly n figures stand together above the rest.
    cands = candidates(replace(q, op=None), index, hits, ctx, kind)
    if len(cands) < n or cands[0].score <= 0:
        return None
    top = cands[0]
    near = [c for c in cands if c.item.unit == top.item.unit and top.score - c.score <= 0.2]
    if len(near) != n or len({c.item.value for c in near}) < n:
        return None
    items = [c.item for c in near]
    if any(a.part_of in ids or a.id in {b.part_of for b in items} for a in items for ids in [{b.id for b in items}]):
        return None  # a whole and its part are not two things to add
    return _combine(q, [""] * n, items)


TOTAL_RE = re.compile(r"\b(in total|total|altogether|in all|combined|overall|sum)\b", re.I)


def _stated_total(q: Query, index, hits, ctx, kind):
    """True when a well-matching figure is itself introduced as a total ("60 in total")."""

    cands = candidates(replace(q, op=None), index, hits, ctx, kind)[:3]
    for c in cands:
        f = c.item
        a, b = f.start - f.sentence_start, f.end - f.sentence_start
        window = f.sentence[max(0, a - 25) : b + 25]
        if c.score >= max(0.5, cands[0].score - 0.3) and TOTAL_RE.search(window):
            return f
    return None


def _merge_known(parts: list[str], texts: tuple[str, ...]) -> list[str]:
    """Re-join operands that the report itself joins with "and" ("the cities and counties",
    "banners and counties"): they name one party, not two. ``texts``: the reports, lower-cased."""
    out: list[str] = []
    for part in parts:
        if out:
            joined = f"{re.sub(r'^the ', '', out[-1].lower())} and {re.sub(r'^the ', '', part.lower())}"
            if len(joined.split()) <= 6 and any(joined in t for t in texts):
                out[-1] = f"{out[-1]} and {part}"
                continue
        out.append(part)
    return out


def _split(question: str, op: str) -> list[str]:
    text = question.strip().rstrip("?.! ")
    if op == "sum":
        body = re.sub(r"\b(combined|together|altogether|in total|in all|provide|put in|invest(ed)?|spent|"
                      r"get|got|receive[d]?)\b", " ", text, flags=re.I)
        body = re.sub(r"^.*?\b(on|for|were|was|are|is|of|did)\b\s+", "", body, count=1, flags=re.I)
        parts = re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+plus\s+", body)
        return [p.strip() for p in parts if weighted_terms(p)]
    for rx in SPLITTERS.get(op, []):
        m = re.search(rx, text, flags=re.I)
        if m:
            return [m.group("a").strip(" ,"), m.group("b").strip(" ,")]
    return []


def _operand(q: Query, part: str, index, hits, ctx, kind, parts: list[str] | None = None,
             wider: list | None = None) -> list:
    """Candidate facts (best first, as ``Scored``) for one operand phrase: scored on the phrase
    (and the shared context), first in the question's passages, then further down the question's
    ranking. Empty when nothing fits well enough."""

    wanted = numbers_in(part)
    names = [n for n in q.names if n in part.lower()]
    best: list = []
    for borrow in (False, True):
        terms = _part_terms(q, part, parts or [part], borrow)
        sub = replace(q, terms=terms, numbers=[], unit=target_unit(part) or q.unit, op=None, names=names)
        # First the question's own passages, then further down the same ranking: no second search.
        for pool in (hits, wider or []):
            cands = candidates(sub, index, pool, ctx, kind)
            if wanted:
                cands = [c for c in cands if c.item.value is not None
                         and any(abs(c.item.value - w) < 1e-6 * max(1, w) for w in wanted)] or cands
            if cands and (not best or cands[0].score > best[0].score):
                best = cands[:3]
            if best and best[0].score >= OPERAND_MIN:
                return [c for c in best if c.score >= OPERAND_MIN]
    return []


def _distinct(options: list[list]):
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




def _part_terms(q: Query, part: str, parts: list[str] | None = None, borrow: bool = False) -> dict[str, float]:
    """The operand's own words, plus the question's words that belong to no operand (shared
    context) at low weight; a bare modifier ("project" in "project and household loans") borrows
    the head noun of the last operand."""
    own = weighted_terms(part)
    others = set()
    for p in parts or []:
        others |= set(weighted_terms(p))
    terms = {t: w * 0.3 for t, w in q.terms.items() if t not in others}
    if borrow and parts and len(own) == 1 and part != parts[-1]:
        head = list(weighted_terms(parts[-1]))[-1:]
        for t in head:
            terms[t] = 1.0
    for t, w in own.items():
        terms[t] = max(w, terms.get(t, 0))
    return terms


def _same_unit(facts: list) -> bool:
    units = {(f.unit or "").lower() for f in facts}
    return len(units) == 1


def _refuse(facts: list, why: str):
    listing = "; ".join(f"{f.raw} ({f.measure or f.section})" for f in facts)
    return Draft(f"These figures cannot be combined: {why}. The report gives {listing}.", facts, 0.3,
                     "arithmetic")


def _combine(q: Query, parts: list[str], ops: list):
    if len({o.id for o in ops}) < len(ops):
        return None
    if not _same_unit(ops):
        return _refuse(ops, "their units differ")
    periods = {o.period for o in ops}
    named = all(any(abs(o.value - n) < 1e-6 * max(1.0, n) for n in q.numbers) for o in ops)
    if len(periods) > 1 and q.op in ("sum", "diff") and not named:
        return _refuse(ops, "they cover different periods (see the cited sentences)")
    unit = ops[0].unit
    if q.op == "sum":
        total = sum(o.value for o in ops)
        comp = " + ".join(o.raw for o in ops) + f" = {fmt(total, unit, ops)}"
        return Draft(f"{comp} in total.", ops, 0.7, "arithmetic", computation=comp, computed_value=total,
                     computed_unit=unit)
    a, b = ops
    if q.op == "diff":
        d = a.value - b.value
        comp = f"{a.raw} − {b.raw} = {fmt(d, unit, ops)}"
        note = " Note that the figures cover different periods (see the cited sentences)." if len(periods) > 1 else ""
        return Draft(f"{comp}.{note}", ops, 0.7, "arithmetic", computation=comp, computed_value=d, computed_unit=unit)
    want_greater = bool(GREATER.search(q.question.lower()))
    winner, loser, wp, lp = (a, b, parts[0], parts[1]) if (a.value >= b.value) == want_greater else \
        (b, a, parts[1], parts[0])
    rel = ">" if winner.value >= loser.value else "<"
    yes_no = ""
    if re.match(r"^(did|does|was|were|is|are)\b", q.question.strip().lower()) and " or " not in q.question:
        yes_no = "Yes: " if winner is a else "No: "
    comp = f"{winner.raw} {rel} {loser.raw}"
    text = f"{yes_no}{_clean(wp)} ({winner.raw}), compared with {_clean(lp)} ({loser.raw})."
    if len(periods) > 1:
        text += " Note that the figures cover different periods (see the cited sentences)."
    return Draft(text, [winner, loser], 0.7, "comparison", computation=comp)


def _clean(part: str) -> str:
    part = re.sub(r"^(which|what|who)\b.*?(more|larger|bigger|higher|less|smaller|lower)\b[^,]*,\s*", "",
                  part, flags=re.I)
    part = re.sub(r"^(did|does|was|were|is|are|the)\s+", "", part.strip(), flags=re.I)
    return part[:1].upper() + part[1:]


def _complement(q: Query, index, hits, ctx, kind):

    positive = re.sub(r"\b(not|didn't|did not|weren't|were not|aren't|are not|isn't|left unchanged|remaining)\b",
                      " ", q.question, flags=re.I)
    sub = replace(q, terms=weighted_terms(positive), op=None)
    cands = candidates(sub, index, hits, ctx, kind)
    for c in cands[:3]:
        part = c.item
        whole = whole_of(part, index)
        if whole is None or whole.value is None or part.value is None:
            continue
        if (whole.unit or "") != (part.unit or "") and part.unit and whole.unit:
            continue
        rest = whole.value - part.value
        comp = f"{whole.raw} − {part.raw} = {fmt(rest, part.unit, [whole, part])}"
        return Draft(f"{comp}.", [whole, part], 0.65, "arithmetic", computation=comp, computed_value=rest,
                     computed_unit=part.unit)
    return None


def _per(q: Query, index, hits, ctx):

    # A figure the report already states per unit ("Yuan 300,000 per village") answers directly.
    for c in candidates(replace(q, op=None), index, hits, ctx)[:5]:
        f = c.item
        tail = f.sentence[f.end - f.sentence_start : f.end - f.sentence_start + 20]
        head = f.sentence[max(0, f.start - f.sentence_start - 20) : f.start - f.sentence_start]
        if c.score >= 0.3 and (re.match(r"\s*(per|each|a|for each)\s+\w+", tail) or re.search(r"average\W*$|"
                                                                                           r"average of\s*$", head)):
            return Draft(state_fact(f), [f], 0.7, f.kind)

    m = re.search(r"\b(?:per (?!capita\b)|each\s)\s*((?:[\w-]+\s*){1,3})", q.question.lower())
    if not m:
        return None
    denom_part = m.group(1)
    num_kind = "money" if q.kind == "money" else "count"
    num_q = replace(q, op=None)
    nums = candidates(num_q, index, hits, ctx, num_kind)
    den_unit = target_unit("how many " + denom_part.strip())
    if den_unit is None:
        return None  # "per head", "per year": no count of something the report counts to divide by
    den_q = replace(q, terms=_part_terms(q, denom_part), op=None, unit=den_unit)
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
            if den.unit and den.unit == top.unit:
                continue  # villages per village is no average
            if den_unit and den.unit != den_unit:
                continue  # an average per village needs a stated count of villages
            score = n.score + d.score + (0.3 if _same_clause(top, den) else 0.0)
            if score > best_score:
                best, best_score = (top, den), score
    if best is None:
        return None
    top, den = best
    v = top.value / den.value
    comp = f"{top.raw} ÷ {den.raw} = {fmt(v, top.unit, [])}"
    return Draft(f"{comp} on average.", [top, den], 0.6, "arithmetic", computation=comp, computed_value=v,
                 computed_unit=top.unit)


def _same_clause(f, g) -> bool:
    if f.sentence_start != g.sentence_start:
        return False
    return same_clause(f.sentence, f.start - f.sentence_start, g.start - f.sentence_start)


def _share(q: Query, index, hits, ctx):

    if re.search(r"\b(and|plus)\b.*\b(together|combined)\b", q.question.lower()):
        parts = _split(q.question, "sum")
        options = [_operand(q, p, index, hits, ctx, "percent", parts) for p in parts]
        ops = _distinct(options) if len(options) >= 2 and all(options) else None
        if ops:
            total = sum(o.value for o in ops)
            comp = " + ".join(o.raw for o in ops) + f" = {fmt(total, '%', [])}"
            return Draft(f"{comp}.", ops, 0.6, "arithmetic", computation=comp, computed_value=total,
                         computed_unit="%")
    direct = candidates(replace(q, op=None), index, hits, ctx, "percent")
    if direct and direct[0].score >= 0.6:
        return None  # the report states the share itself: answer it directly
    cands = candidates(replace(q, op=None, numbers=[]), index, hits, ctx, "count")
    for c in cands[:3]:
        part = c.item
        whole = None
        if q.numbers:  # "what fraction of the 60 key counties": the whole is the number given
            same = [f for f in index.facts_by_passage.get(part.passage_id, ()) if f.value is not None
                    and f.kind == part.kind and any(abs(f.value - g) < 1e-6 * max(1, g) for g in q.numbers)]
            whole = same[0] if same else None
        whole = whole or whole_of(part, index)
        if whole is None or whole.id == part.id or not whole.value or part.value in q.numbers:
            continue
        pct = 100.0 * part.value / whole.value
        comp = f"{part.raw} ÷ {whole.raw} = {pct:.1f}%"
        return Draft(f"{comp}.", [part, whole], 0.6, "arithmetic", computation=comp, computed_value=pct,
                     computed_unit="%")
    return None

