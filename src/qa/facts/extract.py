"""Fact table extraction: passages of a yearbook report -> typed, normalized, cited facts.

One ``Fact`` per figure, date, person, organisation or place, with verbatim ``raw`` text at
``[start, end)`` of the document and the sentence around it. Conventions (also in the gold files):

* numeric ``raw`` = the number with its scale word and an adjacent unit word: "350 million Yuan",
  "RMB 54.6 million", "54.9%", "1,183,000 square kilometers"; for counts only the number and scale
  ("31,000", "24.0506 million"): the counted noun goes to ``measure`` and ``unit``. A qualifier
  ("more than") is not part of ``raw``; it goes to ``qualifier``.
* duration ``raw`` = number (+ "consecutive") + unit word: "four consecutive years", "three-year",
  "half a year"; unit ``years``/``months``/``days``; what lasts goes to ``measure``.
* date ``raw`` leaves out the preposition and "the end of": "April, 2009", "October 2009",
  "June 29 to July 5".
* person/organisation/place: ``raw`` = the name; ``value`` is null. Names in a quoted title of a
  document or meeting are not separate facts. See ``eval/FACTS_GOLD.md`` for the full list of
  conventions and the decisions behind the hand-written gold.

Measure/subject phrases ("which noun does this number count") live in ``qa.facts.measures``.
* the document's own region (metadata ``region``) is not a place fact: it is everywhere.

Sentences come from ``qa.corpus.passages.split_sentences`` (pysbd); numbers are normalized in
``qa.text.numbers``; dates and names are found in ``qa.facts.spans`` and ``qa.facts.names``.
"""

from __future__ import annotations

import re

from qa.corpus.documents import Document
from qa.corpus.passages import Passage, split_sentences
from qa.facts.measures import Figure, clause, duration_measure, measure_figure, noun_after
from qa.facts.model import NUMERIC_KINDS, Fact, fact_id
from qa.facts.names import (
    find_bare_place_lists,
    find_known_places,
    find_orgs,
    find_people,
    find_places,
    list_mates,
    place_stems,
)
from qa.facts.spans import Span, find_dates, find_durations, is_free
from qa.text.numbers import (
    AREA_UNITS,
    DIGIT_PATTERN,
    QUALIFIERS,
    SCALE_PATTERN,
    WORD_NUM_PATTERN,
    as_plain,
    scale_value,
    to_number,
)

# --- numbers ------------------------------------------------------------------------------------
_NUM = re.compile(
    rf"(?<![\w.,’'-])(?:(?P<cur>RMB|Yuan|¥|US\$|\$)\s*)?(?P<num>{DIGIT_PATTERN}|(?i:{WORD_NUM_PATTERN}))"
    rf"(?:\s?[-–]\s?(?P<num2>{DIGIT_PATTERN}))?(?:\s+(?P<scale>{SCALE_PATTERN}))?(?![\w])"
)


_AREA = "|".join(re.escape(k) for k in sorted(AREA_UNITS, key=len, reverse=True))


_AFTER_UNIT = re.compile(rf"(?P<pct>\s?%|\s+percent\b|\s+per cent\b)|\s+(?P<yuan>[Yy]uan\b)|\s+(?P<area>{_AREA})\b")


MONEY_NOUNS = re.compile(r"^(?:[\w’'-]+\s+){0,3}(?:funds?|loans?|capital|investments?|subsid(?:y|ies)|"
                         r"budgets?|grants?|donations?|credits?|inputs?|income|allowances?|revenue)\b",
                         re.I)  # fmt: skip


MONEY_CONTEXT = re.compile(r"fund|invest|yuan|rmb|loan|capital|financ|valued|worth|budget|subsid|donat|"
                           r"alloc|spent|grant", re.I)  # fmt: skip


