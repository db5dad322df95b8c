"""HTML pages: chat, fact table, series chart, passage in context, about. Jinja2 with autoescaping on.

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
from qa.answer.route import label
from qa.index.load import QAIndex
from qa.schemas import MAX_HISTORY, MAX_LIMIT, MAX_SCOPE, AskRequest, FactsResponse, FeedbackRequest
from qa.web.chart import BAR_UNITS, Chart, money_chart
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


def _money_chart(index: QAIndex, scope: list[str] | None) -> Chart:
    """The chart depends only on the index and the reports in scope, so it is built once for each."""
    key = ("web.money_chart", tuple(scope) if scope is not None else None)
    chart = index.derived.get(key)
    if chart is None:
        facts = index.facts if scope is None else [f for f in index.facts if f.doc in set(scope)]
        chart = index.derived[key] = money_chart(facts, labels={d: label(index, d) for d in index.documents})
    return chart


def _url(base: str, params: dict[str, Any]) -> str:
    """``base?query`` without the empty parameters; a list is repeated (``reports=a&reports=b``)."""
    pairs = [(k, x) for k, v in params.items() for x in (v if isinstance(v, list) else [v]) if x not in (None, "")]
    return base + ("?" + urlencode(pairs) if pairs else "")


def _report_filters(index: QAIndex) -> dict[str, Any]:
    """The choices of the report filters: every indexed report, region and year."""
    docs = service.documents_info(index)
    return {"regions": sorted({d.region for d in docs if d.region}),
            "years": sorted({d.year for d in docs if d.year is not None})}


ReportsParam = Annotated[list[str], Query(max_length=MAX_SCOPE)]
TextParam = Annotated[str | None, Query(max_length=200)]


@router.get("/facts")
def facts_page(request: Request, kind: Annotated[str | None, Query(max_length=40)] = None,
               section: TextParam = None, q: TextParam = None,
               limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
               offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
               sort: Annotated[str, Query(max_length=40)] = "start",
               reports: ReportsParam = [],  # noqa: B006
               region: TextParam = None, year: Annotated[str | None, Query(max_length=20)] = None,
               measure: TextParam = None) -> HTMLResponse:
    """The fact table with filters (kept in the URL, so a filtered view can be shared), sortable
    columns, downloads, the money chart of the reports in scope, and a link to the series chart."""
    index: QAIndex = request.app.state.holder.index
    resp: FactsResponse = service.facts(index, kind=kind, section=section, q=q, limit=limit, offset=offset,
                                        sort=sort, reports=reports, region=region, year=year, measure=measure)
    params: dict[str, Any] = {"kind": kind, "section": section, "q": q, "reports": reports, "region": region,
                              "year": year, "measure": measure}
    everything = service.facts(index, limit=100_000).facts
    kinds = sorted({f.kind for f in everything})
    sections = sorted({f.section for f in everything if f.section})

    def url(base: str, **extra: Any) -> str:
        return _url(base, {**params, "limit": limit, "offset": offset, "sort": sort, **extra})

    # With several reports, which report a fact is from is a column of its own.
    columns = [("doc", "Report"), *FACT_COLUMNS] if len(index.documents) > 1 else FACT_COLUMNS
    sort_urls = {c: url("/facts", sort=(f"-{c}" if sort == c else c), offset=0) for c, _ in columns}
    scope = service.report_scope(index, reports, region, year)
    series_url = _url("/series", {"measure": measure, "reports": reports, "region": region, "year": year})
    return render(request, "facts.html", {
        "title": "Fact table", "resp": resp, "columns": columns, "sort_urls": sort_urls,
        "kinds": kinds, "sections": sections, **_report_filters(index),
        "filters": {k: v or ("" if k != "reports" else []) for k, v in params.items()},
        "json_url": url("/api/facts"), "csv_url": url("/api/facts", format="csv"),
        "prev_url": url("/facts", offset=max(0, offset - limit)) if offset > 0 else None,
        "next_url": url("/facts", offset=offset + limit) if offset + limit < resp.total else None,
        "series_url": series_url if (measure or "").strip() else None,
        "chart": _money_chart(index, scope)})


@router.get("/series")
def series_page(request: Request, measure: TextParam = None, reports: ReportsParam = [],  # noqa: B006
                region: TextParam = None, year: Annotated[str | None, Query(max_length=20)] = None,
                unit: Annotated[str | None, Query(max_length=60)] = None) -> HTMLResponse:
    """One measure across reports as a bar chart: one cited figure per report, in one unit (the
    JSON twin is ``/api/series``, built by the same ``service.series``)."""
    index: QAIndex = request.app.state.holder.index
    params: dict[str, Any] = {"measure": measure, "reports": reports, "region": region, "year": year, "unit": unit}
    service.report_scope(index, reports, region, year)  # bad filters are a 422 even before a measure is given
    resp = service.series(index, measure or "", reports=reports, region=region, year=year, unit=unit) \
        if (measure or "").strip() else None
    top = max((abs(float(b.value)) for b in resp.bars), default=0.0) if resp else 0.0
    widths = [max(2, round(BAR_UNITS * abs(float(b.value)) / top)) if top else 2 for b in resp.bars] if resp else []
    unit_urls = {u: _url("/series", {**params, "unit": u}) for u in (resp.other_units if resp else {})}
    return render(request, "series.html", {
        "title": "Series", "resp": resp, "widths": widths, "unit_urls": unit_urls, **_report_filters(index),
        "filters": {k: v or ("" if k != "reports" else []) for k, v in params.items()},
        "json_url": _url("/api/series", params) if resp else None,
        "facts_url": _url("/facts", {k: v for k, v in params.items() if k != "unit"}) if resp else None})


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

