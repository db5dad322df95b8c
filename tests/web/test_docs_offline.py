"""``/docs`` works offline (issue 14.4), in the real browser: Swagger UI comes from the server itself
(fastapi-offline), the CSP lets it run, and it renders every operation of ``/openapi.json`` with no
failed request, no request off this machine and no console error (a CSP violation is one)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def page_factory():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is missing: `make browser-deps` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _offline_page(browser, base: str):
    """A page that may reach this server only (everything else is aborted and recorded)."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    seen: dict[str, list] = {"offsite": [], "failed": [], "bad_status": [], "console": []}
    here = urlparse(base).netloc

    def route(r) -> None:
        url = urlparse(r.request.url)
        if url.scheme in ("http", "https") and url.netloc != here:
            seen["offsite"].append(r.request.url)
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)
    page.on("requestfailed", lambda req: seen["failed"].append(f"{req.url} {req.failure}"))
    page.on("response", lambda resp: seen["bad_status"].append(f"{resp.status} {resp.url}")
            if resp.status >= 400 else None)
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["console"].append(str(e)))
    return ctx, page, seen


def test_docs_render_every_operation_offline(live, page_factory):
    from playwright.sync_api import expect

    spec = __import__("json").loads(__import__("urllib.request").request.urlopen(live.base + "/openapi.json").read())
    n_ops = sum(len(item) for item in spec["paths"].values())
    ctx, page, seen = _offline_page(page_factory, live.base)
    try:
        page.goto(live.base + "/docs")
        expect(page.locator(".opblock")).to_have_count(n_ops, timeout=30_000)
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("qa")
        # Open POST /api/ask: its example request (an eval question) and the error shape are shown.
        page.locator(".opblock-post .opblock-summary-path", has_text="/api/ask").first.click()
        body = page.locator(".opblock.is-open")
        expect(body).to_contain_text("project and household loans", timeout=10_000)
        expect(body).to_contain_text("415")
        expect(body).to_contain_text("unsupported_media_type")
        page.wait_for_timeout(300)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "docs.png"), full_page=False)
    finally:
        ctx.close()
    assert seen["offsite"] == [] and seen["failed"] == [] and seen["bad_status"] == []
    assert seen["console"] == []


def test_no_redoc_page_that_would_reach_a_cdn(client):
    assert client.get("/redoc").status_code == 404