# "the rural poor numbered 1.862 million": people counted, whatever money the sentence named before
PEOPLE_CONTEXT = re.compile(r"population|people|residents|persons|farmers|poor\s*$|"
                            r"\b(?:poor|people|population|persons|residents|farmers|herdsmen)\s+(?:numbered|totall?ed|"
                            r"stood at|was|were)\s*$", re.I)


# "of which 70 were key counties ..., six were key counties for ...": the counted noun after the verb.
_COUNTED_VERB = re.compile(r"\s+(?:are|were)\b")


PER_CAPITA = re.compile(r"\bper\s+capita\b|\bper\s+(?:person|head|household|village|farmer|mu|hectare)\b", re.I)


def find_numbers(text: str, taken: list[tuple[int, int]]) -> list[Figure]:
    out: list[Figure] = []
    for m in _NUM.finditer(text):
        a, b = m.start(), m.end()
        num = m.group("num")
        if any(not (b <= x or a >= y) for x, y in taken):
            continue
        if num[0].isalpha() and num[0].isupper() and text[:a].strip():
            continue  # "Three Gorges": a capitalized number word inside a name (allowed first in a sentence)
        if num.isalpha() and num[1:].lower() != num[1:]:
            continue  # "TEN": capitals, not a cardinal written as a word
        if re.match(r"\.[A-Z]", text[m.end("num") : m.end("num") + 2]) and not m.group("scale"):
            continue  # numbered item "1.Explore"
        if num.isalpha() and re.match(r"\s*-", text[b:]):
            continue  # "one-stop"
        d = to_number(num)
        if d is None:
            continue
        qual = qualifier_before(text[:a])
        value = as_plain(scale_value(d, m.group("scale")))
        u = _AFTER_UNIT.match(text, b)
        if m.group("cur") and m.group("cur").endswith("$"):
            # "$ 71.75 million", "US$60 million": dollars, kept apart from yuan (never added to them)
            out.append(Figure("money", a, b, value, "USD", qual))
            continue
        if m.group("cur"):
            out.append(Figure("money", a, b + (u.end() - b if u and u.group("yuan") else 0), value, "yuan", qual))
            continue
        if u and u.group("pct"):
            out.append(Figure("percent", a, u.end(), as_plain(d), "%", qual))
            continue
        if u and u.group("yuan"):
            out.append(Figure("money", a, u.end(), value, "yuan", qual))
            continue
        if u and u.group("area"):
            out.append(Figure("area", a, u.end(), value, AREA_UNITS[u.group("area")], qual))
            continue
        if num.isalpha() and m.group("scale") is None:
            phrase, _ = noun_after(text, b, singular_ok=num.lower() == "one")
            verb = _COUNTED_VERB.match(text, b)
            if not phrase and not (verb and noun_after(text, verb.end())[0]):
                continue  # a bare number word is not a figure ("six were key counties" is one)
        after = text[b:]
        if m.group("scale") and (MONEY_NOUNS.match(after.strip()) or (
            not noun_after(text, b)[0] and MONEY_CONTEXT.search(text[:a] + after[:40])
            and not PEOPLE_CONTEXT.search(text[max(0, a - 40) : a]))):  # fmt: skip
            out.append(Figure("money", a, b, value, "yuan", qual))
            continue
        out.append(Figure("count", a, b, value, "", qual))
    return out


def qualifier_before(prefix: str) -> str:
    low = " " + " ".join(prefix.lower().split()[-4:])
    for q in sorted(QUALIFIERS, key=len, reverse=True):
        if low.endswith(" " + q):
            return q
    return ""


# --- assembly -----------------------------------------------------------------------------------
_PART_KEY = re.compile(r"\b(?:including|of which|of whom|among which|among them|among whom|in which)\b")


_LEAD = re.compile(r"^(?:(?:In|By|At|From|Since|On|During)\s+[^,]{1,40},\s*|First,\s*|Second(?:ly)?,\s*|"
                   r"Third(?:ly)?,\s*|In addition,\s*|At the same time,\s*)*(?:the\s+)?", re.I)  # fmt: skip


