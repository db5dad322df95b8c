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
from qa.answer.operands import distinct, operand, party_phrase, same_unit, split_parts, tier_of
from qa.answer.question import GREATER, Query, weighted_terms
from qa.answer.quoted import quotes
from qa.answer.ratios import per_average, share
from qa.answer.score import candidates
from qa.text.lexicon import TIERS
from qa.text.words import words


def compute(q: Query, index, hits, ctx, wider: list | None = None, stated_declined: bool = False):
    """A computed answer (``Draft``) for an arithmetic or comparison question, or None. ``hits`` are
    the question's passages; ``wider`` the same ranking further down, where an operand may stand;
    ``stated_declined``: a share the report seemed to state was asked directly and declined."""
    kind = q.kind if q.kind in ("money", "count", "percent") else None
    if q.op == "times":  # "how many times larger" counts nothing: its operands are of any one kind
        kind = "auto"
    if q.op == "complement":
        return _complement(q, index, hits, ctx, kind)
    if q.op == "sum":
        stated = _stated_total(q, index, hits, ctx, kind)
        if stated is not None:  # the report states the total itself: answer it directly
            return Draft(state_fact(stated), [stated], 0.7, stated.kind)
    if q.op in ("diff", "compare", "sum", "times"):
        parts = split_parts(q.question, q.op)
        if q.op != "compare":  # "X or Y" names two parties even where the report writes "X and Y"
            parts = _merge_known(parts, ctx.lower_texts)
        if len(parts) < 2:
            return _the_n(q, index, hits, ctx, kind) if q.op == "sum" else None
        both = _both_tiers(q, parts, index, hits, ctx, kind) if q.op == "sum" else None
        if both is not None:  # "central and provincial anti-poverty funds of 2.068 billion": stated as one
            return Draft(state_fact(both), [both], 0.7, both.kind)
        options = [operand(q, part, index, hits, ctx, kind, parts, wider) for part in parts]
        if any(not o for o in options):
            return None
        ops = distinct(options)
        if ops is None:
            return None
        return _combine(q, parts, ops)
    if q.op == "per":
        return per_average(q, index, hits, ctx)
    if q.op == "grow":
        return after_additions(q, index, hits, ctx)
    if q.op == "share":
        return share(q, index, hits, ctx, stated_declined)
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


def _both_tiers(q: Query, parts: list[str], index, hits, ctx, kind):
    """A figure whose own part of its sentence names the tier of every part of a sum asked ("central plus
    provincial money": "2.068 billion Yuan of central and provincial anti-poverty funds"): the report
    states the sum itself."""
    tiers = [tier_of(p)[0] for p in parts]
    if not all(tiers) or len(set().union(*tiers)) < 2:
        return None
    named = [sorted(t) for t in tiers]
    # the tiers joined as one modifier ("central and provincial funds"), not two figures' ("the central
    # government allocated 1.12 billion Yuan and the provincial finance 286 million")
    joined = re.compile(r"\b(?:" + "|".join(w for t in named for w in t) + r")\s+(?:and|&|plus)\s+(?:the\s+)?(?:"
                        + "|".join(w for t in named for w in t) + r")\b", re.I)
    for c in candidates(replace(q, op=None), index, hits, ctx, kind)[:3]:
        phrase = party_phrase(c.item).lower()
        said = set(words(phrase))
        if c.score > 0 and all(t & said for t in tiers) and joined.search(phrase):
            return c.item
    return None


TOTAL_RE = re.compile(r"\b(in total|total|altogether|in all|combined|overall|sum)\b", re.I)


# "Funds of all kinds devoted to poverty reduction came to 3.184 billion Yuan": a total by its own words
ALL_KINDS = re.compile(r"\b(?:of all kinds|of every kind|all kinds of|of (?:all|various) (?:types|kinds|sources)|"
                       r"various (?:types|kinds|sorts) of|from all (?:sources|channels))\b", re.I)


