"""HTML pages: chat (no-JS form posts), facts, passage in context, about; escaping and CSP hygiene."""

from __future__ import annotations

import re

import pytest

HTML = {"accept": "text/html"}
POVERTY = "What is the poverty line for pastoral areas?"


def _no_inline_code(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
        assert "src=" in tag, tag
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), "inline script body"
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html, flags=re.I), "inline style attribute"
    assert "<style" not in html.lower()


@pytest.mark.parametrize("path", ["/", "/facts", "/about", "/facts?kind=money&sort=-value"])
def test_pages_render_clean(client, path):
    r = client.get(path, headers=HTML)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    _no_inline_code(r.text)
    assert "/static/style.css" in r.text and "/static/app.js" in r.text


def test_chat_first_visit_has_examples_and_form(client):
    html = client.get("/").text
    assert 'class="example"' in html
    assert '<form id="ask"' in html and 'method="post"' in html
    assert 'name="question"' in html


def test_no_js_post_answers_and_carries_history(client):
    r = client.post("/", data={"question": POVERTY}, headers=HTML)
    assert r.status_code == 200
    html = r.text
    assert "<mark>" in html
    assert 'class="card citation"' in html
    assert "Read in context" in html and "/passages/" in html
    assert 'href="/api/ask?question=' in html
    # The asked question is now history for the next one.
    assert f'<input type="hidden" name="history" value="{POVERTY}">' in html
    r2 = client.post("/", data={"question": "And for agricultural areas?", "history": [POVERTY]}, headers=HTML)
    assert r2.status_code == 200
    assert POVERTY in r2.text and "And for agricultural areas?" in r2.text
    assert r2.text.count('name="history"') >= 2
    _no_inline_code(r2.text)


def test_unanswerable_shows_report_does_not_say_and_related(client):
    r = client.post("/", data={"question": "What is the GDP of Mars in 2050?"}, headers=HTML)
    assert r.status_code == 200
    if 'bubble a unanswered' in r.text:
        assert "The report does not say" in r.text
        assert "Related passages" in r.text


def test_script_question_is_escaped(client):
    attack = "<script>alert(1)</script>"
    r = client.post("/", data={"question": attack}, headers=HTML)
    assert attack not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    _no_inline_code(r.text)


def test_empty_question_no_js_shows_message(client):
    r = client.post("/", data={"question": "   "}, headers=HTML)
    assert r.status_code == 422
    assert "empty or whitespace" in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_no_js_feedback_form(client, index_settings):
    from qa.feedback import list_feedback

    before = len(list_feedback(index_settings.feedback_db))
    r = client.post("/feedback", data={"question": POVERTY, "answer": "1,800 Yuan", "vote": "up",
                                       "answered": "true", "kind": "money"}, headers=HTML)
    assert r.status_code == 200 and "Thank you" in r.text
    rows = list_feedback(index_settings.feedback_db)
    assert len(rows) == before + 1 and rows[-1]["vote"] == "up" and rows[-1]["answered"] is True


def test_answer_turn_has_feedback_form(client):
    html = client.post("/", data={"question": POVERTY}, headers=HTML).text
    assert 'action="/feedback"' in html and 'value="up"' in html and 'value="down"' in html
    assert 'name="correction"' in html


def test_facts_page(client):
    r = client.get("/facts", params={"kind": "money", "sort": "-value"}, headers=HTML)
    html = r.text
    assert 'href="/api/facts?kind=money' in html
    assert "format=csv" in html
    assert 'aria-sort="descending"' in html
    assert "<svg" in html and "<rect" in html  # money chart, server-rendered
    api = client.get("/api/facts", params={"kind": "money", "sort": "-value"}).json()
    assert f"{api['total']} fact" in html
    for f in api["facts"][:5]:
        assert f["raw"].replace("&", "&amp;").replace('"', "&#34;") in html


def test_facts_text_filter(client):
    r = client.get("/facts", params={"q": "zzzz-not-there"}, headers=HTML)
    assert "No facts match." in r.text


def test_passage_page_marks_passage_and_highlights(client, qa_index):
    p = qa_index.passages[5]
    doc = qa_index.documents[p.doc]
    r = client.get(f"/passages/{p.id}", params={"hl": "0-8"}, headers=HTML)
    assert r.status_code == 200
    html = r.text
    assert 'id="passage"' in html
    marked = re.search(r'<span id="passage" class="passage">(.*?)</span>', html, flags=re.S).group(1)
    assert marked.startswith("<mark>")
    assert f'href="/api/passages/{p.id}?hl=0-8"' in html
    # The whole document is shown: text from before and after the passage.
    assert len(html) > len(doc.text) * 0.9
    _no_inline_code(html)


def test_passage_page_unknown_is_404_page(client):
    r = client.get("/passages/nope", headers=HTML)
    assert r.status_code == 404 and "no passage" in r.text


def test_about_and_footer_name_sources(client, qa_index):
    url = qa_index.manifest["documents"][0]["source_url"]
    for path in ("/", "/about", "/facts"):
        assert url in client.get(path, headers=HTML).text
    assert 'href="/api/health"' in client.get("/about").text


def test_static_files(client):
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "mark" in css.text
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "innerHTML" not in js.text
    assert js.headers["x-content-type-options"] == "nosniff"
