"""The one place that turns an error into a response: a ``QAError``, an HTTP error or a validation
error becomes ``{"error": {"code", "message"}}`` for the API, or the error page for a browser.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from qa.errors import QAError
from qa.schemas import AskRequest
from qa.web.templating import render_error

log = logging.getLogger("qa.web")

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
         415: "unsupported_media_type", 422: "validation_error", 429: "too_many_requests",
         500: "internal_error", 503: "unavailable", 504: "timeout"}


class ApiError(HTTPException):
    """An HTTP error with an explicit error code."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code=status_code, detail=message)
        self.code = code


def error_response(status: int, message: str, code: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def _render_error(request: Request, status: int, code: str, message: str,
                  headers: dict[str, str] | None = None) -> Response:
    if _wants_html(request):
        try:
            return render_error(request, status, code, message)
        except Exception:  # a broken template must not hide the error itself
            log.exception("error page failed")
    return error_response(status, message, code, headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "form")]
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        if err.get("type") == "json_invalid":
            return "the request body is not valid JSON"
        if err.get("type") == "missing" and not loc:
            return "a JSON request body is required"
        parts.append(f"{'.'.join(loc)}: {msg}" if loc else msg)
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        code = getattr(exc, "code", None) or CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such page or endpoint: {request.url.path[:200]}"
        elif exc.status_code == 405:
            message = f"method {request.method} is not allowed on {request.url.path[:200]}"
        elif exc.status_code == 400 and "parsing the body" in message:
            message = "the request body could not be parsed (is it UTF-8 JSON?)"
        return _render_error(request, exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(QAError)
    async def _qa_error(request: Request, exc: QAError) -> Response:
        return _render_error(request, exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return _render_error(request, 422, "validation_error", _validation_message(exc))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error; the server log has the details")


def validate_ask(question: str, history: list[str]) -> AskRequest:
    """Validate a question from a query string or form as the JSON body would be."""
    try:
        return AskRequest(question=question, history=history)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


