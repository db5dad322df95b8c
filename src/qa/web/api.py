"""JSON routes under ``/api``: each route parses its input and makes one call into ``qa.service``,
which the HTML pages call too, so each page shows the object its JSON twin returns.

Every rule a parameter obeys is declared here or in ``qa.schemas`` and so is in ``/openapi.json``
(checked by schemathesis against a running server: ``tests/contract/run_schemathesis.py``). Routes
that do real work are plain ``def``: FastAPI runs them in its threadpool, so a slow answer never
blocks the event loop.
"""

from __future__ import annotations

import email.message
import hmac
import ipaddress
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Security
from fastapi.responses import Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from qa import service
from qa.answer.models import Answer, FactKind
from qa.errors import Forbidden, IndexLoadError, QAError, Unauthorized
from qa.index.load import QAIndex
from qa.schemas import (
    ID_PATTERN,
    MAX_K,
    MAX_LIMIT,
    MAX_SCOPE,
    MAX_YEAR,
    MEASURE_RULE,
    MIN_YEAR,
    QUESTION_PATTERN,
    QUESTION_RULE,
    RANGES_PATTERN,
    RANGES_RULE,
    REGION_RULE,
    REPORTS_RULE,
    TEXT_PATTERN,
    TEXT_RULE,
    UNIT_RULE,
    YEAR_RULE,
    AskRequest,
    FactsResponse,
    FeedbackRequest,
    FeedbackResponse,
    HealthResponse,
    History,
    PassageResponse,
    ReloadResponse,
    ReportId,
    SearchResponse,
    SeriesResponse,
    SortKey,
)
from qa.web import openapi_docs as docs
from qa.web.errors import ApiError, validate_ask

router = APIRouter(prefix="/api", tags=["api"])


def current_index(request: Request) -> QAIndex:
    """The index of this request (a reload swaps the holder's reference, not this one)."""
    return request.app.state.holder.index


def require_json(request: Request) -> None:
    """415 unless the body says it is JSON (``application/json`` or ``+json``): a form post, text or a
    body without Content-Type would otherwise get a puzzling 422 (FastAPI reads JSON only when told)."""
    value = request.headers.get("content-type", "")
    msg = email.message.Message()
    msg["content-type"] = value
    sub = msg.get_content_subtype()
    if msg.get_content_maintype() != "application" or not (sub == "json" or sub.endswith("+json")):
        raise ApiError(415, "unsupported_media_type",
                       f"send JSON: the body must be a JSON object with Content-Type: application/json, "
                       f"not {value[:60] or 'a body without Content-Type'}")


Index = Annotated[QAIndex, Depends(current_index)]
QuestionQuery = Annotated[str, Query(min_length=1, max_length=1000, pattern=QUESTION_PATTERN,
                                     description=f"the question: {QUESTION_RULE}",
                                     openapi_examples=docs.param_examples("ask_get", "question"))]
# Repeated: ?reports=a&reports=b. The schema's enum of ids is the loaded index's (qa.web.openapi_docs).
ReportsQuery = Annotated[list[ReportId], Query(max_length=MAX_SCOPE, description=REPORTS_RULE)]
JSON_BODY = [Depends(require_json)]
# The schema's regions and years are the loaded index's too (qa.web.openapi_docs.with_index_values).
RegionQuery = Annotated[str | None, Query(max_length=100, pattern=TEXT_PATTERN, description=REGION_RULE)]
YearQuery = Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description=YEAR_RULE)]


@router.post("/ask", response_model=Answer, summary="Answer a question (JSON body)", dependencies=JSON_BODY,
             responses={**docs.ok("ask_post"), **docs.errors(400, 413, 415, 422, 500, 503, 504)})
def ask_post(body: Annotated[AskRequest, Body(openapi_examples=docs.body_examples("ask_post"))],
             index: Index) -> Answer:
    """Answer a question, using the earlier questions of the conversation for follow-ups.

    `values` lists each value the answer states, in order; a computed one (a sum, difference, share
    ...) has `computed: true` and the ids of its operand facts."""
    return service.ask(index, body.question, body.history, reports=body.reports)


@router.get("/ask", response_model=Answer, summary="Answer a question (query string)",
            responses={**docs.ok("ask_get"), **docs.errors(422, 500, 503, 504)})
def ask_get(index: Index, question: QuestionQuery,
            history: Annotated[History, Query()] = [],  # noqa: B006
            reports: ReportsQuery = []) -> Answer:  # noqa: B006
    """Answer a question given in the query string (the JSON twin of a chat turn)."""
    req = validate_ask(question, history)
    return service.ask(index, req.question, req.history, reports=reports)


@router.get("/search", response_model=SearchResponse, summary="Search passages",
            responses={**docs.ok("search"), **docs.errors(422, 500)})
def search(index: Index,
           q: Annotated[str, Query(min_length=1, max_length=1000, pattern=QUESTION_PATTERN,
                                   description=f"the query: {QUESTION_RULE}",
                                   openapi_examples=docs.param_examples("search", "q"))],
           k: Annotated[int, Query(ge=1, le=MAX_K, description="number of passages")] = 8,
           mode: Literal["hybrid", "dense", "bm25"] = "hybrid",
           reports: ReportsQuery = []) -> SearchResponse:  # noqa: B006
    """Top passages for a query, with the fused, dense and BM25 scores."""
    return service.search(index, q.strip(), k, mode, reports=reports)


FilterText = Annotated[str | None, Query(max_length=200, pattern=TEXT_PATTERN)]


