"""The money chart of the fact table: which money facts may be added up, and the bars that show them.

A bar adds up the money facts of one section, and only facts that may honestly be added:

* one period: the years a fact covers (``period_start``-``period_end``); a 2006-2009 total is never
  added to 2009 figures. A month-dated fact counts in its year (the bar says "2009").
* one kind of money: funds, loans, or funds together with materials valued in money (the words of
  ``[money_kinds]`` in ``qa/text/lexicon.toml``, read in the fact's measure and in the words just
  before its figure, e.g. "capital and materials valued 800 million");
* never an amount together with a larger amount it is part of (``part_of``): the part is left out
  and listed as left out;
* one report: with several reports in scope a bar is one section of one report ("Qinghai, 2011:
  Overview"), never the same section of two reports added up.

Groups of bars are (kind of money, period); bars of one group are never added together, because a
report's summary section may give an overall figure that includes the programs' own amounts. Each
bar keeps its operands, so the page says in words what it adds. Plain dataclasses and no web
framework: the selection is unit-tested with facts made for the test (tests/test_chart.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from qa.facts.model import Fact
from qa.text.clauses import NUMBER, clause_bounds
from qa.text.lexicon import raw as lexicon

# Drawing units of one bar's SVG (it is scaled to the width of its box) and the longest bar.
BAR_UNITS = 1000
MAX_BARS = 15
LOWER_BOUND = re.compile(r"\b(?:more than|over|above|at least|no less than|not less than|exceeding)\b", re.I)
ROUGHLY = re.compile(r"\b(?:about|around|nearly|almost|approximately|roughly|some|close to)\b", re.I)
PART = "part of a larger amount on the chart"
SMALL = "in a smaller section than the largest bars"
KIND_NAMES = {"funds": "Funds", "loans": "Loans", "in_kind": "Funds and materials"}
KIND_WORDS = {"funds": "funds (grants and investment; no loans, no materials)",
              "loans": "loans", "in_kind": "funds and materials valued in money"}


def _kind_words() -> dict[str, frozenset[str]]:
    table = lexicon().get("money_kinds", {})
    return {k: frozenset(str(v).lower().split()) for k, v in table.items()}


def money_kind(f: Fact) -> str:
    """``"loans"``, ``"in_kind"`` or ``"funds"``: what the money of ``f`` is, from its measure and the
    words between the previous figure (or the clause start) and its own."""
    s, a = f.sentence, f.start - f.sentence_start
    c0, _ = clause_bounds(s, a)
    before = s[c0:a]
    prev = list(NUMBER.finditer(before))
    if prev:
        before = before[prev[-1].end():]
    words = set(re.findall(r"[a-z]+", f"{f.measure} {before}".lower()))
    kinds = _kind_words()
    for k in ("loans", "in_kind"):  # a loan "of funds" is still a loan
        if words & kinds.get(k, frozenset()):
            return k
    return "funds"


def period_label(start: int | None, end: int | None) -> str:
    if start is None and end is None:
        return "undated"
    if start == end or end is None:
        return str(start)
    if start is None:
        return str(end)
    return f"{start}–{end}"


def money_label(v: float) -> str:
    """1_440_000_000 -> "1.44 bn yuan"; at most two decimals, no trailing zeros."""
    for scale, name in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(v) >= scale:
            return f"{v / scale:,.2f}".rstrip("0").rstrip(".") + f" {name} yuan"
    return f"{v:,.0f} yuan"


def operand_text(f: Fact) -> str:
    """One operand in words: "more than 300 million Yuan (funds)"."""
    q = f"{f.qualifier} " if f.qualifier else ""
    return f"{q}{f.raw}" + (f" ({f.measure})" if f.measure else "")


@dataclass(frozen=True)
class Segment:
    fact: Fact
    x: int
    w: int
    text: str


@dataclass
class Bar:
    section: str
    facts: list[Fact]
    segments: list[Segment] = field(default_factory=list)

    @property
    def value(self) -> float:
        return float(sum(float(f.value or 0) for f in self.facts))

    @property
    def lower_bound(self) -> bool:
        """True when an operand is "more than ...": the sum is then a floor, not a total."""
        return any(LOWER_BOUND.search(f.qualifier or "") for f in self.facts)

    @property
    def text(self) -> str:
        rough = any(ROUGHLY.search(f.qualifier or "") for f in self.facts)
        return ("at least " if self.lower_bound else "about " if rough else "") + money_label(self.value)

    @property
    def sum_text(self) -> str:
        return " + ".join(operand_text(f) for f in self.facts)


@dataclass
class Group:
    kind: str
    period: tuple[int | None, int | None]
    bars: list[Bar]

    @property
    def period_text(self) -> str:
        return period_label(*self.period)

    @property
    def title(self) -> str:
        return f"{KIND_NAMES[self.kind]}, {self.period_text}"

    @property
    def n_facts(self) -> int:
        return sum(len(b.facts) for b in self.bars)

    @property
    def description(self) -> str:
        n, nb = self.n_facts, len(self.bars)
        text = (f"Amounts in yuan that are {KIND_WORDS[self.kind]}, dated {self.period_text}: each bar adds "
                f"the amounts of one section ({n} fact{'s' if n != 1 else ''}, {nb} bar{'s' if nb != 1 else ''}).")
        # A summary section's overall figure may include the programs' own amounts.
        return text + (" The bars are not added together." if nb > 1 else "")


@dataclass
class Chart:
    groups: list[Group]
    left_out: list[tuple[Fact, str]]

    @property
    def bars(self) -> list[Bar]:
        return [b for g in self.groups for b in g.bars]

    @property
    def notes(self) -> list[str]:
        """What the chart leaves out and why, in words: "1 amount is left out as part of ...: 30 million (funds)"."""
        out = []
        for why in (PART, SMALL):
            fs = [f for f, w in self.left_out if w == why]
            if fs:
                n = len(fs)
                out.append(f"{n} amount{'s are' if n != 1 else ' is'} left out, {why}: "
                           + "; ".join(operand_text(f) for f in fs[:8]) + ("; …" if n > 8 else "") + ".")
        return out


def _chartable(f: Fact) -> bool:
    return f.kind == "money" and f.value is not None and (f.unit or "yuan").lower() == "yuan"


def money_chart(facts: Iterable[Fact], max_bars: int = MAX_BARS, labels: dict[str, str] | None = None) -> Chart:
    """Group the money facts into honest sums: (kind of money, period) groups of per-section bars.
    With facts of several reports, a bar is one section of one report, named "Report: Section"
    (``labels``: report id -> its name), so that two reports' "Overview" are never added."""
    money = [f for f in facts if _chartable(f)]
    several = len({f.doc for f in money}) > 1
    labels = labels or {}
    counted = {f.id for f in money}
    left_out: list[tuple[Fact, str]] = []
    groups: dict[tuple[str, tuple[int | None, int | None]], dict[str, list[Fact]]] = {}
    for f in money:
        # The amount this one is part of is on the chart (a part of a part as well: its parent is a
        # money fact in yuan too), so adding this one would count the money twice.
        if f.part_of and f.part_of in counted:
            left_out.append((f, PART))
            continue
        key = (money_kind(f), (f.period_start, f.period_end))
        section = f.section or f.subject or "(no section)"
        if several:
            section = f"{labels.get(f.doc, f.doc)}: {section}"
        groups.setdefault(key, {}).setdefault(section, []).append(f)
    out: list[Group] = []
    for (kind, period), by_section in groups.items():
        bars = sorted((Bar(s, fs) for s, fs in by_section.items()), key=lambda b: -b.value)
        for b in bars[max_bars:]:
            left_out.extend((f, SMALL) for f in b.facts)
        out.append(Group(kind, period, bars[:max_bars]))
    out.sort(key=lambda g: (-g.n_facts, -max(b.value for b in g.bars)))
    _lay_out(out)
    return Chart(out, left_out)


def _lay_out(groups: list[Group]) -> None:
    """Segment geometry on one scale for every group, so bar lengths compare across groups."""
    top = max((b.value for g in groups for b in g.bars), default=0.0) or 1.0
    for g in groups:
        for b in g.bars:
            x = 0
            for f in b.facts:
                w = max(2, round(BAR_UNITS * float(f.value or 0) / top))
                b.segments.append(Segment(f, x, w, operand_text(f)))
                x += w
