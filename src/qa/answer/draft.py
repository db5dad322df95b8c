"""A drafted answer, before it becomes the ``Answer`` the API returns, and the sentence that states
one fact. Shared by the answerer (``qa.answer.compose``) and the arithmetic (``qa.answer.arithmetic``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.text.clauses import clause_bounds


@dataclass
class Draft:
    """What an answer says and rests on; ``qa.answer`` turns it into the ``Answer`` contract."""

    text: str
    facts: list
    confidence: float
    kind: str
    computation: str | None = None
    extra_citations: list | None = None  # (passage id, start, end, highlights) of text answers
    # The result of ``computation`` as data (its operands are ``facts``): ``Answer.values`` lists it.
    computed_value: float | None = None
    computed_unit: str = ""
    # An answer across reports: one ``qa.answer.across.Row`` per report asked (``Answer.table``).
    rows: list | None = None
    # A level of the year before the report's, worked back from a later level and its change (facts: both)
    worked_back: bool = False


def state_fact(f) -> str:
    """A short statement of one figure: what it measures, its period, and the value as the source
    writes it ("Entire village advancement, 2009: 350 million Yuan."). The source sentence itself is
    in the citation card, not repeated here; every number stated is verbatim in that sentence."""
    qual = f"{f.qualifier} " if f.qualifier and not f.raw.lower().startswith(f.qualifier.lower()) else ""
    value = f"{qual}{f.raw}"
    after = f.sentence[f.end - f.sentence_start :].lstrip()
    unit = re.match(r"(km|kms|kilomet(?:er|re)s?|kg|kilograms?|tons?|tonnes?)\b", after, re.I)
    if f.kind == "count" and unit:  # "5100 km": the unit as written, right after the figure
        value = f"{value} {unit.group(0)}"
    elif (f.kind == "count" and f.measure and f.measure in f.sentence and not f.raw.endswith(f.measure)
          and after.startswith(f.measure)):
        value = f"{value} {f.measure}"
    # a one-word measure ("funds") says less than the section it stands in ("Entire Village Advancement")
    specific = f.measure and f.measure not in value and len(f.measure.split()) > 1
    label = f.measure if specific or not f.section else f.section
    label = label.strip(" “”\"") or "The report"
    period = f", {f.period}" if f.period and f.period in f.sentence and f.period not in label else ""
    return f"{label[:1].upper()}{label[1:]}{period}: {value}."


def state_facts(facts: list) -> str:
    """Several figures as a short list, one statement each."""
    return "The report gives several figures:\n" + "\n".join(f"- {state_fact(f)}" for f in facts)


def source_clause(f, max_words: int = 28) -> str:
    """The clause of the fact's sentence that holds it, cut to a window of words around it."""
    sent, a = f.sentence, f.start - f.sentence_start
    b = a + len(f.raw)
    lo, hi = clause_bounds(sent, a, b)
    clause = sent[lo:hi]
    toks = list(re.finditer(r"\S+", clause))
    if len(toks) > max_words:
        centre = next((k for k, t in enumerate(toks) if t.end() + lo > a), 0)
        first = max(0, centre - max_words // 2)
        last = min(len(toks), first + max_words)
        first = max(0, last - max_words)
        clause = ("… " if first else "") + clause[toks[first].start() : toks[last - 1].end()] + (
            " …" if last < len(toks) else "")
    return clause.strip().rstrip(".,;")
