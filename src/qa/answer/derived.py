"""Figures derived from one stated figure: the whole a part belongs to, the value of the year
before ("X, down by D over 2008"), a base plus its additions, and per-unit totals (N x amount each).
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.answer.changes import is_change
from qa.answer.draft import Draft, state_fact
from qa.answer.features import BASE_AFTER, asks_change
from qa.answer.question import Query, change_in, target_unit
from qa.answer.score import candidates, unit_match


def fmt(value: float, unit: str, like: list) -> str:
    """Format a computed value in the scale the operands are written in."""
    scale = ""
    for f in like:
        m = re.search(r"\b(million|billion)\b", f.raw, re.I)
        if m:
            scale = m.group(1).lower()
            break
    div = {"million": 1e6, "billion": 1e9}.get(scale, 1)
    v = value / div
    num = f"{v:,.4f}".rstrip("0").rstrip(".") if div > 1 else (f"{v:,.0f}" if abs(v - round(v)) < 1e-9
                                                               else f"{v:,.1f}")
    if unit == "%":
        return f"{num}%"
    u = {"yuan": "Yuan"}.get(unit, unit)
    return f"{num} {scale + ' ' if scale else ''}{u}".strip()


def _names_next(f, noun: str) -> bool:
    """The figure is followed by the noun it counts, before any other figure ("1,280 poor villages")."""
    after = f.sentence[f.end - f.sentence_start : f.end - f.sentence_start + 40]
    after = re.split(r"\d", after)[0]
    return not noun or noun.lower() in after.lower()


def whole_of(part, index):
    """The fact a part belongs to: the extractor's ``part_of`` link, else the figure that follows
    "of (the)" right after it in the same sentence ("adjusted 11 of the 18 twinning counties")."""
    if part.part_of:
        for f in index.facts_by_passage.get(part.passage_id, ()):
            if f.id == part.part_of:
                return f
    same = [f for f in index.facts_by_passage.get(part.passage_id, ())
            if f.kind == part.kind and f.sentence_start == part.sentence_start and f.id != part.id]
    sent, off = part.sentence, part.sentence_start
    for f in same:
        gap = sent[part.end - off : f.start - off]
        if f.start > part.end and re.fullmatch(r"\s*(out )?of( the)?\s*", gap):
            return f
        # "completed in 4,850 villages, about 52% of the 9,300 key poor villages"
        if (f.start > part.end and len(gap) < 60 and f.unit == part.unit and not re.search(r"[;:]", gap)
                and re.search(r"\bof( the| all)?\s*$", gap)):
            return f
    # "1,104 of these villages had passed": the whole is the last such figure before it in the passage
    if re.match(r"\s*of (these|those|them|this number)\b", sent[part.end - off :]):
        noun = (part.measure or part.unit or "").split()[-1:] or [""]
        earlier = [f for f in index.facts_by_passage.get(part.passage_id, ())
                   if f.kind == part.kind and (not part.unit or f.unit == part.unit) and f.end <= part.start and f.value
                   and part.value is not None and f.value > part.value
                   and _names_next(f, noun[0])]
        if earlier:
            return earlier[-1]
    # "78,500 laborers were trained, 64,300 of whom found jobs" / "31,000 people, of which 27,000 ..."
    before = [f for f in same if f.end <= part.start]
    if before and (re.match(r"\s*(of whom|of which|among whom|among them)\b", sent[part.end - off :])
                   or re.search(r"\b(of whom|of which|among whom|among them|including)\s*$",
                                sent[before[-1].end - off : part.start - off])):
        return before[-1]
    return None


CHANGE_RE = re.compile(
    r"\b(?P<dir>down|up|decrease[ds]?|increase[ds]?|fell|rose|dropped|grew|reduced|declined|higher|lower|"
    r"fall|drop|decline|reduction|rise|growth)\b"
    r"[^.;]{0,20}?\b(?:by|of)\s+(?P<num>[\d.,]+\s*(?:million|billion|thousand)?\s*(?:%|percent)?)"
    r"[^.;]{0,25}?\b(?:over|from|than|compared (?:with|to)|on)\s+(?P<ref>the previous year|last year|\d{4})",
    re.I,
)


# "2.537 billion Yuan ..., 500 million Yuan more than that in 2008"
MORE_THAN_RE = re.compile(
    r"(?P<num>[\d.,]+\s*(?:million|billion|thousand)?\s*(?:yuan|rmb|%|percent)?)\s+(?P<dir>more|less|higher|lower|"
    r"fewer)\s+than\s+(?:that|those)?\s*(?:of|in)?\s*(?P<ref>the previous year|last year|\d{4})", re.I)
# "2.30251 billion Yuan from the central government, up 36%": a change over the year before
BARE_CHANGE_RE = re.compile(
    r"\b(?P<dir>up|down|increased|decreased|rose|grew|fell|(?:an? )?(?:increase|decrease|rise|growth|drop|fall|"
    r"decline) of)\s+(?:by\s+)?(?P<num>[\d.]+\s*(?:%|percent))", re.I)
FALLING = re.compile(r"down|decrease|fell|fall|drop|reduc|declin|lower|less|fewer|cut", re.I)


def _change_after(tail: str):
    """The change a figure's sentence gives right after it, as (match, reference year or None). A
    bracket right after the figure ("793 million Yuan (of which ...), 177 million Yuan more than")
    is read past: its figures are the parts, the change after it is the whole's."""
    return next(_changes_after(tail), (None, ""))


