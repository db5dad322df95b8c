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

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from qa.errors import IndexLoadError
from qa.index.load import QAIndex, load_index
from qa.service import preload_spelling, warm_up
from qa.settings import Settings
from qa.web import api, pages
from qa.web.errors import install_error_handlers
from qa.web.middleware import MAX_BODY, BodyLimitMiddleware, SecurityHeadersMiddleware
from qa.web.templating import TEMPLATE_GLOBALS

log = logging.getLogger("qa.web")


SETTINGS_ENV = "_QA_SERVE_SETTINGS"
API_DESCRIPTION = (
    "Question answering over yearbook reports, with cited answers. Every error, of every endpoint, has "
    "one shape: `{\"error\": {\"code\": str, \"message\": str}}`; each operation lists its status codes "
    "with what they mean there. Every rule a parameter obeys is stated in this schema (patterns, "
    "enums, lengths); text must not contain control characters. JSON bodies need "
    "`Content-Type: application/json` (415 otherwise) and are at most 64 KB (413). A method a path "
    "does not take gets 405 with an `Allow` header; OPTIONS gets 204 with the same header.")
# The longest URL the schema allows (a question and 20 history items of 1000 characters, each
# character up to 12 bytes percent-encoded) must fit in what h11 reads before a request's end.
MAX_REQUEST_HEAD = 320 * 1024


def web_dir() -> Path:
    """The folder of ``templates/`` and ``static/``: inside the package, so that any install has them
    (``QA_WEB_DIR`` points elsewhere, for a designer's working copy)."""
    env = os.environ.get("QA_WEB_DIR")
    return Path(env).resolve() if env else Path(__file__).resolve().parent


class IndexHolder:
    """The current index; ``reload`` swaps it atomically and keeps the old one on failure."""

    def __init__(self, settings: Settings, index: QAIndex | None = None) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self.index: QAIndex = (index if index is not None
                               else load_index(settings.index_dir, settings.model, settings.encoder_int8))
        _batch_queries(self.index)
        self._pin = _pin(self.index)
        self.loaded_at = _now()

    def reload(self) -> QAIndex:
        """Load the index afresh and swap it in; raises ``IndexLoadError`` and keeps the old one."""
        with self._lock:
            fresh = load_index(self.settings.index_dir, self.settings.model, self.settings.encoder_int8)
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
    # Several answer threads encode at once under load: let them share ONNX runs (qa.index.encoder).
    encoder = getattr(getattr(index, "retriever", None), "encoder", None)
    if encoder is not None and hasattr(encoder, "enable_batching"):
        encoder.enable_batching()




def _pin(index: QAIndex):
    """Keep `qa index` from pruning the build this server reads (see ``qa.index.load.pin_build``)."""
    from qa.index.load import pin_build

    path = getattr(index, "path", None)
    return pin_build(Path(path)) if isinstance(path, Path) and path.is_dir() else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sighup_reload(app: FastAPI) -> None:
    holder: IndexHolder = app.state.holder
    try:
        holder.reload()
    except IndexLoadError as exc:
        log.error("SIGHUP reload failed, keeping the old index: %s", exc)


SPELLING_DELAY_S = 1.0  # after start-up: the word list is not needed to answer the first questions


