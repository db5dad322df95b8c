"""Which reports a question is answered from, when the index holds several.

The order of the rules (issue 13):

1. ``reports`` given by the caller (the API's ``reports``, the page's picker, ``--report``) bound
   everything: nothing outside them is ever searched or cited;
2. a region (and year) named in the question, or in the earlier question a follow-up resolves
   against, selects its reports: the answer needs no label, the user said which;
3. a follow-up that names none stays with the report(s) the previous question was answered from
   (the routing is run again on the previous question: the history is questions only);
4. otherwise the evidence decides: one search over the candidate reports; a report whose passages
   clearly win (all of the best ``TOP_PASSAGES``, or a best score ``WIN_MARGIN`` above any other
   report's) answers alone, labelled "Region, year: …"; else every report whose best passage is
   close to the top one is asked, and those that answer are each given one labelled, cited line
   (up to ``MAX_REPORTS``; beyond that the user is asked to choose).

With one report in the index (or in scope, or named) nothing here changes the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.answer.context import context_for
from qa.answer.draft import Draft
from qa.answer.question import Query
from qa.index.load import QAIndex
from qa.text.words import words

# A report's best passage must beat every other report's best by this share to answer alone (fused
# scores: BM25 / top BM25 + 0.4 x scaled cosine, so 0.15 is about one more matching rare word).
WIN_MARGIN = 0.15
# Reports whose best passage is within this share of the top one are asked to answer.
CONTENDER_MARGIN = 0.15
# At most this many reports are answered side by side; beyond, the user is asked to choose.
MAX_REPORTS = 5


@dataclass
class Scope:
    """The reports a question may be answered from: ``docs`` (all of them in ``index.documents``
    order), and whether the user decided it (``chosen``: named, picked, or carried by a follow-up
    from a named question), so the answer needs no label."""

    docs: tuple[str, ...]
    chosen: bool


def label(index: QAIndex, doc: str) -> str:
    """"Inner Mongolia, 2009": what an answer says it comes from (the title without metadata)."""
    d = index.documents.get(doc)
    if d is None:
        return doc
    parts = [str(v) for v in (d.meta.get("region"), d.meta.get("year")) if v]
    return ", ".join(parts) or d.title


def named_documents(index: QAIndex, q: Query, pool: tuple[str, ...]) -> tuple[str, ...]:
    """The reports of ``pool`` the question (or the question a follow-up resolves against) names by
    region, narrowed by a named year when one of them has it."""
    ctx = context_for(index)  # the region phrases, worked out once per index
    docs = [index.documents[d] for d in pool]
    for said in (q.question, q.context):  # "And in Lanshan?" after an Inner Mongolia question: Lanshan
        text = " " + " ".join(words(said)) + " "
        said_regions = {r for r in ctx.distinct_regions if r in text}
        named = [d for d in docs if ctx.region_phrases.get(d.id) in said_regions] if said_regions else []
        if named and q.years:
            by_year = [d for d in named if d.meta.get("year") in q.years]
            named = by_year or named
        if named:
            return tuple(d.id for d in named)
    return ()


def scope_for(index: QAIndex, q: Query, reports: list[str] | None) -> Scope:
    """Rules 1 and 2: the caller's reports (all when none), narrowed to the ones the question names."""
    pool = tuple(d for d in index.documents if not reports or d in reports)
    if len(pool) < 2:
        return Scope(pool, True)
    named = named_documents(index, q, pool)
    if named:
        return Scope(named, True)
    return Scope(pool, False)


def contenders(index: QAIndex, query_text: str, pool: tuple[str, ...], top: int) -> tuple[tuple[str, ...], list]:
    """Rule 4 on retrieval alone: the winning report, or the reports close to the best one, best
    first; and the search over ``pool`` it decided on (the related reading of the answer)."""
    hits = index.search(query_text, max(top, 3 * len(pool)), docs=set(pool))
    best: dict[str, float] = {}
    for p, h in hits:
        best.setdefault(p.doc, float(h.score))
    if not best:
        return (), hits
    ranked = sorted(best, key=lambda d: -best[d])
    first = ranked[0]
    if len(ranked) == 1 or all(p.doc == first for p, _ in hits[:top]):
        return (first,), hits
    top_score = best[first]
    if top_score > 0 and top_score >= best[ranked[1]] * (1 + WIN_MARGIN):
        return (first,), hits
    return tuple(d for d in ranked if best[d] * (1 + CONTENDER_MARGIN) >= top_score), hits


def labelled(index: QAIndex, doc: str, draft: Draft) -> Draft:
    """The draft, saying which report it comes from."""
    draft.text = f"{label(index, doc)}: {draft.text}"
    return draft


def side_by_side(index: QAIndex, drafts: list[tuple[str, Draft]]) -> Draft:
    """One labelled line per report, each cited from its own report; no computed value, since each
    line states its own."""
    lines = [f"{label(index, doc)}: {d.text}" for doc, d in drafts]
    facts = [f for _, d in drafts for f in d.facts]
    extra = [c for _, d in drafts for c in (d.extra_citations or [])]
    comps = [f"{label(index, doc)}: {d.computation}" for doc, d in drafts if d.computation]
    kinds = {d.kind for _, d in drafts}
    return Draft(text="Several reports answer this.\n" + "\n".join(lines), facts=facts,
                 confidence=round(min(d.confidence for _, d in drafts), 2),
                 kind=kinds.pop() if len(kinds) == 1 else "text",
                 computation="\n".join(comps) or None, extra_citations=extra or None)


def choose_text(index: QAIndex, docs: list[str]) -> str:
    names = "; ".join(label(index, d) for d in docs)
    return (f"{len(docs)} reports answer this ({names}). Name a region or year in the question, or "
            "choose the reports to ask.")
