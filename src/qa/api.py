"""JSON routes under ``/api``. The HTML pages call the same functions, so each page shows the
object its JSON twin returns.

Routes that do real work are plain ``def``: FastAPI runs them in its threadpool, so a slow
answer never blocks the event loop.
"""

from __future__ import annotations

import csv
import hmac
import io
import ipaddress
import logging
import os
import queue
import re
import sqlite3
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, is_dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from qa.feedback import add_feedback
from qa.index import IndexLoadError, QAIndex
from qa.models import Answer
from qa.schemas import (
    CONTROL_RE,
    MAX_HISTORY,
    MAX_K,
    MAX_LIMIT,
    AskRequest,
    DocumentInfo,
    ErrorResponse,
    FactsResponse,
    FeedbackRequest,
    FeedbackResponse,
    HealthResponse,
    PassageResponse,
    ReloadResponse,
    SearchHit,
    SearchResponse,
)

__all__ = ["ErrorResponse", "router"]

FACT_FIELDS = ["id", "doc", "passage_id", "section", "sentence", "sentence_start", "sentence_end", "kind",
               "value", "unit", "raw", "start", "end", "measure", "subject", "period", "period_start",
               "period_end", "qualifier", "part_of", "name", "role"]
ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
HL_RE = re.compile(r"^\s*(\d{1,7})\s*-\s*(\d{1,7})\s*$")
ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorResponse} for s in (400, 404, 413, 422, 500, 503, 504)
}

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)
log = logging.getLogger("qa.api")

# The time budget of one answer: past it the client gets a 504 in the error shape and the
# request's worker thread is free again. The answer itself runs in a small pool of daemon threads:
# a thread cannot be killed, so an answer that never returns keeps its pool thread (never a request
# thread, and a daemon thread never holds up the server's exit), and queued answers whose client
# has given up are cancelled before they start.
ANSWER_TIMEOUT = float(os.environ.get("QA_ANSWER_TIMEOUT", "2.0"))
# Answers are mostly Python (the GIL) plus one ONNX query encode; 4 threads per core let concurrent
# encodes share a batch (qa.embed) without slowing each answer much (bench/RESULTS.md).
ANSWER_THREADS = int(os.environ.get("QA_ANSWER_THREADS", str(max(4, 4 * (os.cpu_count() or 1)))))
ANSWER_QUEUE_TIMEOUT = float(os.environ.get("QA_ANSWER_QUEUE_TIMEOUT", "10.0"))


class DaemonPool:
    """``submit(fn, *args) -> Future`` on ``n`` daemon threads (``ThreadPoolExecutor`` joins its
    threads at interpreter exit, so one stuck answer would hang the shutdown)."""

    def __init__(self, n: int, name: str = "qa-answer") -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        for i in range(max(1, n)):
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True).start()

    def submit(self, fn: Any, *args: Any) -> Future:
        future: Future = Future()
        self._queue.put((future, fn, args))
        return future

    def _work(self) -> None:
        while True:
            future, fn, args = self._queue.get()
            if not future.set_running_or_notify_cancel():
                continue  # its client gave up while it waited
            future.started_at = time.monotonic()  # type: ignore[attr-defined]
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting request
                future.set_exception(exc)


_pool: DaemonPool | None = None
_pool_lock = threading.Lock()


def current_index(request: Request) -> QAIndex:
    """The index of this request (a reload swaps the holder's reference, not this one)."""
    return request.app.state.holder.index


Index = Annotated[QAIndex, Depends(current_index)]


def _api_error(status: int, code: str, message: str) -> Exception:
    from qa.server import ApiError

    return ApiError(status, code, message)


# --- shared logic (the pages call these too) -------------------------------------------------

def _answer_pool() -> DaemonPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = DaemonPool(ANSWER_THREADS)
        return _pool


def _answer(index: QAIndex, question: str, history: list[str]) -> Answer:
    from qa.answer import answer

    return answer(index, question, history)


def run_ask(index: QAIndex, question: str, history: list[str], timeout: float | None = None) -> Answer:
    """``answer()`` within the time budget, counted from when it starts: 504 past it; 503 if no
    answer thread frees up within ``ANSWER_QUEUE_TIMEOUT``; 422 if it fails on this input (logged)."""
    budget = ANSWER_TIMEOUT if timeout is None else timeout
    future = _answer_pool().submit(_answer, index, question, list(history))
    queue_deadline = time.monotonic() + ANSWER_QUEUE_TIMEOUT
    while True:
        started = getattr(future, "started_at", None)
        limit = started + budget if started is not None else queue_deadline
        remaining = limit - time.monotonic()
        if remaining <= 0:
            break
        try:
            return future.result(timeout=remaining if started is not None else min(remaining, 0.05))
        except FutureTimeout:
            continue
        except Exception:
            log.exception("answer failed: question=%r history=%r", question[:200], [h[:80] for h in history])
            raise _api_error(422, "cannot_answer", "this question could not be answered; "
                                                   "try rephrasing it") from None
    if future.cancel() or getattr(future, "started_at", None) is None:
        log.warning("no answer thread free for %.1f s", ANSWER_QUEUE_TIMEOUT)
        raise _api_error(503, "unavailable", "the server is busy; please ask again in a moment")
    log.warning("answer over the %.1f s budget: question=%r history=%r", budget, question[:200],
                [h[:80] for h in history])
    raise _api_error(504, "timeout", f"the answer took longer than {budget:g} s; "
                                     "try a shorter or simpler question")


