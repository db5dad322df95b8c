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
from contextlib import nullcontext
from dataclasses import replace

from qa.answer import across, ranker, route
from qa.answer.arithmetic import compute
from qa.answer.cite import abstain, finish, related_passage
from qa.answer.compose import numeric_answer, summary_answer, text_answer
from qa.answer.context import Context, context_for, report_context
from qa.answer.draft import Draft
from qa.answer.enumeration import counted_titles, enumeration_answer
from qa.answer.models import Answer
from qa.answer.question import QUESTION_WORDS, YEAR_RE, Query, analyze
from qa.answer.thresholds import ACROSS_EASING, OPERAND_PASSAGES, TOP_PASSAGES
from qa.facts.model import NUMERIC_KINDS
from qa.index.load import QAIndex
from qa.text.words import is_english_word

KEEP_WORDS = QUESTION_WORDS | frozenset(["many", "much", "have", "has", "had", "does", "did", "took", "part"])


def answer(index: QAIndex, question: str, history: list[str] | None = None,
           reports: list[str] | None = None) -> Answer:
    """Turn a question (and the earlier questions of the conversation) into one ``Answer``, from the
    ``reports`` given (all when none) and, among them, the ones the question or the evidence picks
    (``qa.answer.route``)."""
    t0 = time.perf_counter()
    ctx = context_for(index)
    q = analyse(index, ctx, question, history)
    t1 = time.perf_counter()
    scope = route.scope_for(index, q, reports)
    plan = route.across_plan(index, q, scope, picked=bool(reports) and len(scope.docs) > 1)
    if plan is not None:
        return _across_reports(index, ctx, q, plan, scope.chosen, t0, t1)
    if len(scope.docs) > 1 and history:  # the previous answer's report, if among those in scope
        prev = _previous_scope(index, ctx, history, reports)
        scope = prev if prev is not None and set(prev.docs) <= set(scope.docs) else scope
    if len(scope.docs) > 1:
        return _across(index, ctx, q, scope.docs, t0, t1)
    hits = retrieve(index, q, None if len(index.documents) < 2 else scope.docs)
    t2 = time.perf_counter()
    top = hits[:TOP_PASSAGES]
    related = [related_passage(p, h.score) for p, h in top]
    timings = {"analyse": (t1 - t0) * 1e3, "retrieve": (t2 - t1) * 1e3}
    draft = _draft(q, index, ctx, hits, scope.docs[0] if len(scope.docs) == 1 else None)
    if isinstance(draft, str):
        return abstain(q, draft, related, timings, t0)
    if not scope.chosen and scope.docs:
        route.labelled(index, scope.docs[0], draft)
    return finish(draft, q, index, related, timings, t0)


def _draft(q: Query, index: QAIndex, ctx: Context, hits: list, doc: str | None = None) -> Draft | str:
    """Score, compute and compose over ``hits``: the draft, or why the report does not say. With
    ``doc`` (one report of several) the report's own context scores it, as if indexed alone."""
    if doc is not None and len(index.documents) > 1:
        ctx = report_context(index, doc)
    own = {int(y) for y in YEAR_RE.findall(q.question)}
    if q.years - own and any(y not in ctx.years and y + 1 not in ctx.report_years for y in q.years - own):
        # "And Inner Mongolia, for its farming areas?" after a question on 2011: the year was the earlier
        # question's, and this report has another; only a year the question itself names can rule it out
        q = replace(q, years=own)
    reason = _out_of_scope(q, ctx, index)
    if reason:
        return reason
    top = hits[:TOP_PASSAGES]
    # "Which four priorities ...?": the items of a list the report introduces by its count
    draft = enumeration_answer(q, index, top, ctx)
    if draft is None and q.op and q.kind in NUMERIC_KINDS | {"auto", "percent"}:
        draft = compute(q, index, top, ctx, wider=hits)
    if draft is None:
        draft = compose(q, index, top, ctx)
    if draft is None:  # "How many plans ...?" when the report lists them by title without a count
        draft = counted_titles(q, index, top, ctx)
    if draft is None and q.op == "share":
        # the percentage that looked like the share asked was not it: the share worked out from its part
        # and whole, if the report gives both
        draft = compute(q, index, top, ctx, wider=hits, stated_declined=True)
    return draft if draft is not None else "no passage of the report states this"


