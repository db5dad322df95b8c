"""One error shape everywhere: every route (taken from ``app.routes``, so new ones are covered)
answers 404/405/413/422 with ``{"error": {"code", "message"}}`` and no client input gives a 500."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from starlette.routing import Mount, Route

from qa.web.middleware import MAX_BODY

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _flatten(routes, prefix: str = ""):
    for r in routes:
        inner = getattr(r, "original_router", None)  # FastAPI keeps included routers as one node
        if inner is not None:
            ctx = getattr(r, "include_context", None)
            yield from _flatten(inner.routes, prefix + getattr(ctx, "prefix", ""))
        else:
            yield prefix, r


def _route_table() -> list[tuple[str, frozenset[str], list]]:
    """(path, methods, routes) of every path, read from an app built around a stub index."""
    from qa.settings import get_settings
    from qa.web.app import create_app

    stub = SimpleNamespace(manifest={}, path="stub")
    app = create_app(get_settings(), index=stub)  # routes do not depend on the index
    table: dict[str, tuple[set[str], list]] = {}
    for prefix, r in _flatten(app.routes):
        if isinstance(r, Mount):
            path, methods = prefix + r.path + "/{path}", {"GET", "HEAD"}
        elif isinstance(r, Route) or hasattr(r, "methods"):
            path, methods = prefix + r.path, set(getattr(r, "methods", None) or {"GET"})
        else:
            continue
        entry = table.setdefault(path, (set(), []))
        entry[0].update(methods)
        entry[1].append(r)
    return [(p, frozenset(m), rs) for p, (m, rs) in table.items()]


ROUTES = _route_table()
ROUTE_IDS = [f"{sorted(m)[0]} {p}" for p, m, _ in ROUTES]


def _fill(path: str, value: str = "no-such-thing") -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def assert_shape(resp, status: int) -> dict:
    assert resp.status_code == status, (resp.request.method, resp.request.url, resp.text[:300])
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "Traceback" not in resp.text
    return body["error"]


def test_route_table_is_complete():
    paths = {p for p, _, _ in ROUTES}
    for p in ("/api/ask", "/api/search", "/api/facts", "/api/passages/{passage_id}", "/api/health",
              "/api/feedback", "/api/admin/reload", "/", "/facts", "/passages/{passage_id}", "/about",
              "/api/series", "/series"):
        assert p in paths


@pytest.mark.parametrize(("path", "methods", "routes"), ROUTES, ids=ROUTE_IDS)
def test_404_shape(client, path, methods, routes):
    target = _fill(path) if "{" in path else path.rstrip("/") + "/no-such-thing"
    assert_shape(client.get(target), 404)


@pytest.mark.parametrize(("path", "methods", "routes"), ROUTES, ids=ROUTE_IDS)
def test_405_shape(client, path, methods, routes):
    other = next(m for m in ALL_METHODS if m not in methods)
    target = _fill(path, "x") if not isinstance(routes[0], Mount) else "/static/style.css"
    err = assert_shape(client.request(other, target), 405)
    assert err["code"] == "method_not_allowed"


@pytest.mark.parametrize(("path", "methods", "routes"), ROUTES, ids=ROUTE_IDS)
def test_413_shape(client, path, methods, routes):
    target = _fill(path, "x")
    method = "POST" if "POST" in methods else sorted(methods)[0]
    big = b'{"question": "' + b"a" * (MAX_BODY + 10) + b'"}'
    err = assert_shape(client.request(method, target, content=big,
                                      headers={"content-type": "application/json"}), 413)
    assert err["code"] == "payload_too_large"


def test_413_counts_streamed_bytes(client):
    def chunks():
        for _ in range(10):
            yield b"x" * 10_000

    resp = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in resp.request.headers
    assert_shape(resp, 413)


def _invalid_requests(path: str, route) -> list[tuple[str, str, dict]]:
    """Requests that must fail validation, derived from the route's declared parameters."""
    dep = getattr(route, "dependant", None)
    if dep is None:
        return []
    out = []
    method = sorted(getattr(route, "methods", None) or {"GET"})[0]
    base = _fill(path, "x")
    for q in dep.query_params:
        ann = q.field_info.annotation
        if ann is int:
            out.append((method, base, {"params": {q.alias: "not-a-number"}}))
            out.append((method, base, {"params": {q.alias: str(10**40)}}))
        else:
            out.append((method, base, {"params": {q.alias: "z" * 5000}}))
    if dep.body_params:
        kw: dict = {"headers": {"content-type": "application/json"}}
        json_body = any(getattr(b.field_info, "media_type", "") == "application/json" for b in dep.body_params)
        if json_body:
            out.append((method, base, {**kw, "content": b"{not json"}))
            out.append((method, base, {**kw, "content": b"[1, 2]"}))
            out.append((method, base, {**kw, "content": b'{"question": 12, "history": "no"}'}))
        else:  # form fields: every one too long
            out.append((method, base, {"data": {b.alias: "z" * 6000 for b in dep.body_params}}))
    return out


