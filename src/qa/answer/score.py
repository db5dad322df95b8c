"""Scoring facts and sentences against an analysed question.

A fact is scored by how much of the question's (IDF-weighted) vocabulary is found around it:
in the extractor's ``measure``/``subject``, in the words near the number (decaying with distance,
within its clause), in the section title, the sentence and the passage. Unit, kind and period
agreement and the passage's retrieval rank adjust that coverage. The same coverage, over a whole
sentence, ranks sentences for who/which/list/date/explanation answers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from qa.answer.changes import is_change
from qa.answer.period import period_ok
from qa.answer.question import UNIT_NOUNS, Query, change_in
from qa.answer.quoted import quotes
from qa.answer.sentences import previous_sentences
from qa.answer.thresholds import ANCHOR_WEIGHT, FACT_DENSE_WEIGHT, MISS_PENALTY
from qa.answer.weights import fact_context_weights, term_positions
from qa.facts.model import NUMERIC_KINDS
from qa.text.lexicon import CHANGE_WORDS, MONEY_WORDS, SYNONYM_GROUPS
from qa.text.words import stem, tokenize, words

KIND_OK = {
    "money": {"money", "per_capita"},
    "count": {"count", "area", "duration"},
    "percent": {"percent"},
    "change": {"percent", "money", "count", "per_capita", "area"},
    "auto": NUMERIC_KINDS,
}
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
ORDINAL_RES = tuple((o, re.compile(rf"\b{o}\b")) for o in ORDINALS)


@dataclass
class Scored:
    item: object  # a Fact, or a (passage, sentence span) pair
    score: float
    coverage: float
    rank: int
    notes: dict = field(default_factory=dict)


class Vocabulary:
    """Inverse document frequencies over passages (stemmed), built once per index."""

    def __init__(self, passages, df: dict[str, int] | None = None) -> None:
        """Counted over ``passages``' tokens, or given as ``df`` (token -> passages holding it)."""
        if df is None:
            df = {}
            for p in passages:
                for t in set(tokenize(p.embed_text())):
                    df[t] = df.get(t, 0) + 1
        self.n = max(1, len(passages))
        self.df = df
        self.max_idf = math.log(1 + self.n / 0.5)
        self._idf: dict[str, float] = {}  # a question's terms, asked again for every figure

    def idf(self, term: str) -> float:
        got = self._idf.get(term)
        if got is None:
            d = self.df.get(term)
            got = self._idf[term] = self.max_idf if d is None else math.log(1 + (self.n - d + 0.5) / (d + 0.5)) + 0.1
        return got


SYNONYMS: dict[str, frozenset[str]] = {}
for _group in SYNONYM_GROUPS:
    _stems = frozenset(stem(w) for w in _group.split())
    for _s in _stems:
        SYNONYMS[_s] = SYNONYMS.get(_s, frozenset()) | (_stems - {_s})


CHANGE_STEMS = frozenset(stem(w) for group in CHANGE_WORDS for w in group.split())


def _found(term: str, weights: dict[str, float]) -> float:
    own = weights.get(term, 0.0)
    syns = SYNONYMS.get(term)  # most terms have none: no generator to run (100k calls for 200 questions)
    syn = max((weights.get(s, 0.0) for s in syns), default=0.0) if syns else 0.0
    return max(own, 0.8 * syn)


def coverage(query: Query, vocab: Vocabulary, weights: dict[str, float],
             found_in: dict[str, float] | None = None) -> float:
    """IDF-weighted share of the question's terms found in ``weights`` (0..1 per term). In an
    elliptical follow-up the borrowed terms only locate the sentence (capped at sentence level);
    the new words pick the figure within it ("And the provincial finance?"). ``found_in``: each
    term's ``_found`` in ``weights``, when already worked out."""
    num = den = 0.0
    for t, qw in query.terms.items():
        w = vocab.idf(t) * qw
        den += w
        found = found_in[t] if found_in is not None else _found(t, weights)
        if query.elliptical and qw < 1.0:
            found = min(found, 0.4)
        num += w * found
    return num / den if den else 0.0