def extract_facts(doc: Document, passages: list[Passage]) -> list[Fact]:
    """All facts of one document, ordered by start offset (ties: end, kind)."""
    text = doc.text
    year = doc.meta.get("year")
    year = int(year) if isinstance(year, int | str) and str(year).isdigit() else None
    region = str(doc.meta.get("region") or "")
    known_places = {sp.name for sp in find_places(text, [], region)}
    known_places = {n for n in known_places if " " not in n} | place_stems(known_places, region)
    sect_period: dict[str, Span] = {}
    rows: list[dict] = []
    units = [(q, sa, sb) for q in passages for sa, sb in split_sentences(q.text, q.start)]
    for p, sa, sb in units:
        s = text[sa:sb]
        dates = find_dates(s, year)
        taken = [(d.start, d.end) for d in dates]
        for d in dates:
            # "the Outline (2001-2010)" names a plan, and "up 28.8% over 2009" the year compared with:
            # neither is the period of the section's figures.
            if not _in_title(s, d.start) and not (d.kind == "date" and COMPARED_YEAR.search(s[: d.start])):
                sect_period.setdefault(p.section, d)
        spans: list[Span] = list(dates)
        for d in find_durations(s):
            if is_free(taken, d.start, d.end):
                d.qualifier = qualifier_before(s[: d.start])
                d.measure = duration_measure(s, d.start, d.end)
                spans.append(d)
                taken.append((d.start, d.end))
        named = find_people(s)
        named += find_orgs(s, [(x.start, x.end) for x in named])
        named += find_places(s, [(x.start, x.end) for x in named], region)
        named += find_known_places(s, known_places, [(x.start, x.end) for x in named])
        named += find_bare_place_lists(s, [(x.start, x.end) for x in named], region)
        skip = [(x.start, x.end) for x in named if x.kind != "place"]
        named += list_mates(s, [x for x in named if x.kind == "place"], skip, region)
        for x in sorted(named, key=lambda x: (x.start, -x.end)):
            if is_free(taken, x.start, x.end):
                spans.append(x)
                taken.append((x.start, x.end))
        nums = find_numbers(s, taken)
        for i, n in enumerate(nums):
            measure_figure(s, n, nums[:i])
            c0, _ = clause(s, n.start)
            if n.kind == "money" and _is_per_capita(s, n, nums[:i], c0):
                n.kind = "per_capita"
            elif n.kind == "money" and i and nums[i - 1].kind == "per_capita" and re.match(
                        r"\s+(?:higher|lower|more|less)\b", s[n.end :]):  # fmt: skip
                n.kind, n.measure = "per_capita", "difference in " + nums[i - 1].measure
        # figures before the first year of their section ("Hebei ... has a population of 70.34 million.
        # ... in 2001, Hebei had a poor population of 3.27 million") are of the report's year, not that one
        early = p.section not in sect_period
        for x in [n for n in nums if n.kind not in ("count", "money") or n.measure] + spans:
            rows.append({**_row(doc, p, s, sa, sb, x, nums, spans), "_early": early})
    facts = [_finish(r, sect_period, year) for r in rows]
    facts.sort(key=lambda f: (f.start, f.end, f.kind))
    return facts


def _is_per_capita(s: str, n: Figure, prev: list[Figure], c0: int) -> bool:
    if PER_CAPITA.search(n.measure) or PER_CAPITA.match(s[n.end :].lstrip()):
        return True
    inside = [p for p in prev if c0 <= p.start and p.end <= n.start]
    if inside and re.search(r"\bof\s+(?:the\s+|its\s+)?$", s[c0 : inside[-1].start]) and PER_CAPITA.search(
            s[c0 : inside[-1].start][-80:]):
        return True  # "the per capita net income of the 25 key counties ... reached 3,490 Yuan"
    a = max([c0] + [p.end for p in prev if p.end <= n.start])
    between = re.sub(r"^\s*per\s+\w+(?:\s+per\s+\w+)?", "", s[a : n.start])
    return bool(PER_CAPITA.search(between[-80:]))



