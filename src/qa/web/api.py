"""JSON routes under ``/api``: each route parses its input and makes one call into ``qa.service``,
which the HTML pages call too, so each page shows the object its JSON twin returns.

Routes that do real work are plain ``def``: FastAPI runs them in its threadpool, so a slow
answer never blocks the event loop.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response

from qa import service
from qa.answer.models import Answer
from qa.errors import Forbidden, IndexLoadError, QAError, Unauthorized
from qa.index.load import QAIndex
from qa.schemas import (
    MAX_HISTORY,
    MAX_K,
    MAX_LIMIT,
    AskRequest,
    ErrorResponse,
    FactsResponse,
    FeedbackRequest,
    FeedbackResponse,
    HealthResponse,
    PassageResponse,
    ReloadResponse,
    SearchResponse,
)
from qa.web.errors import validate_ask

ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorResponse} for s in (400, 404, 413, 422, 500, 503, 504)
}


router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


def current_index(request: Request) -> QAIndex:
    """The index of this request (a reload swaps the holder's reference, not this one)."""
    return request.app.state.holder.index


Index = Annotated[QAIndex, Depends(current_index)]


@router.post("/ask", response_model=Answer)
def ask_post(body: AskRequest, index: Index) -> Answer:
    """Answer a question, using the earlier questions of the conversation for follow-ups."""
    return service.ask(index, body.question, body.history)


@router.get("/ask", response_model=Answer)
def ask_get(index: Index, question: Annotated[str, Query(max_length=1000)] = "",
            history: Annotated[list[str], Query(max_length=MAX_HISTORY)] = []) -> Answer:  # noqa: B006
    """Answer a question given in the query string (the JSON twin of a chat turn)."""
    req = validate_ask(question, history)
    return service.ask(index, req.question, req.history)


@router.get("/search", response_model=SearchResponse)
def search(index: Index, q: Annotated[str, Query(min_length=1, max_length=1000)],
           k: Annotated[int, Query(ge=1, le=MAX_K)] = 8,
           mode: Literal["hybrid", "dense", "bm25"] = "hybrid") -> SearchResponse:
    """Top passages for a query, with the fused, dense and BM25 scores."""
    validate_ask(q, [])
    return service.search(index, q.strip(), k, mode)


@router.get("/facts", response_model=FactsResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}})
def facts(index: Index, kind: Annotated[str | None, Query(max_length=40)] = None,
          section: Annotated[str | None, Query(max_length=200)] = None,
          q: Annotated[str | None, Query(max_length=200)] = None,
          limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
          offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
          sort: Annotated[str, Query(max_length=40)] = "start",
          format: Literal["json", "csv"] = "json") -> Any:
    """The fact table, filtered by kind, section or text; JSON, or CSV with format=csv."""
    resp = service.facts(index, kind=kind, section=section, q=q, limit=limit, offset=offset, sort=sort)
    if format == "csv":
        return Response(service.facts_csv(resp), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="facts.csv"'})
    return resp


@router.get("/passages/{passage_id}", response_model=PassageResponse)
def passage(passage_id: str, index: Index,
            hl: Annotated[str | None, Query(max_length=1000, description="ranges like 12-20,40-52")] = None,
            dhl: Annotated[str | None, Query(max_length=1000, description="ranges, document offsets")] = None,
            ) -> PassageResponse:
    """One passage with its place in the document and the highlight ranges given in hl (or dhl)."""
    return service.passage(index, passage_id, hl, dhl)


@router.get("/health", response_model=HealthResponse)
def health_route(request: Request) -> HealthResponse:
    """Index manifest summary: documents, model, counts and build time."""
    return service.health(request.app.state.holder.index, request.app.state.holder.loaded_at)


@router.post("/feedback", response_model=FeedbackResponse)
def feedback(body: FeedbackRequest, request: Request) -> FeedbackResponse:
    """Store a thumbs up or down on an answer, with an optional correction."""
    return FeedbackResponse(id=service.feedback(request.app.state.settings, body))


def is_loopback(host: str | None) -> bool:
    """True for a loopback client address (127.0.0.0/8, ::1, an IPv4-mapped loopback)."""
    try:
        addr = ipaddress.ip_address((host or "").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(addr, "ipv4_mapped", None)
    return bool(addr.is_loopback or (mapped is not None and mapped.is_loopback))


@router.post("/admin/reload", response_model=ReloadResponse,
             responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
def reload_index(request: Request, authorization: Annotated[str | None, Header(max_length=500)] = None,
                 x_admin_token: Annotated[str | None, Header(max_length=500)] = None) -> ReloadResponse:
    """Load the index again from disk and swap it in; a failed load keeps the old one."""
    token = request.app.state.settings.admin_token
    if token:
        given = x_admin_token or (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise Unauthorized("a valid admin token is required (Authorization: Bearer …)")
    elif not is_loopback(request.client.host if request.client else None):
        raise Forbidden("without an admin token (QA_ADMIN_TOKEN) reload is only allowed "
                                           "from this machine (127.0.0.1 or ::1)")
    try:
        index = request.app.state.holder.reload()
    except IndexLoadError as exc:
        raise QAError(f"reload failed, still serving the old index: {exc}", status=500, code="reload_failed") from None
    return ReloadResponse(counts={k: int(v) for k, v in (index.manifest.get("counts") or {}).items()},
                          built_at=index.manifest.get("built_at"), index_path=str(index.path))