def names_found(names: list[str], text: str) -> bool:
    """Every name is in ``text`` (lower case), or a run of them is, as its initials ("world bank" as
    "wb")."""
    missing = {i for i, n in enumerate(names) if n not in text}
    for i in range(len(names)):
        for j in range(i + 2, len(names) + 1):
            if missing & set(range(i, j)) and re.search(rf"\b{''.join(n[0] for n in names[i:j])}\b", text):
                missing -= set(range(i, j))
    return not missing


def unit_match(query: Query, fact) -> float:
    """+ when the fact counts what the question asks for, - when it clearly counts something else."""
    if not query.unit:
        # "how many tourist beds": a noun the lexicon does not know as a unit still says what is counted
        counted = getattr(query, "counted", "")
        return 0.25 if counted and fact.unit and stem(fact.unit.split()[-1].lower()) == counted else 0.0
    fam = _family(fact.unit) or _family(fact.measure.split()[-1] if fact.measure else "")
    if fam == query.unit:
        return 0.25
    if fam is None:
        return -0.05
    if query.unit == "people" and fam in ("households",):
        return -0.3
    return -0.45


def _family(word: str) -> str | None:
    if not word:
        return None
    w = word.lower().strip()
    if w in ("people", "persons", "person", "%", "yuan", "km²"):
        return {"persons": "people", "person": "people"}.get(w, w)
    return UNIT_NOUNS.get(stem(w.split()[-1]))


def score_fact(query: Query, fact, passage, rank: int, vocab: Vocabulary, kind: str | None = None) -> Scored | None:
    kind = kind or query.kind
    if fact.kind not in KIND_OK.get(kind, NUMERIC_KINDS):
        return None
    asked = change_in(query.question) or change_in(query.corrected)  # "by what percnt did it rise", corrected
    if kind == "change" and asked not in (None, "percent" if fact.kind == "percent" else "amount"):
        return None  # "by how many yuan did it rise" is not answered by "up 28.8%", nor the other way
    if not period_ok(query, fact):
        return None
    if fact.value is not None and quotes(fact.value, query.numbers):
        return None  # a number the question already gives is an operand, not the answer
    if ordinal_conflict(query, fact):
        return None
    if query.names:
        # The question names someone or something: the figure's sentence, the two before it or its
        # section must mention them (a campaign may be named two sentences before its figures), not
        # just some other sentence of the passage.
        near = " ".join((fact.sentence, previous_sentences(passage.text, passage.start, fact.sentence_start),
                         passage.section)).lower()
        if not names_found(query.names, near):
            return None
    weights = fact_context_weights(fact, passage.text, passage.start, passage.section)
    found = {t: _found(t, weights) for t in query.terms}  # once for the three measures below
    if any(t in CHANGE_STEMS for t in found) and is_change(fact):
        # "how many yuan did the funds rise" and "99.33 million Yuan more than that of 2010": the word of
        # change asked is matched by the figure's own word of change, whichever it is
        found.update({t: 1.0 for t in found if t in CHANGE_STEMS})
    cov = coverage(query, vocab, weights, found)
    um = unit_match(query, fact)
    if um <= -0.45:
        return None  # "how many households" is not answered by a count of projects
    mp = measure_precision(query, fact, vocab)
    miss = missing_share(query, vocab, weights, found_in=found)
    key = key_missing(query, vocab, weights, found_in=found)
    score = cov + um + 0.15 * mp + 0.12 / (1 + rank) - MISS_PENALTY * miss
    if kind == "money" and TOTAL_Q.search(query.question) and any(weights.get(t, 0.0) >= 0.8 for t in TOTAL_STEMS):
        score += 0.1  # "total capital" asked: the figure introduced as a total
    if kind == "change":
        # "by how much did it rise": the figure next to a word of change, not the level itself
        score += 0.3 if any(weights.get(t, 0.0) >= 0.8 for t in CHANGE_STEMS) else -0.3
    return Scored(fact, score, cov, rank, {"unit": um, "measure": round(mp, 2), "miss": round(miss, 2),
                                         "key_miss": round(key, 3)})


