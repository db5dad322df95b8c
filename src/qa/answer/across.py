"""Questions across reports: each report's own answer, put together as one cited answer.

The pipeline asks each report of the plan (``qa.answer.route.across_plan``) on its own, with the
question cut down to what one report can answer (``route.report_query``), and hands the drafts here:

* ``table``   one row per report (report | value | citation), e.g. "Poverty-relief funds of each
  province in 2009?"; a report that does not state it gets a row that says so when the user named
  it, and is counted otherwise;
* ``compare`` which report's figure is higher or lower ("Which had the higher pastoral poverty line,
  Inner Mongolia or Qinghai?"), or by how much ("how much more ..."): a computed result whose
  operands are each cited from their own report;
* ``change``  one region over its reports' years ("How did Guizhou's poor population change from
  2010 to 2011?"): the later figure minus the earlier one, with both cited.

A comparison or change needs one figure per report, all of one unit; otherwise the answer is the
table and says why nothing was computed. Every number stated is a fact's raw text (verbatim in its
citation) or a computed value shown with its operands in ``computation``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer.derived import fmt
from qa.answer.draft import Draft, source_clause
from qa.answer.question import GREATER

# a figure per something ("average input per village", "per capita") is never set against a total
PER_UNIT = re.compile(r"\b(?:per|average|averaged|each|on average)\b", re.I)
# the confidence of a combined answer is the weakest of its parts, a little less for the computation
COMBINE_FACTOR = 0.95


@dataclass
class Row:
    """One report's part of an answer across reports: its draft, or why it has none."""

    doc: str
    label: str
    draft: Draft | None
    reason: str = ""
    group: str = ""  # the region: a comparison between regions keeps one report of each

    @property
    def figure(self):
        """The one figure this report answers with, if it answers with exactly one."""
        if self.draft is None or self.draft.computation or len(self.draft.facts) != 1:
            return None
        f = self.draft.facts[0]
        return f if f.value is not None else None


def one_per_group(rows: list[Row]) -> list[Row]:
    """A comparison between regions when a region has several reports: the report of each region
    that answers with one figure, the most confident (the table lists the rest)."""
    out: dict[str, Row] = {}
    for r in rows:
        have = out.get(r.group)
        if have is None or (r.figure is not None and (have.figure is None
                                                      or r.draft.confidence > have.draft.confidence)):
            out[r.group] = r
    return list(out.values())


def _row_line(r: Row) -> str:
    if r.draft is None:
        return f"{r.label}: not stated in this report."
    return f"{r.label}: {r.draft.text}"


def one_unit(rows: list[Row]) -> tuple[list[Row], str]:
    """A table of one measure: when most reports answer with a figure of one unit, a report whose
    figure has another unit (7.2% among counts of people) answered something else; its row says so
    instead of giving that figure."""
    units = [r.figure.unit for r in rows if r.figure is not None]
    if len(units) < 3:
        return rows, ""
    top = max(set(units), key=units.count)
    if units.count(top) * 2 <= len(units):
        return rows, ""
    out, dropped = [], []
    for r in rows:
        if r.figure is not None and r.figure.unit != top:
            dropped.append(r.label)
            r = Row(r.doc, r.label, None, r.reason, r.group)
        out.append(r)
    note = f"Left out, as figures in another unit than the others': {', '.join(dropped)}" if dropped else ""
    return out, note


def table(rows: list[Row], asked: int, note: str = "") -> Draft | None:
    """The rows as one answer: each report's line (its own statement, cited), in order. ``asked`` is
    how many reports were asked; those without a line are counted, not listed, unless named."""
    if not note:
        rows, note = one_unit(rows)
    shown = [r for r in rows if r.draft is not None]
    if not shown:
        return None
    missing = asked - len(shown)
    head = f"{len(shown)} report{'s' if len(shown) > 1 else ''} state{'' if len(shown) > 1 else 's'} this"
    if missing > 0:
        head += f" ({missing} other{'s' if missing > 1 else ''} asked do{'' if missing > 1 else 'es'} not)"
    # the first line says what the rows are (the page shows it above the table); one line per report
    text = head + (f". {note.rstrip('.')}" if note else "") + ":\n" + "\n".join(
        _row_line(r) for r in rows if r.draft is not None or r.reason == "named")
    facts = [f for r in shown for f in r.draft.facts]
    extra = [c for r in shown for c in (r.draft.extra_citations or [])]
    comps = [f"{r.label}: {r.draft.computation}" for r in shown if r.draft.computation]
    kinds = {r.draft.kind for r in shown}
    return Draft(text=text, facts=facts, confidence=round(min(r.draft.confidence for r in shown), 2),
                 kind=kinds.pop() if len(kinds) == 1 else "text", computation="\n".join(comps) or None,
                 extra_citations=extra or None, rows=rows)


