"""Typed objects that cross the library boundary: the ``Answer`` contract and its parts.

One function (``qa.answer.answer``) builds an ``Answer``; the JSON API returns it as is, the
HTML chat renders the same object, and ``qa ask --json`` prints it. Fields may be added, never
renamed.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class FactOut(BaseModel):
    id: str
    kind: str
    value: float | None = None
    unit: str = ""
    raw: str
    measure: str = ""
    subject: str = ""
    period: str = ""
    qualifier: str = ""
    doc: str = ""
    passage_id: str = ""
    section: str = ""
    start: int = 0
    end: int = 0


class Citation(BaseModel):
    doc: str
    doc_title: str = ""
    passage_id: str
    section: str
    text: str = Field(description="verbatim snippet of the document")
    start: int = Field(description="offset of the snippet in the document")
    end: int
    highlights: list[tuple[int, int]] = Field(
        default_factory=list, description="[start, end) of highlighted phrases, relative to the snippet"
    )


class RelatedPassage(BaseModel):
    doc: str
    passage_id: str
    section: str
    text: str
    start: int
    end: int
    score: float


class Answer(BaseModel):
    question: str
    resolved_question: str
    answered: bool
    answer: str
    confidence: float = Field(ge=0.0, le=1.0)
    kind: str = ""
    facts: list[FactOut] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    related: list[RelatedPassage] = Field(default_factory=list)
    computation: str | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)