class LazyTemplates:
    """The pages' Jinja2 environment, made on the first page rendered: importing jinja2 is ~0.1 s of
    a server's cold start, and the JSON API never needs it. Attributes are the environment's."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._env = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        if self._env is None:
            with self._lock:
                if self._env is None:
                    from jinja2 import Environment, FileSystemLoader

                    env = Environment(loader=FileSystemLoader(self._folder), autoescape=True, trim_blocks=True,
                                      lstrip_blocks=True)
                    env.globals.update(TEMPLATE_GLOBALS)
                    self._env = env
        return getattr(self._env, name)


def create_app(settings: Settings, index: QAIndex | None = None, *, install_signals: bool = False) -> FastAPI:
    """Build the app; loads the index once unless one is given (tests share one)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if install_signals and hasattr(signal, "SIGHUP"):
            loop = asyncio.get_running_loop()
            try:
                loop.add_signal_handler(signal.SIGHUP,
                                        lambda: loop.run_in_executor(None, _sighup_reload, app))
            except (NotImplementedError, RuntimeError, ValueError):
                log.warning("cannot install the SIGHUP handler here")
        # The spelling list loads once the server is up and has met its first requests.
        asyncio.get_running_loop().call_later(SPELLING_DELAY_S, preload_spelling)
        yield

    # fastapi-offline serves Swagger UI from its own package: /docs works with no network (FastAPI's
    # own /docs loads it from a CDN). No /redoc: ReDoc still fetches its logo from a CDN.
    app = FastAPIOffline(title="qa", version="0.1.0", lifespan=lifespan, favicon_url="/static/favicon.svg",
                         redoc_url=None, description=API_DESCRIPTION)
    app.state.settings = settings
    app.state.holder = IndexHolder(settings, index)
    wd = web_dir()
    app.state.jinja = LazyTemplates(wd / "templates")
    install_error_handlers(app)
    _report_ids_in_schema(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=wd / "static"), name="static")
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type", "Authorization"])
    app.add_middleware(BodyLimitMiddleware, limit=MAX_BODY)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def _report_ids_in_schema(app: FastAPI) -> None:
    """``/openapi.json`` names the ids ``reports`` accepts and the regions and years ``region`` and
    ``year`` accept: those of the index being served, so the schema is rebuilt when a reload changes them."""
    import copy

    from qa.web.openapi_docs import with_regions_and_years, with_report_ids

    generate = app.openapi  # FastAPI's own, with all of the app's settings
    built: dict[tuple, dict] = {}

    def openapi() -> dict:
        docs = getattr(app.state.holder.index, "documents", None) or {}  # a stub index has none
        regions = tuple(sorted({str(d.meta["region"]) for d in docs.values() if d.meta.get("region")}))
        years = tuple(sorted({d.meta["year"] for d in docs.values() if isinstance(d.meta.get("year"), int)}))
        key = (tuple(docs), regions, years)
        if key not in built:
            built.clear()
            built[key] = with_regions_and_years(with_report_ids(copy.deepcopy(generate()), list(docs)),
                                                list(regions), list(years))
        return built[key]

    app.openapi = openapi  # type: ignore[method-assign]


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

    from qa.index.load import check_manifest, read_manifest

    try:  # fail fast, in one line, before uvicorn starts any worker
        check_manifest(read_manifest(settings.index_dir), settings.index_dir, settings.model)
        index = load_index(settings.index_dir, settings.model, settings.encoder_int8)
    except IndexLoadError as exc:
        _fail_start(str(exc))
    except Exception as exc:  # anything else about the index: still one line, never a traceback
        _fail_start(f"{settings.index_dir}: cannot be loaded ({type(exc).__name__}: {str(exc)[:160]}); "
                    f"run: qa index --index {settings.index_dir}")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not reload and max(1, settings.workers) == 1:
        log.info("warm-up answers in %.2f s", warm_up(index))
    common = {"host": settings.host, "port": settings.port, "server_header": False, "proxy_headers": False,
              "log_level": "info", "h11_max_incomplete_event_size": MAX_REQUEST_HEAD}
    if not reload and max(1, settings.workers) == 1:
        uvicorn.run(create_app(settings, index=index, install_signals=True), **common)
        return
    del index
    gc.collect()
    os.environ[SETTINGS_ENV] = settings.model_dump_json()
    uvicorn.run("qa.web.app:app_from_env", factory=True,
                workers=max(1, settings.workers) if not reload else None, reload=reload,
                reload_dirs=[str(Path(__file__).parent), str(web_dir())] if reload else None, **common)