def _stated_total(q: Query, index, hits, ctx, kind):
    """A well-matching figure the report itself introduces as a total: "60 in total" beside it, or the words
    leading up to it ("Total input ... was", "funds of all kinds came to") when the question asks no one
    kind of money those words do not name."""

    cands = candidates(replace(q, op=None), index, hits, ctx, kind)[:5]
    for i, c in enumerate(cands):
        f = c.item
        a, b = f.start - f.sentence_start, f.end - f.sentence_start
        window = f.sentence[max(0, a - 25) : b + 25]
        if i < 3 and c.score >= max(0.5, cands[0].score - 0.3) and TOTAL_RE.search(window):
            return f
        if c.score < cands[0].score - 0.3 or not f.value:
            continue
        # "Total input ... was 4.372 billion", "Funds of every kind reached 2.465 billion": the words that
        # lead up to the figure, back to the figure before it in the sentence
        before = [g.end - f.sentence_start for g in index.facts_by_passage.get(f.passage_id, ())
                  if g.sentence_start == f.sentence_start and g.value is not None and g.end <= f.start]
        lead = f.sentence[max(before, default=0) : a]
        named = set(FUND_KINDS.findall(q.question.lower()))
        if named and not named <= set(FUND_KINDS.findall(lead.lower())):
            continue  # "all levels' fiscal money together" is not the funds of all kinds
        if ALL_KINDS.search(lead) or TOTAL_IS.search(lead):
            return f
    return None


# Kinds of money a question may restrict a total to: the lexicon's tiers of government, and the sources the
# reports split their funds by
_SOURCES = r"fiscal|financial|budget|credit|loans?|lending|social|society|county|municipal|bank"
FUND_KINDS = re.compile(rf"\b({'|'.join([re.escape(w) for ws in TIERS.values() for w in ws] + [_SOURCES])})\b")
# "Total input for poverty alleviation in 2011 was 4.372 billion" (not "The total was made up of 968 million")
TOTAL_IS = re.compile(r"\b(?:total|overall)\b(?:(?!\b(?:made up|consist\w*|compris\w*|includ\w*)\b)[^,;()])*"
                      r"\b(?:was|were|came to|reached|amounted to|stood at|totall?ed)\s+"
                      r"(?:about\s+|over\s+|nearly\s+)?$", re.I)


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


def _refuse(facts: list, why: str):
    listing = "; ".join(f"{f.raw} ({f.measure or f.section})" for f in facts)
    return Draft(f"These figures cannot be combined: {why}. The report gives {listing}.", facts, 0.3,
                     "arithmetic")


# A difference asked as a distance, without saying which side is larger
GAP = re.compile(r"\b(?:ahead of|behind|short of|trail\w*|lag\w*|gap|difference between)\b", re.I)


def _combine(q: Query, parts: list[str], ops: list):
    if len({o.id for o in ops}) < len(ops):
        return None
    if not same_unit(ops):
        return _refuse(ops, "their units differ")
    periods = {o.period for o in ops}
    named = all(quotes(o.value, q.numbers) for o in ops)
    if len(periods) > 1 and q.op in ("sum", "diff") and not named:
        return _refuse(ops, "they cover different periods (see the cited sentences)")
    unit = ops[0].unit
    if q.op == "sum":
        total = sum(o.value for o in ops)
        comp = " + ".join(o.raw for o in ops) + f" = {fmt(total, unit, ops)}"
        return Draft(f"{comp} in total.", ops, 0.7, "arithmetic", computation=comp, computed_value=total,
                     computed_unit=unit)
    if q.op == "compare" and len(ops) > 2:
        return _rank(q, parts, ops, periods)
    a, b = ops
    if q.op == "times":
        if not b.value:
            return None
        r = a.value / b.value
        comp = f"{a.raw} ÷ {b.raw} = {r:.2f} times"
        return Draft(f"{comp}.", ops, 0.7, "arithmetic", computation=comp, computed_value=round(r, 2),
                     computed_unit="times")
    if q.op == "diff":
        if a.value < b.value and GAP.search(q.question):
            a, b = b, a  # "how far behind", "the gap between": a distance, the larger figure first
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


