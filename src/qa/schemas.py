"""Pydantic models of the HTTP API (requests and responses), besides the ``Answer`` contract.

Request models ignore unknown fields (a client sending extra keys still gets an answer) and
reject what cannot be answered: empty or whitespace questions, over-long text, too much history,
and control characters (NUL and friends) that no question contains.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_QUESTION = 1000
MAX_HISTORY = 20
MAX_K = 50
MAX_LIMIT = 1000
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(value: str) -> str:
    if CONTROL_RE.search(value):
        raise ValueError("must not contain control characters")
    return value


def _question(value: str) -> str:
    _clean_text(value)
    if not value.strip():
        raise ValueError("question must not be empty or whitespace")
    return value.strip()


Question = Annotated[str, Field(min_length=1, max_length=MAX_QUESTION), AfterValidator(_question)]
Text = Annotated[str, Field(max_length=MAX_QUESTION), AfterValidator(_clean_text)]


class ErrorBody(BaseModel):
    code: str = Field(description="machine-readable error code, e.g. not_found, validation_error")
    message: str = Field(description="one human-readable sentence")


class ErrorResponse(BaseModel):
    """The one error shape of every endpoint."""

    error: ErrorBody


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: Question = Field(description="the question, 1..1000 characters, not only whitespace")
    history: list[Text] = Field(default_factory=list, max_length=MAX_HISTORY,
                                description="earlier questions of the conversation, oldest first")


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
    mode: str
    hits: list[SearchHit]


class FactsResponse(BaseModel):
    total: int = Field(description="facts matching the filters, before limit/offset")
    limit: int
    offset: int
    sort: str
    facts: list[dict[str, Any]]


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
    highlights: list[tuple[int, int]] = Field(default_factory=list,
                                              description="[start, end) relative to the passage text")
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
    model_config = ConfigDict(extra="ignore")

    question: Question
    history: list[Text] = Field(default_factory=list, max_length=MAX_HISTORY)
    answer: Annotated[str, Field(max_length=5000), AfterValidator(_clean_text)] = ""
    vote: Literal["up", "down"]
    correction: Text | None = Field(default=None, description="the right answer, in the user's words")
    kind: Annotated[str, Field(max_length=40)] = ""
    answered: bool | None = None


class FeedbackResponse(BaseModel):
    id: int
    stored: bool = True


class ReloadResponse(BaseModel):
    status: Literal["reloaded"] = "reloaded"
    counts: dict[str, int]
    built_at: str | None = None
    index_path: str
