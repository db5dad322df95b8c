"""Typed objects that cross the library boundary: the ``Answer`` contract and its parts.

One function (``qa.answer.answer``) builds an ``Answer``; the JSON API returns it as is, the
HTML chat renders the same object, and ``qa ask --json`` prints it. Fields may be added, never
renamed. ``FactOut`` is the one model of a fact: an answer's facts and the fact table
(``/api/facts``) both use it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from qa.facts.model import KINDS

FactKind = Literal[KINDS]  # type: ignore[valid-type]


class FactOut(BaseModel):
    """One figure, date, person, organisation or place of a report, with its exact span."""

    id: str = Field(description="stable id of the fact")
    kind: FactKind = Field(description="what sort of fact it is")  # type: ignore[valid-type]
    value: int | float | None = Field(default=None, description="the normalized number (yuan, people, %, "
                                                                "km2, ...); null for names and places")
    unit: str = Field(default="", description="unit of value, e.g. yuan, people, %")
    raw: str = Field(description="the fact as the report writes it")
    measure: str = Field(default="", description="what the figure measures")
    subject: str = Field(default="", description="who or what it is about")
    period: str = Field(default="", description="the period it covers, as written")
    period_start: int | None = Field(default=None, description="first year of the period")
    period_end: int | None = Field(default=None, description="last year of the period")
    qualifier: str = Field(default="", description="e.g. 'more than', 'about'")
    part_of: str = Field(default="", description="id of the total this figure is a part of, if any")
    name: str = Field(default="", description="the name, for people, organisations and places")
    role: str = Field(default="", description="a person's role")
    doc: str = Field(default="", description="document id")
    passage_id: str = Field(default="", description="the passage that holds it")
    section: str = Field(default="", description="the section of the report")
    start: int = Field(default=0, description="offset of raw in the document")
    end: int = 0
    sentence: str = Field(default="", description="the whole sentence that states it")
    sentence_start: int = Field(default=0, description="offset of the sentence in the document")
    sentence_end: int = 0

    @field_validator("unit", "measure", "subject", "period", "qualifier", "part_of", "name", "role", "doc",
                     "passage_id", "section", "sentence", mode="before")
    @classmethod
    def _none_is_empty(cls, v: object) -> object:
        return "" if v is None else v


class Value(BaseModel):
    """One value an answer states, in the order it states them: a fact, or a computed result."""

    value: int | float | None = Field(description="the normalized number; null for names and places")
    unit: str = Field(default="", description="unit of value, e.g. yuan, people, %")
    raw: str = Field(description="the value as the answer writes it")
    fact_id: str | None = Field(default=None, description="the fact it is; null for a computed value")
    computed: bool = Field(default=False, description="true for a sum, difference, share, average ...")
    operands: list[str] = Field(default_factory=list, description="ids of the facts a computed value is "
                                                                  "computed from (see computation)")
    doc: str = Field(default="", description="document id")


class Citation(BaseModel):
    doc: str
    doc_title: str = ""
    passage_id: str
    section: str
    text: str = Field(description="verbatim snippet of the document")
    start: int = Field(description="offset of the snippet in the document")
    end: int
    highlights: list[Annotated[list[int], Field(min_length=2, max_length=2)]] = Field(
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


class TableRow(BaseModel):
    """One report's line of an answer across reports: its value (or why it has none) and the index
    of the citation that states it."""

    doc: str = Field(description="document id of the report")
    report: str = Field(description="the report as the answer names it, e.g. 'Qinghai, 2010'")
    answered: bool = Field(description="false when this report does not state it")
    answer: str = Field(description="this report's answer, or why it has none")
    value: int | float | None = Field(default=None, description="the normalized number, if one figure answers")
    unit: str = Field(default="", description="unit of value")
    raw: str = Field(default="", description="the figure as the report writes it")
    fact_id: str | None = Field(default=None, description="the fact it is")
    citation: int | None = Field(default=None, description="index in ``citations`` of the sentence that states it")


class Answer(BaseModel):
    question: str
    resolved_question: str
    answered: bool
    answer: str
    confidence: float = Field(ge=0.0, le=1.0)
    kind: str = ""
    facts: list[FactOut] = Field(default_factory=list)
    values: list[Value] = Field(default_factory=list, description="each value the answer states, in order")
    citations: list[Citation] = Field(default_factory=list)
    related: list[RelatedPassage] = Field(default_factory=list)
    computation: str | None = None
    table: list[TableRow] = Field(default_factory=list, description="for a question across reports: one "
                                  "row per report (report | value | citation), in the order the answer gives them")
    timings_ms: dict[str, float] = Field(default_factory=dict)