def _across(index: QAIndex, ctx: Context, q: Query, pool: tuple[str, ...], t0: float, t1: float) -> Answer:
    """Several reports in scope, none named: the report whose evidence wins answers, labelled; else
    each close report that answers gets one labelled, cited line (a table), up to ``MAX_REPORTS``."""
    docs, pool_hits = route.contenders(index, q.query_text, pool, TOP_PASSAGES)
    if q.numbers:  # "of the 230 graduates": the reports that state the figures named, if any does
        docs = tuple(d for d in docs if all(round(n, 6) in report_context(index, d).values for n in q.numbers)) or docs
    related = [related_passage(p, h.score) for p, h in pool_hits[:TOP_PASSAGES]]
    drafts: list[tuple[str, Draft]] = []
    reason = "no passage of the reports states this"
    for doc in docs:
        got = _draft(q, index, ctx, retrieve(index, q, (doc,)), doc)
        if isinstance(got, str):
            reason = reason if drafts or doc != docs[0] else got
        else:
            drafts.append((doc, got))
    timings = {"analyse": (t1 - t0) * 1e3, "retrieve": (time.perf_counter() - t1) * 1e3}
    if not drafts:
        return abstain(q, reason, related, timings, t0)
    if len(drafts) > route.MAX_REPORTS:
        out = abstain(q, "", related, timings, t0)
        out.answer = route.choose_text(index, [d for d, _ in drafts])
        return out
    if len(drafts) == 1:
        return finish(route.labelled(index, *drafts[0]), q, index, related, timings, t0)
    rows = [across.Row(doc, route.label(index, doc), d, group=route.region_of(index, doc)) for doc, d in drafts]
    return finish(across.table(rows, len(rows)), q, index, related, timings, t0)


def _across_reports(index: QAIndex, ctx: Context, q: Query, plan: route.Plan, named: bool, t0: float,
                    t1: float) -> Answer:
    """A question across reports: each report of the plan answers on its own
    (``route.report_query``), and ``qa.answer.across`` puts the answers together, each cited from
    its own report."""
    docs = plan.docs
    hits = index.search(q.query_text, max(TOP_PASSAGES, 3 * len(docs)), docs=set(docs))
    if len(docs) > route.MAX_TABLE:  # the reports whose passages fit best; the answer says how many
        best: dict[str, float] = {}
        for p, h in hits:
            best.setdefault(p.doc, float(h.score))
        keep = set(sorted(best, key=lambda d: -best[d])[: route.MAX_TABLE])
        docs = tuple(d for d in docs if d in keep)
    related = [related_passage(p, h.score) for p, h in hits[:TOP_PASSAGES]]
    rows = []
    model = ranker.load()
    # each report's operand is asked with words meant for the comparison and for the other reports,
    # so its confidence runs low: it answers from a lower threshold (thresholds.ACROSS_EASING)
    operand = model if model is None else replace(model, threshold=model.threshold - ACROSS_EASING)
    for doc in docs:
        dq = route.report_query(index, q, doc, plan.mode)
        with ranker.using(operand) if operand is not None else nullcontext():
            got = _draft(dq, index, ctx, retrieve(index, dq, (doc,)), doc)
        rows.append(across.Row(doc, route.label(index, doc), None if isinstance(got, str) else got,
                               "named" if named else (got if isinstance(got, str) else ""),
                               group=route.region_of(index, doc)))
    timings = {"analyse": (t1 - t0) * 1e3, "retrieve": (time.perf_counter() - t1) * 1e3}
    if plan.mode in ("compare", "diff"):
        draft = across.compare(rows, q.question, by_how_much=plan.mode == "diff", among=plan.among)
    elif plan.mode == "change":
        draft = across.change(rows)
    else:
        draft = across.table(rows, len(plan.docs))
    if draft is None:
        return abstain(q, "no passage of the reports asked states this", related, timings, t0)
    return finish(draft, q, index, related, timings, t0)


