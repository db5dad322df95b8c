"""Layout in the real browser (issue 14): the newest answer is never hidden behind the question box,
and no page is wider than a 390 px phone. Chromium via Playwright against a real ``qa serve``
(fixtures in conftest.py). Screenshots go to test-artifacts/ (not committed)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
QUESTIONS = [
    "What is the poverty line for pastoral areas?",
    "And for agricultural areas?",
    "How much money went to entire village advancement?",
    "How many people were trained?",
    "How much was invested in poverty alleviation by industrialization?",
]

# Where the first line of the newest answer is, against the window and the question box (which
# sticks to the bottom of the window). The first non-blank text node of the newest answer bubble
# is its first line, whatever markup the answer uses.
FIRST_LINE = """() => {
  const turns = document.querySelectorAll('#conversation .turn');
  const bubble = turns.length ? turns[turns.length - 1].querySelector('.bubble.a') : null;
  if (!bubble) return null;
  const walk = document.createTreeWalker(bubble, NodeFilter.SHOW_TEXT);  // no filter callback: it
  let text = walk.nextNode();                                            // cannot run without JS
  while (text && !text.textContent.trim()) text = walk.nextNode();
  if (!text) return null;
  const range = document.createRange();
  range.selectNodeContents(text);
  const line = range.getClientRects()[0];
  const ask = document.getElementById('ask').getBoundingClientRect();
  const out = { text: text.textContent.trim().slice(0, 60), top: line.top, bottom: line.bottom,
    askTop: ask.top, height: innerHeight, scrollHeight: document.documentElement.scrollHeight,
    scrollWidth: document.documentElement.scrollWidth };
  out.shown = line.top >= 0 && line.bottom <= Math.min(ask.top, innerHeight);
  return out;
}"""


# Resolves once the page has stopped scrolling (smooth scrolling takes a few hundred ms).
SETTLED = """() => new Promise((done) => {
  let last = -1, still = 0;
  const tick = () => {
    still = scrollY === last ? still + 1 : 0;
    last = scrollY;
    if (still >= 5) done(scrollY); else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})"""


def _first_line_shown(page) -> dict:
    """The newest answer's first line once scrolling has settled (measured, not assumed)."""
    page.evaluate(SETTLED)
    return page.evaluate(FIRST_LINE)


def _ask_all(page, questions: list[str], shot: str | None = None) -> list[dict]:
    from playwright.sync_api import expect

    seen = []
    box = page.locator("#question")
    for i, q in enumerate(questions, 1):
        box.fill(q)
        box.press("Enter")
        expect(page.locator(".turn:not(.loading) .bubble.a")).to_have_count(i, timeout=30_000)
        where = _first_line_shown(page)
        seen.append(where)
        assert where and where["shown"], f"after question {i} the new answer's first line is hidden: {where}"
        if i == 4 and shot:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / shot))
    return seen


@pytest.mark.parametrize("size", [{"width": 1100, "height": 900}, PHONE], ids=["1100x900", "390"])
def test_newest_answer_is_never_hidden(server, browser, size):
    ctx = browser.new_context(viewport=size)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.base + "/")
    seen = _ask_all(page, QUESTIONS, shot=f"chat-4-questions-{size['width']}.png")
    # From the third question on the conversation is longer than the window, so the question box
    # does stick over it: the check above is not met trivially by a short page.
    assert all(w["scrollHeight"] > w["height"] for w in seen[2:]), seen
    assert seen[-1]["scrollWidth"] <= size["width"]
    assert errors == []
    ctx.close()


def test_newest_answer_is_shown_without_javascript(server, browser):
    """The no-JavaScript chat posts to /#latest, so the answered page opens at the newest turn."""
    ctx = browser.new_context(viewport={"width": 390, "height": 640}, java_script_enabled=False)
    page = ctx.new_page()
    page.goto(server.base + "/")
    for i, q in enumerate(QUESTIONS[:4], 1):
        page.locator("#question").fill(q)
        page.locator("#send").click()
        page.wait_for_load_state()
        where = page.evaluate(FIRST_LINE)
        assert where and where["shown"], f"after question {i} (no JavaScript): {where}"
    assert where["scrollHeight"] > where["height"]
    ctx.close()


def _wider_than(page, width: int) -> list[str]:
    """Elements that reach past the right edge and are not inside a box that scrolls sideways."""
    return page.evaluate("""(w) => [...document.querySelectorAll('body *')].filter((e) => {
        if (e.getBoundingClientRect().right <= w + 0.5) return false;
        for (let p = e.parentElement; p; p = p.parentElement) {
          if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return false;
        }
        return true;
      }).slice(0, 10).map((e) => e.tagName + '.' + (e.getAttribute('class') || '') + ': '
        + (e.textContent || '').trim().slice(0, 50))""", width)


@pytest.mark.parametrize("path", ["/", "/facts", "/about"])
def test_pages_fit_a_phone(server, browser, path):
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    page.goto(server.base + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (width, _wider_than(page, PHONE["width"]))
    assert _wider_than(page, PHONE["width"]) == []
    ARTIFACTS.mkdir(exist_ok=True)
    name = f"{path.strip('/') or 'chat'}-390.png"
    if path == "/facts":
        # The fact table is wider than a phone: it scrolls inside its own box.
        wrap = page.locator(".table-wrap")
        assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
        assert wrap.bounding_box()["width"] <= PHONE["width"]
        # The filter form stacks: one field under the other, all at the same left edge.
        boxes = [page.locator(".filters label").nth(i).bounding_box() for i in range(3)]
        assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"], boxes
        assert len({round(b["x"]) for b in boxes}) == 1, boxes
        assert all(b["x"] + b["width"] <= PHONE["width"] for b in boxes), boxes
        # The chart, the filters and the first rows of the table (the whole table is 10,000 px long).
        top = wrap.bounding_box()["y"] + page.evaluate("scrollY")
        page.screenshot(path=str(ARTIFACTS / name), full_page=True,
                        clip={"x": 0, "y": 0, "width": PHONE["width"], "height": top + 420})
    else:
        if path == "/about":
            link = page.locator(".docs a").first
            box = link.bounding_box()
            assert box["x"] + box["width"] <= PHONE["width"]
            assert len(link.evaluate("e => [...e.getClientRects()]")) > 1, "the long source URL wraps"
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    ctx.close()
