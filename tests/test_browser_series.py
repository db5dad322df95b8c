"""The series chart in real Chromium (Playwright) against a real ``qa serve`` on the five-report index
(``series_settings`` in conftest.py): the fact table's filters lead to the chart, which draws one
bar per report with lengths in proportion to the figures, says in words what it compares, links
each bar to its passage, fits a phone, and runs without console errors."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "contract"))
from live_server import LiveServer  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def series_server(series_settings):
    with LiveServer(series_settings.index_dir) as srv:
        yield srv.base


def test_series_chart_renders_its_bars_and_description(series_server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # The fact table, filtered in its form, then on to the chart of the same measure and region.
    page.goto(series_server + "/facts")
    page.fill("input[name=measure]", "poor population")
    page.select_option("select[name=region]", "Yunnan")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"/facts\?.*measure=poor\+population.*region=Yunnan"))
    expect(page.locator("table.facts tbody tr")).to_have_count(3)  # 10.14 million, 1.602 million, 5.4 million
    page.click("text=across reports")
    expect(page).to_have_url(re.compile(r"/series\?measure=poor\+population.*region=Yunnan"))

    bars = page.locator(".series-bar")
    expect(bars).to_have_count(2)
    expect(page.locator(".series-desc")).to_have_text(
        "Poor population (people) in 2 reports, by year: Yunnan, 2009: 5.4 million; Yunnan, 2011: 10.14 million.")
    expect(bars.nth(0).locator(".bar-label")).to_have_text("Yunnan, 2009")
    expect(bars.nth(1).locator(".bar-value")).to_have_text("10.14 million")
    # drawn lengths in proportion to the values (5.4 / 10.14), as the browser lays them out
    w = [bars.nth(i).locator("rect").bounding_box()["width"] for i in range(2)]
    assert w[1] > 0 and abs(w[0] / w[1] - 5.4 / 10.14) < 0.02, w
    expect(bars.nth(1).locator("mark")).to_have_text("10.14 million")
    expect(page.locator(".series-bar details summary")).to_have_text(
        "1 other matching figure in this report (not drawn)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "series-chart.png"), full_page=True)

    # The bar's link opens its passage with the figure marked.
    bars.nth(0).locator("a.cite").click()
    expect(page.locator("mark").first).to_contain_text("5.4 million")

    # Every report, and on a phone: no page wider than the window.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(series_server + "/series?measure=poor+population")
    expect(page.locator(".series-bar")).to_have_count(5)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    page.close()
