"""The OpenAPI document says what the server enforces (issue 15): for sample inputs on both sides of
every rule, the schema's verdict (jsonschema-rs, the validator schemathesis uses) and the server's
(422 or not) agree; enums, patterns, required parameters and extra-field rules are in the schema;
every error status is documented in the one error shape; every operation has an example request
and response from the eval set."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import jsonschema_rs
import pytest

from qa.facts.model import KINDS
from qa.facts.store import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = {("/api/ask", "get"), ("/api/ask", "post"), ("/api/search", "get"), ("/api/facts", "get"),
              ("/api/passages/{passage_id}", "get"), ("/api/health", "get"), ("/api/feedback", "post"),
              ("/api/admin/reload", "post"), ("/api/series", "get")}
QUESTIONS = ["How much went to entire village advancement?", "", " ", "\t\n ", "\u3000", "\u00a0x", "a\x00b",
             "a\x1fb", "a\x7f", "ok\n", "\ufeff", "\x85", "\x85x", "\u2028", "x" * 1000, "x" * 1001, "\tq\r\n"]
RANGES = ["", "1-2", "0-5,10-20", "1-2,", ",1-2", "1 - 2", "1-2\n", "\u0663-4", "12345678-1", "5-1",
          ",".join(["1-2"] * 50), ",".join(["1-2"] * 51), "1-2;3-4", "-1-2"]


def _param(openapi: dict, path: str, method: str, name: str) -> dict:
    return next(p for p in openapi["paths"][path][method]["parameters"] if p["name"] == name)


def _schema_ok(openapi: dict, schema: dict, value) -> bool:
    return jsonschema_rs.validator_for({**schema, "components": openapi["components"]}).is_valid(value)


def _body_schema(openapi: dict, path: str) -> dict:
    return openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


def test_every_operation_is_in_the_schema(openapi):
    assert {(p, m) for p, item in openapi["paths"].items() for m in item} == OPERATIONS


def test_enums_patterns_and_required_parameters(openapi):
    kind = _param(openapi, "/api/facts", "get", "kind")["schema"]
    assert set(next(s for s in kind["anyOf"] if "enum" in s)["enum"]) == set(KINDS)
    sort = _param(openapi, "/api/facts", "get", "sort")["schema"]
    assert set(sort["enum"]) == {c for col in COLUMNS for c in (col, f"-{col}")}
    assert set(_param(openapi, "/api/facts", "get", "format")["schema"]["enum"]) == {"json", "csv"}
    assert set(_param(openapi, "/api/search", "get", "mode")["schema"]["enum"]) == {"hybrid", "dense", "bm25"}
    assert _param(openapi, "/api/ask", "get", "question")["required"] is True
    assert _param(openapi, "/api/search", "get", "q")["required"] is True
    assert "pattern" in _param(openapi, "/api/passages/{passage_id}", "get", "passage_id")["schema"]
    for name in ("hl", "dhl"):
        hl = _param(openapi, "/api/passages/{passage_id}", "get", name)["schema"]
        assert "pattern" in next(s for s in hl["anyOf"] if s.get("type") == "string")
    history = _param(openapi, "/api/ask", "get", "history")
    assert "pattern" in history["schema"]["items"] and "control characters" in history["description"]
    comps = openapi["components"]["schemas"]
    assert comps["AskRequest"]["additionalProperties"] is True  # ignored, as before: clients keep working
    assert comps["FeedbackRequest"]["additionalProperties"] is False
    assert "not only whitespace" in comps["AskRequest"]["properties"]["question"]["description"]


@pytest.mark.parametrize("question", QUESTIONS, ids=[repr(q)[:20] for q in QUESTIONS])
def test_question_rules_agree(client, openapi, question):
    """The same verdict from the schema and the server, for the query string and the JSON body."""
    get_ok = _schema_ok(openapi, _param(openapi, "/api/ask", "get", "question")["schema"], question)
    body_ok = _schema_ok(openapi, _body_schema(openapi, "/api/ask"), {"question": question})
    search_ok = _schema_ok(openapi, _param(openapi, "/api/search", "get", "q")["schema"], question)
    assert get_ok == body_ok == search_ok
    for resp in (client.get("/api/ask", params={"question": question}),
                 client.post("/api/ask", json={"question": question}),
                 client.get("/api/search", params={"q": question, "k": 1})):
        assert (resp.status_code == 200) == get_ok, (resp.status_code, resp.text[:200])
        if not get_ok:
            assert resp.status_code == 422 and "\\x" not in resp.json()["error"]["message"]  # a sentence


@pytest.mark.parametrize("hl", RANGES)
def test_highlight_rules_agree(client, openapi, qa_index, hl):
    pid = qa_index.passages[0].id
    ok = _schema_ok(openapi, _param(openapi, "/api/passages/{passage_id}", "get", "hl")["schema"], hl)
    for name in ("hl", "dhl"):
        resp = client.get(f"/api/passages/{pid}", params={name: hl})
        assert (resp.status_code == 200) == ok, (name, resp.status_code, resp.text[:200])
        assert resp.status_code in (200, 422)


@pytest.mark.parametrize("pid", ["real", "nope", "a b", "x" * 129, "x" * 128, "ü", "a.b:c-d_e", "a\\b"])
def test_passage_id_rules_agree(client, openapi, qa_index, pid):
    pid = qa_index.passages[0].id if pid == "real" else pid
    ok = _schema_ok(openapi, _param(openapi, "/api/passages/{passage_id}", "get", "passage_id")["schema"], pid)
    status = client.get(f"/api/passages/{quote(pid, safe='')}").status_code
    assert status == (422 if not ok else 200 if pid == qa_index.passages[0].id else 404)


@pytest.mark.parametrize(("name", "value"), [("kind", "money"), ("kind", "moneyy"), ("kind", "MONEY"),
                                             ("kind", ""), ("sort", "-value"), ("sort", "bogus"),
                                             ("sort", "--start"), ("section", "Overview"), ("section", "a\x00"),
                                             ("q", "yuan"), ("q", "x\x1b"), ("q", "y" * 201), ("format", "xml")])
def test_fact_filter_rules_agree(client, openapi, name, value):
    ok = _schema_ok(openapi, _param(openapi, "/api/facts", "get", name)["schema"], value)
    resp = client.get("/api/facts", params={name: value, "limit": 1})
    assert (resp.status_code == 200) == ok and resp.status_code in (200, 422), resp.text[:200]


@pytest.mark.parametrize("body", [
    {"question": "q?", "vote": "up"}, {"question": "q?", "vote": "up", "answered": 0},
    {"question": "q?", "vote": "up", "answered": "true"}, {"question": "q?", "vote": "sideways"},
    {"question": "q?", "vote": "up", "kind": "money"}, {"question": "q?", "vote": "up", "kind": "Money!"},
    {"question": "q?", "vote": "up", "extra": 1}, {"question": "q?", "vote": "up", "correction": "a\x00"},
    {"question": "q?", "vote": "down", "correction": None, "history": ["earlier"], "answer": "x" * 5000},
    {"question": "q?", "vote": "up", "answer": "x" * 5001}, {"question": " ", "vote": "up"},
])
def test_feedback_rules_agree(client, openapi, body):
    ok = _schema_ok(openapi, _body_schema(openapi, "/api/feedback"), body)
    resp = client.post("/api/feedback", json=body)
    assert (resp.status_code == 200) == ok and resp.status_code in (200, 422), resp.text[:200]


def test_every_error_status_is_documented_in_the_error_shape(openapi):
    shape = openapi["components"]["schemas"]["ErrorResponse"]
    assert shape["required"] == ["error"] and shape["additionalProperties"] is False
    for path, item in openapi["paths"].items():
        for method, op in item.items():
            errors = {s: r for s, r in op["responses"].items() if s[0] in "45"}
            assert "500" in errors, (path, method)
            if op.get("parameters") or op.get("requestBody"):
                assert "422" in errors, (path, method)
            if method == "post" and op.get("requestBody"):
                assert {"400", "413", "415"} <= set(errors), (path, method)
            for status, resp in errors.items():
                media = resp["content"]["application/json"]
                assert media["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}, (path, status)
                example = media["example"]["error"]
                assert set(example) == {"code", "message"} and example["code"] in resp["description"]


def _eval_questions() -> set[str]:
    lines = (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["question"] for line in lines if line.strip()}


def test_every_operation_has_an_example_from_the_eval_set(openapi, seed_doc):
    from qa.answer.models import Answer
    from qa.schemas import (
        FactsResponse,
        FeedbackResponse,
        HealthResponse,
        PassageResponse,
        SearchResponse,
        SeriesResponse,
    )

    questions = _eval_questions()
    models = {"/api/ask": Answer, "/api/search": SearchResponse, "/api/facts": FactsResponse,
              "/api/passages/{passage_id}": PassageResponse, "/api/health": HealthResponse,
              "/api/feedback": FeedbackResponse, "/api/series": SeriesResponse}
    for path, method in OPERATIONS:
        op = openapi["paths"][path][method]
        (example,) = op["responses"]["200"]["content"]["application/json"]["examples"].values()
        if path in models:
            models[path].model_validate(example["value"])
        asked = []
        if "requestBody" in op:
            (req,) = op["requestBody"]["content"]["application/json"]["examples"].values()
            asked.append(req["value"]["question"])
        for p in op.get("parameters", []):
            for ex in p.get("examples", {}).values():
                if p["name"] in ("question", "q"):
                    asked.append(ex["value"])
        if path in ("/api/ask", "/api/search", "/api/feedback"):
            assert asked and set(asked) <= questions, (path, method, asked)
    ask = openapi["paths"]["/api/ask"]["post"]["responses"]["200"]["content"]["application/json"]["examples"]
    answer = next(iter(ask.values()))["value"]
    assert answer["answered"] and any(v["computed"] and len(v["operands"]) >= 2 for v in answer["values"])
    for c in answer["citations"]:  # a real response: its quotes are the report's own text
        assert seed_doc.text[c["start"]:c["end"]] == c["text"]


def test_docs_page_uses_local_assets_and_a_strict_csp(client):
    r = client.get("/docs")
    assert r.status_code == 200 and "/static-offline-docs/swagger-ui-bundle.js" in r.text
    csp = r.headers["content-security-policy"]
    assert "http" not in csp and "cdn" not in r.text.lower()
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]  # inline script by its hash
    assert "'sha256-" in csp
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static-offline-docs/swagger-ui.css").status_code == 200