def _figures(rows: list[Row]) -> tuple[list, str]:
    """One figure per row, all of one unit; or why not."""
    figs = [r.figure for r in rows]
    missing = [r.label for r, f in zip(rows, figs, strict=True) if f is None]
    if missing:
        verb = "gives" if len(missing) == 1 else "give"
        return [], f"No comparison is made: {', '.join(missing)} {verb} no single figure."
    if len({f.unit for f in figs}) > 1:
        return [], "No comparison is made: the figures are in different units."
    per = [bool(PER_UNIT.search(f"{f.measure or ''} {_own_words(f)}")) for f in figs]
    if any(per) and not all(per) and not all(f.unit == "%" for f in figs):  # rates are no totals
        return [], "No comparison is made: some figures are per unit (an average), others totals."
    return figs, ""


def _own_words(f) -> str:
    try:
        return source_clause(f, max_words=12)
    except (AttributeError, TypeError):  # a figure without its sentence (a test's)
        return ""


def compare(rows: list[Row], question: str, by_how_much: bool, among: bool = False) -> Draft | None:
    """Which report's figure is higher (or lower), or by how much; the table with the reason when
    the figures cannot be compared. ``among``: the reports were a pool ("which of the 2010 reports"),
    so those that state a figure are compared and the answer says which do not."""
    every = rows
    if len({r.group for r in rows}) > 1:
        rows = one_per_group(rows)
    silent = [r.label for r in rows if r.figure is None]
    if among and silent and len(rows) - len(silent) >= 2:
        rows = [r for r in rows if r.figure is not None]
    else:
        silent = []
    figs, why = _figures(rows)
    if not figs:
        return table(every, len(every), why)
    want_greater = bool(GREATER.search(question.lower()))
    order = sorted(range(len(rows)), key=lambda i: figs[i].value, reverse=want_greater)
    win, runner = order[0], order[1]
    w, lo = figs[win], figs[runner]
    conf = round(min(r.draft.confidence for r in rows) * COMBINE_FACTOR, 2)
    unit = w.unit
    labelled = [f"{f.raw} ({r.label})" for r, f in zip(rows, figs, strict=True)]
    if by_how_much:  # the larger minus the smaller, whichever way the question puts it
        hi, hl = (w, rows[win].label) if w.value >= lo.value else (lo, rows[runner].label)
        sm, sl = (lo, rows[runner].label) if hi is w else (w, rows[win].label)
        d = hi.value - sm.value
        comp = f"{hi.raw} ({hl}) − {sm.raw} ({sl}) = {fmt(d, unit, [hi, sm])}"
        gap = fmt(d, unit, [hi, sm])
        if unit == "%":  # the gap between two rates is in percentage points, not a percentage of either
            gap = gap.rstrip("%").rstrip() + " percentage points"
        text = f"{hl} is higher by {gap}: {hi.raw} against {sm.raw} ({sl})." + (
            f" Not stated in {', '.join(silent)}." if silent else "")
        return Draft(text, [hi, sm], conf, "arithmetic", computation=comp, computed_value=d,
                     computed_unit=unit, rows=every)
    rel = " > " if want_greater else " < "
    comp = rel.join(f"{figs[i].raw} ({rows[i].label})" for i in order)
    word = "higher" if want_greater else "lower"
    if w.value == lo.value:
        text = f"They are equal: {', '.join(labelled)}."
    else:
        text = f"{rows[win].label} has the {word} figure: {w.raw}, against " + ", ".join(
            f"{figs[i].raw} for {rows[i].label}" for i in order[1:]) + "."
    if silent:
        text += f" Not stated in {', '.join(silent)}."
    return Draft(text, [figs[i] for i in order], conf, "comparison", computation=comp, rows=every)


def change(rows: list[Row]) -> Draft | None:
    """The later report's figure minus the earlier one's (rows are in year order), with the share of
    the change when the earlier figure is not zero."""
    figs, why = _figures(rows)
    if not figs:
        return table(rows, len(rows), why)
    first, last = figs[0], figs[-1]
    unit = first.unit
    d = last.value - first.value
    conf = round(min(r.draft.confidence for r in rows) * COMBINE_FACTOR, 2)
    sign = "+" if d > 0 else ("−" if d < 0 else "±")
    delta = f"{sign}{fmt(abs(d), unit, [first, last])}"
    pct = f" ({sign}{abs(d) / first.value * 100:.1f}%)" if first.value else ""
    comp = f"{last.raw} ({rows[-1].label}) − {first.raw} ({rows[0].label}) = {delta}{pct}"
    verb = "rose" if d > 0 else ("fell" if d < 0 else "did not change")
    text = (f"From {rows[0].label} to {rows[-1].label} it {verb}: {first.raw} then {last.raw}, a change of "
            f"{delta}{pct}.")
    return Draft(text, [first, last], conf, "arithmetic", computation=comp, computed_value=d, computed_unit=unit,
                 rows=rows)
