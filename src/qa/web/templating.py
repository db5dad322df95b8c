"""Jinja2 rendering for the pages: the environment (templates inside the package), the helpers the
templates call (highlight segments, confidence labels, JSON-twin links) and ``render``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from qa import service
from qa.index.load import QAIndex

FACT_COLUMNS = [("kind", "Kind"), ("raw", "As written"), ("value", "Value"), ("unit", "Unit"),
                ("measure", "Measure"), ("subject", "Subject"), ("period", "Period"), ("section", "Section")]


def segments(text: str, ranges: list[tuple[int, int]] | list[list[int]]) -> list[tuple[str, bool]]:
    """Split ``text`` into ``(piece, highlighted)`` runs; overlapping or bad ranges are merged/clamped."""
    spans = sorted((max(0, int(a)), min(len(text), int(b))) for a, b in ranges)
    merged: list[list[int]] = []
    for a, b in spans:
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out: list[tuple[str, bool]] = []
    pos = 0
    for a, b in merged:
        if a > pos:
            out.append((text[pos:a], False))
        out.append((text[a:b], True))
        pos = b
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def confidence_label(c: float) -> str:
    return "high" if c >= 0.75 else "medium" if c >= 0.45 else "low"


def ask_json_url(question: str, history: list[str]) -> str:
    return "/api/ask?" + urlencode([("question", question)] + [("history", h) for h in history])


def citation_url(index: QAIndex, passage_id: str, snippet_start: int, highlights: list) -> str:
    p = index.passage_by_id.get(passage_id)
    base = p.start if p else snippet_start
    hl = ",".join(f"{snippet_start - base + a}-{snippet_start - base + b}" for a, b in highlights)
    return f"/passages/{passage_id}" + (f"?hl={hl}" if hl else "") + "#passage"


def figure(v: Any) -> str:
    """A fact's value for the table: thousands separators, no float noise ("169,810,000", "54.9")."""
    if v is None or isinstance(v, bool):
        return "" if v is None else str(v)
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
        return f"{int(v):,}"
    if isinstance(v, float):
        return f"{v:,.4f}".rstrip("0").rstrip(".")
    return str(v)


TEMPLATE_GLOBALS = {"segments": segments, "confidence_label": confidence_label, "ask_json_url": ask_json_url,
                    "figure": figure}


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    holder = request.app.state.holder
    index: QAIndex = holder.index
    env = request.app.state.jinja
    base = {"documents": service.documents_info(index), "path": request.url.path}
    html = env.get_template(name).render({**base, **ctx})
    return HTMLResponse(html, status_code=status)


def render_error(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    """The error shape, as a page (used by the server's handlers for browsers)."""
    return render(request, "error.html", {"status": status, "error": {"code": code, "message": message},
                                          "title": f"{status} {code.replace('_', ' ')}"}, status)
