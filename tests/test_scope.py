"""Several reports in one index (issue 13, items 1 and 2): the ``reports`` scope of the API, the CLI
and the chat page's picker, and routing by evidence when a question names no report. One real
index of the seed report (Inner Mongolia) and the fictional Lanshan report, built once here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
from fastapi.testclient import TestClient

from qa.answer.pipeline import answer

IM, LS = "inner-mongolia-2009", "lanshan-2009"
VILLAGE = "How much was issued for entire village advancement?"


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    from conftest import CORPUS, FICTIONAL_CORPUS
    from qa.index.build import build_index
    from qa.index.load import load_index
    from qa.settings import get_settings

    corpus = tmp_path_factory.mktemp("scope") / "corpus"
    shutil.copytree(CORPUS, corpus)
    for f in FICTIONAL_CORPUS.iterdir():
        shutil.copy(f, corpus / f.name)
    s = get_settings(corpus_dir=corpus, index_dir=corpus.parent / "index")
    build_index(s, progress=False)
    return s, load_index(s.index_dir, s.model)


@pytest.fixture(scope="module")
def api(two):
    from qa.web.app import create_app

    s, index = two
    with TestClient(create_app(s, index), raise_server_exceptions=False) as c:
        yield c


# -- routing ---------------------------------------------------------------------------------------

def test_words_of_one_report_route_to_it_and_say_which(two):
    _, index = two
    # Only the Inner Mongolia report has pastoral areas; the question names no report.
    a = answer(index, "What is the poverty line for pastoral areas?")
    assert a.answered and {c.doc for c in a.citations} == {IM}
    assert a.answer.startswith("Inner Mongolia, 2009: ") and "1,800" in a.answer


def test_equally_good_reports_get_one_cited_line_each(two):
    _, index = two
    a = answer(index, VILLAGE)
    assert a.answered and {c.doc for c in a.citations} == {IM, LS}
    lines = a.answer.splitlines()
    assert any(x.startswith("Inner Mongolia, 2009: ") and "350 million" in x for x in lines)
    assert any(x.startswith("Lanshan, 2009: ") and "410 million" in x for x in lines)


def test_named_region_needs_no_label(two):
    _, index = two
    a = answer(index, "How much was issued for entire village advancement in Lanshan?")
    assert a.answered and {c.doc for c in a.citations} == {LS} and not a.answer.startswith("Lanshan, 2009:")


def test_follow_up_stays_with_the_previous_report_unless_it_names_another(two):
    _, index = two
    first = "How much was issued for entire village advancement in Lanshan?"
    a = answer(index, "And how many villages?", [first])
    assert {c.doc for c in a.citations} <= {LS}
    b = answer(index, "And in Inner Mongolia?", [first])
    assert b.answered and {c.doc for c in b.citations} == {IM} and "350 million" in b.answer


def test_scope_bounds_the_answer(two):
    _, index = two
    a = answer(index, VILLAGE, reports=[LS])
    assert a.answered and {c.doc for c in a.citations} == {LS} and "410 million" in a.answer
    # the one report in scope was chosen by the user: no label
    assert not a.answer.startswith("Lanshan")


def test_many_reports_ask_the_user_to_choose(two, monkeypatch):
    from qa.answer import route

    _, index = two
    monkeypatch.setattr(route, "MAX_REPORTS", 1)
    a = answer(index, VILLAGE)
    assert not a.answered and "2 reports answer this" in a.answer
    assert "Inner Mongolia, 2009" in a.answer and "Lanshan, 2009" in a.answer


def test_single_report_index_is_unchanged(qa_index):
    a = answer(qa_index, VILLAGE)
    assert a.answered and "350 million" in a.answer and not a.answer.startswith("Inner Mongolia, 2009:")


def test_a_report_is_judged_by_its_own_words_and_years(two):
    _, index = two
    # "Xing'an" is a place of the Inner Mongolia report only: in the Lanshan report the question has no
    # answer, as it would have with Lanshan indexed alone. (The question asked here until 2026-12-01,
    # "How much was provided for the two minority areas in Hulunbeier?", is answered right at a
    # confidence of 0.53, under the threshold of 0.55 the refitted confidence chose: a question whose
    # answer is sure tests the routing, not the threshold.)
    q = "How much capital and materials were invested in Xing'an from 2006 to 2009?"
    a = answer(index, q)
    assert a.answered and "800 million" in a.answer and {c.doc for c in a.citations} == {IM}
    a = answer(index, q, reports=[LS])
    assert not a.answered and "Xing" in a.answer


# -- questions across reports (item 3) -------------------------------------------------------------

COMPARE = "Which invested more in entire village advancement, Inner Mongolia or Lanshan?"


def _each_row_cited_from_its_own_report(a) -> None:
    for r in a.table:
        if r.answered:
            c = a.citations[r.citation]
            assert c.doc == r.doc and (not r.raw or r.raw in c.text)


def test_named_reports_are_compared_each_operand_cited_from_its_own(two):
    _, index = two
    a = answer(index, COMPARE)
    assert a.answered and a.kind == "comparison"
    assert [r.doc for r in a.table] == [IM, LS] and all(r.answered for r in a.table)
    _each_row_cited_from_its_own_report(a)
    big, small = sorted(a.table, key=lambda r: -r.value)
    assert a.values[0].doc == big.doc and a.answer.startswith(big.report)  # the larger figure wins
    assert big.raw in a.computation and small.raw in a.computation
    lower = answer(index, COMPARE.replace("more", "less"))
    assert lower.values[0].doc == small.doc


def test_by_how_much_is_computed_from_each_reports_figure(two):
    _, index = two
    a = answer(index, "By how much did Lanshan's entire village advancement funds exceed Inner Mongolia's?")
    (computed,) = [v for v in a.values if v.computed]
    rows = {r.doc: r for r in a.table}
    assert computed.value == pytest.approx(abs(rows[IM].value - rows[LS].value))
    assert set(computed.operands) == {rows[IM].fact_id, rows[LS].fact_id}
    _each_row_cited_from_its_own_report(a)


def test_each_report_question_gets_a_table_row_per_report(two):
    _, index = two
    a = answer(index, "Entire village advancement funds of each report?")
    assert a.answered and {r.doc for r in a.table} == {IM, LS}
    _each_row_cited_from_its_own_report(a)
    assert a.answer.splitlines()[0].startswith("2 reports state this")
    # a year no report covers leaves no report to ask
    assert not answer(index, "Entire village advancement funds of each report in 2013?").table


def test_a_single_report_question_has_no_table(two):
    _, index = two
    assert not answer(index, VILLAGE + " in Lanshan").table


def test_table_in_json_and_on_the_no_js_page(api):
    r = api.post("/api/ask", json={"question": COMPARE})
    body = r.json()
    assert r.status_code == 200 and len(body["table"]) == 2
    assert all(0 <= row["citation"] < len(body["citations"]) for row in body["table"])
    page = api.post("/", data={"question": COMPARE}, headers={"accept": "text/html"}).text
    assert '<table class="across">' in page and page.count('<tr class="stated">') == 2


# -- API -------------------------------------------------------------------------------------------

def test_api_ask_reports_scope(api):
    r = api.post("/api/ask", json={"question": VILLAGE, "reports": [LS]})
    assert r.status_code == 200 and {c["doc"] for c in r.json()["citations"]} == {LS}
    r = api.get("/api/ask", params={"question": VILLAGE, "reports": [IM]})
    assert r.status_code == 200 and {c["doc"] for c in r.json()["citations"]} == {IM}
    r = api.post("/api/ask", json={"question": VILLAGE, "reports": []})
    assert r.status_code == 200 and {c["doc"] for c in r.json()["citations"]} == {IM, LS}


@pytest.mark.parametrize(("method", "path", "kw"), [
    ("post", "/api/ask", {"json": {"question": VILLAGE, "reports": [LS, "gansu-2009"]}}),
    ("get", "/api/ask", {"params": {"question": VILLAGE, "reports": ["gansu-2009"]}}),
    ("get", "/api/search", {"params": {"q": "poverty line", "reports": ["gansu-2009"]}}),
    ("get", "/api/facts", {"params": {"reports": ["gansu-2009"]}}),
])
def test_unknown_report_is_a_422_naming_it(api, method, path, kw):
    r = getattr(api, method)(path, **kw)
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == "validation_error"
    assert "gansu-2009" in body["error"]["message"]


def test_search_and_facts_respect_the_scope(api):
    hits = api.get("/api/search", params={"q": "entire village advancement", "k": 10, "reports": [LS]}).json()["hits"]
    assert hits and {h["doc"] for h in hits} == {LS}
    both = api.get("/api/search", params={"q": "entire village advancement", "k": 20}).json()["hits"]
    assert {h["doc"] for h in both} == {IM, LS}
    facts = api.get("/api/facts", params={"reports": [IM], "limit": 1000}).json()
    assert facts["facts"] and {f["doc"] for f in facts["facts"]} == {IM}
    total = api.get("/api/facts", params={"limit": 1}).json()["total"]
    assert 0 < facts["total"] < total


def test_schema_names_the_indexed_reports(api):
    schema = api.get("/openapi.json").json()
    body = schema["components"]["schemas"]["AskRequest"]["properties"]["reports"]
    assert body["items"]["enum"] == [IM, LS]
    for path in ("/api/ask", "/api/search", "/api/facts"):
        (p,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "reports"]
        assert p["schema"]["items"]["enum"] == [IM, LS] and p["schema"]["items"]["pattern"]


def test_health_and_about_list_the_reports(api):
    docs = api.get("/api/health").json()["documents"]
    assert {(d["id"], d["region"], d["year"]) for d in docs} == {(IM, "Inner Mongolia", 2009), (LS, "Lanshan", 2009)}
    page = api.get("/about").text
    assert "Lanshan" in page and "Inner Mongolia" in page and "2009" in page


def test_no_js_chat_keeps_the_picked_report(api):
    r = api.post("/", data={"question": VILLAGE, "reports": [LS]}, headers={"accept": "text/html"})
    assert r.status_code == 200 and "410 million" in r.text and "350 million" not in r.text
    assert f'<option value="{LS}" selected>' in r.text and f'<option value="{IM}">' in r.text


# -- CLI -------------------------------------------------------------------------------------------

def _qa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})


def test_cli_report_option(two):
    s, _ = two
    ix = ["--index", str(s.index_dir)]
    r = _qa("ask", VILLAGE, "--report", LS, *ix)
    assert r.returncode == 0 and "410 million" in r.stdout and "350 million" not in r.stdout
    r = _qa("ask", VILLAGE, "--report", LS, "--report", IM, *ix)
    assert r.returncode == 0 and "410 million" in r.stdout and "350 million" in r.stdout
    r = _qa("search", "entire village advancement", "--report", IM, "--json", *ix)
    assert r.returncode == 0 and LS not in r.stdout and IM in r.stdout
    r = _qa("facts", "--report", LS, "--format", "json", *ix)
    assert r.returncode == 0 and IM not in r.stdout and LS in r.stdout
    r = _qa("ask", VILLAGE, "--report", "gansu-2009", *ix)
    assert r.returncode == 1 and "gansu-2009" in r.stderr and "Traceback" not in r.stderr


# -- browser ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_server(two, tmp_path_factory):
    from conftest import _free_port

    s, _ = two
    port = _free_port()
    qa = shutil.which("qa", path=os.path.dirname(sys.executable)) or "qa"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "QA_DATA_DIR": str(tmp_path_factory.mktemp("scope-data"))}
    log = tmp_path_factory.mktemp("scope-log") / "serve.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([qa, "serve", "--index", str(s.index_dir), "--host", "127.0.0.1", "--port",
                                 str(port)], stdout=fh, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/api/health", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"qa serve did not come up:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("js", [True, False])
def test_browser_pick_ask_follow_up_switch(two_server, browser, js):
    page = browser.new_page(java_script_enabled=js)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(two_server + "/")
    answers = page.locator(".turn:not(.loading) .bubble.a .answer-text")

    def ask(question: str, n: int) -> str:
        page.fill("#question", question)
        page.click("#send")
        page.wait_for_function("n => document.querySelectorAll('.turn:not(.loading) .bubble.a .answer-text')"
                               ".length >= n", arg=n, timeout=20000)
        return answers.nth(n - 1).inner_text() if js else answers.last.inner_text()

    page.select_option("#reports", [LS])
    first = ask(VILLAGE, 1)
    assert "410 million" in first and "350 million" not in first
    follow = ask("And how many villages?", 2 if js else 1)
    assert "350 million" not in follow and "Inner Mongolia" not in follow
    assert page.eval_on_selector("#reports", "s => Array.from(s.selectedOptions).map(o => o.value)") == [LS]
    page.select_option("#reports", [IM])
    switched = ask(VILLAGE, 3 if js else 1)
    assert "350 million" in switched and "410 million" not in switched
    if js:  # the picker is kept with the conversation: a reload restores it
        page.reload()
        assert page.eval_on_selector("#reports", "s => Array.from(s.selectedOptions).map(o => o.value)") == [IM]
    # a question across reports, both picked: one table row per report, each linked to its source
    page.select_option("#reports", [IM, LS])
    across = ask(COMPARE, 4 if js else 1)
    # (after the earlier turns the conversation's words may pick other figures: compared, or a table
    # that says why not)
    assert across.startswith(("Lanshan, 2009", "Inner Mongolia, 2009", "2 reports state this"))
    table = page.locator(".turn:not(.loading) .bubble.a table.across").last
    assert table.locator("tbody tr.stated").count() == 2
    assert table.locator("tbody tr a").count() == 2 and "Lanshan" in table.inner_text()
    assert not errors
    page.close()
