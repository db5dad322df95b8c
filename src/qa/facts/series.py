"""A series view: one measure across the reports of the series, one cited figure per report.

``build_series`` takes the figures that match a measure (``qa.facts.select``) and the reports in
scope, and keeps only what may honestly be drawn side by side:

* one unit: people are never drawn beside yuan, nor an income per person beside an amount. The
  unit asked for, else the unit in which the most reports have a matching figure; the figures in
  other units are left out and listed by unit (so the page can offer their own charts);
* one figure per report, the best match (then the one dated the report's year, then the first in
  the report); when a report has several, the others are kept beside the bar and the chart says so;
* a figure whose measure is the words asked beats one that only has them in its sentence
  ("training ten thousand people" is not a poor population): when some report has a figure of the
  first sort, a report with only the second is not drawn, and the chart lists those figures;
* the reports in scope without a matching figure are named, not drawn as zero.

Bars are ordered by year when the reports are of one region, by region when they are of one year,
else by region and then year. ``Series.description`` says in words what is compared and
``Series.notes`` what was left out. Plain dataclasses: the web (``/series``, ``/api/series``) and
the command line render them through ``qa.service.series``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from qa.facts.select import Match, unit_of


@dataclass(frozen=True)
class Report:
    id: str
    label: str  # "Qinghai, 2011"
    region: str | None
    year: int | None


@dataclass
class SeriesBar:
    report: Report
    best: Match
    others: list[Match] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The figure as written, with its qualifier: "more than 300 million Yuan"."""
        f = self.best.fact
        return f"{f.qualifier} {f.raw}" if f.qualifier else f.raw

    @property
    def period_note(self) -> str:
        """"figure for 2010" when the figure is dated otherwise than its report's year."""
        f, year = self.best.fact, self.report.year
        if year is None or f.period_start is None or f.period_start == year == (f.period_end or year):
            return ""
        return f"figure for {f.period or f.period_start}"


@dataclass
class Series:
    measure: str
    unit: str | None
    order: str  # "year", "region" or "region, then year"
    bars: list[SeriesBar]
    other_units: dict[str, list[Match]]
    missing: list[Report]
    weaker: dict[str, list[Match]] = field(default_factory=dict)  # report id -> figures not drawn

    @property
    def description(self) -> str:
        """What the chart compares, in words, with every figure it draws."""
        name = self.measure.strip()
        name = name[:1].upper() + name[1:]
        if not self.bars:
            return f"{name}: no report in scope has a matching figure" + (f" in {self.unit}." if self.unit else ".")
        n = len(self.bars)
        items = "; ".join(f"{b.report.label}: {b.text}" + (f" ({b.period_note})" if b.period_note else "")
                          for b in self.bars)
        return f"{name} ({self.unit}) in {n} report{'s' if n != 1 else ''}, by {self.order}: {items}."

    @property
    def notes(self) -> list[str]:
        """What the chart leaves out and why, one sentence each."""
        out = []
        several = [b for b in self.bars if b.others]
        if several:
            out.append(f"{len(several)} report{'s have' if len(several) != 1 else ' has'} several matching "
                       "figures: each bar uses the best match, and the others are listed under it ("
                       + "; ".join(f"{b.report.label}: {len(b.others)} more" for b in several) + ").")
        if self.other_units:
            out.append(f"Matching figures in other units than {self.unit} are not drawn: "
                       + ", ".join(f"{len(ms)} in {u}" for u, ms in self.other_units.items()) + ".")
        none = [r.label for r in self.missing if r.id not in self.weaker]
        if none:
            out.append("No matching figure" + (f" in {self.unit}" if self.unit else "") + ": " + "; ".join(none) + ".")
        if self.weaker:
            labels = {r.id: r.label for r in self.missing}
            out.append("Not drawn, as the words asked are only in their sentence, not in what they measure: "
                       + "; ".join(f"{labels.get(d, d)}: " + ", ".join(m.fact.raw for m in ms)
                                   for d, ms in self.weaker.items()) + ".")
        return out


def _best_first(report: Report, ms: list[Match]) -> list[Match]:
    return sorted(ms, key=lambda m: (not m.by_measure, -m.score, m.fact.period_start != report.year, m.fact.start))


def _order(reports: list[Report]) -> tuple[str, list[Report]]:
    regions = {(r.region or "").lower() for r in reports}
    years = {r.year for r in reports}

    def by_region(r: Report) -> tuple:
        return ((r.region or r.label).lower(), r.year or 0)

    if len(regions) == 1:
        return "year", sorted(reports, key=lambda r: (r.year or 0, r.label))
    if len(years) == 1:
        return "region", sorted(reports, key=by_region)
    return "region, then year", sorted(reports, key=by_region)


def choose_unit(matches: Iterable[Match]) -> str | None:
    """The unit in which the most reports have a figure measuring the words asked (then a figure
    with them in its sentence); ties go to the better match."""
    reports: dict[str, set[str]] = {}
    measured: dict[str, set[str]] = {}
    best: dict[str, float] = {}
    for m in matches:
        u = unit_of(m.fact)
        reports.setdefault(u, set()).add(m.fact.doc)
        if m.by_measure:
            measured.setdefault(u, set()).add(m.fact.doc)
        best[u] = max(best.get(u, 0.0), m.score)
    if not reports:
        return None
    return max(reports, key=lambda u: (len(measured.get(u, ())), len(reports[u]), best[u], -len(u)))


def build_series(measure: str, matches: list[Match], reports: list[Report], unit: str | None = None) -> Series:
    """One bar per report in ``reports`` that has a figure matching ``measure`` in one unit."""
    in_scope = {r.id: r for r in reports}
    matches = [m for m in matches if m.fact.doc in in_scope]
    unit = unit or choose_unit(matches)
    by_report: dict[str, list[Match]] = {}
    other_units: dict[str, list[Match]] = {}
    for m in matches:
        u = unit_of(m.fact)
        if u == unit:
            by_report.setdefault(m.fact.doc, []).append(m)
        else:
            other_units.setdefault(u, []).append(m)
    weaker: dict[str, list[Match]] = {}
    if any(m.by_measure for ms in by_report.values() for m in ms):
        for d in list(by_report):
            if not any(m.by_measure for m in by_report[d]):
                weaker[d] = by_report.pop(d)
    order, ordered = _order([in_scope[d] for d in by_report] or reports)
    bars = []
    for r in ordered:
        if r.id in by_report:
            best, *others = _best_first(r, by_report[r.id])
            bars.append(SeriesBar(r, best, others))
    missing = [r for r in _order(reports)[1] if r.id not in by_report]
    other_units = dict(sorted(other_units.items(), key=lambda kv: -len(kv[1])))
    return Series(measure, unit, order, bars, other_units, missing, weaker)
