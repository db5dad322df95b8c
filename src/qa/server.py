"""The HTTP shell: app factory, middleware, error handlers, index reload and ``serve``.

The index is loaded once, when the app is created, and held in an ``IndexHolder``; a reload
(``POST /api/admin/reload`` or SIGHUP) loads a fresh index beside the old one and swaps the
reference in one assignment, so a request in flight keeps the index it started with and a failed
load keeps the old one. Every error, of any endpoint, has one shape:
``{"error": {"code": str, "message": str}}``; pages that a browser asks for get the same error
rendered as HTML.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import threading
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa.index import IndexLoadError, QAIndex, load_index
from qa.settings import Settings

log = logging.getLogger("qa.server")

MAX_BODY = 64 * 1024
SETTINGS_ENV = "_QA_SERVE_SETTINGS"
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
         415: "unsupported_media_type", 422: "validation_error", 429: "too_many_requests",
         500: "internal_error", 503: "unavailable", 504: "timeout"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# Swagger UI at /docs loads its bundle from a CDN and starts it with an inline script.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
            "https://fastapi.tiangolo.com; object-src 'none'; frame-ancestors 'none'")


def web_dir() -> Path:
    """The ``web/`` folder (templates and static files) at the repository root."""
    env = os.environ.get("QA_WEB_DIR")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[2] / "web"


class ApiError(HTTPException):
    """An HTTP error with an explicit error code."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code=status_code, detail=message)
        self.code = code


class IndexHolder:
    """The current index; ``reload`` swaps it atomically and keeps the old one on failure."""

    def __init__(self, settings: Settings, index: QAIndex | None = None) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self.index: QAIndex = index if index is not None else load_index(settings.index_dir, settings.model)
        _batch_queries(self.index)
        self._pin = _pin(self.index)
        self.loaded_at = _now()

    def reload(self) -> QAIndex:
        """Load the index afresh and swap it in; raises ``IndexLoadError`` and keeps the old one."""
        with self._lock:
            fresh = load_index(self.settings.index_dir, self.settings.model)
            _batch_queries(fresh)
            warm_up(fresh)  # serve the new index warm
            pin = _pin(fresh)
            self.index, old_pin = fresh, self._pin
            self._pin = pin
            self.loaded_at = _now()
            if old_pin is not None:
                old_pin.close()  # the next `qa index` may prune the old build
            log.info("index reloaded from %s", fresh.path)
            return fresh


def _batch_queries(index: QAIndex) -> None:
    # Several answer threads encode at once under load: let them share ONNX runs (qa.embed).
    encoder = getattr(getattr(index, "retriever", None), "encoder", None)
    if encoder is not None and hasattr(encoder, "enable_batching"):
        encoder.enable_batching()


WARM_QUESTIONS = ("What is the poverty line?", "How many people were poor at the end of the year?")


def warm_up(index: QAIndex) -> float:
    """Answer a couple of questions before serving: the first answers on a fresh index pay for
    lazy caches and the first ONNX runs, which under a burst of clients at start-up would push
    them past the time budget. Returns the seconds spent; failures are logged, never raised."""
    import time

    from qa.answer import answer

    t0 = time.perf_counter()
    try:
        import threading

        from qa.retrieve import is_english_word

        # The spelling word list (0.7 s) loads beside start-up, not in a client's answer.
        threading.Thread(target=is_english_word, args=("preload",), daemon=True).start()
        for q in WARM_QUESTIONS:
            answer(index, q, [])
        answer(index, "And in 2008?", [WARM_QUESTIONS[0]])
    except Exception:
        log.exception("warm-up answer failed")
    return time.perf_counter() - t0


def _pin(index: QAIndex):
    """Keep `qa index` from pruning the build this server reads (see ``qa.index.pin_build``)."""
    from qa.index import pin_build

    path = getattr(index, "path", None)
    return pin_build(Path(path)) if isinstance(path, Path) and path.is_dir() else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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
            from qa.web import render_error

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

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return _render_error(request, 422, "validation_error", _validation_message(exc))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error; the server log has the details")


