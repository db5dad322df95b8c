"""Draft -> ``Answer``: citations with the facts' raw text highlighted, related passages, timings;
or an abstention that lists the closest passages as related reading.
"""

from __future__ import annotations

import time

from qa.answer.draft import Draft
from qa.answer.models import Answer, Citation, FactOut, RelatedPassage, TableRow, Value
from qa.answer.question import Query
from qa.index.load import QAIndex


def related_passage(p, score: float) -> RelatedPassage:
    return RelatedPassage(doc=p.doc, passage_id=p.id, section=p.section, text=p.text, start=p.start,
                          end=p.end, score=round(float(score), 4))


def fact_out(f) -> FactOut:
    return FactOut.model_validate(f, from_attributes=True)


def values_of(draft: Draft) -> list[Value]:
    """Each value the answer states, in order: its facts, then the computed result (whose text is
    the end of ``computation``, after its last " = ") with the facts as operands."""
    out = [Value(value=f.value, unit=f.unit or "", raw=f.raw, fact_id=f.id, doc=f.doc) for f in draft.facts]
    if draft.computed_value is not None and draft.computation:
        out.append(Value(value=draft.computed_value, unit=draft.computed_unit or "",
                         raw=draft.computation.rsplit(" = ", 1)[-1], computed=True,
                         operands=[f.id for f in draft.facts], doc=draft.facts[0].doc if draft.facts else ""))
    return out


def citations_for(index: QAIndex, draft: Draft) -> list[Citation]:
    """One citation per cited sentence, with the facts' raw text highlighted inside it."""
    by_span: dict[tuple[str, int, int], list[tuple[int, int]]] = {}
    for f in draft.facts:
        key = (f.passage_id, f.sentence_start, f.sentence_end)
        by_span.setdefault(key, []).append((f.start - f.sentence_start, f.end - f.sentence_start))
    for passage_id, a, b, hl in draft.extra_citations or []:
        by_span.setdefault((passage_id, a, b), []).extend(hl)
    out = []
    for (passage_id, a, b), hls in by_span.items():
        p = index.passage_by_id[passage_id]  # a lookup, not a scan of every passage
        d = index.documents[p.doc]
        out.append(Citation(doc=p.doc, doc_title=d.title, passage_id=p.id, section=p.section, text=d.text[a:b],
                            start=a, end=b, highlights=sorted(set(hls))))
    return out


def _citation_of(cits: list[Citation], doc: str, start: int, end: int) -> int | None:
    for i, c in enumerate(cits):
        if c.doc == doc and c.start <= start and end <= c.end:
            return i
    return None


def table_of(draft: Draft, cits: list[Citation]) -> list[TableRow]:
    """``Answer.table``: one row per report asked (``qa.answer.across.Row``), with the index of the
    citation that states its figure (or its sentence)."""
    out = []
    for r in draft.rows or []:
        if r.draft is None:
            out.append(TableRow(doc=r.doc, report=r.label, answered=False, answer="not stated in this report"))
            continue
        f = r.figure
        first = f or (r.draft.facts[0] if r.draft.facts else None)
        cit = None
        if first is not None:
            cit = _citation_of(cits, first.doc, first.sentence_start, first.sentence_end)
        elif r.draft.extra_citations:
            pid, a, b, _ = r.draft.extra_citations[0]
            cit = _citation_of(cits, r.doc, a, b)
        out.append(TableRow(doc=r.doc, report=r.label, answered=True, answer=r.draft.text,
                            value=f.value if f else None, unit=(f.unit or "") if f else "", raw=f.raw if f else "",
                            fact_id=f.id if f else None, citation=cit))
    return out


def finish(draft: Draft, q: Query, index: QAIndex, related, timings, t0) -> Answer:
    timings["total"] = (time.perf_counter() - t0) * 1e3
    cits = citations_for(index, draft)
    return Answer(question=q.question, resolved_question=q.resolved, answered=True, answer=draft.text,
                  confidence=draft.confidence, kind=draft.kind, facts=[fact_out(f) for f in draft.facts],
                  values=values_of(draft),
                  citations=cits, related=related[:3],
                  computation=draft.computation, table=table_of(draft, cits),
                  timings_ms={k: round(v, 2) for k, v in timings.items()})


def abstain(q: Query, reason: str, related, timings, t0) -> Answer:
    timings["total"] = (time.perf_counter() - t0) * 1e3
    return Answer(question=q.question, resolved_question=q.resolved, answered=False,
                  answer=f"The report does not say: {reason}. The closest passages are listed as related reading.",
                  confidence=0.0, kind=q.kind, related=related[:3],
                  timings_ms={k: round(v, 2) for k, v in timings.items()})

