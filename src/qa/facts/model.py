"""The fact model: one figure, date, person, organisation or place of a report, with its exact
span, normalized value and unit, what it measures and the period it covers.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

from qa.text.clauses import clause_bounds, figure_context, pairing

KINDS = ("money", "count", "percent", "area", "per_capita", "date", "date_range", "duration",
         "person", "organisation", "place")  # fmt: skip


NUMERIC_KINDS = {"money", "count", "percent", "area", "per_capita", "duration"}


@dataclass(frozen=True)
class Fact:
    id: str
    doc: str
    passage_id: str
    section: str
    kind: str
    value: int | float | None
    unit: str
    raw: str
    start: int
    end: int
    sentence: str
    sentence_start: int
    sentence_end: int
    measure: str = ""
    subject: str = ""
    period: str = ""
    period_start: int | None = None
    period_end: int | None = None
    qualifier: str = ""
    part_of: str = ""
    name: str = ""
    role: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def fact_id(doc: str, kind: str, start: int, end: int, raw: str) -> str:
    return hashlib.sha1(f"{doc}\x00{kind}\x00{start}\x00{end}\x00{raw}".encode()).hexdigest()[:16]



# Words that open a change stated right after another figure: "2.16 billion, up 18.7% compared with ..."
CHANGE_LEADS = {"up", "down", "by", "of", "an", "a", "increase", "decrease", "rise", "growth", "fall", "drop",
                "increased", "decreased", "rose", "fell", "grew", "dropped", "declined", "and", "or"}


# between a change (or a starting level) and the level it ends at: "... 14.2% year on year to", "... at the end
# of 2010 to"
REACHED_TO = re.compile(r"^[^,;:()\d]{0,40}\bto\s+(?:about\s+|over\s+|nearly\s+)?$", re.I)
CHANGE_AFTER = re.compile(r"\s*(?:more|less|higher|lower|fewer)\s+than\b|\s*(?:up|down)\b", re.I)


def figure_texts(facts: list[Fact]) -> list[str]:
    """What each figure measures, as text to embed: its section and its own clause, cut at the other
    figures of its sentence (``qa.text.clauses.figure_context``)."""
    by_sentence: dict[tuple[str, int], list[Fact]] = {}
    for f in facts:
        by_sentence.setdefault((f.doc, f.sentence_start), []).append(f)
    own: dict[str, str] = {}
    for f in facts:
        s0 = f.sentence_start
        others = [(g.start - s0, g.end - s0) for g in by_sentence[(f.doc, s0)] if g is not f]
        own[f.id] = figure_context(f.sentence, f.start - s0, f.end - s0, others)
        other_items, shared = pairing(f.sentence, f.start - s0, f.end - s0)
        if other_items:
            # "A and B issued loans of 830 million and 210 million respectively": the figure's own item
            # and the words the items share, without the other items' words
            lo, hi = clause_bounds(f.sentence, f.start - s0, f.end - s0)
            kept = [w for w in f.sentence[lo:hi].split() if w.strip(",.;“”\"").lower() not in other_items]
            own[f.id] = " ".join(kept)
    out = []
    for f in facts:
        text = own[f.id]
        lead = text[: text.find(f.raw)].split() if f.raw in text else []
        rest = text[text.find(f.raw) + len(f.raw):] if f.raw in text else ""
        bare_change = f.kind == "percent" and all(w.lower() in CHANGE_LEADS for w in lead) and (
            bool(lead) or bool(re.match(r"\s*(compared|over|than|year on year|from a year)", rest)))
        prior = [g for g in by_sentence[(f.doc, f.sentence_start)] if g.end <= f.start and g.value is not None]
        gap = f.sentence[prior[-1].end - f.sentence_start : f.start - f.sentence_start] if prior else ""
        if prior and REACHED_TO.search(re.sub(r"\b(?:19|20)\d\d\b", "", gap)):
            # "Per capita net income ... rose 14.2% year on year to 3,286 Yuan", "fell from 2.23 million at the
            # end of 2010 to 1.92 million": the level reached is of what the clause before it names
            lead = own[prior[-1].id]
            cut = lead.find(prior[-1].raw)
            text = f"{lead[: cut + len(prior[-1].raw)] if cut >= 0 else lead} {text}"
        elif len(text.replace(f.raw, "").split()) <= 2 or bare_change:
            # "883.755 million Yuan of funds, 99.33 million more than 2010, up 12.7%": a bare change
            # measures the figure before it
            before = [g for g in by_sentence[(f.doc, f.sentence_start)] if g.end <= f.start]
            # the level the change is of: skip figures that are changes themselves ("99 million more than")
            levels = [g for g in before if not CHANGE_AFTER.match(g.sentence, g.end - g.sentence_start)]
            if levels or before:
                text = f"{own[(levels or before)[-1].id]} {text}"
        out.append(f"{f.section}: {text}")
    return out