def _changes_after(tail: str):
    """Every change stated right after a figure, first to last: "3617 Yuan, up 222% over 2000 and up
    12.4% over the previous year" states two, against two bases."""
    skipped = 0
    b = re.match(r"\s*\([^()]*\)", tail)
    if b:
        skipped = b.end()
    blank = " " * skipped + tail[skipped:]
    found = []
    for rx in (CHANGE_RE, MORE_THAN_RE, BARE_CHANGE_RE):
        for m in rx.finditer(blank[: 120 + skipped]):
            if m.start() - skipped > 60 or any(m.start() < e and s < m.end() for s, e, _, _ in found):
                continue
            ref = m.groupdict().get("ref") or ""
            base = BASE_AFTER.match(blank[m.end():]) if not ref else None
            if base and base.group("base"):  # "up 222% over 2000": over that year, not the one before
                ref = base.group("base")
            found.append((m.start(), m.end(), m, ref))
    for _, _, m, ref in sorted(found, key=lambda x: x[0]):
        yield m, ref


def _fact_at(index, passage_id: str, at: int):
    """The figure of a passage that stands at offset ``at`` (the change a sentence states after a level)."""
    return next((d for d in index.facts_by_passage.get(passage_id, ()) if d.start <= at < d.end or d.start == at),
                None)


def _between(index, f, delta) -> bool:
    """Another figure stands between a level and the change after it ("the 25 key counties, whose income
    reached 4068 Yuan, up 16.5%": the rise is the income's, not the counties')."""
    s0 = f.sentence_start

    def inside(g) -> bool:  # "(of which 30 million Yuan for Yushu)": an aside of the level, no other figure
        gap = f.sentence[f.end - s0 : g.start - s0]
        return gap.count("(") > gap.count(")")

    return any(g.value is not None and f.end <= g.start and g.end <= delta.start and not is_change(g)
               and not inside(g) for g in index.facts_by_passage.get(f.passage_id, ())
               if g.id not in (f.id, delta.id))


def previous_year(q: Query, index, hits, ctx):
    """A figure for the year before the report's, worked back from "X, down by D over <year>":
    the earlier value is X + D (or X - D for a rise; X / (1 +- p%) for a percentage change)."""

    target = min(q.years)
    for c in candidates(replace(q, years=set()), index, hits, ctx)[:4]:
        f = c.item
        if c.score < 0.0 or f.value is None or f.kind == "percent":
            continue
        tail = f.sentence[f.end - f.sentence_start :]
        if is_change(f):
            continue  # "177 million Yuan more than that in 2009" is the change, not the level
        # the change against the year asked ("up 222% over 2000 and up 12.4% over the previous year")
        m = next((m for m, ref in _changes_after(tail)
                  if (int(ref) if ref.isdigit() else (f.period_end or f.period_start or 0) - 1) == target), None)
        if not m or tail[: m.start()].count(")") > tail[: m.start()].count("("):
            continue  # "(of which ... 30 million Yuan for Yushu), 177 million more than": the whole's change
        if f.period_end and f.period_end != target + 1:
            continue
        change_at = f.end + m.start("num")
        delta = _fact_at(index, f.passage_id, change_at)
        if delta is None or delta.value is None or _between(index, f, delta):
            continue
        falling = bool(FALLING.match(m.group("dir")))
        if delta.kind != "percent" and not falling and delta.value >= f.value:
            continue  # a rise larger than the level itself: the change is another figure's
        return level_before(f, delta, falling)
    return None