TOTAL_Q = re.compile(r"\b(total|in all|altogether|overall)\b", re.I)
TOTAL_STEMS = frozenset({"total", "altogeth", "overal"})


# Words that say what kind of quantity is asked ("funding", "budget", "people"), not what about.
KIND_STEMS = frozenset(stem(w) for w in MONEY_WORDS | {"number", "amount", "many", "much", "area"})


def missing_share(query: Query, vocab: Vocabulary, weights: dict[str, float], floor: float = 0.4,
                  found_in: dict[str, float] | None = None) -> float:
    """IDF share of the question's words (those borrowed from the conversation weigh less) that the
    sentence around the fact does not contain: a near-miss ("first batch" vs "second batch",
    "households relocated" next to a figure about loans) leaves rare words unexplained."""
    num = den = 0.0
    for t, qw in query.terms.items():
        if t in KIND_STEMS or (query.unit and UNIT_NOUNS.get(t) == query.unit):
            continue
        w = vocab.idf(t) * qw
        den += w
        if (found_in[t] if found_in is not None else _found(t, weights)) < floor:
            num += w
    return num / den if den else 0.0


def key_missing(query: Query, vocab: Vocabulary, weights: dict[str, float], floor: float = 0.4,
                found_in: dict[str, float] | None = None) -> float:
    """How specific the most specific of the question's own words is that the figure's surroundings
    lack (its IDF over the largest possible): one missing rare word ("Kemu" where the sentence is
    about the Mang, "relocated" where it is about loans) says another thing is measured, however
    many common words match. Words borrowed from the conversation and words naming the kind of
    quantity do not count."""
    worst = 0.0
    for t, qw in query.terms.items():
        if qw < 1.0 or t in KIND_STEMS or (query.unit and UNIT_NOUNS.get(t) == query.unit):
            continue
        if (found_in[t] if found_in is not None else _found(t, weights)) < floor:
            worst = max(worst, vocab.idf(t) / vocab.max_idf)
    return worst


def measure_precision(query: Query, fact, vocab: Vocabulary) -> float:
    """Share of the fact's measure (IDF-weighted) that the question asks about: a fact that
    counts "key counties" fits "how many counties" less well than one that counts "counties"."""
    terms = {t for t, *_ in term_positions(fact.measure or "")}
    if not terms:
        return 0.5
    asked = query.terms.keys() | _question_stems(query.question)  # "total" counts here
    den = sum(vocab.idf(t) for t in terms)
    num = sum(vocab.idf(t) for t in terms if t in asked or SYNONYMS.get(t, frozenset()) & asked)
    return num / den if den else 0.5


@lru_cache(maxsize=4096)
def _question_stems(question: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(question))


