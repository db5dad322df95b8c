"""Span finders for dates, date ranges and durations (names are found in ``qa.facts.names``).
Each finder takes one sentence and returns ``Span`` objects with offsets relative
to that sentence; ``facts.py`` shifts them into the document and fills measures and periods.

Dates use regular expressions, not ``dateparser``: the reports write dates in a few fixed
English shapes ("May 18, 2009", "In April, 2009", "From June 29 to July 5", "from 2006 to
2009"), and what we need is the exact span plus year/month, which a parser of already-cut
strings does not give. All 46 gold dates/date ranges of the two reports are found by the regexes
(``dateparser`` was not installed, so it was not compared). People are found by shape:
a common Chinese surname followed by a given name made of pinyin syllables, so "Fan Xiaojian"
matches while "Three Gorges" or "Erdos City" do not. Organisations are capitalized phrases
headed by an organisation noun (Office, Committee, Corporation ...), a capitalized name followed
by a lowercase "government" ("Beijing Municipal government"), and acronyms. Places are
capitalized names with an administrative or geographic suffix (City, County, Banner ...;
Plateau, River, Corridor ...), a name premodifying "areas"/"region" ("in Yinshan wind erosion
areas"), the bare stem of a suffixed place found anywhere in the document ("Erdos City" ->
"Erdos"), names coordinated with a place ("visited Alashan, Erdos and ..."), and lists of
pinyin-shaped names after a locative word ("in Pingliang and Qingyang"). Durations include
"four consecutive years", "a three-year plan" and "half a year". No name lists of any particular
province are used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.text.numbers import DIGIT_PATTERN, WORD_NUM_PATTERN, to_number

_MONTH_NAMES = "January February March April May June July August September October November December"


MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES.split())}


M = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"


YEAR = r"(?:19[5-9]\d|20[0-4]\d)"



@dataclass
class Span:
    kind: str
    start: int
    end: int
    value: float | int | None = None
    unit: str = ""
    period: str = ""
    period_start: int | None = None
    period_end: int | None = None
    name: str = ""
    role: str = ""
    qualifier: str = ""
    extra: dict = field(default_factory=dict)


def _ym(month: str | None, day: str | None, year: int | None) -> str:
    if year is None:
        return ""
    s = str(year)
    if month:
        s += f"-{MONTHS[month]:02d}"
        if day:
            s += f"-{int(day):02d}"
    return s


_RANGE_MD = re.compile(
    rf"\b[Ff]rom\s+(?P<a>(?P<m1>{M})\s+(?P<d1>\d{{1,2}})(?:,?\s+(?P<y1>{YEAR}))?\s+to\s+"
    rf"(?:(?P<m2>{M})\s+)?(?P<d2>\d{{1,2}})(?:,\s*(?P<y2>{YEAR})|(?=\D)))"
)


_RANGE_M = re.compile(rf"\b[Ff]rom\s+(?P<a>(?P<m1>{M})\s+to\s+(?P<m2>{M})(?:,?\s+(?P<y2>{YEAR}))?)")


_RANGE_Y = re.compile(
    rf"(?:\b[Ff]rom\s+(?P<a>(?P<y1>{YEAR})\s+to\s+(?P<y2>{YEAR}))\b)"
    rf"|(?:\b[Bb]etween\s+(?P<b>(?P<y3>{YEAR})\s+and\s+(?P<y4>{YEAR}))\b)"
    rf"|(?:(?<![\d,.])(?P<c>(?P<y5>{YEAR})\s?[-–]\s?(?P<y6>{YEAR}))\b)"
)


_DATE_MDY = re.compile(rf"\b(?P<m>{M})\s+(?P<d>\d{{1,2}})(?:,\s*(?P<y>{YEAR}))?\b(?!,\d)")


_DATE_MY = re.compile(rf"\b(?P<m>{M}),?\s+(?P<y>{YEAR})\b")


_DATE_M = re.compile(rf"\b(?:in|In|since|Since|by|By|until|before|after|of) (?P<m>{M})\b(?!,?\s+\d)")


_YEAR = re.compile(rf"(?<![\w,.¥])(?P<y>{YEAR})(?![\w]|,\d|\.\d)")


_YEAR_BEFORE = re.compile(
    r"(?:\b(?:in|since|by|from|to|of|until|till|before|after|during|over|and|year|end|through|for)"
    r"|[,(])\s*(?:the\s+(?:end|beginning|first half|second half)\s+of\s+)?$",
    re.IGNORECASE,
)


def _year_of(*parts: str | None) -> int | None:
    for p in parts:
        if p:
            return int(p)
    return None


def find_dates(text: str, doc_year: int | None) -> list[Span]:
    """Date ranges first, then single dates; later finders skip spans already taken."""
    out: list[Span] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def add(sp: Span) -> None:
        if free(sp.start, sp.end):
            out.append(sp)
            taken.append((sp.start, sp.end))

    for m in _RANGE_MD.finditer(text):
        y = _year_of(m.group("y2"), m.group("y1")) or doc_year
        a = _ym(m.group("m1"), m.group("d1"), _year_of(m.group("y1")) or y)
        b = _ym(m.group("m2") or m.group("m1"), m.group("d2"), y)
        add(Span("date_range", m.start("a"), m.end("a"), period=f"{a}–{b}", period_start=y, period_end=y))
    for m in _RANGE_M.finditer(text):
        y = _year_of(m.group("y2")) or doc_year
        a, b = _ym(m.group("m1"), None, y), _ym(m.group("m2"), None, y)
        add(Span("date_range", m.start("a"), m.end("a"), period=f"{a}–{b}", period_start=y, period_end=y))
    for m in _RANGE_Y.finditer(text):
        g = next(k for k in ("a", "b", "c") if m.group(k))
        ys = [int(v) for v in (m.group(k) for k in ("y1", "y2", "y3", "y4", "y5", "y6")) if v]
        if ys[1] < ys[0]:
            continue
        add(Span("date_range", m.start(g), m.end(g), period=f"{ys[0]}–{ys[1]}", period_start=ys[0],
                 period_end=ys[1]))  # fmt: skip
    for m in _DATE_MDY.finditer(text):
        y = _year_of(m.group("y")) or doc_year
        add(Span("date", m.start(), m.end(), period=_ym(m.group("m"), m.group("d"), y), period_start=y,
                 period_end=y))  # fmt: skip
    for m in _DATE_MY.finditer(text):
        y = int(m.group("y"))
        add(Span("date", m.start(), m.end(), period=_ym(m.group("m"), None, y), period_start=y, period_end=y))
    for m in _DATE_M.finditer(text):
        y = doc_year
        add(Span("date", m.start("m"), m.end("m"), period=_ym(m.group("m"), None, y), period_start=y,
                 period_end=y))  # fmt: skip
    for m in _YEAR.finditer(text):
        before = text[max(0, m.start() - 30) : m.start()]
        after = text[m.end() : m.end() + 20]
        if re.match(r"\s+[a-z]+s\b", after) and not re.match(r"\s+(?:was|has|is|as)\b", after):
            continue  # "2000 households": a count, not a year
        if not (_YEAR_BEFORE.search(before) or re.match(r"\s*(?:[,.;:)]|$)", after)):
            continue
        y = int(m.group("y"))
        add(Span("date", m.start(), m.end(), period=str(y), period_start=y, period_end=y))
    return sorted(out, key=lambda s: s.start)


_DURATION = re.compile(
    rf"(?<![\w.,-])(?P<num>{DIGIT_PATTERN}|{WORD_NUM_PATTERN})\s+(?:(?:consecutive|successive|working|"
    r"calendar|straight)\s+)?(?P<u>years?|months?|weeks?|days?|hours?)\b"
)


_DURATION_ADJ = re.compile(
    rf"(?<![\w.,-])(?P<num>{DIGIT_PATTERN}|{WORD_NUM_PATTERN})-(?P<u>year|month|week|day)\b(?!-)"
)


_HALF = re.compile(r"\b(?:(?P<num>one|\d+) and )?(?P<half>half an? )(?P<u>year|month|week|day)s?\b")


def find_durations(text: str) -> list[Span]:
    """'four consecutive years', 'three days', 'a three-year plan', 'half a year', 'one and a half
    years'. Ages ('5 years old') and rates ('per year') are not durations."""
    out = []
    for m in _DURATION_ADJ.finditer(text):
        v = to_number(m.group("num"))
        if v is not None:
            out.append(Span("duration", m.start(), m.end(), value=int(v) if v == int(v) else float(v),
                            unit=m.group("u") + "s"))  # fmt: skip
    for m in _HALF.finditer(text):
        v = (to_number(m.group("num")) or 0) + to_number("0.5") if m.group("num") else to_number("0.5")
        a = m.start() if m.group("num") else m.start("half")
        out.append(Span("duration", a, m.end(), value=float(v), unit=m.group("u") + "s"))
    for m in _DURATION.finditer(text):
        if re.search(r"\bper\s*$", text[: m.start()]) or re.match(r"\s+old\b", text[m.end() :]):
            continue
        v = to_number(m.group("num"))
        if v is None:
            continue
        unit = m.group("u").lower()
        unit = unit if unit.endswith("s") else unit + "s"
        if is_free([(x.start, x.end) for x in out], m.start(), m.end()):
            out.append(Span("duration", m.start(), m.end(), value=int(v) if v == int(v) else float(v), unit=unit))
    return sorted(out, key=lambda x: x.start)


def is_free(taken: list[tuple[int, int]], a: int, b: int) -> bool:
    """True when ``a:b`` overlaps none of the ``taken`` spans."""
    return all(b <= x or a >= y for x, y in taken)