def level_before(f, delta, falling: bool) -> Draft:
    """The level ``f`` had before its change ``delta`` (a percentage or an amount), as a draft that
    cites both."""
    if delta.kind == "percent":
        v = f.value / (1 - delta.value / 100 if falling else 1 + delta.value / 100)
        # worded without the constant 1 of the formula: every number shown is in the report or the result
        comp = f"{f.raw} before a {'fall' if falling else 'rise'} of {delta.raw} = {fmt(v, f.unit, [f])}"
    else:
        v = f.value + delta.value if falling else f.value - delta.value
        comp = f"{f.raw} {'+' if falling else '−'} {delta.raw} = {fmt(v, f.unit, [f, delta])}"
    text = f"{comp}, worked back from the later figure and the change the report gives."
    return Draft(text, [f, delta], 0.55, "arithmetic", computation=comp, computed_value=v, computed_unit=f.unit,
                 worked_back=True)


def rise_of(d: Draft) -> Draft:
    """The change between the year before and the report's year, from a level worked back (``d``):
    the stated change when it is an amount, else the later level less the earlier."""
    f, delta = d.facts
    if delta.kind != "percent":
        return Draft(state_fact(delta), [delta], d.confidence, delta.kind)
    v = abs(f.value - d.computed_value)
    way = "rise" if f.value >= d.computed_value else "fall"
    comp = f"{f.raw} less its level before a {way} of {delta.raw} = {fmt(v, f.unit, [f])}"
    return Draft(f"{comp}.", [f, delta], d.confidence, "arithmetic", computation=comp, computed_value=v,
                 computed_unit=f.unit)


def change_worked_out(q: Query, index, hits, ctx):
    """A change asked in the other form than the report gives it: "By how many yuan did X rise?" when
    it gives "X, up 75%" (X less its level before the rise), "By what percentage did X grow?" when it
    gives "X, 500 million Yuan more than that in 2008" (the rise over the level before it). The levels
    are read best-fitting first: when the first one with a change states it in the form asked, that
    stated change answers (None here), not another figure's worked out."""
    want = change_in(q.question) or change_in(q.corrected)  # "by what percnt": as corrected
    if not asks_change(q) or want is None:
        return None
    # "by what percentage did the number of poor people fall": the level worked from counts people
    counted = replace(q, unit=q.unit or target_unit(re.sub(r"\bnumber of\b", "how many", q.question.lower())))
    for c in candidates(replace(q, kind="auto"), index, hits, ctx)[:4]:
        f = c.item
        if c.score < 0.0 or f.value is None or f.kind == "percent" or is_change(f) or unit_match(counted, f) < -0.1:
            continue
        tail = f.sentence[f.end - f.sentence_start:]
        deltas = []
        for m, _ in _changes_after(tail):
            if tail[: m.start()].count(")") > tail[: m.start()].count("("):
                continue
            delta = _fact_at(index, f.passage_id, f.end + m.start("num"))
            if delta is not None and delta.value and not _between(index, f, delta):
                deltas.append((m, delta))
        if not deltas:
            continue
        if any((d.kind == "percent") == (want == "percent") for _, d in deltas):
            # the best-fitting level's change is stated in the form asked ("177 million Yuan more than
            # that in 2009, up 28.8%"): that answers
            return None
        m, delta = deltas[0]
        falling = bool(FALLING.match(m.group("dir")))
        if want == "amount" and delta.kind == "percent":
            before = f.value / (1 - delta.value / 100 if falling else 1 + delta.value / 100)
            v = abs(f.value - before)
            way = "fall" if falling else "rise"
            comp = f"{f.raw} less its level before a {way} of {delta.raw} = {fmt(v, f.unit, [f])}"
            return Draft(f"{comp}.", [f, delta], 0.55, "arithmetic", computation=comp, computed_value=v,
                         computed_unit=f.unit)
        if want == "percent" and delta.kind != "percent" and (delta.unit or "") == (f.unit or "") and (
                falling or delta.value < f.value):
            base = f.value + delta.value if falling else f.value - delta.value
            v = round(100 * delta.value / base, 1)
            comp = f"{delta.raw} ÷ ({f.raw} {'+' if falling else '−'} {delta.raw}) = {v}%"
            return Draft(f"{comp}, the {'fall' if falling else 'rise'} over the level before it.", [f, delta], 0.55,
                         "arithmetic", computation=comp, computed_value=v, computed_unit="%")
    return None


