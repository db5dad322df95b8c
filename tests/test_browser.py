"""Real chromium against a real ``qa serve`` subprocess: chat with and without JavaScript,
highlighted citations, follow-ups, the passage page, script injection, console errors.
The ``server`` and ``browser`` fixtures are in conftest.py (the layout tests share them)."""

from __future__ import annotations

import re
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
POVERTY = "What is the poverty line for pastoral areas?"
ATTACK = "<script>alert(1)</script>"


def _watch(page) -> dict:
    seen: dict = {"console": [], "dialogs": []}
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["console"].append(str(e)))

    def on_dialog(d) -> None:
        seen["dialogs"].append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return seen


def _answers(page):
    return page.locator(".turn:not(.loading) .bubble.a")


def test_sighup_reloads_the_index(server):
    import json
    import signal

    def loaded_at() -> str:
        with urllib.request.urlopen(server.base + "/api/health", timeout=5) as r:
            return json.loads(r.read())["loaded_at"]

    before = loaded_at()
    time.sleep(1.1)  # loaded_at has one-second resolution
    server.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while loaded_at() == before:
        assert time.monotonic() < deadline, "SIGHUP did not reload the index"
        time.sleep(0.3)
    assert server.poll() is None


def test_chat_with_javascript(server, browser):
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    page = ctx.new_page()
    seen = _watch(page)
    page.goto(server.base + "/")
    expect(page.locator("button.example").first).to_be_visible()
    box = page.locator("#question")
    expect(box).to_be_focused()

    box.fill(POVERTY)
    box.press("Enter")
    expect(_answers(page)).to_have_count(1, timeout=30_000)
    first = _answers(page).first
    expect(first.locator(".answer-text")).not_to_be_empty()
    expect(first.locator(".citation blockquote mark").first).to_be_visible()
    expect(first.locator(".confidence")).to_be_visible()
    expect(page.locator("#examples")).to_be_hidden()
    expect(box).to_be_focused()
    assert "1,800" in first.inner_text()

    box.fill("And for agricultural areas?")
    box.press("Enter")
    expect(_answers(page)).to_have_count(2, timeout=30_000)
    expect(box).to_be_focused()
    assert page.url.rstrip("/") == server.base  # no reload happened

    # The conversation survives a page reload.
    page.reload()
    expect(_answers(page)).to_have_count(2)
    expect(page.locator(".q-text").first).to_have_text(POVERTY)

    # Script injection: shown as text, no dialog.
    box = page.locator("#question")
    box.fill(ATTACK)
    box.press("Enter")
    expect(_answers(page)).to_have_count(3, timeout=30_000)
    expect(page.locator(".q-text").last).to_have_text(ATTACK)
    page.wait_for_timeout(300)
    assert seen["dialogs"] == []

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)

    # The cited passage, in its document, highlighted.
    page.locator(".citation a.context-link").first.click()
    page.wait_for_url("**/passages/**")
    expect(page.locator("#passage")).to_be_visible()
    expect(page.locator("#passage mark").first).to_be_in_viewport()
    expect(page.locator("a.json-link")).to_have_attribute("href", re.compile(r"^/api/passages/"))
    page.screenshot(path=str(ARTIFACTS / "passage.png"))

    page.goto(server.base + "/facts")
    expect(page.locator(".money svg.bar").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "facts.png"))
    assert seen["console"] == [], seen["console"]
    ctx.close()


def test_feedback_with_javascript(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    seen = _watch(page)
    page.goto(server.base + "/")
    page.locator("button.example").first.click()
    expect(_answers(page)).to_have_count(1, timeout=30_000)
    page.locator(".feedback .correction").first.fill("the right answer")
    page.locator(".feedback button.vote.down").first.click()
    expect(page.locator(".feedback .thanks")).to_be_visible()
    assert seen["console"] == [], seen["console"]
    page.close()


def test_chat_without_javascript(server, browser):
    from playwright.sync_api import expect

    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(server.base + "/")
    page.locator("#question").fill(POVERTY)
    page.locator("#send").click()
    page.wait_for_load_state()
    expect(page.locator(".bubble.a")).to_have_count(1)
    expect(page.locator(".citation mark").first).to_be_visible()
    assert page.locator('#ask input[name="history"]').count() == 1

    page.locator("#question").fill("And for agricultural areas?")
    page.locator("#send").click()
    page.wait_for_load_state()
    expect(page.locator(".q-text")).to_have_count(2)
    expect(page.locator(".bubble.a")).to_have_count(1)

    page.locator("#question").fill(ATTACK)
    page.locator("#send").click()
    page.wait_for_load_state()
    expect(page.locator(".q-text").last).to_have_text(ATTACK)

    page.locator(".feedback button.vote.up").first.click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Thank you")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "nojs-thanks.png"))
    ctx.close()
