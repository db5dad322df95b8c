"""JSON API on the real index: contract shapes, limits, facts, passages, health, reload, CORS."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from qa.answer.models import Answer

POVERTY = "What is the poverty line for pastoral areas?"


def _err(resp, status: int, code: str | None = None) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_ask_returns_the_answer_contract(client):
    r = client.post("/api/ask", json={"question": POVERTY})
    assert r.status_code == 200
    ans = Answer.model_validate(r.json())
    assert ans.question == POVERTY
    assert 0.0 <= ans.confidence <= 1.0
    assert ans.answered and ans.citations
    for c in ans.citations:
        for a, b in c.highlights:
            assert 0 <= a < b <= len(c.text)


def test_ask_get_is_the_same_object(client):
    post = client.post("/api/ask", json={"question": POVERTY, "history": []}).json()
    get = client.get("/api/ask", params={"question": POVERTY}).json()
    for key in ("question", "answer", "answered", "citations"):
        assert post[key] == get[key]


def test_ask_follow_up_uses_history(client):
    r = client.post("/api/ask", json={"question": "And for agricultural areas?", "history": [POVERTY]})
    assert r.status_code == 200
    assert r.json()["question"] == "And for agricultural areas?"


def test_ask_ignores_extra_fields_and_strips(client):
    r = client.post("/api/ask", json={"question": f"  {POVERTY}  ", "mode": "x", "extra": [1, 2]})
    assert r.status_code == 200
    assert r.json()["question"] == POVERTY


@pytest.mark.parametrize("question", ["", "   ", "\n\t "])
def test_empty_question_says_so(client, question):
    err = _err(client.post("/api/ask", json={"question": question}), 422, "validation_error")
    assert "empty" in err["message"] or "at least 1" in err["message"]


def test_whitespace_question_message(client):
    err = _err(client.post("/api/ask", json={"question": "   "}), 422)
    assert "empty or whitespace" in err["message"]


def test_limits_on_question_and_history(client):
    _err(client.post("/api/ask", json={"question": "x" * 1001}), 422)
    assert client.post("/api/ask", json={"question": "x" * 1000}).status_code == 200
    _err(client.post("/api/ask", json={"question": "why?", "history": ["q"] * 21}), 422)
    assert client.post("/api/ask", json={"question": "why?", "history": ["q"] * 20}).status_code == 200


def test_search(client):
    r = client.get("/api/search", params={"q": "poverty line", "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["k"] == 3 and 1 <= len(body["hits"]) <= 3
    assert {"passage_id", "section", "text", "score"} <= set(body["hits"][0])
    _err(client.get("/api/search", params={"q": "x", "k": 10**12}), 422)
    _err(client.get("/api/search", params={"q": "x", "k": 0}), 422)
    _err(client.get("/api/search", params={"q": "x", "mode": "magic"}), 422)
    _err(client.get("/api/search"), 422)


def test_facts_json_and_filters(client, qa_index):
    r = client.get("/api/facts", params={"limit": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["limit"] == 5 and len(body["facts"]) <= 5
    assert body["total"] == len(qa_index.facts)
    money = client.get("/api/facts", params={"kind": "money", "limit": 1000}).json()
    assert all(f["kind"] == "money" for f in money["facts"])
    page2 = client.get("/api/facts", params={"limit": 2, "offset": 2}).json()
    first = client.get("/api/facts", params={"limit": 4}).json()
    assert page2["facts"] == first["facts"][2:4]


def test_facts_sort_and_bad_sort(client):
    r = client.get("/api/facts", params={"kind": "money", "sort": "-value", "limit": 50})
    values = [f["value"] for f in r.json()["facts"] if f["value"] is not None]
    assert values == sorted(values, reverse=True)
    _err(client.get("/api/facts", params={"sort": "nope; DROP TABLE facts"}), 422, "validation_error")


def test_facts_csv(client):
    r = client.get("/api/facts", params={"format": "csv", "limit": 10})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) <= 10 and "kind" in (rows[0] if rows else {"kind": 1})


def test_facts_limits(client):
    _err(client.get("/api/facts", params={"limit": 10**30}), 422)
    _err(client.get("/api/facts", params={"offset": -1}), 422)
    _err(client.get("/api/facts", params={"limit": "ten"}), 422)
    assert client.get("/api/facts", params={"offset": 10**6}).json()["facts"] == []


def test_passage(client, qa_index):
    p = qa_index.passages[3]
    r = client.get(f"/api/passages/{p.id}", params={"hl": "0-5,10-12"})
    assert r.status_code == 200
    body = r.json()
    assert body["text"] == p.text and body["start"] == p.start
    assert body["highlights"] == [[0, 5], [10, 12]]
    assert qa_index.documents[p.doc].text[body["start"]:body["end"]] == body["text"]


def test_passage_document_offsets(client, qa_index):
    p = qa_index.passages[3]
    r = client.get(f"/api/passages/{p.id}", params={"dhl": f"{p.start + 2}-{p.start + 7}"})
    assert r.json()["highlights"] == [[2, 7]]


def test_passage_errors(client):
    _err(client.get("/api/passages/does-not-exist"), 404, "not_found")
    _err(client.get("/api/passages/..%2F..%2Fetc%2Fpasswd"), 404)
    _err(client.get("/api/passages/%2e%2e"), 404)
    pid = client.get("/api/search", params={"q": "poverty", "k": 1}).json()["hits"][0]["passage_id"]
    _err(client.get(f"/api/passages/{pid}", params={"hl": "a-b"}), 422)


def test_health(client, qa_index):
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["counts"] == qa_index.manifest["counts"]
    assert body["model"] == qa_index.manifest["model"]
    assert body["built_at"] == qa_index.manifest["built_at"]
    assert body["documents"][0]["source_url"]


def test_feedback_api(client, index_settings):
    from qa.feedback import list_feedback

    r = client.post("/api/feedback", json={"question": POVERTY, "history": [], "answer": "1,800 Yuan",
                                           "vote": "down", "correction": "1,800 yuan per year"})
    assert r.status_code == 200
    fid = r.json()["id"]
    row = next(x for x in list_feedback(index_settings.feedback_db) if x["id"] == fid)
    assert row["vote"] == "down" and row["correction"] == "1,800 yuan per year"
    _err(client.post("/api/feedback", json={"question": POVERTY, "vote": "maybe"}), 422)


def test_security_headers_and_no_cors(client):
    r = client.get("/api/health", headers={"Origin": "https://evil.example"})
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]
    assert "access-control-allow-origin" not in r.headers


def test_cors_when_configured(index_settings, qa_index):
    from qa.web.app import create_app

    s = index_settings.model_copy(update={"cors_origins": ["https://ok.example"]})
    with TestClient(create_app(s, index=qa_index)) as c:
        r = c.get("/api/health", headers={"Origin": "https://ok.example"})
        assert r.headers["access-control-allow-origin"] == "https://ok.example"
        r = c.get("/api/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers


def test_openapi_docs(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/ask", "/api/search", "/api/facts", "/api/passages/{passage_id}", "/api/health",
                 "/api/feedback", "/api/admin/reload"):
        assert path in spec["paths"]
    assert spec["paths"]["/api/ask"]["post"]["description"]
    assert client.get("/docs").status_code == 200


def test_reload_swaps_index(index_settings, qa_index):
    from qa.web.app import create_app

    s = index_settings.model_copy(update={"admin_token": "s3cret"})
    app = create_app(s, index=qa_index)
    with TestClient(app, raise_server_exceptions=False) as c:
        _err(c.post("/api/admin/reload"), 401, "unauthorized")
        _err(c.post("/api/admin/reload", headers={"Authorization": "Bearer wrong"}), 401)
        r = c.post("/api/admin/reload", headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 200, r.text
        assert r.json()["counts"] == qa_index.manifest["counts"]
        assert app.state.holder.index is not qa_index
        assert c.post("/api/ask", json={"question": POVERTY}).status_code == 200


def test_failed_reload_keeps_old_index(index_settings, qa_index, tmp_path):
    from qa.web.app import create_app

    s = index_settings.model_copy(update={"index_dir": tmp_path / "missing"})
    app = create_app(s, index=qa_index)
    # no admin token: reload is allowed from loopback clients only
    with TestClient(app, raise_server_exceptions=False, client=("127.0.0.1", 50000)) as c:
        err = _err(c.post("/api/admin/reload"), 500, "reload_failed")
        assert "old index" in err["message"]
        assert app.state.holder.index is qa_index
        assert c.get("/api/health").status_code == 200