PLAN_Q = re.compile(r"\b(plann\w*|scheduled|targets?|targeted for|goals?|intended|meant to)\b", re.I)
# "dug 60,900 biogas digesters, 121.80% of the scheduled tasks"
OF_PLAN_RE = re.compile(r"^(?:\s+[A-Za-z-]+){0,5}?,?\s*(?:or\s+|reaching\s+|accounting for\s+)?"
                        r"(?P<num>[\d.]+\s*(?:%|percent))\s+of\s+(?:the\s+)?(?:annual\s+|year's\s+|scheduled\s+|"
                        r"planned\s+)?(?:tasks?|plans?|targets?|goals?|schedule)\b", re.I)


def planned_from_rate(q: Query, index, hits, ctx):
    """"How many digesters were planned, given the completion rate?": the figure done divided by the
    share of the plan it reached ("60,900 ..., 121.80% of the scheduled tasks": 50,000 planned)."""
    if q.kind not in ("count", "money", "auto") or not PLAN_Q.search(q.question):
        return None
    for c in candidates(q, index, hits, ctx)[:4]:
        f = c.item
        if c.score < 0.0 or f.value is None or f.kind == "percent":
            continue
        m = OF_PLAN_RE.match(f.sentence[f.end - f.sentence_start:])
        if not m:
            continue
        at = f.end + m.start("num")
        rate = next((d for d in index.facts_by_passage.get(f.passage_id, ()) if d.start == at and d.kind == "percent"),
                    None)
        if rate is None or not rate.value:
            continue
        v = f.value / (rate.value / 100)
        comp = f"{f.raw} ÷ {rate.raw} = {fmt(v, f.unit, [f])}"
        text = f"{comp} planned, worked back from what was done and the share of the plan it reached."
        return Draft(text, [f, rate], 0.55, "arithmetic", computation=comp, computed_value=v, computed_unit=f.unit)
    return None


ADDED_RE = re.compile(r"\b(added|adds|adding|increased by|newly|new)\s+$", re.I)


BASE_RE = re.compile(r"\b(former|original|existing|previous|previously|earlier|based on the)\s+$", re.I)


def after_additions(q: Query, index, hits, ctx):
    """"How many ... now, after the additions?": the base figure ("the former 25 counties") plus
    the added one ("added eight counties"), both stated in one sentence with the same unit."""

    def lead(g) -> str:
        return g.sentence[max(0, g.start - g.sentence_start - 25) : g.start - g.sentence_start]

    for c in candidates(replace(q, op=None), index, hits, ctx)[:4]:
        f = c.item
        same = [g for g in index.facts_by_passage.get(f.passage_id, ())
                if g.sentence_start == f.sentence_start and g.unit == f.unit and g.value is not None]
        added = [g for g in same if ADDED_RE.search(lead(g))]
        base = [g for g in same if BASE_RE.search(lead(g))]
        if added and base:
            total = base[0].value + added[0].value
            comp = f"{base[0].raw} + {added[0].raw} = {fmt(total, f.unit, [base[0], added[0]])}"
            return Draft(f"{comp} after the additions.", [base[0], added[0]], 0.6, "arithmetic",
                             computation=comp, computed_value=total, computed_unit=f.unit)
    return None


EACH_RE = re.compile(r"^\s*(each|apiece|a head|per (?!cent)\w+)\b", re.I)


def per_unit_total(f, index):
    """A total asked for, a per-unit figure found ("3,150 girls received grants of 1,000 yuan
    each"): the count of the same sentence times the amount."""
    if f.value is None or not EACH_RE.match(f.sentence[f.end - f.sentence_start :]):
        return None
    counts = [g for g in index.facts_by_passage.get(f.passage_id, ())
              if g.sentence_start == f.sentence_start and g.kind == "count" and g.value and g.end <= f.start]
    if not counts:
        return None
    n = counts[-1]
    total = n.value * f.value
    comp = f"{n.raw} × {f.raw} = {fmt(total, f.unit, [f])}"
    return Draft(f"{comp} in total.", [n, f], 0.6, "arithmetic", computation=comp, computed_value=total,
                 computed_unit=f.unit)