class BodyLimitMiddleware:
    """413 for a body over ``limit`` bytes: by Content-Length up front, else by counting the stream."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"request body is over the {self.limit // 1024} KB limit"
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = False
                if too_big:
                    await error_response(413, message)(scope, receive, send)
                    return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise ApiError(413, "payload_too_large", message)
            return msg

        async def tracked(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted, tracked)
        except ApiError as exc:
            if started or exc.status_code != 413:
                raise
            await error_response(413, message)(scope, receive, send)


class SecurityHeadersMiddleware:
    """CSP without inline script, nosniff, a strict referrer policy, no framing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = DOCS_CSP if path.startswith(("/docs", "/redoc")) else CSP

        async def with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = [(k, v) for k, v in msg.get("headers", []) if k.lower() != b"server"]
                headers += [(b"content-security-policy", csp.encode()),
                            (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"strict-origin-when-cross-origin"),
                            (b"x-frame-options", b"DENY")]
                msg = {**msg, "headers": headers}
            await send(msg)

        await self.app(scope, receive, with_headers)


def _sighup_reload(app: FastAPI) -> None:
    holder: IndexHolder = app.state.holder
    try:
        holder.reload()
    except IndexLoadError as exc:
        log.error("SIGHUP reload failed, keeping the old index: %s", exc)


def create_app(settings: Settings, index: QAIndex | None = None, *, install_signals: bool = False) -> FastAPI:
    """Build the app; loads the index once unless one is given (tests share one)."""
    from qa import api, web

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if install_signals and hasattr(signal, "SIGHUP"):
            loop = asyncio.get_running_loop()
            try:
                loop.add_signal_handler(signal.SIGHUP,
                                        lambda: loop.run_in_executor(None, _sighup_reload, app))
            except (NotImplementedError, RuntimeError, ValueError):
                log.warning("cannot install the SIGHUP handler here")
        yield

    app = FastAPI(title="qa", version="0.1.0", lifespan=lifespan,
                  description="Question answering over yearbook reports, with cited answers. "
                              "Every error has the shape {\"error\": {\"code\", \"message\"}}.",
                  responses={422: {"model": api.ErrorResponse}})
    app.state.settings = settings
    app.state.holder = IndexHolder(settings, index)
    wd = web_dir()
    app.state.jinja = Environment(loader=FileSystemLoader(wd / "templates"), autoescape=True,
                                  trim_blocks=True, lstrip_blocks=True)
    app.state.jinja.globals.update(web.TEMPLATE_GLOBALS)
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=wd / "static"), name="static")
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type", "Authorization"])
    app.add_middleware(BodyLimitMiddleware, limit=MAX_BODY)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory for ``serve``: settings come from the environment the parent set."""
    from qa.settings import Settings

    raw = os.environ.get(SETTINGS_ENV)
    settings = Settings(**json.loads(raw)) if raw else Settings()
    try:
        app = create_app(settings, install_signals=True)
        warm_up(app.state.holder.index)
        return app
    except IndexLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def _fail_start(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def serve(settings: Settings, reload: bool = False) -> None:
    """Run uvicorn with ``settings.workers`` processes; each loads the index once at start-up.

    The index is loaded here first, so that a missing, damaged or incompatible index stops
    ``qa serve`` with one line naming the file and the fix, before uvicorn starts. With one
    worker that index is the one served; with several, each worker loads its own.
    """
    import gc

    import uvicorn

    from qa.index import check_manifest, read_manifest

    try:  # fail fast, in one line, before uvicorn starts any worker
        check_manifest(read_manifest(settings.index_dir), settings.index_dir, settings.model)
        index = load_index(settings.index_dir, settings.model)
    except IndexLoadError as exc:
        _fail_start(str(exc))
    except Exception as exc:  # anything else about the index: still one line, never a traceback
        _fail_start(f"{settings.index_dir}: cannot be loaded ({type(exc).__name__}: {str(exc)[:160]}); "
                    f"run: qa index --index {settings.index_dir}")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not reload and max(1, settings.workers) == 1:
        log.info("warm-up answers in %.2f s", warm_up(index))
    common = {"host": settings.host, "port": settings.port, "server_header": False, "proxy_headers": False,
              "log_level": "info"}
    if not reload and max(1, settings.workers) == 1:
        uvicorn.run(create_app(settings, index=index, install_signals=True), **common)
        return
    del index
    gc.collect()
    os.environ[SETTINGS_ENV] = settings.model_dump_json()
    uvicorn.run("qa.server:app_from_env", factory=True,
                workers=max(1, settings.workers) if not reload else None, reload=reload,
                reload_dirs=[str(Path(__file__).parent), str(web_dir())] if reload else None, **common)