def _row(doc: Document, p: Passage, s: str, sa: int, sb: int, x, nums: list[Figure], spans: list[Span]) -> dict:
    raw = s[x.start : x.end]
    kind = x.kind
    row = dict(
        doc=doc.id, passage_id=p.id, section=p.section, kind=kind, value=getattr(x, "value", None),
        unit=x.unit, raw=raw, start=sa + x.start, end=sa + x.end, sentence=s, sentence_start=sa,
        sentence_end=sb, measure=getattr(x, "measure", ""), qualifier=x.qualifier,
        name=getattr(x, "name", ""), role=getattr(x, "role", ""),
    )  # fmt: skip
    if kind in ("date", "date_range"):
        row.update(period=x.period, period_start=x.period_start, period_end=x.period_end, value=None)
    else:
        dates = [d for d in spans if d.kind in ("date", "date_range")]
        # "In 2010, ... 3617 Yuan, up 222% over 2000 and up 12.4%": a year the sentence compares with
        # ("over 2000", "than that of 2010") is not the period of the figures after it.
        prior = [d for d in dates if d.end <= x.start
                 and not (d.kind == "date" and COMPARED_YEAR.search(s[: d.start]))]
        # a later year belongs to the figures before it only when no other figure stands between ("1.76 billion
        # yuan, 21.5% higher than in 2010 and far above the 592 million yuan of 2005": 2005 is the 592 million's)
        later = [d for d in dates if d.start >= x.end and not COMPARED_YEAR.search(s[: d.start])
                 and not any(n is not x and x.end <= n.start and n.end <= d.start for n in nums)]
        ref = prior[-1] if prior else (later[0] if later else None)
        if later and OWN_YEAR_NEXT.match(s[x.end : later[0].start]):
            ref = later[0]  # "from 2.23 million at the end of 2010 to 1.92 million at the end of 2011": its own year
        if len(prior) > 1 and FROM_TO_FIRST.search(s[: x.start]) and FROM_TO_SECOND.match(s[x.end :]):
            # "fell from 2.23 million at the end of 2010 to 1.92 million at the end of 2011, and the incidence
            # from 7.5% to 6.5%": a second "from A to B" without years of its own runs over the first one's years
            y1, y2 = prior[-2], prior[-1]
            if (y1.period_start or 0) < (y2.period_start or 0) and re.search(r"\bto\b", s[y1.end : y2.start]):
                ref = y1
        if ref is not None:
            row.update(period=ref.period[:7] if ref.kind == "date" else _range_years(ref),
                       period_start=ref.period_start, period_end=ref.period_end)  # fmt: skip
            # "By the end of October 2009, ... 310 million were invested in the whole year": the
            # figure covers the year, not the month the sentence opened with.
            upto = min([clause(s, x.start)[1]] + [n.start for n in nums if n.start >= x.end])
            if ref.period_start is not None and _WHOLE_YEAR.search(s, x.end, upto):
                row["period"] = str(ref.period_start)
    row["subject"] = _subject(s, x, spans, nums, p.section)
    row["_parent"] = _parent(s, x, nums) if kind in NUMERIC_KINDS else None
    return row


# "up 12% over 2008", "99 million more than that of 2010": a year the figure is compared with, not its own.
# "which was 21.5% higher than in 2010": "than in" too
COMPARED_YEAR = re.compile(r"(?:over|compared (?:with|to)|from|versus|than(?: (?:that|those))?(?: (?:of|in|at))?)"
                           r"\s+(?:the end of\s+)?$")


def _in_title(s: str, pos: int) -> bool:
    """Inside brackets or quotation marks: the name of a plan or document."""
    before = s[:pos]
    return (before.count("(") > before.count(")")) or (before.count("“") > before.count("”")) or (
        before.count('"') % 2 == 1)


