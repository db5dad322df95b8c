"""Answer composition (placeholder: answers with the top passage until the fact-based answerer lands)."""

from __future__ import annotations

import time

from qa.index import QAIndex
from qa.models import Answer, Citation, RelatedPassage


def answer(index: QAIndex, question: str, history: list[str] | None = None) -> Answer:
    """Turn a question (and the earlier questions of the conversation) into one ``Answer``."""
    t0 = time.perf_counter()
    hits = index.search(question, 5)
    related = [RelatedPassage(doc=p.doc, passage_id=p.id, section=p.section, text=p.text, start=p.start,
                              end=p.end, score=h.score) for p, h in hits]
    if not hits:
        return Answer(question=question, resolved_question=question, answered=False,
                      answer="The report does not say.", confidence=0.0, related=related)
    p, _ = hits[0]
    cit = Citation(doc=p.doc, passage_id=p.id, section=p.section, text=p.text, start=p.start, end=p.end,
                   highlights=[(0, min(40, len(p.text)))])
    return Answer(question=question, resolved_question=question, answered=True, answer=p.text,
                  confidence=0.5, citations=[cit], related=related,
                  timings_ms={"total": (time.perf_counter() - t0) * 1000})