def validate_ask(question: str, history: list[str]) -> AskRequest:
    """Validate a question from a query string or form as the JSON body would be."""
    try:
        return AskRequest(question=question, history=history)
    except ValidationError as exc:
        from fastapi.exceptions import RequestValidationError

        raise RequestValidationError(exc.errors(include_url=False)) from None


def run_search(index: QAIndex, q: str, k: int, mode: str) -> SearchResponse:
    hits = [SearchHit(passage_id=p.id, doc=p.doc, section=p.section, text=p.text, start=p.start, end=p.end,
                      score=float(h.score), dense=None if h.dense is None else float(h.dense),
                      bm25=None if h.bm25 is None else float(h.bm25))
            for p, h in index.search(q, k, mode)]
    return SearchResponse(query=q, k=k, mode=mode, hits=hits)


def _fact_dict(f: Any) -> dict[str, Any]:
    if isinstance(f, dict):
        return f
    if is_dataclass(f) and not isinstance(f, type):
        return asdict(f)
    return dict(vars(f))


def run_facts(index: QAIndex, *, kind: str | None = None, section: str | None = None, q: str | None = None,
              limit: int = 100, offset: int = 0, sort: str = "start") -> FactsResponse:
    from qa.factstore import query_facts

    for name, value in (("kind", kind), ("section", section), ("q", q), ("sort", sort)):
        if value and CONTROL_RE.search(value):
            raise _api_error(422, "validation_error", f"{name}: must not contain control characters")
    try:
        rows, total = query_facts(index.facts_db, kind=kind or None, section=section or None, q=q or None,
                                  limit=limit, offset=offset, sort=sort)
    except ValueError as exc:
        raise _api_error(422, "validation_error", f"sort: {exc}") from None
    return FactsResponse(total=total, limit=limit, offset=offset, sort=sort,
                         facts=[_fact_dict(r) for r in rows])


def facts_csv(resp: FactsResponse) -> str:
    fields = list(resp.facts[0].keys()) if resp.facts else FACT_FIELDS
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
    w.writeheader()
    for r in resp.facts:
        w.writerow({k: _csv_cell(v) for k, v in r.items()})
    return buf.getvalue()


def _csv_cell(v: Any) -> Any:
    # Spreadsheet formula injection: a cell starting with = + - @ is read as a formula.
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v


def parse_highlights(hl: str | None, length: int) -> list[tuple[int, int]]:
    """``"12-20,40-52"`` -> ``[(12, 20), (40, 52)]`` clamped to ``[0, length]``; 422 when malformed."""
    if not hl:
        return []
    out: list[tuple[int, int]] = []
    parts = [p for p in hl.split(",") if p.strip()]
    if len(parts) > 50:
        raise _api_error(422, "validation_error", "hl: at most 50 ranges")
    for part in parts:
        m = HL_RE.match(part)
        if not m:
            raise _api_error(422, "validation_error", f"hl: {part[:40]!r} is not a range like 12-20")
        a, b = min(int(m.group(1)), length), min(int(m.group(2)), length)
        if a < b:
            out.append((a, b))
    return sorted(out)


def get_passage(index: QAIndex, passage_id: str, hl: str | None = None, dhl: str | None = None
                ) -> PassageResponse:
    p = index.passage_by_id.get(passage_id) if ID_RE.match(passage_id) else None
    if p is None:
        raise _api_error(404, "not_found", f"no passage with id {passage_id[:80]!r}")
    ranges = parse_highlights(hl, len(p.text))
    if dhl:  # document offsets (what a citation carries) -> passage offsets
        doc_ranges = parse_highlights(dhl, 10**7)
        ranges = sorted(ranges + [(max(0, a - p.start), min(len(p.text), b - p.start))
                                  for a, b in doc_ranges if b > p.start and a < p.end])
    doc = index.documents.get(p.doc)
    same_doc = [q for q in index.passages if q.doc == p.doc]
    pos = next(i for i, q in enumerate(same_doc) if q.id == p.id)
    return PassageResponse(
        id=p.id, doc=p.doc, doc_title=doc.title if doc else "", section=p.section, item=p.item, text=p.text,
        start=p.start, end=p.end, order=p.order, highlights=ranges,
        prev_id=same_doc[pos - 1].id if pos > 0 else None,
        next_id=same_doc[pos + 1].id if pos + 1 < len(same_doc) else None,
        source_url=(doc.meta.get("source_url") if doc else None),
    )