CASES_422 = [case for path, _, routes in ROUTES for r in routes for case in _invalid_requests(path, r)]


@pytest.mark.parametrize(("method", "target", "kwargs"), CASES_422,
                         ids=[f"{m} {p} {i}" for i, (m, p, _) in enumerate(CASES_422)])
def test_422_shape(client, method, target, kwargs):
    resp = client.request(method, target, **kwargs)
    assert_shape(resp, 422)


def test_every_route_with_input_has_a_422_case():
    covered = {(m, p) for m, p, _ in CASES_422}
    for path, _, routes in ROUTES:
        for r in routes:
            dep = getattr(r, "dependant", None)
            if dep is not None and (dep.query_params or dep.body_params):
                assert (sorted(r.methods)[0], _fill(path, "x")) in covered, path


@pytest.mark.parametrize("body", [
    b'{"question": "\xff\xfe\xfd"}',
    b"\xff\xfe\x00\x00",
    b'{"question": "a\\u0000b"}',
    b'{"question": "bell\\u0007"}',
    b'{"question": null}',
    b'{"question": ["a"]}',
    b'{"question": "ok", "history": [1, {"a": 2}]}',
    b'{"question": "ok", "history": ["\\u0000"]}',
    b"",
    b"null",
    b'"just a string"',
    b'{"question": "' + b"9" * 2000 + b'"}',
])
def test_hostile_ask_bodies_are_4xx(client, body):
    resp = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert 400 <= resp.status_code < 500, resp.text
    assert_shape(resp, resp.status_code)


def test_wrong_content_type_is_4xx(client):
    resp = client.post("/api/ask", content=b"question=hi", headers={"content-type": "text/plain"})
    assert 400 <= resp.status_code < 500
    assert_shape(resp, resp.status_code)


@pytest.mark.parametrize("target", [
    "/api/passages/..%2F..%2F..%2Fetc%2Fpasswd",
    "/api/passages/%00",
    "/api/passages/" + "a" * 5000,
    "/passages/..%2Fmanifest.json",
    "/static/..%2F..%2Fsrc%2Fqa%2Fsettings.py",
    "/static/../pyproject.toml",
    "/api/search?q=%00",
    "/api/search?q=a&k=-5",
    "/api/facts?offset=99999999999999999999999999",
    "/api/facts?sort=value%3B%20DROP%20TABLE%20facts",
    "/api/facts?format=xml",
    "/api/passages/x?hl=1-2,3",
    "/facts?limit=0",
])
def test_hostile_gets_are_4xx(client, target):
    resp = client.get(target)
    assert 400 <= resp.status_code < 500, (target, resp.status_code)
    assert_shape(resp, resp.status_code)


def test_browser_gets_the_error_as_a_page(client):
    resp = client.get("/passages/nope", headers={"accept": "text/html"})
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("text/html")
    assert "no passage with id" in resp.text
    api = client.get("/api/passages/nope", headers={"accept": "text/html"})
    assert_shape(api, 404)


def test_crash_is_500_in_the_shape(index_settings, qa_index):
    from fastapi.testclient import TestClient

    from qa.web.app import create_app

    app = create_app(index_settings, index=qa_index)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        resp = c.get("/api/boom")
        err = assert_shape(resp, 500)
        assert "secret" not in err["message"]
