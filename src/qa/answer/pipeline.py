"""One question (plus the conversation) -> one cited ``Answer``, in stages that run in order:

1. analyse  (``question.analyze``)   text -> ``Query``; nothing changes the query afterwards;
2. retrieve (``retrieve`` below)     one hybrid search of the index, restricted to the reports asked about;
3. score    (``score.candidates``)   facts and sentences of those passages scored against the query;
4. compute  (``arithmetic.compute``) sums, differences, shares ... when the question asks for one;
5. compose  (``compose``)            the figure(s) or the sentence/entities that answer, as a ``Draft``;
6. cite     (``cite.finish``)        ``Draft`` -> ``Answer`` with citations and highlights, or an abstention.

Each stage imports only the ones before it. Every number an answer states is verbatim in a cited
snippet, except computed results, which show their operands (``computation``).
"""

from __future__ import annotations

import re
import time

from qa.answer.arithmetic import compute
from qa.answer.cite import abstain, finish, related_passage
from qa.answer.compose import numeric_answer, summary_answer, text_answer
from qa.answer.context import Context, context_for
from qa.answer.draft import Draft
from qa.answer.models import Answer
from qa.answer.question import QUESTION_WORDS, Query, analyze
from qa.answer.thresholds import OPERAND_PASSAGES, TOP_PASSAGES
from qa.facts.model import NUMERIC_KINDS
from qa.index.load import QAIndex
from qa.text.words import words

KEEP_WORDS = QUESTION_WORDS | frozenset(["many", "much", "have", "has", "had", "does", "did", "took", "part"])


def answer(index: QAIndex, question: str, history: list[str] | None = None) -> Answer:
    """Turn a question (and the earlier questions of the conversation) into one ``Answer``."""
    t0 = time.perf_counter()
    ctx = context_for(index)
    q = analyse(index, ctx, question, history)
    t1 = time.perf_counter()
    hits, ambiguous = retrieve(index, q)
    t2 = time.perf_counter()
    top = hits[:TOP_PASSAGES]
    related = [related_passage(p, h.score) for p, h in top]
    timings = {"analyse": (t1 - t0) * 1e3, "retrieve": (t2 - t1) * 1e3}

    reason = _out_of_scope(q, ctx, index)
    if reason:
        return abstain(q, reason, related, timings, t0)
    draft = None
    if q.op and q.kind in NUMERIC_KINDS | {"auto", "percent"}:
        draft = compute(q, index, top, ctx, wider=hits)
    if draft is None:
        draft = compose(q, index, top, ctx)
        if draft is None:
            return abstain(q, "no passage of the report states this", related, timings, t0)
        if ambiguous:
            _note_ambiguity(draft, index)
    return finish(draft, q, index, related, timings, t0)


def analyse(index: QAIndex, ctx: Context, question: str, history: list[str] | None) -> Query:
    """The question stage, with the index's typo correction and the words every report implies."""
    def correct(text: str) -> str:
        return index.retriever.correct(text, KEEP_WORDS)

    return analyze(question, history, correct=correct, ignore_names=ctx.common_names,
                   ignore_stems=ctx.common_stems)


def retrieve(index: QAIndex, q: Query) -> tuple[list, bool]:
    """The one search of a question: ``OPERAND_PASSAGES`` passages, best first, from the reports the
    question names (all when it names none: then ``ambiguous`` if there are several). The first
    ``TOP_PASSAGES`` answer the question; arithmetic may look further down the same list for an operand."""
    allowed, ambiguous = _select_documents(q, index)
    if allowed is None:
        return index.search(q.query_text, OPERAND_PASSAGES), ambiguous
    hits = [(p, h) for p, h in index.search(q.query_text, OPERAND_PASSAGES * 4) if p.doc in allowed]
    return hits[:OPERAND_PASSAGES], ambiguous


def compose(q: Query, index: QAIndex, hits: list, ctx: Context) -> Draft | None:
    """A figure for a numeric question, a sentence or the entities it names otherwise."""
    if q.kind in ("money", "count", "percent", "auto", "change"):
        return numeric_answer(q, index, hits, ctx)
    if q.kind == "summary":
        return summary_answer(q, index, hits, ctx)
    return text_answer(q, index, hits, ctx)


def _select_documents(q: Query, index: QAIndex) -> tuple[set[str] | None, bool]:
    """With several reports: the ones the question names by region (and year), else all of them,
    flagged as ambiguous so that the answer says which report it comes from."""
    docs = list(index.documents.values())
    if len(docs) < 2:
        return None, False
    text = " " + " ".join(words(" ".join([q.question, q.context]))) + " "
    named = [d for d in docs if d.meta.get("region") and f" {' '.join(words(str(d.meta['region'])))} " in text]
    if named and q.years:
        by_year = [d for d in named if d.meta.get("year") in q.years]
        named = by_year or named
    if named:
        return {d.id for d in named}, False
    return None, True


def _note_ambiguity(draft: Draft, index: QAIndex) -> None:
    used = {f.doc for f in draft.facts} or {index.passage_by_id[c[0]].doc for c in draft.extra_citations or []}
    titles = "; ".join(d.title for d in index.documents.values())
    source = ", ".join(index.documents[d].title for d in sorted(used) if d in index.documents)
    draft.text = (f"The question does not name a report, and several are indexed ({titles}). "
                  f"From {source}: {draft.text}")
    draft.confidence = round(min(draft.confidence, 0.5), 2)


def _out_of_scope(q: Query, ctx: Context, index: QAIndex) -> str | None:
    # The year before a report's own is in reach: worked back from "X, up D over <year>".
    missing = sorted(y for y in q.years if y not in ctx.years and y + 1 not in ctx.report_years)
    if missing:
        return f"the report does not cover {', '.join(map(str, missing))}"
    if q.question.upper() != q.question:  # capitals mark names only in mixed-case text
        vocab = index.retriever.vocab_set
        for i, m in enumerate(re.finditer(r"\b[A-Z][a-zA-Z'’-]+\b", q.question)):
            w = m.group(0)
            if i == 0 and m.start() == 0:
                continue
            lw = w.lower().split("'")[0].split("’")[0]
            known = index.retriever.correct(lw, KEEP_WORDS) != lw or _abbreviated(q.question, m, vocab)
            if lw not in vocab and not known:
                return f"the report does not mention {w}"
    return None



def _abbreviated(question: str, m: re.Match, vocab) -> bool:
    """The capitalized run that starts at ``m`` is written as its initials in the report ("World Bank"
    -> "WB")."""
    run = re.match(r"(?:[A-Z][a-zA-Z'’-]*(?:\s+|-))*[A-Z][a-zA-Z'’-]*", question[m.start():]).group(0)
    initials = "".join(w[0] for w in re.split(r"[\s-]+", run) if w[:1].isupper()).lower()
    return any(initials[:k] in vocab for k in range(2, len(initials) + 1))
