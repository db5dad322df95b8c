"""Answer composition: one question (plus the conversation) -> one cited ``Answer``.

Flow: analyse the question (``qa.answer.question``) -> hybrid retrieval of passages -> candidate facts
from those passages, scored (``qa.answer.score``) -> a short answer that states the value as the source
writes it, with the sentence it rests on cited and the number highlighted. Arithmetic and
comparisons are in ``qa.answer.arithmetic``. When nothing fits well enough the answer abstains and offers the
closest passages. Every number an answer states is verbatim in a cited snippet, except computed
results, which show their operands (``computation``).
"""

from __future__ import annotations

import re
import time

from qa.answer.arithmetic import compute
from qa.answer.cite import abstain, finish, related_passage
from qa.answer.compose import numeric_answer, text_answer
from qa.answer.context import Context, context_for
from qa.answer.draft import Draft
from qa.answer.models import Answer
from qa.answer.question import QUESTION_WORDS, Query, analyze
from qa.answer.score import TOP_PASSAGES
from qa.facts.model import NUMERIC_KINDS
from qa.index.load import QAIndex
from qa.text.words import words

KEEP_WORDS = QUESTION_WORDS | frozenset(["many", "much", "have", "has", "had", "does", "did", "took", "part"])


def answer(index: QAIndex, question: str, history: list[str] | None = None) -> Answer:
    """Turn a question (and the earlier questions of the conversation) into one ``Answer``."""
    t0 = time.perf_counter()
    ctx = context_for(index)
    def correct(text: str) -> str:
        return index.retriever.correct(text, KEEP_WORDS)

    q = analyze(question, history, correct=correct)
    allowed, ambiguous = _select_documents(q, index)
    # The report's own region and title words are everywhere implicitly, not a constraint.
    q.names = [n for n in q.names if n not in ctx.common_names]
    q.terms = {t: w for t, w in q.terms.items() if t not in ctx.common_stems} or q.terms
    t1 = time.perf_counter()
    q.query_text = " ".join([correct(q.question)] + [correct(h) for h in q.history_used])
    if allowed is None:
        hits = index.search(q.query_text, TOP_PASSAGES)
    else:
        hits = [(p, h) for p, h in index.search(q.query_text, TOP_PASSAGES * 4) if p.doc in allowed]
        hits = hits[:TOP_PASSAGES]
    t2 = time.perf_counter()
    related = [related_passage(p, h.score) for p, h in hits]
    timings = {"analyse": (t1 - t0) * 1e3, "retrieve": (t2 - t1) * 1e3}

    reason = _out_of_scope(q, ctx, index)
    if reason:
        return abstain(q, reason, related, timings, t0)
    if q.op and q.op != "complement" and q.kind in ("explanation", "which"):
        q.kind = "auto"  # "What were X and Y combined?" asks for a number without saying "how much"
    if q.op and q.kind in NUMERIC_KINDS | {"auto", "percent"}:
        result = compute(q, index, hits, ctx)
        if result is not None:
            return finish(result, q, index, related, timings, t0)
    if q.kind in ("money", "count", "percent", "auto", "change"):
        ans = numeric_answer(q, index, hits, ctx)
    else:
        ans = text_answer(q, index, hits, ctx)
    if ans is None:
        return abstain(q, "no passage of the report states this", related, timings, t0)
    if ambiguous:
        _note_ambiguity(ans, index)
    return finish(ans, q, index, related, timings, t0)


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
    missing = sorted(y for y in q.years if y not in ctx.years)
    if missing:
        return f"the report does not cover {', '.join(map(str, missing))}"
    if q.question.upper() != q.question:  # capitals mark names only in mixed-case text
        vocab = index.retriever.vocab_set
        for i, m in enumerate(re.finditer(r"\b[A-Z][a-zA-Z'’-]+\b", q.question)):
            w = m.group(0)
            if i == 0 and m.start() == 0:
                continue
            lw = w.lower().split("'")[0].split("’")[0]
            if lw not in vocab and index.retriever.correct(lw, KEEP_WORDS) == lw:
                return f"the report does not mention {w}"
    return None

