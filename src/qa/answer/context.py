"""Per-index state the answer stages share, built once per index rather than per question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.answer.question import YEAR_RE
from qa.answer.score import Vocabulary
from qa.answer.sentences import remember_spans
from qa.index.load import QAIndex
from qa.text.words import STOPWORDS, stem, words


@dataclass
class Context:
    """Per-index state built once, not per question: IDF vocabulary, the years the reports mention
    and the years they cover, their region words, their lower-cased texts and the people named."""

    vocab: Vocabulary
    years: set[int]
    common_names: frozenset[str]
    common_stems: frozenset[str]
    report_years: frozenset[int]
    lower_texts: tuple[str, ...]
    people: tuple
    # the words of the reports a per-report context covers (None: the whole index's, the retriever's)
    words: frozenset[str] | None = None
    # the values of the report's figures (a per-report context only): a question that names a figure
    # ("of the 230 graduates") is about a report that states it
    values: frozenset[float] = frozenset()
    # Each report's region as the words a question must contain to name it (" inner mongolia "),
    # and the distinct ones: routing looks for the few regions, not at every report, per question.
    region_phrases: dict[str, str] = field(default_factory=dict)
    distinct_regions: tuple[str, ...] = ()


def context_for(index: QAIndex) -> Context:
    ctx = index.derived.get("answer.context")
    if ctx is None:
        found: set[str] = set()
        for d in index.documents.values():
            found.update(YEAR_RE.findall(d.text))
        years = {int(y) for y in found} | {int(d.meta["year"]) for d in index.documents.values()
                                           if d.meta.get("year")}
        common = {w for d in index.documents.values() for w in words(str(d.meta.get('region') or ''))}
        phrases = {d.id: f" {' '.join(words(str(d.meta['region'])))} " for d in index.documents.values()
                   if d.meta.get("region")}
        # The BM25 index already counts the passages holding each token (a second tokenization of
        # every passage took 0.3 s of a 1,000-report server's start).
        df = getattr(index.retriever, "document_frequencies", lambda: None)()
        ctx = Context(Vocabulary(index.passages, df), years, frozenset(common),
                      frozenset(stem(w) for w in common if w not in STOPWORDS),
                      frozenset(int(d.meta["year"]) for d in index.documents.values() if d.meta.get("year")),
                      tuple(d.text.lower() for d in index.documents.values()),
                      tuple(index.facts_of_kind("person")), region_phrases=phrases,
                      distinct_regions=tuple(dict.fromkeys(phrases.values())))
        index.derived["answer.context"] = ctx
        # The sentence spans stored at build time, so that scoring does not split passages again.
        by_passage = getattr(index, "sentences_by_passage", None)
        if by_passage:
            ids = {(p.text, p.start): p.id for p in index.passages}

            def spans(text: str, start: int) -> tuple[tuple[int, int], ...] | None:
                pid = ids.get((text, start))
                return None if pid is None else tuple((a, b) for a, b, _row in by_passage.get(pid, ()))

            remember_spans(spans)
    return ctx



def report_context(index: QAIndex, doc: str) -> Context:
    """The state of one report of an index of several, built on first use: a question answered from
    that report is scored against its own IDF, years, names and people, as if it were indexed alone
    (the index-wide ones made the same question score differently once other reports were added).
    The region words of every report stay index-wide: the question is analysed against all of them."""
    key = ("answer.context", doc)
    ctx = index.derived.get(key)
    if ctx is None:
        whole = context_for(index)
        d = index.documents[doc]
        years = {int(y) for y in YEAR_RE.findall(d.text)}
        if d.meta.get("year"):
            years.add(int(d.meta["year"]))
        lower = d.text.lower()
        passages = [index.passages[i] for i in index.passages_of(doc)]
        values = frozenset(round(float(f.value), 6) for f in index.facts_of_document(doc) if f.value is not None)
        # The report's own IDF, counted off the BM25 matrix (tokenizing its passages again cost a
        # third of building this context); counted from the texts where the retriever cannot.
        df = getattr(index.retriever, "document_frequencies", lambda _rows: None)(index.passages_of(doc))
        ctx = Context(Vocabulary(passages, df), years, whole.common_names,
                      whole.common_stems,
                      frozenset([int(d.meta["year"])]) if d.meta.get("year") else frozenset(),
                      (lower,), tuple(f for f in whole.people if f.doc == doc),
                      frozenset(re.findall(r"[^\W\d_]+", lower)), values)
        index.derived[key] = ctx
    return ctx