def _previous_scope(index: QAIndex, ctx: Context, history: list[str], reports: list[str] | None
                    ) -> route.Scope | None:
    """A follow-up that names no report stays with the report the previous question was answered
    from: the routing, run again on the previous question (with its own history)."""
    prev = analyse(index, ctx, history[-1], history[:-1])
    scope = route.scope_for(index, prev, reports)
    if len(scope.docs) > 1:
        docs, _ = route.contenders(index, prev.query_text, scope.docs, TOP_PASSAGES)
        return route.Scope(docs, False) if len(docs) == 1 else None
    return scope


def analyse(index: QAIndex, ctx: Context, question: str, history: list[str] | None) -> Query:
    """The question stage, with the index's typo correction and the words every report implies."""
    def correct(text: str) -> str:
        return index.retriever.correct(text, KEEP_WORDS)

    return analyze(question, history, correct=correct, ignore_names=ctx.common_names,
                   ignore_stems=ctx.common_stems)


def retrieve(index: QAIndex, q: Query, docs: tuple[str, ...] | None = None) -> list:
    """The one search of a question: ``OPERAND_PASSAGES`` passages, best first, from ``docs`` (the
    whole index when None). The first ``TOP_PASSAGES`` answer the question; arithmetic may look
    further down the same list for an operand."""
    return index.search(q.query_text, OPERAND_PASSAGES, docs=None if docs is None else set(docs))


def compose(q: Query, index: QAIndex, hits: list, ctx: Context) -> Draft | None:
    """A figure for a numeric question, a sentence or the entities it names otherwise."""
    if q.kind in ("money", "count", "percent", "auto", "change"):
        return numeric_answer(q, index, hits, ctx)
    if q.kind == "summary":
        return summary_answer(q, index, hits, ctx)
    return text_answer(q, index, hits, ctx)


def _out_of_scope(q: Query, ctx: Context, index: QAIndex) -> str | None:
    # The year before a report's own is in reach: worked back from "X, up D over <year>".
    missing = sorted(y for y in q.years if y not in ctx.years and y + 1 not in ctx.report_years)
    if missing:
        return f"the report does not cover {', '.join(map(str, missing))}"
    if q.question.upper() != q.question:  # capitals mark names only in mixed-case text
        vocab = ctx.words if ctx.words is not None else index.retriever.vocab_set
        covered = 0  # end of a capitalised run already found written as its initials ("World Bank": WB)
        for i, m in enumerate(re.finditer(r"\b[A-Z][a-zA-Z'’-]+\b", q.question)):
            w = m.group(0)
            if (i == 0 and m.start() == 0) or m.start() < covered or re.search(r"[.?!]\s+$", q.question[:m.start()]):
                continue  # the first word of a sentence ("... in 2009? How many more?") is no name
            lw = w.lower().split("'")[0].split("’")[0]
            if w.isupper() and len(w) > 3 and (len(w) > 5 or is_english_word(lw)):
                continue  # "How many LABOURERS ...": emphasis, not a name
            if ctx.words is not None and lw in ctx.common_names:
                continue  # another report's region, in a question across reports
            run = _abbreviated(q.question, m, vocab)
            if run:
                covered = run
            known = index.retriever.correct(lw, KEEP_WORDS, english=False) != lw or bool(run)
            if lw not in vocab and not known:
                return f"the report does not mention {w}"
    return None



def _abbreviated(question: str, m: re.Match, vocab) -> int:
    """Where the capitalized run that starts at ``m`` ends, when the report writes it as its initials
    ("World Bank" -> "WB"); else 0."""
    run = re.match(r"(?:[A-Z][a-zA-Z'’-]*(?:\s+|-))*[A-Z][a-zA-Z'’-]*", question[m.start():]).group(0)
    initials = "".join(w[0] for w in re.split(r"[\s-]+", run) if w[:1].isupper()).lower()
    found = any(initials[:k] in vocab for k in range(2, len(initials) + 1))
    return m.start() + len(run) if found else 0
