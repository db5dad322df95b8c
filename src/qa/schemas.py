"""Pydantic models of the HTTP API (requests and responses), besides the ``Answer`` contract.

Every rule a request model applies is one the OpenAPI schema states: lengths, enums and the text
rules are JSON Schema ``pattern``s, and the server checks text with those same patterns (one
regular expression, read the same way by JSON Schema, Python and pydantic's Rust engine: only
``\\xHH``/``\\uHHHH`` escapes and explicit character classes, no ``\\s``/``\\d``, whose meaning differs
between them). Request models are strict (``0`` is not ``false``, ``5`` is not ``"5"``).
``POST /api/ask`` ignores unknown fields, so that clients that send extra keys keep working (the
schema says so); ``POST /api/feedback`` refuses them (``additionalProperties: false``): a vote is
stored, and a misspelt field must not be dropped silently.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from qa.answer.models import FactOut
from qa.facts.store import COLUMNS

MAX_QUESTION = 1000
MAX_HISTORY = 20
MAX_K = 50
MAX_LIMIT = 1000
MAX_RANGES = 50

# Control characters no question contains (tab, newline and carriage return are allowed).
CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
# Whitespace that ``str.strip`` removes and that is not a control character.
SPACE = r"\t\n\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TEXT_PATTERN = rf"^[^{CONTROL}]*$"
QUESTION_PATTERN = rf"^[{SPACE}]*[^{CONTROL}{SPACE}][^{CONTROL}]*$"
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
RANGE = r"[0-9]{1,7}-[0-9]{1,7}"
RANGES_PATTERN = rf"^({RANGE}(,{RANGE}){{0,{MAX_RANGES - 1}}})?$"
KIND_PATTERN = r"^[a-z_]*$"


def _as_json_schema_reads_it(pattern: str) -> re.Pattern[str]:
    # JSON Schema (ECMA 262) and pydantic's Rust engine end a match at "$" only at the end of the
    # text; Python's "$" also matches before a final newline. "\Z" is the Python for the former.
    return re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)


CONTROL_RE = re.compile(f"[{CONTROL}]")
TEXT_RE = _as_json_schema_reads_it(TEXT_PATTERN)
QUESTION_RE = _as_json_schema_reads_it(QUESTION_PATTERN)
ID_RE = _as_json_schema_reads_it(ID_PATTERN)
RANGE_RE = re.compile(RANGE)
RANGES_RE = _as_json_schema_reads_it(RANGES_PATTERN)

TEXT_RULE = "no control characters (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+007F)"
QUESTION_RULE = f"1-{MAX_QUESTION} characters, not only whitespace, {TEXT_RULE}; leading and trailing " \
                "whitespace is removed"
RANGES_RULE = (f"highlight ranges 'start-end' joined by commas, at most {MAX_RANGES}, e.g. 12-20,40-52; "
               "offsets past the end are clamped, a range with start >= end is ignored")

SortKey = Literal[tuple(c for col in COLUMNS for c in (col, f"-{col}"))]  # type: ignore[valid-type]
FACT_SORTS: tuple[str, ...] = SortKey.__args__  # type: ignore[attr-defined]


def _strip(value: str) -> str:
    return value.strip()


Question = Annotated[str, StringConstraints(min_length=1, max_length=MAX_QUESTION, pattern=QUESTION_PATTERN),
                     AfterValidator(_strip)]
Text = Annotated[str, StringConstraints(max_length=MAX_QUESTION, pattern=TEXT_PATTERN)]
History = Annotated[list[Text], Field(max_length=MAX_HISTORY,
                                      description="earlier questions of the conversation, oldest first, "
                                                  f"at most {MAX_HISTORY}; each up to {MAX_QUESTION} "
                                                  f"characters, {TEXT_RULE}")]
MAX_SCOPE = 100
ReportId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=ID_PATTERN)]
REPORTS_RULE = (f"ids of indexed reports (see /api/health), at most {MAX_SCOPE}: only these reports are "
                "searched and cited; none or empty: all of them. An id that is not indexed is a 422")
Reports = Annotated[list[ReportId], Field(max_length=MAX_SCOPE, description=REPORTS_RULE)]
Range = Annotated[list[int], Field(min_length=2, max_length=2, description="[start, end) offsets")]


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="machine-readable error code, e.g. not_found, validation_error")
    message: str = Field(description="one human-readable sentence")


class ErrorResponse(BaseModel):
    """The one error shape of every endpoint."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorBody


class AskRequest(BaseModel):
    """A question and the earlier questions of its conversation; unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", strict=True, json_schema_extra={"additionalProperties": True})

    question: Question = Field(description=f"the question: {QUESTION_RULE}")
    history: History = Field(default_factory=list)
    reports: Reports = Field(default_factory=list)


class SearchHit(BaseModel):
    passage_id: str
    doc: str
    section: str
    text: str
    start: int
    end: int
    score: float
    dense: float | None = None
    bm25: float | None = None


class SearchResponse(BaseModel):
    query: str
    k: int
    mode: Literal["hybrid", "dense", "bm25"]
    hits: list[SearchHit]


class FactsResponse(BaseModel):
    total: int = Field(description="facts matching the filters, before limit/offset")
    limit: int
    offset: int
    sort: SortKey  # type: ignore[valid-type]
    facts: list[FactOut]


class PassageResponse(BaseModel):
    id: str
    doc: str
    doc_title: str
    section: str
    item: str = ""
    text: str
    start: int = Field(description="offset of the passage in the document")
    end: int
    order: int
    highlights: list[Range] = Field(default_factory=list, description="[start, end) relative to the passage text")
    prev_id: str | None = None
    next_id: str | None = None
    source_url: str | None = None


class DocumentInfo(BaseModel):
    id: str
    title: str
    region: str | None = None
    year: int | None = None
    source_url: str | None = None


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"
    model: str
    documents: list[DocumentInfo]
    counts: dict[str, int]
    built_at: str | None = None
    build_seconds: float | None = None
    format_version: int | None = None
    index_path: str
    loaded_at: str


class FeedbackRequest(BaseModel):
    """A thumbs up or down on an answer; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)

    question: Question = Field(description=f"the question that was answered: {QUESTION_RULE}")
    history: History = Field(default_factory=list)
    answer: Annotated[str, StringConstraints(max_length=5000, pattern=TEXT_PATTERN)] = Field(
        default="", description=f"the answer text as shown, up to 5000 characters, {TEXT_RULE}")
    vote: Literal["up", "down"]
    correction: Text | None = Field(default=None, description="the right answer, in the user's words, up to "
                                                              f"{MAX_QUESTION} characters, {TEXT_RULE}")
    kind: Annotated[str, StringConstraints(max_length=40, pattern=KIND_PATTERN)] = Field(
        default="", description="the answer's kind as the API returned it (lower-case letters and _)")
    answered: bool | None = Field(default=None, description="whether the answer answered (true) or declined")


class FeedbackResponse(BaseModel):
    id: int
    stored: bool = True


class ReloadResponse(BaseModel):
    status: Literal["reloaded"] = "reloaded"
    counts: dict[str, int]
    built_at: str | None = None
    index_path: str


# -- the series view (qa.facts.series) ----------------------------------------------------------------

MIN_YEAR, MAX_YEAR = 1900, 2100
REGION_RULE = (f"only reports of this region (any case, as in /api/health), up to 100 characters, {TEXT_RULE}; "
               "a region no indexed report has is a 422")
YEAR_RULE = f"only reports of this year ({MIN_YEAR}-{MAX_YEAR}); a year no indexed report has is a 422"
MEASURE_RULE = ("only figures whose measure (or the words of their own clause) match these words, in any "
                "form, or their synonyms in the domain lexicon, e.g. 'poor population'; up to 200 "
                f"characters, {TEXT_RULE}")
UNIT_RULE = f"the unit to draw (e.g. people, yuan, %); default: the unit most reports have; {TEXT_RULE}"


class SeriesFact(FactOut):
    """A figure that matches the measure, how well (0..1) and where to read it."""

    score: float = Field(description="how well its measure matches the words asked, 0..1")
    passage_url: str = Field(description="the passage page with the figure highlighted")


class SeriesBar(BaseModel):
    report: str = Field(description="report id")
    label: str = Field(description="the report as the chart names it, e.g. 'Qinghai, 2011'")
    region: str | None = None
    year: int | None = None
    value: int | float = Field(description="the figure's normalized value, in the chart's unit")
    text: str = Field(description="the figure as written, with its qualifier, e.g. 'more than 300 million'")
    period_note: str = Field(default="", description="set when the figure is dated otherwise than its report")
    fact: SeriesFact = Field(description="the figure drawn: the report's best match")
    others: list[SeriesFact] = Field(default_factory=list,
                                     description="the report's other matching figures in this unit")


class SeriesMissing(BaseModel):
    report: str
    label: str
    facts: list[SeriesFact] = Field(default_factory=list, description="figures of the report that have the words "
                                    "asked only in their sentence, not in their measure, while other reports' "
                                    "figures measure them: not drawn")


class SeriesResponse(BaseModel):
    measure: str = Field(description="the words asked")
    unit: str | None = Field(description="the unit of every bar; null when nothing matches")
    order: Literal["year", "region", "region, then year"] = Field(description="how the bars are ordered")
    description: str = Field(description="what the chart compares, in words, with every figure drawn")
    notes: list[str] = Field(description="what the chart left out and why")
    bars: list[SeriesBar]
    other_units: dict[str, list[SeriesFact]] = Field(
        description="matching figures in other units, not drawn, by unit (ask again with unit=...)")
    missing: list[SeriesMissing] = Field(description="reports in scope without a bar: no matching figure in the "
                                                     "unit, or only weaker ones (facts)")
