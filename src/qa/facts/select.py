"""Which figures a measure names: the ``measure`` filter of the fact table and of the series chart.

A figure matches the words asked ("poor population") when its measure, or failing that the words
of its own clause (``QAIndex.fact_context``, the text the figure is embedded by), contain those
words in any form: the words are compared as Snowball stems (``qa.text.words``), a domain synonym
of ``[synonyms]`` in ``qa/text/lexicon.toml`` counts a little less than the word itself ("poor"
finds "poverty-stricken", "population" finds "people"), and a misspelt word finds the word one
edit away (``rapidfuzz``). Each word of the request scores 1 in the measure, 0.8 as a synonym there,
and 0.6 times that in the clause only; a figure matches when the mean is at least ``MIN_MATCH``,
so one missing word of three still matches and one of two does not.

Plain functions over ``Fact``: the web, the command line and the series chart share them through
``qa.service``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from qa.facts.model import NUMERIC_KINDS, Fact
from qa.text.lexicon import SYNONYM_GROUPS
from qa.text.words import stem, tokenize

SYNONYM = 0.8  # a synonym counts a little less than the word itself (as in answer scoring)
TYPO = 0.7  # a word one edit away from the one asked
CLAUSE = 0.6  # words of the figure's clause are weaker evidence than its measure
MIN_MATCH = 0.6  # mean over the words asked: 2 of 3 words, or every word of a pair


@lru_cache(maxsize=1)
def synonyms() -> dict[str, frozenset[str]]:
    """stem -> the stems of its synonym groups (a word may be in several groups)."""
    out: dict[str, frozenset[str]] = {}
    for group in SYNONYM_GROUPS:
        stems = frozenset(stem(w) for w in group.split())
        for s in stems:
            out[s] = out.get(s, frozenset()) | (stems - {s})
    return out


def measure_terms(text: str) -> tuple[str, ...]:
    """The stems of the words asked, without stop words and numbers, each once."""
    return tuple(dict.fromkeys(t for t in tokenize(text) if not t.isdigit()))


def _near(a: str, b: str) -> bool:
    # A typo, not another word: one edit in a stem of 5 letters or more, two from 8.
    if min(len(a), len(b)) < 5:
        return False
    return DamerauLevenshtein.distance(a, b) <= (1 if len(a) < 8 else 2)


def _found(term: str, stems: frozenset[str]) -> float:
    if term in stems:
        return 1.0
    if synonyms().get(term, frozenset()) & stems:
        return SYNONYM
    return TYPO if any(_near(term, s) for s in stems) else 0.0


def match_scores(terms: tuple[str, ...], measure: str, clause: str = "") -> tuple[float, float]:
    """Mean over ``terms`` of how well each is found in the measure or, less, in the clause; and the
    same in the measure alone (is it what the figure measures, or only a word of its sentence?)."""
    if not terms:
        return 0.0, 0.0
    in_measure = frozenset(tokenize(measure))
    in_clause = frozenset(tokenize(clause))
    total = own = 0.0
    for t in terms:
        found = _found(t, in_measure)
        own += found
        total += max(found, CLAUSE * _found(t, in_clause))
    return total / len(terms), own / len(terms)


def match_score(terms: tuple[str, ...], measure: str, clause: str = "") -> float:
    """How well ``terms`` are found in the measure (or, less, in the clause): 0..1."""
    return match_scores(terms, measure, clause)[0]


def own_clause(f: Fact, context: str | None) -> str:
    """The figure's own words without the section title ``fact_context`` starts with (a section
    called "Poverty alleviation ..." would otherwise make every figure in it match "poverty")."""
    text = context or ""
    head = f"{f.section}: "
    return text[len(head):] if f.section and text.startswith(head) else text


@dataclass(frozen=True)
class Match:
    fact: Fact
    score: float
    by_measure: bool = True  # the words asked are in the figure's measure itself, not only its clause


def matching_facts(facts: Iterable[Fact], measure: str, contexts: dict[str, str] | None = None,
                   numeric_only: bool = False) -> list[Match]:
    """The facts whose measure (or clause, from ``contexts``: fact id -> figure text) match the
    words of ``measure``, best first (then in document order)."""
    terms = measure_terms(measure)
    if not terms:
        return []
    contexts = contexts or {}
    out = []
    for f in facts:
        if numeric_only and (f.kind not in NUMERIC_KINDS or f.value is None):
            continue
        score, own = match_scores(terms, f.measure or f.name, own_clause(f, contexts.get(f.id)))
        if score >= MIN_MATCH:
            out.append(Match(f, round(score, 3), own >= MIN_MATCH))
    out.sort(key=lambda m: (-m.score, m.fact.doc, m.fact.start))
    return out


def unit_of(f: Fact) -> str:
    """What a figure counts, as one label: its unit, and "yuan per person" apart from "yuan", so
    that an income is never drawn beside an amount of money."""
    unit = (f.unit or "").strip() or f.kind
    return f"{unit} per person" if f.kind == "per_capita" else unit
