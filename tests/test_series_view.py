"""A series view (issue 13, item 4) on a real index of five reports (the seed and four open real
reports of eval/series; ``series_index`` in conftest.py): the fact table's report, region, year and
measure filters in the service, the JSON API (and CSV), the page and the command line; the chart of
one measure across reports (``/series``, ``/api/series``, ``qa series``); bad input is a 422 in the
one error shape, and the schema states exactly the regions and years the server accepts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from qa import service
from qa.errors import InvalidInput
from qa.schemas import SeriesMissing

IM, YN9, YN11, QH11, SC10 = "inner-mongolia-2009", "yunnan-2009", "yunnan-2011", "qinghai-2011", "sichuan-2010"
POOR = "poor population"


@pytest.fixture(scope="module")
def api(series_settings, series_index):
    from qa.web.app import create_app

    with TestClient(create_app(series_settings, series_index), raise_server_exceptions=False) as c:
        yield c


def docs_of(resp) -> set[str]:
    return {f.doc for f in resp.facts}


# -- the service: filters ---------------------------------------------------------------------------

def test_region_is_any_case_and_year_is_a_reports_year(series_index):
    assert docs_of(service.facts(series_index, region="YUNNAN", limit=1000)) == {YN9, YN11}
    assert docs_of(service.facts(series_index, year=2009, limit=1000)) == {IM, YN9}
    assert docs_of(service.facts(series_index, region="yunnan", year="2011", limit=1000)) == {YN11}
    # reports and region narrow each other; nothing in common is an empty table, not everything
    assert docs_of(service.facts(series_index, reports=[YN9, QH11], region="Yunnan", limit=1000)) == {YN9}
    assert service.facts(series_index, reports=[QH11], region="Yunnan").total == 0


@pytest.mark.parametrize("kw, says", [({"region": "Mars"}, "regions: Inner Mongolia, Qinghai, Sichuan, Yunnan"),
                                      ({"year": 1999}, "years: 2009, 2010, 2011"),
                                      ({"year": "20x9"}, "is not a year"), ({"year": "-2009"}, "is not a year"),
                                      ({"year": 3000}, "is not a year")])
def test_a_region_or_year_no_report_has_is_refused_naming_those_that_are(series_index, kw, says):
    with pytest.raises(InvalidInput, match=says):
        service.facts(series_index, **kw)


def test_measure_finds_the_lexicons_synonyms_across_reports(series_index):
    resp = service.facts(series_index, measure=POOR, kind="count", limit=1000)
    by_doc = {(f.doc, f.raw): f.measure for f in resp.facts}
    assert by_doc[(IM, "917,000")] == "poor population"
    assert by_doc[(YN11, "10.14 million")] == "poverty-stricken population"  # poor ~ poverty in the lexicon
    assert by_doc[(SC10, "814,100")] == "poor people"  # population ~ people
    assert all(f.unit in ("people", "households", "families") for f in resp.facts)
    assert not any("fund" in f.measure for f in resp.facts)
    # filters combine: the same measure in Yunnan only
    assert docs_of(service.facts(series_index, measure=POOR, region="Yunnan", limit=1000)) == {YN9, YN11}
    # a measure of stop words only matches nothing (it names no figure)
    assert service.facts(series_index, measure="the of").total == 0


# -- the service: the series ------------------------------------------------------------------------

def test_series_has_one_cited_figure_per_report_in_one_unit(series_index):
    s = service.series(series_index, POOR)
    assert s.unit == "people" and len(s.bars) == 5 and len({b.report for b in s.bars}) == 5
    values = {b.report: b.text for b in s.bars}
    assert values[IM] == "917,000" and values[YN9] == "5.4 million" and values[YN11] == "10.14 million"
    for b in s.bars:  # each bar is a fact of its report, quoted from its sentence at its offsets
        doc = series_index.documents[b.report]
        assert doc.text[b.fact.start:b.fact.end] == b.fact.raw and b.fact.raw in b.fact.sentence
        assert doc.text[b.fact.sentence_start:b.fact.sentence_end] == b.fact.sentence
        assert b.fact.unit == "people" and b.value == b.fact.value
        assert b.label == f"{doc.meta['region']}, {doc.meta['year']}"
    assert s.description.startswith("Poor population (people) in 5 reports, by region, then year: "
                                    "Inner Mongolia, 2009: 917,000; ")
    several = [b for b in s.bars if b.others]
    assert several and any("each bar uses the best match" in n for n in s.notes)


def test_series_of_one_region_is_by_year_and_of_one_year_by_region(series_index):
    by_year = service.series(series_index, POOR, region="yunnan")
    assert by_year.order == "year" and [b.year for b in by_year.bars] == [2009, 2011]
    assert by_year.description == ("Poor population (people) in 2 reports, by year: Yunnan, 2009: 5.4 million; "
                                   "Yunnan, 2011: 10.14 million.")
    by_region = service.series(series_index, POOR, year=2009)
    assert by_region.order == "region" and [b.region for b in by_region.bars] == ["Inner Mongolia", "Yunnan"]


def test_series_never_draws_an_income_per_person_beside_an_amount(series_index):
    s = service.series(series_index, "per capita net income")
    assert s.unit == "yuan per person" and {b.fact.kind for b in s.bars} == {"per_capita"}
    assert all(f.kind != "per_capita" for fs in s.other_units.values() for f in fs)
    money = service.series(series_index, "anti-poverty funds")
    assert money.unit == "yuan" and {b.fact.kind for b in money.bars} == {"money"}
    assert any("not drawn" in n for n in money.notes) == bool(money.other_units)


def test_money_chart_bars_stay_within_one_report(series_index):
    from qa.web.chart import money_chart

    chart = money_chart(series_index.facts, labels={d: d for d in series_index.documents})
    assert chart.bars and all(len({f.doc for f in b.facts}) == 1 for b in chart.bars)
    assert all(b.section.startswith(f"{b.facts[0].doc}: ") for b in chart.bars)


# -- HTTP: JSON, CSV, pages, errors -----------------------------------------------------------------

def test_api_facts_filters_json_and_csv(api):
    r = api.get("/api/facts", params={"measure": POOR, "region": "yunnan", "year": 2011, "limit": 1000})
    assert r.status_code == 200 and {f["doc"] for f in r.json()["facts"]} == {YN11}
    assert "10.14 million" in {f["raw"] for f in r.json()["facts"]}
    csv = api.get("/api/facts", params={"measure": POOR, "region": "yunnan", "year": 2011, "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    rows = csv.text.splitlines()
    assert rows[0].startswith("id,kind,value") and len(rows) == 1 + r.json()["total"] and "10.14 million" in csv.text


def test_api_series_json_and_its_passage_links(api):
    r = api.get("/api/series", params={"measure": POOR, "reports": [YN9, YN11, IM]})
    assert r.status_code == 200
    body = r.json()
    assert [b["label"] for b in body["bars"]] == ["Inner Mongolia, 2009", "Yunnan, 2009", "Yunnan, 2011"]
    assert body["unit"] == "people" and body["description"].startswith("Poor population (people) in 3 reports")
    link = body["bars"][0]["fact"]["passage_url"]
    page = api.get(link.split("#")[0], headers={"accept": "text/html"})
    assert page.status_code == 200 and "<mark" in page.text and "917,000" in page.text


@pytest.mark.parametrize("path", ["/api/facts", "/api/series"])
@pytest.mark.parametrize("year", ["abc", "2009.5", "1999", "99999"])
def test_a_bad_year_is_a_422_in_the_error_shape(api, path, year):
    r = api.get(path, params={"measure": POOR, "year": year})
    assert r.status_code == 422
    assert set(r.json()) == {"error"} and r.json()["error"]["code"] == "validation_error"
    assert "year" in r.json()["error"]["message"]


def test_series_page_draws_the_bars_and_says_what_it_compares(api):
    r = api.get("/series", params={"measure": POOR, "region": "Yunnan"}, headers={"accept": "text/html"})
    assert r.status_code == 200
    html = r.text
    assert html.count('class="bar-row series-bar"') == 2 and html.count("<rect ") == 2
    assert "Poor population (people) in 2 reports, by year: Yunnan, 2009: 5.4 million; Yunnan, 2011: 10.14 million." \
        in html
    assert '<option value="Yunnan" selected>' in html and 'value="poor population"' in html
    assert "/api/series?measure=poor+population&amp;region=Yunnan" in html  # the JSON twin
    assert api.get("/series", headers={"accept": "text/html"}).status_code == 200  # the empty form
    bad = api.get("/series", params={"measure": POOR, "year": "x"}, headers={"accept": "text/html"})
    assert bad.status_code == 422 and "year" in bad.text
    assert api.get("/series", params={"measure": POOR, "year": "x"}).json()["error"]["code"] == "validation_error"


def test_facts_page_keeps_the_filters_in_the_url(api):
    params = {"measure": POOR, "region": "Yunnan", "year": "2011", "reports": [YN11]}
    r = api.get("/facts", params=params, headers={"accept": "text/html"})
    assert r.status_code == 200
    html = r.text
    assert '<option value="2011" selected>' in html and f'<option value="{YN11}" selected>' in html
    assert "10.14 million" in html and "5.4 million" not in html.split('<table class="facts">')[1]
    assert "/series?measure=poor+population&amp;reports=yunnan-2011&amp;region=Yunnan&amp;year=2011" in html
    links = [part.split('"', 1)[0] for part in html.split('href="/api/facts?')[1:]]  # JSON and CSV
    assert len(links) >= 2 and all(p in link for link in links for p in (
        "reports=yunnan-2011", "region=Yunnan", "year=2011", "measure=poor+population"))
    assert "format=csv" in html.split(">CSV<")[0].rsplit("href=", 1)[-1]


# -- the schema says exactly what the server accepts ------------------------------------------------

@pytest.mark.parametrize("name, value", [("region", "Yunnan"), ("region", "yUNNAN"), ("region", "Inner Mongolia"),
                                         ("region", "inner  mongolia"), ("region", " Yunnan"), ("region", "Mars"),
                                         ("region", ""), ("region", "Yunnan\n"), ("year", 2009), ("year", 2010),
                                         ("year", 2012), ("year", 1999)])
@pytest.mark.parametrize("path", ["/api/facts", "/api/series"])
def test_region_and_year_rules_agree_with_the_schema(api, path, name, value):
    openapi = api.get("/openapi.json").json()
    param = next(p for p in openapi["paths"][path]["get"]["parameters"] if p["name"] == name)
    ok = jsonschema_rs.validator_for(param["schema"]).is_valid(value)
    r = api.get(path, params={name: value, "measure": POOR, "limit": 1})
    assert (r.status_code == 200) == ok and r.status_code in (200, 422), (value, r.text[:200])


# -- the command line -------------------------------------------------------------------------------

def _qa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})


def test_cli_facts_filters_and_series(series_settings):
    idx = str(series_settings.index_dir)
    r = _qa("facts", "--index", idx, "--region", "yunnan", "--measure", POOR, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert {f["doc"] for f in json.loads(r.stdout)} == {YN9, YN11}
    r = _qa("series", POOR, "--index", idx, "--year", "2009")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Poor population (people) in 2 reports, by region: Inner Mongolia, 2009: 917,000; "
                               "Yunnan, 2009: 5.4 million.")
    j = _qa("series", POOR, "--index", idx, "--report", QH11, "--json")
    assert j.returncode == 0 and [b["report"] for b in json.loads(j.stdout)["bars"]] == [QH11]
    bad = _qa("facts", "--index", idx, "--year", "1999")
    assert bad.returncode == 1 and "year: no indexed report is of 1999" in bad.stderr


def test_facts_page_names_each_facts_report(api):
    html = api.get("/facts", params={"measure": POOR, "sort": "doc"}, headers={"accept": "text/html"}).text
    head = html.split('<table class="facts">')[1].split("</thead>")[0]
    assert ">Report" in head and 'aria-sort="ascending"' in head
    assert f'<td class="col-doc">{IM}</td>' in html


def test_series_page_lists_the_figures_it_did_not_draw(api, series_index):
    # A report whose only figure has the words in its sentence: the page lists it, quoted and linked.
    resp = service.series(series_index, POOR, region="Yunnan")
    weak = resp.bars[0].fact
    resp.missing.append(SeriesMissing(report=QH11, label="Qinghai, 2011", facts=[weak]))
    html = api.app.state.jinja.get_template("series.html").render(
        resp=resp, widths=[10, 20], unit_urls={}, filters={"reports": []}, documents=[], regions=[], years=[])
    details = html.split('class="small weaker"')[1].split("</details>")[0]
    assert f"Qinghai, 2011: {weak.raw}" in details and f'href="{weak.passage_url}"' in details
