"""HTML pages: chat, fact table, passage in context, about. Jinja2 with autoescaping on.

Each page renders the object its JSON twin returns (the same function in ``qa.service`` builds it)
and links to that twin. The chat works without JavaScript: the form posts to ``/`` and carries
the conversation in hidden fields; ``static/app.js`` upgrades it to a no-reload chat.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from qa import service
from qa.answer.models import Answer
from qa.index.load import QAIndex
from qa.schemas import MAX_HISTORY, MAX_LIMIT, MAX_SCOPE, AskRequest, FactsResponse, FeedbackRequest
from qa.web.chart import Chart, money_chart
from qa.web.errors import validation_message
from qa.web.templating import FACT_COLUMNS, ask_json_url, citation_url, render, segments

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _turn(index: QAIndex, ans: Answer, history: list[str]) -> dict[str, Any]:
    cites = [{"c": c, "url": citation_url(index, c.passage_id, c.start, c.highlights)} for c in ans.citations]
    related = [{"r": r, "url": f"/passages/{r.passage_id}#passage"} for r in ans.related[:3]]
    return {"question": ans.question, "answer": ans, "history": history, "citations": cites,
            "related": related, "json_url": ask_json_url(ans.question, history)}


def _chat(request: Request, *, turns: list[dict], history: list[str], error: str | None = None,
          draft: str = "", status: int = 200, reports: list[str] | None = None) -> HTMLResponse:
    index: QAIndex = request.app.state.holder.index
    return render(request, "chat.html", {"title": "Ask the report", "turns": turns, "history": history,
                                         "examples": service.example_questions(index),
                                         "documents": service.documents_info(index),
                                         "reports": reports or [], "error": error, "draft": draft}, status)


@router.get("/")
def chat_page(request: Request) -> HTMLResponse:
    """The chat page."""
    return _chat(request, turns=[], history=[])


@router.post("/")
def chat_post(request: Request, question: Annotated[str, Form(max_length=1000)] = "",
              history: Annotated[list[str], Form(max_length=MAX_HISTORY)] = [],  # noqa: B006
              reports: Annotated[list[str], Form(max_length=MAX_SCOPE)] = []) -> HTMLResponse:  # noqa: B006
    """No-JavaScript chat: answer the posted question and render the conversation; the report
    picker's choice is posted with each question and kept selected."""
    try:
        req = AskRequest(question=question, history=history, reports=reports)
    except ValidationError as exc:
        if "text/html" not in request.headers.get("accept", ""):
            raise RequestValidationError(exc.errors(include_url=False)) from None
        msg = validation_message(exc.errors(include_url=False))
        return _chat(request, turns=[{"question": h, "answer": None} for h in history[-MAX_HISTORY:]],
                     history=history[-MAX_HISTORY:], error=msg, draft=question[:1000], status=422)
    index: QAIndex = request.app.state.holder.index
    ans = service.ask(index, req.question, req.history, reports=req.reports)
    earlier = [{"question": h, "answer": None} for h in req.history]
    return _chat(request, turns=[*earlier, _turn(index, ans, req.history)],
                 history=[*req.history, req.question][-MAX_HISTORY:], reports=req.reports)


@router.post("/feedback")
def feedback_post(request: Request, question: Annotated[str, Form(max_length=1000)] = "",
                  history: Annotated[list[str], Form(max_length=MAX_HISTORY)] = [],  # noqa: B006
                  answer: Annotated[str, Form(max_length=5000)] = "",
                  vote: Annotated[str, Form(max_length=10)] = "",
                  correction: Annotated[str, Form(max_length=1000)] = "",
                  kind: Annotated[str, Form(max_length=40)] = "",
                  answered: Annotated[str, Form(max_length=10)] = "") -> HTMLResponse:
    """No-JavaScript feedback form: store the vote and say thanks."""
    try:
        body = FeedbackRequest(question=question, history=history, answer=answer, vote=vote,
                               correction=correction or None, kind=kind,
                               answered={"true": True, "false": False}.get(answered.lower()))
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    service.feedback(request.app.state.settings, body)
    return render(request, "thanks.html",
                  {"title": "Thank you", "vote": body.vote, "question": body.question})


def _money_chart(index: QAIndex) -> Chart:
    """The chart depends only on the index, so it is built once per loaded index."""
    chart = index.derived.get("web.money_chart")
    if chart is None:
        chart = index.derived["web.money_chart"] = money_chart(index.facts)
    return chart


@router.get("/facts")
def facts_page(request: Request, kind: Annotated[str | None, Query(max_length=40)] = None,
               section: Annotated[str | None, Query(max_length=200)] = None,
               q: Annotated[str | None, Query(max_length=200)] = None,
               limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
               offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
               sort: Annotated[str, Query(max_length=40)] = "start") -> HTMLResponse:
    """The fact table with filters, sortable columns, downloads and the money chart."""
    index: QAIndex = request.app.state.holder.index
    resp: FactsResponse = service.facts(index, kind=kind, section=section, q=q, limit=limit, offset=offset,
                                        sort=sort)
    params = {k: v for k, v in {"kind": kind, "section": section, "q": q}.items() if v}
    everything = service.facts(index, limit=100_000).facts
    kinds = sorted({f.kind for f in everything})
    sections = sorted({f.section for f in everything if f.section})

    def url(base: str, **extra: Any) -> str:
        merged = {**params, "limit": limit, "offset": offset, "sort": sort, **extra}
        return base + "?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    sort_urls = {c: url("/facts", sort=(f"-{c}" if sort == c else c), offset=0) for c, _ in FACT_COLUMNS}
    return render(request, "facts.html", {
        "title": "Fact table", "resp": resp, "columns": FACT_COLUMNS, "sort_urls": sort_urls,
        "kinds": kinds, "sections": sections, "filters": {"kind": kind or "", "section": section or "",
                                                          "q": q or ""},
        "json_url": url("/api/facts"), "csv_url": url("/api/facts", format="csv"),
        "prev_url": url("/facts", offset=max(0, offset - limit)) if offset > 0 else None,
        "next_url": url("/facts", offset=offset + limit) if offset + limit < resp.total else None,
        "chart": _money_chart(index)})


@router.get("/passages/{passage_id}")
def passage_page(request: Request, passage_id: str,
                 hl: Annotated[str | None, Query(max_length=1000)] = None,
                 dhl: Annotated[str | None, Query(max_length=1000)] = None) -> HTMLResponse:
    """A passage marked in its whole document, with the highlights given in ``hl`` (or ``dhl``)."""
    index: QAIndex = request.app.state.holder.index
    p = service.passage(index, passage_id, hl, dhl)
    doc = index.documents[p.doc]
    before, after = doc.text[:p.start], doc.text[p.end:]
    hl_params = {k: v for k, v in {"hl": hl, "dhl": dhl}.items() if v}
    json_url = f"/api/passages/{p.id}" + (f"?{urlencode(hl_params)}" if hl_params else "")
    return render(request, "passage.html", {"title": p.section or p.id, "p": p, "before": before,
                                            "after": after, "pieces": segments(p.text, p.highlights),
                                            "json_url": json_url})


@router.get("/about")
def about_page(request: Request) -> HTMLResponse:
    """The indexed documents, with their sources, and the index summary."""
    holder = request.app.state.holder
    return render(request, "about.html", {"title": "About", "health": service.health(holder.index, holder.loaded_at)})