def store_feedback(request: Request, body: FeedbackRequest) -> int:
    """Store one vote; a database still locked after the busy timeout is a 503, not a 500."""
    try:
        return add_feedback(request.app.state.settings.feedback_db, question=body.question,
                            history=body.history, answer=body.answer, vote=body.vote,
                            correction=body.correction, kind=body.kind, answered=body.answered)
    except sqlite3.OperationalError as exc:
        log.error("feedback not stored: %s", exc)
        from qa.server import ApiError

        err = ApiError(503, "unavailable", "the feedback store is busy; please send the vote again")
        err.headers = {"Retry-After": "1"}
        raise err from None


def documents_info(index: QAIndex) -> list[DocumentInfo]:
    return [DocumentInfo(id=d.get("id", ""), title=d.get("title", ""), region=d.get("region"),
                         year=d.get("year"), source_url=d.get("source_url"))
            for d in index.manifest.get("documents", [])]


def health(request: Request) -> HealthResponse:
    holder = request.app.state.holder
    index: QAIndex = holder.index
    m = index.manifest
    return HealthResponse(model=str(m.get("model", "")), documents=documents_info(index),
                          counts={k: int(v) for k, v in (m.get("counts") or {}).items()},
                          built_at=m.get("built_at"), build_seconds=m.get("build_seconds"),
                          format_version=m.get("format_version"), index_path=str(index.path),
                          loaded_at=holder.loaded_at)


# --- routes ----------------------------------------------------------------------------------

@router.post("/ask", response_model=Answer)
def ask_post(body: AskRequest, index: Index) -> Answer:
    """Answer a question, using the earlier questions of the conversation for follow-ups."""
    return run_ask(index, body.question, body.history)


@router.get("/ask", response_model=Answer)
def ask_get(index: Index, question: Annotated[str, Query(max_length=1000)] = "",
            history: Annotated[list[str], Query(max_length=MAX_HISTORY)] = []) -> Answer:  # noqa: B006
    """Answer a question given in the query string (the JSON twin of a chat turn)."""
    req = validate_ask(question, history)
    return run_ask(index, req.question, req.history)


@router.get("/search", response_model=SearchResponse)
def search(index: Index, q: Annotated[str, Query(min_length=1, max_length=1000)],
           k: Annotated[int, Query(ge=1, le=MAX_K)] = 8,
           mode: Literal["hybrid", "dense", "bm25"] = "hybrid") -> SearchResponse:
    """Top passages for a query, with the fused, dense and BM25 scores."""
    validate_ask(q, [])
    return run_search(index, q.strip(), k, mode)


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
    resp = run_facts(index, kind=kind, section=section, q=q, limit=limit, offset=offset, sort=sort)
    if format == "csv":
        return Response(facts_csv(resp), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="facts.csv"'})
    return resp


@router.get("/passages/{passage_id}", response_model=PassageResponse)
def passage(passage_id: str, index: Index,
            hl: Annotated[str | None, Query(max_length=1000, description="ranges like 12-20,40-52")] = None,
            dhl: Annotated[str | None, Query(max_length=1000, description="ranges, document offsets")] = None,
            ) -> PassageResponse:
    """One passage with its place in the document and the highlight ranges given in hl (or dhl)."""
    return get_passage(index, passage_id, hl, dhl)


@router.get("/health", response_model=HealthResponse)
def health_route(request: Request) -> HealthResponse:
    """Index manifest summary: documents, model, counts and build time."""
    return health(request)


@router.post("/feedback", response_model=FeedbackResponse)
def feedback(body: FeedbackRequest, request: Request) -> FeedbackResponse:
    """Store a thumbs up or down on an answer, with an optional correction."""
    return FeedbackResponse(id=store_feedback(request, body))


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
            raise _api_error(401, "unauthorized", "a valid admin token is required (Authorization: Bearer …)")
    elif not is_loopback(request.client.host if request.client else None):
        raise _api_error(403, "forbidden", "without an admin token (QA_ADMIN_TOKEN) reload is only allowed "
                                           "from this machine (127.0.0.1 or ::1)")
    try:
        index = request.app.state.holder.reload()
    except IndexLoadError as exc:
        raise _api_error(500, "reload_failed", f"reload failed, still serving the old index: {exc}") from None
    return ReloadResponse(counts={k: int(v) for k, v in (index.manifest.get("counts") or {}).items()},
                          built_at=index.manifest.get("built_at"), index_path=str(index.path))