@lru_cache(maxsize=4096)
def sentence_weights(sentence: str, section: str, passage_text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for text, w in ((passage_text, 0.3), (section, 0.7), (sentence, 1.0)):  # the nearest place counts
        for t, *_ in term_positions(text):
            weights[t] = max(weights.get(t, 0.0), w)
    return weights


def score_sentence(query: Query, sentence: str, passage, rank: int, vocab: Vocabulary) -> float:
    return coverage(query, vocab, sentence_weights(sentence, passage.section, passage.text)) + 0.1 / (1 + rank)


_NAME = r"[A-Z][\w’'-]*(?: [A-Z][\w’'-]*)*"
NAME_LIST = re.compile(rf"(?:{_NAME}, )*{_NAME},? and {_NAME}")


def shared_with_others(names: list[str], sentence: str) -> bool:
    """A place the question names stands in the sentence in a list of places the question does not
    all name ("Zhangjiakou, Chengde and Baoding City have 25 key counties"): the figure is the list's."""
    for members in _name_lists(sentence):
        mine = [x for x in members if any(n in x.split() for n in names)]
        if mine and len(mine) < len(members):
            return True
    return False


def others_subject(q: Query, sentence: str) -> bool:
    """The sentence is about places listed as its subject ("Zhangjiakou, Chengde and Baoding City have 25 key
    counties ..., accounting for 48.1% ..."), none of which the question names: its figures are theirs, not
    the region's."""
    names = _subject_names(sentence)
    asked = f"{q.question} {q.context}".lower()  # a follow-up leans on the places its question named
    return bool(names) and not any(n in asked for n in names)


SUBJECT_LIST = re.compile(rf"\s*(?:【[^】]*】\s*)?(?:In \d{{4}},?\s+)?({_NAME}(?:, {_NAME})*,? and {_NAME})\s+"
                          r"(?:have|has|had|are|were|hold|held|account)\b")


@lru_cache(maxsize=16384)
def _subject_names(sentence: str) -> tuple[str, ...]:
    m = SUBJECT_LIST.match(sentence)
    if not m:
        return ()
    return tuple(name.split()[0] for name in _members(m.group(1)))


def _members(names: str) -> tuple[str, ...]:
    """The names of a list written "A, B and C", lower-cased."""
    return tuple(w.strip().lower() for w in re.split(r",\s*(?:and\s+)?|\s+and\s+", names) if w.strip())


@lru_cache(maxsize=16384)
def _name_lists(sentence: str) -> tuple[tuple[str, ...], ...]:
    # Cached: a question meets every figure of a sentence, and a sentence many questions
    return tuple(_members(m.group(0)) for m in NAME_LIST.finditer(sentence))


def ordinal_conflict(query: Query, fact) -> bool:
    """"The first batch" does not match a figure about "the second batch"."""
    asked = _ordinals(query.question)
    if not asked:
        return False
    said = _ordinals(fact.sentence)
    return bool(said) and not asked & said


@lru_cache(maxsize=16384)
def _ordinals(text: str) -> frozenset[str]:
    # Cached: a question meets ~50 figures, a sentence many questions (1.4 ms a question at 1,000 reports)
    return frozenset(o for o, rx in ORDINAL_RES if rx.search(text.lower()))




def candidates(q: Query, index, hits, ctx, kind: str | None = None) -> list[Scored]:
    """Facts of the retrieved passages that can answer ``q``, best first. Besides the word-level
    score, the embedding similarity of the fact's sentence to the question rewards paraphrases
    ("found jobs" ~ "achieved employment transfer") that share no words. ``ctx`` carries the
    index's IDF vocabulary (``qa.answer.Context``)."""
    qvec = index.retriever.encoder.encode_query(q.query_text) if q.query_text else None
    out: list[Scored] = []
    # places inside a report the question names (the indexed reports' region words are no such place)
    places = [n for n in q.names if n not in ctx.common_names]
    for rank, (p, _h) in enumerate(hits):
        spans = index.sentences_by_passage.get(p.id, ())
        facts = index.facts_by_passage.get(p.id, ())
        # "Of the 987.17 million yuan of fiscal money, how much did the centre put in?": a figure the
        # question quotes points at its sentence, where the answer most often stands
        anchors = {g.sentence_start for g in facts if g.value is not None and quotes(g.value, q.numbers)}
        for f in facts:
            s = score_fact(q, f, p, rank, ctx.vocab, kind)
            if s is None or (places and shared_with_others(places, f.sentence)) or others_subject(q, f.sentence):
                # "in Baoding alone": the figure of "Zhangjiakou, Chengde and Baoding" is theirs together
                continue
            if f.sentence_start in anchors:
                s.score += ANCHOR_WEIGHT
                s.notes["anchor"] = 1.0
            if qvec is not None:
                row = next((r for a, b, r in spans if a <= f.start < b), None)
                if row is not None:
                    dense = float(index.sentence_vectors[row] @ qvec)
                    s.score += FACT_DENSE_WEIGHT * (dense - 0.4)
                    s.notes["dense"] = round(dense, 3)
            out.append(s)
    out.sort(key=lambda s: (-s.score, s.item.start))
    return out