def _rank(q: Query, parts: list[str], ops: list, periods: set) -> Draft:
    """The largest (or smallest) of three or more figures the question names, with the others beside it."""
    want_greater = bool(GREATER.search(q.question.lower()))
    order = sorted(range(len(ops)), key=lambda i: ops[i].value, reverse=want_greater)
    first, rest = order[0], order[1:]
    comp = f" {'>' if want_greater else '<'} ".join(ops[i].raw for i in order)
    said = []  # each part as asked, and its figure's own measure where that says more
    for part, o in zip(parts, ops, strict=True):
        m = o.measure or ""
        extra = f" of {m}" if m and m.lower() not in part.lower() and len(m.split()) > 1 else ""
        said.append(f"{_clean(part)} ({o.raw}{extra})")
    others = ", ".join(said[i][:1].lower() + said[i][1:] for i in rest)
    text = f"{said[first]}, compared with {others}."
    if len(periods) > 1:
        text += " Note that the figures cover different periods (see the cited sentences)."
    return Draft(text, [ops[i] for i in order], 0.7, "comparison", computation=comp)


def _clean(part: str) -> str:
    part = re.sub(r"^(which|what|who)\b.*?(more|larger|bigger|higher|less|smaller|lower)\b[^,]*,\s*", "",
                  part, flags=re.I)
    part = re.sub(r"^(did|does|was|were|is|are|the)\s+", "", part.strip(), flags=re.I)
    return part[:1].upper() + part[1:]


def _quoted_parts(q: Query, index, hits):
    """"The grant included 80 million for Tibetan areas and 30 million for Yushu - what was left?": the
    whole of the parts the question quotes, less them all (each quoted value a stated part of it)."""
    if not q.numbers:
        return None
    for p, _h in hits:
        facts = [f for f in index.facts_by_passage.get(p.id, ()) if f.value is not None]
        parts = [f for f in facts if f.part_of and quotes(f.value, q.numbers)]
        wholes = {f.part_of for f in parts}
        if len(parts) != len(q.numbers) or len(wholes) != 1:
            continue
        whole = next((f for f in facts if f.id in wholes), None)
        if whole is None or any((f.unit or "") != (whole.unit or "") for f in parts):
            continue
        rest = whole.value - sum(f.value for f in parts)
        comp = f"{whole.raw} − " + " − ".join(f.raw for f in parts) + f" = {fmt(rest, whole.unit, [whole, *parts])}"
        return Draft(f"{comp}.", [whole, *parts], 0.65, "arithmetic", computation=comp, computed_value=rest,
                     computed_unit=whole.unit)
    return None


def _complement(q: Query, index, hits, ctx, kind):

    quoted = _quoted_parts(q, index, hits)
    if quoted is not None:
        return quoted
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
        # "left after the Tibetan-area and Yushu earmarks": every part of that whole the question names
        # (by a word its own clause has and the whole's lacks), not just the best-fitting one
        context = getattr(index, "fact_context", {})  # the figures' own clauses (an index has them; a fake may not)
        own = set(weighted_terms(context.get(whole.id, whole.sentence)))
        named = {t for t in sub.terms if t not in own}
        siblings = [g for g in index.facts_by_passage.get(part.passage_id, ()) if g.part_of == whole.id
                    and g.value is not None and (g.unit or "") == (part.unit or "")]
        words_of = {g.id: named & set(weighted_terms(context.get(g.id, g.sentence))) for g in siblings}
        parts = [g for g in siblings if words_of[g.id]] or [part]
        if len(parts) > 1 and any(words_of[g.id] <= words_of[h.id] for g in parts for h in parts if g is not h):
            parts = [part]  # several parts only when each is named by words of its own
        rest = whole.value - sum(g.value for g in parts)
        comp = f"{whole.raw} − " + " − ".join(g.raw for g in parts) + f" = {fmt(rest, part.unit, [whole, *parts])}"
        return Draft(f"{comp}.", [whole, *parts], 0.65, "arithmetic", computation=comp, computed_value=rest,
                     computed_unit=part.unit)
    return None