@router.get("/facts", response_model=FactsResponse, summary="The fact table",
            responses={**docs.ok("facts", **{"text/csv": {"schema": {"type": "string"}}}),
                       **docs.errors(422, 500)})
def facts(index: Index,
          kind: Annotated[FactKind | None, Query(description="only facts of this kind",  # type: ignore[valid-type]
                                                 openapi_examples=docs.param_examples("facts", "kind"))] = None,
          section: Annotated[str | None, Query(max_length=200, pattern=TEXT_PATTERN,
                                               description=f"only this section (exact title), {TEXT_RULE}",
                                               openapi_examples=docs.param_examples("facts", "section"))] = None,
          q: Annotated[str | None, Query(max_length=200, pattern=TEXT_PATTERN,
                                         description="text in the fact, its measure, subject, name or "
                                                     f"sentence (any case), {TEXT_RULE}")] = None,
          limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
          offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
          sort: Annotated[SortKey, Query(description="a column; -column for descending")] = "start",  # type: ignore[valid-type]
          format: Annotated[Literal["json", "csv"], Query(description="csv: text/csv with a header row")] = "json",
          reports: ReportsQuery = [],  # noqa: B006
          region: RegionQuery = None, year: YearQuery = None,
          measure: Annotated[str | None, Query(max_length=200, pattern=TEXT_PATTERN, description=MEASURE_RULE,
                                               openapi_examples=docs.param_examples("series", "measure"))] = None,
          ) -> Any:
    """The fact table, filtered by kind, section, text, report (ids, region, year) or measure; JSON,
    or CSV with format=csv."""
    resp = service.facts(index, kind=kind, section=section, q=q, limit=limit, offset=offset, sort=sort,
                         reports=reports, region=region, year=year, measure=measure)
    if format == "csv":
        return Response(service.facts_csv(resp), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="facts.csv"'})
    return resp


@router.get("/series", response_model=SeriesResponse, summary="One measure across reports",
            responses={**docs.ok("series"), **docs.errors(422, 500)})
def series(index: Index,
           measure: Annotated[str, Query(min_length=1, max_length=200, pattern=QUESTION_PATTERN,
                                         description=MEASURE_RULE,
                                         openapi_examples=docs.param_examples("series", "measure"))],
           region: RegionQuery = None, year: YearQuery = None,
           unit: Annotated[str | None, Query(max_length=60, pattern=TEXT_PATTERN, description=UNIT_RULE)] = None,
           reports: ReportsQuery = []) -> SeriesResponse:  # noqa: B006
    """One measure across the reports in scope: one bar per report, the report's best-matching
    figure, all in one unit; with what it compares in words and what it left out."""
    return service.series(index, measure, reports=reports, region=region, year=year, unit=unit)


@router.get("/passages/{passage_id}", response_model=PassageResponse, summary="One passage",
            responses={**docs.ok("passage"), **docs.errors(404, 422, 500)})
def passage(index: Index,
            passage_id: Annotated[str, Path(pattern=ID_PATTERN, description="a passage id, as in citations",
                                            openapi_examples=docs.param_examples("passage", "passage_id"))],
            hl: Annotated[str | None, Query(pattern=RANGES_PATTERN,
                                            description=f"{RANGES_RULE}; offsets in the passage text",
                                            openapi_examples=docs.param_examples("passage", "hl"))] = None,
            dhl: Annotated[str | None, Query(pattern=RANGES_PATTERN,
                                             description=f"{RANGES_RULE}; offsets in the document")] = None,
            ) -> PassageResponse:
    """One passage with its place in the document and the highlight ranges given in hl (or dhl)."""
    return service.passage(index, passage_id, hl, dhl)


@router.get("/health", response_model=HealthResponse, summary="Index summary",
            responses={**docs.ok("health"), **docs.errors(500)})
def health_route(request: Request) -> HealthResponse:
    """Index manifest summary: documents, model, counts and build time."""
    return service.health(request.app.state.holder.index, request.app.state.holder.loaded_at)


@router.post("/feedback", response_model=FeedbackResponse, summary="Vote on an answer", dependencies=JSON_BODY,
             responses={**docs.ok("feedback"), **docs.errors(400, 413, 415, 422, 500, 503)})
def feedback(body: Annotated[FeedbackRequest, Body(openapi_examples=docs.body_examples("feedback"))],
             request: Request) -> FeedbackResponse:
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


ADMIN_BEARER = HTTPBearer(auto_error=False, scheme_name="adminBearer",
                          description="Authorization: Bearer <QA_ADMIN_TOKEN>")
ADMIN_HEADER = APIKeyHeader(name="X-Admin-Token", auto_error=False, scheme_name="adminToken",
                            description="X-Admin-Token: <QA_ADMIN_TOKEN>")


@router.post("/admin/reload", response_model=ReloadResponse, summary="Reload the index",
             # The token is optional ({}): without QA_ADMIN_TOKEN, clients on this machine need none.
             openapi_extra={"security": [{}]},
             responses={**docs.ok("reload"), **docs.errors(401, 403, 500)})
def reload_index(request: Request,
                 bearer: Annotated[HTTPAuthorizationCredentials | None, Security(ADMIN_BEARER)] = None,
                 x_admin_token: Annotated[str | None, Security(ADMIN_HEADER)] = None) -> ReloadResponse:
    """Load the index again from disk and swap it in; a failed load keeps the old one.

    With QA_ADMIN_TOKEN set, the token is required (either header); without it, only clients on
    this machine (127.0.0.1 or ::1) may reload."""
    token = request.app.state.settings.admin_token
    if token:
        given = x_admin_token or (bearer.credentials if bearer else "")
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