OWN_YEAR_NEXT = re.compile(r"\s*(?:[a-z]+\s+)?(?:at|by|in|as of)\s+(?:the\s+)?(?:end\s+of\s+)?$")
FROM_TO_FIRST = re.compile(r"\bfrom\s+$")
FROM_TO_SECOND = re.compile(r"\s+to\s+[\d.,]+\s*(?:%|per ?cent|million|billion|thousand)?(?![\w.,]*\s+(?:in|at|by) )")
_WHOLE_YEAR = re.compile(r"\b(?:in|for|during|throughout|over) the (?:whole|full|entire) year\b|"
                         r"\bthroughout the year\b", re.I)


def _range_years(d: Span) -> str:
    if d.period_start == d.period_end and d.period_start is not None and d.period.count("-") >= 2:
        a, _, b = d.period.partition("–")
        return f"{a[:7]}–{b[:7]}" if a[:7] != b[:7] else a[:7]
    return d.period


def _subject(s: str, x, spans: list[Span], nums: list[Figure], section: str) -> str:
    c0, _ = clause(s, x.start)
    lead = _LEAD.match(s[c0:])
    head = c0 + (lead.end() if lead else 0)
    for sp in spans:
        if sp.kind in ("organisation", "place", "person") and sp.start == head and sp.start < x.start:
            return s[sp.start : sp.end]
    for n in nums:
        if c0 <= n.start < x.start and n.kind == "count" and n.measure and re.match(
            rf"\s*{re.escape(n.measure)}\s+(?:sent|provided|invested|allocated|donated|assisted|helped|built|"
            r"trained|issued)\b", s[n.end :]):  # fmt: skip
            return n.measure
    return section


def _parent(s: str, x, nums: list[Figure]) -> tuple[int, int] | None:
    c0, _ = clause(s, x.start)
    keys = [k for k in _PART_KEY.finditer(s, c0, x.start)]
    if re.match(r"\s+in total\b", s[x.end :]):
        return None
    if not keys:
        # "Of the 2.1 billion Yuan invested, 1.2 billion Yuan came from ...": the opening total
        lead = [n for n in nums if n.kind == x.kind and n.end <= x.start and n is not x
                and re.search(r"(?:^|[.;]\s*)(?:[Oo]f|[Oo]ut of|[Aa]mong) (?:the|these|this) (?:total of )?$",
                              s[: n.start])]  # fmt: skip
        if lead and (x.kind != "count" or lead[0].unit == x.unit):
            return lead[0].start, lead[0].end
        return None
    k = keys[-1]
    cands = [n for n in nums if n.end <= k.start() and n.kind == x.kind and n.start >= c0 and n is not x]
    if x.kind == "count":
        cands = [n for n in cands if not x.unit or n.unit == x.unit]
    if not cands:
        return None
    return cands[-1].start, cands[-1].end


def _finish(r: dict, sect_period: dict[str, Span], year: int | None) -> Fact:
    early = r.pop("_early", False)
    if not r.get("period"):
        d = None if early else sect_period.get(r["section"])
        if d is not None and r["kind"] not in ("date", "date_range"):
            r.update(period=d.period[:7] if d.kind == "date" else _range_years(d),
                     period_start=d.period_start,
                     period_end=d.period_end)  # fmt: skip
        elif year is not None:
            r.update(period=str(year), period_start=year, period_end=year)
    parent = r.pop("_parent")
    if parent is not None:
        a = r["sentence_start"] + parent[0]
        b = r["sentence_start"] + parent[1]
        r["part_of"] = fact_id(r["doc"], r["kind"], a, b, r["sentence"][parent[0] : parent[1]])
    if r["kind"] not in NUMERIC_KINDS:
        r["value"] = None
    r["id"] = fact_id(r["doc"], r["kind"], r["start"], r["end"], r["raw"])
    return Fact(**r)

